"""Global shortcut on Windows: RegisterHotKey (user32, through ctypes) and a Qt native event
filter that picks WM_HOTKEY out of the GUI thread's message queue.

RegisterHotKey with no window posts WM_HOTKEY to the registering thread's queue; Qt's event
dispatcher hands every message to native event filters ("windows_dispatcher_MSG" for thread
messages, "windows_generic_MSG" for window messages), so one filter sees it either way.
MOD_NOREPEAT keeps a held chord from repeating. A chord another program registered fails with
ERROR_HOTKEY_ALREADY_REGISTERED (1409): reported as a conflict.

The user32 calls go through `Win32Api` so tests replace them (this cannot run off Windows).
"""

from __future__ import annotations

import ctypes
import logging
from typing import Any

from PySide6.QtCore import QAbstractNativeEventFilter, QCoreApplication, QObject

from grok_desktop.platform.hotkeys.base import HotkeyBackend, HotkeyState
from grok_desktop.platform.hotkeys.keys import Chord

log = logging.getLogger(__name__)

WM_HOTKEY = 0x0312
MOD_ALT = 0x0001
MOD_CONTROL = 0x0002
MOD_SHIFT = 0x0004
MOD_WIN = 0x0008
MOD_NOREPEAT = 0x4000
ERROR_HOTKEY_ALREADY_REGISTERED = 1409
HOTKEY_ID = 0x4744  # "GD"; app-defined ids are 0x0000-0xBFFF
_MODIFIER_BITS = {"alt": MOD_ALT, "ctrl": MOD_CONTROL, "shift": MOD_SHIFT, "meta": MOD_WIN}


class MSG(ctypes.Structure):
    """winuser.h MSG, laid out with pointer-sized fields as on Windows."""

    _fields_ = [
        ("hwnd", ctypes.c_void_p),
        ("message", ctypes.c_uint),
        ("wParam", ctypes.c_size_t),
        ("lParam", ctypes.c_ssize_t),
        ("time", ctypes.c_uint32),
        ("pt_x", ctypes.c_int32),
        ("pt_y", ctypes.c_int32),
    ]


class Win32Api:
    """The three user32/kernel32 entry points used, loaded on first use."""

    def __init__(self) -> None:
        user32 = ctypes.WinDLL("user32", use_last_error=True)  # type: ignore[attr-defined]
        self.RegisterHotKey = user32.RegisterHotKey
        self.RegisterHotKey.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint, ctypes.c_uint]
        self.RegisterHotKey.restype = ctypes.c_int
        self.UnregisterHotKey = user32.UnregisterHotKey
        self.UnregisterHotKey.argtypes = [ctypes.c_void_p, ctypes.c_int]
        self.UnregisterHotKey.restype = ctypes.c_int

    @staticmethod
    def get_last_error() -> int:
        return int(ctypes.get_last_error())  # type: ignore[attr-defined]


def modifier_bits(chord: Chord) -> int:
    bits = MOD_NOREPEAT
    for m in chord.modifiers:
        bits |= _MODIFIER_BITS[m]
    return bits


class _Filter(QAbstractNativeEventFilter):
    def __init__(self, backend: WindowsHotkeyBackend) -> None:
        super().__init__()
        self.backend = backend

    def nativeEventFilter(self, event_type: Any, message: Any) -> Any:
        kind = bytes(event_type)
        if kind in (b"windows_generic_MSG", b"windows_dispatcher_MSG") and message:
            msg = MSG.from_address(int(message))
            if msg.message == WM_HOTKEY and msg.wParam == HOTKEY_ID:
                self.backend._on_hotkey()
                return True, 0
        return False, 0


class WindowsHotkeyBackend(HotkeyBackend):
    name = "Windows (RegisterHotKey)"

    def __init__(self, api: Any = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._api = api
        self._filter: _Filter | None = None
        self._chord: Chord | None = None

    @property
    def api(self) -> Any:
        if self._api is None:
            self._api = Win32Api()
        return self._api

    def register(self, chord: Chord) -> None:
        self.unregister()
        vk = chord.codes.vk
        if vk is None:
            self._set_status(HotkeyState.ERROR, chord, f"{chord.key} has no Windows key code.")
            return
        try:
            ok = self.api.RegisterHotKey(None, HOTKEY_ID, modifier_bits(chord), vk)
            error = 0 if ok else self.api.get_last_error()
        except (OSError, AttributeError) as exc:
            self._set_status(HotkeyState.UNAVAILABLE, chord, f"user32 is not available: {exc}")
            return
        if not ok:
            if error == ERROR_HOTKEY_ALREADY_REGISTERED:
                self._set_status(
                    HotkeyState.CONFLICT, chord, f"{chord} is taken by another application."
                )
            else:
                self._set_status(
                    HotkeyState.ERROR, chord, f"RegisterHotKey failed (error {error})."
                )
            return
        self._chord = chord
        if self._filter is None:
            self._filter = _Filter(self)
            app = QCoreApplication.instance()
            if app is not None:
                app.installNativeEventFilter(self._filter)
        self._set_status(HotkeyState.ACTIVE, chord)

    def unregister(self) -> None:
        if self._chord is not None:
            self._chord = None
            try:
                self.api.UnregisterHotKey(None, HOTKEY_ID)
            except (OSError, AttributeError) as exc:
                log.debug("UnregisterHotKey failed: %s", exc)
        self._set_status(HotkeyState.OFF)

    def close(self) -> None:
        self.unregister()
        if self._filter is not None:
            app = QCoreApplication.instance()
            if app is not None:
                app.removeNativeEventFilter(self._filter)
            self._filter = None

    def _on_hotkey(self) -> None:
        if self._chord is not None:
            self.activated.emit()
