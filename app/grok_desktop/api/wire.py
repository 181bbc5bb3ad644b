"""The chat-completions wire format: request bodies out, chunks in. Pure functions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from grok_desktop.api.errors import MalformedStreamError
from grok_desktop.api.events import (
    Citations,
    Completion,
    ContentDelta,
    Finished,
    ReasoningDelta,
    StreamEvent,
    StreamStarted,
    UsageReport,
)
from grok_desktop.domain.content import ChatMessage, ChatRequest, ImagePart, TextPart
from grok_desktop.domain.usage import Usage


def message_json(message: ChatMessage) -> dict[str, Any]:
    if isinstance(message.content, str):
        return {"role": message.role.value, "content": message.content}
    parts: list[dict[str, Any]] = []
    for part in message.content:
        if isinstance(part, TextPart):
            parts.append({"type": "text", "text": part.text})
        elif isinstance(part, ImagePart):
            parts.append(
                {
                    "type": "image_url",
                    "image_url": {"url": part.data_uri(), "detail": part.detail},
                }
            )
    return {"role": message.role.value, "content": parts}


def request_json(request: ChatRequest, *, stream: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": request.model,
        "messages": [message_json(m) for m in request.messages],
        "stream": stream,
    }
    if stream:
        body["stream_options"] = {"include_usage": True}
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if request.max_completion_tokens is not None:
        body["max_completion_tokens"] = request.max_completion_tokens
    if request.reasoning_effort is not None:
        body["reasoning_effort"] = request.reasoning_effort
    return body


def chunk_events(chunk: Mapping[str, Any], started: bool) -> list[StreamEvent]:
    """Events of one `chat.completion.chunk`. Empty deltas (hidden reasoning) give none."""
    if not isinstance(chunk, Mapping):
        raise MalformedStreamError("A stream event was not a JSON object.")
    events: list[StreamEvent] = []
    if not started:
        events.append(StreamStarted(str(chunk.get("id", "")), str(chunk.get("model", ""))))
    choices = chunk.get("choices")
    if choices:
        choice = choices[0]
        delta = choice.get("delta")
        if delta:
            reasoning = delta.get("reasoning_content")
            if reasoning:
                events.append(ReasoningDelta(reasoning))
            content = delta.get("content")
            if content:
                events.append(ContentDelta(content))
        reason = choice.get("finish_reason")
        if reason:
            events.append(Finished(reason))
    usage = chunk.get("usage")
    if usage:
        events.append(UsageReport(Usage.from_api(usage)))
    citations = chunk.get("citations")
    if citations:
        events.append(Citations(tuple(str(c) for c in citations)))
    return events


def completion_from_json(obj: Mapping[str, Any]) -> Completion:
    try:
        choice = obj["choices"][0]
        message = choice["message"]
    except (KeyError, IndexError, TypeError) as exc:
        raise MalformedStreamError("The answer had no choices.") from exc
    usage = obj.get("usage")
    return Completion(
        response_id=str(obj.get("id", "")),
        model=str(obj.get("model", "")),
        content=message.get("content") or "",
        reasoning=message.get("reasoning_content") or "",
        finish_reason=choice.get("finish_reason"),
        usage=Usage.from_api(usage) if usage else None,
        citations=tuple(str(c) for c in obj.get("citations") or ()),
    )
