"""The one protocol every global-shortcut backend follows.

A backend grabs one chord at a time. `register()` may answer at once (X11, Windows, macOS) or
later (the portal asks the desktop, which may ask the user): the outcome always arrives as
`status_changed` and is kept in `status`.

Signals:
    activated(): the chord was pressed (from any application)
    status_changed(object HotkeyStatus)
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from grok_desktop.platform.hotkeys.keys import Chord


class HotkeyState(enum.Enum):
    OFF = "off"  # nothing registered (turned off, or not yet)
    PENDING = "pending"  # asked; waiting for the desktop's answer
    ACTIVE = "active"  # pressing the chord anywhere activates
    CONFLICT = "conflict"  # another application holds the chord
    UNAVAILABLE = "unavailable"  # this backend cannot work here
    ERROR = "error"  # it should work but failed


@dataclass(frozen=True, slots=True)
class HotkeyStatus:
    state: HotkeyState
    backend: str
    chord: str = ""
    detail: str = ""  # a sentence for people (why it failed, what the desktop assigned)

    @property
    def active(self) -> bool:
        return self.state is HotkeyState.ACTIVE


class HotkeyBackend(QObject):
    """Base class (QObject signals need a class, not a typing.Protocol)."""

    activated = Signal()
    status_changed = Signal(object)

    #: Shown to people: "X11 (XGrabKey)", "Desktop portal (GlobalShortcuts)".
    name = "none"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._status = HotkeyStatus(HotkeyState.OFF, self.name)

    @property
    def status(self) -> HotkeyStatus:
        return self._status

    def register(self, chord: Chord) -> None:
        """Grab `chord` (replacing any previous one); the outcome arrives as status_changed."""
        raise NotImplementedError

    def unregister(self) -> None:
        """Release the chord; status becomes OFF."""
        raise NotImplementedError

    def close(self) -> None:
        """Release everything; the backend is not used again."""
        self.unregister()

    def activate_window(self, win_id: int) -> bool:
        """Give keyboard focus to a just-shown window with the activating key press's own
        timestamp, where the system needs one to let a background app take focus (X11).
        Returns False when there is nothing to do beyond Qt's activateWindow()."""
        return False

    # -- for subclasses -------------------------------------------------------------------------
    def _set_status(self, state: HotkeyState, chord: Chord | str = "", detail: str = "") -> None:
        status = HotkeyStatus(state, self.name, str(chord), detail)
        if status != self._status:
            self._status = status
            self.status_changed.emit(status)
