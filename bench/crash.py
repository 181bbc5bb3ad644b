"""Crash safety of `grok-desktop ask`: kill -9 it at random moments of a slow stream.

Each run starts `python -m grok_desktop ask --conversation ID` (the same conversation every
time) against the in-process dev server streaming a long, numbered text slowly, reads its
stdout with timestamps, and SIGKILLs it after a random delay (seeded). Then, with the process
gone:

- `PRAGMA integrity_check` on the database file, opened with plain sqlite3, says ok;
- every message of the earlier runs is exactly as it was (id, parent, role, status, text);
- the killed reply's stored text is a prefix of the text the server sends, and holds at least
  the text that had reached stdout 500 ms before the kill;
- the next start (`Store.open`) marks that reply `interrupted` and keeps its text.

    .venv/bin/python bench/crash.py [--runs 200] [--seed N] [--tokens-per-second 50]

Prints the figures (margin = stored characters minus the characters received 500 ms before
the kill; unsaved age = how long the oldest received-but-unsaved text had been on stdout when
the process died) and ends with one JSON line. Exits 1 when any check failed.
tests/e2e/test_crash_kill9.py runs the same harness 20 times.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grok_desktop.devserver import DevServer
from grok_desktop.domain.conversation import MessageStatus
from grok_desktop.storage import Store
from grok_desktop.storage.paths import DataPaths

API_KEY = "xai-crash-bench"
#: Text that had reached stdout this long before the kill must be on disk.
GUARANTEE_S = 0.5
KILL_WINDOW = (0.2, 3.0)
DB_NAME = "grok-desktop.sqlite3"
_COLUMNS = "id, conversation_id, parent_id, role, status, content, reasoning, error"

Row = tuple[Any, ...]


def answer_text(run: int, words: int) -> str:
    """`r003w0001 r003w0002 ...`: every prefix tells exactly how far the stream got."""
    return "".join(f"r{run:03d}w{n:04d} " for n in range(1, words + 1))


def prompt_for(run: int, text: str, tokens_per_second: float) -> str:
    script = {"tokens_per_second": tokens_per_second, "text": text}
    return f"Crash run {run}. ::dev{json.dumps(script, separators=(',', ':'))}"


class StdoutReader(threading.Thread):
    """Reads a pipe as bytes arrive and notes when each piece came."""

    def __init__(self, fd: int) -> None:
        super().__init__(daemon=True)
        self.fd = fd
        self.pieces: list[tuple[float, bytes]] = []
        self.first = threading.Event()

    def run(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                break
            if not data:
                break
            self.pieces.append((time.monotonic(), data))
            self.first.set()

    def text_until(self, moment: float) -> str:
        return b"".join(d for t, d in self.pieces if t <= moment).decode("utf-8", "replace")

    def text(self) -> str:
        return b"".join(d for _, d in self.pieces).decode("utf-8", "replace")

    def arrival_of(self, offset: int) -> float | None:
        """When the byte at `offset` arrived (None if it never did)."""
        seen = 0
        for t, data in self.pieces:
            seen += len(data)
            if seen > offset:
                return t
        return None


@dataclass(slots=True)
class RunResult:
    run: int
    kill_after: float
    killed: bool = False  # still running at the kill moment
    exit_code: int | None = None
    received: str = ""
    received_before: str = ""  # what had reached stdout GUARANTEE_S before the kill
    saved: str | None = None  # the reply's stored text right after the kill (None: no reply)
    status_after_kill: str | None = None
    status_after_open: str | None = None
    content_after_open: str | None = None
    recovered: int = 0
    integrity: str = ""
    earlier_intact: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def margin(self) -> int | None:
        """Stored characters beyond what the 500 ms guarantee asks for."""
        if self.saved is None:
            return None
        return len(self.saved) - len(self.received_before)

    @property
    def mid_answer(self) -> bool:
        return self.killed and bool(self.received)


@dataclass(slots=True)
class CrashHarness:
    data_dir: Path
    base_url: str
    tokens_per_second: float = 50.0
    words: int = 200
    python: str = sys.executable
    log: Any = None  # a callable(str) for progress lines, or None
    conversation_id: str = ""
    snapshot: dict[str, Row] = field(default_factory=dict)
    unsaved_ages_ms: list[float] = field(default_factory=list)

    @property
    def database(self) -> Path:
        return self.data_dir / DB_NAME

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k.upper() not in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
        }
        env.update(
            GROK_DESKTOP_DATA_DIR=str(self.data_dir),
            GROK_DESKTOP_BASE_URL=self.base_url,
            XAI_API_KEY=API_KEY,
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
            PYTHONUNBUFFERED="1",
        )
        app = Path(__file__).resolve().parents[1] / "app"
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(app), env.get("PYTHONPATH")]))
        return env

    def command(self, *args: str) -> list[str]:
        return [self.python, "-m", "grok_desktop", "ask", "--retries", "0", *args]

    def start(self) -> None:
        """The first, complete exchange: it makes the conversation every run continues."""
        done = subprocess.run(
            self.command("Crash test: the first question."),
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0:
            raise RuntimeError(f"the first ask failed ({done.returncode}): {done.stderr}")
        with Store.open(DataPaths.resolve(self.data_dir)) as store:
            (conversation,) = store.list_conversations()
            self.conversation_id = conversation.id
        self.snapshot = self.rows()

    def rows(self) -> dict[str, Row]:
        conn = sqlite3.connect(self.database)
        try:
            return {r[0]: r for r in conn.execute(f"SELECT {_COLUMNS} FROM messages")}
        finally:
            conn.close()

    def run_once(self, run: int, kill_after: float) -> RunResult:
        result = RunResult(run, kill_after)
        text = answer_text(run, self.words)
        prompt = prompt_for(run, text, self.tokens_per_second)
        started = time.monotonic()
        proc = subprocess.Popen(
            self.command("--conversation", self.conversation_id, prompt),
            env=self.env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout is not None and proc.stderr is not None
        reader = StdoutReader(proc.stdout.fileno())
        reader.start()
        time.sleep(max(0.0, started + kill_after - time.monotonic()))
        killed_at = time.monotonic()
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            result.killed = True
        result.exit_code = proc.wait(30)
        reader.join(10)
        stderr = proc.stderr.read().decode("utf-8", "replace")
        proc.stdout.close()
        proc.stderr.close()
        if not result.killed:
            result.problems.append(f"the ask ended by itself ({result.exit_code}): {stderr}")
        result.received = reader.text()
        result.received_before = reader.text_until(killed_at - GUARANTEE_S)
        self._check_file(result, text)
        if result.saved is not None and len(result.saved) < len(result.received):
            arrived = reader.arrival_of(len(result.saved))
            if arrived is not None:
                self.unsaved_ages_ms.append(max(0.0, killed_at - arrived) * 1000)
        elif result.saved is not None:
            self.unsaved_ages_ms.append(0.0)
        self._check_next_start(result)
        if self.log is not None:
            self.log(describe(result))
        return result

    def _check_file(self, result: RunResult, text: str) -> None:
        """Right after the kill, before anything opens the store."""
        conn = sqlite3.connect(self.database)
        try:
            result.integrity = "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
            rows = {r[0]: r for r in conn.execute(f"SELECT {_COLUMNS} FROM messages")}
        finally:
            conn.close()
        if result.integrity != "ok":
            result.problems.append(f"integrity_check: {result.integrity}")
        changed = [i for i, row in self.snapshot.items() if rows.get(i) != row]
        result.earlier_intact = not changed
        if changed:
            result.problems.append(f"{len(changed)} earlier message(s) changed: {changed[:3]}")
        new = [r for i, r in rows.items() if i not in self.snapshot]
        replies = [r for r in new if r[3] == "assistant"]
        users = [r for r in new if r[3] == "user"]
        if len(replies) > 1 or len(users) > 1 or (replies and not users):
            result.problems.append(f"unexpected new rows: {[(r[3], r[4]) for r in new]}")
        if not text.startswith(result.received):
            result.problems.append(f"stdout is not a prefix of the answer: {result.received!r}")
        if replies:
            reply = replies[0]
            result.saved = reply[5]
            result.status_after_kill = reply[4]
            if reply[2] != users[0][0] or reply[1] != self.conversation_id:
                result.problems.append("the reply is not below its question")
            if result.status_after_kill != MessageStatus.STREAMING.value:
                result.problems.append(f"reply status after the kill: {result.status_after_kill}")
            if not text.startswith(reply[5]):
                result.problems.append(f"stored text is not a prefix of the answer: {reply[5]!r}")
        saved = result.saved or ""
        if len(saved) < len(result.received_before):
            result.problems.append(
                f"lost text: {len(result.received_before)} characters were on stdout "
                f"{GUARANTEE_S * 1000:.0f} ms before the kill, only {len(saved)} stored"
            )

    def _check_next_start(self, result: RunResult) -> None:
        with Store.open(DataPaths.resolve(self.data_dir)) as store:
            result.recovered = store.recovered_interrupted
            new = [m for m in store.branch_path(self.conversation_id) if m.id not in self.snapshot]
        replies = [m for m in new if m.role.value == "assistant"]
        if replies:
            result.status_after_open = replies[0].status.value
            result.content_after_open = replies[0].content
            if result.status_after_open != MessageStatus.INTERRUPTED.value:
                result.problems.append(f"after the next start: {result.status_after_open}")
            if result.recovered < 1:
                result.problems.append("the next start recovered no interrupted reply")
            if result.content_after_open != result.saved:
                result.problems.append("the next start changed the reply's text")
        elif result.saved is not None:
            result.problems.append("the reply is not on the conversation's branch")
        self.snapshot = self.rows()


def describe(r: RunResult) -> str:
    margin = "-" if r.margin is None else f"{r.margin:+d}"
    state = "killed" if r.killed else f"exited {r.exit_code}"
    saved = "no reply" if r.saved is None else f"saved {len(r.saved)}"
    verdict = "ok" if not r.problems else "FAIL: " + " | ".join(r.problems)
    return (
        f"run {r.run:3d}  kill at {r.kill_after:4.2f} s  {state:9}  received "
        f"{len(r.received):4d}  {saved:10}  margin {margin:>5}  "
        f"{r.status_after_open or '-':11}  {verdict}"
    )


def kill_moments(seed: int, runs: int) -> list[float]:
    rng = random.Random(seed)
    return [round(rng.uniform(*KILL_WINDOW), 3) for _ in range(runs)]


def run_crash(
    runs: int,
    seed: int,
    data_dir: Path,
    *,
    tokens_per_second: float = 50.0,
    log: Any = None,
) -> tuple[list[RunResult], CrashHarness]:
    """The whole experiment against a fresh in-process dev server."""
    with DevServer() as server:
        harness = CrashHarness(data_dir, server.base_url, tokens_per_second, log=log)
        # Enough words that no stream can finish inside the kill window.
        harness.words = int(tokens_per_second * (KILL_WINDOW[1] + 2)) + 20
        harness.start()
        results = []
        for i, moment in enumerate(kill_moments(seed, runs), start=1):
            results.append(harness.run_once(i, moment))
            server.reset()  # forget the recorded requests (they grow with the conversation)
    return results, harness


def summary(results: list[RunResult], harness: CrashHarness, seed: int) -> dict[str, Any]:
    # The margin where the guarantee asked for some text (something had reached stdout
    # 500 ms before the kill); elsewhere it is just what was saved.
    margins = [r.margin for r in results if r.margin is not None and r.received_before]
    ages = harness.unsaved_ages_ms
    return {
        "bench": "crash",
        "runs": len(results),
        "integrity_ok": sum(r.integrity == "ok" for r in results),
        "earlier_intact": sum(r.earlier_intact for r in results),
        "kept_500ms_ok": sum(len(r.saved or "") >= len(r.received_before) for r in results),
        "interrupted_marked": sum(r.status_after_open == "interrupted" for r in results),
        "kills": sum(r.killed for r in results),
        "mid_answer": sum(r.mid_answer for r in results),
        "before_reply": sum(r.saved is None for r in results),
        "min_margin_chars": min(margins) if margins else None,
        "median_margin_chars": statistics.median(margins) if margins else None,
        "max_unsaved_age_ms": round(max(ages), 1) if ages else None,
        "median_unsaved_age_ms": round(statistics.median(ages), 1) if ages else None,
        "seed": seed,
        "failed_runs": [r.run for r in results if r.problems],
        "ok": not any(r.problems for r in results),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="kills (default 200)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the kill moments")
    parser.add_argument("--tokens-per-second", type=float, default=50.0)
    parser.add_argument("--data-dir", type=Path, default=None, help="keep the data here")
    parser.add_argument("--quiet", action="store_true", help="no line per run")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    print(f"seed {seed} (repeat with --seed {seed})", flush=True)

    def log(line: str) -> None:
        if not args.quiet:
            print(line, flush=True)

    with tempfile.TemporaryDirectory(prefix="grok-crash-") as tmp:
        data = args.data_dir or Path(tmp) / "data"
        started = time.monotonic()
        results, harness = run_crash(
            args.runs, seed, data, tokens_per_second=args.tokens_per_second, log=log
        )
        elapsed = time.monotonic() - started
    doc = summary(results, harness, seed)
    doc["seconds"] = round(elapsed, 1)
    print()
    print(f"runs                         {doc['runs']}  ({elapsed:.0f} s)")
    print(f"killed while running         {doc['kills']}")
    print(f"  of them mid-answer         {doc['mid_answer']}")
    print(f"  before the reply existed   {doc['before_reply']}")
    print(f"integrity_check ok           {doc['integrity_ok']}")
    print(f"earlier messages intact      {doc['earlier_intact']}")
    print(f"kept the text of -500 ms     {doc['kept_500ms_ok']}")
    print(f"marked interrupted on open   {doc['interrupted_marked']}")
    print(
        f"margin saved - received(-{GUARANTEE_S * 1000:.0f} ms)  min {doc['min_margin_chars']} "
        f"median {doc['median_margin_chars']} characters (runs where that was not empty)"
    )
    print(
        f"unsaved text at the kill     max {doc['max_unsaved_age_ms']} ms, "
        f"median {doc['median_unsaved_age_ms']} ms"
    )
    for r in results:
        if r.problems:
            print(describe(r))
    print(json.dumps(doc, separators=(",", ":")))
    return 0 if doc["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
