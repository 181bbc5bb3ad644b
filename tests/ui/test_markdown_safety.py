"""Untrusted model output: no raw HTML, no unsafe links, never an <img>."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grok_desktop.ui.markdown import LIGHT, MarkdownRenderer
from grok_desktop.ui.markdown.urls import safe_image_link, safe_link

ALLOWED_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "code", "table", "thead", "tbody",
    "tr", "td", "th", "ul", "ol", "li", "a", "em", "strong", "s", "hr", "br", "span",
}  # fmt: skip
ALLOWED_ATTRS = {
    "href", "style", "align", "colspan", "width", "cellspacing", "cellpadding", "border",
    "bgcolor", "start",
}  # fmt: skip
ALLOWED_HREFS = ("http://", "https://", "mailto:", "copy-code:")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.tags


def hrefs_of(html: str) -> list[str]:
    return [str(attrs["href"]) for tag, attrs in tags_of(html) if tag == "a"]


def assert_safe(html: str) -> None:
    for tag, attrs in tags_of(html):
        assert tag in ALLOWED_TAGS, (tag, html)
        assert set(attrs) <= ALLOWED_ATTRS, (attrs, html)
        if tag == "a":
            assert str(attrs["href"]).lower().startswith(ALLOWED_HREFS), html


@pytest.fixture(scope="module")
def renderer() -> MarkdownRenderer:
    return MarkdownRenderer(palette=LIGHT)


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](file:///etc/passwd)",
    "[click](copy-code:0)",
    "[click](/relative/path)",
    "[click](#anchor)",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    "![pixel](data:image/png;base64,iVBORw0KGgo=)",
    "![remote](https://evil.example/track.png)",
    '![q"uote](https://evil.example/a.png "title")',
    "[![nested](https://evil.example/i.png)](https://ok.example)",
    "[x]: javascript:alert(1)\n\n[x]",
    "<div onclick='x'>\n\nhi\n\n</div>",
    "<!-- comment --> &lt;b&gt; &#x3C;script&#x3E;",
    '[x](https://ok.example/"onmouseover="alert(1))',
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_inputs_produce_only_safe_html(renderer: MarkdownRenderer, text: str) -> None:
    assert_safe(renderer.render(text).html)


def test_raw_html_shows_as_text(renderer: MarkdownRenderer) -> None:
    html = renderer.render("<script>alert(1)</script> and <img src=x onerror=alert(1)>").html
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_unsafe_link_keeps_its_text_without_anchor(renderer: MarkdownRenderer) -> None:
    html = renderer.render("go [here](javascript:alert(1)) now").html
    assert html == "<p>go here now</p>\n"


def test_markdown_cannot_forge_a_copy_link(renderer: MarkdownRenderer) -> None:
    assert hrefs_of(renderer.render("[copy](copy-code:3)").html) == []


def test_image_becomes_a_link_or_text_never_img(renderer: MarkdownRenderer) -> None:
    html = renderer.render("![a *cat*](https://e.org/c.png) ![d](data:image/png;base64,AA)").html
    assert "<img" not in html
    assert hrefs_of(html) == ["https://e.org/c.png"]
    assert ">🖼 a cat</a>" in html
    assert "🖼 d" in html


def test_image_without_alt_and_inside_link(renderer: MarkdownRenderer) -> None:
    html = renderer.render(
        "![](https://e.org/x.png)\n\n[![in](https://e.org/i.png)](https://o.org)"
    ).html
    assert ">🖼 image</a>" in html
    assert hrefs_of(html) == ["https://e.org/x.png", "https://o.org"]  # no nested anchors
    assert html.count("<a ") == html.count("</a>")


def test_attribute_values_are_escaped(renderer: MarkdownRenderer) -> None:
    html = renderer.render('[x](https://ok.example/"onmouseover="alert(1))').html
    assert 'onmouseover="' not in html
    assert_safe(html)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.org", "https://a.org"),
        ("HTTP://A.ORG", "HTTP://A.ORG"),
        ("mailto:me@a.org", "mailto:me@a.org"),
        ("https://", None),
        ("javascript:alert(1)", None),
        ("data:text/html,x", None),
        ("ftp://a.org", None),
        ("", None),
    ],
)
def test_safe_link(url: str, expected: str | None) -> None:
    assert safe_link(url) == expected


def test_safe_image_link_refuses_mailto() -> None:
    assert safe_image_link("mailto:a@b.c") is None
    assert safe_image_link("https://a.org/i.png") == "https://a.org/i.png"


PIECES = st.sampled_from(
    [
        "<", ">", "\"", "'", "&", "[", "]", "(", ")", "!", "`", "*", "_", "~", "|", "-", "#",
        "\n", "\n\n", " ", "    ", "javascript:", "data:", "https://", "mailto:", "http://x.y",
        "<img src=x onerror=alert(1)>", "<script>", "</script>", "<a href='x'>", "![", "](",
        "```", "```html\n", "> ", "- [ ] ", "1. ", "| a |", "|---|", "www.example.com",
        "copy-code:1", "&#106;avascript:", "%6a", "\\", "onerror=", "style=",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_any_input_yields_only_allowlisted_html(text: str) -> None:
    assert_safe(MarkdownRenderer(palette=LIGHT).render(text).html)
