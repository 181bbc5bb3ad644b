"""An answer drawn piece by piece while it streams must end up like the same answer drawn in
one go when the conversation is opened again: same text, same lists, same tables, same
spacing."""

from __future__ import annotations

from typing import Any

import pytest

from grok_desktop.devserver import Script
from grok_desktop.ui.main_window import MainWindow

ANSWERS = {
    "list after paragraph": "Intro\n\n1. Open the file\n2. Read it line by line\n",
    "list then paragraph": "1. a\n2. b\n\nafter the list\n\n- x\n- y\n\nthe end\n",
    "heading code table": (
        "# Title\n\nSome text.\n\n```python\nx = 1\nprint(x)\n```\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n## Next\n\n> quoted\n\nlast line"
    ),
    "nested list": "- one\n  - one.a\n  - one.b\n- two\n\n3. three\n4. four\n",
}


def structure(window: MainWindow, message_id: str, spacing: bool = False) -> list[tuple[Any, ...]]:
    """(text, list marker, in a table) of every non-empty block of a message; with `spacing`
    also its heading level and top margin."""
    frame = window.view.chat.frames[message_id]
    out = []
    block = window.view.document().findBlock(frame.firstPosition())
    while block.isValid() and block.position() <= frame.lastPosition():
        text = block.text().strip()
        if text:
            lst = block.textList()
            cursor = window.view.textCursor()
            cursor.setPosition(block.position())
            row: tuple[Any, ...] = (
                text,
                lst.itemText(block) if lst else "",
                cursor.currentTable() is not None,
            )
            if spacing:
                fmt = block.blockFormat()
                row += (fmt.headingLevel(), fmt.topMargin())
            out.append(row)
        block = block.next()
    return out


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_streamed_answer_looks_like_the_reopened_one(
    window: MainWindow, ui: Any, devserver: Any, name: str
) -> None:
    devserver.enqueue(Script(text=ANSWERS[name], tokens_per_second=60))
    ui.ask("show me")
    _user, reply = ui.path()
    assert reply.content == ANSWERS[name]
    assert window.view.updates > 1
    streamed = structure(window, reply.id)
    window.reload_conversation()
    reopened = structure(window, reply.id)
    assert streamed == reopened


def _height(window: MainWindow, message_id: str) -> float:
    layout = window.view.document().documentLayout()
    return layout.frameBoundingRect(window.view.chat.frames[message_id]).height()


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_streamed_answer_has_the_reopened_spacing(
    window: MainWindow, ui: Any, devserver: Any, name: str
) -> None:
    """Headings keep their level and margins when they start a streamed piece, and the blocks
    between pieces take no room: the streamed answer is as tall as the reopened one."""
    devserver.enqueue(Script(text=ANSWERS[name], tokens_per_second=60))
    ui.ask("show me")
    _user, reply = ui.path()
    assert window.view.updates > 1
    streamed = structure(window, reply.id, spacing=True)
    streamed_height = _height(window, reply.id)
    window.reload_conversation()
    assert streamed == structure(window, reply.id, spacing=True)
    assert abs(streamed_height - _height(window, reply.id)) <= 2
