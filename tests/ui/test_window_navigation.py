"""Keyboard navigation: new chat, search (full text, snippet, open at the hit), focus, help."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QDialog, QLabel

from grok_desktop.devserver import Script
from grok_desktop.ui.conversation_list import ID_ROLE, MESSAGE_ROLE
from grok_desktop.ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
LONG = Script(text="\n\n".join(f"Paragraph {i} of a long answer." for i in range(60)))


def test_ctrl_n_starts_a_new_chat(window: MainWindow, ui: Any) -> None:
    ui.ask("first conversation")
    assert "You said: first conversation" in ui.text()
    window.panel.list.setFocus()
    ui.qtbot.keyClick(window.panel.list, Qt.Key.Key_N, CTRL)
    assert window.current is None
    assert ui.text().strip() == ""
    assert window.windowTitle() == "Grok Desktop"
    assert window.panel.list.selectedItems() == []
    ui.wait(window.composer.edit.hasFocus)
    # the next message starts a second conversation; the first is kept
    ui.ask("second conversation")
    store = ui.store
    titles = sorted(c.title for c in store.list_conversations(limit=10))
    assert titles == ["first conversation", "second conversation"]
    assert "first conversation" not in ui.text()


def test_ctrl_k_and_ctrl_l_move_the_focus(window: MainWindow, ui: Any) -> None:
    search = window.panel.search
    ui.qtbot.keyClick(window.composer.edit, Qt.Key.Key_K, CTRL)
    ui.wait(search.hasFocus)
    ui.qtbot.keyClick(search, Qt.Key.Key_L, CTRL)
    ui.wait(window.composer.edit.hasFocus)
    ui.qtbot.keyClick(window.composer.edit, Qt.Key.Key_F, CTRL)
    ui.wait(search.hasFocus)


def test_search_finds_a_message_and_opens_the_conversation_at_it(
    window: MainWindow, ui: Any, devserver: Any
) -> None:
    for question in ("alpha question", "where do zebras live", "omega question"):
        devserver.enqueue(LONG)
        ui.ask(question)
    target = window.current
    assert target is not None
    zebra = next(m for m in ui.path() if m.content == "where do zebras live")
    ui.qtbot.keyClick(window.composer.edit, Qt.Key.Key_N, CTRL)  # somewhere else first
    ui.ask("unrelated")

    search = window.panel.search
    ui.qtbot.keyClick(window.composer.edit, Qt.Key.Key_K, CTRL)
    ui.wait(search.hasFocus)
    ui.qtbot.keyClicks(search, "zebras")
    lst = window.panel.list
    ui.wait(lambda: window.panel.searching and lst.count() > 0)
    hits = [lst.item(i) for i in range(lst.count())]
    assert len(hits) == 1  # only the message that has the word
    hit = hits[0]
    assert hit.data(ID_ROLE) == target.id and hit.data(MESSAGE_ROLE) == zebra.id
    assert hit.text().splitlines()[0] == "alpha question"  # the conversation's title
    assert "where do zebras live" in hit.text()  # the snippet
    assert "<b>zebras</b>" in hit.toolTip()  # highlighted where it matched

    ui.qtbot.keyClick(search, Qt.Key.Key_Return)  # activates the first hit
    ui.wait(lambda: window.current is not None and window.current.id == target.id)
    view = window.view
    assert "where do zebras live" in ui.text()
    # scrolled to that message: its frame starts near the top of the viewport, not at the end
    frame = view.chat.frames[zebra.id]
    cursor = QTextCursor(view.document())
    cursor.setPosition(frame.firstPosition())
    top = view.cursorRect(cursor).top()
    assert 0 <= top < 60, top
    bar = view.verticalScrollBar()
    assert bar.value() < bar.maximum()


def test_search_with_no_match_says_so(window: MainWindow, ui: Any) -> None:
    ui.ask("a question about cats")
    window.panel.focus_search()
    ui.qtbot.keyClicks(window.panel.search, "xylophone")
    ui.wait(lambda: window.panel.searching)
    assert window.panel.list.count() == 0
    ui.wait(window.panel.empty_label.isVisible)
    assert window.panel.empty_label.text() == "No conversation matches."
    # clearing the search brings the list back
    window.panel.search.clear()
    ui.wait(lambda: not window.panel.searching and window.panel.list.count() == 2)


def test_ctrl_slash_shows_the_shortcuts(window: MainWindow, ui: Any) -> None:
    seen: list[tuple[str, str]] = []

    def close_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog):
            QTimer.singleShot(20, close_dialog)
            return
        text = " ".join(label.text() for label in dialog.findChildren(QLabel))
        seen.append((dialog.windowTitle(), text))
        dialog.reject()

    QTimer.singleShot(20, close_dialog)
    ui.qtbot.keyClick(window.composer.edit, Qt.Key.Key_Slash, CTRL)  # returns when it closes
    ui.wait(lambda: seen)
    title, text = seen[0]
    assert "Keyboard shortcuts" in title
    for keys in ("Ctrl+N", "Ctrl+K", "Ctrl+L", "Esc", "F2", "Shift+Enter"):
        assert keys in text, keys
    assert QApplication.activeModalWidget() is None
