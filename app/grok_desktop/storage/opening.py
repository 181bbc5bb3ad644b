"""Opening the database file: health check, recovery from a damaged file, pragmas, migrations.

- A file that is not SQLite, or fails `PRAGMA quick_check`, is renamed to
  `<db>.corrupt-<stamp>` (with its -wal/-shm) and a fresh database is created; the caller gets
  the new location so the person can be told (never a silent replacement).
- A file from a newer schema raises `NewerDatabaseError` and is left exactly as it was.
- A read-only data folder or database file is opened read-only (`mode=ro`, which reads the
  WAL through an existing -shm; else `immutable=1`): the history can be read, and every write
  raises `ReadOnlyStoreError`, which names what is read-only. A read-only database that does
  not exist yet, or that needs an upgrade, raises `ReadOnlyStoreError` at open.
- Full disks and unopenable files raise `StorageWriteError`.

`PRAGMA quick_check` reads the whole file (~1.3 s for a 425 MB history of 500,000 messages),
so by default (`check=None`) it runs when a previous session met damage and left the
`<db>.check` marker (see `mark_for_check`), and for files up to QUICK_CHECK_MAX_BYTES when the
last session did not end cleanly (see `sessions`). The header and schema are always read, so
a file that is not a database is always caught; damage a skipped check missed is caught at
the first read that meets it, which checks and recovers then.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from grok_desktop.storage.errors import (
    DatabaseCorruptError,
    ReadOnlyStoreError,
    StorageWriteError,
    translate,
)
from grok_desktop.storage.migrations import migrate, user_version
from grok_desktop.storage.schema import LATEST_VERSION
from grok_desktop.storage.sessions import begin_session
from grok_desktop.storage.timeutil import aside_path

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
QUICK_CHECK_MAX_BYTES = 128 * 1024 * 1024
_SIDE_FILES = ("-wal", "-shm", "-journal")


@dataclass(frozen=True, slots=True)
class Opened:
    conn: sqlite3.Connection
    recovered_from: Path | None  # where a damaged file was moved
    backup: Path | None  # the copy made before a migration
    read_only: Path | None = None  # what is read-only (folder or file) when opened read-only


class _Damaged(Exception):
    pass


def check_marker(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".check")


def mark_for_check(db_path: Path) -> None:
    """Ask the next open to run the full check (damage was seen while the store was open)."""
    try:
        check_marker(db_path).touch()
    except OSError:
        log.warning("could not mark %s for a check at the next start", db_path)


def _wants_check(db_path: Path, check: bool | None, unclean: bool) -> bool:
    if check is not None:
        return check
    if check_marker(db_path).exists():
        return True
    try:
        return unclean and db_path.stat().st_size <= QUICK_CHECK_MAX_BYTES
    except OSError:
        return True


def read_only_part(db_path: Path) -> Path | None:
    """The folder or the database file when it cannot be written, else None."""
    folder = db_path.parent
    if not os.access(folder, os.W_OK):
        return folder
    if db_path.is_file() and not os.access(db_path, os.W_OK):
        return db_path
    return None


def open_database(db_path: Path, *, check: bool | None = None) -> Opened:
    blocked = read_only_part(db_path)
    if blocked is not None:
        return Opened(open_read_only(db_path, blocked), None, None, read_only=blocked)
    recovered: Path | None = None
    check = _wants_check(db_path, check, unclean=begin_session(db_path))
    try:
        conn, saved = _prepare(_connect_checked(db_path, check), db_path)
    except _Damaged as damage:
        log.warning("history database %s is damaged (%s); moving it aside", db_path, damage)
        recovered = move_aside(db_path)
        conn, saved = _prepare(_connect_checked(db_path, check=False), db_path)
    except StorageWriteError as exc:
        # SQLite could not write (a file system that os.access does not see as read-only):
        # read what is there instead of refusing to show the history.
        cause = exc.__cause__
        name = str(getattr(cause, "sqlite_errorname", "") or "")
        if not name.startswith("SQLITE_READONLY") or not db_path.is_file():
            raise
        log.info("history database %s cannot be written (%s); opening it read-only", db_path, cause)
        return Opened(open_read_only(db_path, db_path), None, None, read_only=db_path)
    if check or recovered is not None:
        check_marker(db_path).unlink(missing_ok=True)
    return Opened(conn, recovered, saved)


def open_read_only(db_path: Path, blocked: Path) -> sqlite3.Connection:
    """A read-only connection (`query_only`), or ReadOnlyStoreError when there is nothing
    that can be read without writing (no database yet, or one that needs an upgrade)."""
    if not db_path.is_file():
        raise ReadOnlyStoreError(
            blocked,
            f"The data folder {blocked} is read-only, so the history database cannot be "
            "created in it",
        )
    try:
        _check_header(db_path)
    except _Damaged as damage:
        raise DatabaseCorruptError(db_path) from damage
    failure: sqlite3.Error | None = None
    # mode=ro reads the WAL when a -shm exists (or can be made); immutable=1 reads the main
    # file alone when it cannot (a read-only folder after a clean shutdown has no -wal).
    for query in ("mode=ro", "immutable=1"):
        try:
            conn = sqlite3.connect(
                f"{db_path.as_uri()}?{query}",
                uri=True,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            failure = exc
            continue
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            version = user_version(conn)
            if version > LATEST_VERSION:
                migrate(conn, db_path)  # raises NewerDatabaseError, writes nothing
            if version < LATEST_VERSION:
                raise ReadOnlyStoreError(
                    blocked,
                    f"The history database {db_path} needs an upgrade for this version of "
                    f"Grok Desktop, but {blocked} is read-only",
                )
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA query_only = ON")
        except sqlite3.Error as exc:
            conn.close()
            if isinstance(exc, sqlite3.DatabaseError) and _is_damage(exc):
                raise DatabaseCorruptError(db_path) from exc
            failure = exc
            continue
        except BaseException:
            conn.close()
            raise
        if query != "mode=ro":
            log.info("opened %s as immutable (read-only folder without a -shm file)", db_path)
        return conn
    assert failure is not None
    raise translate(failure, db_path) from failure


def _prepare(conn: sqlite3.Connection, db_path: Path) -> tuple[sqlite3.Connection, Path | None]:
    """Pragmas and migrations; damage met on the way counts as a damaged file."""
    try:
        _configure(conn)
        return conn, migrate(conn, db_path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        if _is_damage(exc):
            raise _Damaged(str(exc)) from exc
        raise translate(exc, db_path) from exc
    except DatabaseCorruptError as exc:
        conn.close()
        raise _Damaged(str(exc)) from exc
    except BaseException:
        conn.close()
        raise


def _connect_checked(db_path: Path, check: bool) -> sqlite3.Connection:
    _check_header(db_path)
    try:
        conn = sqlite3.connect(
            db_path,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
        )
    except sqlite3.Error as exc:
        raise translate(exc, db_path) from exc
    try:
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        version = user_version(conn)
        if version > LATEST_VERSION:
            # Let migrate() raise NewerDatabaseError before anything is written.
            migrate(conn, db_path)
        if check and version > 0:
            rows = conn.execute("PRAGMA quick_check").fetchall()
            if [tuple(r) for r in rows] != [("ok",)]:
                raise _Damaged("; ".join(str(r[0]) for r in rows[:3]))
    except sqlite3.DatabaseError as exc:
        conn.close()
        if _is_damage(exc):
            raise _Damaged(str(exc)) from exc
        raise translate(exc, db_path) from exc
    except BaseException:
        conn.close()
        raise
    return conn


def _check_header(db_path: Path) -> None:
    try:
        with db_path.open("rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise translate(exc, db_path) from exc
    if head and head != SQLITE_HEADER:
        raise _Damaged("not an SQLite database")


def _is_damage(exc: sqlite3.DatabaseError) -> bool:
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    text = str(exc).lower()
    return (
        name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
        or "file is not a database" in text
        or "malformed" in text
    )


def _configure(conn: sqlite3.Connection) -> None:
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        log.warning("WAL journal mode unavailable, using %s", mode)
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")


def move_aside(db_path: Path) -> Path:
    """Rename a damaged database (and its side files) to `<name>.corrupt-<stamp>`."""
    target = aside_path(db_path, "corrupt")
    try:
        db_path.rename(target)
        for suffix in _SIDE_FILES:
            side = db_path.with_name(db_path.name + suffix)
            if side.exists():
                side.rename(target.with_name(target.name + suffix))
    except OSError as exc:
        raise translate(exc, db_path) from exc
    return target
