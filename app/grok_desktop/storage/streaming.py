"""Replies that are being written: they exist from the first token, are saved as they grow,
and survive a crash as `interrupted`.

`start_reply` stores an empty `streaming` message marked with its writer (process id and this
store's token); `save_partial` stores the text so far; `finish_reply` stores the final text,
status, usage and cost. When a store opens, `streaming` messages whose writer is gone become
`interrupted` (a reply another live process, e.g. `grok-desktop ask`, is still writing is left
alone).
"""

from __future__ import annotations

import os
import uuid

from grok_desktop.domain.content import Role
from grok_desktop.domain.conversation import Message, MessageStatus
from grok_desktop.domain.pricing import Cost
from grok_desktop.domain.usage import Usage
from grok_desktop.storage.errors import NotFoundError
from grok_desktop.storage.messages import MessageOps
from grok_desktop.storage.rows import USAGE_COLUMNS, clean, clean_opt, cost_values, usage_values
from grok_desktop.storage.sessions import pid_alive
from grok_desktop.storage.usage import record_usage

#: Tokens of the stores open in this process (a writer token not in here is dead).
_LIVE_WRITERS: set[str] = set()

_FINISH = (
    "UPDATE messages SET status = ?, content = ?, reasoning = ?, error = ?, writer = NULL, "
    + ", ".join(f"{c} = ?" for c in USAGE_COLUMNS)
    + ", cost_usd = ?, cost_source = ? WHERE id = ?"
)


def new_writer_token() -> str:
    token = f"{os.getpid()}:{uuid.uuid4().hex}"
    _LIVE_WRITERS.add(token)
    return token


def retire_writer_token(token: str) -> None:
    _LIVE_WRITERS.discard(token)


def writer_alive(writer: str | None) -> bool:
    if not writer:
        return False
    pid_text, _, _token = writer.partition(":")
    try:
        pid = int(pid_text)
    except ValueError:
        return False
    if pid == os.getpid():
        return writer in _LIVE_WRITERS
    # Where liveness cannot be probed safely (not POSIX): assume gone. A live writer still
    # finishes its reply normally.
    return bool(pid_alive(pid))


class StreamingOps(MessageOps):
    recovered_interrupted: int = 0

    def start_reply(self, conversation_id: str, parent_id: str, model: str | None) -> Message:
        """An empty assistant message below `parent_id`, status `streaming`, selected."""
        return self._add(
            conversation_id,
            Role.ASSISTANT,
            "",
            parent_id=parent_id,
            model=model,
            status=MessageStatus.STREAMING,
            writer=self._writer_token,
        )

    def save_partial(self, message_id: str, content: str, reasoning: str = "") -> None:
        with self._db.write() as conn:
            cur = conn.execute(
                "UPDATE messages SET content = ?, reasoning = ? WHERE id = ?",
                (clean(content), clean(reasoning), message_id),
            )
            if cur.rowcount == 0:
                raise NotFoundError(
                    f"The reply {message_id!r} is no longer in the history (deleted?)."
                )

    def finish_reply(
        self,
        message_id: str,
        status: MessageStatus,
        content: str,
        reasoning: str = "",
        usage: Usage | None = None,
        cost: Cost | None = None,
        error: str | None = None,
    ) -> Message:
        """The final state of a reply: complete, or error/cancelled/interrupted with the
        partial text kept."""
        status = MessageStatus(status)
        if status is MessageStatus.STREAMING:
            raise ValueError("finish_reply needs a final status, not 'streaming'")
        cost_usd, cost_source = cost_values(cost)
        with self._db.write() as conn:
            row = self._message_row(conn, message_id)
            conn.execute(
                _FINISH,
                (
                    status.value,
                    clean(content),
                    clean(reasoning),
                    clean_opt(error),
                    *usage_values(usage),
                    cost_usd,
                    cost_source,
                    message_id,
                ),
            )
            self._touch(conn, row["conversation_id"])
            message = self._load_message(conn, message_id)
            record_usage(conn, message)
        return message

    def _recover_interrupted(self) -> int:
        """Mark replies left `streaming` by a process that is gone as `interrupted`."""
        with self._db.write() as conn:
            rows = conn.execute(
                "SELECT id, writer FROM messages WHERE status = 'streaming'"
            ).fetchall()
            dead = [(r["id"],) for r in rows if not writer_alive(r["writer"])]
            conn.executemany(
                "UPDATE messages SET status = 'interrupted', writer = NULL WHERE id = ?", dead
            )
        return len(dead)
