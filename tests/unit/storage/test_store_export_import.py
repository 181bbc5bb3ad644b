"""Export (JSON, Markdown) and import: lossless, canonical, idempotent, validated first."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from storage_helpers import image_bytes

from grok_desktop.domain.content import Role
from grok_desktop.domain.conversation import Attachment, MessageStatus
from grok_desktop.domain.pricing import Cost, CostSource
from grok_desktop.domain.usage import Usage
from grok_desktop.storage import DataPaths, ImportFormatError, Store, export, importer, markdown
from grok_desktop.storage.errors import ExportTargetError

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def _fill(store: Store) -> dict[str, str]:
    """A history with branches, every status, usage, costs, images, pins and prompts."""
    c = store.create_conversation(model="grok-4", system_prompt="Be precise.")
    img = store.add_attachment(image_bytes("screenshot"), "image/png", 800, 600)
    img2 = store.add_attachment(image_bytes("photo"), "image/jpeg", 40, 30)
    u = store.add_message(
        c.id,
        Role.USER,
        "What is in this *screenshot*?",
        attachments=[Attachment(img.sha256, img.mime, 800, 600, img.bytes, "high"), img2],
    )
    r1 = store.start_reply(c.id, u.id, "grok-4")
    store.finish_reply(
        r1.id,
        MessageStatus.COMPLETE,
        "A terminal with `ls` output.\n\n```\nx\n```",
        "Looking at pixels…",
        Usage(1200, 40, 300, 1000, 256, 1540, 987_654),
        Cost(Decimal("0.0000987654"), CostSource.SERVER),
    )
    r2 = store.start_reply(c.id, u.id, "grok-4-fast")
    store.finish_reply(r2.id, MessageStatus.ERROR, "A termi", error="connection reset")
    r3 = store.start_reply(c.id, u.id, "grok-4")
    store.finish_reply(r3.id, MessageStatus.CANCELLED, "Stopped early")
    store.select_branch(r1.id)
    u2 = store.add_message(c.id, Role.USER, "Thanks ✓ — ünïcödé and emoji 🎉")
    r4 = store.start_reply(c.id, u2.id, "grok-4")
    store.finish_reply(r4.id, MessageStatus.INTERRUPTED, "You're wel")
    store.set_pinned(c.id, True)
    d = store.create_conversation("Second chat")
    store.add_message(d.id, Role.USER, "short one", attachments=[img])  # shared image
    e = store.create_conversation()  # empty
    return {"c": c.id, "d": d.id, "e": e.id, "r1": r1.id, "r2": r2.id, "u": u.id}


def test_backup_round_trip_is_byte_identical(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a") as a:
        ids = _fill(a)
        first = export.backup_json(a, NOW)
        trees = {
            cid: a.load_tree(cid) for cid in ids.values() if cid in {ids["c"], ids["d"], ids["e"]}
        }
    with Store.open(tmp_path / "b") as b:
        result = importer.import_data(b, first)
        assert (result.conversations_added, result.messages_added, result.images_added) == (3, 7, 2)
        second = export.backup_json(b, NOW)
        for cid, tree in trees.items():
            assert b.load_tree(cid) == tree
        assert [m.id for m in b.branch_path(ids["c"])][:2] == [ids["u"], ids["r1"]]
        assert b.usage_rows() != []
    assert second == first
    doc = json.loads(first)
    assert doc["format"] == "grok-desktop-backup"
    assert doc["version"] == 1
    assert doc["exported"] == "2026-05-01T12:00:00.000Z"
    assert len(doc["conversations"]) == 3


def test_conversation_json_round_trip_and_idempotent_import(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a") as a:
        ids = _fill(a)
        text = export.conversation_json(a, ids["c"])
    doc = json.loads(text)
    assert doc["format"] == "grok-desktop-conversation"
    conv = doc["conversation"]
    assert len(conv["messages"]) == 6  # every branch
    assert {m["status"] for m in conv["messages"]} == {
        "complete",
        "error",
        "cancelled",
        "interrupted",
    }
    r1 = next(m for m in conv["messages"] if m["id"] == ids["r1"])
    assert r1["usage"]["cost_ticks"] == 987_654
    assert r1["cost_usd"] == "0.0000987654"
    att = conv["attachments"][0]
    assert base64.b64decode(att["data"]) in (image_bytes("screenshot"), image_bytes("photo"))
    with Store.open(tmp_path / "b") as b:
        first = importer.import_data(b, text)
        again = importer.import_data(b, text)
        assert (first.conversations_added, first.messages_added) == (1, 6)
        assert (
            again.conversations_added,
            again.conversations_skipped,
            again.messages_added,
            again.messages_skipped,
        ) == (0, 1, 0, 6)
        assert export.conversation_json(b, ids["c"]) == text


def test_import_merges_missing_messages(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a") as a:
        c = a.create_conversation()
        u = a.add_message(c.id, Role.USER, "one")
        early = export.conversation_json(a, c.id)
        a.add_message(c.id, Role.USER, "two")
        late = export.conversation_json(a, c.id)
    with Store.open(tmp_path / "b") as b:
        importer.import_data(b, early)
        result = importer.import_data(b, late)
        assert (result.messages_added, result.messages_skipped) == (1, 1)
        assert [m.content for m in b.branch_path(c.id)] == ["one", "two"]
        del u


def _valid_doc(tmp_path: Path) -> dict[str, Any]:
    with Store.open(tmp_path / "src") as a:
        ids = _fill(a)
        del ids
        return json.loads(export.backup_json(a, NOW))  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.update(format="chatgpt-export"), "format"),
        (lambda d: d.update(version=2), "newer Grok Desktop"),
        (lambda d: d.update(version="1"), "version"),
        (lambda d: d["conversations"][0].update(id=7), "conversations[0].id"),
        (lambda d: d["conversations"][0]["messages"][0].update(role="robot"), "role"),
        (lambda d: d["conversations"][0]["messages"][0].update(created="yesterday"), "created"),
        (lambda d: d["conversations"][0]["messages"][1].update(parent_id="nope"), "parent_id"),
        (
            lambda d: d["conversations"][0]["messages"][1].update(usage={"prompt_tokens": -1}),
            "usage",
        ),
        (lambda d: d["conversations"][0]["messages"][1].update(cost_usd="lots"), "cost_usd"),
        (
            lambda d: d["conversations"][0]["attachments"][0].update(
                data=base64.b64encode(b"tampered").decode()
            ),
            "sha256",
        ),
        (lambda d: d["conversations"][0]["attachments"][0].update(data="***"), "base64"),
        (lambda d: d["conversations"][0]["attachments"][0].update(bytes=1), "bytes"),
        (
            lambda d: d["conversations"][0]["messages"][0]["attachments"][0].update(
                sha256="f" * 64
            ),
            "does not contain",
        ),
        (lambda d: d["conversations"][0].update(selected_root="nope"), "selected_root"),
        (lambda d: d["conversations"].append(d["conversations"][0]), "twice"),
        (lambda d: d.update(conversations={}), "list"),
    ],
)
def test_invalid_files_are_refused_before_writing(
    tmp_path: Path, mutate: Any, expected: str
) -> None:
    doc = _valid_doc(tmp_path)
    mutate(doc)
    text = json.dumps(doc)
    with Store.open(tmp_path / "dst") as b:
        with pytest.raises(ImportFormatError) as caught:
            importer.import_data(b, text, "backup.json")
        assert expected in str(caught.value)
        assert "Nothing was imported" in str(caught.value)
        assert b.count_conversations() == 0
        assert list(b.paths.images.iterdir()) == []


def test_a_bad_late_conversation_writes_nothing_at_all(tmp_path: Path) -> None:
    doc = _valid_doc(tmp_path)
    doc["conversations"][-1]["messages"].append({"id": "broken"})
    with Store.open(tmp_path / "dst") as b, pytest.raises(ImportFormatError):
        importer.import_data(b, json.dumps(doc))
    with Store.open(tmp_path / "dst") as b:
        assert b.count_conversations() == 0


def test_truncated_and_non_json_files(tmp_path: Path) -> None:
    text = json.dumps(_valid_doc(tmp_path))
    with Store.open(tmp_path / "dst") as b:
        with pytest.raises(ImportFormatError, match="truncated"):
            importer.import_data(b, text[: len(text) // 2])
        with pytest.raises(ImportFormatError, match="UTF-8"):
            importer.import_data(b, b"\xff\xfe\x00garbage")
        with pytest.raises(ImportFormatError, match="cannot be read"):
            importer.import_file(b, tmp_path / "missing.json")
        assert b.count_conversations() == 0


def test_message_id_owned_by_another_conversation_is_refused(tmp_path: Path) -> None:
    doc = _valid_doc(tmp_path)
    with Store.open(tmp_path / "dst") as b:
        importer.import_data(b, json.dumps(doc))
        doc["conversations"][0]["id"] = "other-conversation"
        with pytest.raises(ImportFormatError, match="another conversation"):
            importer.import_data(b, json.dumps(doc))
        assert b.count_conversations() == 3


def test_streaming_replies_arrive_interrupted(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a") as a:
        c = a.create_conversation()
        u = a.add_message(c.id, Role.USER, "q")
        r = a.start_reply(c.id, u.id, "m")
        text = export.conversation_json(a, c.id)
    with Store.open(tmp_path / "b") as b:
        importer.import_data(b, text)
        got = b.get_message(r.id)
        assert got is not None
        assert got.status is MessageStatus.INTERRUPTED


def test_write_backup_file_is_private_and_complete(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a") as a:
        _fill(a)
        target = tmp_path / "out" / "backup.json"
        target.parent.mkdir()
        assert export.write_backup(a, target, NOW) == 3
        assert target.stat().st_mode & 0o077 == 0
        with Store.open(tmp_path / "b") as b:
            assert importer.import_file(b, target).conversations_added == 3


def test_markdown_with_image_folder(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a") as a:
        ids = _fill(a)
        md_path = markdown.write_markdown(a, ids["c"], tmp_path / "my chat.md")
        text = md_path.read_text()
        images = tmp_path / "my chat_images"
        files = sorted(p.name for p in images.iterdir())
        assert len(files) == 2
        for name in files:
            assert f"](my%20chat_images/{name})" in text
        assert text.startswith("# What is in this screenshot?\n")
        assert "### You" in text
        assert "### Grok (grok-4)" in text
        assert "<details><summary>Reasoning</summary>" in text
        assert "Looking at pixels…" in text
        assert "```\nx\n```" in text
        assert "Interrupted" in text  # the last reply's status is spelled out
        assert "Stopped early" not in text  # other branches are not in the readable export
        assert "1,540 tokens" in text
        assert "Be precise." in text


def test_markdown_inline_images(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a") as a:
        ids = _fill(a)
        text = markdown.conversation_markdown(a, ids["c"], images="inline")
        assert text.count("](data:image/") == 2
        b64 = base64.b64encode(image_bytes("photo")).decode()
        assert f"data:image/jpeg;base64,{b64}" in text


def test_missing_image_file_fails_the_export(tmp_path: Path) -> None:
    from grok_desktop.storage import NotFoundError

    with Store.open(DataPaths.resolve(tmp_path / "a")) as a:
        ids = _fill(a)
        for f in a.paths.images.iterdir():
            f.unlink()
        with pytest.raises(NotFoundError, match="missing"):
            export.conversation_json(a, ids["d"])


def test_export_to_a_missing_folder_creates_nothing(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a") as a:
        ids = _fill(a)
        target = tmp_path / "no such folder" / "deeper" / "x.json"
        with pytest.raises(ExportTargetError) as caught:
            export.write_conversation_json(a, ids["c"], target)
        assert f"the folder {target.parent} does not exist" in str(caught.value)
        with pytest.raises(ExportTargetError):
            export.write_backup(a, target)
        assert not (tmp_path / "no such folder").exists()


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_export_to_an_unwritable_place_says_so(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a") as a:
        ids = _fill(a)
        with pytest.raises(ExportTargetError) as caught:
            export.write_conversation_json(a, ids["c"], Path("/proc/x.json"))
        assert str(caught.value).startswith("Cannot write /proc/x.json: ")
        with pytest.raises(ExportTargetError, match="it is a folder"):
            export.write_conversation_json(a, ids["c"], tmp_path)
