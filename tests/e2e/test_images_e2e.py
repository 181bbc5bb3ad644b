"""End to end with images: the real app as a process on Xvfb. A PNG put on the X clipboard
with xclip is pasted with Ctrl+V (xdotool) into the composer, a question typed, Enter; and a
region of the screen captured with Ctrl+Shift+S and a mouse drag. The local xAI server must
have seen each image at its pixel size, and the store on disk must hold it as an attachment.

Needs Xvfb, xdotool, xclip and ImageMagick's `import` (scripts/test installs them as root);
skipped only when one is missing. Screenshots go to artifacts/e2e/ for people to look at.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from xvfb import skip_without, wait_for, x, xvfb

from grok_desktop.devserver import DevServer

pytestmark = [pytest.mark.xvfb, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "e2e"
TOOLS = ("Xvfb", "xdotool", "xclip", "import")


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    skip_without(*TOOLS)
    with xvfb() as number:
        yield number


def stored(db: Path, needle: str) -> tuple[str, list[tuple[int, int, str]]] | None:
    """(answer, [(width, height, mime) of the question's images]) once the answer is complete."""
    if not db.exists():
        return None
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        row = con.execute(
            "SELECT content, status, parent_id FROM messages "
            "WHERE role = 'assistant' AND content LIKE ?",
            (f"%{needle}%",),
        ).fetchone()
        if not row or row[1] != "complete":
            return None
        images = con.execute(
            "SELECT a.width, a.height, a.mime FROM message_attachments AS ma "
            "JOIN attachments AS a ON a.sha256 = ma.sha256 WHERE ma.message_id = ? "
            "ORDER BY ma.position",
            (row[2],),
        ).fetchall()
    except sqlite3.OperationalError:
        return None
    finally:
        con.close()
    return row[0], [tuple(i) for i in images]


class App:
    """The app process against a local server, on `display`, in its own D-Bus session."""

    def __init__(self, display: str, data: Path, server: DevServer) -> None:
        self.display = display
        self.data = data
        env = dict(
            os.environ,
            DISPLAY=display,
            QT_QPA_PLATFORM="xcb",
            XAI_API_KEY="xai-e2e-test-key",
            GROK_DESKTOP_DATA_DIR=str(data),
            GROK_DESKTOP_BASE_URL=server.base_url,
        )
        env.pop("WAYLAND_DISPLAY", None)
        env["XDG_SESSION_TYPE"] = "x11"
        command = [sys.executable, "-m", "grok_desktop"]
        if shutil.which("dbus-run-session") and not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
            command = ["dbus-run-session", "--", *command]  # no stray autolaunched bus
        self.proc = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.window = x(
            display, "xdotool", "search", "--sync", "--onlyvisible", "--name", "Grok Desktop"
        ).split()[0]

    def focus(self) -> None:
        x(self.display, "xdotool", "windowfocus", "--sync", self.window)
        time.sleep(0.5)  # let the window settle its focus widget (the composer)

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        x(self.display, "import", "-window", "root", str(ARTIFACTS / name))

    def quit(self) -> str:
        try:
            self.focus()
            x(self.display, "xdotool", "key", "ctrl+q")
            assert self.proc.wait(20) == 0
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            output = self.proc.communicate(timeout=10)[0]
        return output


def picture(path: Path, size: tuple[int, int]) -> Path:
    image = Image.new("RGB", size, (30, 90, 200))
    draw = ImageDraw.Draw(image)
    draw.ellipse((size[0] // 4, size[1] // 4, size[0] * 3 // 4, size[1] * 3 // 4), fill="white")
    draw.text((20, 20), "a chart of something", fill="black")
    image.save(path)
    return path


def test_paste_a_png_from_the_x_clipboard_and_ask(display: str, tmp_path: Path) -> None:
    png = picture(tmp_path / "shot.png", (800, 600))
    data = tmp_path / "data"
    with DevServer() as server:
        app = App(display, data, server)
        clip = None
        try:
            app.focus()
            # xclip serves the clipboard until it is killed (-quiet: in the foreground)
            clip = subprocess.Popen(
                ["xclip", "-quiet", "-selection", "clipboard", "-t", "image/png", "-i", str(png)],
                env=dict(os.environ, DISPLAY=display),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(0.3)
            x(display, "xdotool", "key", "ctrl+v")
            time.sleep(1.0)  # the pane prepares it in the background
            app.shot("image-pasted.png")
            x(display, "xdotool", "type", "--delay", "15", "what is in this picture")
            x(display, "xdotool", "key", "Return")
            answer, images = wait_for(
                lambda: stored(data / "grok-desktop.sqlite3", "what is in this picture"),
                30,
                "the answer in the store",
            )
            assert images == [(800, 600, "image/png")]
            assert answer.startswith(
                "You said: what is in this picture\nImage 1: image/png 800x600"
            )
            assert answer.endswith("detail auto")
            sent = [r.body for r in server.requests if r.path.endswith("/chat/completions")]
            parts = sent[-1]["messages"][-1]["content"]  # type: ignore[index]
            assert any(p["type"] == "image_url" for p in parts)
            time.sleep(0.5)
            app.shot("image-answered.png")
        finally:
            if clip is not None:
                clip.kill()
                clip.wait(5)
            output = app.quit()
    assert "Traceback" not in output, output


def test_capture_a_screen_region_with_the_shortcut_and_ask(display: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    with DevServer() as server:
        app = App(display, data, server)
        try:
            app.focus()
            x(display, "xdotool", "key", "ctrl+shift+s")
            # the window hides, the screen is grabbed, the overlay covers it
            wait_for(
                lambda: (
                    not subprocess.run(
                        ["xdotool", "search", "--onlyvisible", "--name", "Grok Desktop"],
                        env=dict(os.environ, DISPLAY=display),
                        capture_output=True,
                    ).stdout.strip()
                ),
                10,
                "the window to hide",
            )
            time.sleep(1.0)
            x(display, "xdotool", "mousemove", "100", "120", "mousedown", "1")
            x(display, "xdotool", "mousemove", "300", "200")
            x(display, "xdotool", "mousemove", "420", "270", "mouseup", "1")
            x(display, "xdotool", "search", "--sync", "--onlyvisible", "--name", "Grok Desktop")
            app.focus()
            time.sleep(0.5)
            app.shot("image-captured.png")
            x(display, "xdotool", "type", "--delay", "15", "what region is this")
            x(display, "xdotool", "key", "Return")
            answer, images = wait_for(
                lambda: stored(data / "grok-desktop.sqlite3", "what region is this"),
                30,
                "the answer in the store",
            )
            assert images == [(320, 150, "image/png")]  # the drag: 420-100 by 270-120
            assert "Image 1: image/png 320x150" in answer
        finally:
            output = app.quit()
    assert "Traceback" not in output, output
