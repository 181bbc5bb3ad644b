"""The conversation list: rename (F2), pin (context menu), delete (Del) and Undo."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QMenu

from grok_desktop.ui.conversation_list import ID_ROLE
from grok_desktop.ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier


def row_of(window: MainWindow, conversation_id: str) -> int:
    lst = window.panel.list
    for i in range(lst.count()):
        if lst.item(i).data(ID_ROLE) == conversation_id:
            return i
    return -1


def rows(window: MainWindow) -> list[str]:
    lst = window.panel.list
    return [lst.item(i).text() for i in range(lst.count())]


def two_conversations(window: MainWindow, ui: Any) -> tuple[str, str]:
    ui.ask("first topic")
    assert window.current is not None
    first = window.current.id
    ui.qtbot.keyClick(window.composer.edit, Qt.Key.Key_N, CTRL)
    ui.ask("second topic")
    assert window.current is not None
    return first, window.current.id


def test_f2_renames_the_selected_conversation(window: MainWindow, ui: Any) -> None:
    ui.ask("name me later")
    assert window.current is not None
    cid = window.current.id
    lst = window.panel.list
    assert lst.currentItem() is not None and lst.currentItem().data(ID_ROLE) == cid
    lst.setFocus()
    ui.qtbot.keyClick(lst, Qt.Key.Key_F2)
    ui.wait(
        lambda: (
            isinstance(QApplication.focusWidget(), QLineEdit)
            and QApplication.focusWidget() is not window.panel.search
        )
    )
    editor = QApplication.focusWidget()
    assert editor.text() == "name me later"
    editor.selectAll()
    ui.qtbot.keyClicks(editor, "Holiday plans")
    ui.qtbot.keyClick(editor, Qt.Key.Key_Return)
    ui.wait(lambda: ui.store.get_conversation(cid).title == "Holiday plans")
    ui.wait(lambda: window.windowTitle() == "Holiday plans — Grok Desktop")
    ui.wait(lambda: "Holiday plans" in rows(window))
    assert "name me later" not in rows(window)


def test_renaming_to_blank_keeps_the_title(window: MainWindow, ui: Any) -> None:
    ui.ask("keep this title")
    assert window.current is not None
    cid = window.current.id
    lst = window.panel.list
    lst.setFocus()
    ui.qtbot.keyClick(lst, Qt.Key.Key_F2)
    ui.wait(
        lambda: (
            isinstance(QApplication.focusWidget(), QLineEdit)
            and QApplication.focusWidget() is not window.panel.search
        )
    )
    editor = QApplication.focusWidget()
    editor.selectAll()
    ui.qtbot.keyClick(editor, Qt.Key.Key_Delete)
    ui.qtbot.keyClick(editor, Qt.Key.Key_Return)
    ui.wait(lambda: lst.currentItem() is not None and lst.currentItem().text() == "keep this title")
    assert ui.store.get_conversation(cid).title == "keep this title"


def _choose_from_context_menu(ui: Any, window: MainWindow, row: int, label: str) -> list[str]:
    """Right-click the row, pick `label` in the menu with the keyboard; returns the menu's
    entries."""
    lst = window.panel.list
    entries: list[str] = []

    def pick() -> None:
        menu = QApplication.activePopupWidget()
        if not isinstance(menu, QMenu):
            QTimer.singleShot(20, pick)
            return
        entries.extend(a.text() for a in menu.actions() if not a.isSeparator())
        action = next(a for a in menu.actions() if a.text() == label)
        menu.setActiveAction(action)
        ui.qtbot.keyClick(menu, Qt.Key.Key_Return)

    rect = lst.visualItemRect(lst.item(row))
    pos = rect.center()
    QTimer.singleShot(20, pick)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, lst.viewport().mapToGlobal(pos))
    QApplication.sendEvent(lst.viewport(), event)  # returns when the menu closed
    ui.wait(lambda: entries)
    return entries


def test_pin_from_the_context_menu_moves_it_to_pinned(window: MainWindow, ui: Any) -> None:
    first, _second = two_conversations(window, ui)
    assert rows(window)[0] == "Today"
    entries = _choose_from_context_menu(ui, window, row_of(window, first), "Pin")
    assert entries == ["Open", "Rename…\tF2", "Pin", "Export…", "Delete\tDel"]
    ui.wait(lambda: ui.store.get_conversation(first).pinned)
    ui.wait(lambda: rows(window)[:2] == ["Pinned", "📌 first topic"])
    assert rows(window)[2:] == ["Today", "second topic"]
    # and unpin again
    entries = _choose_from_context_menu(ui, window, row_of(window, first), "Unpin")
    assert "Unpin" in entries
    ui.wait(lambda: not ui.store.get_conversation(first).pinned)
    ui.wait(lambda: "Pinned" not in rows(window))


def test_pin_requested_signal_pins(window: MainWindow, ui: Any) -> None:
    first, _second = two_conversations(window, ui)
    window.panel.pin_requested.emit(first, True)
    ui.wait(lambda: rows(window)[:2] == ["Pinned", "📌 first topic"])


def test_del_deletes_and_undo_restores(window: MainWindow, ui: Any) -> None:
    first, second = two_conversations(window, ui)
    before = [(m.id, m.content) for m in ui.store.branch_path(second)]
    lst = window.panel.list
    assert lst.currentItem().data(ID_ROLE) == second
    lst.setFocus()
    ui.qtbot.keyClick(lst, Qt.Key.Key_Delete)
    ui.wait(lambda: ui.store.get_conversation(second) is None)
    ui.wait(lambda: row_of(window, second) == -1)
    assert row_of(window, first) >= 0
    assert window.current is None and ui.text().strip() == ""  # it was open: a new chat now
    assert window.status_label.text() == "Conversation deleted."
    undo = window.undo_button
    ui.wait(undo.isVisible)

    ui.qtbot.mouseClick(undo, Qt.MouseButton.LeftButton)
    ui.wait(lambda: ui.store.get_conversation(second) is not None)
    ui.wait(lambda: row_of(window, second) >= 0)
    assert not undo.isVisible()
    after = [(m.id, m.content) for m in ui.store.branch_path(second)]
    assert after == before  # same id, same messages
    assert window.status_label.text() == "Conversation restored."
    # and it opens again with its messages
    item = lst.item(row_of(window, second))
    ui.qtbot.mouseClick(
        lst.viewport(), Qt.MouseButton.LeftButton, pos=lst.visualItemRect(item).center()
    )
    ui.wait(lambda: window.current is not None and window.current.id == second)
    assert "You said: second topic" in ui.text()


def test_ctrl_z_in_the_list_undoes_a_delete(window: MainWindow, ui: Any) -> None:
    first, _second = two_conversations(window, ui)
    lst = window.panel.list
    lst.setCurrentRow(row_of(window, first))
    lst.setFocus()
    ui.qtbot.keyClick(lst, Qt.Key.Key_Delete)
    ui.wait(lambda: ui.store.get_conversation(first) is None)
    lst.setFocus()
    ui.qtbot.keyClick(lst, Qt.Key.Key_Z, CTRL)
    ui.wait(lambda: ui.store.get_conversation(first) is not None)
    ui.wait(lambda: row_of(window, first) >= 0)


def test_clicking_a_conversation_opens_it(window: MainWindow, ui: Any) -> None:
    first, _second = two_conversations(window, ui)
    lst = window.panel.list
    item = lst.item(row_of(window, first))
    ui.qtbot.mouseClick(
        lst.viewport(), Qt.MouseButton.LeftButton, pos=lst.visualItemRect(item).center()
    )
    ui.wait(lambda: window.current is not None and window.current.id == first)
    assert "You said: first topic" in ui.text()
    assert "second topic" not in ui.text()
    assert window.windowTitle() == "first topic — Grok Desktop"
