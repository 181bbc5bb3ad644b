"""The chat view's QTextDocument: one QTextFrame per message, rendered once.

A finished message is rendered in one go. A streaming message grows by *increments*: blocks
that are finished (see `MarkdownRenderer.stable_prefix_length`) are inserted once, only the open
tail is replaced on each update, so the cost of an update does not grow with the answer or the
conversation. Frames keep their own positions as the document changes around them.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtGui import (
    QBrush,
    QColor,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextDocumentFragment,
    QTextFrame,
    QTextFrameFormat,
    QTextLength,
)

from grok_desktop.domain.content import Role
from grok_desktop.domain.conversation import Message
from grok_desktop.ui.chat.message_html import (
    BranchInfo,
    footer_html,
    header_html,
    images_html,
    status_html,
    thinking_html,
)
from grok_desktop.ui.markdown.palette import Palette

if TYPE_CHECKING:
    from grok_desktop.ui.markdown.renderer import MarkdownRenderer


def plain_html(text: str) -> str:
    """User text as typed: escaped, line breaks, indentation and runs of spaces kept
    (pasted code stays readable)."""
    body = html.escape(text).replace("\n", "<br>")
    return "<p style='margin:0; white-space:pre-wrap;'>" + body + "</p>"


@dataclass(frozen=True, slots=True)
class _Parsed:
    """HTML parsed once, outside any edit of the shown document: the fragment to insert, and
    its first block's format and length (the insert drops that format; see
    `_insert_html_here`). Plain values: a QTextBlock would dangle once its document is gone."""

    fragment: QTextDocumentFragment
    first_format: QTextBlockFormat
    first_length: int


def _parsed(content_html: str) -> _Parsed:
    parsed = QTextDocument()
    parsed.setHtml(content_html)
    first = parsed.begin()
    return _Parsed(QTextDocumentFragment(parsed), first.blockFormat(), first.length())


def _insert_html_here(cursor: QTextCursor, parsed: _Parsed, *, after: bool = False) -> None:
    """Insert parsed HTML at `cursor`, which stands in an empty block. The block is reset
    first (else it keeps its list or heading format from before, and the first inserted block
    joins it: "1. 2." became "1. 1.", a paragraph after a list became a list item); after the
    insert it gets the format of the HTML's first block, which insertFragment drops.
    HTML that starts with a list or a table is inserted after the empty block: that block is
    removed when a block of the same frame precedes it (`after`: appending), else kept out of
    sight (a gap between blocks would stop their margins from collapsing)."""
    old_list = cursor.currentList()
    if old_list is not None:
        old_list.remove(cursor.block())
    cursor.setBlockFormat(QTextBlockFormat())
    cursor.setBlockCharFormat(QTextCharFormat())
    cursor.setCharFormat(QTextCharFormat())
    position = cursor.position()
    cursor.insertFragment(parsed.fragment)
    start = QTextCursor(cursor.document())
    start.setPosition(position)
    if start.block().length() == 1 and parsed.first_length > 1:
        if after:
            start.deletePreviousChar()  # the empty block joins the one before it
        else:
            _make_gap(start)
    else:
        start.setBlockFormat(parsed.first_format)


def _make_gap(cursor: QTextCursor) -> None:
    """Give the (empty) block at `cursor` (almost) no height: a block that the document's
    structure needs but that should not show as a blank line."""
    gap = QTextBlockFormat()
    gap.setLineHeight(0, QTextBlockFormat.LineHeightTypes.FixedHeight.value)
    cursor.setBlockFormat(gap)
    tiny = QTextCharFormat()
    tiny.setFontPointSize(1)
    cursor.setBlockCharFormat(tiny)


@dataclass(slots=True)
class _Stream:
    """Where a streaming message stands. Each committed piece and the open tail sit in their
    own sub-frame: `insertHtml` after existing text would merge the first inserted block into
    the block before it (losing its heading or code styling), filling an empty frame does not."""

    message: Message
    tail: QTextFrame
    committed: int = 0  # characters of content already inserted as finished blocks
    thinking_shown: bool = False
    tail_code: list[str] = field(default_factory=list)
    #: The sub-frame finished blocks are appended to, and how much it holds: pieces go into
    #: it until it has CHUNK_CHARS, then a new one starts. Hundreds of small sub-frames made
    #: every later edit slower (Qt rescans and re-lays out the frames of the message).
    chunk: QTextFrame | None = None
    chunk_chars: int = 0


#: Characters of finished text per streamed sub-frame (see `_Stream.chunk`).
CHUNK_CHARS = 6000


class ChatDocument:
    def __init__(
        self, doc: QTextDocument, renderer: MarkdownRenderer | None, palette: Palette
    ) -> None:
        self.doc = doc
        self._renderer = renderer
        self.palette = palette
        self.frames: dict[str, QTextFrame] = {}
        self.messages: dict[str, Message] = {}
        self.branches: dict[str, BranchInfo | None] = {}
        self.code_blocks: dict[str, list[str]] = {}
        self.expanded_thinking: set[str] = set()
        self.order: list[str] = []
        self._stream: _Stream | None = None

    @property
    def renderer(self) -> MarkdownRenderer:
        """Made on first use (markdown-it and Pygments load then, not at start-up); None
        resets it (another palette)."""
        if self._renderer is None:
            from grok_desktop.ui.markdown.renderer import MarkdownRenderer

            self._renderer = MarkdownRenderer(palette=self.palette)
        return self._renderer

    @renderer.setter
    def renderer(self, renderer: MarkdownRenderer | None) -> None:
        self._renderer = renderer

    # -- whole messages -------------------------------------------------------------------------
    def clear(self) -> None:
        self.doc.clear()
        self.frames.clear()
        self.messages.clear()
        self.branches.clear()
        self.code_blocks.clear()
        self.order.clear()
        self._stream = None

    def _frame_format(self, role: Role) -> QTextFrameFormat:
        fmt = QTextFrameFormat()
        fmt.setPadding(10)
        fmt.setTopMargin(4)
        fmt.setBottomMargin(8)
        fmt.setWidth(QTextLength(QTextLength.Type.PercentageLength, 100))
        if role is Role.USER:
            fmt.setBackground(QBrush(QColor(self.palette.user_bg)))
        return fmt

    def _new_frame(self, message: Message, at_start: bool) -> QTextFrame:
        cursor = QTextCursor(self.doc)
        if at_start and self.order:
            first = self.frames[self.order[0]]
            cursor.setPosition(first.firstPosition() - 1)
        else:
            cursor.movePosition(QTextCursor.MoveOperation.End)
        return cursor.insertFrame(self._frame_format(message.role))

    def _message_html(self, message: Message) -> str:
        body: str
        if message.role is Role.USER:
            body = plain_html(message.content)
            self.code_blocks[message.id] = []
        else:
            rendered = self.renderer.render(message.content)
            body = rendered.html
            self.code_blocks[message.id] = rendered.code_blocks
        return (
            header_html(message, self.palette)
            + thinking_html(
                message, message.id in self.expanded_thinking, self.palette, streaming=False
            )
            + images_html(message)
            + body
            + status_html(message, self.palette)
            + footer_html(message, self.branches.get(message.id), self.palette)
        )

    def _fill(self, frame: QTextFrame, content_html: str) -> None:
        # `insertHtml` merges the first inserted block into the cursor's block, which keeps its
        # own (reset) format: a streamed piece that began with a heading lost its level and
        # margins. Parse into a document of its own, insert that, then give the first block
        # the format the HTML asked for. (Same cost as insertHtml, which parses the same way.)
        parsed = _parsed(content_html)
        with self._one_edit():
            cursor = frame.firstCursorPosition()
            cursor.setPosition(frame.lastPosition(), QTextCursor.MoveMode.KeepAnchor)
            # Empty the frame and reset the block that is left before inserting: otherwise
            # that block keeps its list (or other block formatting) from the previous fill,
            # and the new first block joins it: a re-rendered "1. 2." list became "1. 1.", a
            # paragraph after a list became a list item.
            cursor.removeSelectedText()
            _insert_html_here(cursor, parsed)

    def _append(self, frame: QTextFrame, content_html: str) -> None:
        """Add finished blocks at the end of `frame`, each keeping its own block format."""
        parsed = _parsed(content_html)
        with self._one_edit():
            cursor = QTextCursor(self.doc)
            cursor.setPosition(frame.lastPosition())
            after = cursor.block().length() > 1  # (after a table the frame ends in an empty block)
            if after:
                cursor.insertBlock()
            _insert_html_here(cursor, parsed, after=after)

    def add(
        self, message: Message, branch: BranchInfo | None = None, at_start: bool = False
    ) -> None:
        self.messages[message.id] = message
        self.branches[message.id] = branch
        frame = self._new_frame(message, at_start)
        self.frames[message.id] = frame
        if at_start:
            self.order.insert(0, message.id)
        else:
            self.order.append(message.id)
        self._fill(frame, self._message_html(message))

    def update(self, message: Message, branch: BranchInfo | None = None) -> None:
        if message.id not in self.frames:
            self.add(message, branch)
            return
        self.messages[message.id] = message
        self.branches[message.id] = branch
        self._fill(self.frames[message.id], self._message_html(message))

    def toggle_thinking(self, message_id: str) -> None:
        if message_id in self.expanded_thinking:
            self.expanded_thinking.discard(message_id)
        else:
            self.expanded_thinking.add(message_id)
        if message_id in self.messages and (
            self._stream is None or self._stream.message.id != message_id
        ):
            self.update(self.messages[message_id], self.branches.get(message_id))

    def message_at(self, position: int) -> str | None:
        for mid, frame in self.frames.items():
            if frame.firstPosition() <= position <= frame.lastPosition():
                return mid
        return None

    def code_block(self, message_id: str, index: int) -> str | None:
        blocks = self.code_blocks.get(message_id, [])
        if self._stream is not None and self._stream.message.id == message_id:
            blocks = blocks + self._stream.tail_code
        return blocks[index] if 0 <= index < len(blocks) else None

    @contextmanager
    def _one_edit(self) -> Iterator[None]:
        cursor = QTextCursor(self.doc)
        cursor.beginEditBlock()
        try:
            yield
        finally:
            cursor.endEditBlock()

    # -- streaming ------------------------------------------------------------------------------
    @property
    def streaming_id(self) -> str | None:
        return self._stream.message.id if self._stream else None

    def begin_stream(self, message: Message) -> None:
        self.messages[message.id] = message
        self.branches[message.id] = None
        self.code_blocks[message.id] = []
        frame = self._new_frame(message, at_start=False)
        self.frames[message.id] = frame
        self.order.append(message.id)
        self._fill(frame, header_html(message, self.palette))
        self._stream = _Stream(message, tail=self._sub_frame_after(frame.lastPosition()))

    def _sub_frame_after(self, position: int) -> QTextFrame:
        fmt = QTextFrameFormat()
        fmt.setMargin(0)
        fmt.setPadding(0)
        fmt.setBorder(0)
        cursor = QTextCursor(self.doc)
        cursor.setPosition(position)
        frame = cursor.insertFrame(fmt)
        # A frame is followed by a block of its parent; between two pieces that empty block
        # would show as a blank line while streaming. Make it (almost) no height.
        after = QTextCursor(self.doc)
        after.setPosition(frame.lastPosition() + 1)
        _make_gap(after)
        return frame

    def _fill_piece(self, frame: QTextFrame, content_html: str) -> None:
        """Fill a piece's sub-frame. The layout drops the top margin of a frame's first block,
        so the frame carries it instead: a heading that starts a piece keeps its space."""
        self._fill(frame, content_html)
        cursor = frame.firstCursorPosition()
        block_format = cursor.blockFormat()
        frame_format = frame.frameFormat()
        frame_format.setTopMargin(block_format.topMargin())
        frame.setFrameFormat(frame_format)

    def _next_piece(self, stream: _Stream) -> None:
        """The tail frame is done: a new, empty tail frame follows it."""
        stream.tail = self._sub_frame_after(stream.tail.lastPosition() + 1)

    def stream_update(self, content: str, reasoning: str) -> None:
        """Show the answer so far; `content` and `reasoning` are the whole texts so far.

        One edit block for the whole update: Qt rescans the document's frame tree and lays the
        message out again after every separate edit, so 5-6 edits per update cost 2x one."""
        with self._one_edit():
            self._stream_update(content, reasoning)

    def _stream_update(self, content: str, reasoning: str) -> None:
        stream = self._stream
        if stream is None:
            return
        stream.message.content = content
        stream.message.reasoning = reasoning
        if reasoning and not stream.thinking_shown and not content:
            self._fill(
                stream.tail, thinking_html(stream.message, False, self.palette, streaming=True)
            )
            self._next_piece(stream)
            stream.thinking_shown = True
        open_text = content[stream.committed :]
        stable = self.renderer.stable_prefix_length(open_text)
        if stable > 0:
            blocks = self.code_blocks[stream.message.id]
            done = self.renderer.render(open_text[:stable], code_offset=len(blocks))
            blocks.extend(done.code_blocks)
            if stream.chunk is not None and stream.chunk_chars < CHUNK_CHARS:
                self._append(stream.chunk, done.html)
            else:  # the tail frame becomes the next chunk; a new tail follows it
                self._fill_piece(stream.tail, done.html)
                stream.chunk, stream.chunk_chars = stream.tail, 0
                self._next_piece(stream)
            stream.chunk_chars += stable
            stream.committed += stable
            open_text = open_text[stable:]
        if open_text:
            tail = self.renderer.render(
                open_text, code_offset=len(self.code_blocks[stream.message.id])
            )
            stream.tail_code = tail.code_blocks
            self._fill_piece(stream.tail, tail.html)
        else:
            stream.tail_code = []

    def end_stream(self, final: Message, branch: BranchInfo | None = None) -> None:
        """Settle the streaming message: the tail becomes final, status and actions appear.
        A reply that had reasoning, or whose stored text differs from what was shown, is
        rendered whole once instead."""
        with self._one_edit():
            self._end_stream(final, branch)

    def _end_stream(self, final: Message, branch: BranchInfo | None) -> None:
        stream = self._stream
        self._stream = None
        if (
            stream is None
            or stream.message.id != final.id
            or final.reasoning
            or not final.content.startswith(final.content[: stream.committed])
            or final.content[: stream.committed] != stream.message.content[: stream.committed]
        ):
            self.update(final, branch)
            return
        self.messages[final.id] = final
        self.branches[final.id] = branch
        blocks = self.code_blocks[final.id]
        rest = final.content[stream.committed :]
        done = self.renderer.render(rest, code_offset=len(blocks)) if rest else None
        if done is not None:
            blocks.extend(done.code_blocks)
        tail = (done.html if done else "") + status_html(final, self.palette)
        self._fill_piece(stream.tail, tail + footer_html(final, branch, self.palette))
