"""The X11 backend on a real X server (Xvfb): key presses sent through XTEST like a keyboard,
with NumLock and CapsLock on, a chord another client holds (BadAccess -> conflict), release
on unregister, focus with the key press's timestamp, and the server going away.

Skips only when Xvfb is missing (scripts/test installs it as root).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "e2e"))

import pytest
from PySide6.QtCore import QTimer
from pytestqt.exceptions import TimeoutError
from xvfb import xvfb

from grok_desktop.platform.hotkeys.base import HotkeyState
from grok_desktop.platform.hotkeys.keys import Chord
from grok_desktop.platform.hotkeys.x11 import X11HotkeyBackend

pytestmark = pytest.mark.xvfb
X = pytest.importorskip("Xlib.X")
XK = pytest.importorskip("Xlib.XK")
xdisplay = pytest.importorskip("Xlib.display")
xerror = pytest.importorskip("Xlib.error")
xtest = pytest.importorskip("Xlib.ext.xtest")


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    with xvfb("640x480x24") as d:
        yield d


class Keyboard:
    """Another X client pressing keys through XTEST (what xdotool does)."""

    def __init__(self, display: str) -> None:
        self.d = xdisplay.Display(display)

    def code(self, name: str) -> int:
        return int(self.d.keysym_to_keycode(XK.string_to_keysym(name)))

    def chord(self, *names: str) -> None:
        codes = [self.code(n) for n in names]
        for c in codes:
            xtest.fake_input(self.d, X.KeyPress, c)
        for c in reversed(codes):
            xtest.fake_input(self.d, X.KeyRelease, c)
        self.d.sync()

    def lock_state(self) -> int:
        return int(self.d.screen().root.query_pointer().mask)

    def close(self) -> None:
        self.d.close()


@pytest.fixture
def keyboard(display: str) -> Iterator[Keyboard]:
    k = Keyboard(display)
    yield k
    # leave the locks off for the next test
    for name, mask in (("Num_Lock", X.Mod2Mask), ("Caps_Lock", X.LockMask)):
        if k.lock_state() & mask:
            k.chord(name)
    k.close()


@pytest.fixture
def backend(display: str, qapp: Any) -> Iterator[X11HotkeyBackend]:
    b = X11HotkeyBackend(display)
    yield b
    b.close()


def presses(qtbot: Any, backend: X11HotkeyBackend, keyboard: Keyboard, *names: str) -> bool:
    """Press the keys; True if the backend activated. A key press reaches the grab in well
    under a millisecond here, so 300 ms without an activation means none is coming."""
    seen: list[int] = []
    backend.activated.connect(lambda: seen.append(1))
    keyboard.chord(*names)
    try:
        qtbot.waitUntil(lambda: bool(seen), timeout=300)
    except TimeoutError:
        return False
    finally:
        backend.activated.disconnect()
    return len(seen) == 1


def test_chord_activates_also_with_numlock_and_capslock(
    qtbot: Any, backend: X11HotkeyBackend, keyboard: Keyboard
) -> None:
    backend.register(Chord.parse("Ctrl+Alt+Space"))
    assert backend.status.state is HotkeyState.ACTIVE, backend.status
    assert presses(qtbot, backend, keyboard, "Control_L", "Alt_L", "space")
    keyboard.chord("Num_Lock")
    assert keyboard.lock_state() & X.Mod2Mask
    assert presses(qtbot, backend, keyboard, "Control_L", "Alt_L", "space")
    keyboard.chord("Caps_Lock")
    assert keyboard.lock_state() & X.LockMask
    assert presses(qtbot, backend, keyboard, "Control_L", "Alt_L", "space")
    keyboard.chord("Num_Lock")
    assert presses(qtbot, backend, keyboard, "Control_L", "Alt_L", "space")
    assert backend.last_event_time > 0


def test_other_chords_do_not_activate(
    qtbot: Any, backend: X11HotkeyBackend, keyboard: Keyboard
) -> None:
    backend.register(Chord.parse("Ctrl+Alt+Space"))
    assert not presses(qtbot, backend, keyboard, "Control_L", "space")
    assert not presses(qtbot, backend, keyboard, "Control_L", "Alt_L", "Shift_L", "space")
    backend.register(Chord.parse("Meta+Shift+K"))  # Super on the modifier it really sits on
    assert presses(qtbot, backend, keyboard, "Super_L", "Shift_L", "k")
    assert not presses(qtbot, backend, keyboard, "Control_L", "Alt_L", "space")


def test_event_driven_no_polling(qtbot: Any, backend: X11HotkeyBackend) -> None:
    backend.register(Chord.parse("Ctrl+Alt+F7"))
    qtbot.wait(300)
    assert backend.events_seen == 0  # nothing is read while nothing happens
    assert not [t for t in backend.findChildren(QTimer) if t.isActive()]


def test_chord_held_by_another_client_is_a_conflict(
    qtbot: Any, display: str, backend: X11HotkeyBackend, keyboard: Keyboard
) -> None:
    other = xdisplay.Display(display)
    root = other.screen().root
    code = other.keysym_to_keycode(XK.string_to_keysym("g"))
    root.grab_key(code, X.ControlMask | X.Mod1Mask, True, X.GrabModeAsync, X.GrabModeAsync)
    other.sync()
    try:
        backend.register(Chord.parse("Ctrl+Alt+G"))
        assert backend.status.state is HotkeyState.CONFLICT
        assert backend.status.detail == "Ctrl+Alt+G is taken by another application."
        # what we did manage to grab (the lock variants) was released again
        probe = xdisplay.Display(display)
        catch = xerror.CatchError(xerror.BadAccess)
        probe.screen().root.grab_key(
            code,
            X.ControlMask | X.Mod1Mask | X.LockMask,
            True,
            X.GrabModeAsync,
            X.GrabModeAsync,
            onerror=catch,
        )
        probe.sync()
        assert catch.get_error() is None
        probe.close()
    finally:
        other.close()
    backend.register(Chord.parse("Ctrl+Alt+G"))  # free now
    assert backend.status.state is HotkeyState.ACTIVE
    assert presses(qtbot, backend, keyboard, "Control_L", "Alt_L", "g")


def test_unregister_releases_the_grab(display: str, backend: X11HotkeyBackend) -> None:
    backend.register(Chord.parse("Ctrl+Alt+Space"))
    backend.unregister()
    assert backend.status.state is HotkeyState.OFF
    other = xdisplay.Display(display)
    code = other.keysym_to_keycode(XK.string_to_keysym("space"))
    catch = xerror.CatchError(xerror.BadAccess)
    other.screen().root.grab_key(
        code, X.ControlMask | X.Mod1Mask, True, X.GrabModeAsync, X.GrabModeAsync, onerror=catch
    )
    other.sync()
    assert catch.get_error() is None
    other.close()


def test_activate_window_focuses_with_the_press_time(
    qtbot: Any, display: str, backend: X11HotkeyBackend, keyboard: Keyboard
) -> None:
    backend.register(Chord.parse("Ctrl+Alt+Space"))
    assert presses(qtbot, backend, keyboard, "Control_L", "Alt_L", "space")
    app = xdisplay.Display(display)  # a client with a mapped window (what Quick Ask is)
    screen = app.screen()
    window = screen.root.create_window(10, 10, 100, 50, 0, screen.root_depth)
    window.map()
    app.sync()
    qtbot.waitUntil(lambda: window.get_attributes().map_state == X.IsViewable, timeout=2000)
    assert backend.activate_window(window.id)
    assert app.get_input_focus().focus.id == window.id
    app.close()


def test_server_going_away_is_an_error_not_a_crash(qtbot: Any, qapp: Any) -> None:
    with xvfb("320x240x24") as short_lived:
        backend = X11HotkeyBackend(short_lived)
        backend.register(Chord.parse("Ctrl+Alt+Space"))
        assert backend.status.state is HotkeyState.ACTIVE
    qtbot.waitUntil(lambda: backend.status.state is HotkeyState.ERROR, timeout=5000)
    assert "connection lost" in backend.status.detail
    backend.close()


def test_no_server_is_an_error(qapp: Any) -> None:
    backend = X11HotkeyBackend(":4095")
    backend.register(Chord.parse("Ctrl+Alt+Space"))
    assert backend.status.state is HotkeyState.ERROR and "X11 error" in backend.status.detail
    backend.close()
