"""Deleting a message goes through the conversation service and can be undone (the Undo button
or Ctrl+Z); Ctrl+Z also undoes deleting the open conversation, once the focus is in the
composer, unless the composer has typing to undo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from grok_desktop.devserver import Script
from grok_desktop.storage.errors import StorageWriteError
from grok_desktop.ui.main_window import MainWindow
from grok_desktop.ui.shortcuts import SHORTCUTS, ShortcutsDialog

CTRL = Qt.KeyboardModifier.ControlModifier
SHOTS = Path("/tmp/mw")
SLOW = Script(text=" ".join(f"word{i}" for i in range(400)), tokens_per_second=20)


def test_deleting_a_message_says_how_many_went_and_undo_puts_them_back(
    window: MainWindow, ui: Any
) -> None:
    ui.ask("question one")
    ui.ask("question two")
    u1, r1, u2, r2 = ui.path()
    ui.action("delete", r1.id)
    ui.wait(lambda: "question two" not in ui.text())
    assert [m.id for m in ui.path()] == [u1.id]
    assert ui.store.get_message(r2.id) is None
    assert window.status_label.text() == "Message deleted, with the 2 after it."
    ui.wait(window.undo_button.isVisible)
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SHOTS / "message-deleted.png"))

    ui.qtbot.mouseClick(window.undo_button, Qt.MouseButton.LeftButton)
    ui.wait(lambda: "You said: question two" in ui.text())
    assert [m.id for m in ui.path()] == [u1.id, r1.id, u2.id, r2.id]  # the same messages
    assert ui.store.get_message(r2.id).content == "You said: question two"
    assert window.status_label.text() == "Messages restored."
    assert not window.undo_button.isVisible()


def test_ctrl_z_in_the_chat_view_undoes_deleting_a_shown_branch(
    window: MainWindow, ui: Any, devserver: Any
) -> None:
    devserver.enqueue(Script(text="The first answer."))
    ui.ask("a question")
    user, first = ui.path()
    devserver.enqueue(Script(text="The second answer."))
    ui.action("regenerate", first.id)
    ui.wait(lambda: window.chat.busy)
    ui.wait_idle()
    second = ui.path()[1]
    ui.action("delete", second.id)
    ui.wait(lambda: "The first answer." in ui.text())  # the remaining sibling is shown
    assert window.status_label.text() == "Message deleted."
    assert "‹" not in ui.text()

    window.view.setFocus()
    ui.wait(window.view.hasFocus)
    ui.qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    ui.wait(lambda: "The second answer." in ui.text())  # shown again, as it was
    assert [m.id for m in ui.path()] == [user.id, second.id]
    assert "‹ 2/2 ›" in ui.text()


def test_a_storage_error_on_delete_is_shown_in_words(
    window: MainWindow, ui: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ui.ask("keep me")
    user, _reply = ui.path()

    def broken(_message_id: str) -> Any:
        raise StorageWriteError(ui.store.paths.database, "the disk is full", "Free some space.")

    monkeypatch.setattr(ui.store, "delete_messages", broken)
    ui.action("delete", user.id)
    status = window.status_label.text()
    assert status.startswith("The message was not deleted: ")
    assert "the disk is full" in status
    assert not window.undo_button.isVisible()
    assert "keep me" in ui.text() and ui.store.get_message(user.id) is not None


def test_messages_of_a_chat_being_answered_are_not_deleted(
    window: MainWindow, ui: Any, devserver: Any
) -> None:
    devserver.enqueue(SLOW)
    ui.send("tell me a long story")
    ui.wait(lambda: "word3 " in ui.text())
    user = ui.path()[0]
    ui.action("delete", user.id)
    assert window.status_label.text().startswith("Stop the answer (Esc) before deleting")
    assert ui.store.get_message(user.id) is not None
    ui.qtbot.keyClick(window.composer.edit, Qt.Key.Key_Escape)
    ui.wait_idle()


def _delete_open_conversation(window: MainWindow, ui: Any) -> str:
    ui.ask("first topic")
    ui.qtbot.keyClick(window.composer.edit, Qt.Key.Key_N, CTRL)
    ui.ask("second topic")
    assert window.current is not None
    second = window.current.id
    window.panel.list.setFocus()
    ui.qtbot.keyClick(window.panel.list, Qt.Key.Key_Delete)
    ui.wait(lambda: ui.store.get_conversation(second) is None)
    assert window.current is None  # it was open: a new chat now, the focus in the composer
    ui.wait(window.composer.edit.hasFocus)
    return second


def test_ctrl_z_in_the_composer_undoes_deleting_the_open_conversation(
    window: MainWindow, ui: Any
) -> None:
    second = _delete_open_conversation(window, ui)
    ui.qtbot.keyClick(window.composer.edit, Qt.Key.Key_Z, CTRL)
    ui.wait(lambda: ui.store.get_conversation(second) is not None)
    assert window.status_label.text() == "Conversation restored."


def test_ctrl_z_undoes_typing_first_then_the_delete(window: MainWindow, ui: Any) -> None:
    second = _delete_open_conversation(window, ui)
    edit = window.composer.edit
    ui.type("some typing")
    ui.qtbot.keyClick(edit, Qt.Key.Key_Z, CTRL)
    assert edit.toPlainText() == ""  # the composer's own undo
    assert ui.store.get_conversation(second) is None
    ui.qtbot.keyClick(edit, Qt.Key.Key_Z, CTRL)  # nothing left to undo there
    ui.wait(lambda: ui.store.get_conversation(second) is not None)
    assert edit.toPlainText() == ""


def test_the_shortcut_list_explains_ctrl_z() -> None:
    undo = next(s for s in SHORTCUTS if s.action == "undo")
    assert undo.keys == ("Ctrl+Z",)
    assert "delete" in undo.label and "typing" in undo.label


def test_the_undo_action_is_a_window_shortcut(window: MainWindow, qtbot: Any) -> None:
    action = window.findChild(type(window.actions()[0]), "action_undo")
    assert action is not None and action.shortcut().toString() == "Ctrl+Z"
    assert action.shortcutContext() == Qt.ShortcutContext.WindowShortcut
    dialog = ShortcutsDialog(window)
    qtbot.addWidget(dialog)
    assert "Ctrl+Z" in dialog.findChildren(type(window.status_label))[0].text()
