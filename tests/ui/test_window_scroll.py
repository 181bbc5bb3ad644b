"""Following the answer: the view keeps to the bottom while an answer streams, unless the
person scrolled up; then it stays put and offers "Jump to latest"."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from grok_desktop.devserver import Script
from grok_desktop.ui.main_window import MainWindow

LONG = Script(
    text="\n\n".join(f"Line {i} of a long answer." for i in range(300)), tokens_per_second=150
)


def wheel_up(widget: Any, steps: int) -> None:
    pos = QPointF(widget.rect().center())
    event = QWheelEvent(
        pos,
        QPointF(widget.mapToGlobal(pos.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_scrolling_up_stops_following_and_jump_returns(
    window: MainWindow, ui: Any, devserver: Any
) -> None:
    view = window.view
    bar = view.verticalScrollBar()
    jump = view.jump_button
    devserver.enqueue(LONG)
    ui.send("a long answer please")
    # it overflows, and while it grows the view stays at the bottom
    ui.wait(lambda: bar.maximum() > 2 * view.viewport().height())
    ui.wait(lambda: bar.value() == bar.maximum() and "Line 40 " in ui.text())
    assert not jump.isVisible()

    wheel_up(view.viewport(), 5)
    ui.wait(lambda: bar.value() < bar.maximum() - 50)
    held = bar.value()
    grown = bar.maximum()
    ui.wait(lambda: bar.maximum() > grown + 100)  # more text arrived ...
    assert window.chat.busy
    assert bar.value() == held  # ... and the view did not move
    ui.wait(jump.isVisible)
    assert jump.text().endswith("Jump to latest")
    # the button sits inside the view, over its bottom right corner
    assert view.viewport().geometry().contains(jump.geometry().center())

    ui.qtbot.mouseClick(jump, Qt.MouseButton.LeftButton)
    assert bar.value() == bar.maximum()
    assert not jump.isVisible()
    grown = bar.maximum()
    ui.wait(lambda: bar.maximum() > grown + 100)  # following again while it grows
    ui.wait(lambda: bar.value() == bar.maximum())
    ui.qtbot.keyClick(window.composer.edit, Qt.Key.Key_Escape)
    ui.wait_idle()
    assert bar.value() == bar.maximum()
