"""Full-text search over message text and conversation titles (SQLite FTS5, bm25 ranking).

What people type is never passed to FTS5 as query syntax: `snippets.parse_query` cuts it into
words, each is quoted as an FTS5 string, and all must occur (AND). Text in double quotes is a
phrase; the last word matches as a prefix while it is being typed ("pyth" finds "python"; from
two characters on; the FTS tables keep prefix indexes for 2 and 3 characters so short prefixes
stay fast). So no input can raise a syntax error, and AND/OR/NEAR/* are just words.

Very common words match most of the history: ranking all of them costs hundreds of
milliseconds and says little, so above CANDIDATE_CAP matches only the newest CANDIDATE_CAP
are ranked (recent conversations are what people look for most).
"""

from __future__ import annotations

from grok_desktop.domain.conversation import SearchHit
from grok_desktop.storage.base import StoreBase
from grok_desktop.storage.snippets import Term, highlight, parse_query

CANDIDATE_CAP = 4000


def fts_query(text: str) -> str | None:
    """A safe FTS5 query for what a person typed, or None when there is nothing to search."""
    return render(parse_query(text))


def render(terms: list[Term]) -> str | None:
    if not terms:
        return None
    parts = [
        '"' + " ".join(t.words).replace('"', '""') + '"' + ("*" if t.prefix else "") for t in terms
    ]
    return " ".join(parts)


def _ranked(table: str) -> str:
    """The best :limit rows of `table` for :q, by bm25, among at most CANDIDATE_CAP."""
    return f"""
        SELECT r, score FROM (
            SELECT rowid AS r, bm25({table}) AS score FROM {table}
            WHERE {table} MATCH :q ORDER BY rowid DESC LIMIT {CANDIDATE_CAP})
        ORDER BY score LIMIT :limit"""


class SearchOps(StoreBase):
    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Best matches first (bm25: lower `rank` is better). The snippet is ~12 words around
        the matches, marked with HIGHLIGHT_START/END; title matches come as hits with
        `message_id=None` and the whole title marked."""
        terms = parse_query(query)
        match = render(terms)
        if match is None or limit <= 0:
            return []
        params = {"q": match, "limit": limit}
        with self._db.read() as conn:
            messages = conn.execute(
                f"""
                SELECT m.id, m.conversation_id, c.title, best.score, m.content
                FROM ({_ranked("messages_fts")}) AS best
                JOIN messages AS m ON m.seq = best.r
                JOIN conversations AS c ON c.id = m.conversation_id
                ORDER BY best.score
                """,
                params,
            ).fetchall()
            titles = conn.execute(
                f"""
                SELECT c.id, c.title, best.score
                FROM ({_ranked("titles_fts")}) AS best
                JOIN conversations AS c ON c.seq = best.r
                ORDER BY best.score
                """,
                params,
            ).fetchall()
        hits = [SearchHit(r[1], r[2], r[0], highlight(r[4], terms), r[3]) for r in messages]
        hits += [SearchHit(r[0], r[1], None, highlight(r[1], terms, None), r[2]) for r in titles]
        hits.sort(key=lambda h: (h.rank, h.message_id is not None))
        return hits[:limit]
