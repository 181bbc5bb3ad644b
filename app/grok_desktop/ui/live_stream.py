"""The answer being written, drawn in the chat view while its conversation is shown.

An answer goes on (and keeps being saved) while another conversation is shown. When its
conversation is opened again, the view picks the stream up where it stands (`resume`) instead
of showing the saved partial text as if it were finished.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from PySide6.QtCore import QObject

from grok_desktop.domain.content import Role
from grok_desktop.domain.conversation import Message, MessageStatus
from grok_desktop.services.chat import ChatService
from grok_desktop.services.conversations import WINDOW, ConversationService
from grok_desktop.services.turn import TurnOutcome
from grok_desktop.ui.chat.message_html import BranchInfo
from grok_desktop.ui.chat.view import ChatView


def branches(positions: dict[str, tuple[int, int]]) -> dict[str, BranchInfo]:
    return {mid: BranchInfo(i, n) for mid, (i, n) in positions.items()}


def unsaved_reply(conversation_id: str, outcome: TurnOutcome | None = None) -> Message:
    """A reply the history could not keep (storage failed): shown, not stored."""
    message = Message(
        id="unsaved",
        conversation_id=conversation_id,
        parent_id=None,
        role=Role.ASSISTANT,
        content="",
        created=datetime.now(UTC),
        status=MessageStatus.STREAMING,
    )
    if outcome is None:
        return message
    return replace(
        message,
        content=outcome.content,
        reasoning=outcome.reasoning,
        model=outcome.model,
        status=outcome.status,
        error=outcome.error.user_message() if outcome.error else None,
        usage=outcome.usage,
        cost_usd=outcome.cost.usd,
    )


class LiveStream(QObject):
    """Routes ChatService's stream into `view` for the conversation `shown()` returns.

    Signals: none (a QObject so its slots live and die with the window).
    """

    def __init__(
        self,
        chat: ChatService,
        conversations: ConversationService,
        view: ChatView,
        shown: Callable[[], str | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.chat = chat
        self.conversations = conversations
        self.view = view
        self._shown = shown
        chat.reply_started.connect(self.on_chat_reply_started)
        chat.content_received.connect(self.on_chat_content_received)
        chat.reasoning_received.connect(self.on_chat_reasoning_received)
        chat.reply_finished.connect(self.on_chat_reply_finished)

    def _here(self, conversation_id: str | None) -> bool:
        return conversation_id is not None and conversation_id == self._shown()

    # -- reopening ------------------------------------------------------------------------------
    def without_live(self, conversation_id: str, messages: list[Message]) -> list[Message]:
        """`messages` minus the reply being streamed (`resume` draws it)."""
        live = self.chat.live_reply(conversation_id)
        if live is None or live.message is None:
            return messages
        return [m for m in messages if m.id != live.message.id]

    def resume(self, conversation_id: str) -> None:
        """After the view showed `conversation_id`: go on with its answer being written."""
        live = self.chat.live_reply(conversation_id)
        if live is None or (live.message is None and not live.content):
            return  # nothing started yet: reply_started will come
        message = live.message or unsaved_reply(conversation_id)
        self.view.begin_stream(replace(message, content=live.content, reasoning=live.reasoning))

    # -- the stream -----------------------------------------------------------------------------
    def on_chat_reply_started(self, conversation_id: str, message: Message | None) -> None:
        if not self._here(conversation_id):
            return
        if message is None:
            message = unsaved_reply(conversation_id)
        order = self.view.chat.order
        if message.parent_id is not None and (not order or order[-1] != message.parent_id):
            # a regeneration: show the branch that leads to the new answer
            messages, positions = self.conversations.open(conversation_id)
            path = [m for m in messages if m.id != message.id]
            shown = path[-WINDOW:]
            self.view.show_messages(shown, branches(positions), has_earlier=len(shown) < len(path))
        self.view.begin_stream(message)

    def on_chat_content_received(self, text: str) -> None:
        if self._here(self.chat.conversation_id):
            self.view.append_stream(text)

    def on_chat_reasoning_received(self, text: str) -> None:
        if self._here(self.chat.conversation_id):
            self.view.append_stream("", text)

    def on_chat_reply_finished(
        self, conversation_id: str, outcome: TurnOutcome | None, stored: Message | None
    ) -> None:
        if not self._here(conversation_id):
            return
        if stored is not None:
            info = self.conversations.positions(conversation_id).get(stored.id)
            self.view.end_stream(stored, BranchInfo(*info) if info else None)
        elif outcome is not None:
            self.view.end_stream(unsaved_reply(conversation_id, outcome))
