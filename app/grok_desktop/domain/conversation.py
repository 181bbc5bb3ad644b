"""Conversations as they are kept in history: messages form a tree (edits and regenerations
make branches, the old branch is kept), each message has a status and, for replies, usage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from grok_desktop.domain.content import Role
from grok_desktop.domain.pricing import CostSource
from grok_desktop.domain.usage import Usage


class MessageStatus(StrEnum):
    COMPLETE = "complete"
    STREAMING = "streaming"  # being written; left so by a crash it becomes INTERRUPTED
    INTERRUPTED = "interrupted"  # the app died mid-answer: offer Continue / Retry
    ERROR = "error"  # the API or the network failed; `error` says why; partial text kept
    CANCELLED = "cancelled"  # the user pressed Stop; partial text kept


@dataclass(frozen=True, slots=True)
class Attachment:
    """An image kept in the content-addressed store (`images/<sha256>.<ext>`)."""

    sha256: str
    mime: str
    width: int
    height: int
    bytes: int
    detail: str = "auto"


@dataclass(slots=True)
class Message:
    id: str
    conversation_id: str
    parent_id: str | None
    role: Role
    content: str
    created: datetime
    reasoning: str = ""
    model: str | None = None
    status: MessageStatus = MessageStatus.COMPLETE
    error: str | None = None
    usage: Usage | None = None
    cost_usd: Decimal | None = None
    cost_source: CostSource = CostSource.UNKNOWN
    attachments: list[Attachment] = field(default_factory=list)


@dataclass(slots=True)
class Conversation:
    id: str
    title: str
    created: datetime
    updated: datetime
    pinned: bool = False
    model: str | None = None
    system_prompt: str | None = None


@dataclass(frozen=True, slots=True)
class SearchHit:
    conversation_id: str
    conversation_title: str
    message_id: str | None  # None when only the title matched
    snippet: str  # matched terms wrapped in HIGHLIGHT_START / HIGHLIGHT_END
    rank: float


HIGHLIGHT_START = "\x02"
HIGHLIGHT_END = "\x03"
