"""Quick Ask from anywhere, wired into the app: the Quick Ask window with its own ChatService,
the global shortcut, the tray icon, close-to-tray, and commands forwarded by a second
`grok-desktop` (`activate`, `show`, `quick-ask`). `run_app` builds one `QuickAskFeature`
after the main window and calls `shutdown()` at exit; everything else happens here.

Signals:
    quit_requested(): Quit from the tray (or Ctrl+Q): the app should end
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction

from grok_desktop.platform.hotkeys import HotkeyBackend, HotkeyManager, choose_backend
from grok_desktop.platform.single_instance import SingleInstance
from grok_desktop.services.catalog import ModelCatalog
from grok_desktop.services.chat import ChatService
from grok_desktop.services.quick_ask import QuickAskService
from grok_desktop.services.turn import TurnOutcome
from grok_desktop.storage.paths import DataPaths
from grok_desktop.storage.settings import Settings
from grok_desktop.storage.store import Store
from grok_desktop.ui.main_window import MainWindow, load_attachment_image
from grok_desktop.ui.quick_ask import QuickAskWindow
from grok_desktop.ui.theme import chat_palette
from grok_desktop.ui.tray import CloseToTray, Tray, show_main_window

if TYPE_CHECKING:
    from grok_desktop.api.client import XaiClient

log = logging.getLogger(__name__)


class Parts(Protocol):
    """What this needs of `main.AppParts` (the UI layer does not import the composition root)."""

    paths: DataPaths
    settings: Settings
    store: Store

    @property
    def client(self) -> XaiClient: ...

    catalog: ModelCatalog


def _non_default_data_dir(root: Path) -> Path | None:
    """The data folder when it is not the default one (a desktop shortcut must then name it)."""
    default = DataPaths.resolve(None, env={}).root
    return None if root == default else root


class QuickAskFeature(QObject):
    quit_requested = Signal()

    def __init__(
        self,
        window: MainWindow,
        parts: Parts,
        instance: SingleInstance | None = None,
        *,
        hotkey_backend: tuple[HotkeyBackend | None, str] | None = None,
        tray: Tray | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.window = window
        self.parts = parts
        self.instance = instance
        settings = parts.settings

        def client() -> XaiClient:
            return parts.client

        self.chat = ChatService(parts.store, client, parts.catalog, parent=self)
        self.service = QuickAskService(
            self.chat, window.conversations, window.models, settings, parent=self
        )
        self.quick = QuickAskWindow(
            self.service,
            chat_palette(str(settings.get("theme"))),
            state_file=parts.paths.root / "quick-ask.ini",
            image_loader=lambda sha: load_attachment_image(parts.store, sha),
        )
        chosen, reason = hotkey_backend if hotkey_backend is not None else choose_backend()
        self.hotkeys = HotkeyManager(
            settings, chosen, reason, data_dir=_non_default_data_dir(parts.paths.root), parent=self
        )
        # The settings dialog finds it as the window's `hotkeys` (like `keys`): it shows
        # hotkey_status() and suspends the chord while HotkeyEdit records.
        window.hotkeys = self.hotkeys  # type: ignore[attr-defined]
        self.tray = tray if tray is not None else Tray(parent=self)
        self.close_to_tray = CloseToTray(window, settings, self.tray)
        self.activations = 0
        self._connect_signals()
        self.hotkeys.apply()
        self._on_hotkey_status(self.hotkeys.hotkey_status())
        if instance is not None and instance.server is not None:
            instance.server.attach(self.on_command)

    def _connect_signals(self) -> None:
        self.hotkeys.activated.connect(self.on_hotkey)
        self.hotkeys.status_changed.connect(self._on_hotkey_status)
        self.tray.quick_ask_requested.connect(self.quick.show_at_cursor)
        self.tray.show_requested.connect(lambda: show_main_window(self.window))
        self.tray.quit_requested.connect(self.quit)
        self.quick.open_in_main_requested.connect(self.on_quick_open_in_main_requested)
        self.chat.user_message_added.connect(self._on_quick_chat_changed)
        self.chat.reply_finished.connect(self._on_quick_chat_changed)
        self.chat.reply_finished.connect(self._on_quick_chat_reply_finished)
        quit_action = self.window.findChild(QAction, "action_quit")
        if quit_action is not None:  # Ctrl+Q quits even when closing only hides to the tray
            quit_action.triggered.disconnect()
            quit_action.triggered.connect(self.quit)

    # -- commands -------------------------------------------------------------------------------
    def on_command(self, command: str) -> None:
        """A command from another `grok-desktop` process (or this one's own flags)."""
        if command == "quick-ask":
            self.show_quick_ask()
        else:
            show_main_window(self.window)

    def on_hotkey(self) -> None:
        self.activations += 1
        if self.quick.isVisible() and self.quick.isActiveWindow():
            self.quick.hide()
            return
        self.show_quick_ask()
        # Focus with the key press's own timestamp where the window system wants one (X11).
        QTimer.singleShot(0, lambda: self.hotkeys.activate_window(int(self.quick.winId())))

    def show_quick_ask(self) -> None:
        self.quick.show_at_cursor()

    def on_quick_open_in_main_requested(self, conversation_id: str, draft: str) -> None:
        show_main_window(self.window)
        if conversation_id:
            self.window.current = None  # reopen even if shown: it has new messages
            self.window.open_conversation(conversation_id)
            self.window.conversations.load_first_page()
        if draft.strip() and not self.window.composer.edit.toPlainText().strip():
            self.window.composer.edit.setPlainText(draft)
        self.window.composer.edit.setFocus()

    def _on_quick_chat_changed(self, conversation_id: str, *_: object) -> None:
        # The list shows the new conversation; an open copy in the main window catches up.
        self.window.conversations.load_first_page()
        current = self.window.current
        if current is not None and current.id == conversation_id and not self.window.chat.busy:
            self.window.reload_conversation()

    def _on_quick_chat_reply_finished(self, _cid: str, outcome: object, _stored: object) -> None:
        # A Quick Ask reply costs money too: the main window's meter shows it at once.
        current = self.window.current
        self.window.usage_meter.refresh(
            current.id if current is not None else None,
            outcome if isinstance(outcome, TurnOutcome) else None,
        )

    def _on_hotkey_status(self, text: str) -> None:
        log.info("global shortcut: %s", text)
        status = self.hotkeys.status
        self.tray.set_hotkey_hint(status.chord if status is not None and status.active else "")

    # -- ending ---------------------------------------------------------------------------------
    def quit(self) -> None:
        self.close_to_tray.quitting = True
        self.quick.hide()
        self.window.close()
        self.quit_requested.emit()

    def shutdown(self) -> None:
        """At exit: release the shortcut, stop Quick Ask's answer (it is saved), drop the tray
        icon and the single-instance socket and lock."""
        self.hotkeys.close()
        self.chat.stop()
        self.quick.hide()
        self.tray.hide()
        if self.instance is not None:
            self.instance.release()


def install_quick_ask(
    window: MainWindow, parts: Parts, instance: SingleInstance | None, command: str
) -> QuickAskFeature:
    """Build the feature and act on this process's own flag (`--quick-ask` opens it)."""
    feature = QuickAskFeature(window, parts, instance)
    if command == "quick-ask":
        QTimer.singleShot(0, feature.show_quick_ask)
    return feature
