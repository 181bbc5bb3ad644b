"""MarkdownRenderer: markdown text -> QTextDocument HTML plus the raw code blocks."""

from __future__ import annotations

from dataclasses import dataclass, field

from grok_desktop.ui.markdown import stable
from grok_desktop.ui.markdown.highlight import CodeHighlighter
from grok_desktop.ui.markdown.palette import LIGHT, Palette
from grok_desktop.ui.markdown.parser import build_parser, linkify_enabled
from grok_desktop.ui.markdown.qt_html import STATE_KEY, QtHtmlRenderer, RenderState, new_state


@dataclass(frozen=True, slots=True)
class Rendered:
    """One rendering: an HTML fragment and the code blocks it contains.

    ``code_blocks[i]`` is the raw text (without the final newline) of the block
    whose ``Copy`` anchor is ``copy-code:<code_offset + i>``.
    """

    html: str
    code_blocks: list[str] = field(default_factory=list)


class MarkdownRenderer:
    """Renders untrusted markdown to the HTML subset of QTextDocument. Qt-free.

    Build one per palette and reuse it: the parser, the Pygments formatter and the
    lexers are created once.
    """

    def __init__(self, palette: Palette = LIGHT, *, linkify: bool = True) -> None:
        self._palette = palette
        self._md = build_parser(linkify=linkify)
        self._md.renderer = QtHtmlRenderer(palette, CodeHighlighter(palette.pygments_style))

    @property
    def palette(self) -> Palette:
        return self._palette

    @property
    def linkify(self) -> bool:
        """True if bare URLs become links (needs the ``linkify-it-py`` package)."""
        return linkify_enabled(self._md)

    def render(self, text: str, code_offset: int = 0) -> Rendered:
        """Render ``text``; ``Copy`` anchors are numbered from ``code_offset``."""
        env = new_state(code_offset)
        html = self._md.render(text, env)
        state = env[STATE_KEY]
        assert isinstance(state, RenderState)
        return Rendered(html=str(html), code_blocks=state.code_blocks)

    def stable_prefix_length(self, text: str) -> int:
        """Offset of the last top-level block: ``text[:n]`` will not change any more.

        See :mod:`grok_desktop.ui.markdown.stable` for the exact rule and its limits.
        """
        return stable.stable_prefix_length(self._md, text)
