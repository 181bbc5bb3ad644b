"""The macOS backend with Carbon faked: the RegisterEventHotKey arguments (Qt's Ctrl is the
Command key), the conflict error, and a hot-key event delivered through the real ctypes
callback trampoline that the backend installs. (The real thing needs macOS; it cannot run
here.)"""

from __future__ import annotations

import ctypes
import os
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from grok_desktop.platform.hotkeys import macos as mac
from grok_desktop.platform.hotkeys.base import HotkeyState
from grok_desktop.platform.hotkeys.keys import Chord

TARGET = 0xA11CE


class FakeCarbon:
    def __init__(self, exists: set[tuple[int, int]] | None = None) -> None:
        self.exists = exists or set()
        self.handler: Any = None
        self.handler_spec: tuple[int, int] | None = None
        self.hotkeys: dict[int, tuple[int, int, int, int]] = {}
        self.calls: list[str] = []
        self._next = 0x100

    def GetApplicationEventTarget(self) -> int:
        return TARGET

    def InstallEventHandler(
        self, target: int, handler: Any, count: int, specs: Any, user: Any, out: Any
    ) -> int:
        assert target == TARGET and count == 1
        spec = specs._obj
        self.handler_spec = (spec.eventClass, spec.eventKind)
        self.handler = handler
        out._obj.value = 0xBEEF
        self.calls.append("install")
        return 0

    def RemoveEventHandler(self, ref: Any) -> int:
        self.calls.append("remove")
        self.handler = None
        return 0

    def RegisterEventHotKey(
        self, code: int, modifiers: int, ident: Any, target: int, options: int, out: Any
    ) -> int:
        self.calls.append("register")
        if (code, modifiers) in self.exists:
            return mac.EVENT_HOTKEY_EXISTS_ERR
        self._next += 1
        out._obj.value = self._next
        self.hotkeys[self._next] = (code, modifiers, ident.signature, ident.id)
        return 0

    def UnregisterEventHotKey(self, ref: Any) -> int:
        self.calls.append("unregister")
        return 0 if self.hotkeys.pop(ref.value, None) else -1

    def GetEventParameter(
        self, event: int, name: int, kind: int, actual: Any, size: int, actual_size: Any, out: Any
    ) -> int:
        assert name == mac.K_EVENT_PARAM_DIRECT_OBJECT and kind == mac.TYPE_EVENT_HOTKEY_ID
        assert size == ctypes.sizeof(mac.EventHotKeyID)
        signature, ident = EVENTS[event]
        out._obj.signature = signature
        out._obj.id = ident
        return 0

    def fire(self, event: int) -> int:
        """What Carbon does when a registered hot key is pressed: call the C handler."""
        assert self.handler is not None
        return int(self.handler(None, event, None))


EVENTS = {1: (mac.SIGNATURE, mac.HOTKEY_ID), 2: (mac.four_cc("Othr"), 1), 3: (mac.SIGNATURE, 9)}


def test_register_maps_qt_modifiers_to_mac_keys(qapp: Any) -> None:
    api = FakeCarbon()
    backend = mac.MacHotkeyBackend(api)
    backend.register(Chord.parse("Ctrl+Alt+Space"))
    assert backend.status.state is HotkeyState.ACTIVE
    assert api.handler_spec == (mac.four_cc("keyb"), 5)
    ((code, modifiers, signature, ident),) = api.hotkeys.values()
    assert code == 0x31  # kVK_Space
    assert modifiers == mac.CMD_KEY | mac.OPTION_KEY  # Qt's Ctrl is Command on macOS
    assert (signature, ident) == (mac.SIGNATURE, mac.HOTKEY_ID)
    backend.register(Chord.parse("Meta+Shift+K"))
    ((code, modifiers, _, _),) = api.hotkeys.values()  # the old one was unregistered
    assert code == 0x28 and modifiers == mac.CONTROL_KEY | mac.SHIFT_KEY
    backend.close()
    assert not api.hotkeys and api.calls[-1] == "remove" and api.calls.count("install") == 1


def test_hot_key_event_through_the_ctypes_handler(qtbot: Any) -> None:
    api = FakeCarbon()
    backend = mac.MacHotkeyBackend(api)
    backend.register(Chord.parse("Ctrl+Alt+Space"))
    with qtbot.waitSignal(backend.activated, timeout=1000):
        assert api.fire(1) == mac.NO_ERR
    seen: list[int] = []
    backend.activated.connect(lambda: seen.append(1))
    assert api.fire(2) == mac.EVENT_NOT_HANDLED_ERR  # another app's signature
    assert api.fire(3) == mac.EVENT_NOT_HANDLED_ERR  # another id
    assert seen == []
    backend.close()


def test_conflict_is_reported(qapp: Any) -> None:
    api = FakeCarbon(exists={(0x31, mac.CMD_KEY | mac.OPTION_KEY)})
    backend = mac.MacHotkeyBackend(api)
    backend.register(Chord.parse("Ctrl+Alt+Space"))
    assert backend.status.state is HotkeyState.CONFLICT
    assert "taken by another application" in backend.status.detail
    backend.close()


def test_keys_without_a_mac_code_are_refused(qapp: Any) -> None:
    backend = mac.MacHotkeyBackend(FakeCarbon())
    backend.register(Chord.parse("Ctrl+Alt+Print"))
    assert backend.status.state is HotkeyState.ERROR and "no macOS key code" in (
        backend.status.detail
    )
