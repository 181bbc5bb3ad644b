"""Which branch of a conversation's message tree is shown, and switching between branches.

Every fork remembers its choice: `conversations.selected_root_id` names the root shown and each
message's `selected_child_id` the child shown below it. The path shown is found by following
those pointers from the root.
New messages, edits and regenerations select themselves; `select_branch` selects any message
and the ancestors leading to it, and below it keeps what that branch showed last time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from grok_desktop.domain.conversation import Message
from grok_desktop.storage.base import StoreBase
from grok_desktop.storage.errors import NotFoundError
from grok_desktop.storage.rows import MESSAGE_COLUMNS, load_attachments, message_from_row

_CONVERSATION_MESSAGES = (
    f"SELECT {MESSAGE_COLUMNS}, m.selected_child_id FROM messages AS m WHERE m.conversation_id = ?"
)


def walk_selected(
    rows: dict[str, Any], root: str | None, next_of: Callable[[Any], str | None]
) -> list[Any]:
    """Follow "selected" pointers from `root` (stops at a missing id or a cycle)."""
    path: list[Any] = []
    seen: set[str] = set()
    current = root
    while current is not None and current in rows and current not in seen:
        seen.add(current)
        row = rows[current]
        path.append(row)
        current = next_of(row)
    return path


class BranchOps(StoreBase):
    def branch_path(self, conversation_id: str, leaf_id: str | None = None) -> list[Message]:
        """Messages from the root down: along the current selection to its end, or (with
        `leaf_id`) to that message.

        One range scan of the conversation's messages and a walk in Python: about three times
        faster than a recursive query that looks up every step by id (5,000 messages: ~15 ms).
        """
        with self._db.read() as conn:
            conversation = self._conversation_row(conn, conversation_id)
            rows = {r[0]: r for r in conn.execute(_CONVERSATION_MESSAGES, (conversation_id,))}
            if leaf_id is None:
                picked = walk_selected(rows, conversation["selected_root_id"], lambda r: r[-1])
            else:
                if leaf_id not in rows:
                    raise NotFoundError(
                        f"There is no message {leaf_id!r} in conversation {conversation_id!r}."
                    )
                picked = walk_selected(rows, leaf_id, lambda r: r[2])[::-1]
            messages = [message_from_row(r) for r in picked]
            load_attachments(conn, messages)
        return messages

    def current_leaf_id(self, conversation_id: str) -> str | None:
        """The last message of the branch shown (what a new message is added below)."""
        with self._db.read() as conn:
            return self._current_leaf(conn, conversation_id)

    def siblings(self, message_id: str) -> list[Message]:
        """The message and its alternatives (same parent), oldest first: the "< 2/3 >"."""
        with self._db.read() as conn:
            row = self._message_row(conn, message_id)
            rows = conn.execute(
                f"SELECT {MESSAGE_COLUMNS} FROM messages AS m WHERE m.conversation_id = ? "
                "AND m.parent_id IS ? ORDER BY m.created, m.seq",
                (row["conversation_id"], row["parent_id"]),
            ).fetchall()
            messages = [message_from_row(r) for r in rows]
            load_attachments(conn, messages)
        return messages

    def branch_positions(self, conversation_id: str) -> dict[str, tuple[int, int]]:
        """For every message: (its 1-based place among its siblings, how many there are).
        One query for the whole conversation, so a view can draw all "< i/n >" at once."""
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT id, row_number() OVER w AS i, count(*) OVER (PARTITION BY parent_id) AS n "
                "FROM messages WHERE conversation_id = ? "
                "WINDOW w AS (PARTITION BY parent_id ORDER BY created, seq)",
                (conversation_id,),
            ).fetchall()
        return {r["id"]: (int(r["i"]), int(r["n"])) for r in rows}

    def select_branch(self, message_id: str) -> list[Message]:
        """Show the branch through `message_id`; returns the new path."""
        with self._db.write() as conn:
            row = self._message_row(conn, message_id)
            self._select_chain(conn, message_id)
        return self.branch_path(row["conversation_id"])

    # -- helpers used inside write transactions -----------------------------------------

    def _current_leaf(self, conn: sqlite3.Connection, conversation_id: str) -> str | None:
        root = conn.execute(
            "SELECT selected_root_id FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        rows = {
            r[0]: r
            for r in conn.execute(
                "SELECT id, selected_child_id FROM messages WHERE conversation_id = ?",
                (conversation_id,),
            )
        }
        path = walk_selected(rows, None if root is None else root[0], lambda r: r[1])
        return str(path[-1][0]) if path else None

    def _select_chain(self, conn: sqlite3.Connection, message_id: str) -> None:
        """Point every ancestor (and the conversation) along the way to `message_id`.

        One scan of the conversation's (id, parent, selected child) and updates only where a
        pointer changes: adding a reply below the shown branch touches a single row.
        """
        owner = conn.execute(
            "SELECT conversation_id FROM messages WHERE id = ?", (message_id,)
        ).fetchone()
        if owner is None:
            raise NotFoundError(f"There is no message with id {message_id!r}.")
        conversation_id = owner[0]
        links = {
            r[0]: (r[1], r[2])
            for r in conn.execute(
                "SELECT id, parent_id, selected_child_id FROM messages WHERE conversation_id = ?",
                (conversation_id,),
            )
        }
        changes: list[tuple[str, str]] = []
        child, seen = message_id, {message_id}
        parent = links[child][0]
        while parent is not None and parent in links and parent not in seen:
            if links[parent][1] != child:
                changes.append((child, parent))
            seen.add(parent)
            child, parent = parent, links[parent][0]
        conn.executemany("UPDATE messages SET selected_child_id = ? WHERE id = ?", changes)
        conn.execute(
            "UPDATE conversations SET selected_root_id = ? WHERE id = ? "
            "AND selected_root_id IS NOT ?",
            (child, conversation_id, child),
        )

    def _reselect_after_delete(
        self, conn: sqlite3.Connection, conversation_id: str, parent_id: str | None
    ) -> None:
        """After a subtree went, show the newest remaining sibling (if any) in its place."""
        newest = conn.execute(
            "SELECT id FROM messages WHERE conversation_id = ? AND parent_id IS ? "
            "ORDER BY created DESC, seq DESC LIMIT 1",
            (conversation_id, parent_id),
        ).fetchone()
        new_id = None if newest is None else newest["id"]
        if parent_id is None:
            conn.execute(
                "UPDATE conversations SET selected_root_id = ? WHERE id = ? AND "
                "(selected_root_id IS NULL OR selected_root_id NOT IN "
                "(SELECT id FROM messages WHERE conversation_id = ? AND parent_id IS NULL))",
                (new_id, conversation_id, conversation_id),
            )
        else:
            conn.execute(
                "UPDATE messages SET selected_child_id = ? WHERE id = ? AND "
                "(selected_child_id IS NULL OR selected_child_id NOT IN "
                "(SELECT id FROM messages WHERE parent_id = ?))",
                (new_id, parent_id, parent_id),
            )
