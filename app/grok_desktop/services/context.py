"""What is sent as context: the stored conversation turned back into request messages."""

from __future__ import annotations

from collections.abc import Iterable

from grok_desktop.domain.content import ChatMessage, ImagePart, Role, user_message
from grok_desktop.domain.conversation import Message
from grok_desktop.storage.store import Store


def context_messages(store: Store, history: Iterable[Message]) -> list[ChatMessage]:
    """User and assistant turns of the current branch, with their images re-attached."""
    out: list[ChatMessage] = []
    for message in history:
        if message.role is Role.USER:
            images = [
                ImagePart(store.read_attachment(a.sha256), a.mime, a.detail)  # type: ignore[arg-type]
                for a in message.attachments
            ]
            out.append(user_message(message.content, images))
        elif message.role is Role.ASSISTANT and message.content:
            out.append(ChatMessage(Role.ASSISTANT, message.content))
    return out
