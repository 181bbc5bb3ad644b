"""Whether a request would carry images: the ones waiting in the pane are not the only ones.

Every request sends the whole branch again (`services.context.context_messages`), images
included, so a conversation that once had an image cannot go on with a text-only model: the
API refuses it ("Model grok-3-mini does not support image inputs"). The UI asks here first,
before Send, Regenerate, Retry, Continue and Edit, and offers a model that can see images.
"""

from __future__ import annotations

from grok_desktop.domain.content import Role
from grok_desktop.storage.errors import StorageError
from grok_desktop.storage.store import Store


def images_in_context(
    store: Store, conversation_id: str | None = None, message_id: str | None = None
) -> int:
    """How many images the next request would send again: those of the user messages on the
    branch down to `message_id` (the message regenerated, retried, continued or edited), or
    down to the end of the branch shown when only `conversation_id` is given. 0 for a new
    chat, and for an id that is not (or no longer) in the history."""
    try:
        if message_id is not None:
            message = store.get_message(message_id)
            if message is None:
                return 0
            path = store.branch_path(message.conversation_id, message_id)
        elif conversation_id is not None:
            path = store.branch_path(conversation_id)
        else:
            return 0
    except StorageError:
        return 0
    return sum(len(m.attachments) for m in path if m.role is Role.USER)
