from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from grok_desktop.domain.content import Role
from grok_desktop.domain.conversation import MessageStatus
from grok_desktop.storage import DataPaths, NewerDatabaseError, StorageError, Store
from grok_desktop.storage.migrations import migrate
from grok_desktop.storage.schema import LATEST_VERSION, MIGRATIONS, V1_SQL, Migration


def _tables(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}


def _make_v1(db: Path) -> None:
    """A database as the previous schema (v1) left it, with some history."""
    db.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db)
    conn.executescript(V1_SQL)
    conn.executemany(
        "INSERT INTO conversations VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            ("c1", "Old chat about python", 1000, 5000, 1, "grok-3", "Be brief."),
            ("c2", "New chat", 2000, 3000, 0, None, None),
        ],
    )
    conn.executemany(
        "INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            ("m1", "c1", None, "user", "What is a python generator?", "complete", 1001),
            ("m2", "c1", "m1", "assistant", "A function that yields values.", "complete", 1002),
            ("m3", "c1", "m1", "assistant", "Regenerated: lazy iterators.", "complete", 1003),
            ("m4", "c2", None, "user", "hello", "weird-status", 2001),
        ],
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()


def test_fresh_database_gets_latest_schema_and_pragmas(paths: DataPaths) -> None:
    with Store.open(paths) as store:
        conn = store._db.conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
        assert store.migration_backup is None  # nothing to back up in a new file
    names = _tables(paths.database)
    assert {
        "conversations",
        "messages",
        "attachments",
        "message_attachments",
        "messages_fts",
        "titles_fts",
        "usage_ledger",
    } <= names


def test_empty_existing_file_is_initialised(paths: DataPaths) -> None:
    paths.ensure()
    paths.database.write_bytes(b"")
    with Store.open(paths) as store:
        assert store.recovered_from is None
        assert store.count_conversations() == 0


def test_upgrade_from_v1_keeps_data_and_backs_up(paths: DataPaths) -> None:
    _make_v1(paths.database)
    with Store.open(paths) as store:
        backup = store.migration_backup
        assert backup is not None
        assert backup.name.startswith("grok-desktop.sqlite3.bak-v1-")
        with sqlite3.connect(backup) as old:  # the copy is the untouched v1 database
            assert old.execute("PRAGMA user_version").fetchone()[0] == 1
            assert old.execute("SELECT count(*) FROM messages").fetchone()[0] == 4

        assert store.count_conversations() == 2
        listed = store.list_conversations()
        assert [c.id for c in listed] == ["c1", "c2"]  # pinned first
        assert listed[0].system_prompt == "Be brief."
        assert listed[0].model == "grok-3"
        # branches survived; the newest reply is the one shown
        assert [m.id for m in store.branch_path("c1")] == ["m1", "m3"]
        assert [m.id for m in store.siblings("m2")] == ["m2", "m3"]
        # unknown statuses became "complete", usage is empty
        m4 = store.get_message("m4")
        assert m4 is not None
        assert m4.status is MessageStatus.COMPLETE
        assert m4.usage is None
        # full-text search covers the old messages and titles
        assert {h.message_id for h in store.search("generator")} == {"m1"}
        assert any(h.message_id is None for h in store.search("python"))
        # "New chat" was an automatic title: the next first user message may not rename it,
        # but a model-made title may still replace it
        assert store.is_title_auto("c2")
        assert not store.is_title_auto("c1")
        # and new rows work next to the migrated ones
        store.add_message("c1", Role.USER, "more")
    with Store.open(paths) as again:
        assert again.migration_backup is None  # already current: no second copy


def test_failed_migration_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite3"
    _make_v1(db)

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    steps = (*MIGRATIONS[:1], Migration(2, "broken", broken))
    conn = sqlite3.connect(db, isolation_level=None)
    with pytest.raises(RuntimeError):
        migrate(conn, db, steps)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert "half_done" not in _tables(db)
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    conn.close()


def test_broken_references_abort_migration(tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite3"
    _make_v1(db)
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO messages VALUES ('m9', 'missing', NULL, 'user', 'x', 'complete', 5)"
        )
    conn = sqlite3.connect(db, isolation_level=None)
    with pytest.raises(StorageError, match="broken references"):
        migrate(conn, db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()


def test_newer_database_is_refused_and_left_alone(paths: DataPaths) -> None:
    paths.ensure()
    with sqlite3.connect(paths.database) as conn:
        conn.execute("CREATE TABLE future (x)")
        conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    before = paths.database.read_bytes()
    with pytest.raises(NewerDatabaseError) as caught:
        Store.open(paths)
    assert "newer version of Grok Desktop" in str(caught.value)
    assert caught.value.found == LATEST_VERSION + 1
    assert paths.database.read_bytes() == before
    assert not list(paths.root.glob("*.corrupt-*"))
    assert not list(paths.root.glob("*.bak-*"))
