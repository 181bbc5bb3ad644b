"""Money: from token usage to US dollars, exactly (Decimal, never float).

Prices come from /v1/language-models in **US cents per 100 million tokens** (30000 = $3.00 per
million). When the server reports `cost_in_usd_ticks` we trust it over our own arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from grok_desktop.domain.usage import TICKS_PER_USD, Usage

_CENTS_PER_USD = Decimal(100)
_PRICE_UNIT_TOKENS = Decimal(100_000_000)


class CostSource(StrEnum):
    SERVER = "server"  # usage.cost_in_usd_ticks
    PRICE_LIST = "price_list"  # computed from /v1/language-models
    UNKNOWN = "unknown"  # no price known: show tokens and "cost unknown"


@dataclass(frozen=True, slots=True)
class ModelPrice:
    """Prices of one model in US cents per 100 million tokens."""

    prompt: int
    cached_prompt: int
    completion: int
    image: int = 0

    @classmethod
    def from_language_model(cls, raw: Mapping[str, Any]) -> ModelPrice | None:
        prompt = raw.get("prompt_text_token_price")
        completion = raw.get("completion_text_token_price")
        if not isinstance(prompt, int) or not isinstance(completion, int):
            return None
        cached = raw.get("cached_prompt_text_token_price")
        image = raw.get("prompt_image_token_price")
        return cls(
            prompt=prompt,
            cached_prompt=cached if isinstance(cached, int) else prompt,
            completion=completion,
            image=image if isinstance(image, int) and image > 0 else prompt,
        )

    def usd_per_million(self, field: str) -> Decimal:
        return Decimal(getattr(self, field)) / _CENTS_PER_USD / 100


@dataclass(frozen=True, slots=True)
class Cost:
    usd: Decimal | None
    source: CostSource

    @property
    def known(self) -> bool:
        return self.usd is not None


UNKNOWN_COST = Cost(None, CostSource.UNKNOWN)


def cost_of(usage: Usage, price: ModelPrice | None) -> Cost:
    """The cost of one reply.

    Uncached prompt text at the prompt price, cached tokens at the cached price, image tokens
    at the image price, completion and reasoning tokens at the completion price.
    """
    if usage.cost_ticks is not None:
        return Cost(Decimal(usage.cost_ticks) / TICKS_PER_USD, CostSource.SERVER)
    if price is None:
        return UNKNOWN_COST
    cached = min(usage.cached_tokens, usage.prompt_tokens)
    images = min(usage.image_tokens, usage.prompt_tokens - cached)
    uncached_text = usage.prompt_tokens - cached - images
    cents_x_tokens = (
        uncached_text * price.prompt
        + cached * price.cached_prompt
        + images * price.image
        + usage.output_tokens * price.completion
    )
    usd = Decimal(cents_x_tokens) / _PRICE_UNIT_TOKENS / _CENTS_PER_USD
    return Cost(usd, CostSource.PRICE_LIST)


def format_usd(usd: Decimal | None) -> str:
    """Dollars for people: cents for normal amounts, more digits for tiny ones."""
    if usd is None:
        return "cost unknown"
    if usd == 0:
        return "$0.00"
    if usd < Decimal("0.01"):
        return f"${usd:.4f}" if usd >= Decimal("0.0001") else f"${usd:.6f}"
    return f"${usd:,.2f}"
