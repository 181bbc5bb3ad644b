"""Startup: time to the first paint of the main window, against a bare PySide6 window.

Every run is a fresh interpreter (this file in a child mode), offscreen, started by this
process; the time is from just before the child is spawned until the child has finished its
first paint of the main window (an event filter on the window sees its first Paint event,
then a zero timer fires once that paint, children included, is done; the child prints the
wall-clock time and quits). Variants, interleaved run by run, one warm-up round discarded:

- bare:  QApplication + QMainWindow(1100x720) with a QLabel, show()
- empty: the real app (`grok_desktop.cli.main`, exactly what `grok-desktop` runs) with an
         existing data folder (model list cached, as a previous session leaves it) and no
         conversations
- 10k:   the real app with 10,000 conversations (30,000 messages; built once, straight into
         the store's schema, by bench/history.py's builder)
- first: the real app on a new, empty data folder (creates the database; no target)

Target: median(app) / median(bare) <= 1.3 for empty and 10k. XAI_API_KEY is set and the
base URL is an in-process dev server, so no keyring lookup and no network wait is counted
(the model list loads after the first paint anyway).

    .venv/bin/python bench/startup.py [--runs 7] [--profile]

`--profile` also runs the app once under cProfile (child start -> first paint) and prints
the biggest costs. Prints the figures, then ONE JSON line last.
"""

from __future__ import annotations

import os
import sys
import time

_CHILD_T0 = time.time()  # first thing: when this interpreter started running our code

import argparse  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

TARGET_RATIO = 1.3
API_KEY = "xai-bench-startup"
PAINTED = "PAINTED"


# -- the children ---------------------------------------------------------------------------------


def _first_paint_hook(window: Any, on_done: Any) -> None:
    """Call on_done() once the window's first paint (children included) has completed."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        seen = False

        def eventFilter(self, obj: Any, event: Any) -> bool:
            if not self.seen and event.type() == QEvent.Type.Paint:
                self.seen = True
                # The whole backing-store sync (this window and its children) runs inside the
                # current event; a zero timer fires after it.
                QTimer.singleShot(0, on_done)
            return False

    hook = FirstPaint(window)
    window.installEventFilter(hook)
    window._bench_first_paint = hook  # keep it alive


def _report(extra: dict[str, float]) -> None:
    now = time.time()
    marks = {"painted": now, "child_t0": _CHILD_T0, "cpu": time.process_time(), **extra}
    sys.stdout.write(f"{PAINTED} {json.dumps(marks)}\n")
    sys.stdout.flush()


def child_bare() -> int:
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    imported = time.time()
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setCentralWidget(QLabel("Hello", window))
    window.resize(1100, 720)

    def done() -> None:
        _report({"imported": imported})
        app.quit()

    _first_paint_hook(window, done)
    window.show()
    return app.exec()


def child_app(data_dir: str, base_url: str) -> int:
    profile = os.environ.get("GROK_BENCH_PROFILE")
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile(time.process_time)  # CPU time: robust on a busy machine
        profiler.enable()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from grok_desktop import cli
    from grok_desktop.ui.main_window import MainWindow

    imported = time.time()
    original_show = MainWindow.show
    marks: dict[str, float] = {"imported": imported}

    def show(self: Any) -> None:
        marks["show"] = time.time()

        def done() -> None:
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(profile)
            _report(marks)
            QTimer.singleShot(0, self.close)  # the app's own shutdown path
            QTimer.singleShot(5000, QApplication.quit)

        _first_paint_hook(self, done)
        original_show(self)

    MainWindow.show = show  # type: ignore[method-assign]
    return cli.main(["--data-dir", data_dir, "--base-url", base_url])


# -- the parent -----------------------------------------------------------------------------------


def build_fixtures(root: Path, conversations: int, messages: int) -> dict[str, Path]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "app"))
    import history  # bench/history.py: the big-history builder
    from grok_desktop.storage import DataPaths, Store

    empty = root / "empty"
    Store.open(DataPaths.resolve(empty)).close()
    big = root / "big"
    t0 = time.perf_counter()
    history.build(DataPaths.resolve(big), conversations, messages)
    with Store.open(DataPaths.resolve(big)) as store:
        count = store.count_conversations()
    size = (big / "grok-desktop.sqlite3").stat().st_size / 1e6
    print(
        f"built {count:,} conversations / {messages:,} messages ({size:.0f} MB) in "
        f"{time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    return {"empty": empty, "10k": big}


def cache_model_list(data_dir: Path, base_url: str) -> None:
    """What a previous session leaves: the model list with prices in `cache/` (the app then
    refreshes it after its first paint; without it the app asks at once, as on a first run,
    and the child here quits at its first paint, before an answer could be cached)."""
    import asyncio

    from grok_desktop.api.client import XaiClient
    from grok_desktop.services.catalog import ModelCatalog
    from grok_desktop.storage import DataPaths

    async def fetch() -> None:
        catalog = ModelCatalog(DataPaths.resolve(data_dir).cache / "language-models.json", base_url)
        async with XaiClient(base_url=base_url, api_key=API_KEY) as client:
            await catalog.refresh(client, force=True)

    asyncio.run(fetch())


def run_child(args: list[str], env: dict[str, str], timeout: float = 60) -> dict[str, float]:
    started = time.time()
    proc = subprocess.Popen(
        [sys.executable, __file__, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        result: dict[str, float] | None = None
        deadline = time.monotonic() + timeout
        for line in proc.stdout:
            if line.startswith(PAINTED + " "):
                result = json.loads(line.split(" ", 1)[1])
                break
            if time.monotonic() > deadline:
                break
        rc = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise RuntimeError(f"child {args} did not exit") from None
    stderr = proc.stderr.read() if proc.stderr else ""
    if result is None:
        raise RuntimeError(f"child {args} never painted (exit {rc}): {stderr[-2000:]}")
    if rc != 0:
        raise RuntimeError(f"child {args} exited {rc}: {stderr[-2000:]}")
    return {
        "total_ms": (result["painted"] - started) * 1000,
        "interpreter_ms": (result["child_t0"] - started) * 1000,
        "import_ms": (result["imported"] - result["child_t0"]) * 1000,
        "to_show_ms": (result.get("show", result["imported"]) - result["imported"]) * 1000,
        "show_to_paint_ms": (result["painted"] - result.get("show", result["imported"])) * 1000,
        "cpu_ms": result["cpu"] * 1000,
    }


def load_avg() -> float:
    return os.getloadavg()[0]


def profile_once(data_dir: Path, base_url: str, env: dict[str, str], out: Path) -> None:
    import pstats

    env = dict(env, GROK_BENCH_PROFILE=str(out))
    run_child(["--child", "app", str(data_dir), base_url], env)
    stats = pstats.Stats(str(out))
    print("\ncProfile (CPU time) of one app start, child start -> first paint, by cumulative:")
    stats.sort_stats("cumulative").print_stats(40)
    print("by own time:")
    stats.sort_stats("tottime").print_stats(15)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--runs", type=int, default=7, help="measured runs per variant")
    ap.add_argument("--conversations", type=int, default=10_000)
    ap.add_argument("--messages", type=int, default=30_000)
    ap.add_argument("--profile", action="store_true", help="also profile one app start")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        if args.child[0] == "bare":
            return child_bare()
        return child_app(args.child[1], args.child[2])

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "app"))
    from grok_desktop.devserver import DevServer

    root = Path(tempfile.mkdtemp(prefix="grok-bench-startup-"))
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GROK_DESKTOP_", "XAI_", "QT_", "DISPLAY", "WAYLAND"))
    }
    env.update(QT_QPA_PLATFORM="offscreen", XAI_API_KEY=API_KEY, HOME=str(root / "home"))
    (root / "home").mkdir()
    server = DevServer().start()
    try:
        dirs = build_fixtures(root, args.conversations, args.messages)
        for folder in dirs.values():  # a returning user has the model list cached
            cache_model_list(folder, server.base_url)
        variants: dict[str, Any] = {
            "bare": lambda: ["--child", "bare"],
            "empty": lambda: ["--child", "app", str(dirs["empty"]), server.base_url],
            "10k": lambda: ["--child", "app", str(dirs["10k"]), server.base_url],
            "first": lambda: [
                "--child",
                "app",
                tempfile.mkdtemp(prefix="first-", dir=root),
                server.base_url,
            ],
        }
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
        loads = [load_avg()]
        for n in range(args.runs + 1):  # round 0: warm-up (page cache, model-list cache)
            for name, make in variants.items():
                r = run_child(make(), env)
                if n:
                    runs[name].append(r)
            loads.append(load_avg())
            if n == 0:
                print(f"warm-up round done; load average {loads[-1]:.2f}", flush=True)
            else:
                times = ", ".join(f"{k} {runs[k][-1]['total_ms']:.0f}" for k in variants)
                print(f"round {n}: {times} ms; load average {loads[-1]:.2f}", flush=True)
        if args.profile:
            profile_once(dirs["10k"], server.base_url, env, root / "app.prof")
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)

    def med(name: str, key: str = "total_ms") -> float:
        return statistics.median(r[key] for r in runs[name])

    print(
        f"\nmedians of {args.runs} runs (ms; wall time from spawning the child to its first "
        "paint; CPU = the child's CPU time until then, less sensitive to other load):"
    )
    print(
        f"  {'variant':<8} {'total':>7} {'min':>7} {'max':>7} {'interp.':>8} {'imports':>8} "
        f"{'->show':>7} {'show->paint':>12} {'ratio':>6} {'CPU':>6} {'CPU ratio':>9}"
    )
    bare = med("bare")
    cpu_bare = med("bare", "cpu_ms")
    for name in variants:
        totals = [r["total_ms"] for r in runs[name]]
        ratio = med(name) / bare
        print(
            f"  {name:<8} {med(name):>7.0f} {min(totals):>7.0f} {max(totals):>7.0f} "
            f"{med(name, 'interpreter_ms'):>8.0f} {med(name, 'import_ms'):>8.0f} "
            f"{med(name, 'to_show_ms'):>7.0f} {med(name, 'show_to_paint_ms'):>12.0f} "
            f"{ratio:>6.2f} {med(name, 'cpu_ms'):>6.0f} {med(name, 'cpu_ms') / cpu_bare:>9.2f}"
        )
    ratio_empty = med("empty") / bare
    ratio_10k = med("10k") / bare
    ok = ratio_empty <= TARGET_RATIO and ratio_10k <= TARGET_RATIO
    print(
        f"\nratio empty {ratio_empty:.2f}, 10k {ratio_10k:.2f} (target <= {TARGET_RATIO}): "
        f"{'met' if ok else 'NOT met'}; load average {min(loads):.2f}..{max(loads):.2f} "
        f"on {os.cpu_count()} cores"
    )
    line = {
        "bench": "startup",
        "runs": args.runs,
        "bare_ms": round(bare, 1),
        "empty_ms": round(med("empty"), 1),
        "conversations_10k_ms": round(med("10k"), 1),
        "first_run_ms": round(med("first"), 1),
        "ratio_empty": round(ratio_empty, 3),
        "ratio_10k": round(ratio_10k, 3),
        "ratio_first_run": round(med("first") / bare, 3),
        "cpu_ms": {k: round(med(k, "cpu_ms"), 1) for k in variants},
        "cpu_ratio_empty": round(med("empty", "cpu_ms") / cpu_bare, 3),
        "cpu_ratio_10k": round(med("10k", "cpu_ms") / cpu_bare, 3),
        "import_ms": {k: round(med(k, "import_ms"), 1) for k in variants},
        "to_show_ms": {k: round(med(k, "to_show_ms"), 1) for k in variants},
        "show_to_paint_ms": {k: round(med(k, "show_to_paint_ms"), 1) for k in variants},
        "load_avg_max": round(max(loads), 2),
        "target_ratio": TARGET_RATIO,
        "targets_met": ok,
        "ok": ok,
    }
    print(json.dumps(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
