"""Global shortcuts: one protocol (`HotkeyBackend`), one backend per system (X11 XGrabKey,
the Wayland desktop portal, Windows RegisterHotKey, macOS Carbon, a fake for tests) and the
`HotkeyManager` that keeps the chosen one in step with the settings."""

from grok_desktop.platform.hotkeys.base import HotkeyBackend, HotkeyState, HotkeyStatus
from grok_desktop.platform.hotkeys.keys import Chord, ChordError
from grok_desktop.platform.hotkeys.manager import (
    HotkeyManager,
    choose_backend,
    quick_ask_command,
)

__all__ = [
    "Chord",
    "ChordError",
    "HotkeyBackend",
    "HotkeyManager",
    "HotkeyState",
    "HotkeyStatus",
    "choose_backend",
    "quick_ask_command",
]
