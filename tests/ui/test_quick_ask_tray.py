"""The tray menu (Quick ask, Show window, Quit), close-to-tray, and closing without a tray.

Qt's offscreen platform has no system tray, so `FakeTray` stands for one that is showing; the
"no tray" cases use the real Tray, which finds none here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QSystemTrayIcon

from grok_desktop.platform.hotkeys.fake import FakeHotkeyBackend
from grok_desktop.ui.quick_ask_wiring import QuickAskFeature
from grok_desktop.ui.tray import Tray

TIMEOUT = 10_000


class FakeTray(Tray):
    def __init__(self) -> None:
        super().__init__(available=False)

    @property
    def visible(self) -> bool:
        return True


def build(qtbot: Any, make_window: Any, tray: Tray) -> QuickAskFeature:
    window, parts = make_window()
    return QuickAskFeature(window, parts, None, hotkey_backend=(FakeHotkeyBackend(), ""), tray=tray)


@pytest.fixture
def features(qtbot: Any) -> Iterator[list[QuickAskFeature]]:
    made: list[QuickAskFeature] = []
    yield made
    for f in made:
        f.shutdown()
        f.quick.deleteLater()


def test_menu_items(qtbot: Any, make_window: Any, features: list[QuickAskFeature]) -> None:
    tray = FakeTray()
    f = build(qtbot, make_window, tray)
    features.append(f)
    texts = [a.text() for a in tray.menu.actions() if not a.isSeparator()]
    assert texts == ["Quick ask\tCtrl+Alt+Space", "Show window", "Quit"]
    tray.quick_ask_action.trigger()
    qtbot.waitUntil(f.quick.isVisible, timeout=TIMEOUT)
    f.window.hide()
    tray.show_action.trigger()
    qtbot.waitUntil(f.window.isVisible, timeout=TIMEOUT)
    with qtbot.waitSignal(f.quit_requested, timeout=TIMEOUT):
        tray.quit_action.trigger()
    assert not f.window.isVisible()


def test_hotkey_hint_follows_the_setting(
    qtbot: Any, make_window: Any, features: list[QuickAskFeature]
) -> None:
    tray = FakeTray()
    f = build(qtbot, make_window, tray)
    features.append(f)
    f.parts.settings.set("hotkey", "Meta+Shift+Q")
    assert tray.quick_ask_action.text() == "Quick ask\tShift+Meta+Q"
    f.parts.settings.set("hotkey_enabled", False)
    assert tray.quick_ask_action.text() == "Quick ask"


def test_close_to_tray_hides_and_keeps_running(
    qtbot: Any, make_window: Any, features: list[QuickAskFeature]
) -> None:
    f = build(qtbot, make_window, FakeTray())
    features.append(f)
    f.parts.settings.set("close_to_tray", True)
    closed: list[int] = []
    f.window.destroyed.connect(lambda: closed.append(1))
    assert not f.window.close()  # refused: hidden instead
    assert not f.window.isVisible()
    # the hotkey still works with the window in the tray
    assert f.hotkeys.backend is not None
    f.hotkeys.backend.press()  # type: ignore[attr-defined]
    qtbot.waitUntil(f.quick.isVisible, timeout=TIMEOUT)
    # Ctrl+Q (the window's quit action) really quits
    quit_action = f.window.findChild(QAction, "action_quit")
    assert quit_action is not None
    with qtbot.waitSignal(f.quit_requested, timeout=TIMEOUT):
        quit_action.trigger()


def test_without_a_tray_closing_quits_whatever_the_setting(
    qtbot: Any, make_window: Any, features: list[QuickAskFeature]
) -> None:
    tray = Tray()
    assert tray.available is QSystemTrayIcon.isSystemTrayAvailable() is False
    assert tray.icon is None and not tray.visible
    f = build(qtbot, make_window, tray)
    features.append(f)
    f.parts.settings.set("close_to_tray", True)
    assert f.window.close()  # accepted: closing the last window ends the app


def test_close_to_tray_off_closes(
    qtbot: Any, make_window: Any, features: list[QuickAskFeature]
) -> None:
    f = build(qtbot, make_window, FakeTray())
    features.append(f)
    assert f.parts.settings.get("close_to_tray") is False
    assert f.window.close()
