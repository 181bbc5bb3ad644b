"""The tray icon (Quick ask, Show window, Quit) and closing the main window to the tray.

Without a system tray (`QSystemTrayIcon.isSystemTrayAvailable()` false: many Wayland desktops
without an extension, bare X servers) there is no icon and closing the window quits, whatever
`close_to_tray` says: an app with no window and no icon could only be ended from a terminal.

Signals (Tray):
    quick_ask_requested(), show_requested(), quit_requested()
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from grok_desktop import APP_NAME
from grok_desktop.storage.settings import Settings


def app_icon() -> QIcon:
    try:
        from grok_desktop.resources import app_icon as packaged

        icon = packaged()
        if not icon.isNull():
            return icon
    except (ImportError, OSError):
        pass
    return QIcon.fromTheme("grok-desktop")


class Tray(QObject):
    quick_ask_requested = Signal()
    show_requested = Signal()
    quit_requested = Signal()

    def __init__(
        self,
        icon: QIcon | None = None,
        *,
        available: bool | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.available = QSystemTrayIcon.isSystemTrayAvailable() if available is None else available
        self.menu = QMenu()
        self.quick_ask_action = self._action("trayQuickAsk", "Quick ask")
        self.quick_ask_action.triggered.connect(lambda: self.quick_ask_requested.emit())
        self.show_action = self._action("trayShow", "Show window")
        self.show_action.triggered.connect(lambda: self.show_requested.emit())
        self.menu.addSeparator()
        self.quit_action = self._action("trayQuit", "Quit")
        self.quit_action.triggered.connect(lambda: self.quit_requested.emit())
        self.icon: QSystemTrayIcon | None = None
        if self.available:
            self.icon = QSystemTrayIcon(icon or app_icon(), self)
            self.icon.setToolTip(APP_NAME)
            self.icon.setContextMenu(self.menu)
            self.icon.activated.connect(self._on_activated)
            self.icon.show()

    def _action(self, name: str, text: str) -> QAction:
        action = QAction(text, self.menu)
        action.setObjectName(name)
        self.menu.addAction(action)
        return action

    @property
    def visible(self) -> bool:
        return self.icon is not None and self.icon.isVisible()

    def set_hotkey_hint(self, chord: str) -> None:
        self.quick_ask_action.setText(f"Quick ask\t{chord}" if chord else "Quick ask")

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.show_requested.emit()

    def hide(self) -> None:
        if self.icon is not None:
            self.icon.hide()
        self.menu.deleteLater()


class CloseToTray(QObject):
    """An event filter on the main window: with `close_to_tray` on and a tray icon showing,
    closing the window hides it instead (Quit in the tray menu, or Ctrl+Q, really quits)."""

    def __init__(self, window: QWidget, settings: Settings, tray: Tray) -> None:
        super().__init__(window)
        self.window = window
        self.settings = settings
        self.tray = tray
        self.quitting = False
        window.installEventFilter(self)

    def hides_on_close(self) -> bool:
        return bool(self.settings.get("close_to_tray")) and self.tray.visible and not self.quitting

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close and self.hides_on_close():
            event.ignore()
            self.window.hide()
            return True
        return False


def show_main_window(window: QWidget) -> None:
    """Bring the main window back from the tray, from minimised or from behind others."""
    if window.isMinimized():
        window.showNormal()
    else:
        window.show()
    window.raise_()
    window.activateWindow()
