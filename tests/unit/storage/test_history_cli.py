"""`grok-desktop history ...` called through run_history with a tmp data folder."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest
from storage_helpers import image_bytes

from grok_desktop.cli.history import register, run_history
from grok_desktop.domain.content import Role
from grok_desktop.domain.conversation import HIGHLIGHT_START, MessageStatus
from grok_desktop.storage import DataPaths, Store


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grok-desktop")
    register(parser.add_subparsers(dest="command"))
    return parser


def run(paths: DataPaths, *argv: str, out: io.StringIO | None = None) -> tuple[int, str, str]:
    args = _parser().parse_args(["history", *argv])
    stdout, stderr = out or io.StringIO(), io.StringIO()
    code = run_history(args, paths, stdout, stderr)
    return code, stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def filled(paths: DataPaths) -> dict[str, str]:
    with Store.open(paths) as store:
        a = store.create_conversation()
        u = store.add_message(
            a.id,
            Role.USER,
            "How do I reverse a list in Python?",
            attachments=[store.add_attachment(image_bytes("x"), "image/png", 3, 4)],
        )
        r = store.start_reply(a.id, u.id, "grok-4")
        store.finish_reply(r.id, MessageStatus.COMPLETE, "Use `reversed()` or slicing [::-1].")
        r2 = store.start_reply(a.id, u.id, "grok-4")
        store.finish_reply(r2.id, MessageStatus.ERROR, "Use", error="connection reset")
        b = store.create_conversation("Pinned notes")
        store.add_message(b.id, Role.USER, "remember the milk")
        store.set_pinned(b.id, True)
        return {"a": a.id, "b": b.id, "r": r.id, "r2": r2.id}


def test_list_human_and_json(paths: DataPaths, filled: dict[str, str]) -> None:
    code, out, err = run(paths, "list")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "UPDATED", "MSGS", "TITLE"]
    assert lines[1].startswith(filled["b"][:8])  # pinned first
    assert "* Pinned notes" in lines[1]
    assert lines[2].startswith(filled["a"][:8])
    assert lines[2].split()[3] == "3"  # message count (all branches)
    code, out, _ = run(paths, "list", "--limit", "1", "--json")
    doc = json.loads(out)
    assert doc["total"] == 2
    assert [c["id"] for c in doc["conversations"]] == [filled["b"]]
    assert doc["conversations"][0]["pinned"] is True


def test_list_empty(paths: DataPaths) -> None:
    assert run(paths, "list")[:2] == (0, "No conversations yet.\n")


def test_show_transcript_and_json(paths: DataPaths, filled: dict[str, str]) -> None:
    code, out, err = run(paths, "show", filled["a"][:6])
    assert code == 0, err
    assert out.startswith("How do I reverse a list in Python?\n")
    assert "── You" in out
    assert "── Grok (grok-4)" in out
    assert "branch 2/2" in out
    assert "failed: connection reset" in out
    assert "[image 3×4 image/png:" in out
    code, out, _ = run(paths, "show", filled["a"], "--json")
    doc = json.loads(out)
    assert doc["id"] == filled["a"]
    assert doc["message_count"] == 3
    assert [m["role"] for m in doc["messages"]] == ["user", "assistant"]
    assert doc["messages"][1]["id"] == filled["r2"]
    assert doc["messages"][1]["branch"] == {"index": 2, "count": 2}


def test_unknown_and_ambiguous_ids_exit_2(paths: DataPaths, filled: dict[str, str]) -> None:
    code, out, err = run(paths, "show", "zzzz")
    assert (code, out) == (2, "")
    assert "zzzz" in err
    with Store.open(paths) as store:
        ids = [store.create_conversation().id for _ in range(40)]
    shared = next(p for p in "0123456789abcdef" if sum(i.startswith(p) for i in ids) > 1)
    code, _, err = run(paths, "delete", shared)
    assert code == 2
    assert "matches several" in err


def test_search_marks_matches(paths: DataPaths, filled: dict[str, str]) -> None:
    code, out, _ = run(paths, "search", "revers")
    assert code == 0
    assert "**reverse**" in out
    assert "**reversed**" in out
    assert HIGHLIGHT_START not in out
    code, out, _ = run(paths, "search", "milk", out=Tty())
    assert "\x1b[1mmilk\x1b[0m" in out
    code, out, _ = run(paths, "search", "milk", "--json")
    doc = json.loads(out)
    (hit,) = doc["results"]
    assert hit["snippet"] == "remember the milk"
    assert hit["highlights"] == [[13, 17]]
    assert run(paths, "search", "nothing-like-this")[1].startswith("No matches")
    assert run(paths, "search", 'AND OR "(')[0] == 0


def test_export_import_delete_cycle(
    paths: DataPaths, filled: dict[str, str], tmp_path: Path
) -> None:
    backup = tmp_path / "backup.json"
    code, out, err = run(paths, "export", "--all", "-o", str(backup))
    assert code == 0, err
    assert "2 conversation" in out
    code, out, _ = run(paths, "export", filled["a"][:8], "--format", "json")
    assert json.loads(out)["conversation"]["id"] == filled["a"]
    code, out, _ = run(paths, "export", filled["a"][:8], "--format", "md")
    assert out.startswith("# How do I reverse")
    assert "data:image/png;base64," in out
    md = tmp_path / "a.md"
    assert run(paths, "export", filled["a"], "--format", "md", "-o", str(md))[0] == 0
    assert (tmp_path / "a_images").is_dir()

    code, out, _ = run(paths, "delete", filled["a"][:8])
    assert code == 0
    assert "Deleted" in out
    assert "3 messages" in out
    assert run(paths, "show", filled["a"])[0] == 2

    code, out, _ = run(paths, "import", str(backup))
    assert code == 0
    assert "Imported 1 conversation(s) and 3 message(s); 1 conversation(s)" in out
    code, out, _ = run(paths, "import", str(backup))
    assert "Imported 0 conversation(s)" in out
    assert run(paths, "show", filled["a"])[0] == 0


def test_bad_usage_and_bad_files_exit_2(
    paths: DataPaths, filled: dict[str, str], tmp_path: Path
) -> None:
    assert run(paths, "export")[0] == 2
    assert run(paths, "export", filled["a"], "--all", "-o", "x")[0] == 2
    assert run(paths, "export", "--all")[0] == 2
    assert run(paths, "export", "--all", "--format", "md", "-o", "x")[0] == 2
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "grok-desktop-backup", "version": 1, "conversa')
    code, _, err = run(paths, "import", str(bad))
    assert code == 2
    assert "truncated" in err
    assert run(paths, "import", str(tmp_path / "missing.json"))[0] == 2


def test_storage_failure_exits_1(paths: DataPaths) -> None:
    paths.ensure()
    paths.database.mkdir()  # a folder where the database file should be
    code, _, err = run(paths, "list")
    assert code == 1
    assert "could not save" in err
    assert str(paths.database) in err


def test_data_folder_that_is_a_file_exits_2(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for folder in (blocker, blocker / "data"):
        code, _, err = run(DataPaths.resolve(folder), "list")
        assert code == 2
        assert f"{blocker} is a file, not a folder" in err
        assert "--data-dir" in err


def test_damaged_database_is_reported(paths: DataPaths) -> None:
    paths.ensure()
    paths.database.write_bytes(b"garbage" * 100)
    code, _, err = run(paths, "list")
    assert code == 0
    assert "moved to" in err


def test_register_wires_the_dispatcher_convention(paths: DataPaths) -> None:
    args = _parser().parse_args(["history", "list"])
    assert args.history_run is run_history

    class Ctx:
        def __init__(self) -> None:
            self.paths = paths
            self.stdout = io.StringIO()
            self.stderr = io.StringIO()

    ctx = Ctx()
    assert args.func(ctx, args) == 0
    assert ctx.stdout.getvalue() == "No conversations yet.\n"
