"""JSON export: one conversation, or the whole history as one backup file. Lossless.

Every branch, status, error, usage figure and cost is kept, and images travel inside the file
(base64, with their sha256). The text is canonical (sorted keys, fixed order of conversations,
messages and images, no volatile fields except the backup's `exported` time), so
export -> import -> export gives the same bytes.

    {"format": "grok-desktop-conversation", "version": 1, "conversation": {...}}
    {"format": "grok-desktop-backup", "version": 1, "exported": "...Z", "conversations": [...]}

Markdown (for reading and sharing, the branch shown only) is in `markdown.py`.
"""

from __future__ import annotations

import base64
import errno
import json
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from grok_desktop.domain.conversation import Attachment, Message
from grok_desktop.domain.usage import Usage
from grok_desktop.storage.attachments import write_atomic
from grok_desktop.storage.errors import ExportTargetError, NotFoundError
from grok_desktop.storage.records import ConversationTree
from grok_desktop.storage.store import Store
from grok_desktop.storage.timeutil import iso, to_ms, wall_ms

CONVERSATION_FORMAT = "grok-desktop-conversation"
BACKUP_FORMAT = "grok-desktop-backup"
FORMAT_VERSION = 1

Progress = Callable[[int, int], None]


def dumps(document: dict[str, Any]) -> str:
    """The canonical text of an export document."""
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def usage_to_dict(usage: Usage | None) -> dict[str, Any] | None:
    if usage is None:
        return None
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "reasoning_tokens": usage.reasoning_tokens,
        "cached_tokens": usage.cached_tokens,
        "image_tokens": usage.image_tokens,
        "total_tokens": usage.total_tokens,
        "cost_ticks": usage.cost_ticks,
    }


def message_to_dict(message: Message, selected_child: str | None) -> dict[str, Any]:
    return {
        "id": message.id,
        "parent_id": message.parent_id,
        "selected_child": selected_child,
        "role": message.role.value,
        "content": message.content,
        "reasoning": message.reasoning,
        "model": message.model,
        "status": message.status.value,
        "error": message.error,
        "created": iso(to_ms(message.created)),
        "usage": usage_to_dict(message.usage),
        "cost_usd": None if message.cost_usd is None else str(message.cost_usd),
        "cost_source": message.cost_source.value,
        "attachments": [{"sha256": a.sha256, "detail": a.detail} for a in message.attachments],
    }


def attachment_to_dict(attachment: Attachment, data: bytes) -> dict[str, Any]:
    return {
        "sha256": attachment.sha256,
        "mime": attachment.mime,
        "width": attachment.width,
        "height": attachment.height,
        "bytes": attachment.bytes,
        "data": base64.b64encode(data).decode("ascii"),
    }


def tree_to_dict(
    tree: ConversationTree, read_image: Callable[[Attachment], bytes]
) -> dict[str, Any]:
    conv = tree.conversation
    images: dict[str, Attachment] = {}
    for message in tree.messages:
        for att in message.attachments:
            images.setdefault(att.sha256, att)
    return {
        "id": conv.id,
        "title": conv.title,
        "title_auto": tree.title_auto,
        "created": iso(to_ms(conv.created)),
        "updated": iso(to_ms(conv.updated)),
        "pinned": conv.pinned,
        "model": conv.model,
        "system_prompt": conv.system_prompt,
        "selected_root": tree.selected_root,
        "messages": [message_to_dict(m, tree.selected_child.get(m.id)) for m in tree.messages],
        "attachments": [
            attachment_to_dict(images[sha], read_image(images[sha])) for sha in sorted(images)
        ],
    }


def conversation_dict(store: Store, conversation_id: str) -> dict[str, Any]:
    """One conversation as export data (all branches, images inline). A missing image file
    raises NotFoundError: an export that silently lacks images would not be a backup."""
    return tree_to_dict(store.load_tree(conversation_id), store.read_attachment)


def conversation_json(store: Store, conversation_id: str) -> str:
    return dumps(
        {
            "format": CONVERSATION_FORMAT,
            "version": FORMAT_VERSION,
            "conversation": conversation_dict(store, conversation_id),
        }
    )


def backup_document(
    store: Store, now: datetime | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    """Every conversation, oldest first. Each is read under its own short lock, so the app
    stays responsive while a large history is exported from the worker thread."""
    ids = store.conversation_ids()
    conversations: list[dict[str, Any]] = []
    for index, cid in enumerate(ids):
        try:
            conversations.append(conversation_dict(store, cid))
        except NotFoundError:
            if store.get_conversation(cid) is not None:
                raise  # an image file is missing
            # deleted meanwhile: not part of the backup
        if progress is not None:
            progress(index + 1, len(ids))
    conversations.sort(key=lambda c: (c["created"], c["id"]))
    return {
        "format": BACKUP_FORMAT,
        "version": FORMAT_VERSION,
        "exported": iso(wall_ms() if now is None else to_ms(now)),
        "conversations": conversations,
    }


def backup_json(store: Store, now: datetime | None = None) -> str:
    return dumps(backup_document(store, now))


def check_target(path: Path) -> None:
    """Raise ExportTargetError unless `path` can be an export file: its folder must exist
    (nothing creates it: a typo in the folder name must not make new folders) and the path
    must not be a folder."""
    folder = path.parent
    if not folder.exists():
        raise ExportTargetError(path, f"the folder {folder} does not exist")
    if not folder.is_dir():
        raise ExportTargetError(path, f"{folder} is not a folder")
    if path.is_dir():
        raise ExportTargetError(path, "it is a folder")


def _target_reason(exc: OSError, folder: Path) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied in {folder}"
    if exc.errno == errno.EROFS:
        return f"{folder} is on a read-only file system"
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno == errno.ENOENT:
        return f"files cannot be created in {folder}"
    return exc.strerror or str(exc)


def write_text_atomic(path: Path, text: str, *, private: bool = True) -> None:
    """Write a whole file or nothing (an interrupted export never leaves half a file).
    `private` files (history backups) are readable by their owner only. The folder must
    exist; any failure raises ExportTargetError (the message names the file and the cause)."""
    check_target(path)
    try:
        write_atomic(path, text.encode("utf-8"))
        if private and os.name == "posix":
            path.chmod(0o600)
    except OSError as exc:
        raise ExportTargetError(path, _target_reason(exc, path.parent)) from exc


def write_backup(
    store: Store, path: Path, now: datetime | None = None, progress: Progress | None = None
) -> int:
    """Write the whole history to `path`; returns the number of conversations."""
    document = backup_document(store, now, progress)
    write_text_atomic(path, dumps(document))
    return len(document["conversations"])


def write_conversation_json(store: Store, conversation_id: str, path: Path) -> None:
    write_text_atomic(path, conversation_json(store, conversation_id))
