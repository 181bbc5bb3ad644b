"""Bringing a database file up to the current schema, safely.

Before the first step the file is copied aside (`<db>.bak-v<old>-<stamp>`, with SQLite's
online backup so the copy includes what is still in the WAL); then all steps run in ONE
transaction with foreign keys off (as SQLite's table-rebuild recipe asks) and
`synchronous=FULL`, a foreign-key check runs, and `user_version` is written before COMMIT.
A failure leaves the old file as it was.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from grok_desktop.storage.errors import NewerDatabaseError, StorageError, translate
from grok_desktop.storage.schema import LATEST_VERSION, MIGRATIONS, Migration
from grok_desktop.storage.timeutil import aside_path

log = logging.getLogger(__name__)


def user_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def backup_path(db_path: Path, version: int) -> Path:
    return aside_path(db_path, f"bak-v{version}")


def copy_aside(conn: sqlite3.Connection, db_path: Path, version: int) -> Path:
    target = backup_path(db_path, version)
    try:
        dest = sqlite3.connect(target)
        try:
            conn.backup(dest)
        finally:
            dest.close()
    except (sqlite3.Error, OSError) as exc:
        target.unlink(missing_ok=True)
        raise translate(exc, target) from exc
    return target


def migrate(
    conn: sqlite3.Connection,
    db_path: Path,
    migrations: Sequence[Migration] = MIGRATIONS,
    *,
    backup: bool = True,
) -> Path | None:
    """Apply the missing steps. Returns the backup file made (None when nothing to do or the
    database was empty). `conn` must be in autocommit mode (isolation_level=None)."""
    latest = migrations[-1].version if migrations else 0
    current = user_version(conn)
    if current > latest:
        raise NewerDatabaseError(db_path, current, latest)
    if current == latest:
        return None
    saved = copy_aside(conn, db_path, current) if backup and current > 0 else None
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("PRAGMA synchronous = FULL")
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the write lock.
            current = user_version(conn)
            if current > latest:
                raise NewerDatabaseError(db_path, current, latest)
            for step in migrations:
                if step.version > current:
                    log.info("migrating %s to schema %d", db_path, step.version)
                    step.apply(conn)
            problems = conn.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise StorageError(
                    f"Upgrading {db_path} failed: {len(problems)} broken references. "
                    f"Nothing was changed; the copy {saved} is kept."
                )
            conn.execute(f"PRAGMA user_version = {int(latest)}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    except sqlite3.Error as exc:
        raise translate(exc, db_path) from exc
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
    return saved


__all__ = ["LATEST_VERSION", "migrate", "user_version"]
