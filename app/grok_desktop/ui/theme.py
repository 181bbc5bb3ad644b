"""Light or dark: follows the system colour scheme unless the user chose one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPalette

from grok_desktop.ui.markdown import DARK, LIGHT, Palette


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
    window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    return window.lightness() < 128


def chat_palette(theme: str) -> Palette:
    dark = system_is_dark() if theme == "system" else theme == "dark"
    return DARK if dark else LIGHT
