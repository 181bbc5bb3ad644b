"""Edits and regenerations make siblings; the branch shown can be switched and is remembered."""

from __future__ import annotations

import pytest

from grok_desktop.domain.content import Role
from grok_desktop.domain.conversation import Message, MessageStatus
from grok_desktop.storage import NotFoundError, Store


def _ids(messages: list[Message]) -> list[str]:
    return [m.id for m in messages]


def _reply(
    store: Store, cid: str, parent: str, text: str, status: MessageStatus = MessageStatus.COMPLETE
) -> Message:
    r = store.start_reply(cid, parent, "grok-4")
    return store.finish_reply(r.id, status, text)


def test_linear_conversation(store: Store) -> None:
    c = store.create_conversation()
    u1 = store.add_message(c.id, Role.USER, "one")
    r1 = _reply(store, c.id, u1.id, "two")
    u2 = store.add_message(c.id, Role.USER, "three")  # default: below the branch shown
    assert u2.parent_id == r1.id
    assert _ids(store.branch_path(c.id)) == [u1.id, r1.id, u2.id]
    assert store.current_leaf_id(c.id) == u2.id
    assert store.branch_path(c.id, leaf_id=r1.id) == store.branch_path(c.id)[:2]


def test_regenerate_and_edit_keep_old_branches(store: Store) -> None:
    c = store.create_conversation()
    u1 = store.add_message(c.id, Role.USER, "question")
    a1 = _reply(store, c.id, u1.id, "first answer")
    u2 = store.add_message(c.id, Role.USER, "follow-up")
    a2 = _reply(store, c.id, u2.id, "follow-up answer")

    # regenerate the first answer: a sibling of a1, shown; the old branch is kept
    a1b = _reply(store, c.id, u1.id, "second answer")
    assert _ids(store.branch_path(c.id)) == [u1.id, a1b.id]
    assert _ids(store.siblings(a1.id)) == [a1.id, a1b.id]
    pos = store.branch_positions(c.id)
    assert pos[a1.id] == (1, 2)
    assert pos[a1b.id] == (2, 2)
    assert pos[u1.id] == (1, 1)

    # switching back shows the old branch with everything below it, as it was
    assert _ids(store.select_branch(a1.id)) == [u1.id, a1.id, u2.id, a2.id]

    # edit the first question: a new root; then switch back and forth
    e1 = store.add_message(c.id, Role.USER, "question, edited", parent_id=None)
    assert _ids(store.branch_path(c.id)) == [e1.id]
    assert _ids(store.siblings(u1.id)) == [u1.id, e1.id]
    assert _ids(store.select_branch(u1.id)) == [u1.id, a1.id, u2.id, a2.id]  # remembered

    # selecting something deep selects the whole way to it
    store.select_branch(e1.id)
    assert _ids(store.select_branch(a1b.id)) == [u1.id, a1b.id]


def test_adding_below_an_old_branch_shows_it(store: Store) -> None:
    c = store.create_conversation()
    u1 = store.add_message(c.id, Role.USER, "q")
    a1 = _reply(store, c.id, u1.id, "a")
    a2 = _reply(store, c.id, u1.id, "b")  # shown
    u2 = store.add_message(c.id, Role.USER, "continue the first", parent_id=a1.id)
    assert _ids(store.branch_path(c.id)) == [u1.id, a1.id, u2.id]
    del a2


def test_parent_must_belong_to_the_conversation(store: Store) -> None:
    c1 = store.create_conversation()
    c2 = store.create_conversation()
    m = store.add_message(c1.id, Role.USER, "x")
    with pytest.raises(ValueError, match="another conversation"):
        store.add_message(c2.id, Role.USER, "y", parent_id=m.id)
    with pytest.raises(NotFoundError):
        store.add_message(c2.id, Role.USER, "y", parent_id="missing")
    with pytest.raises(NotFoundError):
        store.add_message("missing", Role.USER, "y")
    with pytest.raises(NotFoundError):
        store.branch_path(c2.id, leaf_id=m.id)


def test_delete_subtree_shows_remaining_sibling(store: Store) -> None:
    c = store.create_conversation()
    u1 = store.add_message(c.id, Role.USER, "q")
    a1 = _reply(store, c.id, u1.id, "a")
    a2 = _reply(store, c.id, u1.id, "b")
    u2 = store.add_message(c.id, Role.USER, "more")
    _reply(store, c.id, u2.id, "deeper")
    assert store.delete_message(a2.id) == 3  # a2, u2 and its reply
    assert _ids(store.branch_path(c.id)) == [u1.id, a1.id]
    assert store.message_counts([c.id])[c.id] == 2
    assert store.delete_message(u1.id) == 2
    assert store.branch_path(c.id) == []
    with pytest.raises(NotFoundError):
        store.delete_message(u1.id)


def test_deleting_a_hidden_branch_keeps_the_shown_one(store: Store) -> None:
    c = store.create_conversation()
    u1 = store.add_message(c.id, Role.USER, "q")
    a1 = _reply(store, c.id, u1.id, "a")
    a2 = _reply(store, c.id, u1.id, "b")
    store.delete_message(a1.id)
    assert _ids(store.branch_path(c.id)) == [u1.id, a2.id]


def test_messages_for_context_skips_failed_and_empty(store: Store) -> None:
    c = store.create_conversation()
    u1 = store.add_message(c.id, Role.USER, "q1")
    a1 = _reply(store, c.id, u1.id, "partial", MessageStatus.CANCELLED)
    u2 = store.add_message(c.id, Role.USER, "q2")
    _reply(store, c.id, u2.id, "oops", MessageStatus.ERROR)
    u3 = store.add_message(c.id, Role.USER, "q3")
    _reply(store, c.id, u3.id, "", MessageStatus.INTERRUPTED)
    u4 = store.add_message(c.id, Role.USER, "q4")
    assert _ids(store.messages_for_context(c.id)) == [u1.id, a1.id, u2.id, u3.id, u4.id]


def test_long_conversation_path_is_complete(store: Store) -> None:
    c = store.create_conversation()
    parent: str | None = None
    conn = store._db.conn
    # build 3,000 messages quickly, straight in SQL, as a long-running chat would have
    rows = []
    for i in range(3000):
        mid = f"m{i:05d}"
        rows.append((mid, c.id, parent, "user" if i % 2 == 0 else "assistant", f"text {i}", i))
        parent = mid
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO messages (id, conversation_id, parent_id, role, content, created) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.executemany(
        "UPDATE messages SET selected_child_id = ? WHERE id = ?",
        [(rows[i + 1][0], rows[i][0]) for i in range(len(rows) - 1)],
    )
    conn.execute("UPDATE conversations SET selected_root_id = 'm00000' WHERE id = ?", (c.id,))
    conn.execute("COMMIT")
    path = store.branch_path(c.id)
    assert len(path) == 3000
    assert path[-1].id == "m02999"
    assert len(store.branch_path(c.id, leaf_id="m01500")) == 1501
    # editing deep inside a long chain selects the new branch all the way up
    edit = store.add_message(c.id, Role.USER, "edit", parent_id="m01000")
    assert store.branch_path(c.id)[-1].id == edit.id
    assert store.delete_message("m00001") == 3000  # m00001..m02999 and the edit
