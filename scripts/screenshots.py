#!/usr/bin/env python3
"""Screenshots of Grok Desktop for the README, made from the real app so they stay current.

    scripts/screenshots [--out DIR]        (or: .venv/bin/python scripts/screenshots.py ...)

Runs inside its own `dbus-run-session` (re-executing itself) with a private Xvfb
(1280x800x24, a free display from -displayfd) and the project's local xAI-compatible server
(`grok_desktop.devserver.DevServer`). A temporary data dir is filled with a few realistic
conversations and a month of usage (through the Store API), then the real app
(`python -m grok_desktop`, QT_QPA_PLATFORM=xcb) is driven with xdotool:

1. the newest conversation is opened (Ctrl+K, Enter)    -> main-window.png
2. Ctrl+Alt+Space opens Quick Ask, a question is typed  -> quick-ask.png
3. Ctrl+Shift+U in the main window opens the usage window -> usage-window.png

The PNGs go to docs/screenshots/ (or --out DIR). The app is quit with Ctrl+Q; Xvfb and the
server are stopped. Any failure (a missing tool, a timeout, an app that exits non-zero or
prints a traceback) ends the script with exit status 1 and a message saying what happened.
Needs Xvfb, xdotool and ImageMagick's `import` (scripts/test installs them as root).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from grok_desktop.devserver import DevServer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
import xvfb as xvfb_helpers  # noqa: E402  (the e2e tests' X and database helpers)

DEFAULT_OUT = ROOT / "docs" / "screenshots"
SCREEN = "1280x800x24"
BUS_MARKER = "GROK_SCREENSHOTS_IN_BUS"
MAIN_TITLE = "Grok Desktop"
QUICK_TITLE = "^Quick Ask — Grok Desktop$"
USAGE_TITLE = "^Usage — Grok Desktop$"
SHOTS = ("main-window.png", "quick-ask.png", "usage-window.png")
HOTKEY_REGISTERED = "opens Quick Ask from any application"
MODEL = "grok-4.3"
BUDGET_USD = 20.0
T = TypeVar("T")


class Failure(Exception):
    """Something went wrong: the message says what, for a person."""


def log(text: str) -> None:
    print(f"screenshots: {text}", file=sys.stderr, flush=True)


def wait_for(predicate: Callable[[], T | None], timeout: float, what: str) -> T:
    return xvfb_helpers.wait_for(predicate, timeout, what, step=0.1, error=Failure)


# -- tools ----------------------------------------------------------------------------------------


def find_import() -> str | None:
    """ImageMagick's `import` (/usr/bin first: /usr/local/bin may hold stand-ins)."""
    if os.access("/usr/bin/import", os.X_OK):
        return "/usr/bin/import"
    return shutil.which("import")


def check_tools() -> str:
    missing = [t for t in ("Xvfb", "xdotool") if shutil.which(t) is None]
    imp = find_import()
    if imp is None:
        missing.append("import (ImageMagick)")
    if missing:
        raise Failure(
            f"needs {', '.join(missing)}: apt-get install xvfb xdotool imagemagick "
            "(scripts/test installs them when run as root)"
        )
    assert imp is not None
    return imp


class X:
    """X client tools (xdotool, import) on one display."""

    def __init__(self, display: str, import_tool: str) -> None:
        self.display = display
        self.import_tool = import_tool
        self.env = dict(os.environ, DISPLAY=display)

    def run(self, *args: str, timeout: float = 20, check: bool = True) -> str:
        try:
            done = subprocess.run(
                args, env=self.env, capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired as exc:
            raise Failure(f"`{' '.join(args)}` did not finish within {timeout:g} s") from exc
        if check and done.returncode != 0:
            raise Failure(
                f"`{' '.join(args)}` failed (exit {done.returncode}): {done.stderr.strip()}"
            )
        return done.stdout

    def windows(self, name: str) -> list[str]:
        """Ids of mapped windows whose title matches the regular expression `name`."""
        return self.run("xdotool", "search", "--onlyvisible", "--name", name, check=False).split()

    def title(self, window: str) -> str:
        return self.run("xdotool", "getwindowname", window, check=False).strip()

    def focus(self, window: str) -> None:
        # No window manager on Xvfb: windowactivate fails; XSetInputFocus works.
        self.run("xdotool", "windowfocus", "--sync", window)

    def key(self, *keys: str) -> None:
        self.run("xdotool", "key", "--delay", "40", *keys)

    def type(self, text: str) -> None:
        self.run("xdotool", "type", "--delay", "12", text, timeout=60)

    def capture(self, window: str, path: Path) -> None:
        self.run(self.import_tool, "-window", window, str(path), timeout=30)


# -- processes ------------------------------------------------------------------------------------


@contextmanager
def xvfb(size: str = SCREEN, timeout: float = 15) -> Iterator[str]:
    """A fresh Xvfb on a free display; yields DISPLAY (":N")."""
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", size, "-nolisten", "tcp", "-noreset"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    os.close(write_fd)
    try:
        number = b""
        deadline = time.monotonic() + timeout
        while not number.endswith(b"\n"):
            left = deadline - time.monotonic()
            ready = select.select([read_fd], [], [], max(0.0, left))[0] if left > 0 else []
            if not ready:
                raise Failure(f"Xvfb did not report a display within {timeout:g} s")
            chunk = os.read(read_fd, 64)
            if not chunk:
                err = server.stderr.read().decode(errors="replace") if server.stderr else ""
                raise Failure(f"Xvfb exited before reporting a display: {err.strip()[-500:]}")
            number += chunk
        yield f":{number.decode().strip()}"
    finally:
        os.close(read_fd)
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)


class App:
    """`python -m grok_desktop` on the display, against the local server."""

    def __init__(self, display: str, base_url: str, data: Path, runtime: Path) -> None:
        self.data = data
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "GROK_DESKTOP_HOTKEY_BACKEND")
        }
        self.env.update(
            DISPLAY=display,
            QT_QPA_PLATFORM="xcb",
            XAI_API_KEY="xai-screenshots-key",
            GROK_DESKTOP_DATA_DIR=str(data),
            GROK_DESKTOP_BASE_URL=base_url,
            XDG_RUNTIME_DIR=str(runtime),
            XDG_CONFIG_HOME=str(runtime / "config"),
            XDG_CACHE_HOME=str(runtime / "cache"),
        )
        if os.environ.get(BUS_MARKER) != "1":
            # No private bus: an address that fails fast, so Qt does not autolaunch a
            # dbus-daemon that outlives the app.
            self.env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=/nonexistent/grok-screenshots-bus"
        self.proc: subprocess.Popen[str] | None = None
        self.output = ""

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "grok_desktop"],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def check_alive(self) -> None:
        if not self.alive():
            code = None if self.proc is None else self.proc.returncode
            raise Failure(f"the app exited early (exit {code}):\n{self.collect()}")

    def wait_until(self, predicate: Callable[[], T | None], timeout: float, what: str) -> T:
        def check() -> T | None:
            self.check_alive()
            return predicate()

        return wait_for(check, timeout, what)

    def log_text(self) -> str:
        path = self.data / "logs" / "grok-desktop.log"
        return path.read_text("utf-8", "replace") if path.exists() else ""

    def stored_answer(self, needle: str) -> tuple[str, str] | None:
        return xvfb_helpers.stored_answer(self.data / "grok-desktop.sqlite3", needle)

    def wait_exit(self, timeout: float) -> int:
        assert self.proc is not None
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired as exc:
            raise Failure(f"the app did not quit within {timeout:g} s after Ctrl+Q") from exc

    def collect(self) -> str:
        """Stop the app if it still runs; its output."""
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            try:
                self.output += self.proc.communicate(timeout=10)[0] or ""
            except subprocess.TimeoutExpired:
                pass
            self.proc = None
        return self.output


# -- data -----------------------------------------------------------------------------------------

SHOWCASE_TITLE = "Loading a huge CSV in Python"
SHOWCASE_QUESTION = (
    "What's the best way to load a 5 GB CSV in Python without running out of memory? "
    "I only need totals per region."
)
SHOWCASE_ANSWER = """\
## Reading a large CSV without loading it all

Reading the whole file at once needs several times its size in RAM. Stream it instead:

1. **Read in chunks** with `pandas.read_csv(..., chunksize=...)` and add up as you go.
2. **Load only the columns you need** (`usecols`) with compact `dtype`s.
3. **Or let Polars do it lazily**: `scan_csv()` streams the file and uses every core.

```python
import pandas as pd

totals = pd.Series(dtype="float64")
for chunk in pd.read_csv("sales.csv", usecols=["region", "amount"],
                         dtype={"region": "category"}, chunksize=1_000_000):
    totals = totals.add(chunk.groupby("region", observed=True)["amount"].sum(),
                        fill_value=0)
print(totals.sort_values(ascending=False))
```

| Approach | Peak memory | Time (5 GB) |
|---|---:|---:|
| `read_csv()` in one go | ~16 GB | 95 s |
| Chunks + `usecols` | ~0.5 GB | 60 s |
| Polars `scan_csv()` | ~0.3 GB | 9 s |

If you query the data often, convert it to **Parquet** once: later reads take seconds.
"""

QUICK_QUESTION = "git: how do I undo the last commit but keep my changes?"
QUICK_ANSWER = """\
Use a **soft reset**: it moves the branch back one commit and keeps your changes staged.

```bash
git reset --soft HEAD~1
```

- `git reset HEAD~1` (mixed, the default) keeps the changes but unstages them.
- Already pushed? Use `git revert HEAD` instead: it adds a new commit rather than rewriting \
history others may have pulled.
"""

#: (title, days ago, model, [(question, answer), ...]) -- older first; the showcase comes last.
CONVERSATIONS: list[tuple[str, int, str, list[tuple[str, str]]]] = [
    (
        "Sourdough starter not rising",
        27,
        "grok-3-mini",
        [
            (
                "My sourdough starter stopped rising after a week. What am I doing wrong?",
                "A week-old starter often goes quiet while the yeast takes over from the early "
                "bacteria. Keep feeding it twice a day at 1:1:1 (starter, flour, water by "
                "weight), keep it around 24-26 °C, and add a spoon of whole-grain rye flour.",
            ),
            (
                "How do I know when it's ready to bake with?",
                "When it reliably doubles within 4-8 hours of a feed, smells pleasantly sour "
                "and a spoonful floats in water.",
            ),
        ],
    ),
    (
        "Kubernetes liveness vs readiness probes",
        22,
        "grok-4.3",
        [
            (
                "What's the difference between liveness and readiness probes?",
                "A **liveness** probe answers *should this container be restarted?*; a "
                "**readiness** probe answers *should it get traffic right now?* A failing "
                "readiness probe only takes the pod out of the Service's endpoints.",
            )
        ],
    ),
    (
        "Compare PostgreSQL and SQLite for a desktop app",
        18,
        "grok-4.3",
        [
            (
                "For a desktop app with local history, PostgreSQL or SQLite?",
                "SQLite: it is a library, not a server, needs no setup, and one file is easy "
                "to back up. With WAL mode and FTS5 it handles millions of rows and full-text "
                "search comfortably.",
            )
        ],
    ),
    (
        "Docker compose healthcheck",
        13,
        "grok-code-fast-1",
        [
            (
                "How do I make a compose service wait until Postgres is healthy?",
                "Give `db` a `healthcheck` running `pg_isready`, then in the app service use "
                "`depends_on: {db: {condition: service_healthy}}`.",
            ),
            (
                "And for Redis?",
                'Use `test: ["CMD", "redis-cli", "ping"]` as the healthcheck.',
            ),
        ],
    ),
    (
        "Birthday message for a colleague",
        9,
        "grok-3-mini",
        [
            (
                "Write a short, warm birthday message for a colleague who just joined the team.",
                "Happy birthday, Sam! It's been great having you on the team these past weeks "
                "- here's to a fantastic year ahead, inside and outside the office.",
            )
        ],
    ),
    (
        "Bash: rename photos by date taken",
        6,
        "grok-code-fast-1",
        [
            (
                "Rename all JPEGs in a folder to the date they were taken.",
                "With exiftool: `exiftool '-FileName<DateTimeOriginal' -d "
                "'%Y-%m-%d_%H%M%S%%-c.%%e' *.jpg`. The `%-c` suffix keeps photos taken in "
                "the same second apart.",
            )
        ],
    ),
    (
        "Summary of “Attention Is All You Need”",
        4,
        "grok-4.3",
        [
            (
                "Summarise the Transformer paper in five bullet points.",
                "- Replaces recurrence with self-attention.\n- Multi-head attention looks at "
                "several representation subspaces at once.\n- Positional encodings give "
                "word order.\n- Trains much faster in parallel.\n- Set a new state of the art "
                "in machine translation.",
            )
        ],
    ),
    (
        "SQL: find duplicate rows",
        2,
        "grok-4.3",
        [
            (
                "How do I find duplicate emails in a users table?",
                "`SELECT email, COUNT(*) FROM users GROUP BY email HAVING COUNT(*) > 1;`",
            )
        ],
    ),
    (
        "Rust lifetimes, simply",
        1,
        "grok-4.3",
        [
            (
                "Explain Rust lifetimes like I'm a Python developer.",
                "A lifetime is the compiler's name for *how long a reference stays valid*. "
                "Python keeps objects alive for as long as anything points at them; Rust "
                "instead checks at compile time that no reference outlives the value it "
                "borrows.",
            )
        ],
    ),
    (
        "Three days in Lisbon",
        1,
        "grok-3-mini",
        [
            (
                "Plan three relaxed days in Lisbon in December.",
                "Day 1: Alfama and the castle, fado in the evening. Day 2: Belém (the tower, "
                "the monastery, pastéis de nata). Day 3: a day trip to Sintra.",
            )
        ],
    ),
    (
        "Regex for ISO 8601 dates",
        0,
        "grok-code-fast-1",
        [
            (
                "A regex that matches ISO 8601 dates like 2026-12-02?",
                r"`^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$` - it checks the shape, "
                "not whether the day exists in that month.",
            )
        ],
    ),
]

FOLLOW_UPS = [
    ("Can you make that shorter?", "Sure - here's a shorter version."),
    ("Thanks! One more thing: what about edge cases?", "Good question; three to watch for."),
    ("Can you give me an example?", "Here's a small, complete example."),
    ("Why is that faster?", "Mostly because it avoids copying the data twice."),
]


@dataclass
class Clock:
    """The store's clock, moved by hand so that replies land on chosen days."""

    ms: int = 0

    def __call__(self) -> int:
        return self.ms

    def set(self, moment: datetime) -> None:
        self.ms = int(moment.timestamp() * 1000)


def seed(data: Path) -> None:
    """Conversations and a month of usage, through the Store API."""
    from grok_desktop.devserver import DEFAULT_MODELS
    from grok_desktop.devserver.reply import Counts, cost_in_usd_ticks
    from grok_desktop.domain.content import Role
    from grok_desktop.domain.pricing import Cost, CostSource
    from grok_desktop.domain.usage import TICKS_PER_USD, Usage
    from grok_desktop.storage.paths import DataPaths
    from grok_desktop.storage.settings import Settings
    from grok_desktop.storage.store import Store

    specs = {m.id: m for m in DEFAULT_MODELS}
    rng = random.Random(8)
    now = datetime.now().astimezone().replace(microsecond=0)
    midnight = now.replace(hour=0, minute=0, second=0)

    def usage_for(model: str, context_tokens: int, answer: str) -> tuple[Usage, Cost]:
        spec = specs[model]
        prompt = context_tokens + rng.randint(400, 2500)
        cached = int(prompt * rng.uniform(0.4, 0.8)) if context_tokens else 0
        completion = max(60, len(answer) // 4) + rng.randint(200, 900)
        reasoning = 0 if spec.reasoning == "none" else rng.randint(150, 1800)
        counts = Counts(prompt, 0, cached, completion, reasoning)
        ticks = cost_in_usd_ticks(spec, counts)
        usage = Usage(prompt, completion, reasoning, cached, 0, counts.total, ticks)
        return usage, Cost(Decimal(ticks) / TICKS_PER_USD, CostSource.SERVER)

    def moment(days_ago: int, minutes_ago: int = 0) -> datetime:
        if days_ago == 0:
            return now - timedelta(minutes=minutes_ago)
        day = midnight - timedelta(days=days_ago)
        return day + timedelta(hours=rng.randint(9, 18), minutes=rng.randint(0, 59))

    paths = DataPaths.resolve(data)
    paths.ensure()
    settings = Settings.load(paths.settings)
    settings.set("default_model", MODEL)
    settings.set("monthly_budget_usd", BUDGET_USD)
    # (when, conversation key, title, model, question, answer): sorted by time before they
    # are stored, since the store's clock only moves forward.
    turns: list[tuple[datetime, str, str, str, str, str]] = []
    # Background work on most days of the last month (in a conversation not shown), so the
    # usage charts have a realistic shape: busier on weekdays, quiet at weekends.
    for days_ago in range(29, -1, -1):
        weekday = (now - timedelta(days=days_ago)).weekday()
        for _ in range(rng.randint(0, 2) if weekday >= 5 else rng.randint(2, 9)):
            model = rng.choice([MODEL, MODEL, "grok-code-fast-1", "grok-3-mini"])
            question, answer = rng.choice(FOLLOW_UPS)
            turns.append(
                (
                    moment(days_ago, rng.randint(130, 400)),
                    "work",
                    "Code review notes",
                    model,
                    question,
                    answer,
                )
            )
    for title, days_ago, model, pairs in CONVERSATIONS:
        at = moment(days_ago, minutes_ago=rng.randint(50, 120))
        for question, answer in pairs:
            turns.append((at, title, title, model, question, answer))
            at += timedelta(minutes=rng.randint(1, 6))
    at = now - timedelta(minutes=3)
    turns.append((at, "showcase", SHOWCASE_TITLE, MODEL, SHOWCASE_QUESTION, SHOWCASE_ANSWER))
    turns.sort(key=lambda t: t[0])

    clock = Clock()
    clock.set(turns[0][0] - timedelta(minutes=1))
    ids: dict[str, str] = {}
    context: dict[str, int] = {}
    with Store.open(paths, clock_ms=clock) as store:
        for at, key, title, model, question, answer in turns:
            clock.set(at)
            if key not in ids:
                ids[key] = store.create_conversation(title, model).id
            store.add_message(ids[key], Role.USER, question)
            clock.set(at + timedelta(seconds=rng.randint(4, 40)))
            usage, cost = usage_for(model, context.get(key, 0), answer)
            store.add_message(ids[key], Role.ASSISTANT, answer, model=model, usage=usage, cost=cost)
            used = usage.prompt_tokens + usage.completion_tokens
            context[key] = min(30_000, context.get(key, 0) + used)


# -- screenshots ----------------------------------------------------------------------------------


#: A change no bigger than this between two captures is a blinking text cursor, not drawing.
CURSOR_BOX = (4, 48)


def _settled(previous: Path, current: Path) -> bool:
    from PIL import Image, ImageChops

    try:
        with Image.open(previous) as a, Image.open(current) as b:
            if a.size != b.size:
                return False
            box = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).getbbox()
    except OSError:
        return False
    if box is None:
        return True
    return box[2] - box[0] <= CURSOR_BOX[0] and box[3] - box[1] <= CURSOR_BOX[1]


def capture_settled(x: X, window: str, path: Path, timeout: float = 20) -> None:
    """Capture `window` until two captures in a row are the same but for a blinking cursor
    (the window is drawn and nothing moves any more); the last one is kept at `path`."""
    previous = path.with_name(path.stem + ".previous.png")
    deadline = time.monotonic() + timeout
    try:
        x.capture(window, previous)
        while True:
            time.sleep(0.3)
            x.capture(window, path)
            if _settled(previous, path):
                return
            if time.monotonic() >= deadline:
                raise Failure(f"{path.name}: the window kept changing for {timeout:g} s")
            path.replace(previous)
    finally:
        previous.unlink(missing_ok=True)


def check_png(path: Path) -> str:
    from PIL import Image

    with Image.open(path) as image:
        width, height = image.size
        colors = image.convert("RGB").getcolors(maxcolors=1 << 16)
    distinct = len(colors) if colors is not None else 1 << 16
    if width < 300 or height < 150 or distinct < 16:
        raise Failure(f"{path} looks wrong: {width}x{height}, {distinct} colors")
    return f"{width}x{height}"


def drive(x: X, app: App, server: DevServer, out: Path) -> None:
    from grok_desktop.devserver import Script

    app.start()
    main = app.wait_until(lambda: x.windows(f"^{MAIN_TITLE}$"), 40, "the main window")[0]
    app.wait_until(
        lambda: HOTKEY_REGISTERED in app.log_text(), 20, "the global shortcut to be registered"
    )

    # 1. The main window with the newest conversation open.
    x.focus(main)
    time.sleep(0.5)  # the window settles its focus widget
    x.key("ctrl+k", "Return")
    app.wait_until(lambda: x.title(main).startswith(SHOWCASE_TITLE), 15, "the conversation to open")
    time.sleep(0.5)
    x.key("ctrl+l")  # the cursor back in the message box, as after sending
    capture_settled(x, main, out / "main-window.png")
    log(f"main-window.png ({check_png(out / 'main-window.png')})")

    # 2. Quick Ask from the global shortcut, with an answer.
    server.enqueue(Script(text=QUICK_ANSWER, tokens_per_second=300.0))
    x.key("ctrl+alt+space")
    quick = app.wait_until(lambda: x.windows(QUICK_TITLE), 10, "Quick Ask to open")[0]
    app.wait_until(
        lambda: x.run("xdotool", "getwindowfocus", check=False).strip() == quick,
        5,
        "the keyboard focus in Quick Ask",
    )
    x.type(QUICK_QUESTION)
    x.key("Return")
    app.wait_until(lambda: app.stored_answer("git reset --soft"), 30, "the Quick Ask answer")
    time.sleep(0.5)  # the last frame of the streamed answer
    capture_settled(x, quick, out / "quick-ask.png")
    log(f"quick-ask.png ({check_png(out / 'quick-ask.png')})")
    x.key("Escape")
    app.wait_until(lambda: not x.windows(QUICK_TITLE), 10, "Quick Ask to hide")

    # 3. The usage window.
    x.focus(main)
    x.key("ctrl+shift+u")
    usage = app.wait_until(lambda: x.windows(USAGE_TITLE), 10, "the usage window")[0]
    time.sleep(0.5)  # the report is computed off the UI thread
    capture_settled(x, usage, out / "usage-window.png")
    log(f"usage-window.png ({check_png(out / 'usage-window.png')})")

    # Quit cleanly.
    x.focus(usage)
    x.key("Escape")
    app.wait_until(lambda: not x.windows(USAGE_TITLE), 10, "the usage window to close")
    x.focus(main)
    x.key("ctrl+q")
    code = app.wait_exit(20)
    output = app.collect()
    if code != 0:
        raise Failure(f"the app exited with {code} after Ctrl+Q:\n{output}")
    if "Traceback" in output:
        raise Failure(f"the app printed a traceback:\n{output}")
    if output.strip():
        log("the app said:\n" + output.rstrip())


def run(out: Path) -> None:
    import_tool = check_tools()
    from grok_desktop.devserver import DevServer, Script

    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gd-shots-")))
        data, runtime, shots = work / "data", work / "run", work / "shots"
        runtime.mkdir(mode=0o700)
        shots.mkdir()
        log("seeding a data dir with conversations and a month of usage")
        seed(data)
        display = stack.enter_context(xvfb())
        log(f"Xvfb on {display}")
        server = stack.enter_context(DevServer(default_script=Script(tokens_per_second=300.0)))
        app = App(display, server.base_url, data, runtime)
        stack.callback(app.collect)
        drive(X(display, import_tool), app, server, shots)
        # Only a complete, clean run replaces the pictures.
        out.mkdir(parents=True, exist_ok=True)
        for name in SHOTS:
            shutil.move(shots / name, out / name)


def in_private_bus(argv: list[str], timeout: float) -> int:
    """Run this script again inside `dbus-run-session` (a private session bus for the app and
    all it starts, gone afterwards), in its own process group so a timeout ends all of it."""
    env = dict(os.environ, **{BUS_MARKER: "1"})
    command = ["dbus-run-session", "--", sys.executable, str(Path(__file__).resolve()), *argv]
    child = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, start_new_session=True)

    def forward() -> None:  # all but dbus-daemon's harmless complaint when run as root
        assert child.stderr is not None
        for line in child.stderr:
            if b"Failed to set fd limit" not in line:
                sys.stderr.buffer.write(line)
                sys.stderr.buffer.flush()

    reader = threading.Thread(target=forward, daemon=True)
    reader.start()
    try:
        code = child.wait(timeout)
    except (subprocess.TimeoutExpired, KeyboardInterrupt) as exc:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, sig)
            try:
                child.wait(5)
                break
            except subprocess.TimeoutExpired:
                continue
        reader.join(2)
        if isinstance(exc, KeyboardInterrupt):
            log("interrupted")
            return 130
        log(f"error: gave up after {timeout:g} s in all (--timeout)")
        return 1
    reader.join(5)
    return code


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(
        prog="scripts/screenshots", description=__doc__.split("\n\n")[0] if __doc__ else None
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--timeout", type=float, default=240, help="give up after this many seconds in all"
    )
    args = parser.parse_args(argv)
    if os.environ.get(BUS_MARKER) is None and shutil.which("dbus-run-session"):
        return in_private_bus(argv, args.timeout)
    try:
        import PIL  # noqa: F401

        import grok_desktop.devserver  # noqa: F401
    except ImportError as exc:
        log(f"error: {exc}: run scripts/screenshots, or this file with .venv/bin/python")
        return 1
    signal.signal(signal.SIGTERM, lambda _sig, _frame: sys.exit(143))  # clean up, then go
    started = time.monotonic()
    try:
        run(args.out.resolve())
    except Failure as exc:
        log(f"error: {exc}")
        return 1
    log(f"done in {time.monotonic() - started:.1f} s: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
