"""What we know of a model: its id, what it accepts, its price; and how to pick one.

xAI retires model ids (grok-4-0709, grok-4-fast and grok-3 went on 2026-05-15), so nothing
here hard-wires an id: the default is chosen from what /v1/models and /v1/language-models list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from grok_desktop.domain.pricing import ModelPrice


@dataclass(frozen=True, slots=True)
class LanguageModel:
    id: str
    created: int = 0
    input_modalities: tuple[str, ...] = ("text",)
    output_modalities: tuple[str, ...] = ("text",)
    aliases: tuple[str, ...] = ()
    price: ModelPrice | None = None

    @property
    def accepts_images(self) -> bool:
        return "image" in self.input_modalities

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> LanguageModel:
        return cls(
            id=str(raw["id"]),
            created=int(raw.get("created") or 0),
            input_modalities=tuple(raw.get("input_modalities") or ("text",)),
            output_modalities=tuple(raw.get("output_modalities") or ("text",)),
            aliases=tuple(raw.get("aliases") or ()),
            price=ModelPrice.from_language_model(raw),
        )

    def answers_to(self, name: str) -> bool:
        return name == self.id or name in self.aliases


_CHAT_ID = re.compile(r"^grok-")
_NOT_CHAT = ("image", "imagine", "video", "embed", "vision-beta")


def is_chat_model(model: LanguageModel) -> bool:
    return (
        bool(_CHAT_ID.match(model.id))
        and "text" in model.output_modalities
        and not any(word in model.id for word in _NOT_CHAT)
    )


def pick_default_model(models: Iterable[LanguageModel]) -> str | None:
    """The newest Grok chat model; ties go to one that also accepts images, then the
    general-purpose one (code models last)."""
    chat = [m for m in models if is_chat_model(m)]
    if not chat:
        return None

    def key(m: LanguageModel) -> tuple[int, int, int, str]:
        return (m.created, int("code" not in m.id), int(m.accepts_images), m.id)

    return max(chat, key=key).id


def find_model(models: Iterable[LanguageModel], name: str) -> LanguageModel | None:
    for m in models:
        if m.answers_to(name):
            return m
    return None
