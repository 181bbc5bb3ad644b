"""`Script`: what the dev server does for the next chat request(s), and the `::dev{}` directive."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, Literal

UsageMode = Literal["final", "cumulative", "none"]

_USAGE_MODES = ("final", "cumulative", "none")
DIRECTIVE_PREFIX = "::dev"


@dataclass(frozen=True, slots=True)
class Script:
    """Behaviour of one or more chat requests. Every field is optional.

    `hidden_reasoning=None` means "the model's default" (3 empty chunks on "hidden" reasoning
    models, 0 otherwise); `reasoning=None` likewise means "Thinking about it." on "visible"
    reasoning models and nothing otherwise (use `reasoning=""` to turn it off).
    Every `*_after` count is a number of CONTENT chunks (chunks whose delta has `content`):
    the fault happens before content chunk N+1 (or before the finish chunk when the answer has
    fewer chunks). A stall then resumes the stream; the others end it. `burst` writes the
    pre-rendered stream in ~64 KiB writes and ignores `tokens_per_second` and `split_utf8`.
    `error_body` is sent as the body whatever the status (its type guessed unless
    `content_type` is set); `content_type` also overrides the type of successful answers.
    """

    times: int = 1
    status: int = 200
    error_body: str | None = None
    content_type: str | None = None
    retry_after: float | None = None
    text: str | None = None
    reasoning: str | None = None
    hidden_reasoning: int | None = None
    chunk_tokens: int = 1
    tokens_per_second: float | None = None
    usage: UsageMode = "final"
    cost_ticks: bool = True
    cached_tokens: int = 0
    reset_after: int | None = None
    stall_after: int | None = None
    stall_seconds: float = 3600.0
    inband_error_after: int | None = None
    malformed_after: int | None = None
    headers_delay: float = 0.0
    crlf: bool = False
    split_utf8: bool = False
    burst: bool = False

    def __post_init__(self) -> None:
        if self.times < 1:
            raise ValueError("times must be >= 1")
        if not 100 <= self.status <= 599:
            raise ValueError(f"status out of range: {self.status}")
        if self.chunk_tokens < 1:
            raise ValueError("chunk_tokens must be >= 1")
        if self.usage not in _USAGE_MODES:
            raise ValueError(f"usage must be one of {_USAGE_MODES}, not {self.usage!r}")
        if self.tokens_per_second is not None and self.tokens_per_second <= 0:
            raise ValueError("tokens_per_second must be > 0")
        for name in ("reset_after", "stall_after", "inband_error_after", "malformed_after"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must be >= 0")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Script:
        """Build a Script from a JSON object with the same field names; unknown keys fail."""
        if not isinstance(data, dict):
            raise ValueError("a script must be a JSON object")
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"unknown script field(s): {', '.join(unknown)}")
        try:
            return cls(**data)
        except TypeError as exc:  # a field of the wrong type, e.g. "times": "two"
            raise ValueError(f"invalid script: {exc}") from exc

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True)
class Directive:
    """A `::dev{...}` directive found in a prompt."""

    script: Script
    stripped_text: str


def extract_directive(text: str) -> Directive | None:
    """Find `::dev{...json...}` in `text`; None when there is none.

    The JSON object runs to its matching brace (strings and nesting are honoured). Raises
    ValueError when the directive is there but its JSON or fields are invalid.
    """
    start = text.find(DIRECTIVE_PREFIX + "{")
    if start < 0:
        return None
    brace = start + len(DIRECTIVE_PREFIX)
    try:
        data, end = json.JSONDecoder().raw_decode(text, brace)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid ::dev directive: {exc}") from exc
    script = Script.from_dict(data)
    stripped = (text[:start] + text[end:]).strip()
    return Directive(script, stripped)
