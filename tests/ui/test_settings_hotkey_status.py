"""The global shortcut on the settings dialog's Desktop page, over the real window with Quick Ask
wired as the app wires it (a fake backend): the backend and its state (live), a conflict, the
command to bind where no backend works, and the chord released while the field records."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel

from grok_desktop.platform.hotkeys import HotkeyBackend
from grok_desktop.platform.hotkeys.fake import FakeHotkeyBackend
from grok_desktop.storage.settings import Settings
from grok_desktop.ui.hotkey_edit import PROMPT, HotkeyEdit
from grok_desktop.ui.hotkey_status import NO_MANAGER, HotkeyStatusView
from grok_desktop.ui.quick_ask_wiring import QuickAskFeature
from grok_desktop.ui.settings_dialog import SettingsDialog, show_settings
from grok_desktop.ui.tray import Tray

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "ui"
TIMEOUT = 10_000
CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
NO_BACKEND = "no global shortcut support on the Qt platform “offscreen”"

Build = Callable[[HotkeyBackend | None, str], tuple[QuickAskFeature, SettingsDialog]]


@pytest.fixture
def build(qtbot: Any, make_window: Any) -> Iterator[Build]:
    """(feature, its window's settings dialog on the Desktop page) for a hotkey backend."""
    made: list[QuickAskFeature] = []

    def make(backend: HotkeyBackend | None, reason: str = "") -> tuple[Any, SettingsDialog]:
        window, parts = make_window()
        feature = QuickAskFeature(
            window, parts, None, hotkey_backend=(backend, reason), tray=Tray(available=False)
        )
        made.append(feature)
        dialog = show_settings(window)
        qtbot.waitExposed(dialog)
        dialog.tabs.setCurrentIndex(3)
        return feature, dialog

    yield make
    for feature in made:
        feature.shutdown()
        feature.quick.deleteLater()


def view_of(dialog: SettingsDialog) -> HotkeyStatusView:
    view = dialog.findChild(HotkeyStatusView, "hotkeyStatus")
    assert view is not None and view is dialog.hotkey_status
    assert view.isVisible() and view.accessibleName()
    return view


def shot(dialog: SettingsDialog, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(ARTIFACTS / f"settings-hotkey-{name}.png"))


def test_shows_the_active_backend_and_follows_changes(build: Build) -> None:
    backend = FakeHotkeyBackend(taken={"Ctrl+Alt+K"})
    feature, dialog = build(backend, "")
    view = view_of(dialog)
    assert view.backend.text() == "Backend: Fake (tests)" and view.backend.isVisible()
    assert view.status.accessibleName()
    assert "Ctrl+Alt+Space opens Quick Ask from any application" in view.status.text()
    assert not view.bind.isVisible()  # a backend works: no command to bind
    shot(dialog, "active")

    settings = feature.parts.settings
    settings.set("hotkey", "Ctrl+Alt+K")  # live: another application holds this one
    assert "Ctrl+Alt+K is taken by another application" in view.status.text()
    settings.set("hotkey_enabled", False)
    assert "The global shortcut is off" in view.status.text()
    settings.set("hotkey_enabled", True)
    settings.set("hotkey", "Ctrl+Alt+J")
    assert "Ctrl+Alt+J opens Quick Ask" in view.status.text()


def test_a_conflict_says_taken_by_another_application(build: Build) -> None:
    _feature, dialog = build(FakeHotkeyBackend(taken={"Ctrl+Alt+Space"}), "")
    view = view_of(dialog)
    text = view.status.text()
    assert "Ctrl+Alt+Space is taken by another application" in text
    assert "Choose another shortcut" in text and "color" in text  # in red
    assert not view.bind.isVisible()
    shot(dialog, "conflict")


def test_without_a_backend_it_gives_the_command_to_bind(build: Build, qtbot: Any) -> None:
    feature, dialog = build(None, NO_BACKEND)
    view = view_of(dialog)
    assert "not available here" in view.status.text() and "offscreen" in view.status.text()
    assert not view.backend.isVisible()
    command = feature.hotkeys.shortcut_command()
    assert command.endswith("--quick-ask")
    assert view.bind.isVisible()
    assert view.command.toPlainText() == command and view.command.isReadOnly()
    assert view.command.accessibleName() and view.copy_button.accessibleName()
    assert command not in view.status.text()  # once, in its own selectable field
    assert any("custom keyboard shortcut" in label.text() for label in view.findChildren(QLabel))
    shot(dialog, "none")
    qtbot.mouseClick(view.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == command
    assert view.copy_button.text() == "Copied"


def test_recording_releases_the_chord_until_it_ends(build: Build, qtbot: Any) -> None:
    backend = FakeHotkeyBackend()
    feature, dialog = build(backend, "")
    view = view_of(dialog)
    edit = dialog.fields["hotkey"].widget
    assert isinstance(edit, HotkeyEdit)
    assert backend.chord is not None and backend.chord.portable() == "Ctrl+Alt+Space"

    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    assert edit.recording and edit.text() == PROMPT
    assert backend.chord is None and not backend.press()  # the chord reaches the field
    assert "Press the new shortcut" in view.status.text()
    qtbot.keyClick(edit, Qt.Key.Key_K, CTRL_ALT)
    assert not edit.recording and edit.hotkey() == "Ctrl+Alt+K"
    # resumed with the saved chord (the new one is registered on OK/Apply)
    assert backend.chord is not None and backend.chord.portable() == "Ctrl+Alt+Space"
    assert "Ctrl+Alt+Space opens Quick Ask" in view.status.text()
    assert dialog.apply()
    assert backend.chord.portable() == "Ctrl+Alt+K"
    assert "Ctrl+Alt+K opens Quick Ask" in view.status.text()

    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    qtbot.keyClick(edit, Qt.Key.Key_Escape)  # cancelled: resumed
    assert not edit.recording and backend.chord is not None

    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    assert backend.chord is None
    dialog.reject()  # closed mid-recording: resumed too
    assert not edit.recording
    assert backend.chord is not None and backend.chord.portable() == "Ctrl+Alt+K"
    assert backend.press()
    assert feature.hotkeys.hotkey_status().startswith("Ctrl+Alt+K opens Quick Ask")


def test_a_dialog_without_a_manager_says_so(qtbot: Any, tmp_path: Path) -> None:
    dialog = SettingsDialog(Settings(tmp_path / "settings"), models=[])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.tabs.setCurrentIndex(3)
    view = view_of(dialog)
    assert view.status.text() == NO_MANAGER
    assert not view.backend.isVisible() and not view.bind.isVisible()
    edit = dialog.fields["hotkey"].widget
    with qtbot.waitSignal(dialog.hotkey_recording) as recording:
        qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    assert recording.args == [True]
    dialog.reject()  # nothing to resume: no error
    assert not dialog.isVisible()
