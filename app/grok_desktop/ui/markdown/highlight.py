"""Syntax highlighting of code blocks with Pygments, as inline-styled HTML spans."""

from __future__ import annotations

import re
from html import escape

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

_FINAL_NEWLINE = re.compile(r"\n((?:</span>)*)\Z")
_PLAIN_NAMES = frozenset({"", "text", "plain", "plaintext", "txt", "none"})


class CodeHighlighter:
    """Turns code into ``<span style=...>`` runs (no ``<pre>``: the caller wraps it).

    One formatter per highlighter; lexers are cached by (lower-case) language name.
    The lexer is only ever chosen from the fence info string: ``guess_lexer`` is slow
    on long text and wrong often enough to be worse than plain text.
    """

    def __init__(self, style: str) -> None:
        self._formatter = HtmlFormatter(nowrap=True, noclasses=True, style=style)
        self._lexers: dict[str, Lexer | None] = {}

    def lexer_for(self, language: str) -> Lexer | None:
        """The lexer for a fence language, or ``None`` for plain text / unknown names."""
        key = language.strip().lower()
        if key in _PLAIN_NAMES:
            return None
        if key not in self._lexers:
            try:
                lexer: Lexer | None = get_lexer_by_name(key, stripnl=False, ensurenl=True)
            except ClassNotFound:
                lexer = None
            self._lexers[key] = lexer
        return self._lexers[key]

    def to_html(self, code: str, language: str) -> str:
        """HTML for ``code`` (without a trailing newline), highlighted if possible."""
        lexer = self.lexer_for(language)
        if lexer is None:
            return escape(code, quote=False)
        # One newline is added (and taken off again) so a trailing blank line of the
        # code survives: Pygments would otherwise swallow it into its own final newline.
        html: str = highlight(code + "\n", lexer, self._formatter)
        return _FINAL_NEWLINE.sub(r"\1", html, count=1)
