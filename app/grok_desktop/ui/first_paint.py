"""Work that waits until a window has painted once: the first refresh of the model list makes
the API client, which imports httpx and sets up TLS (~150 ms) — done before the first paint,
that was time a person looked at nothing.

`FirstPaint(window, start)` calls `start()` once, right after the window's first paint, or
after FALLBACK_MS if the window is not shown by then (tests, a start minimised to the tray).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

FALLBACK_MS = 500


class FirstPaint(QObject):
    def __init__(self, window: QWidget, start: Callable[[], None]) -> None:
        super().__init__(window)
        self._start: Callable[[], None] | None = start
        window.installEventFilter(self)
        QTimer.singleShot(FALLBACK_MS, self, self._run)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._start is not None:
            QTimer.singleShot(0, self, self._run)  # after this paint has reached the screen
        return False

    @property
    def pending(self) -> bool:
        return self._start is not None

    def _run(self) -> None:
        start, self._start = self._start, None
        if start is not None:
            parent = self.parent()
            if isinstance(parent, QObject):
                parent.removeEventFilter(self)
            start()
