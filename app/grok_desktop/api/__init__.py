"""The xAI HTTP API: client, typed stream events, typed errors. No Qt."""

from grok_desktop.api.client import XaiClient
from grok_desktop.api.errors import Kind, XaiError
from grok_desktop.api.events import (
    Citations,
    Completion,
    ContentDelta,
    Finished,
    ReasoningDelta,
    RetryNotice,
    StreamEvent,
    StreamStarted,
    UsageReport,
)
from grok_desktop.api.retry import RetryPolicy

__all__ = [
    "Citations",
    "Completion",
    "ContentDelta",
    "Finished",
    "Kind",
    "ReasoningDelta",
    "RetryNotice",
    "RetryPolicy",
    "StreamEvent",
    "StreamStarted",
    "UsageReport",
    "XaiClient",
    "XaiError",
]
