"""Conversations for the window: pages of the list, full-text search off the UI thread,
rename, pin, delete with Undo, and opening one (its current branch and branch positions).

Signals:
    page_loaded(list[Conversation], bool append)
    search_finished(str query, list[SearchHit])
    conversation_changed(object Conversation)
    conversation_deleted(str conversation_id)
    conversation_restored(object Conversation)
    failed(str text)
"""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import QObject, Signal

from grok_desktop.domain.conversation import Conversation, Message
from grok_desktop.storage.async_store import AsyncStore
from grok_desktop.storage.errors import StorageError
from grok_desktop.storage.store import Store

PAGE = 100
#: Messages shown when a conversation opens; older ones load on request.
WINDOW = 200


class ConversationService(QObject):
    page_loaded = Signal(list, bool)
    search_finished = Signal(str, list)
    conversation_changed = Signal(object)
    conversation_deleted = Signal(str)
    conversation_restored = Signal(object)
    failed = Signal(str)

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.async_store = AsyncStore(store)
        self._last: Conversation | None = None
        self._exhausted = False
        self._search_task: asyncio.Task[None] | None = None
        self._undo: list[Any] = []

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

    def undo_delete(self) -> None:
        if not self._undo:
            return
        try:
            conversation = self.store.restore_conversation(self._undo.pop())
        except StorageError as exc:
            self.failed.emit(str(exc))
            return
        self.conversation_restored.emit(conversation)
        self.load_first_page()

    # -- one conversation -----------------------------------------------------------------------
    def open(self, conversation_id: str) -> tuple[list[Message], dict[str, tuple[int, int]]]:
        path = self.store.branch_path(conversation_id)
        return path, self.store.branch_positions(conversation_id)

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
