"""The theme applies to the whole app, not only the chat: "dark" and "light" set the widget
colours too (so the user's own messages are never black on near-black), "system" follows the
system scheme, also when it changes while the app runs, and a change in Settings applies at
once, re-rendering the chat shown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette, QTextFrame
from PySide6.QtWidgets import QApplication, QWidget

from grok_desktop.devserver import DevServer, Script
from grok_desktop.storage.paths import DataPaths
from grok_desktop.storage.settings import Settings
from grok_desktop.ui.main_window import MainWindow
from grok_desktop.ui.markdown import DARK, LIGHT
from grok_desktop.ui.theme import apply_app_theme, is_dark

Role = QPalette.ColorRole
TIMEOUT = 10_000


def luminance(colour: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast(a: QColor | str, b: QColor | str) -> float:
    la, lb = sorted((luminance(QColor(a)), luminance(QColor(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def user_frame_background(window: MainWindow) -> QColor:
    """The background of the first user message's frame in the chat view."""
    chat = window.view.chat
    for mid in chat.order:
        if chat.messages[mid].role.value == "user":
            frame: QTextFrame = chat.frames[mid]
            return frame.frameFormat().background().color()
    raise AssertionError("no user message shown")


def assert_readable(qtbot: Any, window: MainWindow, dark: bool) -> None:
    """Widget colours and chat colours agree, and text stands out on every background."""
    # Qt hands a new application palette to the widgets through posted events
    qtbot.waitUntil(lambda: is_dark(window.view.palette()) is dark, timeout=TIMEOUT)
    app = QApplication.palette()
    view = window.view.palette()
    palette = DARK if dark else LIGHT
    assert is_dark(app) is dark
    assert window.view.chat.palette is palette
    text = view.color(Role.Text)
    assert contrast(text, view.color(Role.Base)) >= 7
    assert contrast(text, user_frame_background(window)) >= 7  # the user's own messages
    assert contrast(text, palette.code_bg) >= 7
    assert contrast(palette.link, view.color(Role.Base)) >= 4.5
    assert contrast(palette.muted, view.color(Role.Base)) >= 4.5
    assert contrast(app.color(Role.WindowText), app.color(Role.Window)) >= 7
    assert contrast(app.color(Role.ButtonText), app.color(Role.Button)) >= 7
    # what is actually drawn: the chat's background is dark (or light) too
    shot = window.view.viewport().grab().toImage()
    corner = shot.pixelColor(shot.width() - 3, shot.height() - 3)
    assert (corner.lightness() < 80) is dark, corner.name()
    # widgets with style sheets of their own (the usage meter) follow as well
    qtbot.waitUntil(lambda: drawn_contrast(window, window.usage_meter) >= 7, timeout=TIMEOUT)


def drawn_contrast(window: QWidget, widget: QWidget) -> float:
    """Contrast between a widget's background (a corner) and its most distant ink, as drawn
    in its window (a widget with a stale palette looks fine when grabbed on its own)."""
    shot = window.grab(QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())).toImage()
    background = shot.pixelColor(1, 1)
    ink = max(
        (shot.pixelColor(x, y) for x in range(shot.width()) for y in range(shot.height())),
        key=lambda c: abs(luminance(c) - luminance(background)),
    )
    return contrast(ink, background)


@pytest.fixture(autouse=True)
def back_to_the_system_look() -> Iterator[None]:
    """The app palette is global: leave it as the next test expects it."""
    yield
    apply_app_theme("system")


def with_theme(data_dir: Path, theme: str) -> Path:
    paths = DataPaths.resolve(data_dir)
    paths.ensure()
    Settings.load(paths.settings).set("theme", theme)
    return data_dir


ANSWER = "Here is `code`, a [link](https://x.ai) and a block:\n\n```python\nx = 1\n```\n"


def test_dark_on_a_light_system_darkens_the_whole_app(
    make_window: Any, ui_for: Any, devserver: DevServer, tmp_path: Path
) -> None:
    assert not is_dark(QApplication.palette())  # the offscreen platform is light
    window, _parts = make_window(data_dir=with_theme(tmp_path / "data", "dark"))
    ui = ui_for(window)
    devserver.enqueue(Script(text=ANSWER))
    ui.ask("Show me code")
    assert_readable(ui.qtbot, window, dark=True)
    assert is_dark(window.composer.edit.palette())
    assert is_dark(window.panel.palette())
    # and back: nothing keeps the dark colours (widgets with style sheets neither)
    window.settings.set("theme", "light")
    assert_readable(ui.qtbot, window, dark=False)


def test_a_theme_chosen_in_settings_applies_at_once(window: MainWindow, ui: Any) -> None:
    ui.ask("hello there")
    assert_readable(ui.qtbot, window, dark=False)
    native = QApplication.palette().color(Role.Window).name()

    window.settings.set("theme", "dark")
    assert_readable(ui.qtbot, window, dark=True)  # the conversation shown is redrawn in dark
    assert "hello there" in ui.text()

    window.settings.set("theme", "light")
    assert_readable(ui.qtbot, window, dark=False)

    window.settings.set("theme", "system")
    assert_readable(ui.qtbot, window, dark=False)
    assert QApplication.palette().color(Role.Window).name() == native  # the platform's own


def test_system_follows_the_scheme_while_the_app_runs(window: MainWindow, ui: Any) -> None:
    ui.ask("hello there")
    system = {"dark": False}
    window.theme.system_dark = lambda: system["dark"]  # type: ignore[attr-defined]
    hints = QGuiApplication.styleHints()

    system["dark"] = True
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    ui.wait(lambda: window.view.chat.palette is DARK)
    assert_readable(ui.qtbot, window, dark=True)

    system["dark"] = False
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    ui.wait(lambda: window.view.chat.palette is LIGHT)
    assert_readable(ui.qtbot, window, dark=False)

    # a theme chosen by the user wins over the system
    window.settings.set("theme", "light")
    system["dark"] = True
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    ui.qtbot.wait(50)
    assert window.view.chat.palette is LIGHT and not is_dark(QApplication.palette())


def test_a_streaming_answer_is_redrawn_when_it_ends(window: MainWindow, ui: Any) -> None:
    ui.send("a long answer please")
    window.settings.set("theme", "dark")
    assert window.view.chat.palette is DARK
    ui.wait_idle()
    assert_readable(ui.qtbot, window, dark=True)
