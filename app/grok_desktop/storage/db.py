"""One SQLite connection shared by the UI thread and the storage worker thread.

A `threading.RLock` serialises every use of the connection (opened with
`check_same_thread=False`). `read()` and `write()` are the only ways in: they hold the lock,
translate sqlite/OS failures into `StorageError`s, and `write()` wraps the block in
`BEGIN IMMEDIATE … COMMIT` (nested `write()`s join the outer transaction). Work that must
happen only once the data is durable (deleting image files) is queued with `after_commit`;
clean-up of files written for a transaction that failed goes to `on_rollback`.
A database opened read-only (`read_only` is the folder or file that cannot be written) refuses
every `write()` with `ReadOnlyStoreError` before touching anything.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from grok_desktop.storage.errors import (
    DatabaseCorruptError,
    ReadOnlyStoreError,
    StorageError,
    translate,
)
from grok_desktop.storage.timeutil import wall_ms

log = logging.getLogger(__name__)


class Database:
    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        clock_ms: Callable[[], int] = wall_ms,
        on_damage: Callable[[], None] | None = None,
        read_only: Path | None = None,
    ) -> None:
        self.conn = conn
        self.path = path
        self.read_only = read_only
        self.lock = threading.RLock()
        self._clock_ms = clock_ms
        self._last_ms = 0
        self._depth = 0
        self._after_commit: list[Callable[[], None]] = []
        self._on_rollback: list[Callable[[], None]] = []
        self.closed = False
        self._on_damage = on_damage

    def now_ms(self) -> int:
        """Wall-clock milliseconds, strictly increasing within this store.

        Strictness keeps "newest first" orderings exact even for events in the same
        millisecond (and when the system clock steps back a little).
        """
        with self.lock:
            now = max(self._clock_ms(), self._last_ms + 1)
            self._last_ms = now
            return now

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            self._check_open()
            try:
                yield self.conn
            except (sqlite3.Error, OSError) as exc:
                raise self._translate(exc) from exc

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            self._check_open()
            if self.read_only is not None:
                raise ReadOnlyStoreError(self.read_only)
            if self._depth:
                self._depth += 1
                try:
                    yield self.conn
                finally:
                    self._depth -= 1
                return
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._translate(exc) from exc
            self._depth = 1
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException as exc:
                self._depth = 0
                self._rollback()
                if isinstance(exc, sqlite3.Error | OSError):
                    raise self._translate(exc) from exc
                raise
            self._depth = 0
            self._on_rollback.clear()
            self._run(self._after_commit)

    def after_commit(self, action: Callable[[], None]) -> None:
        if not self._depth:
            raise RuntimeError("after_commit() outside a write transaction")
        self._after_commit.append(action)

    def on_rollback(self, action: Callable[[], None]) -> None:
        if not self._depth:
            raise RuntimeError("on_rollback() outside a write transaction")
        self._on_rollback.append(action)

    def close(self) -> None:
        with self.lock:
            if self.closed:
                return
            self.closed = True
            try:
                self.conn.execute("PRAGMA optimize")
            except sqlite3.Error:
                pass
            self.conn.close()

    def _translate(self, exc: BaseException) -> StorageError:
        error = translate(exc, self.path)
        if isinstance(error, DatabaseCorruptError) and self._on_damage is not None:
            self._on_damage()
        return error

    def _rollback(self) -> None:
        self._after_commit.clear()
        try:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        except sqlite3.Error:  # e.g. SQLite already rolled back after SQLITE_FULL
            log.exception("rollback failed")
        self._run(self._on_rollback)

    @staticmethod
    def _run(actions: list[Callable[[], None]]) -> None:
        pending = list(actions)
        actions.clear()
        for action in pending:
            try:
                action()
            except Exception:
                log.exception("post-transaction action failed")

    def _check_open(self) -> None:
        if self.closed:
            raise StorageError("The history store is closed.")
