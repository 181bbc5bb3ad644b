"""Markdown -> QTextDocument HTML for the chat view, built for incremental streaming.

The renderer is pure Python (markdown-it-py, mdit-py-plugins, Pygments): no Qt import
here, so it is unit-tested without a display.

Streaming recipe for the chat view::

    n = renderer.stable_prefix_length(tail)        # tail = text[committed:]
    if n:
        done = renderer.render(tail[:n], code_offset=len(code_blocks))
        append done.html to the finished part, extend code_blocks, committed += n
    show renderer.render(text[committed:], code_offset=len(code_blocks)) as the tail

Qt notes (checked with screenshots, Qt 6.11): ``setHtml`` of the concatenated
fragments shows everything as intended. ``QTextCursor.insertHtml`` merges the first
block of a fragment into the cursor's block (a heading glued to the paragraph before
it, an ordered list joining the previous list); inserting an empty block with a fresh
``QTextBlockFormat()``/``QTextCharFormat()`` first keeps the structure, but that first
block still loses its own margins (and an ``<hr>`` its rule).

The input is untrusted: raw HTML shows as text, only http(s)/mailto links become
anchors, and images never load (they become ``🖼 alt`` links).
See :mod:`grok_desktop.ui.markdown.stable` for the limits of block splitting.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from grok_desktop.ui.markdown.palette import DARK, LIGHT, Palette

__all__ = ["COPY_SCHEME", "DARK", "LIGHT", "MarkdownRenderer", "Palette", "Rendered"]

#: Loaded on first use (PEP 562): markdown-it and Pygments cost ~60 ms of imports, which the
#: window's first paint does not need (palettes are plain data).
_LAZY = {"COPY_SCHEME": "qt_html", "MarkdownRenderer": "renderer", "Rendered": "renderer"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)
