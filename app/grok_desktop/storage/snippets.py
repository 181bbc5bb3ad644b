"""What a person typed into a search box, as terms; and snippets that mark those terms.

Both the FTS5 query (search.py) and the snippets come from the same parsed `Term`s, so what is
highlighted is what was searched. Snippets are made here rather than with FTS5's `snippet()`,
which re-expands a prefix term (`"water"*`) for every row it annotates: with 500,000 messages
that cost ~45 ms for 50 hits, this costs well under one.

Matching folds case and removes diacritics, like the `unicode61 remove_diacritics 2` tokenizer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from grok_desktop.domain.conversation import HIGHLIGHT_END, HIGHLIGHT_START

SNIPPET_TOKENS = 12
ELLIPSIS = "…"
MIN_PREFIX = 2
_TOKEN = re.compile(r"[^\W_]+")
_LONG_TEXT = 4000  # longer texts are cut around the first match before tokenizing


@dataclass(frozen=True, slots=True)
class Term:
    """One or more words that must occur together (a phrase); `prefix`: the last word may
    continue (the word being typed)."""

    words: tuple[str, ...]
    prefix: bool = False


@lru_cache(maxsize=4096)
def fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def parse_query(text: str) -> list[Term]:
    """Words (all required), "quoted phrases", and a prefix for the last word being typed
    (from MIN_PREFIX characters on)."""
    cleaned = "".join(" " if unicodedata.category(ch).startswith(("C", "Z")) else ch for ch in text)
    terms: list[Term] = []
    segments = cleaned.split('"')
    for index, segment in enumerate(segments):
        words = [w for w in segment.split() if _TOKEN.search(w)]
        if not words:
            continue
        if index % 2 == 1:  # inside quotes
            terms.append(Term(tuple(words)))
        else:
            terms.extend(Term((w,)) for w in words)
    if not terms:
        return []
    closed_quote = cleaned.endswith('"') and len(segments) % 2 == 1
    still_typing = not cleaned[-1:].isspace() and not closed_quote
    last_word = cleaned.split()[-1]
    if still_typing and sum(map(len, _TOKEN.findall(last_word))) >= MIN_PREFIX:
        terms[-1] = Term(terms[-1].words, prefix=True)
    return terms


def _tokens(text: str) -> list[str]:
    return [fold(t) for t in _TOKEN.findall(text)]


def _matchers(terms: list[Term]) -> list[tuple[tuple[str, ...], bool]]:
    """Each term as folded tokens (a word like "C++" or "e-mail" is several tokens)."""
    out = []
    for term in terms:
        tokens: list[str] = []
        for word in term.words:
            tokens += _tokens(word)
        if tokens:
            out.append((tuple(tokens), term.prefix))
    return out


def _marks(folded: list[str], matchers: list[tuple[tuple[str, ...], bool]]) -> list[bool]:
    marked = [False] * len(folded)
    for seq, prefix in matchers:
        n = len(seq)
        for i in range(len(folded) - n + 1):
            if folded[i : i + n - 1] != list(seq[:-1]):
                continue
            last = folded[i + n - 1]
            if last == seq[-1] or (prefix and last.startswith(seq[-1])):
                for j in range(i, i + n):
                    marked[j] = True
    return marked


def highlight(text: str, terms: list[Term], max_tokens: int | None = SNIPPET_TOKENS) -> str:
    """`text` (or, with `max_tokens`, the best window of that many tokens) with the matched
    words between HIGHLIGHT_START and HIGHLIGHT_END; "…" where text was left out."""
    text = text.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "")  # keep marks unambiguous
    matchers = _matchers(terms)
    offset, cut_before, cut_after = 0, False, False
    if max_tokens is not None and len(text) > _LONG_TEXT:
        full_length = len(text)
        text, offset = _around_first_match(text, matchers)
        cut_before, cut_after = offset > 0, offset + len(text) < full_length
    spans = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    if not spans:
        return text.strip()[:200]
    marked = _marks([fold(text[a:b]) for a, b in spans], matchers)
    first, last = 0, len(spans)
    if max_tokens is not None and len(spans) > max_tokens:
        first = _best_window(marked, max_tokens)
        last = first + max_tokens
    start = 0 if first == 0 and not cut_before else spans[first][0]
    end = len(text) if last == len(spans) else spans[last - 1][1]
    pieces: list[str] = []
    cursor = start
    for (a, b), hit in zip(spans[first:last], marked[first:last], strict=True):
        if hit:
            pieces += [text[cursor:a], HIGHLIGHT_START, text[a:b], HIGHLIGHT_END]
            cursor = b
    pieces.append(text[cursor:end])
    body = " ".join("".join(pieces).split())
    before = ELLIPSIS if first > 0 or cut_before else ""
    after = ELLIPSIS if last < len(spans) or cut_after else ""
    return before + body + after


def _best_window(marked: list[bool], size: int) -> int:
    """Start of the window with the most matches; a little context before the first one."""
    count = sum(marked[:size])
    best, best_start = count, 0
    for start in range(1, len(marked) - size + 1):
        count += marked[start + size - 1] - marked[start - 1]
        if count > best:
            best, best_start = count, start
    if best == 0:
        return 0
    # Every start in [best_start, first hit] keeps all the window's matches: take the one
    # that leaves up to three words of context before the first match.
    first_hit = next(i for i in range(best_start, best_start + size) if marked[i])
    return min(max(best_start, first_hit - 3), len(marked) - size)


def _around_first_match(text: str, matchers: list[tuple[tuple[str, ...], bool]]) -> tuple[str, int]:
    """A long text cut to ~2,000 characters around the first plain-text match."""
    lowered = text.casefold()
    positions = [lowered.find(seq[0]) for seq, _ in matchers if seq]
    found = [p for p in positions if p >= 0]
    center = min(found) if found else 0
    start = max(0, center - 600)
    end = min(len(text), center + 1400)
    return text[start:end], start
