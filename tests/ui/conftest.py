"""Fixtures for the main-window tests: a qasync loop that is "already running" on the Qt event
loop pytest-qt spins in `qtbot.wait*`, the local xAI server, and windows built exactly as the
app builds them (`build_parts` + `build_window`), offscreen.

Coroutine-driven code (`asyncio.ensure_future` in the services) runs while a test waits with
`qtbot.waitUntil`. The loop is never `stop()`ped: that would call `QApplication.exit()` and
break every later `qtbot.wait*`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import qasync
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication

from grok_desktop.devserver import DevServer
from grok_desktop.main import AppParts, build_parts, build_window
from grok_desktop.ui.conversation_list import ID_ROLE
from grok_desktop.ui.main_window import MainWindow

API_KEY = "xai-test-key-1234"
#: Every wait: generous, so a loaded CI machine does not fail a test that would pass.
TIMEOUT = 10_000


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """An asyncio loop on Qt's: tasks advance while pytest-qt processes events."""
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    sys.set_asyncgen_hooks(
        firstiter=loop._asyncgen_firstiter_hook,
        finalizer=loop._asyncgen_finalizer_hook,
    )
    errors: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    yield loop
    # Teardown without loop.stop(): cancel what is left, let it finish, close async generators.
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    done = asyncio.ensure_future(_settle(pending, loop), loop=loop)
    deadline = loop.time() + TIMEOUT / 1000
    while not done.done() and loop.time() < deadline:
        qapp.processEvents()
    settled = done.done()
    loop._QEventLoop__is_running = False  # type: ignore[attr-defined]
    asyncio.events._set_running_loop(None)
    loop.close()
    sys.set_asyncgen_hooks(None, None)
    asyncio.set_event_loop(None)
    problems = [c for c in errors if not _expected(c)]
    assert not problems, f"unhandled errors in asyncio tasks: {problems}"
    assert settled, f"tasks still running {TIMEOUT} ms after being cancelled: {pending}"


async def _settle(tasks: list[asyncio.Task[Any]], loop: asyncio.AbstractEventLoop) -> None:
    await asyncio.gather(*tasks, return_exceptions=True)
    await loop.shutdown_asyncgens()


def _expected(context: dict[str, Any]) -> bool:
    # A cancelled task's result nobody awaited is not an error of the app.
    return isinstance(context.get("exception"), asyncio.CancelledError)


@pytest.fixture
def devserver() -> Iterator[DevServer]:
    with DevServer() as server:
        yield server


class WindowMaker:
    """`make_window(env=..., data_dir=...)` -> (shown window, its parts); `close(window)` ends
    one early (as the app does at exit); whatever is left is closed after the test."""

    def __init__(
        self, qtbot: Any, loop: asyncio.AbstractEventLoop, server: DevServer, data_dir: Path
    ) -> None:
        self.qtbot = qtbot
        self.loop = loop
        self.server = server
        self.data_dir = data_dir
        self.open: list[tuple[MainWindow, AppParts]] = []

    def __call__(
        self,
        env: dict[str, str] | None = None,
        data_dir: Path | None = None,
        wait_models: bool = True,
    ) -> tuple[MainWindow, AppParts]:
        args = argparse.Namespace(
            demo=False,
            data_dir=data_dir or self.data_dir,
            base_url=self.server.base_url,
            allow_insecure_http=False,
        )
        parts = build_parts(args, env={"XAI_API_KEY": API_KEY} if env is None else env)
        window = build_window(parts)
        self.open.append((window, parts))
        window.show()
        self.qtbot.waitExposed(window)
        if wait_models:
            picker = window.composer.model_picker
            self.qtbot.waitUntil(lambda: picker.count() > 0, timeout=TIMEOUT)
        return window, parts

    def close(self, window: MainWindow) -> None:
        for entry in list(self.open):
            if entry[0] is window:
                self.open.remove(entry)
                self._close(*entry)

    def close_all(self) -> None:
        while self.open:
            self._close(*self.open.pop())

    def _close(self, window: MainWindow, parts: AppParts) -> None:
        # What run_app does at the end: stop, let the turn save what it has, release the parts.
        window.close()
        window.chat.stop()
        self.qtbot.waitUntil(lambda: not window.chat.busy, timeout=TIMEOUT)
        closing = asyncio.ensure_future(parts.aclose(), loop=self.loop)
        self.qtbot.waitUntil(closing.done, timeout=TIMEOUT)
        closing.result()
        window.deleteLater()


@pytest.fixture
def make_window(
    qtbot: Any, qloop: qasync.QEventLoop, devserver: DevServer, tmp_path: Path
) -> Iterator[WindowMaker]:
    maker = WindowMaker(qtbot, qloop, devserver, tmp_path / "data")
    yield maker
    maker.close_all()


@pytest.fixture
def window(make_window: WindowMaker) -> MainWindow:
    return make_window()[0]


ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "ui"


class Ui:
    """Drives a window the way a person does: keys into the focused widget, clicks on links."""

    def __init__(self, qtbot: Any, window: MainWindow) -> None:
        self.qtbot = qtbot
        self.w = window

    @property
    def store(self) -> Any:
        return self.w.conversations.store

    def wait(self, condition: Callable[[], object], timeout: int = TIMEOUT) -> None:
        self.qtbot.waitUntil(lambda: bool(condition()), timeout=timeout)

    def type(self, text: str) -> None:
        edit = self.w.composer.edit
        edit.setFocus()
        self.qtbot.keyClicks(edit, text)

    def send(self, text: str) -> None:
        """Type into the composer and press Enter; returns once the answer is under way."""
        self.type(text)
        self.qtbot.keyClick(self.w.composer.edit, Qt.Key.Key_Return)
        self.wait(lambda: self.w.chat.busy)

    def wait_idle(self) -> None:
        self.wait(lambda: not self.w.chat.busy and self.w.composer.button.text() == "Send")
        self.wait(lambda: not self.w.view.streaming)

    def ask(self, text: str) -> None:
        self.send(text)
        self.wait_idle()

    def text(self) -> str:
        return self.w.view.toPlainText()

    def path(self) -> list[Any]:
        assert self.w.current is not None
        return list(self.store.branch_path(self.w.current.id))

    # -- links in the chat view -----------------------------------------------------------------
    def anchors(self) -> list[tuple[str, int, int]]:
        """(href, position, length) of every link in the chat view, in document order."""
        found: list[tuple[str, int, int]] = []
        block = self.w.view.document().begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                fmt = fragment.charFormat()
                if fmt.isAnchor():
                    found.append((fmt.anchorHref(), fragment.position(), fragment.length()))
                it += 1
            block = block.next()
        return found

    def hrefs(self) -> list[str]:
        return [href for href, _, _ in self.anchors()]

    def click_link(self, href: str, nth: int = 0) -> None:
        """Scroll the link into view and click it with the mouse, like a person."""
        matches = [(p, n) for h, p, n in self.anchors() if h == href]
        assert len(matches) > nth, f"no link {href!r} in {self.hrefs()}"
        position, length = matches[nth]
        view = self.w.view
        start = QTextCursor(view.document())
        start.setPosition(position)
        end = QTextCursor(view.document())
        end.setPosition(position + length)
        view.setTextCursor(start)
        view.ensureCursorVisible()
        a, b = view.cursorRect(start), view.cursorRect(end)
        point = QPoint((a.left() + b.left()) // 2, a.center().y())
        assert view.viewport().rect().contains(point), (point, view.viewport().rect())
        with self.qtbot.waitSignal(view.anchorClicked, timeout=TIMEOUT):
            self.qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)

    def action(self, action: str, message_id: str) -> None:
        self.click_link(f"action:{action}/{message_id}")

    # -- the conversation list and pictures ---------------------------------------------------
    def click_conversation(self, conversation_id: str) -> None:
        """Click a conversation in the list, like a person; returns once it is open."""
        lst = self.w.panel.list
        row = next(i for i in range(lst.count()) if lst.item(i).data(ID_ROLE) == conversation_id)
        rect = lst.visualItemRect(lst.item(row))
        self.qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        self.wait(lambda: self.w.current is not None and self.w.current.id == conversation_id)

    def screenshot(self, name: str) -> Path:
        """The window as a PNG under artifacts/ui/, for people to look at."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / name
        self.w.grab().save(str(path))
        return path


@pytest.fixture
def ui(qtbot: Any, window: MainWindow) -> Ui:
    return Ui(qtbot, window)


@pytest.fixture
def ui_for(qtbot: Any) -> Callable[[MainWindow], Ui]:
    """A `Ui` driver for a window made with `make_window`."""
    return lambda w: Ui(qtbot, w)
