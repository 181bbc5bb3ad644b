"""Failures are shown in words: a rejected key, a connection that breaks mid-answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from grok_desktop.devserver import Script
from grok_desktop.domain.conversation import MessageStatus


def test_rejected_key_is_explained_in_the_reply_and_the_status_bar(
    make_window: Any, ui_for: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    first, _ = make_window(data_dir=data)  # a good key once: the model list is cached
    make_window.close(first)

    window, _ = make_window(env={"XAI_API_KEY": "bad-key"}, data_dir=data)
    ui = ui_for(window)
    ui.ask("hello")
    _user, reply = ui.path()
    assert reply.status is MessageStatus.ERROR
    assert "Incorrect API key provided" in (reply.error or "")
    assert "Incorrect API key provided" in ui.text()
    assert "bad-key" not in ui.text()  # the key itself is not shown
    assert "Incorrect API key provided" in window.status_label.text()
    assert f"action:retry/{reply.id}" in ui.hrefs()


def model_list_requests(devserver: Any) -> int:
    return sum(r.path.startswith("/v1/language-models") for r in devserver.requests)


def test_rejected_key_without_a_model_list_says_why(
    make_window: Any, ui_for: Any, devserver: Any
) -> None:
    window, _ = make_window(env={"XAI_API_KEY": "bad-key"}, wait_models=False)
    ui = ui_for(window)
    ui.wait(lambda: "Incorrect API key provided" in window.status_label.text())
    assert window.composer.model_picker.count() == 0
    asked = model_list_requests(devserver)
    window.status_label.setText("")
    ui.type("hello")
    ui.qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
    # the reason, not a vague "no model", and the list is asked for again
    ui.wait(lambda: "Incorrect API key provided" in window.status_label.text())
    ui.wait(lambda: model_list_requests(devserver) > asked)
    assert not window.chat.busy
    assert not [r for r in devserver.requests if r.path.endswith("/chat/completions")]
    assert window.composer.text() == "hello"  # nothing is lost


def test_connection_lost_mid_answer_keeps_the_partial_text(
    window: Any, ui: Any, devserver: Any
) -> None:
    devserver.enqueue(Script(text="The quick brown fox jumps over the lazy dog", reset_after=4))
    ui.ask("a sentence please")
    _user, reply = ui.path()
    assert reply.status is MessageStatus.ERROR
    assert reply.content == "The quick brown fox "
    text = ui.text()
    assert "The quick brown fox" in text and "lazy dog" not in text
    assert "⚠" in text and reply.error and reply.error.splitlines()[0] in text
    status = window.status_label.text()
    assert status and status != "Ready" and status == reply.error.splitlines()[0]
