"""Editing a sent message: the composer shows that it is editing ("Editing message — Esc to
cancel"), Esc cancels and brings the draft back, and the edit never leaks into another
conversation (Ctrl+N, opening another one)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from grok_desktop.ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier


def test_edit_shows_a_bar_and_esc_cancels_it_bringing_the_draft_back(
    window: MainWindow, ui: Any
) -> None:
    composer = window.composer
    ui.ask("the first question")
    user, _reply = ui.path()
    ui.type("a half-typed follow-up")
    assert not composer.edit_bar.isVisible()

    ui.action("edit", user.id)
    assert composer.text() == "the first question"
    assert composer.edit_bar.isVisible()
    assert composer.edit_label.text() == "Editing message — Esc to cancel"
    ui.screenshot("editing.png")

    ui.wait(composer.edit.hasFocus)
    ui.qtbot.keyClick(composer.edit, Qt.Key.Key_Escape)
    assert not composer.edit_bar.isVisible()
    assert composer.text() == "a half-typed follow-up"
    assert window.status_label.text() == "Edit cancelled."

    # Enter now sends the draft as the next message, not as an edit
    ui.qtbot.keyClick(composer.edit, Qt.Key.Key_Return)
    ui.wait(lambda: window.chat.busy)
    ui.wait_idle()
    texts = [m.content for m in ui.path()]
    assert texts == [
        "the first question",
        "You said: the first question",
        "a half-typed follow-up",
        "You said: a half-typed follow-up",
    ]
    assert ui.store.siblings(user.id) == [ui.store.get_message(user.id)]  # no new branch


def test_the_cancel_button_of_the_bar_cancels_too(window: MainWindow, ui: Any) -> None:
    ui.ask("a question")
    user, _reply = ui.path()
    ui.action("edit", user.id)
    ui.qtbot.mouseClick(window.composer.edit_cancel, Qt.MouseButton.LeftButton)
    assert not window.composer.edit_bar.isVisible()
    assert window.composer.text() == ""


def test_sending_an_edit_brings_the_draft_back(window: MainWindow, ui: Any) -> None:
    composer = window.composer
    ui.ask("how tall is it")
    user, _reply = ui.path()
    ui.type("my draft")
    ui.action("edit", user.id)
    ui.qtbot.keyClick(composer.edit, Qt.Key.Key_A, CTRL)
    ui.qtbot.keyClicks(composer.edit, "how old is it")
    ui.qtbot.keyClick(composer.edit, Qt.Key.Key_Return)
    ui.wait(lambda: window.chat.busy)
    ui.wait_idle()
    assert [m.content for m in ui.path()] == ["how old is it", "You said: how old is it"]
    assert not composer.edit_bar.isVisible()
    assert composer.text() == "my draft"


def test_ctrl_n_ends_the_edit_and_the_next_message_starts_the_new_chat(
    window: MainWindow, ui: Any
) -> None:
    ui.ask("the original question")
    assert window.current is not None
    old = window.current.id
    user, _reply = ui.path()
    ui.action("edit", user.id)
    assert window.composer.edit_bar.isVisible()

    ui.qtbot.keyClick(window.composer.edit, Qt.Key.Key_N, CTRL)
    assert window.current is None
    assert not window.composer.edit_bar.isVisible()
    assert window.composer.text() == ""  # the edited text went with the edit

    ui.ask("a brand new question")
    assert window.current is not None and window.current.id != old
    assert [m.content for m in ui.path()] == [
        "a brand new question",
        "You said: a brand new question",
    ]
    # the old conversation is untouched: no branch was added to it
    assert [m.content for m in ui.store.branch_path(old)] == [
        "the original question",
        "You said: the original question",
    ]
    assert ui.store.message_counts([old])[old] == 2
    # and no empty "New chat" was left behind
    titles = sorted(c.title for c in ui.store.list_conversations())
    assert titles == ["a brand new question", "the original question"]


def test_opening_another_conversation_ends_the_edit(window: MainWindow, ui: Any) -> None:
    ui.ask("first topic")
    assert window.current is not None
    first = window.current.id
    ui.qtbot.keyClick(window.composer.edit, Qt.Key.Key_N, CTRL)
    ui.ask("second topic")
    user, _reply = ui.path()
    ui.type("a draft")
    ui.action("edit", user.id)
    assert window.composer.text() == "second topic"

    ui.click_conversation(first)
    assert not window.composer.edit_bar.isVisible()
    assert window.composer.text() == "a draft"
    ui.qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
    ui.wait(lambda: window.chat.busy)
    ui.wait_idle()
    assert [m.content for m in ui.store.branch_path(first)][2:] == [
        "a draft",
        "You said: a draft",
    ]
    assert ui.store.siblings(user.id) == [ui.store.get_message(user.id)]
