"""However a streamed answer is cut into updates, the chat view must end up showing what it
shows when the same answer is drawn in one go: the same blocks, lists, tables, heading levels
and margins, and the same height. Driven straight through the view (no server, no timing), for
several update sizes, with small chunk frames so that pieces are both appended to a chunk and
start new ones."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtGui import QTextCursor

from grok_desktop.domain.content import Role
from grok_desktop.domain.conversation import Message, MessageStatus
from grok_desktop.ui.chat import document
from grok_desktop.ui.chat.view import ChatView
from grok_desktop.ui.markdown import LIGHT

ANSWERS = {
    "mixed": (
        "# Title\n\nSome text with `code`.\n\n```python\nx = 1\nprint(x)\n```\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n## Next\n\n> quoted\n\nlast line"
    ),
    "lists": "Intro\n\n1. a\n2. b\n\nafter the list\n\n- x\n  - nested\n- y\n\n3. three\n\nend\n",
    "code then list": "```\nplain\n```\n- item after code\n- two\n\n| t |\n|---|\n| 1 |\n",
    "headings": "## One\n\ntext\n\n### Two\n\n- a\n\n#### Three\n\nmore text\n",
}


def _message(content: str, status: MessageStatus = MessageStatus.STREAMING) -> Message:
    return Message(
        id="reply",
        conversation_id="c",
        parent_id=None,
        role=Role.ASSISTANT,
        content=content,
        created=datetime(2026, 1, 1, tzinfo=UTC),
        status=status,
        model="grok-test",
    )


def _structure(view: ChatView) -> list[tuple[Any, ...]]:
    frame = view.chat.frames["reply"]
    out = []
    block = view.document().findBlock(frame.firstPosition())
    while block.isValid() and block.position() <= frame.lastPosition():
        text = block.text().strip()
        if text:
            lst = block.textList()
            cursor = QTextCursor(view.document())
            cursor.setPosition(block.position())
            fmt = block.blockFormat()
            out.append(
                (
                    text,
                    lst.itemText(block) if lst else "",
                    cursor.currentTable() is not None,
                    fmt.headingLevel(),
                    fmt.topMargin(),
                )
            )
        block = block.next()
    return out


def _height(view: ChatView) -> float:
    layout = view.document().documentLayout()
    return layout.frameBoundingRect(view.chat.frames["reply"]).height()


@pytest.fixture
def views(qtbot: Any) -> tuple[ChatView, ChatView]:
    streamed, whole = ChatView(LIGHT), ChatView(LIGHT)
    for view in (streamed, whole):
        qtbot.addWidget(view)
        view.resize(700, 500)
    return streamed, whole


@pytest.mark.parametrize("chunk", [40, 10_000])  # chunks that roll over; one chunk for all
@pytest.mark.parametrize("step", [1, 4, 11, 37])
@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_any_split_ends_like_the_whole_answer(
    views: tuple[ChatView, ChatView],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    step: int,
    chunk: int,
) -> None:
    monkeypatch.setattr(document, "CHUNK_CHARS", chunk)
    streamed, whole = views
    text = ANSWERS[name]
    streamed.show_messages([])
    streamed.chat.begin_stream(_message(""))
    for end in range(step, len(text) + step, step):
        streamed.chat.stream_update(text[:end], "")
    final = _message(text, MessageStatus.COMPLETE)
    streamed.chat.end_stream(final)
    whole.show_messages([final])
    assert _structure(streamed) == _structure(whole)
    assert abs(_height(streamed) - _height(whole)) <= 2
