"""What every part of the store shares: the database, the data paths and small look-ups.

The `Store` is assembled from one mixin per concern (conversations, messages, branches,
streaming, attachments, search, usage, trees); each inherits this base.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from grok_desktop.storage.db import Database
from grok_desktop.storage.errors import NotFoundError
from grok_desktop.storage.paths import DataPaths


class StoreBase:
    _db: Database
    _paths: DataPaths
    _title_maker: Callable[[str], str]
    _writer_token: str

    @property
    def paths(self) -> DataPaths:
        return self._paths

    def _conversation_row(self, conn: sqlite3.Connection, conversation_id: str) -> sqlite3.Row:
        row: sqlite3.Row | None = conn.execute(
            "SELECT * FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"There is no conversation with id {conversation_id!r}.")
        return row

    def _message_row(self, conn: sqlite3.Connection, message_id: str) -> sqlite3.Row:
        row: sqlite3.Row | None = conn.execute(
            "SELECT * FROM messages WHERE id = ?", (message_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"There is no message with id {message_id!r}.")
        return row

    def _touch(self, conn: sqlite3.Connection, conversation_id: str) -> int:
        now = self._db.now_ms()
        conn.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation_id))
        return now
