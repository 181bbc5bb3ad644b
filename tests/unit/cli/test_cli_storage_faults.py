"""The CLI when the data folder misbehaves: a disk that fills up while the answer streams, a
read-only folder, a file where the folder should be, an export to a folder that is missing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import as_nobody, fill_disk, read_only_mount, small_disk
from conftest import KEY, Run

import grok_desktop
from grok_desktop.cli.context import CliContext
from grok_desktop.devserver import DevServer, RecordedRequest, Script
from grok_desktop.domain.conversation import Conversation, Message, MessageStatus
from grok_desktop.storage import Store

APP = Path(grok_desktop.__file__).resolve().parents[1]  # the code under test
BIG = "All work and no play makes a long answer. " * 8000  # ~340 KB


def chats(srv: DevServer) -> list[RecordedRequest]:
    return [r for r in srv.requests if r.path.endswith("/chat/completions")]


def history(data: Path) -> list[tuple[Conversation, list[Message]]]:
    with Store.open(data) as store:
        return [(c, store.branch_path(c.id)) for c in store.list_conversations()]


def limit_database_growth(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's store may not grow its file: SQLite itself reports SQLITE_FULL ("database
    or disk is full") for any write that needs a new page, as on a full disk."""
    real = CliContext.open_store

    def open_store(self: CliContext) -> Store:
        store = real(self)
        conn = store._db.conn
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        return store

    monkeypatch.setattr(CliContext, "open_store", open_store)


# -- 1. the answer arrives but cannot be saved -----------------------------------------------


def _check_unsaved_reply(data: Path, question: str) -> None:
    ((_, messages),) = history(data)
    user, reply = messages
    assert user.content == question
    assert reply.status is not MessageStatus.COMPLETE  # never claims to hold the answer
    assert reply.content != BIG


def test_json_prints_the_answer_as_received_when_it_cannot_be_saved(
    cli: Run, srv: DevServer, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit_database_growth(monkeypatch)
    srv.enqueue(Script(text=BIG, chunk_tokens=400))
    r = cli("ask", "--json", "write a lot")
    assert r.code == 1, r.err
    doc = json.loads(r.out)
    assert doc["saved"] is False
    assert "disk is full" in doc["save_error"]
    assert doc["content"] == BIG
    assert doc["status"] == "complete"
    assert doc["role"] == "assistant" and doc["model"] == "grok-4.3"
    assert doc["usage"] is not None and doc["usage"]["completion_tokens"] > 1000
    assert doc["cost_usd"] is not None and doc["cost_source"] != "unknown"
    assert doc["conversation_id"] and doc["parent_id"]
    assert "could not be saved to history" in r.err
    assert "Free some disk space" in r.err
    assert "on screen" not in r.err
    _check_unsaved_reply(data, "write a lot")


def test_text_mode_prints_the_answer_and_says_it_was_not_saved(
    cli: Run, srv: DevServer, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit_database_growth(monkeypatch)
    srv.enqueue(Script(text=BIG, chunk_tokens=400))
    r = cli("ask", "write a lot")
    assert r.code == 1
    assert r.out == BIG + "\n"
    assert "error: the answer above could not be saved to history" in r.err
    assert "Free some disk space" in r.err
    assert "kept in history" not in r.err
    _check_unsaved_reply(data, "write a lot")


def test_a_saved_answer_says_so_in_json(cli: Run, data: Path) -> None:
    r = cli("ask", "--json", "hi")
    assert r.code == 0
    doc = json.loads(r.out)
    assert doc["saved"] is True and "save_error" not in doc
    assert doc["status"] == "complete"


def test_disk_full_for_real_on_a_small_tmpfs(
    cli: Run, srv: DevServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk = tmp_path / "small"
    with small_disk(disk, "3m"):
        monkeypatch.setenv("GROK_DESKTOP_DATA_DIR", str(disk))
        assert cli("ask", "hi").code == 0  # database, model list, settings: all fit
        fill_disk(disk, leave=256 * 1024)
        srv.enqueue(Script(text=BIG * 3, chunk_tokens=2000, burst=True))  # ~1 MB
        r = cli("ask", "--json", "write a lot")
        assert r.code == 1, r.err
        doc = json.loads(r.out)
        assert doc["saved"] is False
        assert doc["content"] == BIG * 3
        assert doc["status"] == "complete" and doc["usage"] is not None
        assert "disk is full" in doc["save_error"]
        assert "could not be saved to history" in r.err
        (disk / "filler").unlink()
        with Store.open(disk) as store:  # the history is intact and knows the reply is cut
            conversation = store.list_conversations()[0]
            user, reply = store.branch_path(conversation.id)
            assert user.content == "write a lot"
            assert reply.status is MessageStatus.INTERRUPTED
            assert reply.content != BIG * 3
            assert store.count_conversations() == 2


# -- 5. a question that cannot be saved leaves nothing behind --------------------------------


def test_question_that_cannot_be_saved_leaves_no_empty_conversation(
    cli: Run, srv: DevServer, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit_database_growth(monkeypatch)
    r = cli("ask", "--model", "grok-4.3", BIG)
    assert r.code == 1
    assert history(data) == []
    assert chats(srv) == []
    assert "disk is full" in r.err and "Nothing was sent" in r.err


# -- 3. a read-only data folder --------------------------------------------------------------


def test_read_only_data_folder_reads_work_and_writes_say_so(
    cli: Run, srv: DevServer, data: Path, tmp_path: Path
) -> None:
    assert cli("ask", "hello there").code == 0
    ((conversation, _),) = history(data)
    with read_only_mount(data):
        for argv in (
            ["history", "list"],
            ["history", "show", conversation.id[:8]],
            ["history", "search", "hello"],
            ["history", "export", conversation.id, "-o", str(tmp_path / "out.json")],
            ["usage"],
        ):
            r = cli(*argv)
            assert (r.code, r.err) == (0, ""), argv
            assert "could not save" not in r.out
        assert conversation.id[:8] in cli("history", "list").out
        assert "You said: hello there" in cli("history", "show", conversation.id).out
        assert (tmp_path / "out.json").is_file()
        sent = len(srv.requests)
        for argv in (["ask", "again"], ["history", "delete", conversation.id]):
            r = cli(*argv)
            assert r.code == 1, argv
            assert f"The data folder {data} is read-only" in r.err
            assert "--data-dir" in r.err
            assert "on screen" not in r.err
        assert len(srv.requests) == sent  # nothing was sent: the answer could not be kept
    assert len(history(data)) == 1


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder user nobody can reach (pytest's tmp_path is private to root)."""
    base = Path(tempfile.mkdtemp(prefix="grok-desktop-test-"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_read_only_for_a_normal_user(shared_folder: Path, srv: DevServer) -> None:
    """The same as a real user (nobody, via setpriv) on a folder without write permission,
    and on a read-only database file in a writable folder."""
    prefix = as_nobody()
    data = shared_folder / "data"
    with Store.open(data) as store:
        c = store.create_conversation("Notes for nobody")
    subprocess.run(["chown", "-R", "65534:65534", str(data)], check=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(shared_folder),
        "PYTHONPATH": str(APP),
        "GROK_DESKTOP_DATA_DIR": str(data),
        "GROK_DESKTOP_BASE_URL": srv.base_url,
        "XAI_API_KEY": KEY,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }

    def grok(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*prefix, sys.executable, "-m", "grok_desktop", *argv],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            cwd=shared_folder,
        )

    data.chmod(0o555)
    listed = grok("history", "list")
    assert listed.returncode == 0, listed.stderr
    assert "Notes for nobody" in listed.stdout
    deleted = grok("history", "delete", c.id)
    assert deleted.returncode == 1
    assert f"The data folder {data} is read-only" in deleted.stderr
    asked = grok("ask", "hi")
    assert asked.returncode == 1
    assert "is read-only" in asked.stderr and "Nothing was sent" in asked.stderr

    data.chmod(0o755)
    data.joinpath("grok-desktop.sqlite3").chmod(0o444)
    listed = grok("history", "list")
    assert listed.returncode == 0, listed.stderr
    assert "Notes for nobody" in listed.stdout
    deleted = grok("history", "delete", c.id)
    assert deleted.returncode == 1
    assert "The history database" in deleted.stderr and "is read-only" in deleted.stderr
    assert chats(srv) == []


# -- 7. a file where the data folder should be -----------------------------------------------


def test_data_dir_that_is_a_file_is_bad_input(cli: Run, tmp_path: Path) -> None:
    blocker = tmp_path / "passwd"
    blocker.write_text("root:x:0:0::/root:/bin/sh\n")
    candidates = [blocker, blocker / "data"]
    if Path("/etc/passwd").is_file():
        candidates.append(Path("/etc/passwd"))
    for folder in candidates:
        for command in (["history", "list"], ["ask", "hi"], ["usage"]):
            r = cli("--data-dir", str(folder), *command)
            assert r.code == 2, (folder, command, r.err)
            assert "is a file, not a folder" in r.err
            assert "unexpected" not in r.err
    assert blocker.read_text() == "root:x:0:0::/root:/bin/sh\n"


# -- 8. export to a place that cannot take the file ------------------------------------------


def test_export_to_a_missing_folder_is_bad_input_and_creates_nothing(
    cli: Run, data: Path, tmp_path: Path
) -> None:
    assert cli("ask", "hi").code == 0
    ((conversation, _),) = history(data)
    missing = tmp_path / "nonexistent"
    for fmt in ("json", "md"):
        r = cli("history", "export", conversation.id, "--format", fmt, "-o", f"{missing}/x.{fmt}")
        assert r.code == 2, r.err
        assert f"the folder {missing} does not exist" in r.err
        assert not missing.exists()
    r = cli("history", "export", "--all", "-o", f"{missing}/backup.json")
    assert r.code == 2
    assert not missing.exists()
    r = cli("history", "export", conversation.id, "--format", "md", "-o", str(tmp_path / "x.md"))
    assert r.code == 0
    assert (tmp_path / "x.md").is_file()


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_export_to_an_unwritable_place_is_bad_input(cli: Run, data: Path) -> None:
    assert cli("ask", "hi").code == 0
    ((conversation, _),) = history(data)
    r = cli("history", "export", conversation.id, "-o", "/proc/x.json")
    assert r.code == 2
    assert "error: Cannot write /proc/x.json: " in r.err
