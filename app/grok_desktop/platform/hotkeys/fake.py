"""A backend for tests: no OS involved. `press()` is the user pressing the chord; `taken`
chords behave like ones another application holds."""

from __future__ import annotations

from PySide6.QtCore import QObject

from grok_desktop.platform.hotkeys.base import HotkeyBackend, HotkeyState
from grok_desktop.platform.hotkeys.keys import Chord


class FakeHotkeyBackend(HotkeyBackend):
    name = "Fake (tests)"

    def __init__(self, taken: set[str] | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.taken = set(taken or ())
        self.chord: Chord | None = None
        self.registrations: list[str] = []

    def register(self, chord: Chord) -> None:
        self.unregister()
        self.registrations.append(chord.portable())
        if chord.portable() in self.taken:
            self._set_status(
                HotkeyState.CONFLICT, chord, f"{chord} is taken by another application."
            )
            return
        self.chord = chord
        self._set_status(HotkeyState.ACTIVE, chord)

    def unregister(self) -> None:
        self.chord = None
        self._set_status(HotkeyState.OFF)

    def press(self) -> bool:
        """Simulate the chord being pressed; False when nothing is registered."""
        if self.chord is None:
            return False
        self.activated.emit()
        return True
