"""End to end: the real app as a process on a real X server (Xvfb), typed into with xdotool,
answered by the local xAI server; the answer must end up in the store on disk.

Needs Xvfb and xdotool (installed by scripts/test when run as root); the screenshot is saved
under artifacts/e2e/ for people to look at.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from xvfb import skip_without, stored_answer, wait_for, x, xvfb

from grok_desktop.devserver import DevServer

pytestmark = [pytest.mark.xvfb, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "e2e"
TOOLS = ("Xvfb", "xdotool", "import")


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    skip_without(*TOOLS)
    with xvfb() as number:
        yield number


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
            window = x(
                display, "xdotool", "search", "--sync", "--onlyvisible", "--name", "Grok Desktop"
            ).split()[0]
            x(display, "xdotool", "windowfocus", "--sync", window)
            time.sleep(0.5)  # let the window settle its focus widget (the composer)
            x(display, "xdotool", "type", "--delay", "15", "hello from xdotool")
            x(display, "xdotool", "key", "Return")
            content, status = wait_for(
                lambda: stored_answer(data / "grok-desktop.sqlite3", "hello from xdotool"),
                30,
                "the answer in the store",
            )
            assert content.startswith("You said: hello from xdotool")
            assert status == "complete"
            time.sleep(0.5)  # the answer is drawn within a frame or two
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            x(display, "import", "-window", "root", str(ARTIFACTS / "main-window.png"))
            title = x(display, "xdotool", "getwindowname", window)
            assert "Grok Desktop" in title
            assert "hello from xdotool" in title  # the new conversation's title
            # The app icon reaches the window manager (taskbars, Alt+Tab) with several sizes.
            icon = x(display, "xprop", "-id", window, "_NET_WM_ICON")
            sizes = re.findall(r"Icon \((\d+) x \d+\)", icon)
            assert {"16", "48"} <= set(sizes), icon[:200]
            x(display, "xdotool", "windowfocus", "--sync", window)
            x(display, "xdotool", "key", "ctrl+q")
            assert app.wait(20) == 0
        finally:
            if app.poll() is None:
                app.kill()
            output = app.communicate(timeout=10)[0]
        assert "Traceback" not in output, output
