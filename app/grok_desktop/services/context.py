"""What is sent as context: the stored conversation turned back into request messages.

The branch shown reads like the conversation did (a question, a failed reply, the next
question), but what is sent back to the model leaves failed replies, replies still streaming and
empty stopped ones out (`storage.messages.usable_as_context`). A failed reply that was then
continued ("Continue") is the exception: its partial text is what the continuation picks up.
"""

from __future__ import annotations

from collections.abc import Iterable

from grok_desktop.domain.content import ChatMessage, ImagePart, Role, user_message
from grok_desktop.domain.conversation import Message
from grok_desktop.storage.messages import usable_as_context
from grok_desktop.storage.store import Store

CONTINUE_PROMPT = "Continue exactly where your previous answer stopped."


def context_messages(store: Store, history: Iterable[Message]) -> list[ChatMessage]:
    """User and assistant turns of the current branch, with their images re-attached."""
    items = list(history)
    out: list[ChatMessage] = []
    for index, message in enumerate(items):
        if message.role is Role.USER:
            images = [
                ImagePart(store.read_attachment(a.sha256), a.mime, a.detail)  # type: ignore[arg-type]
                for a in message.attachments
            ]
            out.append(user_message(message.content, images))
        elif (
            message.role is Role.ASSISTANT
            and message.content
            and (usable_as_context(message) or _continued(items, index))
        ):
            out.append(ChatMessage(Role.ASSISTANT, message.content))
    return out


def _continued(items: list[Message], index: int) -> bool:
    following = items[index + 1] if index + 1 < len(items) else None
    return (
        following is not None
        and following.role is Role.USER
        and following.content == CONTINUE_PROMPT
    )
