"""Rows to domain objects and back: the column lists and the conversions, in one place."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from grok_desktop.domain.content import Role
from grok_desktop.domain.conversation import Attachment, Conversation, Message, MessageStatus
from grok_desktop.domain.pricing import Cost, CostSource
from grok_desktop.domain.usage import Usage
from grok_desktop.storage.timeutil import from_ms

CONVERSATION_COLUMNS = "c.id, c.title, c.created, c.updated, c.pinned, c.model, c.system_prompt"

MESSAGE_COLUMNS = (
    "m.id, m.conversation_id, m.parent_id, m.role, m.content, m.reasoning, m.model, m.status, "
    "m.error, m.created, m.prompt_tokens, m.cached_tokens, m.completion_tokens, "
    "m.reasoning_tokens, m.image_tokens, m.total_tokens, m.cost_ticks, m.cost_usd, m.cost_source"
)

USAGE_COLUMNS = (
    "prompt_tokens",
    "cached_tokens",
    "completion_tokens",
    "reasoning_tokens",
    "image_tokens",
    "total_tokens",
    "cost_ticks",
)


def clean(text: str) -> str:
    """Text SQLite can store: lone surrogates (possible from JSON escapes like "\\ud800")
    become U+FFFD instead of failing the write."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def clean_opt(text: str | None) -> str | None:
    return None if text is None else clean(text)


def conversation_from_row(row: sqlite3.Row) -> Conversation:
    return Conversation(
        id=row["id"],
        title=row["title"],
        created=from_ms(row["created"]),
        updated=from_ms(row["updated"]),
        pinned=bool(row["pinned"]),
        model=row["model"],
        system_prompt=row["system_prompt"],
    )


_ROLES = {r.value: r for r in Role}
_STATUSES = {s.value: s for s in MessageStatus}
_SOURCES = {s.value: s for s in CostSource}


def message_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Message:
    """A row that starts with MESSAGE_COLUMNS (by position: this runs for every message of a
    long conversation, so it avoids name look-ups and enum calls)."""
    return Message(
        id=row[0],
        conversation_id=row[1],
        parent_id=row[2],
        role=_ROLES[row[3]],
        content=row[4],
        created=from_ms(row[9]),
        reasoning=row[5],
        model=row[6],
        status=_STATUSES[row[7]],
        error=row[8],
        usage=None
        if row[10] is None
        else Usage(
            prompt_tokens=row[10],
            completion_tokens=row[12] or 0,
            reasoning_tokens=row[13] or 0,
            cached_tokens=row[11] or 0,
            image_tokens=row[14] or 0,
            total_tokens=row[15] or 0,
            cost_ticks=row[16],
        ),
        cost_usd=None if row[17] is None else decimal_or_none(row[17]),
        cost_source=_SOURCES.get(row[18], CostSource.UNKNOWN),
    )


def usage_values(usage: Usage | None) -> tuple[int | None, ...]:
    """Values for USAGE_COLUMNS, in that order (all None when there is no usage)."""
    if usage is None:
        return (None,) * len(USAGE_COLUMNS)
    return (
        usage.prompt_tokens,
        usage.cached_tokens,
        usage.completion_tokens,
        usage.reasoning_tokens,
        usage.image_tokens,
        usage.total_tokens,
        usage.cost_ticks,
    )


def cost_values(cost: Cost | None) -> tuple[str | None, str]:
    if cost is None:
        return None, CostSource.UNKNOWN.value
    return (None if cost.usd is None else str(cost.usd)), cost.source.value


def decimal_or_none(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def attachment_from_row(row: sqlite3.Row, detail: str = "auto") -> Attachment:
    return Attachment(
        sha256=row["sha256"],
        mime=row["mime"],
        width=row["width"],
        height=row["height"],
        bytes=row["bytes"],
        detail=detail,
    )


def ids_json(ids: Iterable[str]) -> str:
    """Many ids as one parameter, read back in SQL with `json_each(?)`."""
    return json.dumps(list(ids))


def load_attachments(conn: sqlite3.Connection, messages: Sequence[Message]) -> None:
    """Fill `message.attachments` for all given messages with one query."""
    if not messages:
        return
    by_id = {m.id: m for m in messages}
    rows = conn.execute(
        "SELECT ma.message_id, ma.detail, a.sha256, a.mime, a.width, a.height, a.bytes "
        "FROM message_attachments AS ma JOIN attachments AS a ON a.sha256 = ma.sha256 "
        "WHERE ma.message_id IN (SELECT value FROM json_each(?)) "
        "ORDER BY ma.message_id, ma.position",
        (ids_json(by_id),),
    )
    for row in rows:
        by_id[row["message_id"]].attachments.append(attachment_from_row(row, row["detail"]))
