"""The Windows backend with user32 faked: the RegisterHotKey/UnregisterHotKey calls it makes,
the conflict error, and WM_HOTKEY picked out of a real MSG structure by the native event
filter. (The real thing needs Windows; it cannot run here.)"""

from __future__ import annotations

import ctypes
import os
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from grok_desktop.platform.hotkeys import windows as win
from grok_desktop.platform.hotkeys.base import HotkeyState
from grok_desktop.platform.hotkeys.keys import Chord


class FakeUser32:
    """Stands in for Win32Api: records calls; `taken` chords fail like another app's."""

    def __init__(self, taken: set[tuple[int, int]] | None = None) -> None:
        self.taken = taken or set()
        self.registered: dict[int, tuple[int, int]] = {}
        self.calls: list[tuple[Any, ...]] = []
        self.error = 0

    def RegisterHotKey(self, hwnd: Any, ident: int, modifiers: int, vk: int) -> int:
        self.calls.append(("register", hwnd, ident, modifiers, vk))
        if (modifiers & ~win.MOD_NOREPEAT, vk) in self.taken:
            self.error = win.ERROR_HOTKEY_ALREADY_REGISTERED
            return 0
        self.registered[ident] = (modifiers, vk)
        return 1

    def UnregisterHotKey(self, hwnd: Any, ident: int) -> int:
        self.calls.append(("unregister", hwnd, ident))
        return int(self.registered.pop(ident, None) is not None)

    def get_last_error(self) -> int:
        return self.error


def hotkey_message(ident: int = win.HOTKEY_ID, message: int = win.WM_HOTKEY) -> win.MSG:
    return win.MSG(hwnd=None, message=message, wParam=ident, lParam=0x00200003)


def test_register_sends_the_right_modifiers_and_virtual_key(qapp: Any) -> None:
    api = FakeUser32()
    backend = win.WindowsHotkeyBackend(api)
    backend.register(Chord.parse("Ctrl+Alt+Space"))
    assert api.calls == [
        ("register", None, win.HOTKEY_ID, win.MOD_CONTROL | win.MOD_ALT | win.MOD_NOREPEAT, 0x20)
    ]
    assert backend.status.state is HotkeyState.ACTIVE
    backend.register(Chord.parse("Meta+Shift+F5"))  # replaces: unregister first
    assert api.calls[1] == ("unregister", None, win.HOTKEY_ID)
    assert api.calls[2][3] == win.MOD_WIN | win.MOD_SHIFT | win.MOD_NOREPEAT
    assert api.calls[2][4] == 0x74
    backend.close()
    assert api.calls[-1] == ("unregister", None, win.HOTKEY_ID) and not api.registered


def test_conflict_is_reported(qapp: Any) -> None:
    api = FakeUser32(taken={(win.MOD_CONTROL | win.MOD_ALT, 0x20)})
    backend = win.WindowsHotkeyBackend(api)
    backend.register(Chord.parse("Ctrl+Alt+Space"))
    assert backend.status.state is HotkeyState.CONFLICT
    assert "taken by another application" in backend.status.detail
    backend.close()


def test_wm_hotkey_through_the_native_event_filter(qtbot: Any) -> None:
    api = FakeUser32()
    backend = win.WindowsHotkeyBackend(api)
    backend.register(Chord.parse("Ctrl+Alt+Space"))
    filt = backend._filter
    assert filt is not None
    msg = hotkey_message()
    with qtbot.waitSignal(backend.activated, timeout=1000):
        handled = filt.nativeEventFilter(b"windows_dispatcher_MSG", ctypes.addressof(msg))
    assert handled == (True, 0)
    # another app's hotkey id, another message, another event type: not ours
    seen: list[int] = []
    backend.activated.connect(lambda: seen.append(1))
    other = hotkey_message(ident=7)
    paint = hotkey_message(message=0x000F)
    assert filt.nativeEventFilter(b"windows_generic_MSG", ctypes.addressof(other)) == (False, 0)
    assert filt.nativeEventFilter(b"windows_generic_MSG", ctypes.addressof(paint)) == (False, 0)
    assert filt.nativeEventFilter(b"xcb_generic_event_t", ctypes.addressof(msg)) == (False, 0)
    assert seen == []
    backend.unregister()  # after unregistering a late WM_HOTKEY does nothing
    assert filt.nativeEventFilter(b"windows_generic_MSG", ctypes.addressof(msg)) == (True, 0)
    assert seen == []
    backend.close()


def test_real_api_object_calls_the_user32_functions(qapp: Any, monkeypatch: Any) -> None:
    """Win32Api as shipped, with ctypes.WinDLL's function objects replaced."""
    fake = FakeUser32()

    class Function:
        def __init__(self, fn: Any) -> None:
            self.fn = fn
            self.argtypes: Any = None
            self.restype: Any = None

        def __call__(self, *args: Any) -> Any:
            return self.fn(*args)

    class FakeDLL:
        def __init__(self, name: str, use_last_error: bool = False) -> None:
            assert name == "user32" and use_last_error
            self.RegisterHotKey = Function(fake.RegisterHotKey)
            self.UnregisterHotKey = Function(fake.UnregisterHotKey)

    monkeypatch.setattr(ctypes, "WinDLL", FakeDLL, raising=False)
    monkeypatch.setattr(ctypes, "get_last_error", lambda: fake.error, raising=False)
    backend = win.WindowsHotkeyBackend()
    backend.register(Chord.parse("Ctrl+Shift+G"))
    assert backend.status.state is HotkeyState.ACTIVE
    assert backend.api.RegisterHotKey.argtypes == [
        ctypes.c_void_p,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.c_uint,
    ]
    assert fake.registered == {win.HOTKEY_ID: (win.MOD_CONTROL | win.MOD_SHIFT | 0x4000, 0x47)}
    fake.taken.add((win.MOD_CONTROL | win.MOD_ALT, 0x20))
    backend.register(Chord.parse("Ctrl+Alt+Space"))
    assert backend.status.state is HotkeyState.CONFLICT  # read through ctypes.get_last_error
    backend.close()


def test_msg_layout_matches_win64() -> None:
    # winuser.h MSG on 64-bit Windows: 48 bytes, wParam at 16 (the filter reads raw memory)
    if ctypes.sizeof(ctypes.c_void_p) == 8:
        assert win.MSG.wParam.offset == 16
        assert win.MSG.message.offset == 8
        assert win.MSG.time.offset == 32 and ctypes.sizeof(win.MSG) == 48
    else:
        pytest.skip("32-bit interpreter")


def test_no_user32_means_unavailable(qapp: Any, monkeypatch: Any) -> None:
    class Broken:
        def RegisterHotKey(self, *args: Any) -> int:
            raise OSError("user32.dll not found")

    backend = win.WindowsHotkeyBackend(Broken())
    backend.register(Chord.parse("Ctrl+Alt+Space"))
    assert backend.status.state is HotkeyState.UNAVAILABLE
