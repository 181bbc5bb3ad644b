"""A long conversation opens with its latest messages; "Show earlier messages" loads the older
ones page by page, above what is shown, without moving what is on screen."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QTextCursor

from grok_desktop.domain.content import Role
from grok_desktop.services.conversations import WINDOW
from grok_desktop.storage.store import Store
from grok_desktop.ui.main_window import MainWindow


def long_conversation(store: Store, count: int) -> tuple[str, list[str]]:
    conversation = store.create_conversation(model="grok-4.3")
    parent: str | None = None
    ids = []
    for i in range(count):
        role = Role.USER if i % 2 == 0 else Role.ASSISTANT
        parent = store.add_message(conversation.id, role, f"message {i}", parent_id=parent).id
        ids.append(parent)
    return conversation.id, ids


def lines(ui: Any) -> set[str]:
    return set(ui.text().splitlines())


def top_of(window: MainWindow, message_id: str) -> int:
    """Where the message starts, in viewport pixels."""
    cursor = QTextCursor(window.view.document())
    cursor.setPosition(window.view.chat.frames[message_id].firstPosition())
    return window.view.cursorRect(cursor).top()


def test_show_earlier_messages_loads_older_pages_without_jumping(
    window: MainWindow, ui: Any
) -> None:
    count = 2 * WINDOW + 50
    cid, ids = long_conversation(ui.store, count)
    window.conversations.load_first_page()
    ui.wait(lambda: window.panel.list.count() == 2)
    ui.click_conversation(cid)

    shown = lines(ui)
    assert f"message {count - 1}" in shown and f"message {count - WINDOW}" in shown
    assert f"message {count - WINDOW - 1}" not in shown
    assert "Show earlier messages" in shown

    ui.click_link("load:earlier")
    oldest = count - 2 * WINDOW
    ui.wait(lambda: f"message {oldest}" in lines(ui))
    # what was on screen stayed where it was (the link sits at the top)
    anchor = ids[count - WINDOW]
    assert window.view.viewport().rect().contains(0, top_of(window, anchor))
    assert f"message {oldest - 1}" not in lines(ui)
    assert "Show earlier messages" in lines(ui)  # there are still older ones
    assert window.view.chat.order == ids[oldest:]
    ui.screenshot("earlier-loaded.png")

    # where the oldest message shown stands when the link is clicked (clicking scrolls the link
    # into view first) ...
    before: list[int] = []
    window.view.load_earlier_requested.connect(lambda: before.append(top_of(window, ids[oldest])))
    ui.click_link("load:earlier")
    ui.wait(lambda: "message 0" in lines(ui))
    assert abs(top_of(window, ids[oldest]) - before[0]) <= 2  # ... is where it stays
    assert "Show earlier messages" not in ui.text()  # the whole conversation is shown
    assert window.view.chat.order == ids
    assert "load:earlier" not in ui.hrefs()
    # the view still works as before: the latest message is where Jump to latest goes
    window.view.jump_to_latest()
    assert window.view.viewport().rect().contains(0, top_of(window, ids[-1]))


def test_a_page_for_a_conversation_no_longer_shown_is_dropped(window: MainWindow, ui: Any) -> None:
    cid, _ids = long_conversation(ui.store, WINDOW + 10)
    window.conversations.load_first_page()
    ui.wait(lambda: window.panel.list.count() == 2)
    ui.click_conversation(cid)
    loaded: list[Any] = []
    window.conversations.earlier_loaded.connect(lambda *args: loaded.append(args))
    ui.click_link("load:earlier")
    window.new_chat()  # before the page arrives
    ui.wait(lambda: loaded)
    assert ui.text().strip() == ""
