"""Conversation titles asked of the model (setting `model_titles`, off by default): one small
extra call after the first answer. The title made from the first message stays if the call
fails or the user renamed the conversation meanwhile.

The call costs tokens like any other: `ask_title` returns its usage with the title, and
`record_title` stores both (the usage in the ledger, so the totals of `grok-desktop usage`
and of the app's usage meter include it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from grok_desktop.api.errors import XaiError
from grok_desktop.domain.content import ChatRequest, user_message
from grok_desktop.domain.pricing import Cost, ModelPrice, cost_of
from grok_desktop.domain.titles import MAX_TITLE, title_from_text
from grok_desktop.domain.usage import Usage
from grok_desktop.storage.store import Store

if TYPE_CHECKING:
    from grok_desktop.api.client import XaiClient

PROMPT = (
    "Write a title of at most six words for a conversation that begins with the message "
    "below. Answer with the title only: no quotes, no final punctuation.\n\n{text}"
)


@dataclass(frozen=True, slots=True)
class TitleAnswer:
    title: str | None  # None: the answer was empty
    model: str
    usage: Usage | None

    def cost(self, price: ModelPrice | None) -> Cost | None:
        return None if self.usage is None else cost_of(self.usage, price)


def clean_title(answer: str) -> str | None:
    title = title_from_text(answer.strip().strip("\"'“”‘’").rstrip("."), limit=MAX_TITLE)
    return None if not answer.strip() else title


async def ask_title(client: XaiClient, model: str, first_message: str) -> TitleAnswer | None:
    """The model's title and what the call used; None when the call failed."""
    request = ChatRequest(
        model=model,
        messages=(user_message(PROMPT.format(text=first_message[:2000])),),
        max_completion_tokens=32,
    )
    try:
        done = await client.complete(request)
    except XaiError:
        return None
    return TitleAnswer(clean_title(done.content), done.model or model, done.usage)


async def model_title(client: XaiClient, model: str, first_message: str) -> str | None:
    answer = await ask_title(client, model, first_message)
    return None if answer is None else answer.title


def record_title(
    store: Store, conversation_id: str, answer: TitleAnswer, price: ModelPrice | None
) -> Cost | None:
    """Count the call's usage, then set the title if it is still automatic. Returns the
    call's cost (None when the server reported no usage). Raises StorageError."""
    cost = answer.cost(price)
    with store.atomic():
        if answer.usage is not None:
            store.record_title_usage(conversation_id, answer.model, answer.usage, cost)
        if answer.title:
            store.set_auto_title(conversation_id, answer.title)
    return cost
