"""Message actions in the chat view, clicked as links: regenerate and the branch arrows, edit
and resend, delete, retry after an error, continue an interrupted or failed answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from grok_desktop.devserver import Script
from grok_desktop.domain.content import Role
from grok_desktop.domain.conversation import MessageStatus
from grok_desktop.services.chat import CONTINUE_PROMPT
from grok_desktop.storage.store import Store
from grok_desktop.ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier


def chat_requests(devserver: Any) -> list[dict[str, Any]]:
    return [r.body for r in devserver.requests if r.path.endswith("/chat/completions")]


def test_regenerate_makes_a_sibling_and_the_arrows_switch_branches(
    window: MainWindow, ui: Any, devserver: Any
) -> None:
    devserver.enqueue(Script(text="The first answer."))
    ui.ask("a question")
    user, first = ui.path()
    assert "‹" not in ui.text()

    devserver.enqueue(Script(text="The second answer."))
    ui.action("regenerate", first.id)
    ui.wait(lambda: window.chat.busy)
    ui.wait_idle()
    path = ui.path()
    assert [m.id for m in path[:1]] == [user.id]
    second = path[1]
    assert second.id != first.id and second.parent_id == user.id
    assert second.content == "The second answer."
    assert [m.id for m in ui.store.siblings(first.id)] == [first.id, second.id]
    text = ui.text()
    assert "The second answer." in text and "The first answer." not in text
    assert "‹ 2/2 ›" in text
    assert text.count("a question") == 1  # the question is shown once

    ui.action("prev", second.id)
    ui.wait(lambda: "The first answer." in ui.text())
    assert "The second answer." not in ui.text()
    assert "‹ 1/2 ›" in ui.text()
    assert [m.id for m in ui.path()] == [user.id, first.id]

    ui.action("next", first.id)
    ui.wait(lambda: "The second answer." in ui.text())
    assert "The first answer." not in ui.text()
    assert [m.id for m in ui.path()] == [user.id, second.id]


def test_edit_puts_the_text_in_the_composer_and_enter_sends_a_new_branch(
    window: MainWindow, ui: Any, devserver: Any
) -> None:
    ui.ask("how tall is the Eiffel tower")
    user, reply = ui.path()
    ui.action("edit", user.id)
    edit = window.composer.edit
    assert edit.toPlainText() == "how tall is the Eiffel tower"
    ui.wait(edit.hasFocus)
    assert window.status_label.text().startswith("Editing")
    ui.qtbot.keyClick(edit, Qt.Key.Key_A, CTRL)
    ui.qtbot.keyClicks(edit, "how old is the Eiffel tower")
    ui.qtbot.keyClick(edit, Qt.Key.Key_Return)
    ui.wait(lambda: window.chat.busy)
    ui.wait_idle()
    new_user, new_reply = ui.path()
    assert new_user.id != user.id and new_user.parent_id == user.parent_id  # a sibling
    assert new_user.content == "how old is the Eiffel tower"
    assert new_reply.content == "You said: how old is the Eiffel tower"
    text = ui.text()
    assert "how old is the Eiffel tower" in text and "how tall" not in text
    assert "‹ 2/2 ›" in text
    # the old question and its answer are kept on the other branch
    assert ui.store.get_message(reply.id).content == "You said: how tall is the Eiffel tower"
    # the request had only the edited question
    messages = chat_requests(devserver)[-1]["messages"]
    assert [m["content"] for m in messages] == ["how old is the Eiffel tower"]
    ui.action("prev", new_user.id)
    ui.wait(lambda: "how tall is the Eiffel tower" in ui.text())
    assert "You said: how tall is the Eiffel tower" in ui.text()


def test_delete_message_removes_it_from_view_and_store(window: MainWindow, ui: Any) -> None:
    ui.ask("question one")
    ui.ask("question two")
    u1, r1, u2, r2 = ui.path()
    ui.action("delete", r2.id)
    ui.wait(lambda: "You said: question two" not in ui.text())
    assert ui.store.get_message(r2.id) is None
    assert [m.id for m in ui.path()] == [u1.id, r1.id, u2.id]
    # deleting a question takes its answers with it
    ui.action("delete", u1.id)
    ui.wait(lambda: "question one" not in ui.text())
    assert ui.path() == []
    assert ui.store.get_message(u2.id) is None


def test_retry_after_a_broken_stream(window: MainWindow, ui: Any, devserver: Any) -> None:
    devserver.enqueue(Script(text="alpha beta gamma delta epsilon zeta", reset_after=3))
    ui.ask("say six words")
    user, failed = ui.path()
    assert failed.status is MessageStatus.ERROR
    assert failed.content == "alpha beta gamma "  # the partial answer is kept
    text = ui.text()
    assert "alpha beta gamma" in text and "⚠" in text
    hrefs = ui.hrefs()
    assert f"action:retry/{failed.id}" in hrefs
    assert f"action:continue/{failed.id}" in hrefs
    assert f"action:regenerate/{failed.id}" not in hrefs

    devserver.enqueue(Script(text="alpha beta gamma delta epsilon zeta"))
    ui.action("retry", failed.id)
    ui.wait(lambda: window.chat.busy)
    ui.wait_idle()
    _user, retried = ui.path()
    assert retried.id != failed.id and retried.parent_id == user.id
    assert retried.status is MessageStatus.COMPLETE
    assert "alpha beta gamma delta epsilon zeta" in ui.text()
    assert "‹ 2/2 ›" in ui.text()
    assert window.status_label.text() == "Ready"


def test_continue_after_a_broken_stream(window: MainWindow, ui: Any, devserver: Any) -> None:
    devserver.enqueue(Script(text="one two three four five six", reset_after=2))
    ui.ask("count to six")
    _user, failed = ui.path()
    assert failed.content == "one two "
    devserver.enqueue(Script(text="three four five six"))
    ui.action("continue", failed.id)
    ui.wait(lambda: window.chat.busy)
    ui.wait_idle()
    path = ui.path()
    assert [m.role for m in path] == [Role.USER, Role.ASSISTANT, Role.USER, Role.ASSISTANT]
    assert path[2].content == CONTINUE_PROMPT and path[2].parent_id == failed.id
    assert path[3].content == "three four five six"
    messages = chat_requests(devserver)[-1]["messages"]
    assert [(m["role"], m["content"]) for m in messages] == [
        ("user", "count to six"),
        ("assistant", "one two "),
        ("user", CONTINUE_PROMPT),
    ]
    assert "three four five six" in ui.text()


def test_continue_an_answer_interrupted_by_a_crash(
    make_window: Any, ui_for: Any, devserver: Any, tmp_path: Path
) -> None:
    data = tmp_path / "crashed"
    store = Store.open(data)
    conversation = store.create_conversation(model="grok-4.3")
    user = store.add_message(conversation.id, Role.USER, "write a haiku")
    reply = store.start_reply(conversation.id, user.id, "grok-4.3")
    store.save_partial(reply.id, "An old silent pond")
    store.close()  # the app died here: the reply is still "streaming"

    window, _parts = make_window(data_dir=data)
    ui = ui_for(window)
    lst = window.panel.list
    ui.wait(lambda: lst.count() == 2)
    ui.qtbot.mouseClick(
        lst.viewport(), Qt.MouseButton.LeftButton, pos=lst.visualItemRect(lst.item(1)).center()
    )
    ui.wait(lambda: window.current is not None)
    assert ui.store.get_message(reply.id).status is MessageStatus.INTERRUPTED
    assert "An old silent pond" in ui.text()
    assert "interrupted" in ui.text()
    devserver.enqueue(Script(text="A frog jumps into the pond"))
    ui.action("continue", reply.id)
    ui.wait(lambda: window.chat.busy)
    ui.wait_idle()
    assert ui.path()[-1].content == "A frog jumps into the pond"
    messages = chat_requests(devserver)[-1]["messages"]
    assert messages[-2] == {"role": "assistant", "content": "An old silent pond"}
    assert messages[-1]["content"] == CONTINUE_PROMPT
