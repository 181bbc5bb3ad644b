"""Screen capture for the image pane: the app window hides, the user picks a region, the
window comes back and the region is attached.

X11, Windows and macOS: every screen is grabbed and a selection overlay covers all monitors
(overlay.py). Wayland: no app may read the screen, so the xdg-desktop-portal Screenshot
interface does it, interactively (portal.py).

Signals (ScreenCapture):
    captured(QImage image): a region from the overlay
    captured_file(str path): the portal's screenshot file
    cancelled()
    failed(str message)
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from PySide6.QtCore import QObject, QRect, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QWidget

from grok_desktop.ui.capture.overlay import RegionSelector, ScreenGrab, compose_region, grab_screens

#: Time for the window manager/compositor to take the hidden window off the screen.
HIDE_DELAY_MS = 300


def wants_portal(platform_name: str | None = None, env: dict[str, str] | None = None) -> bool:
    """Wayland sessions (native or through XWayland, where grabs come back black)."""
    env = dict(os.environ) if env is None else env
    name = QGuiApplication.platformName() if platform_name is None else platform_name
    if not sys.platform.startswith("linux"):
        return False
    return name.startswith("wayland") or (
        env.get("XDG_SESSION_TYPE") == "wayland" or bool(env.get("WAYLAND_DISPLAY"))
    )


class ScreenCapture(QObject):
    captured = Signal(QImage)
    captured_file = Signal(str)
    cancelled = Signal()
    failed = Signal(str)

    def __init__(
        self,
        window: QWidget,
        *,
        use_portal: bool | None = None,
        grab: Callable[[], list[ScreenGrab]] = grab_screens,
        hide_delay_ms: int = HIDE_DELAY_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.window = window
        self.use_portal = wants_portal() if use_portal is None else use_portal
        self._grab = grab
        self._hide_delay_ms = hide_delay_ms
        self.selector: RegionSelector | None = None
        self._busy = False
        self._was_visible = False

    @property
    def busy(self) -> bool:
        return self._busy

    def start(self) -> None:
        if self._busy:
            return
        self._busy = True
        self._was_visible = self.window.isVisible()
        self.window.hide()
        if self.use_portal:
            from grok_desktop.ui.capture.portal import PortalScreenshot

            portal = PortalScreenshot(parent=self)
            portal.finished.connect(lambda path: self._end(self.captured_file, path))
            portal.cancelled.connect(lambda: self._end(self.cancelled))
            portal.failed.connect(lambda text: self._end(self.failed, text))
            QTimer.singleShot(self._hide_delay_ms, portal.start)
        else:
            QTimer.singleShot(self._hide_delay_ms, self._show_selector)

    def _show_selector(self) -> None:
        grabs = self._grab()
        if not grabs:
            self._end(
                self.failed,
                "The screen could not be captured (no screen gave its pixels). "
                "Paste a screenshot with Ctrl+V instead.",
            )
            return
        self.selector = RegionSelector(grabs, self)
        self.selector.selected.connect(lambda region: self._on_selected(grabs, region))
        self.selector.cancelled.connect(lambda: self._end(self.cancelled))
        self.selector.show()

    def _on_selected(self, grabs: list[ScreenGrab], region: QRect) -> None:
        image = compose_region(grabs, region)
        if image.isNull():
            self._end(self.failed, "The selected region is outside every screen.")
        else:
            self._end(self.captured, image)

    def _end(self, signal: object, *args: object) -> None:
        if not self._busy:
            return
        self._busy = False
        self.selector = None
        if self._was_visible:
            self.window.show()
            self.window.raise_()
            self.window.activateWindow()
        signal.emit(*args)  # type: ignore[attr-defined]
