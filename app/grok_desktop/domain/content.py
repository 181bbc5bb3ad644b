"""What a chat message is made of, as the API sees it: text and image parts.

These are the request-side shapes. They are plain data so that storage, the CLI and the UI can
all build them without knowing the wire format; `api.wire` turns them into JSON.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

Detail = Literal["auto", "low", "high"]
DETAILS: tuple[Detail, ...] = ("auto", "low", "high")


class Role(StrEnum):
    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"


@dataclass(frozen=True, slots=True)
class TextPart:
    text: str


@dataclass(frozen=True, slots=True)
class ImagePart:
    """An image ready to send: already encoded (PNG or JPEG) and within the API's limits."""

    data: bytes = field(repr=False)
    mime: str
    detail: Detail = "auto"

    def data_uri(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"


Part = TextPart | ImagePart


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One message of a request. `content` is a plain string or a list of parts."""

    role: Role
    content: str | tuple[Part, ...]

    @property
    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        return "".join(p.text for p in self.content if isinstance(p, TextPart))

    @property
    def images(self) -> tuple[ImagePart, ...]:
        if isinstance(self.content, str):
            return ()
        return tuple(p for p in self.content if isinstance(p, ImagePart))


def user_message(text: str, images: tuple[ImagePart, ...] | list[ImagePart] = ()) -> ChatMessage:
    """A user message: plain text, or parts when images come along (images first, as users
    usually refer to "this screenshot")."""
    if not images:
        return ChatMessage(Role.USER, text)
    parts: list[Part] = list(images)
    if text:
        parts.append(TextPart(text))
    return ChatMessage(Role.USER, tuple(parts))


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """Everything needed for one chat completion call."""

    model: str
    messages: tuple[ChatMessage, ...]
    temperature: float | None = None
    max_completion_tokens: int | None = None
    reasoning_effort: Literal["low", "high"] | None = None
