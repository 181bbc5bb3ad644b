"""Conversations: create, list (keyset pages), find by id prefix, rename, pin, settings.

Titles: a new conversation is titled "New chat" and marked automatic; the first user message
replaces it with `title_maker(text)` (the store's hook, `title_from_text` by default);
`set_auto_title` lets a later model-made title replace an automatic one; a rename by the person
marks the title as theirs and nothing automatic touches it again.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

from grok_desktop.domain.conversation import Conversation
from grok_desktop.domain.titles import DEFAULT_TITLE, MAX_TITLE
from grok_desktop.storage.base import StoreBase
from grok_desktop.storage.errors import AmbiguousIdError, NotFoundError
from grok_desktop.storage.rows import (
    CONVERSATION_COLUMNS,
    clean,
    clean_opt,
    conversation_from_row,
    ids_json,
)
from grok_desktop.storage.timeutil import to_ms

_ID_PREFIX = re.compile(r"^[0-9a-f-]+$")


class ConversationOps(StoreBase):
    def create_conversation(
        self,
        title: str | None = None,
        model: str | None = None,
        system_prompt: str | None = None,
    ) -> Conversation:
        cleaned = clean((title or "").strip())
        model, system_prompt = clean_opt(model), clean_opt(system_prompt)
        with self._db.write() as conn:
            now = self._db.now_ms()
            cid = str(uuid.uuid4())
            conn.execute(
                "INSERT INTO conversations (id, title, title_auto, created, updated, model, "
                "system_prompt) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    cid,
                    cleaned or DEFAULT_TITLE,
                    0 if cleaned else 1,
                    now,
                    now,
                    model,
                    system_prompt,
                ),
            )
            return conversation_from_row(self._conversation_row(conn, cid))

    def get_conversation(self, conversation_id: str) -> Conversation | None:
        with self._db.read() as conn:
            row = conn.execute(
                f"SELECT {CONVERSATION_COLUMNS} FROM conversations AS c WHERE c.id = ?",
                (conversation_id,),
            ).fetchone()
        return None if row is None else conversation_from_row(row)

    def list_conversations(
        self, limit: int = 50, before: Conversation | None = None
    ) -> list[Conversation]:
        """Pinned first, then most recently updated. For the next page pass the last
        conversation of this one as `before` (a keyset cursor: stable and as fast on page 200
        as on page 1, unlike OFFSET)."""
        sql = f"SELECT {CONVERSATION_COLUMNS} FROM conversations AS c"
        params: tuple[object, ...] = ()
        if before is not None:
            sql += " WHERE (c.pinned, c.updated, c.id) < (?, ?, ?)"
            params = (int(before.pinned), to_ms(before.updated), before.id)
        sql += " ORDER BY c.pinned DESC, c.updated DESC, c.id DESC LIMIT ?"
        with self._db.read() as conn:
            rows = conn.execute(sql, (*params, max(0, limit))).fetchall()
        return [conversation_from_row(r) for r in rows]

    def count_conversations(self) -> int:
        with self._db.read() as conn:
            return int(conn.execute("SELECT count(*) FROM conversations").fetchone()[0])

    def message_counts(self, conversation_ids: Sequence[str]) -> dict[str, int]:
        """Messages per conversation (all branches), for lists."""
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT value AS id, (SELECT count(*) FROM messages AS m "
                "WHERE m.conversation_id = value) AS n FROM json_each(?)",
                (ids_json(conversation_ids),),
            ).fetchall()
        return {r["id"]: int(r["n"]) for r in rows}

    def find_conversation(self, prefix: str) -> Conversation:
        """Resolve a full id or a unique prefix of one (like git's short hashes)."""
        wanted = prefix.strip().lower()
        if not wanted or not _ID_PREFIX.match(wanted):
            raise NotFoundError(f"{prefix!r} is not a conversation id.")
        upper = wanted + "\uffff"
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT {CONVERSATION_COLUMNS} FROM conversations AS c "
                "WHERE c.id >= ? AND c.id < ? ORDER BY c.id LIMIT 6",
                (wanted, upper),
            ).fetchall()
        exact = [r for r in rows if r["id"] == wanted]
        if exact:
            return conversation_from_row(exact[0])
        if not rows:
            raise NotFoundError(f"No conversation id starts with {prefix!r}.")
        if len(rows) > 1:
            raise AmbiguousIdError(prefix, [r["id"] for r in rows])
        return conversation_from_row(rows[0])

    def rename_conversation(self, conversation_id: str, title: str) -> Conversation:
        """A title chosen by the person: automatic titles never replace it afterwards."""
        cleaned = clean(" ".join(title.split()))[: MAX_TITLE * 4] or DEFAULT_TITLE
        return self._update(conversation_id, "title = ?, title_auto = 0", cleaned)

    def set_auto_title(self, conversation_id: str, title: str) -> bool:
        """Hook for model-made titles: replaces the title only while it is still automatic.
        Returns whether it did."""
        cleaned = clean(" ".join(title.split()))
        if not cleaned:
            return False
        with self._db.write() as conn:
            self._conversation_row(conn, conversation_id)
            cur = conn.execute(
                "UPDATE conversations SET title = ? WHERE id = ? AND title_auto = 1",
                (cleaned, conversation_id),
            )
            return cur.rowcount > 0

    def is_title_auto(self, conversation_id: str) -> bool:
        with self._db.read() as conn:
            return bool(self._conversation_row(conn, conversation_id)["title_auto"])

    def set_pinned(self, conversation_id: str, pinned: bool) -> Conversation:
        return self._update(conversation_id, "pinned = ?", int(pinned))

    def set_model(self, conversation_id: str, model: str | None) -> Conversation:
        return self._update(conversation_id, "model = ?", model)

    def set_system_prompt(self, conversation_id: str, system_prompt: str | None) -> Conversation:
        return self._update(conversation_id, "system_prompt = ?", system_prompt or None)

    def _update(self, conversation_id: str, assignment: str, value: object) -> Conversation:
        with self._db.write() as conn:
            self._conversation_row(conn, conversation_id)
            conn.execute(
                f"UPDATE conversations SET {assignment} WHERE id = ?",
                (clean(value) if isinstance(value, str) else value, conversation_id),
            )
            return conversation_from_row(self._conversation_row(conn, conversation_id))
