"""What the links under a message do: copy (a note), regenerate / retry, continue, edit (the
composer takes the text), delete with Undo, and the branch arrows. Everything goes through the
services; nothing here touches storage.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from grok_desktop.services.chat import ChatService
from grok_desktop.services.conversations import ConversationService


class MessageActions(QObject):
    """Slot for `ChatView.action_requested`.

    `model()` is the model to answer with; `may_resend(model, message_id)` says whether an
    answer may be asked for again (False when it cannot see the conversation's images; the one
    asked shows why).

    Signals:
        status(str text): a line for the status bar
        edit_requested(str message_id, str text): put the message in the composer to edit it
        branch_switched(): another branch is selected in the store; show it
    """

    status = Signal(str)
    edit_requested = Signal(str, str)
    branch_switched = Signal()

    def __init__(
        self,
        chat: ChatService,
        conversations: ConversationService,
        *,
        model: Callable[[], str | None],
        may_resend: Callable[[str, str], bool],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.chat = chat
        self.conversations = conversations
        self._model = model
        self._may_resend = may_resend

    def on_view_action_requested(self, action: str, message_id: str) -> None:
        model = self._model() or ""
        if action in ("regenerate", "retry", "continue") and not self._may_resend(
            model, message_id
        ):
            return
        if action == "copied":
            self.status.emit("Message copied.")
        elif action == "code-copied":
            self.status.emit("Code copied.")
        elif action in ("regenerate", "retry"):
            self.chat.regenerate(message_id, model)
        elif action == "continue":
            self.chat.continue_reply(message_id, model)
        elif action == "edit":
            message = self.conversations.get_message(message_id)
            if message is not None:
                self.edit_requested.emit(message_id, message.content)
        elif action == "delete":
            self.delete(message_id)
        elif action in ("prev", "next"):
            self.conversations.switch_branch(message_id, -1 if action == "prev" else 1)
            self.branch_switched.emit()

    def delete(self, message_id: str) -> None:
        """The message and everything after it, on every branch; Undo puts them back."""
        message = self.conversations.get_message(message_id)
        if message is None:
            return
        if self.chat.live_reply(message.conversation_id) is not None:
            # the answer being written hangs below: it would be saved into nothing
            self.status.emit("Stop the answer (Esc) before deleting messages of this chat.")
            return
        self.conversations.delete_message(message_id)
