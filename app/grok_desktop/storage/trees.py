"""Whole conversations in and out: load every branch (for export), insert trees (for import
and undo), delete a conversation (or a message and everything below it) returning what undo
needs.

Undo of a delete: `delete_conversation` returns a `DeletedConversation` (the tree plus the image
bytes whose files are removed); `restore_conversation(snapshot)` puts it back exactly, ids
included; `delete_messages` / `restore_messages` do the same for a message and everything
below it. There is no soft delete: a deleted conversation is gone from search, lists and disk
at once, which is what people expect of "delete".
"""

from __future__ import annotations

import heapq
import logging
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from grok_desktop.domain.conversation import Attachment, Conversation, Message
from grok_desktop.storage.errors import NotFoundError, StorageError
from grok_desktop.storage.records import ConversationTree, DeletedConversation, ImportResult
from grok_desktop.storage.rows import (
    MESSAGE_COLUMNS,
    USAGE_COLUMNS,
    conversation_from_row,
    ids_json,
    load_attachments,
    message_from_row,
    usage_values,
)
from grok_desktop.storage.streaming import StreamingOps
from grok_desktop.storage.timeutil import to_ms
from grok_desktop.storage.usage import record_usage

log = logging.getLogger(__name__)

_INSERT_MESSAGE = (
    "INSERT INTO messages (id, conversation_id, parent_id, selected_child_id, role, content, "
    "reasoning, model, status, error, created, "
    + ", ".join(USAGE_COLUMNS)
    + ", cost_usd, cost_source) VALUES ("
    + ", ".join("?" for _ in range(13 + len(USAGE_COLUMNS)))
    + ")"
)


@dataclass(slots=True)
class DeletedMessages:
    """What `TreeOps.delete_messages` removed, enough for `restore_messages` (undo).

    `snapshot.tree` holds only the removed messages (the message and, on every branch,
    everything below it); `shown`: the message was on the branch shown, so undo shows it again.
    """

    message_id: str
    snapshot: DeletedConversation
    shown: bool

    @property
    def conversation_id(self) -> str:
        return self.snapshot.tree.conversation.id

    @property
    def count(self) -> int:
        return len(self.snapshot.tree.messages)


class TreeOps(StreamingOps):
    def load_tree(self, conversation_id: str) -> ConversationTree:
        with self._db.read() as conn:
            return self._load_tree(conn, conversation_id)

    def conversation_ids(self) -> list[str]:
        """Every conversation id, in list order (pinned, newest first)."""
        with self._db.read() as conn:
            return [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM conversations ORDER BY pinned DESC, updated DESC, id DESC"
                )
            ]

    def delete_conversation(self, conversation_id: str) -> DeletedConversation:
        """Delete a conversation, its messages and the images only it used.
        Keep the result to undo with `restore_conversation`."""
        with self._db.write() as conn:
            tree = self._load_tree(conn, conversation_id)
            attachments = {a.sha256: a for m in tree.messages for a in m.attachments}
            images: dict[str, bytes] = {}
            for sha, att in attachments.items():
                try:
                    images[sha] = self.attachment_path(att).read_bytes()
                except OSError:
                    log.warning("image %s of conversation %s is missing", sha, conversation_id)
            shas = self._shas_of(conn, ids_json(m.id for m in tree.messages))
            conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
            self._release_attachments(conn, shas)
        return DeletedConversation(tree, images, attachments)

    def delete_messages(self, message_id: str) -> DeletedMessages:
        """`delete_message` (the message and everything below it, all branches) in one
        transaction with what undo needs: the removed messages and the bytes of their images."""
        with self._db.write() as conn:
            row = self._message_row(conn, message_id)
            tree = self._load_tree(conn, row["conversation_id"])
            below: set[str] = {message_id}
            for m in tree.messages:  # parents come first
                if m.parent_id in below:
                    below.add(m.id)
            removed = [m for m in tree.messages if m.id in below]
            attachments = {a.sha256: a for m in removed for a in m.attachments}
            images: dict[str, bytes] = {}
            for sha, att in attachments.items():
                try:
                    images[sha] = self.read_attachment(att)
                except NotFoundError:
                    log.warning("image %s of message %s is missing", sha, message_id)
            shown = message_id in {m.id for m in self.branch_path(row["conversation_id"])}
            self.delete_message(message_id)
        subtree = replace(
            tree,
            messages=removed,
            selected_child={k: v for k, v in tree.selected_child.items() if k in below},
        )
        return DeletedMessages(message_id, DeletedConversation(subtree, images, attachments), shown)

    def restore_messages(self, deleted: DeletedMessages) -> None:
        """Undo `delete_messages`: the same ids, branches and images; a message that was shown
        is shown again. Raises NotFoundError when what it hung from has gone since."""
        first = deleted.snapshot.tree.messages[0]
        with self._db.write() as conn:
            self._conversation_row(conn, deleted.conversation_id)
            if first.parent_id is not None and (
                conn.execute("SELECT 1 FROM messages WHERE id = ?", (first.parent_id,)).fetchone()
                is None
            ):
                raise NotFoundError(
                    "The message above the deleted ones was deleted too; they cannot be put back."
                )
            snap = deleted.snapshot
            self.insert_trees([snap.tree], snap.images, snap.attachments)
            if deleted.shown:
                self._select_chain(conn, deleted.message_id)

    def restore_conversation(self, snapshot: DeletedConversation) -> Conversation:
        """Undo `delete_conversation`: the same ids, branches, statuses, usage and images."""
        self.insert_trees([snapshot.tree], snapshot.images, snapshot.attachments)
        with self._db.read() as conn:
            return conversation_from_row(
                self._conversation_row(conn, snapshot.tree.conversation.id)
            )

    def insert_trees(
        self,
        trees: Iterable[ConversationTree],
        images: Mapping[str, bytes],
        attachments: Mapping[str, Attachment],
    ) -> ImportResult:
        """Insert conversations in ONE transaction, keeping their ids. A conversation already
        present keeps its settings and gets only the messages it lacks. Raises (and writes
        nothing) when a message id is already used by another conversation."""
        result = ImportResult()
        with self._db.write() as conn:
            for tree in trees:
                self._insert_tree(conn, tree, images, attachments, result)
        return result

    # -- internals ------------------------------------------------------------------------

    def _load_tree(self, conn: sqlite3.Connection, conversation_id: str) -> ConversationTree:
        row = self._conversation_row(conn, conversation_id)
        rows = conn.execute(
            f"SELECT {MESSAGE_COLUMNS}, m.selected_child_id FROM messages AS m "
            "WHERE m.conversation_id = ? ORDER BY m.created, m.id",
            (conversation_id,),
        ).fetchall()
        messages = [message_from_row(r) for r in rows]
        load_attachments(conn, messages)
        selected = {r["id"]: r["selected_child_id"] for r in rows if r["selected_child_id"]}
        return ConversationTree(
            conversation=conversation_from_row(row),
            title_auto=bool(row["title_auto"]),
            messages=parents_first(messages),
            selected_root=row["selected_root_id"],
            selected_child=selected,
        )

    def _insert_tree(
        self,
        conn: sqlite3.Connection,
        tree: ConversationTree,
        images: Mapping[str, bytes],
        attachments: Mapping[str, Attachment],
        result: ImportResult,
    ) -> None:
        conv = tree.conversation
        exists = (
            conn.execute("SELECT 1 FROM conversations WHERE id = ?", (conv.id,)).fetchone()
            is not None
        )
        if exists:
            result.conversations_skipped += 1
        else:
            conn.execute(
                "INSERT INTO conversations (id, title, title_auto, created, updated, pinned, "
                "model, system_prompt, selected_root_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    conv.id,
                    conv.title,
                    int(tree.title_auto),
                    to_ms(conv.created),
                    to_ms(conv.updated),
                    int(conv.pinned),
                    conv.model,
                    conv.system_prompt,
                    tree.selected_root,
                ),
            )
            result.conversations_added += 1
        added_parents: set[str | None] = set()
        for message in parents_first(tree.messages):
            owner = conn.execute(
                "SELECT conversation_id FROM messages WHERE id = ?", (message.id,)
            ).fetchone()
            if owner is not None:
                if owner[0] != conv.id:
                    raise StorageError(
                        f"Message {message.id} is already stored in another conversation "
                        f"({owner[0]}); nothing was imported."
                    )
                result.messages_skipped += 1
                continue
            cost_usd = None if message.cost_usd is None else str(message.cost_usd)
            conn.execute(
                _INSERT_MESSAGE,
                (
                    message.id,
                    conv.id,
                    message.parent_id,
                    tree.selected_child.get(message.id),
                    message.role.value,
                    message.content,
                    message.reasoning,
                    message.model,
                    message.status.value,
                    message.error,
                    to_ms(message.created),
                    *usage_values(message.usage),
                    cost_usd,
                    message.cost_source.value,
                ),
            )
            kept = []
            for att in message.attachments:
                data = images.get(att.sha256)
                meta = attachments.get(att.sha256, att)
                if data is not None:
                    if self._store_image(conn, meta, data):
                        result.images_added += 1
                elif (
                    conn.execute(
                        "SELECT 1 FROM attachments WHERE sha256 = ?", (att.sha256,)
                    ).fetchone()
                    is None
                ):
                    log.warning("image %s is not available; its link is dropped", att.sha256)
                    continue
                kept.append(att)
            self._link_attachments(conn, message.id, kept)
            record_usage(conn, message, replace=False)
            result.messages_added += 1
            added_parents.add(message.parent_id)
        if exists and added_parents:
            self._fill_missing_selection(conn, conv.id, added_parents)

    def _fill_missing_selection(
        self, conn: sqlite3.Connection, conversation_id: str, parents: set[str | None]
    ) -> None:
        """Messages merged into an existing conversation: a parent that showed nothing below
        it now shows its newest child."""
        for parent in parents:
            newest = conn.execute(
                "SELECT id FROM messages WHERE conversation_id = ? AND parent_id IS ? "
                "ORDER BY created DESC, seq DESC LIMIT 1",
                (conversation_id, parent),
            ).fetchone()
            if newest is None:
                continue
            if parent is None:
                conn.execute(
                    "UPDATE conversations SET selected_root_id = ? "
                    "WHERE id = ? AND selected_root_id IS NULL",
                    (newest[0], conversation_id),
                )
            else:
                conn.execute(
                    "UPDATE messages SET selected_child_id = ? "
                    "WHERE id = ? AND selected_child_id IS NULL",
                    (newest[0], parent),
                )


def parents_first(messages: Iterable[Message]) -> list[Message]:
    """Order messages so every parent comes before its children; otherwise by (created, id).
    Deterministic, so exports of the same data are byte-identical."""
    items = list(messages)
    ids = {m.id for m in items}
    children: dict[str, list[Message]] = {}
    ready: list[tuple[int, str, int]] = []
    for index, m in enumerate(items):
        if m.parent_id is not None and m.parent_id in ids:
            children.setdefault(m.parent_id, []).append(m)
        else:
            heapq.heappush(ready, (to_ms(m.created), m.id, index))
    position = {m.id: i for i, m in enumerate(items)}
    ordered: list[Message] = []
    while ready:
        _, mid, index = heapq.heappop(ready)
        ordered.append(items[index])
        for child in children.pop(mid, ()):
            heapq.heappush(ready, (to_ms(child.created), child.id, position[child.id]))
    if children:  # a cycle: cannot come from the store; keep the rest rather than lose it
        seen = {m.id for m in ordered}
        ordered += [m for m in items if m.id not in seen]
    return ordered
