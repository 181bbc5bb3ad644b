"""Memory: resident set size of the app, idle and with a big conversation open.

Each figure comes from a fresh interpreter (this file in a child mode), offscreen, built like
`grok_desktop.main.run_app` builds the app (demo off, XAI_API_KEY set, the base URL an
in-process dev server in THIS process, so the server's memory is not counted):

- bare:  a bare PySide6 QMainWindow with a QLabel (for reference, no target)
- idle:  the app on an empty history, 3 s after the window showed (model list loaded)
- big:   the app with a 1,000-message conversation (alternating user/assistant markdown with
         code blocks and tables, bench/ui_stream.py's fixture) opened, 3 s after opening

RSS is VmRSS from /proc/self/status after a gc.collect(); VmHWM (the peak) is shown too.
Targets: idle <= 150 MB, big <= 250 MB. Median of `--runs` children per variant.

    .venv/bin/python bench/memory.py [--runs 3]

Prints the figures, then ONE JSON line last.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGETS_MB = {"idle": 150.0, "big": 250.0}
API_KEY = "xai-bench-memory"
SETTLE_S = 3.0
RESULT = "MEMORY"


def status_mb() -> dict[str, float]:
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                out[key] = int(value.split()[0]) / 1024
    return out


# -- the children ---------------------------------------------------------------------------------


def _measure_later(app: Any, extra: dict[str, Any]) -> None:
    import gc

    from PySide6.QtCore import QTimer

    def measure() -> None:
        gc.collect()
        sys.stdout.write(f"{RESULT} {json.dumps({**status_mb(), **extra})}\n")
        sys.stdout.flush()
        app.quit()

    QTimer.singleShot(int(SETTLE_S * 1000), measure)


def child_bare() -> int:
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setCentralWidget(QLabel("Hello", window))
    window.resize(1100, 720)
    window.show()
    _measure_later(app, {})
    return app.exec()


def child_app(data_dir: str, base_url: str, conversation_id: str | None) -> int:
    import asyncio

    import qasync
    from PySide6.QtWidgets import QApplication

    from grok_desktop import main as app_main

    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    app_main._install_asyncgen_hooks(loop)
    args = argparse.Namespace(
        data_dir=data_dir, base_url=base_url, demo=False, allow_insecure_http=False
    )
    parts = app_main.build_parts(args, {"XAI_API_KEY": API_KEY})
    build_window = getattr(app_main, "build_window", None)
    if build_window is None:  # app versions without build_window: run_app's construction
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from ui_stream import _build_window as build_window
    window = build_window(parts)
    window.show()
    extra: dict[str, Any] = {}
    if conversation_id:
        app.processEvents()
        t0 = time.perf_counter()
        window.open_conversation(conversation_id)
        extra["open_ms"] = (time.perf_counter() - t0) * 1000
        extra["blocks"] = window.view.document().blockCount()
        extra["characters"] = window.view.document().characterCount()
    _measure_later(app, extra)
    with loop:
        loop.run_until_complete(_until_quit(app))
        window.chat.stop()
        loop.run_until_complete(parts.aclose())
        loop.run_until_complete(loop.shutdown_asyncgens())
    sys.set_asyncgen_hooks(None, None)
    return 0


async def _until_quit(app: Any) -> None:
    import asyncio

    done = asyncio.Event()
    app.aboutToQuit.connect(done.set)
    await done.wait()


# -- the parent -----------------------------------------------------------------------------------


def run_child(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT + " "):
            if proc.returncode != 0:
                raise RuntimeError(f"child {args} exited {proc.returncode}: {proc.stderr[-2000:]}")
            return dict(json.loads(line.split(" ", 1)[1]))
    raise RuntimeError(f"child {args} reported nothing (exit {proc.returncode}): {proc.stderr}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--messages", type=int, default=1000)
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        if args.child[0] == "bare":
            return child_bare()
        conversation = args.child[3] if len(args.child) > 3 else None
        return child_app(args.child[1], args.child[2], conversation)

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from grok_desktop.devserver import DevServer
    from grok_desktop.storage import DataPaths, Store
    from ui_stream import build_conversation

    root = Path(tempfile.mkdtemp(prefix="grok-bench-memory-"))
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GROK_DESKTOP_", "XAI_", "QT_", "DISPLAY", "WAYLAND"))
    }
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(root / "home"))
    (root / "home").mkdir()
    server = DevServer().start()
    try:
        empty, big = root / "empty", root / "big"
        Store.open(DataPaths.resolve(empty)).close()
        with Store.open(DataPaths.resolve(big)) as store:
            cid = build_conversation(store, args.messages, 1, "Big conversation")
        variants = {
            "bare": ["bare"],
            "idle": ["app", str(empty), server.base_url],
            "big": ["app", str(big), server.base_url, cid],
        }
        runs: dict[str, list[dict[str, Any]]] = {k: [] for k in variants}
        for _ in range(args.runs):
            for name, child_args in variants.items():
                runs[name].append(run_child(child_args, env))
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)

    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[name])

    print(f"median of {args.runs} fresh processes per variant (MB):")
    print(f"  {'variant':<6} {'VmRSS':>7} {'VmHWM':>7} {'anon':>7} {'file':>7}  target")
    for name in variants:
        target = TARGETS_MB.get(name)
        print(
            f"  {name:<6} {med(name, 'VmRSS'):>7.1f} {med(name, 'VmHWM'):>7.1f} "
            f"{med(name, 'RssAnon'):>7.1f} {med(name, 'RssFile'):>7.1f}  "
            + (f"<= {target:.0f}" if target else "-")
        )
    big_run = runs["big"][0]
    print(
        f"  (the big conversation: {args.messages:,} messages, the last 200 shown: "
        f"{big_run['blocks']:,} blocks, {big_run['characters']:,} characters; "
        f"opened in {med('big', 'open_ms'):.0f} ms)"
    )
    idle, big_mb = med("idle", "VmRSS"), med("big", "VmRSS")
    ok = idle <= TARGETS_MB["idle"] and big_mb <= TARGETS_MB["big"]
    print(f"targets met: {ok}")
    line = {
        "bench": "memory",
        "runs": args.runs,
        "messages": args.messages,
        "bare_rss_mb": round(med("bare", "VmRSS"), 1),
        "idle_rss_mb": round(idle, 1),
        "big_rss_mb": round(big_mb, 1),
        "idle_peak_mb": round(med("idle", "VmHWM"), 1),
        "big_peak_mb": round(med("big", "VmHWM"), 1),
        "big_open_ms": round(med("big", "open_ms"), 1),
        "targets_mb": TARGETS_MB,
        "targets_met": ok,
        "ok": ok,
    }
    print(json.dumps(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
