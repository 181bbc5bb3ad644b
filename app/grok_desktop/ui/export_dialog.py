"""Export from the conversation list ("Export…"): a save dialog, then the conversation service
writes the file off the UI thread. Markdown (the branch shown, images in a folder beside the
file) or JSON (every branch, lossless, what `grok-desktop history import` reads), chosen by the
file's extension, else by the filter picked in the dialog.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

from grok_desktop.services.conversations import ConversationService, ExportFormat

MARKDOWN_FILTER = "Markdown (*.md)"
JSON_FILTER = "JSON, every branch (*.json)"


def export_target(path: str, chosen_filter: str) -> tuple[Path, ExportFormat]:
    """The file to write and its format: `.json` / `.md` decide; otherwise the filter, and its
    extension is added."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".json":
        return target, "json"
    if suffix in (".md", ".markdown"):
        return target, "md"
    if chosen_filter == JSON_FILTER:
        return target.with_name(target.name + ".json"), "json"
    return target.with_name(target.name + ".md"), "md"


def file_name_for(title: str) -> str:
    """A file name from a conversation title (no path separators or shell-hostile signs)."""
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", title).strip(" .")
    return " ".join(name.split())[:80] or "conversation"


class ConversationExporter(QObject):
    """Slot for `ConversationPanel.export_requested`; says the outcome with `status`
    (failures come as the service's `failed`, which the window shows).

    Signals: none.
    """

    def __init__(
        self,
        conversations: ConversationService,
        status: Callable[[str], None],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.conversations = conversations
        self._status = status
        self._window = parent
        self._folder: Path | None = None
        conversations.exported.connect(self.on_conversations_exported)

    def export(self, conversation_id: str) -> None:
        conversation = self.conversations.get(conversation_id)
        if conversation is None:
            return
        folder = self._folder or Path(
            QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
            or Path.home()
        )
        path, chosen = QFileDialog.getSaveFileName(
            self._window,
            "Export conversation",
            str(folder / (file_name_for(conversation.title) + ".md")),
            f"{MARKDOWN_FILTER};;{JSON_FILTER}",
        )
        if not path:
            return
        target, fmt = export_target(path, chosen)
        self._folder = target.parent
        self._status(f"Exporting to {target}…")
        self.conversations.export(conversation_id, target, fmt)

    def on_conversations_exported(self, path: str) -> None:
        self._status(f"Exported to {path}")
