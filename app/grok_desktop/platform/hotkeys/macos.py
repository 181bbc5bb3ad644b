"""Global shortcut on macOS: Carbon's RegisterEventHotKey through ctypes.

Still the only public API for a system-wide hotkey that needs no Accessibility permission.
An application event handler for kEventClassKeyboard/kEventHotKeyPressed is installed on the
application event target (Qt's Cocoa event loop dispatches Carbon events); it reads the
EventHotKeyID out of the event and activates when it is ours. A chord another app registered
fails with eventHotKeyExistsErr: reported as a conflict.

Qt names the Command key "Ctrl" and the Control key "Meta" on macOS; the mapping below keeps
that meaning. Key codes are the ANSI layout's. The Carbon calls go through `CarbonApi` so
tests replace them (this cannot run off macOS).
"""

from __future__ import annotations

import ctypes
import logging
from typing import Any

from PySide6.QtCore import QObject

from grok_desktop.platform.hotkeys.base import HotkeyBackend, HotkeyState
from grok_desktop.platform.hotkeys.keys import Chord

log = logging.getLogger(__name__)


def four_cc(code: str) -> int:
    return int.from_bytes(code.encode("ascii"), "big")


CMD_KEY = 0x0100
SHIFT_KEY = 0x0200
OPTION_KEY = 0x0800
CONTROL_KEY = 0x1000
K_EVENT_CLASS_KEYBOARD = four_cc("keyb")
K_EVENT_HOTKEY_PRESSED = 5
K_EVENT_PARAM_DIRECT_OBJECT = four_cc("----")
TYPE_EVENT_HOTKEY_ID = four_cc("hkid")
NO_ERR = 0
EVENT_NOT_HANDLED_ERR = -9874
EVENT_HOTKEY_EXISTS_ERR = -9878
SIGNATURE = four_cc("GrkD")
HOTKEY_ID = 1
_MODIFIER_BITS = {"ctrl": CMD_KEY, "alt": OPTION_KEY, "shift": SHIFT_KEY, "meta": CONTROL_KEY}


class EventTypeSpec(ctypes.Structure):
    _fields_ = [("eventClass", ctypes.c_uint32), ("eventKind", ctypes.c_uint32)]


class EventHotKeyID(ctypes.Structure):
    _fields_ = [("signature", ctypes.c_uint32), ("id", ctypes.c_uint32)]


#: OSStatus handler(EventHandlerCallRef, EventRef, void *userData)
EventHandlerProc = ctypes.CFUNCTYPE(
    ctypes.c_int32, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p
)


class CarbonApi:
    """The Carbon entry points used, loaded on first use."""

    PATH = "/System/Library/Frameworks/Carbon.framework/Carbon"

    def __init__(self) -> None:
        lib = ctypes.CDLL(self.PATH)
        p, u32, i32 = ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int32
        self.GetApplicationEventTarget = lib.GetApplicationEventTarget
        self.GetApplicationEventTarget.restype = p
        self.GetApplicationEventTarget.argtypes = []
        self.InstallEventHandler = lib.InstallEventHandler
        self.InstallEventHandler.restype = i32
        self.InstallEventHandler.argtypes = [p, EventHandlerProc, u32, p, p, p]
        self.RemoveEventHandler = lib.RemoveEventHandler
        self.RemoveEventHandler.restype = i32
        self.RemoveEventHandler.argtypes = [p]
        self.RegisterEventHotKey = lib.RegisterEventHotKey
        self.RegisterEventHotKey.restype = i32
        self.RegisterEventHotKey.argtypes = [u32, u32, EventHotKeyID, p, u32, p]
        self.UnregisterEventHotKey = lib.UnregisterEventHotKey
        self.UnregisterEventHotKey.restype = i32
        self.UnregisterEventHotKey.argtypes = [p]
        self.GetEventParameter = lib.GetEventParameter
        self.GetEventParameter.restype = i32
        self.GetEventParameter.argtypes = [p, u32, u32, p, ctypes.c_size_t, p, p]


def modifier_bits(chord: Chord) -> int:
    bits = 0
    for m in chord.modifiers:
        bits |= _MODIFIER_BITS[m]
    return bits


class MacHotkeyBackend(HotkeyBackend):
    name = "macOS (Carbon RegisterEventHotKey)"

    def __init__(self, api: Any = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._api = api
        self._handler_ref = ctypes.c_void_p()
        self._hotkey_ref = ctypes.c_void_p()
        self._callback: Any = None  # keeps the ctypes trampoline alive
        self._chord: Chord | None = None

    @property
    def api(self) -> Any:
        if self._api is None:
            self._api = CarbonApi()
        return self._api

    def _install_handler(self) -> int:
        if self._callback is not None:
            return NO_ERR
        spec = EventTypeSpec(K_EVENT_CLASS_KEYBOARD, K_EVENT_HOTKEY_PRESSED)
        callback = EventHandlerProc(self._on_event)
        status = int(
            self.api.InstallEventHandler(
                self.api.GetApplicationEventTarget(),
                callback,
                1,
                ctypes.byref(spec),
                None,
                ctypes.byref(self._handler_ref),
            )
        )
        if status == NO_ERR:
            self._callback = callback
        return status

    def register(self, chord: Chord) -> None:
        self.unregister()
        code = chord.codes.mac
        if code is None:
            self._set_status(HotkeyState.ERROR, chord, f"{chord.key} has no macOS key code.")
            return
        try:
            status = self._install_handler()
            if status != NO_ERR:
                self._set_status(
                    HotkeyState.ERROR, chord, f"InstallEventHandler failed (OSStatus {status})."
                )
                return
            status = int(
                self.api.RegisterEventHotKey(
                    code,
                    modifier_bits(chord),
                    EventHotKeyID(SIGNATURE, HOTKEY_ID),
                    self.api.GetApplicationEventTarget(),
                    0,
                    ctypes.byref(self._hotkey_ref),
                )
            )
        except (OSError, AttributeError) as exc:
            self._set_status(HotkeyState.UNAVAILABLE, chord, f"Carbon is not available: {exc}")
            return
        if status == EVENT_HOTKEY_EXISTS_ERR:
            self._set_status(
                HotkeyState.CONFLICT, chord, f"{chord} is taken by another application."
            )
            return
        if status != NO_ERR:
            self._set_status(
                HotkeyState.ERROR, chord, f"RegisterEventHotKey failed (OSStatus {status})."
            )
            return
        self._chord = chord
        self._set_status(HotkeyState.ACTIVE, chord)

    def unregister(self) -> None:
        if self._chord is not None:
            self._chord = None
            try:
                self.api.UnregisterEventHotKey(self._hotkey_ref)
            except (OSError, AttributeError) as exc:
                log.debug("UnregisterEventHotKey failed: %s", exc)
            self._hotkey_ref = ctypes.c_void_p()
        self._set_status(HotkeyState.OFF)

    def close(self) -> None:
        self.unregister()
        if self._callback is not None:
            try:
                self.api.RemoveEventHandler(self._handler_ref)
            except (OSError, AttributeError) as exc:
                log.debug("RemoveEventHandler failed: %s", exc)
            self._callback = None

    def _on_event(self, _call_ref: Any, event: Any, _user_data: Any) -> int:
        try:
            hotkey = EventHotKeyID()
            status = int(
                self.api.GetEventParameter(
                    event,
                    K_EVENT_PARAM_DIRECT_OBJECT,
                    TYPE_EVENT_HOTKEY_ID,
                    None,
                    ctypes.sizeof(hotkey),
                    None,
                    ctypes.byref(hotkey),
                )
            )
            if status != NO_ERR or hotkey.signature != SIGNATURE or hotkey.id != HOTKEY_ID:
                return EVENT_NOT_HANDLED_ERR
            if self._chord is not None:
                self.activated.emit()
            return NO_ERR
        except Exception:  # never let an exception cross into Carbon
            log.exception("hotkey handler failed")
            return EVENT_NOT_HANDLED_ERR
