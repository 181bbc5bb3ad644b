"""A question sent after a failed reply follows it (question, error, question), and the failed
reply is still left out of what is sent to the model."""

from __future__ import annotations

from typing import Any

from grok_desktop.devserver import Script
from grok_desktop.domain.conversation import MessageStatus
from grok_desktop.ui.main_window import MainWindow


def chat_requests(devserver: Any) -> list[dict[str, Any]]:
    return [r.body for r in devserver.requests if r.path.endswith("/chat/completions")]


def test_a_question_after_a_broken_answer_comes_after_it(
    window: MainWindow, ui: Any, devserver: Any
) -> None:
    devserver.enqueue(Script(text="alpha beta gamma delta", reset_after=2))
    ui.ask("first question")
    u1, failed = ui.path()
    assert failed.status is MessageStatus.ERROR and failed.content == "alpha beta "

    ui.ask("second question")
    path = ui.path()
    assert [m.id for m in path[:2]] == [u1.id, failed.id]
    assert path[2].content == "second question" and path[2].parent_id == failed.id
    assert path[3].content == "You said: second question"
    text = ui.text()
    assert "⚠" in text and "alpha beta" in text  # the failure is still in view
    assert "‹" not in text  # no branch was made
    ui.screenshot("after-error.png")
    assert ui.store.siblings(failed.id) == [ui.store.get_message(failed.id)]
    # the failed partial answer is not sent back to the model
    sent = [(m["role"], m["content"]) for m in chat_requests(devserver)[-1]["messages"]]
    assert sent == [("user", "first question"), ("user", "second question")]


def test_a_question_after_a_refused_request_comes_after_it(
    window: MainWindow, ui: Any, devserver: Any
) -> None:
    devserver.enqueue(
        Script(status=400, error_body='{"code": "x", "error": "The request was refused."}')
    )
    ui.ask("first question")
    u1, failed = ui.path()
    assert failed.status is MessageStatus.ERROR and failed.content == ""
    ui.ask("second question")
    path = ui.path()
    assert [m.id for m in path] == [u1.id, failed.id, path[2].id, path[3].id]
    assert path[2].parent_id == failed.id
    sent = [(m["role"], m["content"]) for m in chat_requests(devserver)[-1]["messages"]]
    assert sent == [("user", "first question"), ("user", "second question")]
    # retrying the failed reply still answers the first question, as a sibling
    devserver.enqueue(Script(text="the first answer at last"))
    ui.action("retry", failed.id)
    ui.wait(lambda: window.chat.busy)
    ui.wait_idle()
    retried = ui.path()
    assert [m.content for m in retried] == ["first question", "the first answer at last"]
    assert retried[1].parent_id == u1.id and "‹ 2/2 ›" in ui.text()
