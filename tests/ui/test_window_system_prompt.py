"""The per-conversation system prompt: the button in the composer's model row shows it (and
whether it is the default from Settings), the editor dialog saves or resets it, a new chat's
prompt chosen before the first send goes to the conversation it creates, and the prompt is
the first message of what the app and `grok-desktop ask --conversation` send."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
)

from grok_desktop.devserver import DevServer
from grok_desktop.ui.main_window import MainWindow
from grok_desktop.ui.shortcuts import SHORTCUTS, ShortcutsDialog
from grok_desktop.ui.system_prompt import SystemPromptButton, SystemPromptDialog

API_KEY = "xai-test-key-1234"  # the key the window fixtures use (conftest)
TIMEOUT = 10_000

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
LONG = "You are a careful reviewer of pull requests.\n" + "Explain every finding. " * 60


def chat_bodies(server: DevServer) -> list[dict[str, Any]]:
    return [r.body for r in server.requests if r.path.endswith("/chat/completions") and r.body]


def button(window: MainWindow) -> SystemPromptButton:
    found = window.findChild(SystemPromptButton, "systemPromptButton")
    assert found is not None
    return found


def open_editor(window: MainWindow, ui: Any) -> SystemPromptDialog:
    ui.qtbot.mouseClick(button(window), Qt.MouseButton.LeftButton)
    return wait_dialog(ui)


def wait_dialog(ui: Any) -> SystemPromptDialog:
    ui.wait(lambda: isinstance(QApplication.activeModalWidget(), SystemPromptDialog))
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, SystemPromptDialog)
    return dialog


def save(dialog: SystemPromptDialog, ui: Any, text: str | None = None) -> None:
    edit = dialog.findChild(QPlainTextEdit, "systemPromptEdit")
    assert edit is not None
    if text is not None:
        edit.selectAll()
        ui.qtbot.keyClicks(edit, text)
    save_button = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    ui.qtbot.mouseClick(save_button, Qt.MouseButton.LeftButton)
    ui.wait(lambda: QApplication.activeModalWidget() is None)


def test_the_button_sits_in_the_model_row_and_says_the_default_applies(
    window: MainWindow, ui: Any
) -> None:
    sp = button(window)
    assert sp.isVisible() and sp.accessibleName() == "System prompt"
    # in the composer's row, right after the model picker
    picker = window.composer.model_picker
    assert sp.parentWidget() is picker.parentWidget()
    assert sp.geometry().left() > picker.geometry().right()
    assert abs(sp.geometry().center().y() - picker.geometry().center().y()) <= 2
    assert sp.text() == "System: none (default)"
    # a default set in Settings shows at once
    window.settings.set("default_system_prompt", "Answer like a pirate.")
    assert sp.text() == "System: Answer like a pirate. (default)"
    assert "the default from Settings" in sp.toolTip()
    assert "Ctrl+Shift+P" in sp.toolTip()
    ui.wait(lambda: sp.fontMetrics().horizontalAdvance(sp.text()) < sp.width())  # not clipped


def test_a_new_chats_prompt_goes_to_the_conversation_the_first_send_creates(
    window: MainWindow, ui: Any, devserver: DevServer
) -> None:
    window.settings.set("default_system_prompt", "Answer like a pirate.")
    dialog = open_editor(window, ui)
    assert dialog.edit.toPlainText() == "Answer like a pirate."
    assert "Same as the default" in dialog.state.text()
    assert not dialog.reset_button.isEnabled()
    save(dialog, ui, "Answer in French.")
    assert window.current is None  # nothing is created before the first send
    assert button(window).text() == "System: Answer in French."
    assert "own" in button(window).toolTip()

    ui.ask("hello")
    assert window.current is not None
    stored = ui.store.get_conversation(window.current.id)
    assert stored.system_prompt == "Answer in French."
    body = chat_bodies(devserver)[-1]
    assert body["messages"][0] == {"role": "system", "content": "Answer in French."}
    assert body["messages"][1] == {"role": "user", "content": "hello"}

    # the next new chat follows the default again
    window.new_chat()
    assert button(window).text() == "System: Answer like a pirate. (default)"
    ui.ask("again")
    assert chat_bodies(devserver)[-1]["messages"][0] == {
        "role": "system",
        "content": "Answer like a pirate.",
    }


def test_editing_an_open_conversation_applies_to_the_next_message_and_reset_restores_default(
    window: MainWindow, ui: Any, devserver: DevServer
) -> None:
    window.settings.set("default_system_prompt", "Be brief.")
    ui.ask("first")
    assert window.current is not None
    cid = window.current.id
    assert button(window).text() == "System: Be brief. (default)"

    # Ctrl+Shift+P opens the editor, Ctrl+Enter saves
    ui.qtbot.keyClick(window.composer.edit, Qt.Key.Key_P, CTRL_SHIFT)
    dialog = wait_dialog(ui)
    assert any("“" in label.text() for label in dialog.findChildren(QLabel))  # names it
    dialog.edit.selectAll()
    ui.qtbot.keyClicks(dialog.edit, "Reply in haiku.")
    assert "Its own prompt" in dialog.state.text() and dialog.reset_button.isEnabled()
    ui.qtbot.keyClick(dialog.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    ui.wait(lambda: QApplication.activeModalWidget() is None)
    assert ui.store.get_conversation(cid).system_prompt == "Reply in haiku."
    assert window.current is not None and window.current.system_prompt == "Reply in haiku."
    assert button(window).text() == "System: Reply in haiku."

    ui.ask("second")
    body = chat_bodies(devserver)[-1]
    assert body["messages"][0] == {"role": "system", "content": "Reply in haiku."}
    assert [m["content"] for m in body["messages"][1:]] == [
        "first",
        "You said: first",
        "second",
    ]

    # another conversation shows its own; coming back shows this one's
    window.new_chat()
    assert button(window).text() == "System: Be brief. (default)"
    window.open_conversation(cid)
    assert button(window).text() == "System: Reply in haiku."

    # Cancel changes nothing
    dialog = open_editor(window, ui)
    dialog.edit.setPlainText("something else")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    ui.wait(lambda: QApplication.activeModalWidget() is None)
    assert ui.store.get_conversation(cid).system_prompt == "Reply in haiku."

    # Reset to default puts the default in the editor; Save applies it
    dialog = open_editor(window, ui)
    reset = dialog.findChild(QPushButton, "systemPromptReset")
    assert reset is not None and reset.text() == "Reset to default"
    ui.qtbot.mouseClick(reset, Qt.MouseButton.LeftButton)
    assert dialog.edit.toPlainText() == "Be brief."
    save(dialog, ui)
    assert ui.store.get_conversation(cid).system_prompt == "Be brief."
    assert button(window).text() == "System: Be brief. (default)"

    # an empty prompt: none is sent
    save(open_editor(window, ui), ui, "   ")
    assert ui.store.get_conversation(cid).system_prompt is None
    assert button(window).text() == "System: none"
    ui.ask("third")
    assert chat_bodies(devserver)[-1]["messages"][0] == {"role": "user", "content": "first"}


def test_a_long_prompt_is_previewed_short_and_edited_in_a_multi_line_box(
    window: MainWindow, ui: Any, tmp_path: Path
) -> None:
    ui.ask("hi")
    dialog = open_editor(window, ui)
    dialog.edit.setPlainText(LONG)
    save(dialog, ui)
    assert window.current is not None
    assert ui.store.get_conversation(window.current.id).system_prompt == LONG.strip()
    sp = button(window)
    assert sp.text().startswith("System: You are a careful") and sp.text().endswith("…")
    ui.wait(lambda: sp.width() == sp.sizeHint().width())  # the row made room for it
    assert sp.fontMetrics().horizontalAdvance(sp.text()) < sp.width() < 300
    assert "Explain every finding." in sp.toolTip() and len(sp.toolTip()) < 1000
    dialog = open_editor(window, ui)
    assert dialog.edit.toPlainText() == LONG.strip()
    assert dialog.edit.height() >= 7 * dialog.edit.fontMetrics().lineSpacing()
    shots = Path(os.environ.get("SP_SHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(shots / "dialog.png"))
    window.grab().save(str(shots / "window.png"))
    dialog.reject()


def test_the_shortcut_is_free_and_in_the_cheat_sheet(qapp: QApplication) -> None:
    assert any(s.action == "system_prompt" and s.keys == ("Ctrl+Shift+P",) for s in SHORTCUTS)
    keys = [k for s in SHORTCUTS for k in s.keys]
    assert len(keys) == len(set(keys))
    sheet = ShortcutsDialog()
    text = " ".join(label.text() for label in sheet.findChildren(QLabel))
    assert "<b>Ctrl+Shift+P</b></td><td>System prompt of this conversation" in text
    sheet.deleteLater()


def test_ask_with_conversation_uses_the_prompt_set_in_the_window(
    make_window: Any, ui_for: Any, devserver: DevServer, tmp_path: Path
) -> None:
    window, parts = make_window()
    ui = ui_for(window)
    ui.ask("from the app")
    save(open_editor(window, ui), ui, "Talk like a robot.")
    assert window.current is not None
    cid = window.current.id
    make_window.close(window)

    env = {
        **os.environ,
        "GROK_DESKTOP_DATA_DIR": str(parts.paths.root),
        "GROK_DESKTOP_BASE_URL": devserver.base_url,
        "XAI_API_KEY": API_KEY,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    result = subprocess.run(
        [sys.executable, "-m", "grok_desktop", "ask", "--conversation", cid, "from the cli"],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT / 1000 * 3,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    body = chat_bodies(devserver)[-1]
    assert body["messages"][0] == {"role": "system", "content": "Talk like a robot."}
    assert body["messages"][-1] == {"role": "user", "content": "from the cli"}
