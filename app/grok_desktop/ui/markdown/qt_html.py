"""markdown-it render rules that emit the HTML subset QTextDocument understands.

Every rule is local to its block: the HTML of a block never depends on the blocks
around it, so renderings of consecutive slices concatenate to the rendering of the
whole text (what incremental streaming relies on).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from markdown_it.common.utils import unescapeAll
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from grok_desktop.ui.markdown.highlight import CodeHighlighter
from grok_desktop.ui.markdown.palette import Palette
from grok_desktop.ui.markdown.urls import safe_image_link, safe_link

STATE_KEY = "grok_desktop_render_state"
COPY_SCHEME = "copy-code:"
MONOSPACE = "'DejaVu Sans Mono', 'Cascadia Mono', Consolas, Menlo, monospace"
IMAGE_MARK = "\N{FRAME WITH PICTURE}"
_HEADING_SIZES = {"h1": "x-large", "h2": "large"}
_CHECKBOX_PREFIX = '<input class="task-list-item-checkbox"'


@dataclass(slots=True)
class RenderState:
    """Per-call state kept in markdown-it's ``env`` while one text is rendered."""

    code_offset: int
    code_blocks: list[str] = field(default_factory=list)
    anchors: list[bool] = field(default_factory=list)

    @property
    def in_anchor(self) -> bool:
        return any(self.anchors)


def _state(env: EnvType) -> RenderState:
    state = env[STATE_KEY]
    assert isinstance(state, RenderState)
    return state


def _attr(value: str) -> str:
    return escape(value, quote=True)


class QtHtmlRenderer(RendererHTML):
    """RendererHTML with rules for QTextDocument; safe for untrusted markdown."""

    def __init__(self, palette: Palette, highlighter: CodeHighlighter) -> None:
        super().__init__()
        self._palette = palette
        self._highlighter = highlighter

    # ----------------------------------------------------------------- block rules

    def heading_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        tag = tokens[idx].tag
        size = _HEADING_SIZES.get(tag, "medium")
        return f'<{tag} style="font-size: {size}; margin-top: 14px; margin-bottom: 6px">'

    # Qt gives a list's bottom margin to its last own item, which lands *above* a list
    # nested in that item; lists get no bottom margin, the next block's top margin
    # provides the gap instead.
    def bullet_list_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        bullets = "list-style-type: none; " if _all_items_are_tasks(tokens, idx) else ""
        return f'<ul style="{bullets}margin-bottom: 0">\n'

    def ordered_list_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        start = tokens[idx].attrGet("start")
        number = f' start="{int(start)}"' if start is not None else ""
        return f'<ol{number} style="margin-bottom: 0">\n'

    def list_item_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        nxt = tokens[idx + 1] if idx + 1 < len(tokens) else None
        return "<li>" if nxt is not None and nxt.hidden else "<li>\n"

    def blockquote_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        p = self._palette
        return (
            '<table width="100%" cellspacing="0" cellpadding="0" border="0"'
            ' style="margin-top: 4px; margin-bottom: 8px">'
            f'<tr><td style="border-left: 4px solid {p.quote_bar};'
            f' padding-left: 10px; color: {p.muted}">\n'
        )

    def blockquote_close(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return "</td></tr></table>\n"

    def hr(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return f'<hr style="background-color: {self._palette.table_border}" />\n'

    def table_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        p = self._palette
        return (
            '<table border="1" cellspacing="0" cellpadding="5"'
            f' style="border-color: {p.table_border}; border-style: solid;'
            ' border-collapse: collapse; margin-top: 6px; margin-bottom: 10px">\n'
        )

    def th_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return self._cell_open(tokens[idx], "th")

    def td_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        return self._cell_open(tokens[idx], "td")

    @staticmethod
    def _cell_open(token: Token, tag: str) -> str:
        style = str(token.attrGet("style") or "")
        align = style.removeprefix("text-align:").strip()
        if align in ("left", "center", "right"):
            return f'<{tag} align="{align}">'
        if tag == "th":
            return '<th align="left">'
        return f"<{tag}>"

    def fence(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        info = unescapeAll(token.info).strip() if token.info else ""
        language = info.split(maxsplit=1)[0] if info else ""
        return self._code_block(token.content, language, _state(env))

    def code_block(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return self._code_block(tokens[idx].content, "", _state(env))

    def _code_block(self, content: str, language: str, state: RenderState) -> str:
        code = content[:-1] if content.endswith("\n") else content
        index = state.code_offset + len(state.code_blocks)
        state.code_blocks.append(code)
        p = self._palette
        body = self._highlighter.to_html(code, language)
        label = escape(language or "text", quote=False)
        # One column: the Copy link sits left, next to the language, so it stays in
        # view when a long unwrapped line makes the table wider than the viewport.
        return (
            '<table width="100%" cellspacing="0" cellpadding="0" border="1"'
            f' style="border-color: {p.code_border}; border-style: solid;'
            ' border-collapse: collapse; margin-top: 6px; margin-bottom: 10px">'
            f'<tr><td bgcolor="{p.code_bg}" style="padding: 3px 8px; font-size: small">'
            f'<span style="color: {p.muted}">{label}</span>&nbsp;&nbsp;&nbsp;'
            f'<a href="{COPY_SCHEME}{index}" style="color: {p.link}; text-decoration: none">'
            "Copy</a></td></tr>"
            f'<tr><td bgcolor="{p.code_bg}" style="padding: 6px 8px">'
            f'<pre style="margin: 0; white-space: pre; font-family: {MONOSPACE};'
            f' color: {p.text}">{body}</pre></td></tr></table>\n'
        )

    def html_block(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        # Only reachable if raw HTML parsing were switched on: show it as text.
        return f"<p>{escape(tokens[idx].content, quote=False)}</p>\n"

    # ---------------------------------------------------------------- inline rules

    def html_inline(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        content = tokens[idx].content
        if content.startswith(_CHECKBOX_PREFIX):  # made by the tasklists plugin
            return "\N{BALLOT BOX WITH CHECK}" if "checked" in content else "\N{BALLOT BOX}"
        return escape(content, quote=False)

    def code_inline(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        p = self._palette
        return (
            f'<code style="background-color: {p.inline_code_bg}; font-family: {MONOSPACE}">'
            f"{escape(tokens[idx].content, quote=False)}</code>"
        )

    def link_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        state = _state(env)
        href = safe_link(str(tokens[idx].attrGet("href") or ""))
        opened = href is not None and not state.in_anchor
        state.anchors.append(opened)
        if href is None or not opened:
            return ""
        return f'<a href="{_attr(href)}" style="color: {self._palette.link}">'

    def link_close(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        state = _state(env)
        opened = state.anchors.pop() if state.anchors else False
        return "</a>" if opened else ""

    def image(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        alt = self.renderInlineAsText(token.children, options, env).strip() or "image"
        label = escape(f"{IMAGE_MARK} {alt}", quote=False)
        href = safe_image_link(str(token.attrGet("src") or ""))
        if href is None or _state(env).in_anchor:
            return label
        return f'<a href="{_attr(href)}" style="color: {self._palette.link}">{label}</a>'

    def renderInlineAsText(
        self, tokens: Sequence[Token] | None, options: OptionsDict, env: EnvType
    ) -> str:
        """Alt text: plain text of the children, without checkbox markup."""
        parts: list[str] = []
        for token in tokens or []:
            if token.type in ("text", "code_inline"):
                parts.append(token.content)
            elif token.type == "image":
                parts.append(self.renderInlineAsText(token.children, options, env))
            elif token.type in ("softbreak", "hardbreak"):
                parts.append(" ")
        return "".join(parts)


def _all_items_are_tasks(tokens: Sequence[Token], list_idx: int) -> bool:
    """True if every direct item of the list opened at ``list_idx`` is a task item.

    Only then are the bullets hidden (Qt styles a whole list, not single items).
    """
    level = tokens[list_idx].level
    items = 0
    for token in tokens[list_idx + 1 :]:
        if token.level == level and token.nesting == -1:
            break
        if token.type == "list_item_open" and token.level == level + 1:
            items += 1
            if "task-list-item" not in str(token.attrGet("class") or ""):
                return False
    return items > 0


def new_state(code_offset: int) -> dict[str, Any]:
    """A fresh markdown-it ``env`` carrying a :class:`RenderState`."""
    return {STATE_KEY: RenderState(code_offset=code_offset)}
