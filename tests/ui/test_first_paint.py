"""Start-up work that needs the network waits for the window's first paint (or, for a window
that is not shown, a short fallback), and runs exactly once."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtWidgets import QLabel

from grok_desktop.ui import first_paint
from grok_desktop.ui.first_paint import FirstPaint


def test_runs_once_right_after_the_first_paint(qtbot: Any) -> None:
    widget = QLabel("hello")
    qtbot.addWidget(widget)
    calls: list[float] = []
    hook = FirstPaint(widget, lambda: calls.append(time.monotonic()))
    qtbot.wait(50)
    assert calls == [] and hook.pending  # not shown, not painted: nothing yet
    shown = time.monotonic()
    widget.show()
    qtbot.waitUntil(lambda: len(calls) == 1, timeout=2000)
    assert calls[0] - shown < first_paint.FALLBACK_MS / 1000  # the paint, not the fallback
    widget.update()
    widget.repaint()
    qtbot.wait(first_paint.FALLBACK_MS + 100)
    assert len(calls) == 1 and not hook.pending


def test_a_window_never_shown_still_gets_it(qtbot: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(first_paint, "FALLBACK_MS", 100)
    widget = QLabel("hidden")
    qtbot.addWidget(widget)
    calls: list[int] = []
    FirstPaint(widget, lambda: calls.append(1))
    qtbot.waitUntil(lambda: calls == [1], timeout=2000)
    qtbot.wait(200)
    assert calls == [1]
