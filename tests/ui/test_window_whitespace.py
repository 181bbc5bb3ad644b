"""Your own messages are shown as typed: pasted code keeps its indentation and runs of spaces."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QTextCursor

from grok_desktop.ui.main_window import MainWindow

SHOTS = Path("/tmp/mw")
CODE = "def area(r):\n    pi  =  3.14159\n    return pi * r * r\n\tprint('tab')"


def frame_text(window: MainWindow, message_id: str) -> str:
    frame = window.view.chat.frames[message_id]
    cursor = QTextCursor(window.view.document())
    cursor.setPosition(frame.firstPosition())
    cursor.setPosition(frame.lastPosition(), QTextCursor.MoveMode.KeepAnchor)
    return cursor.selectedText().replace("\u2029", "\n").replace("\u2028", "\n")


def left_of(window: MainWindow, text: str) -> int:
    found = window.view.document().find(text)
    assert not found.isNull(), text
    cursor = QTextCursor(window.view.document())
    cursor.setPosition(found.selectionStart())
    return window.view.cursorRect(cursor).left()


def test_pasted_code_keeps_its_indentation(window: MainWindow, ui: Any) -> None:
    QGuiApplication.clipboard().setText(CODE)
    edit = window.composer.edit
    edit.setFocus()
    ui.qtbot.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert edit.toPlainText() == CODE
    ui.qtbot.keyClick(edit, Qt.Key.Key_Return)
    ui.wait(lambda: window.chat.busy)
    ui.wait_idle()
    user, _reply = ui.path()
    shown = frame_text(window, user.id)
    assert CODE in shown  # every space and the tab, as typed
    # and it shows: the indented lines start to the right of the first one
    assert left_of(window, "pi  =  3.14159") > left_of(window, "def area(r):") + 10
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SHOTS / "indented-code.png"))
