"""The xAI HTTP API: client, typed stream events, typed errors. No Qt.

Names are loaded on first use (PEP 562): importing `grok_desktop.api.errors` for the exit
codes, as the command line does at every start, must not import httpx."""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "XaiClient": "client",
    "Kind": "errors",
    "XaiError": "errors",
    "Citations": "events",
    "Completion": "events",
    "ContentDelta": "events",
    "Finished": "events",
    "ReasoningDelta": "events",
    "RetryNotice": "events",
    "StreamEvent": "events",
    "StreamStarted": "events",
    "UsageReport": "events",
    "RetryPolicy": "retry",
}
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


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)
