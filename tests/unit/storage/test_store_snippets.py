"""Snippets: the words searched for, marked, with a little context."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from grok_desktop.domain.conversation import HIGHLIGHT_END, HIGHLIGHT_START
from grok_desktop.storage.snippets import Term, highlight, parse_query

H0, H1 = HIGHLIGHT_START, HIGHLIGHT_END


def test_parse_query() -> None:
    assert parse_query("") == []
    assert parse_query("  ") == []
    assert parse_query("hello wor") == [Term(("hello",)), Term(("wor",), prefix=True)]
    assert parse_query("hello ") == [Term(("hello",))]
    assert parse_query('"new york" pizza') == [Term(("new", "york")), Term(("pizza",), True)]
    assert parse_query('say "new yo') == [Term(("say",)), Term(("new", "yo"), prefix=True)]
    assert parse_query('"closed"') == [Term(("closed",))]
    assert parse_query("a") == [Term(("a",))]  # one letter: no prefix (it would match all)
    assert parse_query("*** ---") == []


def test_short_text_is_marked_whole() -> None:
    text = "How do I publish a Python package?"
    assert highlight(text, parse_query("python")) == f"How do I publish a {H0}Python{H1} package?"


def test_window_around_the_match_with_context() -> None:
    words = [f"w{i}" for i in range(100)]
    words[50] = "needle"
    out = highlight(" ".join(words), parse_query("needle "))
    assert out == f"…w47 w48 w49 {H0}needle{H1} w51 w52 w53 w54 w55 w56 w57 w58…"


def test_window_with_most_matches_wins() -> None:
    words = ["x"] * 100
    words[10] = "cat"
    words[70] = words[72] = words[75] = "cat"
    out = highlight(" ".join(words), parse_query("cat "))
    assert out.count(H0) == 3


def test_prefix_phrase_and_accents() -> None:
    text = "Crème brûlée at the café in New York, then more new things."
    out = highlight(text, parse_query('creme "new york" caf'))
    assert f"{H0}Crème{H1}" in out
    assert f"{H0}café{H1}" in out
    assert f"{H0}New{H1} {H0}York{H1}" in out
    assert f"more {H0}new{H1}" not in out  # "new" alone is not the phrase


def test_long_text_is_cut_around_the_match() -> None:
    text = "start " + "lorem ipsum " * 2000 + "the rareword here " + "dolor " * 2000
    out = highlight(text, parse_query("rareword"))
    assert f"{H0}rareword{H1}" in out
    assert out.startswith("…")
    assert out.endswith("…")
    assert len(out) < 200


def test_titles_are_not_cut() -> None:
    title = " ".join(f"w{i}" for i in range(30)) + " python"
    out = highlight(title, parse_query("python"), None)
    assert out == title.replace("python", f"{H0}python{H1}")


@given(st.text(), st.text())
def test_never_raises(text: str, query: str) -> None:
    out = highlight(text, parse_query(query))
    assert out.count(H0) == out.count(H1)
