"""The public contract of the main window: object names, accessible names, title, models."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
)

from grok_desktop.devserver.models import DEFAULT_MODELS
from grok_desktop.ui.main_window import MainWindow

CONTRACT = [
    ("conversationList", QListWidget, "Conversations"),
    ("conversationSearch", QLineEdit, "Search conversations"),
    ("chatView", QTextBrowser, "Messages"),
    ("composer", QPlainTextEdit, "Message"),
    ("sendButton", QPushButton, "Send"),
    ("modelPicker", QComboBox, "Model"),
    ("usageMeter", QLabel, "Usage"),
]


def test_object_and_accessible_names(window: MainWindow) -> None:
    assert window.objectName() == "mainWindow"
    assert "Grok Desktop" in window.windowTitle()
    for name, kind, accessible in CONTRACT:
        found = window.findChildren(kind, name)
        assert len(found) == 1, f"{name}: {found}"
        assert found[0].accessibleName() == accessible, name
        assert found[0].isVisible(), name


def test_model_picker_is_filled_from_the_server(window: MainWindow, devserver: Any) -> None:
    picker = window.findChild(QComboBox, "modelPicker")
    ids = {picker.itemData(i) for i in range(picker.count())}
    served = {m.id for m in DEFAULT_MODELS if not m.retired}
    assert ids == served
    assert picker.currentData() in served
    assert any(r.path.startswith("/v1/language-models") for r in devserver.requests)
    # models that take images say so
    labels = {picker.itemData(i): picker.itemText(i) for i in range(picker.count())}
    assert labels["grok-4.3"].endswith("· images")
    assert labels["grok-3-mini"] == "grok-3-mini"


def test_no_banner_when_the_key_is_set(window: MainWindow) -> None:
    banner = window.findChild(QLabel, "banner")
    assert banner is not None and not banner.isVisible()
