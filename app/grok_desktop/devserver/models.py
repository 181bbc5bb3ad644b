"""The model table of the dev server: ids, aliases, prices, modalities, retirement."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import KW_ONLY, dataclass
from typing import Any, Literal

Reasoning = Literal["none", "hidden", "visible"]

#: `search_price` of every /v1/language-models entry (as in the [OAS] example).
SEARCH_PRICE = 250_000_000


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """One model. Prices are US cents per 100 million tokens (30000 = $3.00 per million).

    `reasoning`: "none" (plain answer), "hidden" (empty `{"delta":{}}` chunks before the
    content, grok-4 style) or "visible" (streamed `reasoning_content`, grok-3-mini style).
    A `retired` date (ISO) makes the model answer the 404 deprecation body and hides it from
    the listings.
    """

    id: str
    created: int
    _: KW_ONLY
    input_modalities: tuple[str, ...] = ("text",)
    aliases: tuple[str, ...] = ()
    prompt_price: int = 0
    cached_price: int = 0
    completion_price: int = 0
    image_price: int = 0
    reasoning: Reasoning = "none"
    retired: str | None = None
    replacement: str | None = None

    @property
    def fingerprint(self) -> str:
        """A stable `system_fingerprint` for this model: "fp_" + 10 hex digits."""
        return "fp_" + hashlib.sha256(self.id.encode()).hexdigest()[:10]

    @property
    def accepts_images(self) -> bool:
        return "image" in self.input_modalities

    def model_entry(self) -> dict[str, Any]:
        """The /v1/models entry."""
        return {"id": self.id, "created": self.created, "object": "model", "owned_by": "xai"}

    def language_model_entry(self) -> dict[str, Any]:
        """The /v1/language-models entry (field order as in xAI's OpenAPI example)."""
        return {
            "id": self.id,
            "fingerprint": self.fingerprint,
            "created": self.created,
            "object": "model",
            "owned_by": "xai",
            "version": "1.0",
            "input_modalities": list(self.input_modalities),
            "output_modalities": ["text"],
            "prompt_text_token_price": self.prompt_price,
            "cached_prompt_text_token_price": self.cached_price,
            "prompt_image_token_price": self.image_price,
            "completion_text_token_price": self.completion_price,
            "search_price": SEARCH_PRICE,
            "aliases": list(self.aliases),
        }


_TEXT_IMAGE = ("text", "image")

DEFAULT_MODELS: tuple[ModelSpec, ...] = (
    ModelSpec(
        "grok-4.3",
        1777593600,  # 2026-05-01
        input_modalities=_TEXT_IMAGE,
        prompt_price=30000,
        cached_price=7500,
        completion_price=150000,
        image_price=30000,
        reasoning="hidden",
    ),
    ModelSpec(
        "grok-4.20-0309-reasoning",
        1773014400,  # 2026-03-09
        input_modalities=_TEXT_IMAGE,
        prompt_price=20000,
        cached_price=5000,
        completion_price=50000,
        reasoning="hidden",
    ),
    ModelSpec(
        "grok-4.20-0309-non-reasoning",
        1773014400,
        input_modalities=_TEXT_IMAGE,
        prompt_price=20000,
        cached_price=5000,
        completion_price=50000,
        reasoning="none",
    ),
    ModelSpec(
        "grok-3-mini",
        1743724800,  # 2025-04-04
        aliases=("grok-3-mini-latest",),
        prompt_price=3000,
        cached_price=750,
        completion_price=5000,
        reasoning="visible",
    ),
    ModelSpec(
        "grok-code-fast-1",
        1756166400,  # 2025-08-26
        prompt_price=2000,
        cached_price=200,
        completion_price=15000,
        reasoning="visible",
    ),
    # Retired: answered with the 404 deprecation body only, never listed.
    ModelSpec(
        "grok-4-0709",
        1752019200,
        input_modalities=_TEXT_IMAGE,
        aliases=("grok-4", "grok-4-latest"),
        prompt_price=30000,
        cached_price=7500,
        completion_price=150000,
        reasoning="hidden",
        retired="2026-05-15",
        replacement="grok-4.3",
    ),
    ModelSpec(
        "grok-4-fast-reasoning",
        1758240000,
        input_modalities=_TEXT_IMAGE,
        aliases=("grok-4-fast",),
        prompt_price=2000,
        cached_price=500,
        completion_price=5000,
        reasoning="hidden",
        retired="2026-05-15",
        replacement="grok-4.3",
    ),
    ModelSpec(
        "grok-3",
        1743724800,
        aliases=("grok-3-latest", "grok-3-beta"),
        prompt_price=30000,
        cached_price=7500,
        completion_price=150000,
        retired="2026-05-15",
        replacement="grok-4.3",
    ),
    ModelSpec(
        "grok-beta",
        1730419200,
        prompt_price=50000,
        completion_price=150000,
        retired="2025-09-15",
        replacement="grok-4.3",
    ),
)


class ModelTable:
    """Looks models up by id or alias."""

    def __init__(self, models: Iterable[ModelSpec]) -> None:
        self.models: tuple[ModelSpec, ...] = tuple(models)
        self._by_name: dict[str, ModelSpec] = {}
        for spec in self.models:
            for name in (spec.id, *spec.aliases):
                self._by_name.setdefault(name, spec)

    def find(self, name: str) -> ModelSpec | None:
        """The model called `name` (id or alias), retired or not; None if unknown."""
        return self._by_name.get(name)

    @property
    def active(self) -> tuple[ModelSpec, ...]:
        return tuple(m for m in self.models if m.retired is None)
