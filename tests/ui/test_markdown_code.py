"""Code blocks: Pygments spans inside our own <pre>, header with language and Copy link."""

from __future__ import annotations

import re
from html import unescape

import pytest

from grok_desktop.ui.markdown import COPY_SCHEME, DARK, LIGHT, MarkdownRenderer
from grok_desktop.ui.markdown.highlight import CodeHighlighter

PY = "```python\ndef f(x):\n    return x < 1  # done\n```\n"


@pytest.fixture(scope="module")
def renderer() -> MarkdownRenderer:
    return MarkdownRenderer(palette=LIGHT)


def pre_text(html: str) -> list[str]:
    return [
        unescape(re.sub(r"<[^>]+>", "", m))
        for m in re.findall(r"<pre[^>]*>(.*?)</pre>", html, re.S)
    ]


def test_fenced_code_is_highlighted_in_one_own_pre(renderer: MarkdownRenderer) -> None:
    out = renderer.render(PY)
    assert out.html.count("<pre") == 1
    assert '<pre style="margin: 0; white-space: pre;' in out.html
    assert "<span style=" in out.html  # Pygments' inline styles
    assert "class=" not in out.html
    assert pre_text(out.html) == ["def f(x):\n    return x < 1  # done"]
    assert out.code_blocks == ["def f(x):\n    return x < 1  # done"]


def test_code_sits_in_a_table_cell_with_background(renderer: MarkdownRenderer) -> None:
    html = renderer.render(PY).html
    assert html.startswith('<table width="100%" cellspacing="0" cellpadding="0" border="1"')
    assert f"border-color: {LIGHT.code_border}" in html
    cells = re.findall(r'<td bgcolor="([^"]+)"[^>]*>', html)
    assert cells == [LIGHT.code_bg, LIGHT.code_bg]  # header and code
    assert re.search(r'<td bgcolor="[^"]+"[^>]*><pre', html)


def test_header_shows_language_and_copy_link(renderer: MarkdownRenderer) -> None:
    html = renderer.render(PY).html
    header = html.split("<pre", 1)[0]
    assert f'<span style="color: {LIGHT.muted}">python</span>' in header
    assert f'<a href="{COPY_SCHEME}0"' in header
    assert ">Copy</a>" in header


def test_copy_indexes_follow_code_offset(renderer: MarkdownRenderer) -> None:
    text = "```\none\n```\n\ntext\n\n    two\n\n~~~js\nthree\n~~~\n"
    out = renderer.render(text, code_offset=5)
    assert re.findall(r'href="copy-code:(\d+)"', out.html) == ["5", "6", "7"]
    assert out.code_blocks == ["one", "two", "three"]


def test_indented_code_block_is_plain_text(renderer: MarkdownRenderer) -> None:
    out = renderer.render("para\n\n    x = <b>\n      y\n")
    assert out.code_blocks == ["x = <b>\n  y"]
    assert ">text</span>" in out.html
    assert "&lt;b&gt;" in out.html
    assert "<span" not in out.html.split("<pre", 1)[1]


def test_unknown_language_falls_back_to_plain_text(renderer: MarkdownRenderer) -> None:
    out = renderer.render("```no-such-lang extra words\na <b> & c\n```")
    assert ">no-such-lang</span>" in out.html
    assert pre_text(out.html) == ["a <b> & c"]
    assert "<span" not in out.html.split("<pre", 1)[1]


def test_language_label_is_escaped(renderer: MarkdownRenderer) -> None:
    html = renderer.render("```<script>\nx\n```").html
    assert "<script>" not in html
    assert "&lt;script&gt;</span>" in html


def test_blank_lines_and_leading_newlines_are_kept(renderer: MarkdownRenderer) -> None:
    code = "\n\nfirst\n\n\nlast\n\n"
    out = renderer.render(f"```python\n{code}```")
    assert out.code_blocks == [code[:-1]]
    assert pre_text(out.html) == [code[:-1]]


def test_long_lines_are_not_wrapped(renderer: MarkdownRenderer) -> None:
    line = "x = " + "1 + " * 200 + "1"
    html = renderer.render(f"```python\n{line}\n```").html
    assert "white-space: pre" in html
    assert pre_text(html) == [line]


def test_unclosed_fence_renders_to_the_end(renderer: MarkdownRenderer) -> None:
    out = renderer.render("```python\nprint(1)\n\nmore")
    assert out.code_blocks == ["print(1)\n\nmore"]


def test_code_in_list_and_quote(renderer: MarkdownRenderer) -> None:
    out = renderer.render("- item\n\n  ```sh\n  ls -l\n  ```\n\n> ```\n> q\n> ```\n")
    assert out.code_blocks == ["ls -l", "q"]
    assert out.html.count("copy-code:") == 2


def test_dark_palette_uses_dark_code_colours() -> None:
    html = MarkdownRenderer(DARK).render(PY).html
    assert f'bgcolor="{DARK.code_bg}"' in html
    assert f"color: {DARK.text}" in html


def test_lexers_are_cached_and_never_guessed(monkeypatch: pytest.MonkeyPatch) -> None:
    import pygments.lexers

    def no_guessing(*args: object, **kwargs: object) -> None:
        raise AssertionError("guess_lexer must not be used")

    monkeypatch.setattr(pygments.lexers, "guess_lexer", no_guessing)
    highlighter = CodeHighlighter("default")
    first = highlighter.lexer_for("Python")
    assert first is not None
    assert highlighter.lexer_for("python") is first
    assert highlighter.lexer_for("unknown-thing") is None
    assert highlighter.lexer_for("") is None
    assert highlighter.lexer_for("text") is None


def test_highlighter_output_has_no_pre_and_no_trailing_newline() -> None:
    html = CodeHighlighter("default").to_html("if x:\n    pass", "python")
    assert "<pre" not in html
    assert "<div" not in html
    assert not html.endswith("\n")
    assert unescape(re.sub(r"<[^>]+>", "", html)) == "if x:\n    pass"
