"""Keyboard shortcuts in one table: the window binds them and the cheat sheet (Ctrl+/) lists
them, so the two can never disagree."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget


@dataclass(frozen=True, slots=True)
class Shortcut:
    action: str
    keys: tuple[str, ...]
    label: str


SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("new_chat", ("Ctrl+N",), "New chat"),
    Shortcut("search", ("Ctrl+K", "Ctrl+F"), "Search conversations"),
    Shortcut("focus_composer", ("Ctrl+L",), "Focus the message box"),
    Shortcut("screenshot", ("Ctrl+Shift+S",), "Capture a screen region and attach it"),
    Shortcut("system_prompt", ("Ctrl+Shift+P",), "System prompt of this conversation"),
    Shortcut("settings", ("Ctrl+,",), "Settings"),
    Shortcut("usage", ("Ctrl+Shift+U",), "Usage and costs"),
    Shortcut("shortcuts", ("Ctrl+/",), "This list of shortcuts"),
    Shortcut("rename", ("F2",), "Rename the selected conversation"),
    Shortcut("delete", ("Del",), "Delete the selected conversation (with Undo)"),
    Shortcut(
        "undo",
        ("Ctrl+Z",),
        "Undo the last delete (a conversation or messages); in the message box it first"
        " undoes typing",
    ),
    Shortcut("stop", ("Esc",), "Stop the answer; when none is running, cancel an edit"),
    Shortcut("quit", ("Ctrl+Q",), "Quit"),
)
TEXT_KEYS: tuple[tuple[str, str], ...] = (
    ("Enter", "Send"),
    ("Shift+Enter", "New line"),
    ("Ctrl+V", "Paste text or images"),
)


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts — Grok Desktop")
        rows = [(" / ".join(s.keys), s.label) for s in SHORTCUTS] + list(TEXT_KEYS)
        table = "".join(
            f"<tr><td style='padding:3px 16px 3px 0;'><b>{k}</b></td><td>{v}</td></tr>"
            for k, v in rows
        )
        label = QLabel(f"<table>{table}</table>", self)
        label.setTextFormat(Qt.TextFormat.RichText)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(buttons)
