"""The store's slow calls as coroutines, run on one dedicated worker thread.

Search, export, import, loading a long conversation and paging the list can take tens of
milliseconds or more; awaiting them here keeps the UI's event loop (qasync) free. One thread
only: calls run in the order they were made, and SQLite sees at most two threads (this one and
the UI thread, which still makes the quick writes directly). The store's lock keeps them apart.

Nothing here touches Qt; results come back to the awaiting coroutine on the loop's thread.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path
from typing import ParamSpec, TypeVar

from grok_desktop.domain.conversation import Conversation, Message, SearchHit
from grok_desktop.storage import export, importer, markdown
from grok_desktop.storage.records import (
    ConversationTree,
    DeletedConversation,
    ImportResult,
    UsageRow,
)
from grok_desktop.storage.store import Store

_P = ParamSpec("_P")
_T = TypeVar("_T")


class AsyncStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="grok-storage")

    async def run(self, fn: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        """Run any blocking storage call on the worker thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    async def list_conversations(
        self, limit: int = 50, before: Conversation | None = None
    ) -> list[Conversation]:
        return await self.run(self.store.list_conversations, limit, before)

    async def count_conversations(self) -> int:
        return await self.run(self.store.count_conversations)

    async def message_counts(self, conversation_ids: list[str]) -> dict[str, int]:
        return await self.run(self.store.message_counts, conversation_ids)

    async def get_conversation(self, conversation_id: str) -> Conversation | None:
        return await self.run(self.store.get_conversation, conversation_id)

    async def find_conversation(self, prefix: str) -> Conversation:
        return await self.run(self.store.find_conversation, prefix)

    async def branch_path(self, conversation_id: str, leaf_id: str | None = None) -> list[Message]:
        return await self.run(self.store.branch_path, conversation_id, leaf_id)

    async def branch_positions(self, conversation_id: str) -> dict[str, tuple[int, int]]:
        return await self.run(self.store.branch_positions, conversation_id)

    async def select_branch(self, message_id: str) -> list[Message]:
        return await self.run(self.store.select_branch, message_id)

    async def siblings(self, message_id: str) -> list[Message]:
        return await self.run(self.store.siblings, message_id)

    async def messages_for_context(self, conversation_id: str) -> list[Message]:
        return await self.run(self.store.messages_for_context, conversation_id)

    async def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        return await self.run(self.store.search, query, limit)

    async def usage_rows(self, since: date | None = None) -> list[UsageRow]:
        return await self.run(self.store.usage_rows, since)

    async def load_tree(self, conversation_id: str) -> ConversationTree:
        return await self.run(self.store.load_tree, conversation_id)

    async def delete_conversation(self, conversation_id: str) -> DeletedConversation:
        return await self.run(self.store.delete_conversation, conversation_id)

    async def restore_conversation(self, snapshot: DeletedConversation) -> Conversation:
        return await self.run(self.store.restore_conversation, snapshot)

    async def export_conversation_json(self, conversation_id: str, path: Path) -> None:
        await self.run(export.write_conversation_json, self.store, conversation_id, path)

    async def export_markdown(
        self, conversation_id: str, path: Path, images: markdown.ImageMode = "folder"
    ) -> Path:
        return await self.run(markdown.write_markdown, self.store, conversation_id, path, images)

    async def export_backup(
        self,
        path: Path,
        now: datetime | None = None,
        progress: export.Progress | None = None,
    ) -> int:
        """`progress(done, total)` is called on the worker thread: hop to the UI thread
        (e.g. `loop.call_soon_threadsafe`) before touching widgets."""
        return await self.run(export.write_backup, self.store, path, now, progress)

    async def import_file(self, path: Path) -> ImportResult:
        return await self.run(importer.import_file, self.store, path)

    def close(self, *, wait: bool = True) -> None:
        """Stop the worker (after the calls already queued when wait=True). The store itself
        belongs to the caller and stays open."""
        self._executor.shutdown(wait=wait, cancel_futures=not wait)
