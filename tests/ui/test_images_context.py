"""A conversation that already has images cannot go on with a text-only model: every request
sends the images again and the API refuses it ("Model grok-3-mini does not support image
inputs"). The image pane says so before Send, Regenerate, Retry, Continue and Edit, offers a
model that can see images, and nothing is sent meanwhile; a new chat is free to use any model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from test_images_send import TEXT_ONLY, WITH_IMAGES, chat_requests, choose_model
from test_images_support import TIMEOUT, drop, file_mime, image_file, wait_ready

from grok_desktop.devserver import DevServer, Script
from grok_desktop.domain.conversation import MessageStatus
from grok_desktop.services.image_support import images_in_context
from grok_desktop.ui.main_window import MainWindow


def ask_with_an_image(window: MainWindow, ui: Any, qtbot: Any, tmp_path: Path) -> None:
    choose_model(window, WITH_IMAGES)
    drop(window.view, file_mime(image_file(tmp_path, "chart.png", (120, 80))))
    wait_ready(qtbot, window.image_pane, 1)
    ui.ask("What is this?")
    assert window.image_pane.count == 0


def test_send_with_a_text_only_model_is_stopped_and_a_switch_offered(
    window: MainWindow, ui: Any, qtbot: Any, devserver: DevServer, tmp_path: Path
) -> None:
    ask_with_an_image(window, ui, qtbot, tmp_path)
    pane = window.image_pane
    assert not pane.warning.isVisible()

    # choosing the text-only model says so at once, before anything is sent
    choose_model(window, TEXT_ONLY)
    qtbot.waitUntil(pane.warning.isVisible, timeout=TIMEOUT)
    text = pane.warning_label.text()
    assert f"{TEXT_ONLY} cannot see images" in text
    assert "already has 1 image" in text and "new chat" in text
    assert pane.switch_button.isVisible()
    assert pane.switch_button.text() == f"Switch to {WITH_IMAGES}"
    assert not pane.remove_all_button.isVisible()  # removing nothing here would help
    sent_before = len(chat_requests(devserver))

    ui.type("And the colours?")
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
    qtbot.wait(200)
    assert not window.chat.busy
    assert len(chat_requests(devserver)) == sent_before
    assert window.composer.text() == "And the colours?"
    assert len(ui.path()) == 2

    qtbot.mouseClick(pane.switch_button, Qt.MouseButton.LeftButton)
    assert window.composer.current_model() == WITH_IMAGES
    assert not pane.warning.isVisible()
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
    ui.wait_idle()
    *_, reply = ui.path()
    assert reply.model == WITH_IMAGES and reply.status is MessageStatus.COMPLETE
    assert len(chat_requests(devserver)) == sent_before + 1


def test_a_new_chat_can_use_the_text_only_model(
    window: MainWindow, ui: Any, qtbot: Any, tmp_path: Path
) -> None:
    ask_with_an_image(window, ui, qtbot, tmp_path)
    choose_model(window, TEXT_ONLY)
    qtbot.waitUntil(window.image_pane.warning.isVisible, timeout=TIMEOUT)
    first = window.current
    assert first is not None

    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.image_pane.warning.isVisible(), timeout=TIMEOUT)
    ui.ask("plain text")
    assert ui.path()[-1].model == TEXT_ONLY
    assert ui.path()[-1].status is MessageStatus.COMPLETE

    # going back: the conversation's own model comes back with it; the text-only one warns
    window.open_conversation(first.id)
    assert window.composer.current_model() == WITH_IMAGES
    assert not window.image_pane.warning.isVisible()
    choose_model(window, TEXT_ONLY)
    qtbot.waitUntil(window.image_pane.warning.isVisible, timeout=TIMEOUT)


@pytest.mark.parametrize("action", ["regenerate", "retry", "continue"])
def test_regenerate_retry_and_continue_are_stopped_too(
    action: str, window: MainWindow, ui: Any, qtbot: Any, devserver: DevServer, tmp_path: Path
) -> None:
    choose_model(window, WITH_IMAGES)
    drop(window.view, file_mime(image_file(tmp_path, "chart.png", (120, 80))))
    wait_ready(qtbot, window.image_pane, 1)
    if action != "regenerate":  # retry and continue are offered on a broken answer
        devserver.enqueue(Script(text="alpha beta gamma delta", reset_after=2))
    ui.ask("What is this?")
    _user, reply = ui.path()
    assert f"action:{action}/{reply.id}" in ui.hrefs()
    assert images_in_context(ui.store, message_id=reply.id) == 1

    choose_model(window, TEXT_ONLY)
    pane = window.image_pane
    pane.warning.hide()  # shown on the choice already; the action must bring it back
    sent_before = len(chat_requests(devserver))
    ui.action(action, reply.id)
    qtbot.wait(200)
    assert not window.chat.busy
    assert len(chat_requests(devserver)) == sent_before
    assert pane.warning.isVisible()
    assert pane.switch_button.text() == f"Switch to {WITH_IMAGES}"

    qtbot.mouseClick(pane.switch_button, Qt.MouseButton.LeftButton)
    ui.action(action, reply.id)
    ui.wait(lambda: window.chat.busy)
    ui.wait_idle()
    assert len(chat_requests(devserver)) == sent_before + 1
    assert ui.path()[-1].model == WITH_IMAGES


def test_editing_a_message_with_an_image_is_stopped_too(
    window: MainWindow, ui: Any, qtbot: Any, devserver: DevServer, tmp_path: Path
) -> None:
    ask_with_an_image(window, ui, qtbot, tmp_path)
    user, _reply = ui.path()
    choose_model(window, TEXT_ONLY)
    sent_before = len(chat_requests(devserver))
    ui.action("edit", user.id)
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
    qtbot.wait(200)
    assert not window.chat.busy and len(chat_requests(devserver)) == sent_before
    assert window.image_pane.warning.isVisible()


def test_images_in_context_counts_the_branch(
    window: MainWindow, ui: Any, qtbot: Any, tmp_path: Path
) -> None:
    assert images_in_context(ui.store) == 0
    assert images_in_context(ui.store, message_id="no-such-message") == 0
    choose_model(window, WITH_IMAGES)
    ui.ask("no image yet")
    assert window.current is not None
    assert images_in_context(ui.store, window.current.id) == 0
    first_reply = ui.path()[-1]
    drop(window.view, file_mime(image_file(tmp_path, "a.png"), image_file(tmp_path, "b.png")))
    wait_ready(qtbot, window.image_pane, 2)
    ui.ask("two images")
    assert images_in_context(ui.store, window.current.id) == 2
    assert images_in_context(ui.store, message_id=first_reply.id) == 0
    # the earlier point of the branch has none: regenerating there is fine with any model
    choose_model(window, TEXT_ONLY)
    assert window.image_pane.model_sees_context(TEXT_ONLY, first_reply.id)
    assert not window.image_pane.model_sees_context(TEXT_ONLY)
