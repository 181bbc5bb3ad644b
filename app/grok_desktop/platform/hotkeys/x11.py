"""Global shortcut on X11: XGrabKey on the root window through python-xlib.

A separate X connection (not Qt's) grabs the chord; a QSocketNotifier on that connection's
socket wakes us when the server sends the key press, so there is no thread and no polling.
The chord is grabbed four times — plain, with CapsLock, with NumLock and with both — or it
would stop working whenever one of those locks is on. A chord another client already grabbed
makes the server answer BadAccess, which is caught and reported as a conflict.

On Wayland this works only while an X11 (XWayland) window has focus, so it is not used there.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, QTimer

from grok_desktop.platform.hotkeys.base import HotkeyBackend, HotkeyState
from grok_desktop.platform.hotkeys.keys import Chord

log = logging.getLogger(__name__)


class X11HotkeyBackend(HotkeyBackend):
    name = "X11 (XGrabKey)"

    def __init__(self, display_name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._display_name = display_name if display_name is not None else os.environ.get("DISPLAY")
        self._display: Any = None
        self._notifier: QSocketNotifier | None = None
        self._grab: tuple[int, int, list[int]] | None = None  # keycode, modifiers, lock variants
        self._chord: Chord | None = None
        self._relevant = 0
        self.last_event_time = 0  # X server time of the last activation (for focus requests)
        self.events_seen = 0

    # -- connection -----------------------------------------------------------------------------
    def _connect(self) -> Any:
        if self._display is not None:
            return self._display
        from Xlib import display as xdisplay

        self._display = xdisplay.Display(self._display_name)
        self._notifier = QSocketNotifier(self._display.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)
        return self._display

    def _modifier_masks(self, d: Any) -> dict[str, int]:
        """Which ModN bit Alt, Super and NumLock sit on (usually Mod1, Mod4, Mod2)."""
        from Xlib import XK, X

        found: dict[str, int] = {}
        wanted = {
            "alt": ("Alt_L", "Alt_R", "Meta_L"),
            "meta": ("Super_L", "Super_R", "Hyper_L"),
            "numlock": ("Num_Lock",),
        }
        codes = {
            role: {d.keysym_to_keycode(XK.string_to_keysym(n)) for n in names} - {0}
            for role, names in wanted.items()
        }
        masks = (
            X.ShiftMask,
            X.LockMask,
            X.ControlMask,
            X.Mod1Mask,
            X.Mod2Mask,
            X.Mod3Mask,
            X.Mod4Mask,
            X.Mod5Mask,
        )
        for index, keycodes in enumerate(d.get_modifier_mapping()):
            if index < 3:
                continue  # Shift, Lock, Control are fixed
            present = set(keycodes) - {0}
            for role, role_codes in codes.items():
                if role not in found and present & role_codes:
                    found[role] = masks[index]
        found.setdefault("alt", X.Mod1Mask)
        found.setdefault("meta", X.Mod4Mask)
        found.setdefault("numlock", X.Mod2Mask)
        return found

    # -- protocol -------------------------------------------------------------------------------
    def register(self, chord: Chord) -> None:
        self.unregister()
        try:
            from Xlib import X, error

            d = self._connect()
            root = d.screen().root
            keycode = d.keysym_to_keycode(chord.codes.x11)
            if not keycode:
                self._set_status(
                    HotkeyState.ERROR, chord, f"The key {chord.key} is not on this keyboard map."
                )
                return
            masks = self._modifier_masks(d)
            bits = {"ctrl": X.ControlMask, "shift": X.ShiftMask}
            bits.update(alt=masks["alt"], meta=masks["meta"])
            modifiers = 0
            for m in chord.modifiers:
                modifiers |= bits[m]
            self._relevant = X.ShiftMask | X.ControlMask | masks["alt"] | masks["meta"]
            locks = sorted({0, X.LockMask, masks["numlock"], X.LockMask | masks["numlock"]})
            catch = error.CatchError(error.BadAccess)
            for extra in locks:
                root.grab_key(
                    keycode,
                    modifiers | extra,
                    True,
                    X.GrabModeAsync,
                    X.GrabModeAsync,
                    onerror=catch,
                )
            d.sync()
            if catch.get_error() is not None:
                for extra in locks:
                    root.ungrab_key(keycode, modifiers | extra)
                d.sync()
                self._set_status(
                    HotkeyState.CONFLICT, chord, f"{chord} is taken by another application."
                )
                return
        except Exception as exc:  # no X server, lost connection, python-xlib missing
            log.warning("X11 global shortcut failed: %s", exc)
            self._close_display()
            self._set_status(HotkeyState.ERROR, chord, f"X11 error: {exc}")
            return
        self._grab = (keycode, modifiers, locks)
        self._chord = chord
        self._set_status(HotkeyState.ACTIVE, chord)
        QTimer.singleShot(0, self._drain)  # sync() may have queued events already

    def unregister(self) -> None:
        grab, self._grab, self._chord = self._grab, None, None
        if grab is not None and self._display is not None:
            keycode, modifiers, locks = grab
            try:
                root = self._display.screen().root
                for extra in locks:
                    root.ungrab_key(keycode, modifiers | extra)
                self._display.sync()
            except Exception as exc:
                log.debug("ungrab failed: %s", exc)
        self._set_status(HotkeyState.OFF)

    def close(self) -> None:
        self.unregister()
        self._close_display()

    def _close_display(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self._display is not None:
            try:
                self._display.close()
            except Exception:
                pass
            self._display = None

    # -- events ---------------------------------------------------------------------------------
    def _drain(self) -> None:
        d = self._display
        if d is None:
            return
        try:
            from Xlib import X

            while d.pending_events():
                event = d.next_event()
                self.events_seen += 1
                if event.type != X.KeyPress or self._grab is None:
                    continue
                keycode, modifiers, _ = self._grab
                if event.detail == keycode and event.state & self._relevant == modifiers:
                    self.last_event_time = int(event.time)
                    self.activated.emit()
        except Exception as exc:  # the X server went away
            log.warning("X11 connection lost: %s", exc)
            chord = self._chord
            self._grab = None
            self._close_display()
            self._set_status(HotkeyState.ERROR, chord or "", f"X11 connection lost: {exc}")

    def activate_window(self, win_id: int) -> bool:
        """Focus `win_id` with the hotkey press's timestamp.

        Qt activates with the time of the last event *it* saw, which is older than the key
        press (the grab delivered that to our connection): window managers with focus-stealing
        prevention then refuse. With a window manager this sends _NET_ACTIVE_WINDOW; without
        one (Xvfb) it sets the input focus directly.
        """
        d = self._display
        if d is None or not win_id:
            return False
        try:
            from Xlib import X, error
            from Xlib.protocol import event as xevent

            root = d.screen().root
            when = self.last_event_time or X.CurrentTime
            active = d.intern_atom("_NET_ACTIVE_WINDOW")
            supported = root.get_full_property(d.intern_atom("_NET_SUPPORTED"), X.AnyPropertyType)
            window = d.create_resource_object("window", win_id)
            catch = error.CatchError(error.BadMatch, error.BadWindow)
            if supported is not None and active in supported.value:
                message = xevent.ClientMessage(
                    window=window, client_type=active, data=(32, [1, when, 0, 0, 0])
                )
                mask = X.SubstructureRedirectMask | X.SubstructureNotifyMask
                root.send_event(message, event_mask=mask, onerror=catch)
            else:
                window.set_input_focus(X.RevertToParent, when, onerror=catch)
            d.sync()
            return catch.get_error() is None
        except Exception as exc:
            log.debug("focus request failed: %s", exc)
            return False
