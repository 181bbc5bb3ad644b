"""Messages: adding (to the shown branch, or as a new branch), reading, deleting subtrees, and
choosing what is sent back to the model as context.

Editing a message = `add_message(..., parent_id=old.parent_id)`; regenerating a reply =
`start_reply(conversation_id, parent_id=<the user message>)`. Both make a sibling: the old
branch is kept and the new one is selected.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Sequence
from enum import Enum
from typing import Final

from grok_desktop.domain.content import Role
from grok_desktop.domain.conversation import Attachment, Message, MessageStatus
from grok_desktop.domain.pricing import Cost
from grok_desktop.domain.usage import Usage
from grok_desktop.storage.attachments import AttachmentOps
from grok_desktop.storage.branches import BranchOps
from grok_desktop.storage.rows import (
    MESSAGE_COLUMNS,
    USAGE_COLUMNS,
    clean,
    clean_opt,
    cost_values,
    ids_json,
    load_attachments,
    message_from_row,
    usage_values,
)
from grok_desktop.storage.usage import record_usage


class _Leaf(Enum):
    CURRENT = "current"


#: Default `parent_id` of `add_message`: below the last message of the branch shown.
CURRENT_LEAF: Final = _Leaf.CURRENT

_INSERT = (
    "INSERT INTO messages (id, conversation_id, parent_id, role, content, reasoning, model, "
    "status, error, created, "
    + ", ".join(USAGE_COLUMNS)
    + ", cost_usd, cost_source, writer) VALUES ("
    + ", ".join("?" for _ in range(13 + len(USAGE_COLUMNS)))
    + ")"
)


class MessageOps(BranchOps, AttachmentOps):
    def add_message(
        self,
        conversation_id: str,
        role: Role,
        content: str,
        *,
        parent_id: str | _Leaf | None = CURRENT_LEAF,
        attachments: Sequence[Attachment] = (),
        model: str | None = None,
        status: MessageStatus = MessageStatus.COMPLETE,
        reasoning: str = "",
        error: str | None = None,
        usage: Usage | None = None,
        cost: Cost | None = None,
    ) -> Message:
        """Add a message and show it. `parent_id`: CURRENT_LEAF (default) continues the branch
        shown; an id adds below that message (a sibling of its other children); None makes a
        new root (an edit of the first message)."""
        return self._add(
            conversation_id,
            Role(role),
            content,
            parent_id=parent_id,
            attachments=attachments,
            model=model,
            status=MessageStatus(status),
            reasoning=reasoning,
            error=error,
            usage=usage,
            cost=cost,
        )

    def get_message(self, message_id: str) -> Message | None:
        with self._db.read() as conn:
            row = conn.execute(
                f"SELECT {MESSAGE_COLUMNS} FROM messages AS m WHERE m.id = ?", (message_id,)
            ).fetchone()
            if row is None:
                return None
            message = message_from_row(row)
            load_attachments(conn, [message])
        return message

    def message_owners(self, message_ids: Sequence[str]) -> dict[str, str]:
        """For the given ids that exist: message id -> conversation id."""
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT id, conversation_id FROM messages "
                "WHERE id IN (SELECT value FROM json_each(?))",
                (ids_json(message_ids),),
            ).fetchall()
        return {r["id"]: r["conversation_id"] for r in rows}

    def delete_message(self, message_id: str) -> int:
        """Delete a message and everything below it (all branches); returns how many went.
        The newest remaining sibling, if any, is shown in its place."""
        with self._db.write() as conn:
            row = self._message_row(conn, message_id)
            ids = [
                r[0]
                for r in conn.execute(
                    "WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL "
                    "SELECT m.id FROM messages AS m JOIN sub ON m.parent_id = sub.id) "
                    "SELECT id FROM sub",
                    (message_id,),
                )
            ]
            packed = ids_json(ids)
            shas = self._shas_of(conn, packed)
            conn.execute(
                "DELETE FROM messages WHERE id IN (SELECT value FROM json_each(?))", (packed,)
            )
            self._reselect_after_delete(conn, row["conversation_id"], row["parent_id"])
            self._release_attachments(conn, shas)
        return len(ids)

    def messages_for_context(self, conversation_id: str) -> list[Message]:
        """The branch shown, minus what should not be sent back to the model: failed replies,
        replies still streaming, and stopped/interrupted replies that have no text."""
        return [m for m in self.branch_path(conversation_id) if usable_as_context(m)]

    # -- internals ------------------------------------------------------------------------

    def _add(
        self,
        conversation_id: str,
        role: Role,
        content: str,
        *,
        parent_id: str | _Leaf | None,
        attachments: Sequence[Attachment] = (),
        model: str | None = None,
        status: MessageStatus = MessageStatus.COMPLETE,
        reasoning: str = "",
        error: str | None = None,
        usage: Usage | None = None,
        cost: Cost | None = None,
        writer: str | None = None,
    ) -> Message:
        content, reasoning = clean(content), clean(reasoning)
        error, model = clean_opt(error), clean_opt(model)
        with self._db.write() as conn:
            conversation = self._conversation_row(conn, conversation_id)
            continues_shown = parent_id is CURRENT_LEAF
            parent = (
                self._current_leaf(conn, conversation_id)
                if isinstance(parent_id, _Leaf)
                else parent_id
            )
            if parent is not None:
                parent_row = self._message_row(conn, parent)
                if parent_row["conversation_id"] != conversation_id:
                    raise ValueError(
                        f"message {parent} belongs to another conversation, not {conversation_id}"
                    )
            first_user_message = (
                role is Role.USER
                and conversation["title_auto"]
                and conn.execute(
                    "SELECT 1 FROM messages WHERE conversation_id = ? AND role = 'user' LIMIT 1",
                    (conversation_id,),
                ).fetchone()
                is None
            )
            now = self._db.now_ms()
            message_id = str(uuid.uuid4())
            cost_usd, cost_source = cost_values(cost)
            conn.execute(
                _INSERT,
                (
                    message_id,
                    conversation_id,
                    parent,
                    role.value,
                    content,
                    reasoning,
                    model,
                    status.value,
                    error,
                    now,
                    *usage_values(usage),
                    cost_usd,
                    cost_source,
                    writer,
                ),
            )
            self._link_attachments(conn, message_id, attachments)
            if continues_shown and parent is not None:
                conn.execute(
                    "UPDATE messages SET selected_child_id = ? WHERE id = ?", (message_id, parent)
                )
            elif continues_shown:
                conn.execute(
                    "UPDATE conversations SET selected_root_id = ? WHERE id = ?",
                    (message_id, conversation_id),
                )
            else:
                self._select_chain(conn, message_id)
            if first_user_message:
                conn.execute(
                    "UPDATE conversations SET title = ? WHERE id = ?",
                    (clean(self._title_maker(content)), conversation_id),
                )
            conn.execute(
                "UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation_id)
            )
            message = self._load_message(conn, message_id)
            record_usage(conn, message)
        return message

    def _load_message(self, conn: sqlite3.Connection, message_id: str) -> Message:
        row = conn.execute(
            f"SELECT {MESSAGE_COLUMNS} FROM messages AS m WHERE m.id = ?", (message_id,)
        ).fetchone()
        message = message_from_row(row)
        load_attachments(conn, [message])
        return message


def usable_as_context(message: Message) -> bool:
    """Whether a message is sent back to the model: not a failed reply, not one still
    streaming, not a stopped/interrupted reply without text."""
    if message.status is MessageStatus.COMPLETE:
        return True
    if message.status in (MessageStatus.CANCELLED, MessageStatus.INTERRUPTED):
        return bool(message.content.strip())
    return False
