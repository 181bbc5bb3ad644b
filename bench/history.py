"""History benchmark: a big database, then the three things people wait for.

Builds N conversations and M messages (default 10,000 / 500,000; one conversation has 5,000
messages) of varied text (~200 characters on average, Zipf-distributed words, some rare words,
some regenerated replies as branches) straight into a store's schema with executemany in one
transaction (a fixture, not the app's write path; the FTS triggers still index every row).
Then measures, through the real Store API:

- list:   first page of the conversation list (50 rows), p50 over 20 runs  (target <= 50 ms)
- load:   branch_path of the 5,000-message conversation, p50 over 10 runs  (target <= 100 ms)
- search: 50 queries of common and rare words, p50 and p95                (target p95 <= 50 ms)

Prints the figures, then ONE JSON line last. Usage:
    python bench/history.py [--conversations N] [--messages M] [--data-dir DIR] [--keep]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "app"))

from grok_desktop.storage import DataPaths, Store

TARGETS = {"list_ms": 50.0, "load_ms": 100.0, "search_p95_ms": 50.0}
LONG_CONVERSATION = 5_000


def _words(text: str) -> list[str]:
    return text.split()


COMMON = _words("""
    the of and to a in is it you that he was for on are with as I his they be at one have this
    from or had by hot but some what there we can out other were all your when up use word how
    said an each she which do their time if will way about many then them would write like so
    these her long make thing see him two has look more day could go come did my sound no most
    number who over know water than call first people may down side been now find any new work
    part take get place made live where after back little only round man year came show every
    good me give our under name very through just form much great think say help low line
    before turn cause same mean differ move right boy old too does tell sentence set three want
    air well also play small end put home read hand port large
""")
TECH = _words("""
    python rust javascript typescript function class method error exception stack trace compile
    build test deploy docker kubernetes server client request response json yaml database query
    index sqlite postgres cache memory thread async await future promise loop iterator generator
    decorator closure lambda module package import export api key token model prompt stream
    latency throughput benchmark regression refactor commit merge branch rebase git github linux
    windows macos terminal shell bash script config settings image screenshot pixel resolution
    encoder decoder network socket http proxy certificate
""")


def _syllables(rng: random.Random, n: int) -> list[str]:
    parts = [
        "ka",
        "zu",
        "mo",
        "ri",
        "te",
        "vo",
        "lan",
        "qui",
        "sor",
        "pex",
        "dra",
        "nul",
        "fi",
        "gor",
        "hem",
        "jix",
        "bro",
        "wel",
        "yth",
        "cza",
    ]
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(rng.choice(parts) for _ in range(rng.randint(2, 4))))
    return sorted(words)


class TextMaker:
    """Varied text: Zipf-weighted common and technical words, a tail of rare invented words,
    punctuation and occasional code."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        invented = _syllables(rng, 20_000)
        self.vocab = COMMON + TECH + invented
        weights = [1.0 / (rank + 1) ** 1.07 for rank in range(len(self.vocab))]
        self.cum = list(itertools.accumulate(weights))
        self.rare = invented[-2_000:]  # the least likely words: few documents have them

    def text(self, target_chars: int) -> str:
        n = max(3, target_chars // 6)
        words = self.rng.choices(self.vocab, cum_weights=self.cum, k=n)
        out: list[str] = []
        for i, w in enumerate(words):
            out.append(w.capitalize() if i == 0 or out[-1].endswith(".") else w)
            if self.rng.random() < 0.08:
                out[-1] += self.rng.choice((".", ",", "?", ":"))
        if self.rng.random() < 0.05:
            out.append("`" + self.rng.choice(TECH) + "()`")
        return " ".join(out) + "."


def _plan(conversations: int, messages: int) -> list[int]:
    """Messages per conversation: one long one, the rest spread evenly with some variation."""
    long_one = min(LONG_CONVERSATION, messages // 2)
    rest = messages - long_one
    others = conversations - 1
    base, extra = divmod(rest, max(others, 1))
    sizes = [long_one] + [base + (1 if i < extra else 0) for i in range(others)]
    return sizes


def build(paths: DataPaths, conversations: int, messages: int, seed: int = 7) -> float:
    Store.open(paths, check=False).close()  # the real schema, migrations included
    rng = random.Random(seed)
    maker = TextMaker(rng)
    started = time.perf_counter()
    conn = sqlite3.connect(paths.database, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -200000")
    conn.execute("BEGIN")
    now_ms = int(time.time() * 1000)
    span_ms = 2 * 365 * 86_400_000
    conv_rows: list[tuple[object, ...]] = []
    sizes = _plan(conversations, messages)
    long_id = ""

    def new_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    def message_rows() -> Iterator[tuple[object, ...]]:
        nonlocal long_id
        for index, size in enumerate(sizes):
            cid = new_id()
            if index == 0:
                long_id = cid
            created = now_ms - rng.randrange(span_ms)
            t = created
            parent: str | None = None
            rows: list[list[object]] = []
            shown: list[list[object]] = []
            i = 0
            while len(rows) < size:
                role = "user" if i % 2 == 0 else "assistant"
                t += rng.randrange(5_000, 600_000)
                mean = 4.9 if role == "user" else 5.3
                length = max(10, min(int(rng.lognormvariate(mean, 0.55)), 4000))
                usage = (
                    (rng.randrange(50, 5000), rng.randrange(10, 800))
                    if role == "assistant"
                    else (None, None)
                )
                model = "grok-4" if role == "assistant" else None
                # ~4% of replies were regenerated: the old answer stays as a hidden sibling
                if role == "assistant" and index and rng.random() < 0.04 and len(rows) < size - 1:
                    rows.append(
                        [
                            new_id(),
                            cid,
                            parent,
                            None,
                            role,
                            maker.text(length),
                            model,
                            t - 1,
                            *usage,
                        ]
                    )
                row = [new_id(), cid, parent, None, role, maker.text(length), model, t, *usage]
                if shown:
                    shown[-1][3] = row[0]  # selected_child_id of the previous shown message
                rows.append(row)
                shown.append(row)
                parent = str(row[0])
                i += 1
            title = str(shown[0][5])[:60]
            conv_rows.append(
                (cid, title, created, t, int(rng.random() < 0.01), "grok-4", shown[0][0])
            )
            for r in rows:
                yield tuple(r)

    conn.executemany(
        "INSERT INTO messages (id, conversation_id, parent_id, selected_child_id, role, "
        "content, model, created, prompt_tokens, completion_tokens) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        message_rows(),
    )
    conn.executemany(
        "INSERT INTO conversations (id, title, title_auto, created, updated, pinned, model, "
        "selected_root_id) VALUES (?, ?, 1, ?, ?, ?, ?, ?)",
        conv_rows,
    )
    conn.execute("COMMIT")
    conn.execute("PRAGMA optimize")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    build_s = time.perf_counter() - started
    (paths.root / "long-conversation-id").write_text(long_id)
    return build_s


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def queries(rng: random.Random) -> list[str]:
    maker = TextMaker(random.Random(7))  # the same vocabulary as the data
    common = [
        "the",
        "python",
        "error",
        "and",
        "time",
        "database query",
        "how to",
        "server",
        "make thing",
        "find people",
        "water",
        "import",
        "async await",
        "git merge",
        "the new",
        "Pyth",
        "datab",
        "first",
        "stream latency",
        "help",
    ]
    rare = rng.sample(maker.rare, 15)
    rare_prefix = [w[:5] for w in rng.sample(maker.rare, 5)]
    mixed = [
        f"{a} {b}" for a, b in zip(rng.sample(TECH, 10), rng.sample(maker.rare, 10), strict=True)
    ]
    chosen = common + rare + rare_prefix + mixed
    return chosen[:50]


def measure(paths: DataPaths) -> tuple[dict[str, float], list[tuple[float, str]]]:
    t0 = time.perf_counter()
    Store.open(paths, check=True).close()
    checked_open_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    store = Store.open(paths)  # the default: quick_check only up to 128 MB
    open_ms = (time.perf_counter() - t0) * 1000
    try:
        long_id = (paths.root / "long-conversation-id").read_text().strip()
        store.list_conversations(50)  # warm the page cache once, as a running app has it
        list_runs = timed(lambda: store.list_conversations(50), 20)
        page = store.list_conversations(50)
        counts_runs = timed(lambda: store.message_counts([c.id for c in page]), 20)
        page2_runs = timed(lambda: store.list_conversations(50, before=page[-1]), 20)
        load_runs = timed(lambda: store.branch_path(long_id), 10)
        loaded = len(store.branch_path(long_id))
        qs = queries(random.Random(11))
        for q in qs[:5]:
            store.search(q)  # warm-up
        search_runs = [timed(lambda q=q: store.search(q, 50), 1)[0] for q in qs]  # type: ignore[misc]
        slowest = sorted(zip(search_runs, qs, strict=True), reverse=True)[:3]
    finally:
        store.close()
    figures = {
        "open_ms": open_ms,
        "checked_open_ms": checked_open_ms,
        "list_ms": statistics.median(list_runs),
        "list_next_page_ms": statistics.median(page2_runs),
        "list_counts_ms": statistics.median(counts_runs),
        "load_ms": statistics.median(load_runs),
        "load_messages": float(loaded),
        "search_p50_ms": statistics.median(search_runs),
        "search_p95_ms": p95(search_runs),
        "search_max_ms": max(search_runs),
    }
    return figures, slowest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--conversations", type=int, default=10_000)
    ap.add_argument("--messages", type=int, default=500_000)
    ap.add_argument("--data-dir", type=Path, help="build here (default: a temp folder)")
    ap.add_argument("--keep", action="store_true", help="keep the built database")
    ap.add_argument("--reuse", action="store_true", help="measure an already built --data-dir")
    args = ap.parse_args(argv)
    root = args.data_dir or Path(tempfile.mkdtemp(prefix="grok-bench-history-"))
    paths = DataPaths.resolve(root)
    try:
        if args.reuse:
            build_s = 0.0
        else:
            if paths.database.exists():
                print(
                    f"{paths.database} exists; use --reuse or another --data-dir", file=sys.stderr
                )
                return 2
            print(
                f"building {args.conversations:,} conversations, {args.messages:,} messages "
                f"in {root} ...",
                flush=True,
            )
            build_s = build(paths, args.conversations, args.messages)
        size_mb = paths.database.stat().st_size / 1e6
        figures, slowest = measure(paths)
        print(f"build:  {build_s:8.1f} s   database {size_mb:,.0f} MB")
        print(
            f"open:   {figures['open_ms']:8.1f} ms  default; "
            f"{figures['checked_open_ms']:.1f} ms with the full PRAGMA quick_check"
        )
        print(
            f"list:   {figures['list_ms']:8.2f} ms  first page of 50, p50 of 20 "
            f"(next page {figures['list_next_page_ms']:.2f} ms, message counts "
            f"{figures['list_counts_ms']:.2f} ms)   target <= {TARGETS['list_ms']:.0f} ms"
        )
        print(
            f"load:   {figures['load_ms']:8.2f} ms  branch_path of "
            f"{int(figures['load_messages']):,} messages, p50 of 10   "
            f"target <= {TARGETS['load_ms']:.0f} ms"
        )
        print(
            f"search: {figures['search_p50_ms']:8.2f} ms  p50,  {figures['search_p95_ms']:.2f} "
            f"ms p95,  {figures['search_max_ms']:.2f} ms max over 50 queries   "
            f"target p95 <= {TARGETS['search_p95_ms']:.0f} ms"
        )
        print("        slowest: " + ", ".join(f"{q!r} {ms:.1f} ms" for ms, q in slowest))
        ok = all(figures[k] <= v for k, v in TARGETS.items())
        print("targets: " + ("all met" if ok else "MISSED"))
        result = {
            "bench": "history",
            "list_ms": round(figures["list_ms"], 3),
            "load_ms": round(figures["load_ms"], 3),
            "search_p50_ms": round(figures["search_p50_ms"], 3),
            "search_p95_ms": round(figures["search_p95_ms"], 3),
            "open_ms": round(figures["open_ms"], 1),
            "checked_open_ms": round(figures["checked_open_ms"], 1),
            "conversations": args.conversations,
            "messages": args.messages,
            "build_s": round(build_s, 1),
            "db_mb": round(size_mb, 1),
            "targets_met": ok,
        }
        print(json.dumps(result))
        return 0
    finally:
        if not args.keep and not args.data_dir:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
