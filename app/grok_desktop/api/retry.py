"""When to try again: exponential backoff with full jitter, honouring Retry-After, bounded."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_retries: int = 3
    base_delay: float = 0.5
    max_delay: float = 20.0
    #: A Retry-After longer than this is not waited for: the error goes to the user.
    max_retry_after: float = 60.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    @property
    def max_attempts(self) -> int:
        return self.max_retries + 1

    def delay(self, retry_number: int, retry_after: float | None = None) -> float | None:
        """Seconds to wait before retry `retry_number` (1-based), or None to give up."""
        if retry_number > self.max_retries:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        ceiling = min(self.max_delay, self.base_delay * 2 ** (retry_number - 1))
        # "Equal jitter": never less than half the ceiling, so retries really back off.
        return float(ceiling / 2 + self.rng.uniform(0, ceiling / 2))


NO_RETRY = RetryPolicy(max_retries=0)
