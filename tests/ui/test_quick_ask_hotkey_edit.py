"""HotkeyEdit, the press-to-record field for the settings dialog: recording, what it shows
while modifiers are held, clearing, cancelling, refusing unusable chords, swallowing app
shortcuts while recording, and suspending the global chord meanwhile."""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget

from grok_desktop.platform.hotkeys import HotkeyManager
from grok_desktop.platform.hotkeys.fake import FakeHotkeyBackend
from grok_desktop.storage.settings import Settings
from grok_desktop.ui.hotkey_edit import PROMPT, HotkeyEdit

CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


def make(qtbot: Any, hotkey: str = "Ctrl+Alt+Space") -> tuple[QWidget, HotkeyEdit, QLineEdit]:
    page = QWidget()
    layout = QVBoxLayout(page)
    edit = HotkeyEdit(hotkey)
    other = QLineEdit()
    layout.addWidget(other)
    layout.addWidget(edit)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    other.setFocus()
    return page, edit, other


def test_records_a_new_chord(qtbot: Any) -> None:
    _page, edit, _ = make(qtbot)
    assert edit.objectName() == "hotkeyEdit" and edit.hotkey() == "Ctrl+Alt+Space"
    assert edit.text() == QKeySequence("Ctrl+Alt+Space").toString(
        QKeySequence.SequenceFormat.NativeText
    )
    with qtbot.waitSignal(edit.recording_changed) as started:
        qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    assert started.args == [True] and edit.text() == PROMPT
    qtbot.keyPress(edit, Qt.Key.Key_Control)
    assert edit.text() == "Ctrl+…"
    qtbot.keyPress(edit, Qt.Key.Key_Alt, Qt.KeyboardModifier.ControlModifier)
    assert edit.text() == "Ctrl+Alt+…"
    release = QKeyEvent(QEvent.Type.KeyRelease, Qt.Key.Key_Alt, CTRL_ALT)
    QApplication.sendEvent(edit, release)  # (QTest would release Ctrl too)
    assert edit.text() == "Ctrl+…"
    with qtbot.waitSignal(edit.hotkey_changed) as changed:
        qtbot.keyClick(edit, Qt.Key.Key_K, CTRL_ALT)
    assert changed.args == ["Ctrl+Alt+K"] and edit.hotkey() == "Ctrl+Alt+K"
    assert not edit.recording


def test_backspace_turns_it_off_and_escape_cancels(qtbot: Any) -> None:
    _page, edit, _ = make(qtbot)
    edit.start_recording()  # (what focusing it does; offscreen focus is not dependable)
    assert edit.recording
    qtbot.keyClick(edit, Qt.Key.Key_Escape)
    assert not edit.recording and edit.hotkey() == "Ctrl+Alt+Space"
    edit.start_recording()
    with qtbot.waitSignal(edit.hotkey_changed) as changed:
        qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    assert changed.args == [""] and edit.text() == ""
    assert "Off" in edit.placeholderText()


def test_unusable_chords_are_refused_with_a_reason(qtbot: Any) -> None:
    _page, edit, _ = make(qtbot)
    edit.start_recording()
    with qtbot.waitSignal(edit.rejected) as rejected:
        qtbot.keyClick(edit, Qt.Key.Key_A)
    assert "Ctrl, Alt or Meta" in rejected.args[0]
    assert edit.recording and edit.hotkey() == "Ctrl+Alt+Space"
    with qtbot.waitSignal(edit.hotkey_changed):
        qtbot.keyClick(edit, Qt.Key.Key_F9)  # a function key alone is fine
    assert edit.hotkey() == "F9"


def test_app_shortcuts_do_not_fire_while_recording(qtbot: Any) -> None:
    page, edit, _ = make(qtbot)
    fired: list[int] = []
    QShortcut(QKeySequence("Ctrl+N"), page, lambda: fired.append(1))
    edit.start_recording()
    with qtbot.waitSignal(edit.hotkey_changed) as changed:
        qtbot.keyClick(edit, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert changed.args == ["Ctrl+N"] and fired == []


def test_recording_suspends_the_global_chord(qtbot: Any) -> None:
    settings = Settings(None)
    backend = FakeHotkeyBackend()
    manager = HotkeyManager(settings, backend)
    manager.apply()
    _page, edit, _ = make(qtbot, str(settings.get("hotkey")))
    edit.recording_changed.connect(manager.set_suspended)
    edit.hotkey_changed.connect(lambda text: settings.set("hotkey", text))
    edit.start_recording()
    assert backend.chord is None  # pressing Ctrl+Alt+Space now reaches the field
    qtbot.keyClick(edit, Qt.Key.Key_J, CTRL_ALT)
    assert settings.get("hotkey") == "Ctrl+Alt+J"
    assert backend.chord is not None and backend.chord.portable() == "Ctrl+Alt+J"
    assert manager.hotkey_status().startswith("Ctrl+Alt+J opens Quick Ask")
