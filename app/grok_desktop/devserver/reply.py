"""What the dev server answers to one chat request: text, reasoning, token counts, cost."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass

from grok_desktop.devserver.images import describe_image
from grok_desktop.devserver.models import ModelSpec
from grok_desktop.devserver.prompt import (
    IMAGE_TOKENS,
    ChatRequest,
    message_images,
    message_text,
    text_tokens,
)
from grok_desktop.devserver.script import Script

#: A "token": a run of non-space characters with its trailing space, or leading space alone.
#: Joining the tokens gives the text back exactly.
TOKEN_RE = re.compile(r"\S+\s*|\s+")

DEFAULT_REASONING = "Thinking about it."
DEFAULT_HIDDEN_REASONING = 3


def tokenize(text: str) -> list[str]:
    return TOKEN_RE.findall(text)


def group(tokens: list[str], size: int) -> list[str]:
    """Join `size` tokens per chunk."""
    if size == 1:
        return list(tokens)
    return ["".join(tokens[i : i + size]) for i in range(0, len(tokens), size)]


def group_sizes(count: int, size: int) -> list[int]:
    """How many tokens each chunk of `group(tokens, size)` holds."""
    full, rest = divmod(count, size)
    return [size] * full + ([rest] if rest else [])


@dataclass(frozen=True, slots=True)
class Counts:
    """Token counts (xAI style: completion EXCLUDES reasoning)."""

    prompt: int
    image: int
    cached: int
    completion: int
    reasoning: int

    @property
    def text(self) -> int:
        return self.prompt - self.image

    @property
    def total(self) -> int:
        return self.prompt + self.completion + self.reasoning


def cost_in_usd_ticks(spec: ModelSpec, counts: Counts) -> int:
    """The exact cost in ticks (1 USD = 1e10 ticks).

    Prices are US cents per 100M tokens, so tokens * price is in "cent-tokens" and
    USD = cent_tokens / 100 (cents per dollar) / 1e8 (tokens per price unit) = cent_tokens / 1e10.
    ticks = USD * 1e10 = cent_tokens: no division at all, the result is an exact integer.
    Check against xAI's grok-3-mini capture (12 prompt, 11 cached, 1 completion, 290
    reasoning; prices 3000/750/5000): 1*3000 + 11*750 + 291*5000 = 1466250 ticks, as reported.
    """
    image_price = spec.image_price or spec.prompt_price
    return (
        (counts.text - counts.cached) * spec.prompt_price
        + counts.cached * spec.cached_price
        + counts.image * image_price
        + (counts.completion + counts.reasoning) * spec.completion_price
    )


@dataclass(frozen=True, slots=True)
class Reply:
    id: str
    created: int
    spec: ModelSpec
    script: Script
    content: list[str]  # chunk texts
    reasoning: list[str]  # chunk texts (visible reasoning)
    content_sizes: list[int]  # tokens per content chunk
    reasoning_sizes: list[int]  # tokens per reasoning chunk
    hidden: int
    finish_reason: str
    counts: Counts

    @property
    def text(self) -> str:
        return "".join(self.content)

    @property
    def reasoning_text(self) -> str:
        return "".join(self.reasoning)

    @property
    def cost_ticks(self) -> int:
        return cost_in_usd_ticks(self.spec, self.counts)


def default_answer(request: ChatRequest, user_text: str) -> str:
    """`You said: <text>` plus one line per image of the last user message."""
    lines = [f"You said: {user_text}"]
    last = request.last_user()
    if last is not None:
        for i, part in enumerate(message_images(last), start=1):
            lines.append(describe_image(i, part))
    return "\n".join(lines)


def _chunks(text: str, size: int) -> tuple[list[str], list[int]]:
    tokens = tokenize(text)
    return group(tokens, size), group_sizes(len(tokens), size)


def build_reply(
    request: ChatRequest, spec: ModelSpec, script: Script, user_text: str | None = None
) -> Reply:
    """Plan the whole reply. `user_text` is the last user text with any directive removed."""
    last = request.last_user()
    if user_text is None:
        user_text = message_text(last) if last is not None else ""
    answer = script.text if script.text is not None else default_answer(request, user_text)
    answer_tokens = tokenize(answer)
    finish_reason = "stop"
    if request.max_tokens is not None and len(answer_tokens) > request.max_tokens:
        answer_tokens = answer_tokens[: request.max_tokens]
        finish_reason = "length"
    size = script.chunk_tokens
    content = group(answer_tokens, size)
    content_sizes = group_sizes(len(answer_tokens), size)

    reasoning_text = script.reasoning
    if reasoning_text is None:
        reasoning_text = DEFAULT_REASONING if spec.reasoning == "visible" else ""
    reasoning, reasoning_sizes = _chunks(reasoning_text, size)
    hidden = script.hidden_reasoning
    if hidden is None:
        hidden = DEFAULT_HIDDEN_REASONING if spec.reasoning == "hidden" else 0

    prompt_text = 0
    for message in request.messages:
        text = user_text if message is last else message_text(message)
        prompt_text += text_tokens(text)
    image = IMAGE_TOKENS * request.image_count
    counts = Counts(
        prompt=prompt_text + image,
        image=image,
        cached=max(0, min(script.cached_tokens, prompt_text)),
        completion=len(answer_tokens),
        reasoning=sum(reasoning_sizes) + hidden,
    )
    return Reply(
        id=f"{uuid.uuid4()}_us-east-1",
        created=int(time.time()),
        spec=spec,
        script=script,
        content=content,
        reasoning=reasoning,
        content_sizes=content_sizes,
        reasoning_sizes=reasoning_sizes,
        hidden=hidden,
        finish_reason=finish_reason,
        counts=counts,
    )
