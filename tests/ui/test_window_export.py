"""Export from the conversation list's menu ("Export…"): a save dialog (monkeypatched here),
Markdown or JSON by the extension or the chosen filter, written off the UI thread, the outcome
in the status bar."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu

from grok_desktop.ui.conversation_list import ID_ROLE
from grok_desktop.ui.export_dialog import JSON_FILTER, MARKDOWN_FILTER, export_target
from grok_desktop.ui.main_window import MainWindow


class FakeDialog:
    """Stands in for QFileDialog.getSaveFileName: answers `answer`, remembers the question."""

    def __init__(self, answer: tuple[str, str]) -> None:
        self.answer = answer
        self.asked: list[tuple[Any, ...]] = []

    def __call__(self, *args: Any, **kwargs: Any) -> tuple[str, str]:
        self.asked.append(args)
        return self.answer


def export_from_menu(ui: Any, window: MainWindow, conversation_id: str) -> None:
    """Right-click the conversation and choose "Export…" with the keyboard."""
    lst = window.panel.list
    row = next(i for i in range(lst.count()) if lst.item(i).data(ID_ROLE) == conversation_id)
    chosen: list[str] = []

    def pick() -> None:
        menu = QApplication.activePopupWidget()
        if not isinstance(menu, QMenu):
            QTimer.singleShot(20, pick)
            return
        action = next(a for a in menu.actions() if a.text() == "Export…")
        menu.setActiveAction(action)
        chosen.append(action.text())
        ui.qtbot.keyClick(menu, Qt.Key.Key_Return)

    pos = lst.visualItemRect(lst.item(row)).center()
    QTimer.singleShot(20, pick)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, lst.viewport().mapToGlobal(pos))
    QApplication.sendEvent(lst.viewport(), event)
    ui.wait(lambda: chosen)


def asked_conversation(window: MainWindow, ui: Any) -> str:
    ui.ask("export me please")
    assert window.current is not None
    return window.current.id


def test_export_writes_markdown_by_the_chosen_filter(
    window: MainWindow, ui: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cid = asked_conversation(window, ui)
    (tmp_path / "out").mkdir()
    dialog = FakeDialog((str(tmp_path / "out" / "my chat"), MARKDOWN_FILTER))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    export_from_menu(ui, window, cid)
    written = tmp_path / "out" / "my chat.md"  # the filter's extension is added
    ui.wait(written.exists)
    ui.wait(lambda: window.status_label.text() == f"Exported to {written}")
    text = written.read_text(encoding="utf-8")
    assert "export me please" in text and "You said: export me please" in text
    # the dialog offered a file named after the conversation, and both formats
    parent, caption, suggested, filters = dialog.asked[0]
    assert parent is window and caption == "Export conversation"
    assert Path(suggested).name == "export me please.md"
    assert MARKDOWN_FILTER in filters and JSON_FILTER in filters


def test_export_writes_json_by_the_extension(
    window: MainWindow, ui: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cid = asked_conversation(window, ui)
    target = tmp_path / "backup.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", FakeDialog((str(target), MARKDOWN_FILTER)))
    export_from_menu(ui, window, cid)
    ui.wait(target.exists)
    ui.wait(lambda: window.status_label.text() == f"Exported to {target}")
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["format"] == "grok-desktop-conversation"
    assert document["conversation"]["id"] == cid
    contents = [m["content"] for m in document["conversation"]["messages"]]
    assert contents == ["export me please", "You said: export me please"]


def test_a_failed_export_says_why(
    window: MainWindow, ui: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cid = asked_conversation(window, ui)
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    target = blocker / "chat.json"  # its "folder" is a file: cannot be written
    monkeypatch.setattr(QFileDialog, "getSaveFileName", FakeDialog((str(target), JSON_FILTER)))
    export_from_menu(ui, window, cid)
    ui.wait(lambda: window.status_label.text().startswith("Export failed: "))
    assert str(blocker) in window.status_label.toolTip()  # says which file and why
    assert not target.exists()


def test_cancelling_the_dialog_exports_nothing(
    window: MainWindow, ui: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cid = asked_conversation(window, ui)
    dialog = FakeDialog(("", ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    status = window.status_label.text()
    export_from_menu(ui, window, cid)
    ui.wait(lambda: dialog.asked)
    ui.qtbot.wait(100)
    assert window.status_label.text() == status
    assert sorted(tmp_path.iterdir()) == [tmp_path / "data"]


def test_export_target_picks_the_format() -> None:
    assert export_target("/x/a.JSON", MARKDOWN_FILTER) == (Path("/x/a.JSON"), "json")
    assert export_target("/x/a.md", JSON_FILTER) == (Path("/x/a.md"), "md")
    assert export_target("/x/a.markdown", JSON_FILTER) == (Path("/x/a.markdown"), "md")
    assert export_target("/x/a", JSON_FILTER) == (Path("/x/a.json"), "json")
    assert export_target("/x/a.txt", MARKDOWN_FILTER) == (Path("/x/a.txt.md"), "md")
