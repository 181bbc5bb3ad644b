"""Token usage of one reply, normalised from the API's usage object.

xAI counts reasoning tokens OUTSIDE `completion_tokens` (total = prompt + completion +
reasoning), and reports `cached_tokens` and `image_tokens` as parts of `prompt_tokens`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

TICKS_PER_USD = 10_000_000_000


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    cached_tokens: int = 0
    image_tokens: int = 0
    total_tokens: int = 0
    #: `cost_in_usd_ticks` when the server reported it (1 USD = 1e10 ticks).
    cost_ticks: int | None = None

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Usage:
        """Read a chat-completions usage object; missing or null fields count as 0."""
        prompt_details = raw.get("prompt_tokens_details") or {}
        completion_details = raw.get("completion_tokens_details") or {}
        prompt = _int(raw.get("prompt_tokens"))
        completion = _int(raw.get("completion_tokens"))
        reasoning = _int(completion_details.get("reasoning_tokens"))
        total = _int(raw.get("total_tokens")) or prompt + completion + reasoning
        ticks = raw.get("cost_in_usd_ticks")
        return cls(
            prompt_tokens=prompt,
            completion_tokens=completion,
            reasoning_tokens=reasoning,
            cached_tokens=_int(prompt_details.get("cached_tokens")),
            image_tokens=_int(prompt_details.get("image_tokens")),
            total_tokens=total,
            cost_ticks=int(ticks) if isinstance(ticks, int | float) else None,
        )

    @property
    def output_tokens(self) -> int:
        """Tokens billed at the completion price: visible completion plus hidden reasoning."""
        return self.completion_tokens + self.reasoning_tokens

    def __add__(self, other: Usage) -> Usage:
        ticks = (
            None
            if self.cost_ticks is None or other.cost_ticks is None
            else self.cost_ticks + other.cost_ticks
        )
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.reasoning_tokens + other.reasoning_tokens,
            self.cached_tokens + other.cached_tokens,
            self.image_tokens + other.image_tokens,
            self.total_tokens + other.total_tokens,
            ticks,
        )


def _int(value: object) -> int:
    return int(value) if isinstance(value, int | float) else 0
