"""Bad situations at open and while writing: damaged files, crashes, read-only, full disk."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from storage_helpers import is_root, read_only_folder

from grok_desktop.domain.content import Role
from grok_desktop.domain.conversation import MessageStatus
from grok_desktop.storage import (
    DatabaseCorruptError,
    DataPaths,
    StorageError,
    StorageWriteError,
    Store,
)
from grok_desktop.storage.errors import ReadOnlyStoreError, StorageBusyError, translate
from grok_desktop.storage.migrations import migrate
from grok_desktop.storage.schema import MIGRATIONS


def _one_chat(paths: DataPaths) -> str:
    with Store.open(paths) as store:
        c = store.create_conversation("keep me")
        store.add_message(c.id, Role.USER, "hello")
        return c.id


def test_non_sqlite_file_is_moved_aside_not_replaced_silently(paths: DataPaths) -> None:
    paths.ensure()
    paths.database.write_bytes(b"this is not a database, just some text " * 100)
    with Store.open(paths) as store:
        moved = store.recovered_from
        assert moved is not None
        assert moved.name.startswith("grok-desktop.sqlite3.corrupt-")
        assert moved.read_bytes().startswith(b"this is not a database")
        assert store.count_conversations() == 0
        store.create_conversation("fresh")
    with Store.open(paths) as store:  # the fresh file is healthy: nothing moved again
        assert store.recovered_from is None
        assert store.count_conversations() == 1


def test_damaged_sqlite_file_fails_quick_check_and_is_moved(paths: DataPaths) -> None:
    _one_chat(paths)
    data = bytearray(paths.database.read_bytes())
    assert len(data) > 8192
    for i in range(4096, len(data)):  # keep the header, wreck every page after the first
        data[i] = 0xA5
    paths.database.write_bytes(bytes(data))
    for side in ("-wal", "-shm"):
        Path(str(paths.database) + side).unlink(missing_ok=True)
    with Store.open(paths) as store:
        assert store.recovered_from is not None
        assert store.recovered_from.exists()
        assert store.count_conversations() == 0


def test_short_garbage_file_is_moved(paths: DataPaths) -> None:
    paths.ensure()
    paths.database.write_bytes(b"\x00\x01")
    with Store.open(paths) as store:
        assert store.recovered_from is not None


def test_crash_mid_reply_becomes_interrupted(paths: DataPaths) -> None:
    with Store.open(paths) as store:
        c = store.create_conversation()
        user = store.add_message(c.id, Role.USER, "tell me a story")
        reply = store.start_reply(c.id, user.id, "grok-4")
        store.save_partial(reply.id, "Once upon a", "thinking...")
        assert store.recovered_interrupted == 0
        # the process "dies" here: no finish_reply
    with Store.open(paths) as store:
        assert store.recovered_interrupted == 1
        m = store.get_message(reply.id)
        assert m is not None
        assert m.status is MessageStatus.INTERRUPTED
        assert m.content == "Once upon a"  # the partial text is kept
        assert m.reasoning == "thinking..."
    with Store.open(paths) as store:
        assert store.recovered_interrupted == 0


def test_reply_of_another_live_store_is_left_streaming(paths: DataPaths) -> None:
    with Store.open(paths) as writer:
        c = writer.create_conversation()
        user = writer.add_message(c.id, Role.USER, "hi")
        reply = writer.start_reply(c.id, user.id, "grok-4")
        with Store.open(paths) as reader:  # e.g. the app starting while `ask` streams
            assert reader.recovered_interrupted == 0
            m = reader.get_message(reply.id)
            assert m is not None
            assert m.status is MessageStatus.STREAMING
        writer.finish_reply(reply.id, MessageStatus.COMPLETE, "done")


def test_reply_of_another_live_process_is_left_streaming(paths: DataPaths) -> None:
    with Store.open(paths) as store:
        c = store.create_conversation()
        user = store.add_message(c.id, Role.USER, "hi")
        alive = store.start_reply(c.id, user.id, "m")
        dead = store.start_reply(c.id, user.id, "m")
        conn = store._db.conn
        conn.execute("UPDATE messages SET writer = ? WHERE id = ?", (f"{os.getppid()}:x", alive.id))
        conn.execute("UPDATE messages SET writer = ? WHERE id = ?", ("999999999:x", dead.id))
    with Store.open(paths) as store:
        assert store.recovered_interrupted == 1 + (os.name != "posix")
        m = store.get_message(dead.id)
        assert m is not None
        assert m.status is MessageStatus.INTERRUPTED


def test_read_only_database_raises_write_error(store: Store) -> None:
    c = store.create_conversation("x")
    store._db.conn.execute("PRAGMA query_only = ON")  # SQLite's own "readonly" failure
    with pytest.raises(StorageWriteError) as caught:
        store.add_message(c.id, Role.USER, "hello")
    assert "read-only" in str(caught.value)
    assert "Make the data folder writable" in str(caught.value)
    store._db.conn.execute("PRAGMA query_only = OFF")
    assert store.branch_path(c.id) == []  # nothing half-written; the store still works
    store.add_message(c.id, Role.USER, "hello")


def test_full_disk_raises_write_error_and_keeps_store_usable(store: Store) -> None:
    c = store.create_conversation("x")
    conn = store._db.conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite reports SQLITE_FULL
    with pytest.raises(StorageWriteError) as caught:
        store.add_message(c.id, Role.USER, "x" * 200_000)
    assert "disk is full" in str(caught.value)
    conn.execute("PRAGMA max_page_count = 1073741823")
    assert store.add_message(c.id, Role.USER, "fits now").content == "fits now"


def test_unopenable_database_path_raises_write_error(paths: DataPaths) -> None:
    paths.ensure()
    paths.database.mkdir()  # a folder where the file should be
    with pytest.raises(StorageWriteError) as caught:
        Store.open(paths)
    assert str(paths.database) in str(caught.value)


def test_data_folder_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageWriteError):
        Store.open(DataPaths.resolve(blocker / "data"))


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions and mounts")
def test_read_only_folder(paths: DataPaths) -> None:
    """Reading works in a read-only data folder (a read-only mount as root, chmod for other
    users); every write fails with a message that names the folder and says it is read-only."""
    cid = _one_chat(paths)
    with read_only_folder(paths.root), Store.open(paths) as store:
        assert store.read_only == paths.root
        assert [c.id for c in store.list_conversations()] == [cid]
        assert [m.content for m in store.branch_path(cid)] == ["hello"]
        assert [h.conversation_id for h in store.search("hello")] == [cid]
        with pytest.raises(ReadOnlyStoreError) as caught:
            store.create_conversation("new")
        assert isinstance(caught.value, StorageWriteError)
        message = str(caught.value)
        assert f"The data folder {paths.root} is read-only" in message
        assert "--data-dir" in message and "on screen" not in message
        with pytest.raises(ReadOnlyStoreError):
            store.add_message(cid, Role.USER, "more")
        with pytest.raises(ReadOnlyStoreError):
            store.check_writable()
    with Store.open(paths) as store:  # writable again: nothing was changed
        assert store.read_only is None
        assert store.count_conversations() == 1


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions and mounts")
def test_read_only_folder_reads_what_is_still_in_the_wal(paths: DataPaths) -> None:
    """A crash (or a running app) leaves -wal and -shm: mode=ro reads the WAL too."""
    cid = _one_chat(paths)
    writer = Store.open(paths)  # keeps -wal/-shm while open
    try:
        writer._db.conn.execute("PRAGMA wal_autocheckpoint = 0")
        writer.add_message(cid, Role.USER, "only in the WAL")
        assert Path(str(paths.database) + "-wal").stat().st_size > 0
        with read_only_folder(paths.root), Store.open(paths) as store:
            assert store.read_only == paths.root
            assert [m.content for m in store.branch_path(cid)][-1] == "only in the WAL"
    finally:
        writer.close()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions and mounts")
def test_read_only_folder_without_a_database(paths: DataPaths) -> None:
    paths.ensure()
    with read_only_folder(paths.root), pytest.raises(ReadOnlyStoreError) as caught:
        Store.open(paths)
    assert f"The data folder {paths.root} is read-only" in str(caught.value)
    assert "cannot be created" in str(caught.value)


def test_read_only_database_file_in_a_writable_folder(paths: DataPaths) -> None:
    cid = _one_chat(paths)
    if is_root():
        pytest.skip("root may write read-only files")
    paths.database.chmod(0o400)
    try:
        with Store.open(paths) as store:
            assert store.read_only == paths.database
            assert store.get_conversation(cid) is not None
            with pytest.raises(ReadOnlyStoreError, match=r"The history database .* is read-only"):
                store.create_conversation("x")
    finally:
        paths.database.chmod(0o600)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions and mounts")
def test_read_only_folder_with_an_old_schema_says_it_needs_an_upgrade(paths: DataPaths) -> None:
    paths.ensure()
    conn = sqlite3.connect(paths.database)
    migrate(conn, paths.database, MIGRATIONS[:1])
    conn.close()
    with read_only_folder(paths.root), pytest.raises(ReadOnlyStoreError) as caught:
        Store.open(paths)
    assert "needs an upgrade" in str(caught.value)
    assert user_version_of(paths.database) == 1  # untouched


def test_error_translation_table(tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite3"

    def err(msg: str, name: str) -> sqlite3.Error:
        e = sqlite3.OperationalError(msg)
        e.sqlite_errorname = name
        return e

    assert isinstance(translate(err("database is locked", "SQLITE_BUSY"), db), StorageBusyError)
    assert isinstance(
        translate(err("database disk image is malformed", "SQLITE_CORRUPT"), db),
        DatabaseCorruptError,
    )
    assert "disk is full" in str(translate(err("database or disk is full", "SQLITE_FULL"), db))
    assert "cannot be opened" in str(
        translate(err("unable to open database file", "SQLITE_CANTOPEN"), db)
    )
    assert "disk is full" in str(translate(OSError(28, "No space left on device"), db))
    assert type(translate(ValueError("x"), db)) is StorageError


def test_closed_store_says_so(paths: DataPaths) -> None:
    store = Store.open(paths)
    store.close()
    store.close()  # twice is fine
    assert store.closed
    with pytest.raises(StorageError, match="closed"):
        store.count_conversations()


def _wreck_pages(paths: DataPaths) -> None:
    data = bytearray(paths.database.read_bytes())
    for i in range(4096, len(data)):
        data[i] = 0xA5
    paths.database.write_bytes(bytes(data))
    for side in ("-wal", "-shm"):
        Path(str(paths.database) + side).unlink(missing_ok=True)


def test_big_files_skip_the_check_until_damage_is_seen(
    paths: DataPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grok_desktop.storage import opening

    cid = _one_chat(paths)
    monkeypatch.setattr(opening, "QUICK_CHECK_MAX_BYTES", 0)  # every file counts as big
    with Store.open(paths) as store:  # healthy: opens without the full check
        assert store.recovered_from is None
        conn = store._db.conn
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    _wreck_pages(paths)
    # The skipped check misses the damage, but the first read that meets it checks now.
    with Store.open(paths) as store:
        assert store.recovered_from is not None
        assert store.get_conversation(cid) is None
    assert not opening.check_marker(paths.database).exists()


def test_damage_met_while_open_marks_the_file_for_a_check(
    paths: DataPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grok_desktop.storage import opening

    _one_chat(paths)
    monkeypatch.setattr(opening, "QUICK_CHECK_MAX_BYTES", 0)
    store = Store.open(paths)
    err = sqlite3.DatabaseError("database disk image is malformed")
    err.sqlite_errorname = "SQLITE_CORRUPT"

    def boom() -> None:
        raise err

    with pytest.raises(DatabaseCorruptError), store._db.read():
        boom()
    store.close()
    assert opening.check_marker(paths.database).exists()
    with Store.open(paths) as again:  # the marker forces the full check, which passes
        assert again.recovered_from is None
    assert not opening.check_marker(paths.database).exists()


def test_damage_found_after_a_skipped_check_reopens_with_the_check(
    paths: DataPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[bool | None] = []
    real_open = Store.open.__func__  # type: ignore[attr-defined]

    def spy(cls: type[Store], /, *args: object, **kwargs: object) -> Store:
        calls.append(kwargs.get("check"))  # type: ignore[arg-type]
        return real_open(cls, *args, **kwargs)  # type: ignore[no-any-return]

    failures = iter([True])

    def recover(self: Store) -> int:
        if next(failures, False):
            raise DatabaseCorruptError(paths.database)
        return 0

    monkeypatch.setattr(Store, "open", classmethod(spy))
    monkeypatch.setattr(Store, "_recover_interrupted", recover)
    with Store.open(paths) as store:
        assert not store.closed
    assert calls == [None, True]


def user_version_of(db: Path) -> int:
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def _checks_seen(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The `check` decisions of every open from now on."""
    from grok_desktop.storage import opening

    seen: list[bool] = []
    real = opening._connect_checked

    def spy(db_path: Path, check: bool) -> sqlite3.Connection:
        seen.append(check)
        return real(db_path, check)

    monkeypatch.setattr(opening, "_connect_checked", spy)
    return seen


def test_after_a_clean_close_the_next_open_skips_the_full_check(
    paths: DataPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grok_desktop.storage.sessions import session_marker

    _one_chat(paths)
    assert not session_marker(paths.database).exists()  # removed by the clean close
    seen = _checks_seen(monkeypatch)
    with Store.open(paths):
        assert session_marker(paths.database).exists()  # open: the marker says so
    assert seen == [False]
    assert not session_marker(paths.database).exists()


def test_a_session_that_died_makes_the_next_open_check_the_file(
    paths: DataPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grok_desktop.storage.sessions import session_marker

    _one_chat(paths)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    stale = session_marker(paths.database, int(dead.stdout))  # what kill -9 leaves behind
    stale.touch()
    alive = session_marker(paths.database, os.getppid())  # another program still using it
    alive.touch()
    seen = _checks_seen(monkeypatch)
    with Store.open(paths) as store:
        assert store.recovered_from is None
    assert seen == [True]
    assert not stale.exists()  # dealt with
    assert alive.exists()  # left to its owner
    with Store.open(paths):
        pass
    assert seen == [True, False]  # the live one is no reason to check again
