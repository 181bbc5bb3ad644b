"""Bare URLs become links with linkify-it-py; without it they stay text, without errors."""

from __future__ import annotations

import markdown_it.main
import pytest

from grok_desktop.ui.markdown import LIGHT, MarkdownRenderer

TEXT = "see https://example.com/x and www.example.org, or javascript:alert(1)"


def test_linkify_when_installed() -> None:
    pytest.importorskip("linkify_it")
    renderer = MarkdownRenderer(palette=LIGHT)
    assert renderer.linkify
    html = renderer.render(TEXT).html
    assert '<a href="https://example.com/x"' in html
    assert '<a href="http://www.example.org"' in html
    assert "javascript:alert(1)" in html
    assert 'href="javascript' not in html


def test_linkify_inside_code_is_left_alone() -> None:
    pytest.importorskip("linkify_it")
    html = MarkdownRenderer(palette=LIGHT).render("`https://a.org`\n\n```\nhttps://b.org\n```").html
    assert '<a href="https://a.org"' not in html
    assert '<a href="https://b.org"' not in html


def test_without_linkify_package_urls_stay_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markdown_it.main, "linkify_it", None)
    renderer = MarkdownRenderer(palette=LIGHT)
    assert not renderer.linkify
    html = renderer.render(TEXT).html
    assert "<a " not in html
    assert "https://example.com/x" in html
    # explicit links and autolinks still work
    html = renderer.render("[a](https://a.org) <https://b.org>").html
    assert '<a href="https://a.org"' in html
    assert '<a href="https://b.org"' in html


def test_linkify_can_be_switched_off() -> None:
    renderer = MarkdownRenderer(palette=LIGHT, linkify=False)
    assert not renderer.linkify
    assert "<a " not in renderer.render("https://example.com").html
