"""Where the finished part of a streaming markdown text ends.

``stable_prefix_length(md, text)`` returns the offset at which the last top-level
block starts, counting only complete lines (up to the last line break). Everything
before that offset is a sequence of closed blocks: appending text can only change
the last block or add new ones, so the chat view renders ``text[:offset]`` once and
re-renders only the tail on every update.

Why only complete lines: an unfinished line can start a block that its next
characters undo. ``para\\n#`` is a paragraph and a heading, ``para\\n#1`` a single
paragraph; ``para\\n***`` is a paragraph and a rule, ``para\\n***x`` one paragraph.
A block is therefore called finished only once a complete line after it starts the
next block.

Unclosed fenced code: CommonMark (and markdown-it) runs an unclosed fence to the
end of the text, so a text that ends inside a fence has the fence as its last block
and the offset is at or before the fence line; nothing inside it is ever "stable".

The tail may be split off and parsed alone: the text from a stable offset on parses
to the same blocks as in context, so a caller may pass just the unfinished tail,
``committed + stable_prefix_length(md, text[committed:])``.

Limitations (excluded from the property tests, not guarded here):

* Reference-style links: a definition ``[x]: https://...`` produces no block, and a
  ``[x]`` in one slice is not resolved by a definition in another slice. Rendered
  separately, such links show as literal text until the whole answer is rendered
  at once.
* Only CommonMark + GFM tables/strikethrough/task lists are considered; raw HTML
  blocks are never parsed (``html=False``), so their odd end rules do not apply.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

_LINE_BREAK = re.compile(r"\r\n?|\n")


def _complete_lines_end(text: str) -> int:
    """Offset just after the last line break of ``text`` (0 if there is none)."""
    end = max(text.rfind("\n"), text.rfind("\r"))
    return end + 1


def _block_tokens(md: MarkdownIt, source: str) -> list[Token]:
    """Block-level tokens only: no inline parsing, which is most of the cost."""
    normalized = _LINE_BREAK.sub("\n", source).replace("\0", "\ufffd")
    tokens: list[Token] = []
    md.block.parse(normalized, md, {}, tokens)
    return tokens


def _line_start(text: str, line: int) -> int:
    """Offset where line number ``line`` (0-based; CR, LF or CRLF breaks) starts."""
    if line <= 0:
        return 0
    for count, match in enumerate(_LINE_BREAK.finditer(text), start=1):
        if count == line:
            return match.end()
    return len(text)


def stable_prefix_length(md: MarkdownIt, text: str) -> int:
    """Offset where the last top-level block of the complete lines of ``text`` starts.

    0 when there are fewer than two blocks.
    """
    complete = text[: _complete_lines_end(text)]
    if not complete:
        return 0
    starts = [
        token.map[0]
        for token in _block_tokens(md, complete)
        if token.level == 0 and token.nesting >= 0 and token.map is not None
    ]
    if len(starts) < 2:
        return 0
    return _line_start(complete, starts[-1])
