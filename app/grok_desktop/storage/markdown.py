"""A conversation as Markdown, for reading and sharing: the branch shown, with reasoning folded
away, statuses spelled out, usage and cost per reply.

Images are either written into a folder beside the .md file and linked (`images="folder"`,
the default of `write_markdown`) or embedded as data URIs (`images="inline"`: one
self-contained file, larger, and not every Markdown viewer shows it).
"""

from __future__ import annotations

import base64
from datetime import datetime
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from grok_desktop.domain.content import Role
from grok_desktop.domain.conversation import Attachment, Message, MessageStatus
from grok_desktop.domain.pricing import format_usd
from grok_desktop.storage.attachments import image_name, write_atomic
from grok_desktop.storage.errors import NotFoundError, translate
from grok_desktop.storage.export import write_text_atomic
from grok_desktop.storage.store import Store

ImageMode = Literal["inline", "folder"]

_STATUS_NOTES = {
    MessageStatus.STREAMING: "*Still being written when exported.*",
    MessageStatus.INTERRUPTED: "*Interrupted (the app closed) — partial answer.*",
    MessageStatus.CANCELLED: "*Stopped — partial answer.*",
}


def _when(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M %Z").strip()


def _speaker(message: Message) -> str:
    if message.role is Role.USER:
        return "You"
    if message.role is Role.SYSTEM:
        return "System"
    return f"Grok ({message.model})" if message.model else "Grok"


def _fence(text: str) -> str:
    """A code fence longer than any backtick run inside `text`."""
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)


def conversation_markdown(
    store: Store,
    conversation_id: str,
    images: ImageMode = "inline",
    image_dir: Path | None = None,
    image_link_prefix: str = "",
) -> str:
    """Markdown text. With images="folder", image files are copied into `image_dir` and linked
    as `image_link_prefix + file name`."""
    if images == "folder" and image_dir is None:
        raise ValueError("images='folder' needs image_dir")
    conversation = store.get_conversation(conversation_id)
    if conversation is None:
        raise NotFoundError(f"There is no conversation with id {conversation_id!r}.")
    path = store.branch_path(conversation_id)
    lines = [f"# {conversation.title}", ""]
    lines.append(f"- Conversation: `{conversation.id}`")
    lines.append(f"- Started: {_when(conversation.created)} · Last: {_when(conversation.updated)}")
    if conversation.model:
        lines.append(f"- Model: {conversation.model}")
    if conversation.system_prompt:
        lines.append("- System prompt:")
        lines.append("")
        lines += ["  > " + line for line in conversation.system_prompt.splitlines()]
    lines.append("")
    for message in path:
        lines += ["---", "", f"### {_speaker(message)} · {_when(message.created)}", ""]
        if message.reasoning.strip():
            fence = _fence(message.reasoning)
            lines += ["<details><summary>Reasoning</summary>", "", fence + "text"]
            lines += [message.reasoning.rstrip(), fence, "", "</details>", ""]
        if message.content:
            lines += [message.content.rstrip(), ""]
        for index, att in enumerate(message.attachments, start=1):
            target = _image_target(store, att, images, image_dir, image_link_prefix)
            lines += [f"![image {index} ({att.width}×{att.height})]({target})", ""]
        note = _STATUS_NOTES.get(message.status)
        if message.status is MessageStatus.ERROR:
            note = f"*Failed: {message.error or 'unknown error'} — partial answer.*"
        if note:
            lines += [note, ""]
        if message.usage is not None:
            lines += [
                f"*{message.usage.total_tokens:,} tokens · {format_usd(message.cost_usd)}*",
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"


def _image_target(
    store: Store, att: Attachment, images: ImageMode, image_dir: Path | None, prefix: str
) -> str:
    data = store.read_attachment(att)
    if images == "inline":
        return f"data:{att.mime};base64,{base64.b64encode(data).decode('ascii')}"
    assert image_dir is not None
    name = image_name(att.sha256, att.mime)
    target = image_dir / name
    try:
        image_dir.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            write_atomic(target, data)
    except OSError as exc:
        raise translate(exc, target) from exc
    return quote(prefix + name)


def write_markdown(
    store: Store, conversation_id: str, path: Path, images: ImageMode = "folder"
) -> Path:
    """Write `path`; with images="folder" the images go to `<stem>_images/` beside it."""
    image_dir = path.with_name(path.stem + "_images")
    text = conversation_markdown(
        store, conversation_id, images, image_dir, image_link_prefix=image_dir.name + "/"
    )
    write_text_atomic(path, text, private=False)
    return path
