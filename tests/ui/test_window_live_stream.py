"""Leaving a conversation while its answer streams and coming back: the answer goes on
streaming in view, not frozen with a finished-looking footer."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from grok_desktop.devserver import Script
from grok_desktop.domain.conversation import MessageStatus
from grok_desktop.ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
SLOW = Script(text=" ".join(f"word{i}" for i in range(400)), tokens_per_second=20)


def words(ui: Any) -> int:
    return sum(w.startswith("word") for w in ui.text().split())


def test_reopening_the_conversation_being_answered_keeps_streaming(
    window: MainWindow, ui: Any, devserver: Any
) -> None:
    ui.ask("first topic")
    assert window.current is not None
    first = window.current.id
    ui.qtbot.keyClick(window.composer.edit, Qt.Key.Key_N, CTRL)
    devserver.enqueue(SLOW)
    ui.send("tell me a long story")
    ui.wait(lambda: "word3 " in ui.text())
    assert window.current is not None
    second = window.current.id

    ui.click_conversation(first)  # the answer goes on meanwhile
    assert "word" not in ui.text()
    ui.qtbot.wait(300)
    assert window.chat.busy

    ui.click_conversation(second)
    assert window.view.streaming  # picked up again, not shown as finished
    reply = ui.path()[-1]
    assert reply.status is MessageStatus.STREAMING
    hrefs = ui.hrefs()
    assert f"action:regenerate/{reply.id}" not in hrefs  # no footer while it streams
    assert f"action:delete/{reply.id}" not in hrefs
    ui.wait(lambda: words(ui) > 6)
    seen = words(ui)
    ui.wait(lambda: words(ui) >= seen + 4)  # and it keeps growing in view
    ui.screenshot("stream-resumed.png")
    assert ui.text().count("tell me a long story") == 1

    ui.qtbot.keyClick(window.composer.edit, Qt.Key.Key_Escape)
    ui.wait_idle()
    stopped = ui.path()[-1]
    assert stopped.id == reply.id and stopped.status is MessageStatus.CANCELLED
    text = ui.text()
    assert stopped.content.split()[-1] in text and "Stopped." in text
    assert f"action:regenerate/{reply.id}" in ui.hrefs()


def test_an_answer_that_ends_while_away_is_shown_finished(
    window: MainWindow, ui: Any, devserver: Any
) -> None:
    ui.ask("first topic")
    assert window.current is not None
    first = window.current.id
    ui.qtbot.keyClick(window.composer.edit, Qt.Key.Key_N, CTRL)
    devserver.enqueue(Script(text="short and sweet answer", tokens_per_second=20))
    ui.send("a short one")
    assert window.current is not None
    second = window.current.id
    ui.click_conversation(first)
    ui.wait_idle()
    assert "short and sweet" not in ui.text()
    ui.click_conversation(second)
    assert not window.view.streaming
    assert "short and sweet answer" in ui.text()
    assert f"action:regenerate/{ui.path()[-1].id}" in ui.hrefs()
