"""What the window remembers between runs, and what it says when there is no key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel


def test_geometry_and_splitter_are_remembered(make_window: Any, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first, _ = make_window(data_dir=data)
    first.resize(720, 520)
    qtbot = make_window.qtbot
    qtbot.waitUntil(lambda: first.size().width() == 720)
    splitter = first.splitter
    handle = splitter.handle(1)
    start = splitter.sizes()[0]
    # drag the handle 80 px to the right
    middle = handle.rect().center()
    qtbot.mousePress(handle, Qt.MouseButton.LeftButton, pos=middle)
    qtbot.mouseMove(handle, middle + QPoint(80, 0))
    qtbot.mouseRelease(handle, Qt.MouseButton.LeftButton, pos=middle + QPoint(80, 0))
    qtbot.waitUntil(lambda: splitter.sizes()[0] != start)
    sizes = splitter.sizes()
    assert abs(sizes[0] - (start + 80)) <= 2, (start, sizes)
    make_window.close(first)

    second, _ = make_window(data_dir=data)
    assert (second.width(), second.height()) == (720, 520)
    assert second.splitter.sizes() == sizes


def test_a_fresh_data_dir_gets_the_default_layout(make_window: Any, tmp_path: Path) -> None:
    window, _ = make_window(data_dir=tmp_path / "fresh")
    sizes = window.splitter.sizes()
    assert sizes[0] > 0 and sizes[1] > sizes[0]  # the list left, the chat wider


def test_no_key_shows_how_to_set_one(
    make_window: Any, ui_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.delenv("XAI_API_KEY", raising=False)
    window, parts = make_window(env={}, wait_models=False)
    assert parts.key.key is None
    banner = window.findChild(QLabel, "banner")
    assert banner is not None and banner.isVisible()
    assert "XAI_API_KEY" in banner.text()
    assert "grok-desktop key set" in banner.text()
    # the banner sits above the chat view
    assert banner.geometry().bottom() <= window.view.geometry().top()
    ui = ui_for(window)
    ui.wait(lambda: "model list" in window.status_label.text())
    ui.type("hello")
    ui.qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
    assert window.composer.text() == "hello"
    assert not window.chat.busy
