"""Streaming throughput: our XaiClient.stream_chat against a bare httpx + httpx-sse loop.

Both consume the same pre-rendered stream from the in-process dev server (burst mode, 64 KiB
writes) in the same run, alternating round by round; the first round is a warm-up and is
discarded. The rate of a run is its content chunks divided by the time from the first event
to the end of the stream, so the server's rendering of the answer (done before the first
byte is sent) is not counted. A third, unparsed reader (httpx `aiter_raw`) shows the ceiling
the transport allows, i.e. that the server is not the bottleneck.

    .venv/bin/python bench/stream_client.py [--rounds 7] [--chunks 20000]

Prints a table and ends with one JSON line. Exits 0 whether or not the target is met (it is
a measurement); exits 1 only when a client got the wrong text.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass

import httpx
from httpx_sse import EventSource

from grok_desktop.api.client import XaiClient
from grok_desktop.api.events import ContentDelta
from grok_desktop.devserver import DevServer, Script
from grok_desktop.domain.content import ChatRequest, user_message

MODEL = "grok-4.3"
API_KEY = "xai-bench"
TARGET = 0.9
WORDS = ("the", "quick", "brown", "fox", "jumps", "over", "a", "lazy", "dog", "in", "the", "rain")


@dataclass(frozen=True, slots=True)
class Run:
    chunks: int  # content chunks received
    text: str  # the joined content
    stream_s: float  # first event -> end of stream
    total_s: float  # request sent -> end of stream (includes the server's rendering)


Runner = Callable[[], Awaitable[Run]]


def expected_text(chunks: int) -> str:
    """`chunks` words, each followed by one space: exactly `chunks` server tokens."""
    return "".join(f"{WORDS[i % len(WORDS)]}{i} " for i in range(chunks))


async def run_ours(client: XaiClient) -> Run:
    request = ChatRequest(model=MODEL, messages=(user_message("go"),))
    parts: list[str] = []
    first = 0.0
    start = time.perf_counter()
    async with aclosing(client.stream_chat(request)) as events:
        async for event in events:
            if not first:
                first = time.perf_counter()
            if type(event) is ContentDelta:
                parts.append(event.text)
    end = time.perf_counter()
    return Run(len(parts), "".join(parts), end - first, end - start)


def bare_request(base_url: str) -> tuple[str, dict[str, object], dict[str, str]]:
    body: dict[str, object] = {
        "model": MODEL,
        "messages": [{"role": "user", "content": "go"}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    headers = {"Authorization": f"Bearer {API_KEY}"}
    return f"{base_url}/chat/completions", body, headers


async def run_bare(http: httpx.AsyncClient, base_url: str) -> Run:
    url, body, headers = bare_request(base_url)
    parts: list[str] = []
    first = 0.0
    start = time.perf_counter()
    async with http.stream("POST", url, json=body, headers=headers) as response:
        response.raise_for_status()
        async for sse in EventSource(response).aiter_sse():
            if not first:
                first = time.perf_counter()
            if sse.data == "[DONE]":
                break
            choices = json.loads(sse.data).get("choices")
            if choices:
                content = choices[0].get("delta", {}).get("content")
                if content:
                    parts.append(content)
    end = time.perf_counter()
    return Run(len(parts), "".join(parts), end - first, end - start)


async def run_raw(http: httpx.AsyncClient, base_url: str, chunks: int) -> tuple[Run, int]:
    """Read the body without parsing it: the transport's ceiling. Also returns its size."""
    url, body, headers = bare_request(base_url)
    size = 0
    first = 0.0
    start = time.perf_counter()
    async with http.stream("POST", url, json=body, headers=headers) as response:
        response.raise_for_status()
        async for data in response.aiter_raw():
            if not first:
                first = time.perf_counter()
            size += len(data)
    end = time.perf_counter()
    return Run(chunks, "", end - first, end - start), size


@dataclass(slots=True)
class Series:
    name: str
    rates: list[float]  # chunks/s
    totals: list[float]  # seconds, request -> end

    def median(self) -> float:
        return statistics.median(self.rates)


async def bench(chunks: int, rounds: int) -> tuple[Series, Series, Series, int]:
    text = expected_text(chunks)
    script = Script(text=text, chunk_tokens=1, burst=True, usage="final")
    ours = Series("ours (XaiClient)", [], [])
    bare = Series("bare httpx-sse", [], [])
    raw = Series("raw bytes (ref.)", [], [])
    body_size = 0
    with DevServer() as srv:
        client = XaiClient(base_url=srv.base_url, api_key=API_KEY)
        http = httpx.AsyncClient()
        try:
            runners: dict[str, Runner] = {
                "ours": lambda: run_ours(client),
                "bare": lambda: run_bare(http, srv.base_url),
            }
            series = {"ours": ours, "bare": bare}
            for round_no in range(rounds + 1):  # round 0 is the warm-up
                order = ["ours", "bare"] if round_no % 2 == 0 else ["bare", "ours"]
                for name in order:
                    srv.enqueue(script)
                    gc.collect()
                    run = await runners[name]()
                    if run.chunks != chunks or run.text != text:
                        raise SystemExit(
                            f"error: {name} got {run.chunks} content chunks "
                            f"(expected {chunks}) or different text"
                        )
                    if round_no:
                        series[name].rates.append(run.chunks / run.stream_s)
                        series[name].totals.append(run.total_s)
                srv.enqueue(script)
                gc.collect()
                run, body_size = await run_raw(http, srv.base_url, chunks)
                if round_no:
                    raw.rates.append(run.chunks / run.stream_s)
                    raw.totals.append(run.total_s)
        finally:
            await http.aclose()
            await client.aclose()
    return ours, bare, raw, body_size


def report(chunks: int, rounds: int, results: tuple[Series, Series, Series, int]) -> bool:
    ours, bare, raw, body_size = results
    mb_per_chunk = body_size / chunks / 1e6
    print(
        f"stream_client: {chunks} content chunks per stream, {body_size / 1e6:.2f} MB body, "
        f"{rounds} rounds (+1 warm-up), Python {sys.version.split()[0]}, httpx {httpx.__version__}"
    )
    print("rate = content chunks / (first event -> end of stream)")
    print()
    header = (
        f"{'client':<18} {'median ch/s':>12} {'min ch/s':>10} {'max ch/s':>10} "
        f"{'median MB/s':>12} {'min MB/s':>9} {'max MB/s':>9} {'req->end ms':>12}"
    )
    print(header)
    print("-" * len(header))
    for s in (ours, bare, raw):
        med, lo, hi = s.median(), min(s.rates), max(s.rates)
        print(
            f"{s.name:<18} {med:>12,.0f} {lo:>10,.0f} {hi:>10,.0f} "
            f"{med * mb_per_chunk:>12.1f} {lo * mb_per_chunk:>9.1f} {hi * mb_per_chunk:>9.1f} "
            f"{statistics.median(s.totals) * 1000:>12.1f}"
        )
    print()
    ratio = ours.median() / bare.median()
    paired = statistics.median(o / b for o, b in zip(ours.rates, bare.rates, strict=True))
    ok = ratio >= TARGET
    print(f"ratio ours/bare (medians): {ratio:.3f}  (target >= {TARGET})")
    print(f"median of per-round ratios: {paired:.3f}  (less sensitive to drift between rounds)")
    if not ok:
        print(f"TARGET MISSED: ours runs at {ratio:.3f}x the bare loop's rate (< {TARGET}x).")
    summary = {
        "bench": "stream_client",
        "chunks": chunks,
        "rounds": rounds,
        "ours_chunks_per_s": round(ours.median(), 1),
        "bare_chunks_per_s": round(bare.median(), 1),
        "ratio": round(ratio, 4),
        "target": TARGET,
        "ok": ok,
    }
    print(json.dumps(summary, separators=(",", ":")))
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rounds", type=int, default=7, help="measured rounds (plus one warm-up); default 7"
    )
    parser.add_argument(
        "--chunks", type=int, default=20_000, help="content chunks per stream; default 20000"
    )
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.chunks < 1:
        parser.error("--rounds and --chunks must be >= 1")
    results = asyncio.run(bench(args.chunks, args.rounds))
    report(args.chunks, args.rounds, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
