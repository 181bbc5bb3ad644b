"""End to end: the real app as a process on a real X server (Xvfb), typed into with xdotool,
answered by the local xAI server; the answer must end up in the store on disk.

Needs Xvfb and xdotool (installed by scripts/test when run as root); the screenshot is saved
under artifacts/e2e/ for people to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from grok_desktop.devserver import DevServer

pytestmark = [pytest.mark.xvfb, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "e2e"
TOOLS = ("Xvfb", "xdotool", "import")


def _missing_tools() -> list[str]:
    return [t for t in TOOLS if shutil.which(t) is None]


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    missing = _missing_tools()
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (scripts/test installs them as root)")
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as f:
        number = f.readline().strip()
    assert number, "Xvfb did not report a display"
    try:
        yield f":{number}"
    finally:
        xvfb.terminate()
        xvfb.wait(10)


def _x(display: str, *args: str, timeout: float = 20) -> str:
    env = dict(os.environ, DISPLAY=display)
    return subprocess.run(
        args, env=env, capture_output=True, text=True, timeout=timeout, check=True
    ).stdout


def _wait_for(predicate, timeout: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _stored_answer(db: Path, needle: str) -> tuple[str, str] | None:
    if not db.exists():
        return None
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        row = con.execute(
            "SELECT content, status FROM messages WHERE role = 'assistant' AND content LIKE ?",
            (f"%{needle}%",),
        ).fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        con.close()
    return (row[0], row[1]) if row and row[1] == "complete" else None


def test_type_question_press_enter_answer_is_stored(display: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    with DevServer() as server:
        env = dict(
            os.environ,
            DISPLAY=display,
            QT_QPA_PLATFORM="xcb",
            XAI_API_KEY="xai-e2e-test-key",
            GROK_DESKTOP_DATA_DIR=str(data),
            GROK_DESKTOP_BASE_URL=server.base_url,
        )
        app = subprocess.Popen(
            [sys.executable, "-m", "grok_desktop"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            window = _x(
                display, "xdotool", "search", "--sync", "--onlyvisible", "--name", "Grok Desktop"
            ).split()[0]
            _x(display, "xdotool", "windowfocus", "--sync", window)
            time.sleep(0.5)  # let the window settle its focus widget (the composer)
            _x(display, "xdotool", "type", "--delay", "15", "hello from xdotool")
            _x(display, "xdotool", "key", "Return")
            content, status = _wait_for(
                lambda: _stored_answer(data / "grok-desktop.sqlite3", "hello from xdotool"),
                30,
                "the answer in the store",
            )
            assert content.startswith("You said: hello from xdotool")
            assert status == "complete"
            time.sleep(0.5)  # the answer is drawn within a frame or two
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            _x(display, "import", "-window", "root", str(ARTIFACTS / "main-window.png"))
            title = _x(display, "xdotool", "getwindowname", window)
            assert "Grok Desktop" in title
            assert "hello from xdotool" in title  # the new conversation's title
            # The app icon reaches the window manager (taskbars, Alt+Tab) with several sizes.
            icon = _x(display, "xprop", "-id", window, "_NET_WM_ICON")
            sizes = re.findall(r"Icon \((\d+) x \d+\)", icon)
            assert {"16", "48"} <= set(sizes), icon[:200]
            _x(display, "xdotool", "windowfocus", "--sync", window)
            _x(display, "xdotool", "key", "ctrl+q")
            assert app.wait(20) == 0
        finally:
            if app.poll() is None:
                app.kill()
            output = app.communicate(timeout=10)[0]
        assert "Traceback" not in output, output
