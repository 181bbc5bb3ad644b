"""Screenshots on Wayland through xdg-desktop-portal (org.freedesktop.portal.Screenshot),
over QtDBus. Wayland lets no app read the screen; the portal asks the user (interactive: the
desktop's own region picker) and answers with a file URI.

The Request's Response signal is subscribed *before* the call, on the object path the portal
will use (sender and handle_token), so a fast answer cannot be missed; an older portal that
returns another path is followed there too. `@Slot("uint", "QVariantMap")` makes QtDBus hand
the a{sv} results over as a dict (PySide6 cannot demarshal a raw QDBusArgument map).

Signals:
    finished(str path): the screenshot file
    cancelled(): the user closed the portal's dialog
    failed(str message)
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import SLOT, QObject, QTimer, QUrl, Signal, Slot
from PySide6.QtDBus import (
    QDBusConnection,
    QDBusMessage,
    QDBusObjectPath,
    QDBusPendingCallWatcher,
)

DESKTOP = "org.freedesktop.portal.Desktop"
DESKTOP_PATH = "/org/freedesktop/portal/desktop"
SCREENSHOT = "org.freedesktop.portal.Screenshot"
REQUEST = "org.freedesktop.portal.Request"
#: How long the user may take in the portal's dialog before we stop waiting.
TIMEOUT_MS = 5 * 60 * 1000


class PortalScreenshot(QObject):
    finished = Signal(str)
    cancelled = Signal()
    failed = Signal(str)

    def __init__(
        self,
        bus: QDBusConnection | None = None,
        *,
        timeout_ms: int = TIMEOUT_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.bus = bus if bus is not None else QDBusConnection.sessionBus()
        self._paths: set[str] = set()
        self._active = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(timeout_ms)
        self._timer.timeout.connect(self._on_timeout)

    @property
    def active(self) -> bool:
        return self._active

    def start(self, parent_window: str = "") -> bool:
        """Ask the portal for an interactive screenshot; False when there is no session bus."""
        if not self.bus.isConnected():
            self.failed.emit(
                "Screen capture needs the desktop's screenshot portal, but there is no "
                "D-Bus session."
            )
            return False
        token = "grok_desktop_" + uuid.uuid4().hex[:12]
        sender = self.bus.baseService().lstrip(":").replace(".", "_")
        self._subscribe(f"{DESKTOP_PATH}/request/{sender}/{token}")
        call = QDBusMessage.createMethodCall(DESKTOP, DESKTOP_PATH, SCREENSHOT, "Screenshot")
        call.setArguments(
            [parent_window, {"handle_token": token, "interactive": True, "modal": True}]
        )
        self._active = True
        self._timer.start()
        watcher = QDBusPendingCallWatcher(self.bus.asyncCall(call, 30_000), self)
        watcher.finished.connect(self._on_call_finished)
        return True

    def _subscribe(self, path: str) -> None:
        if path in self._paths:
            return
        self._paths.add(path)
        self.bus.connect(  # type: ignore[call-overload]
            DESKTOP, path, REQUEST, "Response", self, SLOT("_on_response(uint,QVariantMap)")
        )

    def _on_call_finished(self, watcher: QDBusPendingCallWatcher) -> None:
        reply = watcher.reply()
        watcher.deleteLater()
        if not self._active:
            return
        if reply.type() == QDBusMessage.MessageType.ErrorMessage:
            self._end()
            self.failed.emit(
                "The desktop's screenshot portal is not available "
                f"({reply.errorName()}: {reply.errorMessage()}). Install xdg-desktop-portal "
                "and a backend for your desktop (e.g. xdg-desktop-portal-gnome or -kde)."
            )
            return
        args = reply.arguments()
        if args and isinstance(args[0], QDBusObjectPath):
            self._subscribe(args[0].path())

    @Slot("uint", "QVariantMap")
    def _on_response(self, code: int, results: dict[str, object]) -> None:
        if not self._active:
            return
        self._end()
        if code == 0:
            uri = str(results.get("uri") or "")
            path = QUrl(uri).toLocalFile()
            if path:
                self.finished.emit(path)
            else:
                self.failed.emit(f"The screenshot portal returned no file ({uri or 'no uri'}).")
        elif code == 1:
            self.cancelled.emit()
        else:
            self.failed.emit("The screenshot portal refused to take a screenshot.")

    def _on_timeout(self) -> None:
        if self._active:
            self._end()
            self.failed.emit("The screenshot portal did not answer.")

    def _end(self) -> None:
        self._active = False
        self._timer.stop()
        for path in self._paths:
            self.bus.disconnect(  # type: ignore[call-overload]
                DESKTOP, path, REQUEST, "Response", self, SLOT("_on_response(uint,QVariantMap)")
            )
        self._paths.clear()
