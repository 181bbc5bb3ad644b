"""Reading a chat request: validation, the last user message, prompt token counts."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from grok_desktop.devserver.images import ImagePart

#: Prompt tokens charged per image (xAI publishes no formula; any fixed number will do).
IMAGE_TOKENS = 256


class BodyError(ValueError):
    """The body does not deserialize (axum answers 422 with this text)."""


@dataclass(frozen=True, slots=True)
class ChatRequest:
    model: str
    messages: list[dict[str, Any]]
    stream: bool
    include_usage: bool
    max_tokens: int | None
    has_search_parameters: bool
    raw: dict[str, Any]

    @property
    def image_count(self) -> int:
        return sum(len(message_images(m)) for m in self.messages)

    def last_user(self) -> dict[str, Any] | None:
        users = [m for m in self.messages if m.get("role") == "user"]
        return users[-1] if users else None


def _position(text: str) -> str:
    """serde's "at line L column C" for the end of `text`."""
    line = text.count("\n") + 1
    column = len(text) - (text.rfind("\n") + 1)
    return f"at line {line} column {column}"


def parse_chat_body(raw: bytes) -> ChatRequest:
    """Parse the body of POST /v1/chat/completions; BodyError says what axum would say."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyError(f"invalid UTF-8 at byte {exc.start}") from exc
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BodyError(f"expected value at line {exc.lineno} column {exc.colno}") from exc
    where = _position(text.rstrip())
    if not isinstance(body, dict):
        raise BodyError(f"invalid type: expected struct ChatRequest {where}")
    for field in ("model", "messages"):
        if field not in body:
            raise BodyError(f"missing field `{field}` {where}")
    if not isinstance(body["model"], str):
        raise BodyError(f"model: invalid type: expected a string {where}")
    messages = body["messages"]
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        raise BodyError(f"messages: invalid type: expected a sequence of messages {where}")
    for i, message in enumerate(messages):
        if "role" not in message:
            raise BodyError(f"messages[{i}]: missing field `role` {where}")
    options = body.get("stream_options")
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    return ChatRequest(
        model=body["model"],
        messages=messages,
        stream=body.get("stream") is True,
        include_usage=isinstance(options, dict) and options.get("include_usage") is True,
        max_tokens=max_tokens if isinstance(max_tokens, int) and max_tokens >= 0 else None,
        has_search_parameters=body.get("search_parameters") is not None,
        raw=body,
    )


def message_text(message: dict[str, Any]) -> str:
    """The text of a message: a string content, or its text parts joined by newlines."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [
            p["text"]
            for p in content
            if isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("text"), str)
        ]
        return "\n".join(texts)
    return ""


def message_images(message: dict[str, Any]) -> list[ImagePart]:
    content = message.get("content")
    if not isinstance(content, list):
        return []
    images = []
    for part in content:
        if not isinstance(part, dict) or part.get("type") != "image_url":
            continue
        image = part.get("image_url")
        if isinstance(image, str):
            images.append(ImagePart(image))
        elif isinstance(image, dict) and isinstance(image.get("url"), str):
            detail = image.get("detail")
            images.append(ImagePart(image["url"], detail if isinstance(detail, str) else "auto"))
    return images


def text_tokens(text: str) -> int:
    """Prompt tokens of one message's text: ceil(characters / 4)."""
    return math.ceil(len(text) / 4)
