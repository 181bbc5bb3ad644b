"""Light or dark, for the whole app: follows the system colour scheme unless the user chose one.

The `theme` setting ("system", "light", "dark") decides both the Qt widget colours and the
chat view's `Palette`: the two must agree, or the chat's own colours (the user-message
background, code blocks) land on widget colours of the other scheme (black text on a
near-black bubble). "light"/"dark" ask the platform for that scheme (title bars, native
dialogs, Qt >= 6.8) and, when the platform's palette does not follow, set the Fusion style with
a palette of our own; "system" keeps the platform's look and follows
`QStyleHints.colorSchemeChanged` at runtime. A change in Settings applies at once.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from grok_desktop.storage.settings import Settings
from grok_desktop.ui.markdown import DARK, LIGHT, Palette

_Role = QPalette.ColorRole
_Group = QPalette.ColorGroup

#: Widget colours next to the chat's `DARK` (GitHub-dark like) and `LIGHT` palettes.
DARK_ROLES: dict[QPalette.ColorRole, str] = {
    _Role.Window: "#1c2128",
    _Role.WindowText: "#e6edf3",
    _Role.Base: DARK.background,
    _Role.AlternateBase: "#161b22",
    _Role.Text: DARK.text,
    _Role.Button: "#2d333b",
    _Role.ButtonText: "#e6edf3",
    _Role.BrightText: "#ffffff",
    _Role.Light: "#444c56",
    _Role.Midlight: "#373e47",
    _Role.Mid: "#30363d",
    _Role.Dark: "#0a0d12",
    _Role.Shadow: "#000000",
    _Role.Highlight: "#1f6feb",
    _Role.HighlightedText: "#ffffff",
    _Role.Link: DARK.link,
    _Role.LinkVisited: "#a371f7",
    _Role.ToolTipBase: "#2d333b",
    _Role.ToolTipText: "#e6edf3",
    _Role.PlaceholderText: DARK.muted,
}
LIGHT_ROLES: dict[QPalette.ColorRole, str] = {
    _Role.Window: "#efefef",
    _Role.WindowText: LIGHT.text,
    _Role.Base: LIGHT.background,
    _Role.AlternateBase: "#f6f8fa",
    _Role.Text: LIGHT.text,
    _Role.Button: "#efefef",
    _Role.ButtonText: LIGHT.text,
    _Role.BrightText: "#ffffff",
    _Role.Light: "#ffffff",
    _Role.Midlight: "#e3e3e3",
    _Role.Mid: "#b8b8b8",
    _Role.Dark: "#9f9f9f",
    _Role.Shadow: "#767676",
    _Role.Highlight: "#308cc6",
    _Role.HighlightedText: "#ffffff",
    _Role.Link: LIGHT.link,
    _Role.LinkVisited: "#8250df",
    _Role.ToolTipBase: "#ffffdc",
    _Role.ToolTipText: "#000000",
    _Role.PlaceholderText: LIGHT.muted,
}
#: Disabled text: readable but clearly fainter.
DISABLED = {True: "#6e7681", False: "#8c959f"}


def system_is_dark() -> bool:
    app = QGuiApplication.instance()
    if app is None:
        return False
    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme()
    if scheme == Qt.ColorScheme.Dark:
        return True
    if scheme == Qt.ColorScheme.Light:
        return False
    return is_dark(QGuiApplication.palette())


def is_dark(palette: QPalette) -> bool:
    return palette.color(_Role.Window).lightness() < 128


def chat_palette(theme: str) -> Palette:
    dark = system_is_dark() if theme == "system" else theme == "dark"
    return DARK if dark else LIGHT


def qt_palette(dark: bool) -> QPalette:
    """The whole widget palette of one scheme (every role, every group)."""
    roles = DARK_ROLES if dark else LIGHT_ROLES
    palette = QPalette()
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    palette.setColor(_Role.Accent, QColor(roles[_Role.Highlight]))
    faint = QColor(DISABLED[dark])
    for role in (_Role.WindowText, _Role.Text, _Role.ButtonText, _Role.PlaceholderText):
        palette.setColor(_Group.Disabled, role, faint)
    return palette


class _Native:
    """What the app looked like before any theme was applied (the platform's own style), so
    "system" can go back to it."""

    style: str | None = None
    overridden = False
    requested = False


def apply_app_theme(theme: str, *, system_dark: Callable[[], bool] = system_is_dark) -> bool:
    """Make the widgets of the whole app light or dark per `theme`; returns whether dark."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return chat_palette(theme) is DARK
    if _Native.style is None:
        _Native.style = app.style().name()
    hints = QGuiApplication.styleHints()
    if theme == "system":
        if _Native.requested:
            hints.unsetColorScheme()
            _Native.requested = False
    else:
        hints.setColorScheme(Qt.ColorScheme.Dark if theme == "dark" else Qt.ColorScheme.Light)
        _Native.requested = True
    before = app.palette().color(_Role.Window).name(), app.palette().color(_Role.Text).name()
    if _Native.overridden:  # back to the platform's look (the system's scheme shows in it)
        app.setPalette(QPalette())
        if app.style().name() != _Native.style:
            app.setStyle(_Native.style)
        _Native.overridden = False
    dark = system_dark() if theme == "system" else theme == "dark"
    if is_dark(app.palette()) != dark:
        if app.style().name().lower() != "fusion":
            app.setStyle("Fusion")  # honours the palette on every platform
        app.setPalette(qt_palette(dark))
        _Native.overridden = True
    if (app.palette().color(_Role.Window).name(), app.palette().color(_Role.Text).name()) != before:
        # after the widgets got the new palette (Qt posts it to them)
        QTimer.singleShot(0, repolish_style_sheets)
    return dark


def repolish_style_sheets() -> None:
    """Widgets with a style sheet of their own keep the palette they were polished with (the
    usage meter stayed light grey on a light window after dark -> light): polish them again."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    for widget in app.allWidgets():
        sheet = widget.styleSheet()
        if sheet:
            widget.setStyleSheet(sheet)


class ThemeController(QObject):
    """Keeps the app's colours in step with the `theme` setting and the system scheme.

    Signals:
        chat_palette_changed(object Palette): the chat views re-render with it
    """

    chat_palette_changed = Signal(object)

    def __init__(
        self,
        settings: Settings,
        *,
        system_dark: Callable[[], bool] = system_is_dark,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        #: how the system's scheme is read (a test gives its own)
        self.system_dark = system_dark
        self.palette: Palette = LIGHT
        self.dark = False
        QGuiApplication.styleHints().colorSchemeChanged.connect(self.on_hints_color_scheme_changed)
        settings.on_change(self._on_setting_changed)
        self.apply()

    @property
    def theme(self) -> str:
        return str(self.settings.get("theme"))

    def apply(self) -> None:
        self.dark = apply_app_theme(self.theme, system_dark=self.system_dark)
        palette = DARK if self.dark else LIGHT
        if palette is not self.palette:
            self.palette = palette
            self.chat_palette_changed.emit(palette)

    def on_hints_color_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self.theme == "system":
            # after the platform's palette has changed too (same theme-change event)
            QTimer.singleShot(0, self, self.apply)

    def _on_setting_changed(self, name: str) -> None:
        if name == "theme" and shiboken6.isValid(self):
            self.apply()
