"""The open conversation's system prompt: a button in the composer's model row
(`systemPromptButton`, "System prompt") that previews it, and a small editor dialog
(`systemPromptDialog`) with Save, Reset to default and Cancel; Ctrl+Shift+P opens it too.

A conversation keeps its own copy of the prompt, taken from the default in Settings when it
is created, so changing the default never rewrites old conversations. The button says whether
the prompt is the current default ("(default)") or the conversation's own. In a new chat the
prompt chosen here is held until the first send and given to the conversation it creates
(`prompt_for_new_chat`); until then the new chat follows the default.

Saving goes through `ConversationService.set_system_prompt`; its `conversation_changed` comes
back to `on_conversations_changed`. No signals of its own.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import (
    QBoxLayout,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from grok_desktop.domain.conversation import Conversation
from grok_desktop.services.conversations import ConversationService
from grok_desktop.storage.settings import Settings
from grok_desktop.ui.shortcuts import SHORTCUTS

SETTING = "default_system_prompt"
#: Widest the preview on the button gets (px); the tooltip and the editor have the rest.
PREVIEW_WIDTH = 180
TOOLTIP_CHARS = 400


def _shortcut_keys() -> str:
    return next((s.keys[0] for s in SHORTCUTS if s.action == "system_prompt"), "")


def _first_line(text: str) -> str:
    return next((" ".join(line.split()) for line in text.splitlines() if line.strip()), "")


class PromptEdit(QPlainTextEdit):
    """Multi-line; Enter is a new line, Ctrl+Enter `submitted` (the box would take it)."""

    submitted = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.submitted.emit()
            return
        super().keyPressEvent(event)


class SystemPromptDialog(QDialog):
    """Edits one prompt; `saved(text)` on Save (stripped; "" for none). Reset to default
    puts the default from Settings into the editor; Save still decides."""

    saved = Signal(str)

    def __init__(self, prompt: str, default: str, subject: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("systemPromptDialog")
        self.setWindowTitle("System prompt — Grok Desktop")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.default = default
        intro = QLabel(
            f"Instructions the model gets before every message of {subject}. "
            "The default for new chats is in Settings (Chat).",
            self,
        )
        intro.setWordWrap(True)
        self.edit = PromptEdit(self)
        self.edit.setObjectName("systemPromptEdit")
        self.edit.setAccessibleName("System prompt text")
        self.edit.setPlaceholderText("No system prompt. For example: Answer briefly, in English.")
        self.edit.setPlainText(prompt)
        self.edit.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # it wraps
        self.edit.setMinimumHeight(self.edit.fontMetrics().lineSpacing() * 8 + 16)
        self.state = QLabel(self)
        self.state.setObjectName("systemPromptState")
        self.state.setWordWrap(True)
        self.state.setAccessibleName("System prompt state")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setToolTip("Save (Ctrl+Enter)")
        self.reset_button = QPushButton("Reset to default", self)
        self.reset_button.setObjectName("systemPromptReset")
        self.reset_button.setToolTip("Put the default system prompt from Settings in the editor")
        self.reset_button.setAutoDefault(False)
        self.buttons.addButton(self.reset_button, QDialogButtonBox.ButtonRole.ResetRole)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.state)
        layout.addWidget(self.buttons)
        self.resize(560, 340)

        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reset_button.clicked.connect(self.reset_to_default)
        self.edit.textChanged.connect(self._update_state)
        self.edit.submitted.connect(self.accept)
        self._update_state()
        self.edit.setFocus()
        self.edit.moveCursor(QTextCursor.MoveOperation.End)

    def text(self) -> str:
        return self.edit.toPlainText().strip()

    def reset_to_default(self) -> None:
        self.edit.setPlainText(self.default)
        self.edit.setFocus()

    def accept(self) -> None:
        self.saved.emit(self.text())
        super().accept()

    def _update_state(self) -> None:
        text = self.text()
        if text == self.default:
            state = (
                "Same as the default in Settings."
                if text
                else "Empty, like the default in Settings: no system prompt is sent."
            )
        elif not text:
            state = "Empty: no system prompt is sent (the default in Settings has one)."
        else:
            state = (
                "Its own prompt; differs from the default in Settings."
                if self.default
                else "Its own prompt; Settings has no default."
            )
        self.state.setText(state)
        self.reset_button.setEnabled(text != self.default)


class SystemPromptButton(QToolButton):
    """Shows the system prompt of the open conversation (or of the coming new chat) and opens
    the editor. The window tells it which conversation is open (`set_conversation`)."""

    def __init__(
        self, conversations: ConversationService, settings: Settings, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.setObjectName("systemPromptButton")
        self.setAccessibleName("System prompt")
        self.setAutoRaise(True)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        # a narrow window may squeeze it (Qt elides the text); the tooltip still has it all
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("System…") + 8)
        self.conversations = conversations
        self.settings = settings
        self.conversation: Conversation | None = None
        #: a new chat's prompt chosen before the first send; None: follow the default
        self.pending: str | None = None
        self.clicked.connect(self.open_editor)
        settings.on_change(self._on_setting_changed)
        self._refresh()

    def place_after(self, anchor: QWidget) -> None:
        """Put the button right after `anchor` in the box layout that holds it (the model
        picker in the composer's model row)."""
        holder = anchor.parentWidget()
        stack = [holder.layout()] if holder is not None else []
        while stack:
            layout = stack.pop()
            if layout is None:
                continue
            index = layout.indexOf(anchor)
            if isinstance(layout, QBoxLayout) and index >= 0:
                layout.insertWidget(index + 1, self)
                return
            items = (layout.itemAt(i) for i in range(layout.count()))
            stack.extend(item.layout() for item in items if item is not None)

    # -- state ----------------------------------------------------------------------------------
    def default(self) -> str:
        return str(self.settings.get(SETTING) or "").strip()

    def prompt(self) -> str:
        """The prompt the next message goes with ("" for none)."""
        if self.conversation is not None:
            return self.conversation.system_prompt or ""
        return self.default() if self.pending is None else self.pending

    def is_default(self) -> bool:
        return self.prompt() == self.default()

    def prompt_for_new_chat(self) -> str | None:
        """For the conversation the first send of a new chat creates."""
        return (self.default() if self.pending is None else self.pending) or None

    def set_conversation(self, conversation: Conversation | None) -> None:
        self.conversation = conversation
        self.pending = None
        self._refresh()

    def on_conversations_changed(self, conversation: object) -> None:
        if (
            isinstance(conversation, Conversation)
            and self.conversation is not None
            and conversation.id == self.conversation.id
        ):
            self.conversation = conversation
            self._refresh()

    def _on_setting_changed(self, name: str) -> None:
        if name == SETTING and isValid(self):
            self._refresh()

    # -- editing --------------------------------------------------------------------------------
    def open_editor(self) -> SystemPromptDialog:
        existing = self.window().findChild(SystemPromptDialog, "systemPromptDialog")
        if existing is not None and existing.isVisible():
            existing.raise_()
            existing.activateWindow()
            return existing
        subject = (
            f"“{self.conversation.title}”" if self.conversation is not None else "the new chat"
        )
        dialog = SystemPromptDialog(self.prompt(), self.default(), subject, self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        target = self.conversation.id if self.conversation is not None else None
        dialog.saved.connect(lambda text: self._save(target, text))
        dialog.open()
        return dialog

    def _save(self, conversation_id: str | None, text: str) -> None:
        if conversation_id is None:
            if self.conversation is None:  # still the same new chat
                self.pending = None if text == self.default() else text
                self._refresh()
            return
        stored = self.conversations.store.get_conversation(conversation_id)
        if stored is not None and (stored.system_prompt or "") != text:
            self.conversations.set_system_prompt(conversation_id, text or None)

    def _refresh(self) -> None:
        prompt = self.prompt()
        default = self.is_default()
        line = _first_line(prompt)
        preview = self.fontMetrics().elidedText(line, Qt.TextElideMode.ElideRight, PREVIEW_WIDTH)
        self.setText(f"System: {preview or 'none'}" + (" (default)" if default else ""))
        keys = _shortcut_keys()
        where = "this conversation" if self.conversation is not None else "the new chat"
        if default:
            origin = "the default from Settings"
        else:
            origin = f"{where}'s own" if prompt else "none (the default in Settings is not used)"
        body = html.escape(prompt[:TOOLTIP_CHARS] + ("…" if len(prompt) > TOOLTIP_CHARS else ""))
        self.setToolTip(
            f"<qt><b>System prompt</b> of {where}: {html.escape(origin)}."
            + (f"<br><i>{body}</i>".replace("\n", "<br>") if prompt else "")
            + f"<br>Click{f' or press {keys}' if keys else ''} to change it.</qt>"
        )
        self.setAccessibleDescription(
            f"{origin}: {line}" if prompt else f"No system prompt; {origin}"
        )
