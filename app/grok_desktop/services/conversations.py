"""Conversations for the window: pages of the list, full-text search off the UI thread,
rename, pin, delete with Undo (a conversation, or a message and what follows it), opening one
(its current branch and branch positions), its earlier messages page by page and export,
both off the UI thread.

One Undo stack for both kinds of delete: `undo_delete()` puts back the latest.

Signals:
    page_loaded(list[Conversation], bool append)
    search_finished(str query, list[SearchHit])
    conversation_changed(object Conversation)
    conversation_deleted(str conversation_id)
    conversation_restored(object Conversation)
    messages_deleted(str conversation_id, int count): a message and the count - 1 below it
    messages_restored(str conversation_id)
    earlier_loaded(str conversation_id, str before_id, list[Message], dict positions,
        bool more): the messages just above `before_id` on the branch shown, oldest first
    exported(str path)
    failed(str text)
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, Literal

from PySide6.QtCore import QObject, Signal

from grok_desktop.domain.conversation import Conversation, Message
from grok_desktop.storage.async_store import AsyncStore
from grok_desktop.storage.errors import StorageError
from grok_desktop.storage.records import DeletedConversation
from grok_desktop.storage.store import Store
from grok_desktop.storage.trees import DeletedMessages

ExportFormat = Literal["md", "json"]

PAGE = 100
#: Messages shown when a conversation opens; older ones load on request.
WINDOW = 200


class ConversationService(QObject):
    page_loaded = Signal(list, bool)
    search_finished = Signal(str, list)
    conversation_changed = Signal(object)
    conversation_deleted = Signal(str)
    conversation_restored = Signal(object)
    messages_deleted = Signal(str, int)
    messages_restored = Signal(str)
    earlier_loaded = Signal(str, str, list, dict, bool)
    exported = Signal(str)
    failed = Signal(str)

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.async_store = AsyncStore(store)
        self._last: Conversation | None = None
        self._exhausted = False
        self._search_task: asyncio.Task[None] | None = None
        self._undo: list[DeletedConversation | DeletedMessages] = []
        self._tasks: set[asyncio.Task[None]] = set()

    # -- list -----------------------------------------------------------------------------------
    def load_first_page(self) -> None:
        page = self.store.list_conversations(limit=PAGE)
        self._last = page[-1] if page else None
        self._exhausted = len(page) < PAGE
        self.page_loaded.emit(page, False)

    def load_more(self) -> None:
        if self._exhausted or self._last is None:
            return
        page = self.store.list_conversations(limit=PAGE, before=self._last)
        self._exhausted = len(page) < PAGE
        if page:
            self._last = page[-1]
            self.page_loaded.emit(page, True)

    # -- search ---------------------------------------------------------------------------------
    def search(self, query: str) -> None:
        if self._search_task is not None and not self._search_task.done():
            self._search_task.cancel()
        if not query.strip():
            self.load_first_page()
            return
        self._search_task = asyncio.ensure_future(self._search(query))

    async def _search(self, query: str) -> None:
        try:
            hits = await self.async_store.search(query, limit=100)
        except StorageError as exc:
            self.failed.emit(str(exc))
            return
        self.search_finished.emit(query, hits)

    # -- edits ----------------------------------------------------------------------------------
    def create(self, model: str | None, system_prompt: str | None) -> Conversation:
        conversation = self.store.create_conversation(model=model, system_prompt=system_prompt)
        return conversation

    def rename(self, conversation_id: str, title: str) -> None:
        self._edit(lambda: self.store.rename_conversation(conversation_id, title))

    def set_pinned(self, conversation_id: str, pinned: bool) -> None:
        self._edit(lambda: self.store.set_pinned(conversation_id, pinned))
        self.load_first_page()

    def set_system_prompt(self, conversation_id: str, prompt: str | None) -> None:
        self._edit(lambda: self.store.set_system_prompt(conversation_id, prompt))

    def _edit(self, action: Any) -> None:
        try:
            self.conversation_changed.emit(action())
        except StorageError as exc:
            self.failed.emit(str(exc))

    def delete(self, conversation_id: str) -> None:
        try:
            snapshot = self.store.delete_conversation(conversation_id)
        except StorageError as exc:
            self.failed.emit(str(exc))
            return
        self._undo.append(snapshot)
        self.conversation_deleted.emit(conversation_id)

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    def delete_message(self, message_id: str) -> None:
        """Delete a message and everything below it (every branch), with Undo."""
        try:
            deleted = self.store.delete_messages(message_id)
        except StorageError as exc:
            self.failed.emit(f"The message was not deleted: {exc}")
            return
        self._undo.append(deleted)
        self.messages_deleted.emit(deleted.conversation_id, deleted.count)

    def undo_delete(self) -> None:
        if not self._undo:
            return
        snapshot = self._undo.pop()
        try:
            if isinstance(snapshot, DeletedMessages):
                self.store.restore_messages(snapshot)
            else:
                conversation = self.store.restore_conversation(snapshot)
        except StorageError as exc:
            self.failed.emit(f"Nothing was restored: {exc}")
            return
        if isinstance(snapshot, DeletedMessages):
            self.messages_restored.emit(snapshot.conversation_id)
        else:
            self.conversation_restored.emit(conversation)
        self.load_first_page()

    # -- one conversation -----------------------------------------------------------------------
    def get(self, conversation_id: str) -> Conversation | None:
        return self.store.get_conversation(conversation_id)

    def get_message(self, message_id: str) -> Message | None:
        try:
            return self.store.get_message(message_id)
        except StorageError as exc:
            self.failed.emit(str(exc))
            return None

    def open(self, conversation_id: str) -> tuple[list[Message], dict[str, tuple[int, int]]]:
        path = self.store.branch_path(conversation_id)
        return path, self.store.branch_positions(conversation_id)

    def positions(self, conversation_id: str) -> dict[str, tuple[int, int]]:
        return self.store.branch_positions(conversation_id)

    def load_earlier(self, conversation_id: str, before_id: str, count: int = WINDOW) -> None:
        """Read up to `count` messages above `before_id` (off the UI thread) and emit
        `earlier_loaded`."""
        self._spawn(self._load_earlier(conversation_id, before_id, count))

    async def _load_earlier(self, conversation_id: str, before_id: str, count: int) -> None:
        try:
            first = await self.async_store.run(self.store.get_message, before_id)
            if first is None or first.parent_id is None:
                path: list[Message] = []
            else:
                path = await self.async_store.branch_path(conversation_id, first.parent_id)
            positions = await self.async_store.branch_positions(conversation_id)
        except StorageError as exc:
            self.failed.emit(f"Earlier messages could not be loaded: {exc}")
            return
        page = path[-count:] if count > 0 else []
        self.earlier_loaded.emit(conversation_id, before_id, page, positions, len(path) > len(page))

    def export(self, conversation_id: str, path: Path, fmt: ExportFormat) -> None:
        """Write the conversation to `path` (Markdown: the branch shown, images in a folder
        beside it; JSON: everything, lossless) off the UI thread; `exported` or `failed`."""
        self._spawn(self._export(conversation_id, path, fmt))

    async def _export(self, conversation_id: str, path: Path, fmt: ExportFormat) -> None:
        try:
            if fmt == "json":
                await self.async_store.export_conversation_json(conversation_id, path)
            else:
                path = await self.async_store.export_markdown(conversation_id, path)
        except (StorageError, OSError) as exc:
            self.failed.emit(f"Export failed: {exc}")
            return
        self.exported.emit(str(path))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def switch_branch(self, message_id: str, step: int) -> str | None:
        """Select the previous/next sibling of a message; returns its conversation id."""
        siblings = self.store.siblings(message_id)
        ids = [m.id for m in siblings]
        if message_id not in ids:
            return None
        index = ids.index(message_id) + step
        if not 0 <= index < len(ids):
            return None
        self.store.select_branch(ids[index])
        return siblings[index].conversation_id
