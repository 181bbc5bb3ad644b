"""`HotkeyEdit`: press-to-record field for the global shortcut (for the settings dialog).

Click it (or Tab into it) and press the combination; it shows what is held while recording
("Ctrl+Alt+…"). Backspace or Delete clears it (shortcut off), Esc cancels recording. While it
records, the app's own shortcuts do not fire, and `recording_changed(True)` lets the owner
release the global chord (`HotkeyManager.set_suspended`) so pressing the current one is seen
here instead of opening Quick Ask. Combinations that cannot be global shortcuts (no
Ctrl/Alt/Meta, unknown keys) are refused with a reason in `rejected`.

The value is Qt's portable text, the format of the `hotkey` setting ("Ctrl+Alt+Space").

Signals:
    hotkey_changed(str text): "" when cleared
    recording_changed(bool recording)
    rejected(str reason)
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QKeyCombination, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QKeySequence, QMouseEvent
from PySide6.QtWidgets import QLineEdit, QWidget

from grok_desktop.platform.hotkeys.keys import Chord, ChordError

_MODIFIER_KEYS = {
    Qt.Key.Key_Control,
    Qt.Key.Key_Shift,
    Qt.Key.Key_Alt,
    Qt.Key.Key_AltGr,
    Qt.Key.Key_Meta,
    Qt.Key.Key_Super_L,
    Qt.Key.Key_Super_R,
    Qt.Key.Key_Hyper_L,
    Qt.Key.Key_Hyper_R,
}
_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.ShiftModifier
    | Qt.KeyboardModifier.MetaModifier
)
PROMPT = "Press a shortcut…"
# Whether a modifier's own press already carries its flag differs between platforms.
_FLAG_OF = {
    Qt.Key.Key_Control: Qt.KeyboardModifier.ControlModifier,
    Qt.Key.Key_Shift: Qt.KeyboardModifier.ShiftModifier,
    Qt.Key.Key_Alt: Qt.KeyboardModifier.AltModifier,
    Qt.Key.Key_Meta: Qt.KeyboardModifier.MetaModifier,
    Qt.Key.Key_Super_L: Qt.KeyboardModifier.MetaModifier,
    Qt.Key.Key_Super_R: Qt.KeyboardModifier.MetaModifier,
}


def _modifier_text(mods: Qt.KeyboardModifier) -> str:
    names = []
    for flag, name in (
        (Qt.KeyboardModifier.ControlModifier, "Ctrl"),
        (Qt.KeyboardModifier.AltModifier, "Alt"),
        (Qt.KeyboardModifier.ShiftModifier, "Shift"),
        (Qt.KeyboardModifier.MetaModifier, "Meta"),
    ):
        if mods & flag:
            names.append(name)
    return "+".join(names)


class HotkeyEdit(QLineEdit):
    hotkey_changed = Signal(str)
    recording_changed = Signal(bool)
    rejected = Signal(str)

    def __init__(self, hotkey: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._hotkey = ""
        self._recording = False  # before any call that may send events (see event())
        self.setObjectName("hotkeyEdit")
        self.setAccessibleName("Global shortcut")
        self.setReadOnly(True)
        self.setPlaceholderText("Off — click and press a shortcut")
        self.setToolTip("Click, then press the new shortcut. Backspace turns it off.")
        self.set_hotkey(hotkey)

    # -- value ----------------------------------------------------------------------------------
    def hotkey(self) -> str:
        return self._hotkey

    def set_hotkey(self, text: str) -> None:
        """Show `text` (normalised when it parses) without emitting hotkey_changed."""
        text = text.strip()
        try:
            text = Chord.parse(text).portable() if text else ""
        except ChordError:
            pass
        self._hotkey = text
        if not self._recording:
            self.setText(self._display(text))

    @staticmethod
    def _display(text: str) -> str:
        return QKeySequence(text).toString(QKeySequence.SequenceFormat.NativeText) or text

    @property
    def recording(self) -> bool:
        return self._recording

    # -- recording ------------------------------------------------------------------------------
    def start_recording(self) -> None:
        if not self._recording:
            self._recording = True
            self.setText(PROMPT)
            self.recording_changed.emit(True)

    def stop_recording(self) -> None:
        if self._recording:
            self._recording = False
            self.setText(self._display(self._hotkey))
            self.recording_changed.emit(False)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.start_recording()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.stop_recording()
        super().focusOutEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        super().mousePressEvent(event)
        self.start_recording()

    def event(self, event: QEvent) -> bool:
        # While recording, every key is ours: no app shortcut, no default button.
        if self._recording and event.type() == QEvent.Type.ShortcutOverride:
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._recording:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
                self.start_recording()
                return
            super().keyPressEvent(event)
            return
        key = Qt.Key(event.key())
        mods = event.modifiers() & _MODIFIERS
        if key in _MODIFIER_KEYS:
            held = _modifier_text(mods | _FLAG_OF.get(key, Qt.KeyboardModifier.NoModifier))
            self.setText(f"{held}+…" if held else PROMPT)
            return
        if not mods and key == Qt.Key.Key_Escape:
            self.stop_recording()
            return
        if not mods and key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            self._accept("")
            return
        if not mods and key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            super().keyPressEvent(event)
            return
        text = QKeySequence(QKeyCombination(mods, key)).toString(
            QKeySequence.SequenceFormat.PortableText
        )
        try:
            chord = Chord.parse(text)
        except ChordError as exc:
            self.setText(PROMPT)
            self.rejected.emit(str(exc))
            return
        self._accept(chord.portable())

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        if self._recording and key in _MODIFIER_KEYS:
            released = _FLAG_OF.get(key, Qt.KeyboardModifier.NoModifier)
            held = _modifier_text(event.modifiers() & _MODIFIERS & ~released)
            self.setText(f"{held}+…" if held else PROMPT)
            return
        super().keyReleaseEvent(event)

    def _accept(self, text: str) -> None:
        changed = text != self._hotkey
        self._hotkey = text
        self.stop_recording()
        if changed:
            self.hotkey_changed.emit(text)
