"""Shared helpers for tests on a real X server: start Xvfb on a free display (-displayfd), run
X client tools against it, start a private D-Bus session bus, wait for conditions.

Imported by the e2e tests, tests/unit/platform/test_hotkeys_x11.py and scripts/screenshots.py
(which add this folder to sys.path; pytest is imported only where a test skips, so the script
needs no test packages). Tests skip only when the tools are missing; scripts/test installs them
when run as root.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def missing(tools: Sequence[str]) -> list[str]:
    return [t for t in tools if shutil.which(t) is None]


def skip_without(*tools: str) -> None:
    gone = missing(tools)
    if gone:
        import pytest

        pytest.skip(f"needs {', '.join(gone)} (scripts/test installs them as root)")


@contextmanager
def xvfb(size: str = "1280x800x24") -> Iterator[str]:
    """A fresh Xvfb; yields its DISPLAY (":N"). -noreset: by default the server resets when
    its last client disconnects, and a client connecting during that reset is dropped."""
    skip_without("Xvfb")
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", size, "-nolisten", "tcp", "-noreset"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as f:
        number = f.readline().strip()
    try:
        assert number, "Xvfb did not report a display"
        yield f":{number}"
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)


@contextmanager
def session_bus() -> Iterator[str]:
    """A private D-Bus session bus (dbus-daemon); yields its address."""
    skip_without("dbus-daemon")
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert daemon.stdout is not None
    address = daemon.stdout.readline().strip()
    try:
        assert address, "dbus-daemon did not print its address"
        yield address
    finally:
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(10)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait(10)


def x(display: str, *args: str, timeout: float = 20, check: bool = True) -> str:
    """Run an X client (xdotool, import) on `display`; its stdout."""
    env = dict(os.environ, DISPLAY=display)
    return subprocess.run(
        args, env=env, capture_output=True, text=True, timeout=timeout, check=check
    ).stdout


def wait_for(
    predicate: Callable[[], T | None],
    timeout: float,
    what: str,
    step: float = 0.05,
    error: type[Exception] = AssertionError,
) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise error(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(step)


def stored_answer(db: Path, needle: str) -> tuple[str, str] | None:
    """(content, status) of a complete assistant reply containing `needle`, read from the
    app's database on disk (read-only) as another process sees it."""
    if not db.exists():
        return None
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        row = con.execute(
            "SELECT content, status FROM messages WHERE role = 'assistant' "
            "AND status = 'complete' AND content LIKE ?",
            (f"%{needle}%",),
        ).fetchone()
    except sqlite3.OperationalError:  # the app is still creating the schema
        return None
    finally:
        con.close()
    return (row[0], row[1]) if row else None


def visible_windows(display: str, name: str) -> list[str]:
    """Ids of mapped windows whose title matches the regular expression `name`."""
    out = x(display, "xdotool", "search", "--onlyvisible", "--name", name, check=False)
    return out.split()
