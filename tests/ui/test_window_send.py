"""Sending: Enter and Shift+Enter, streaming into the view, storing, the list, Stop and Esc."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from grok_desktop.devserver import Script
from grok_desktop.domain.content import Role
from grok_desktop.domain.conversation import MessageStatus
from grok_desktop.ui.conversation_list import ID_ROLE
from grok_desktop.ui.main_window import MainWindow

SLOW = Script(text=" ".join(f"word{i}" for i in range(400)), tokens_per_second=20)


def list_rows(window: MainWindow) -> list[tuple[str, str | None]]:
    """(text, conversation id or None for a group header) of every row of the list."""
    lst = window.panel.list
    return [(lst.item(i).text(), lst.item(i).data(ID_ROLE) or None) for i in range(lst.count())]


def test_enter_sends_and_the_answer_streams_in_and_is_stored(window: MainWindow, ui: Any) -> None:
    button = window.composer.button
    assert button.text() == "Send"
    ui.type("What is 6 times 7")
    qt_enter = Qt.Key.Key_Return
    ui.qtbot.keyClick(window.composer.edit, qt_enter)
    ui.wait(lambda: window.chat.busy)
    assert button.text() == "Stop" and button.accessibleName() == "Stop"
    assert window.composer.text() == ""  # sent text leaves the box
    ui.wait_idle()
    assert button.text() == "Send" and button.accessibleName() == "Send"

    assert "You said: What is 6 times 7" in ui.text()
    assert window.current is not None
    user, reply = ui.path()
    assert (user.role, user.content) == (Role.USER, "What is 6 times 7")
    assert reply.role is Role.ASSISTANT and reply.status is MessageStatus.COMPLETE
    assert reply.content == "You said: What is 6 times 7"
    assert reply.parent_id == user.id

    # the conversation is listed under "Today", titled after the question, and the window too
    rows = list_rows(window)
    assert rows[0] == ("Today", None)
    assert rows[1][1] == window.current.id
    assert "What is 6 times 7" in rows[1][0]
    assert window.windowTitle() == f"{window.current.title} — Grok Desktop"
    assert "What is 6 times 7" in window.current.title
    assert window.usage_meter.text().startswith("Last: ")


def test_shift_enter_inserts_a_new_line(window: MainWindow, ui: Any, devserver: Any) -> None:
    edit = window.composer.edit
    ui.type("first line")
    ui.qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    ui.qtbot.keyClicks(edit, "second line")
    assert edit.toPlainText() == "first line\nsecond line"
    assert not window.chat.busy and window.current is None
    chats = [r for r in devserver.requests if r.path.endswith("/chat/completions")]
    assert chats == []
    ui.qtbot.keyClick(edit, Qt.Key.Key_Return)
    ui.wait(lambda: window.chat.busy)
    ui.wait_idle()
    user, _reply = ui.path()
    assert user.content == "first line\nsecond line"


def _start_slow(window: MainWindow, ui: Any, devserver: Any) -> None:
    devserver.enqueue(SLOW)
    ui.send("tell me a long story")
    ui.wait(lambda: "word5 " in ui.text())  # streaming is visible before it is stopped
    assert window.composer.button.text() == "Stop"


def _assert_stopped(window: MainWindow, ui: Any) -> None:
    ui.wait_idle()
    _user, reply = ui.path()
    assert reply.status is MessageStatus.CANCELLED
    assert reply.content.startswith("word0 word1 word2 word3 word4 word5")
    assert "word399" not in reply.content  # really stopped, not finished
    text = ui.text()
    assert reply.content.strip().split()[-1] in text  # the partial answer stays in view
    assert "Stopped." in text
    assert window.composer.button.text() == "Send"


def test_escape_stops_a_slow_answer_and_keeps_the_partial_text(
    window: MainWindow, ui: Any, devserver: Any
) -> None:
    _start_slow(window, ui, devserver)
    ui.qtbot.keyClick(window.composer.edit, Qt.Key.Key_Escape)
    _assert_stopped(window, ui)


def test_escape_stops_even_when_the_focus_is_elsewhere(
    window: MainWindow, ui: Any, devserver: Any
) -> None:
    _start_slow(window, ui, devserver)
    window.panel.list.setFocus()
    ui.wait(window.panel.list.hasFocus)
    ui.qtbot.keyClick(window.panel.list, Qt.Key.Key_Escape)
    _assert_stopped(window, ui)


def test_clicking_stop_stops_the_answer(window: MainWindow, ui: Any, devserver: Any) -> None:
    _start_slow(window, ui, devserver)
    ui.qtbot.mouseClick(window.composer.button, Qt.MouseButton.LeftButton)
    _assert_stopped(window, ui)


def test_enter_while_streaming_loses_nothing(window: MainWindow, ui: Any, devserver: Any) -> None:
    _start_slow(window, ui, devserver)
    ui.type("a follow-up question")
    ui.qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
    assert window.composer.text() == "a follow-up question"  # not sent, not cleared
    assert window.chat.busy
    ui.qtbot.keyClick(window.composer.edit, Qt.Key.Key_Escape)
    ui.wait_idle()
    assert window.composer.text() == "a follow-up question"
    # once the answer stopped, Enter sends it after the stopped answer
    ui.qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
    ui.wait(lambda: window.chat.busy)
    ui.wait_idle()
    texts = [m.content for m in ui.path()]
    assert texts[0] == "tell me a long story"
    assert texts[2:] == ["a follow-up question", "You said: a follow-up question"]
    assert window.composer.text() == ""
