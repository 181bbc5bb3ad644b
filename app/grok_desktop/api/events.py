"""Typed events of a streamed answer, independent of the transport that produced them.

Chat completions produce them today; a /v1/responses transport (server-side tools, citations)
can produce the same events, so nothing above `api/` has to change.
"""

from __future__ import annotations

from dataclasses import dataclass

from grok_desktop.domain.usage import Usage


@dataclass(frozen=True, slots=True)
class StreamStarted:
    """The first chunk arrived: the response id and the model that answers (canonical id)."""

    response_id: str
    model: str


# The two delta events are not frozen: they are made thousands of times a second and a
# frozen dataclass costs twice as much to construct (bench/stream_client.py).
@dataclass(slots=True)
class ContentDelta:
    text: str


@dataclass(slots=True)
class ReasoningDelta:
    text: str


@dataclass(frozen=True, slots=True)
class UsageReport:
    """Usage so far. Older streams repeat a cumulative usage on every chunk: keep the last."""

    usage: Usage


@dataclass(frozen=True, slots=True)
class Finished:
    reason: str  # stop | length | tool_calls | end_turn | ...


@dataclass(frozen=True, slots=True)
class Citations:
    urls: tuple[str, ...]


StreamEvent = StreamStarted | ContentDelta | ReasoningDelta | UsageReport | Finished | Citations


@dataclass(frozen=True, slots=True)
class RetryNotice:
    """Given to the retry callback before waiting: "Retrying in 3 s (attempt 2/4)"."""

    attempt: int  # the attempt about to be made, 2..max_attempts
    max_attempts: int
    delay: float
    reason: str

    def describe(self) -> str:
        return (
            f"{self.reason} Retrying in {self.delay:.0f} s "
            f"(attempt {self.attempt}/{self.max_attempts})"
        )


@dataclass(frozen=True, slots=True)
class Completion:
    """A whole (non-streamed) answer."""

    response_id: str
    model: str
    content: str
    reasoning: str
    finish_reason: str | None
    usage: Usage | None
    citations: tuple[str, ...] = ()
