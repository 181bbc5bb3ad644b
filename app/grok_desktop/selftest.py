"""`grok-desktop --self-test`: is this installation healthy? (a venv, a wheel, the bundle, the .deb)

Runs offscreen (QT_QPA_PLATFORM=offscreen unless set) against a temporary data folder, and
checks, one line each with its time:

    qt        a QApplication starts on the platform plugin
    icon      the packaged icons load (package data present)
    keyring   this OS's keyring backend loads (without talking to the keyring)
    store     the SQLite history opens; a message is written and read back
    markdown  a reply with a code block renders into a QTextDocument
    stream    the built-in local server streams one answer through XaiClient.stream_chat
    window    the real main window, built by main.run_app (demo mode), shows and closes

Exit 0 when every check passed, 1 otherwise (the last line names the failures). Uses nothing
from the source tree, so it also works inside the PyInstaller bundle. A watchdog ends the run
with exit 1 if a check hangs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from grok_desktop import APP_NAME, __version__

#: Seconds before the watchdog gives up on a hanging check.
TIMEOUT = 90.0
#: How long the window check waits for the window, and then for the model list.
WINDOW_WAIT = 15.0
MODELS_WAIT = 3.0

SAMPLE_MARKDOWN = (
    "# Self-test\n\nSome **bold** text and a list:\n\n- one\n- two\n\n"
    "```python\ndef greet(name):\n    return f'hello {name}'\n```\n"
)
STREAM_TEXT = "Self-test answer: streaming works."


@dataclass
class _Context:
    tmp: Path


def _check_qt(ctx: _Context) -> str:
    from PySide6 import __version__ as pyside_version
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "grok-desktop"])
    name = QApplication.platformName()
    return f"QApplication on '{name}' (PySide6 {pyside_version})"


def _check_icon(ctx: _Context) -> str:
    from grok_desktop.resources import ICON_SIZES, app_icon

    icon = app_icon()
    sizes = sorted(s.width() for s in icon.availableSizes())
    if icon.isNull() or sizes != sorted(ICON_SIZES):
        raise RuntimeError(f"app icon incomplete: sizes {sizes}, expected {list(ICON_SIZES)}")
    return f"app icon with {len(sizes)} sizes ({sizes[0]}-{sizes[-1]} px)"


def _check_keyring(ctx: _Context) -> str:
    """This OS's keyring backend can be loaded (keyring finds backends by entry point and
    imports them by name, which a bundle easily misses). Does not talk to the keyring: no
    Secret Service on a headless machine is not a defect of the installation."""
    from importlib.metadata import entry_points, version

    names = {ep.name for ep in entry_points(group="keyring.backends")}
    if sys.platform.startswith("linux"):
        import secretstorage.dhcrypto  # noqa: F401  (needs cryptography and its cffi backend)
        from keyring.backends import SecretService  # noqa: F401

        backend = "SecretService"
    elif sys.platform == "darwin":
        from keyring.backends import macOS  # noqa: F401

        backend = "macOS"
    elif sys.platform == "win32":
        from keyring.backends import Windows  # noqa: F401

        backend = "Windows"
    else:
        return f"keyring {version('keyring')} (no native backend expected on {sys.platform})"
    if backend not in names:
        raise RuntimeError(f"keyring's {backend} entry point is missing (found {sorted(names)})")
    return f"keyring {version('keyring')}: the {backend} backend loads"


def _check_store(ctx: _Context) -> str:
    from grok_desktop.domain.content import Role
    from grok_desktop.storage.store import Store

    with Store.open(ctx.tmp / "store") as store:
        conversation = store.create_conversation("Self-test")
        text = "Self-test message: ünïcödé ✓"
        message = store.add_message(conversation.id, Role.USER, text)
        back = store.get_message(message.id)
        if back is None or back.content != text:
            raise RuntimeError(f"message read back differs: {back!r}")
        if store.get_conversation(conversation.id) is None:
            raise RuntimeError("conversation not found after writing it")
    with Store.open(ctx.tmp / "store") as again:
        if again.get_message(message.id) is None:
            raise RuntimeError("message lost after reopening the store")
    return "wrote, read and reopened a message"


def _check_markdown(ctx: _Context) -> str:
    from PySide6.QtGui import QTextDocument

    from grok_desktop.ui.markdown import MarkdownRenderer

    rendered = MarkdownRenderer().render(SAMPLE_MARKDOWN)
    expected = "def greet(name):\n    return f'hello {name}'"
    if rendered.code_blocks != [expected]:
        raise RuntimeError(f"code blocks: {rendered.code_blocks!r}")
    doc = QTextDocument()
    doc.setHtml(rendered.html)
    plain = doc.toPlainText()
    for needle in ("Self-test", "bold", "def greet(name):", "return f'hello {name}'"):
        if needle not in plain:
            raise RuntimeError(f"{needle!r} missing from the rendered document")
    doc.setTextWidth(600)
    height = doc.size().height()
    if height <= 0:
        raise RuntimeError("the document laid out to zero height")
    return f"heading, list and highlighted code: {doc.blockCount()} blocks, {height:.0f} px"


def _check_stream(ctx: _Context) -> str:
    from grok_desktop.api.client import XaiClient
    from grok_desktop.api.events import ContentDelta, Finished
    from grok_desktop.devserver import DEFAULT_MODELS, DevServer, Script
    from grok_desktop.domain.content import ChatRequest, user_message

    async def stream(base_url: str) -> tuple[str, str | None, int]:
        text: list[str] = []
        reason: str | None = None
        events = 0
        async with XaiClient(base_url=base_url, api_key="xai-self-test-key") as client:
            request = ChatRequest(DEFAULT_MODELS[0].id, (user_message("Say something."),))
            generator = client.stream_chat(request)
            async with contextlib.aclosing(generator):
                async for event in generator:
                    events += 1
                    if isinstance(event, ContentDelta):
                        text.append(event.text)
                    elif isinstance(event, Finished):
                        reason = event.reason
        return "".join(text), reason, events

    with DevServer() as server:
        server.enqueue(Script(text=STREAM_TEXT))
        text, reason, events = asyncio.run(stream(server.base_url))
    if text != STREAM_TEXT:
        raise RuntimeError(f"streamed text differs: {text!r}")
    if reason != "stop":
        raise RuntimeError(f"the stream finished with {reason!r}, expected 'stop'")
    return f"{events} events from the local server, {len(text)} characters"


def _check_window(ctx: _Context) -> str:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QComboBox, QWidget

    from grok_desktop.main import run_app

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        raise RuntimeError("no QApplication")
    found: dict[str, str] = {}
    started = time.monotonic()
    shown_at: list[float] = []

    def main_window() -> QWidget | None:
        for widget in app.topLevelWidgets():
            if widget.objectName() == "mainWindow" and widget.isVisible():
                return widget
        return None

    def give_up(reason: str) -> None:
        modal = app.activeModalWidget()
        if modal is not None:
            reason += f" (a dialog says: {modal.windowTitle()!r})"
        found["error"] = reason
        app.closeAllWindows()

    def probe() -> None:
        now = time.monotonic()
        window = main_window()
        if window is None:
            if now - started > WINDOW_WAIT:
                give_up(f"no visible main window after {WINDOW_WAIT:.0f} s")
            else:
                QTimer.singleShot(20, probe)
            return
        if not shown_at:
            shown_at.append(now)
        # Give the window's start-up work (the model list from the demo server) a moment:
        # it shows that the qasync loop and httpx work inside the GUI too.
        picker = window.findChild(QComboBox, "modelPicker")
        count = picker.count() if picker is not None else 0
        if count == 0 and now - shown_at[0] < MODELS_WAIT:
            QTimer.singleShot(20, probe)
            return
        found["title"] = window.windowTitle()
        found["shown"] = f"{(shown_at[0] - started) * 1000:.0f} ms"
        found["models"] = str(count)
        window.close()
        app.closeAllWindows()

    QTimer.singleShot(0, probe)
    args = argparse.Namespace(
        command=None,
        demo=True,
        data_dir=str(ctx.tmp / "app"),
        base_url=None,
        allow_insecure_http=False,
        debug=False,
    )
    code = run_app(args)
    if "error" in found:
        raise RuntimeError(found["error"])
    if code != 0:
        raise RuntimeError(f"main.run_app returned {code}")
    if APP_NAME not in found.get("title", ""):
        raise RuntimeError(f"main window title {found.get('title')!r} lacks {APP_NAME!r}")
    models = found.get("models", "0")
    model_note = f"{models} models listed" if models != "0" else "model list not loaded yet"
    return f"main window shown after {found['shown']} ({model_note}), closed cleanly"


CHECKS: list[tuple[str, Callable[[_Context], str]]] = [
    ("qt", _check_qt),
    ("icon", _check_icon),
    ("keyring", _check_keyring),
    ("store", _check_store),
    ("markdown", _check_markdown),
    ("stream", _check_stream),
    ("window", _check_window),
]


def _describe() -> str:
    frozen = "PyInstaller bundle" if getattr(sys, "frozen", False) else "Python package"
    return (
        f"grok-desktop {__version__} self-test: {frozen}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}, QT_QPA_PLATFORM="
        f"{os.environ.get('QT_QPA_PLATFORM', '')}"
    )


def _start_watchdog(seconds: float, out: TextIO) -> threading.Event:
    done = threading.Event()

    def watch() -> None:
        if not done.wait(seconds):
            out.write(f"self-test FAILED: no result after {seconds:.0f} s (a check hangs)\n")
            out.flush()
            os._exit(1)

    threading.Thread(target=watch, name="self-test-watchdog", daemon=True).start()
    return done


def run_self_test(out: TextIO | None = None, timeout: float = TIMEOUT) -> int:
    stream = sys.stdout if out is None else out
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    begin = time.perf_counter()
    finished = _start_watchdog(timeout, stream)
    stream.write(_describe() + "\n")
    stream.flush()
    tmp = Path(tempfile.mkdtemp(prefix="grok-desktop-self-test-"))
    failures: list[str] = []
    try:
        ctx = _Context(tmp)
        for name, check in CHECKS:
            t0 = time.perf_counter()
            try:
                detail = check(ctx)
                ok = True
            except Exception as exc:
                detail = f"{type(exc).__name__}: {exc}"
                ok = False
                failures.append(f"{name} ({detail})")
            ms = (time.perf_counter() - t0) * 1000
            stream.write(f"{'ok' if ok else 'FAIL':<4}  {name:<8} {ms:8.1f} ms  {detail}\n")
            stream.flush()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        finished.set()
    total = (time.perf_counter() - begin) * 1000
    if failures:
        stream.write(f"self-test FAILED ({total:.0f} ms): {'; '.join(failures)}\n")
        return 1
    stream.write(f"self-test passed: {len(CHECKS)} checks in {total:.0f} ms\n")
    return 0
