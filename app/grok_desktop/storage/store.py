"""The history repository: `Store.open(paths)` gives one object for conversations, messages,
branches, streaming replies, images, search, usage and whole-conversation trees.

Thread use: one SQLite connection guarded by a re-entrant lock, so the UI thread and the
storage worker thread (`AsyncStore`) may both call it; each call is short and atomic.
After `open`:
- `recovered_from` is where a damaged database file was moved (tell the person), else None;
- `migration_backup` is the copy made before a schema upgrade, else None;
- `recovered_interrupted` is how many replies a crash left half-written (now `interrupted`);
- `read_only` is the folder or file that cannot be written when the history was opened
  read-only (reads work; every write raises `ReadOnlyStoreError`), else None.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from grok_desktop.domain.titles import title_from_text
from grok_desktop.storage.conversations import ConversationOps
from grok_desktop.storage.db import Database
from grok_desktop.storage.errors import DatabaseCorruptError, ReadOnlyStoreError
from grok_desktop.storage.opening import mark_for_check, open_database
from grok_desktop.storage.paths import DataPaths
from grok_desktop.storage.search import SearchOps
from grok_desktop.storage.sessions import end_session
from grok_desktop.storage.streaming import new_writer_token, retire_writer_token
from grok_desktop.storage.timeutil import wall_ms
from grok_desktop.storage.trees import TreeOps
from grok_desktop.storage.usage import UsageOps

log = logging.getLogger(__name__)


class Store(TreeOps, ConversationOps, SearchOps, UsageOps):
    def __init__(
        self,
        db: Database,
        paths: DataPaths,
        *,
        title_maker: Callable[[str], str] = title_from_text,
        recovered_from: Path | None = None,
        migration_backup: Path | None = None,
    ) -> None:
        self._db = db
        self._paths = paths
        self._title_maker = title_maker
        self._writer_token = new_writer_token()
        self.recovered_from = recovered_from
        self.migration_backup = migration_backup
        self.recovered_interrupted = 0

    @classmethod
    def open(
        cls,
        paths: DataPaths | str | Path | None = None,
        *,
        title_maker: Callable[[str], str] = title_from_text,
        check: bool | None = None,
        clock_ms: Callable[[], int] = wall_ms,
    ) -> Store:
        """Open (creating, checking, recovering and upgrading as needed) the history.

        `paths` may be DataPaths, a folder, or None for the default (see DataPaths.resolve).
        `check`: run `PRAGMA quick_check` (True), skip it (False), or None: for files up to
        128 MB and after damage was seen (it reads the whole file: ~1.3 s for 425 MB). Raises
        NewerDatabaseError or StorageWriteError; a damaged file is moved aside, not raised.
        A read-only folder or file gives a read-only store (see `read_only`).
        """
        data = paths if isinstance(paths, DataPaths) else DataPaths.resolve(paths)
        data.ensure()
        opened = open_database(data.database, check=check)
        store = cls(
            Database(
                opened.conn,
                data.database,
                clock_ms,
                on_damage=functools.partial(mark_for_check, data.database),
                read_only=opened.read_only,
            ),
            data,
            title_maker=title_maker,
            recovered_from=opened.recovered_from,
            migration_backup=opened.backup,
        )
        if opened.read_only is not None:
            log.info("history opened read-only: %s cannot be written", opened.read_only)
            return store
        try:
            store.recovered_interrupted = store._recover_interrupted()
        except DatabaseCorruptError:
            store.close()
            if check is True:
                raise
            # Damage the skipped check did not see: check now (and move the file aside).
            return cls.open(data, title_maker=title_maker, check=True, clock_ms=clock_ms)
        except BaseException:
            store.close()
            raise
        if store.recovered_interrupted:
            log.info("%d reply(ies) interrupted by a crash", store.recovered_interrupted)
        return store

    @property
    def closed(self) -> bool:
        return self._db.closed

    @property
    def read_only(self) -> Path | None:
        return self._db.read_only

    def check_writable(self) -> None:
        """Raise `ReadOnlyStoreError` now if nothing can be saved (before asking the API)."""
        if self._db.read_only is not None:
            raise ReadOnlyStoreError(self._db.read_only)

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """Group several calls into one transaction: all of them are saved, or none."""
        with self._db.write():
            yield

    def close(self) -> None:
        retire_writer_token(self._writer_token)
        if not self._db.closed and self._db.read_only is None:
            end_session(self.paths.database)
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
