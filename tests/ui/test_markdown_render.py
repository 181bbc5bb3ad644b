"""Block and inline constructs of MarkdownRenderer's QTextDocument HTML (no Qt needed)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from grok_desktop.ui.markdown import DARK, LIGHT, MarkdownRenderer, Palette, Rendered


@pytest.fixture(scope="module")
def renderer() -> MarkdownRenderer:
    return MarkdownRenderer(palette=LIGHT)


def visible(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_public_api_shapes(renderer: MarkdownRenderer) -> None:
    out = renderer.render("hello")
    assert isinstance(out, Rendered)
    assert out.html == "<p>hello</p>\n"
    assert out.code_blocks == []
    assert renderer.palette is LIGHT
    assert isinstance(LIGHT, Palette)
    with pytest.raises(AttributeError):
        LIGHT.text = "#000"  # type: ignore[misc]


def test_palettes_name_existing_pygments_styles() -> None:
    from pygments.styles import get_all_styles

    styles = set(get_all_styles())
    assert LIGHT.pygments_style in {"default", "friendly"}
    assert DARK.pygments_style in {"monokai", "github-dark", "native"}
    assert {LIGHT.pygments_style, DARK.pygments_style} <= styles


def test_no_document_wrapper(renderer: MarkdownRenderer) -> None:
    html = renderer.render("# Title\n\ntext").html
    assert "<html" not in html
    assert "<body" not in html


def test_headings_are_scaled_moderately(renderer: MarkdownRenderer) -> None:
    html = renderer.render("# One\n## Two\n### Three\n###### Six").html
    assert '<h1 style="font-size: x-large;' in html
    assert '<h2 style="font-size: large;' in html
    assert '<h3 style="font-size: medium;' in html
    assert '<h6 style="font-size: medium;' in html
    assert "xx-large" not in html


def test_emphasis_strike_and_inline_code(renderer: MarkdownRenderer) -> None:
    html = renderer.render("**b** *i* ~~gone~~ `a < b`").html
    assert "<strong>b</strong>" in html
    assert "<em>i</em>" in html
    assert "<s>gone</s>" in html
    code = re.search(r'<code style="([^"]*)">a &lt; b</code>', html)
    assert code is not None
    assert f"background-color: {LIGHT.inline_code_bg}" in code.group(1)
    assert "monospace" in code.group(1)


def test_lists_nested_and_ordered_start(renderer: MarkdownRenderer) -> None:
    html = renderer.render("- a\n  - b\n- c\n\n3. x\n4. y").html
    assert html.count('<ul style="margin-bottom: 0">') == 2
    assert '<ol start="3" style="margin-bottom: 0">' in html
    assert "<li>a" in html


def test_task_list_checkboxes_become_characters(renderer: MarkdownRenderer) -> None:
    html = renderer.render("- [ ] todo\n- [x] done\n- [X] also").html
    assert "<input" not in html
    assert "☐ todo" in html
    assert "☑ done" in html
    assert "☑ also" in html
    assert '<ul style="list-style-type: none; margin-bottom: 0">' in html  # no bullets


def test_mixed_task_list_keeps_bullets(renderer: MarkdownRenderer) -> None:
    html = renderer.render("- plain\n- [x] done").html
    assert '<ul style="margin-bottom: 0">' in html
    assert "list-style-type" not in html
    assert "☑ done" in html


def test_table_has_borders_bold_header_and_alignment(renderer: MarkdownRenderer) -> None:
    html = renderer.render("| L | R | C |\n|:--|--:|:-:|\n| 1 | 2 | 3 |").html
    assert '<table border="1" cellspacing="0" cellpadding="5"' in html
    assert f"border-color: {LIGHT.table_border}" in html
    assert '<th align="left">L</th>' in html
    assert '<th align="right">R</th>' in html
    assert '<td align="center">3</td>' in html
    assert "text-align" not in html  # alignment as attributes, which Qt honours


def test_table_header_without_alignment_is_left(renderer: MarkdownRenderer) -> None:
    html = renderer.render("| a | b |\n|---|---|\n| 1 | 2 |").html
    assert '<th align="left">a</th>' in html
    assert "<td>1</td>" in html


def test_blockquote_is_a_cell_with_a_left_bar(renderer: MarkdownRenderer) -> None:
    html = renderer.render("> quoted\n> > nested").html
    assert "<blockquote" not in html
    assert html.count(f"border-left: 4px solid {LIGHT.quote_bar}") == 2
    assert f"color: {LIGHT.muted}" in html
    assert visible(html).split() == ["quoted", "nested"]


def test_horizontal_rule_uses_the_palette(renderer: MarkdownRenderer) -> None:
    html = MarkdownRenderer(DARK).render("a\n\n---\n\nb").html
    assert f'<hr style="background-color: {DARK.table_border}" />' in html


def test_links_are_coloured_anchors(renderer: MarkdownRenderer) -> None:
    html = renderer.render("[site](https://example.com/a?b=1&c=2)").html
    assert html == (
        f'<p><a href="https://example.com/a?b=1&amp;c=2" style="color: {LIGHT.link}">site</a></p>\n'
    )


def test_autolink_and_mailto(renderer: MarkdownRenderer) -> None:
    html = renderer.render("<https://x.org> [me](mailto:me@x.org)").html
    assert '<a href="https://x.org"' in html
    assert '<a href="mailto:me@x.org"' in html


def test_hard_break_and_soft_break(renderer: MarkdownRenderer) -> None:
    html = renderer.render("a  \nb\nc").html
    assert "<br />" in html
    assert visible(html).replace("\n", " ").split() == ["a", "b", "c"]


def test_rendering_is_deterministic_and_renderer_reusable(renderer: MarkdownRenderer) -> None:
    text = "# h\n\n```py\nx = 1\n```\n\n- [ ] t\n"
    assert renderer.render(text) == renderer.render(text)


def test_palettes_change_colours_only() -> None:
    text = "[a](https://a.org) `c`\n\n> q\n"
    light = MarkdownRenderer(LIGHT).render(text).html
    dark = MarkdownRenderer(DARK).render(text).html
    assert LIGHT.link in light
    assert DARK.link in dark
    assert visible(light) == visible(dark)
