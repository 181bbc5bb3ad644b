from __future__ import annotations

import threading

import pytest
from storage_helpers import FakeClock, image_bytes

from grok_desktop.domain.content import Role
from grok_desktop.domain.titles import DEFAULT_TITLE
from grok_desktop.storage import AmbiguousIdError, DataPaths, NotFoundError, Store


def test_create_and_get(store: Store) -> None:
    c = store.create_conversation(model="grok-4", system_prompt="Be terse.")
    assert c.title == DEFAULT_TITLE
    assert c.created == c.updated
    assert c.created.tzinfo is not None
    got = store.get_conversation(c.id)
    assert got == c
    assert store.get_conversation("nope") is None


def test_first_user_message_titles_the_conversation(store: Store) -> None:
    c = store.create_conversation()
    store.add_message(c.id, Role.SYSTEM, "ignored for titles")
    store.add_message(c.id, Role.USER, "## How do I *parse* JSON in Rust?\nmore text")
    store.add_message(c.id, Role.USER, "A second question must not retitle")
    got = store.get_conversation(c.id)
    assert got is not None
    assert got.title == "How do I parse JSON in Rust?"
    assert store.is_title_auto(c.id)


def test_title_hook_and_model_titles(paths: DataPaths) -> None:
    with Store.open(paths, title_maker=lambda text: f"T:{text[:5]}") as store:
        c = store.create_conversation()
        store.add_message(c.id, Role.USER, "hello world")
        assert store.get_conversation(c.id).title == "T:hello"  # type: ignore[union-attr]
        assert store.set_auto_title(c.id, "  Greeting   the world ")
        assert store.get_conversation(c.id).title == "Greeting the world"  # type: ignore[union-attr]
        store.rename_conversation(c.id, "Mine")
        assert not store.is_title_auto(c.id)
        assert not store.set_auto_title(c.id, "model title")  # the person's title wins
        assert store.get_conversation(c.id).title == "Mine"  # type: ignore[union-attr]


def test_explicit_title_is_not_replaced(store: Store) -> None:
    c = store.create_conversation(title="Trip planning")
    store.add_message(c.id, Role.USER, "Where should I go?")
    assert store.get_conversation(c.id).title == "Trip planning"  # type: ignore[union-attr]


def test_list_order_pinned_first_then_recent(store: Store, clock: FakeClock) -> None:
    a = store.create_conversation("a")
    clock.advance(1000)
    b = store.create_conversation("b")
    clock.advance(1000)
    c = store.create_conversation("c")
    assert [x.title for x in store.list_conversations()] == ["c", "b", "a"]
    clock.advance(1000)
    store.add_message(a.id, Role.USER, "bump")  # activity moves it up
    assert [x.title for x in store.list_conversations()] == ["a", "c", "b"]
    store.set_pinned(b.id, True)
    assert [x.title for x in store.list_conversations()] == ["b", "a", "c"]
    assert store.get_conversation(b.id).pinned  # type: ignore[union-attr]
    del c


def test_keyset_paging_visits_everything_once(store: Store) -> None:
    made = [store.create_conversation(f"c{i}") for i in range(23)]
    for c in made[::5]:
        store.set_pinned(c.id, True)
    seen: list[str] = []
    page = store.list_conversations(limit=7)
    while page:
        seen += [c.id for c in page]
        page = store.list_conversations(limit=7, before=page[-1])
    assert sorted(seen) == sorted(c.id for c in made)
    assert len(seen) == len(set(seen))
    assert seen == [c.id for c in store.list_conversations(limit=100)]
    assert store.count_conversations() == 23


def test_settings_of_a_conversation(store: Store) -> None:
    c = store.create_conversation()
    assert store.set_model(c.id, "grok-4-fast").model == "grok-4-fast"
    assert store.set_system_prompt(c.id, "You are terse.").system_prompt == "You are terse."
    assert store.set_system_prompt(c.id, "").system_prompt is None
    assert store.rename_conversation(c.id, "  two\n words ").title == "two words"
    with pytest.raises(NotFoundError):
        store.set_pinned("missing", True)


def test_find_by_unique_prefix(store: Store) -> None:
    ids = [store.create_conversation(str(i)).id for i in range(40)]
    target = ids[7]
    assert store.find_conversation(target).id == target
    assert store.find_conversation(target[:8].upper()).id == target
    # a one-character prefix shared by several conversations is ambiguous
    shared = next(p for p in "0123456789abcdef" if sum(i.startswith(p) for i in ids) > 1)
    with pytest.raises(AmbiguousIdError) as caught:
        store.find_conversation(shared)
    assert "Type more characters" in str(caught.value)
    with pytest.raises(NotFoundError):
        store.find_conversation("zzz")
    with pytest.raises(NotFoundError):
        store.find_conversation("")
    missing = next(
        p for p in (f"{n:04x}" for n in range(65536)) if not any(i.startswith(p) for i in ids)
    )
    with pytest.raises(NotFoundError):
        store.find_conversation(missing)


def test_message_counts(store: Store) -> None:
    a = store.create_conversation()
    b = store.create_conversation()
    for i in range(3):
        store.add_message(a.id, Role.USER, str(i))
    assert store.message_counts([a.id, b.id, "missing"]) == {a.id: 3, b.id: 0, "missing": 0}


def test_delete_and_undo_restores_everything(store: Store) -> None:
    c = store.create_conversation(model="grok-4")
    img = store.add_attachment(image_bytes("one"), "image/png", 10, 20)
    u = store.add_message(c.id, Role.USER, "look at this unicorn", attachments=[img])
    r1 = store.start_reply(c.id, u.id, "grok-4")
    store.finish_reply(r1.id, "complete", "a unicorn")  # type: ignore[arg-type]
    r2 = store.start_reply(c.id, u.id, "grok-4")
    store.finish_reply(r2.id, "complete", "a horse")  # type: ignore[arg-type]
    store.select_branch(r1.id)
    store.set_pinned(c.id, True)
    before = store.load_tree(c.id)
    image_file = store.attachment_path(img)

    snapshot = store.delete_conversation(c.id)
    assert store.get_conversation(c.id) is None
    assert store.get_message(u.id) is None
    assert store.search("unicorn") == []
    assert not image_file.exists()  # only this conversation used the image
    assert store.get_attachment(img.sha256) is None

    restored = store.restore_conversation(snapshot)
    assert restored == before.conversation
    assert store.load_tree(c.id) == before
    assert [m.id for m in store.branch_path(c.id)] == [u.id, r1.id]
    assert image_file.read_bytes() == image_bytes("one")
    assert {h.message_id for h in store.search("unicorn")} == {None, u.id, r1.id}


def test_delete_unknown_conversation(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.delete_conversation("nope")


def test_two_threads_share_the_store(store: Store) -> None:
    c = store.create_conversation()
    errors: list[BaseException] = []

    def writer(tag: str) -> None:
        try:
            for i in range(50):
                store.add_message(c.id, Role.USER, f"{tag} {i}")
                store.search(tag)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(t,)) for t in ("alpha", "beta")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert store.message_counts([c.id])[c.id] == 100
    assert len(store.branch_path(c.id)) == 100  # one unbroken chain
