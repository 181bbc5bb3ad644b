"""Conversation titles asked of the model (setting `model_titles`, off by default): one small
extra call after the first answer. The title made from the first message stays if the call
fails or the user renamed the conversation meanwhile."""

from __future__ import annotations

from grok_desktop.api.client import XaiClient
from grok_desktop.api.errors import XaiError
from grok_desktop.domain.content import ChatRequest, user_message
from grok_desktop.domain.titles import MAX_TITLE, title_from_text

PROMPT = (
    "Write a title of at most six words for a conversation that begins with the message "
    "below. Answer with the title only: no quotes, no final punctuation.\n\n{text}"
)


def clean_title(answer: str) -> str | None:
    title = title_from_text(answer.strip().strip("\"'“”‘’").rstrip("."), limit=MAX_TITLE)
    return None if not answer.strip() else title


async def model_title(client: XaiClient, model: str, first_message: str) -> str | None:
    request = ChatRequest(
        model=model,
        messages=(user_message(PROMPT.format(text=first_message[:2000])),),
        max_completion_tokens=32,
    )
    try:
        done = await client.complete(request)
    except XaiError:
        return None
    return clean_title(done.content)
