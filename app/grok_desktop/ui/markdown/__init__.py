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

from grok_desktop.ui.markdown.palette import DARK, LIGHT, Palette
from grok_desktop.ui.markdown.qt_html import COPY_SCHEME
from grok_desktop.ui.markdown.renderer import MarkdownRenderer, Rendered

__all__ = ["COPY_SCHEME", "DARK", "LIGHT", "MarkdownRenderer", "Palette", "Rendered"]
