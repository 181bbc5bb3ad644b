"""Images: kept once per content, atomically written, removed when nothing uses them."""

from __future__ import annotations

import hashlib
import os
import time
from datetime import timedelta

import pytest
from storage_helpers import image_bytes

from grok_desktop.domain.content import Role
from grok_desktop.domain.conversation import Attachment
from grok_desktop.storage import NotFoundError, Store


def test_same_bytes_are_stored_once(store: Store) -> None:
    data = image_bytes("cat")
    a = store.add_attachment(data, "image/png", 640, 480)
    b = store.add_attachment(data, "image/png", 640, 480)
    assert a == b
    assert a.sha256 == hashlib.sha256(data).hexdigest()
    assert a.bytes == len(data)
    path = store.attachment_path(a)
    assert path.parent == store.paths.images
    assert path.name == f"{a.sha256}.png"
    assert path.read_bytes() == data
    assert list(store.paths.images.iterdir()) == [path]  # no temp files left behind
    assert store.read_attachment(a.sha256) == data


def test_message_attachments_keep_order_and_detail(store: Store) -> None:
    c = store.create_conversation()
    one = store.add_attachment(image_bytes("1"), "image/png", 1, 1)
    two = store.add_attachment(image_bytes("2"), "image/jpeg", 2, 2)
    m = store.add_message(
        c.id,
        Role.USER,
        "compare",
        attachments=[Attachment(two.sha256, two.mime, 2, 2, two.bytes, "high"), one],
    )
    assert [(a.sha256, a.detail) for a in m.attachments] == [
        (two.sha256, "high"),
        (one.sha256, "auto"),
    ]
    assert store.get_message(m.id) == m
    assert store.branch_path(c.id)[0].attachments == m.attachments
    assert store.attachment_path(two).suffix == ".jpg"


def test_bad_detail_and_unknown_image_are_refused(store: Store) -> None:
    c = store.create_conversation()
    a = store.add_attachment(image_bytes("x"), "image/png", 1, 1)
    with pytest.raises(ValueError, match="detail"):
        store.add_message(
            c.id, Role.USER, "x", attachments=[Attachment(a.sha256, a.mime, 1, 1, a.bytes, "ultra")]
        )
    ghost = Attachment("0" * 64, "image/png", 1, 1, 1)
    with pytest.raises(NotFoundError):
        store.add_message(c.id, Role.USER, "x", attachments=[ghost])
    assert store.branch_path(c.id) == []  # nothing half-added
    with pytest.raises(ValueError, match="not an image"):
        store.add_attachment(b"x", "text/plain", 1, 1)


def test_files_go_when_the_last_reference_goes(store: Store) -> None:
    c1 = store.create_conversation()
    c2 = store.create_conversation()
    shared = store.add_attachment(image_bytes("shared"), "image/png", 1, 1)
    own = store.add_attachment(image_bytes("own"), "image/png", 1, 1)
    m1 = store.add_message(c1.id, Role.USER, "a", attachments=[shared, own])
    store.add_message(c2.id, Role.USER, "b", attachments=[shared])
    store.delete_message(m1.id)
    assert not store.attachment_path(own).exists()
    assert store.get_attachment(own.sha256) is None
    assert store.attachment_path(shared).exists()  # still used by c2
    store.delete_conversation(c2.id)
    assert not store.attachment_path(shared).exists()
    assert list(store.paths.images.iterdir()) == []
    with pytest.raises(NotFoundError):
        store.read_attachment(shared.sha256)


def test_missing_or_damaged_file_is_rewritten(store: Store) -> None:
    data = image_bytes("heal")
    a = store.add_attachment(data, "image/png", 1, 1)
    path = store.attachment_path(a)
    path.write_bytes(b"trunc")
    store.add_attachment(data, "image/png", 1, 1)
    assert path.read_bytes() == data
    path.unlink()
    with pytest.raises(NotFoundError, match="missing"):
        store.read_attachment(a)
    store.add_attachment(data, "image/png", 1, 1)
    assert path.read_bytes() == data


def test_garbage_collection_spares_recent_drafts(store: Store) -> None:
    c = store.create_conversation()
    used = store.add_attachment(image_bytes("used"), "image/png", 1, 1)
    store.add_message(c.id, Role.USER, "x", attachments=[used])
    draft = store.add_attachment(image_bytes("draft"), "image/png", 1, 1)
    stray = store.paths.images / ".leftover.tmp"
    stray.write_bytes(b"x")
    old = time.time() - 3 * 86400
    os.utime(stray, (old, old))
    assert store.collect_garbage() == 1  # only the old stray file
    assert store.attachment_path(draft).exists()
    store._db._clock_ms = lambda: int(time.time() * 1000) + 3 * 86_400_000  # three days on
    os.utime(store.attachment_path(draft), (old, old))
    assert store.collect_garbage(timedelta(days=1)) == 1
    assert store.get_attachment(draft.sha256) is None
    assert store.attachment_path(used).exists()
