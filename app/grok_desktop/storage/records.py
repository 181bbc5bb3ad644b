"""Plain data the store hands out beyond the domain types: whole conversation trees (for export,
import and undo), usage sums and import counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from grok_desktop.domain.conversation import Attachment, Conversation, Message
from grok_desktop.domain.usage import Usage


@dataclass(slots=True)
class ConversationTree:
    """A conversation with ALL its messages (every branch) and its branch selection.

    `messages` lists parents before children. `selected_root` is the root message shown;
    `selected_child` maps a message id to its child shown (forks remember their choice).
    """

    conversation: Conversation
    title_auto: bool
    messages: list[Message]
    selected_root: str | None
    selected_child: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class DeletedConversation:
    """What `Store.delete_conversation` removed, enough for `restore_conversation` (undo).

    `images` holds the bytes of the attachments, because their files are removed once nothing
    refers to them.
    """

    tree: ConversationTree
    images: dict[str, bytes]
    attachments: dict[str, Attachment]


@dataclass(frozen=True, slots=True)
class UsageRow:
    """Tokens and money of one model on one local calendar day."""

    day: date
    model: str
    replies: int
    usage: Usage
    cost_usd: Decimal  # sum of the replies whose cost is known
    unknown_cost_replies: int  # replies with tokens but no known price


@dataclass(slots=True)
class ImportResult:
    conversations_added: int = 0
    conversations_skipped: int = 0  # already present (their new messages are still added)
    messages_added: int = 0
    messages_skipped: int = 0
    images_added: int = 0

    def describe(self) -> str:
        return (
            f"Imported {self.conversations_added} conversation(s) and "
            f"{self.messages_added} message(s); {self.conversations_skipped} conversation(s) "
            f"and {self.messages_skipped} message(s) were already there."
        )
