"""Earlier messages on request: a long conversation opens with its latest messages only; each click
on "Show earlier messages" at the top loads the page above (off the UI thread, through the
conversation service) and puts it above what is shown, without moving what is on screen.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from grok_desktop.domain.conversation import Message
from grok_desktop.services.conversations import ConversationService
from grok_desktop.ui.chat.message_html import BranchInfo
from grok_desktop.ui.chat.view import ChatView


class EarlierMessages(QObject):
    """Connects `ChatView.load_earlier_requested` to `ConversationService.load_earlier`.

    A page that arrives after the view moved on (another conversation or branch shown, or the
    page already added by an earlier click) is dropped.

    Signals: none.
    """

    def __init__(
        self,
        view: ChatView,
        conversations: ConversationService,
        shown: Callable[[], str | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.view = view
        self.conversations = conversations
        self._shown = shown
        view.load_earlier_requested.connect(self.on_view_load_earlier_requested)
        conversations.earlier_loaded.connect(self.on_conversations_earlier_loaded)

    def on_view_load_earlier_requested(self) -> None:
        conversation_id = self._shown()
        first = self.view.first_message_id
        if conversation_id is not None and first is not None:
            self.conversations.load_earlier(conversation_id, first)

    def on_conversations_earlier_loaded(
        self,
        conversation_id: str,
        before_id: str,
        messages: list[Message],
        positions: dict[str, tuple[int, int]],
        more: bool,
    ) -> None:
        if self._shown() != conversation_id or self.view.first_message_id != before_id:
            return
        branches = {mid: BranchInfo(i, n) for mid, (i, n) in positions.items()}
        self.view.prepend_messages(messages, branches, has_earlier=more)
