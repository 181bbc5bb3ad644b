"""Full-text search: ranking, snippets, titles, prefixes, and input that must never raise."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grok_desktop.domain.content import Role
from grok_desktop.domain.conversation import HIGHLIGHT_END, HIGHLIGHT_START
from grok_desktop.storage import DataPaths, Store
from grok_desktop.storage.search import fts_query

H0, H1 = HIGHLIGHT_START, HIGHLIGHT_END


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    root: Path = tmp_path_factory.mktemp("search")
    with Store.open(DataPaths.resolve(root)) as store:
        c1 = store.create_conversation("Python packaging questions")
        store.add_message(c1.id, Role.USER, "How do I publish a python package to PyPI?")
        store.add_message(
            c1.id,
            Role.ASSISTANT,
            "Build a wheel with `python -m build`, then upload it with twine. "
            "Python packaging has improved a lot; python python python.",
        )
        c2 = store.create_conversation("Café recipes")
        store.add_message(c2.id, Role.USER, "A recipe for crème brûlée at the café, please")
        long_text = " ".join(["filler words about nothing in particular"] * 30)
        store.add_message(c2.id, Role.ASSISTANT, f"{long_text} rarewordzebra {long_text}")
        c3 = store.create_conversation("Rust")
        store.add_message(c3.id, Role.USER, "Is Rust faster than Python for number crunching?")
        yield store


def test_empty_and_blank_queries_return_nothing(corpus: Store) -> None:
    for q in ("", "   ", "\n\t", '""', "***", "-", "()", "AND", '"'):
        hits = corpus.search(q)
        assert q.strip(' *-()"') != "" or hits == []


def test_best_match_first_with_highlighted_snippet(corpus: Store) -> None:
    hits = corpus.search("python")
    message_hits = [h for h in hits if h.message_id]
    assert len(message_hits) == 3
    # the answer that says "python" six times ranks above single mentions
    assert "twine" in message_hits[0].snippet
    assert all(hits[i].rank <= hits[i + 1].rank for i in range(len(hits) - 1))
    assert f"{H0}python{H1}" in message_hits[0].snippet
    rust = next(h for h in message_hits if h.conversation_title == "Rust")
    assert f"{H0}Python{H1}" in rust.snippet  # the text's own case, matched case-insensitively


def test_title_hits_have_no_message(corpus: Store) -> None:
    hits = corpus.search("packaging")
    titles = [h for h in hits if h.message_id is None]
    assert len(titles) == 1
    assert titles[0].conversation_title == "Python packaging questions"
    assert titles[0].snippet == f"Python {H0}packaging{H1} questions"


def test_snippet_is_short_context_around_the_match(corpus: Store) -> None:
    (hit,) = corpus.search("rarewordzebra")
    assert f"{H0}rarewordzebra{H1}" in hit.snippet
    assert hit.snippet.startswith("…")
    assert hit.snippet.endswith("…")
    assert len(hit.snippet.split()) <= 14


def test_prefix_of_the_last_word_while_typing(corpus: Store) -> None:
    assert {h.conversation_title for h in corpus.search("pyth")} >= {"Python packaging questions"}
    assert corpus.search("pyth ") == []  # a finished word must match whole
    assert [h.message_id is not None for h in corpus.search("publish pack")] == [True]


def test_all_words_must_match_and_quotes_make_phrases(corpus: Store) -> None:
    assert len([h for h in corpus.search("rust python") if h.message_id]) == 1
    assert corpus.search('"number python"') == []
    assert len(corpus.search('"number crunching"')) == 1


def test_accents_are_optional(corpus: Store) -> None:
    assert len(corpus.search("creme brulee")) == 1
    assert {h.message_id is None for h in corpus.search("cafe")} == {True, False}


def test_fts_syntax_is_just_text(corpus: Store) -> None:
    for q in [
        "python OR rust",
        "NEAR(python rust)",
        "content:python",
        "python*",
        "^python",
        "python AND",
        "(python",
        'py"thon',
        "python -rust",
        "a'b",
        "{python}",
        "+",
        "\\",
        "python NOT",
        "\x00",
        "\ud800",
    ]:
        corpus.search(q)  # must not raise
    assert fts_query("python OR rust") == '"python" "OR" "rust"*'
    assert fts_query('say "hello there" now') == '"say" "hello there" "now"*'
    assert fts_query("done ") == '"done"'


def test_search_follows_edits_and_deletes(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        c = store.create_conversation()
        u = store.add_message(c.id, Role.USER, "q")
        r = store.start_reply(c.id, u.id, "m")
        store.save_partial(r.id, "streaming about giraffes")
        assert [h.message_id for h in store.search("giraffes")] == [r.id]
        store.finish_reply(r.id, "complete", "final about elephants")  # type: ignore[arg-type]
        assert store.search("giraffes") == []
        assert [h.message_id for h in store.search("elephants")] == [r.id]
        store.rename_conversation(c.id, "Zoo trip")
        assert [h.message_id for h in store.search("zoo")] == [None]
        store.delete_message(r.id)
        assert store.search("elephants") == []
        assert store.search("q", limit=0) == []


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text())
def test_any_text_never_raises(corpus: Store, query: str) -> None:
    hits = corpus.search(query, limit=5)
    assert len(hits) <= 5


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                '"',
                "*",
                "(",
                ")",
                "-",
                "+",
                ":",
                "^",
                "AND",
                "OR",
                "NOT",
                "NEAR",
                " ",
                "x",
                "é",
                "\\",
                "'",
                "{",
                "}",
                ",",
                "\x00",
            ]
        ),
        max_size=12,
    )
)
def test_operator_soup_makes_a_valid_query(parts: list[str]) -> None:
    import sqlite3

    query = fts_query("".join(parts))
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
    if query is not None:
        conn.execute("SELECT * FROM t WHERE t MATCH ?", (query,)).fetchall()
