"""The JSON xAI sends: usage objects, stream chunks, the non-streamed chat.completion."""

from __future__ import annotations

import json
from enum import Enum
from typing import Any, NamedTuple

from grok_desktop.devserver.errors import INBAND_ERROR, compact, encode_string
from grok_desktop.devserver.reply import Counts, Reply, cost_in_usd_ticks

DONE = b"[DONE]"
MALFORMED = b'{"id":"broken'
INBAND = compact(INBAND_ERROR)


class Kind(Enum):
    ROLE = "role"
    REASONING = "reasoning"
    HIDDEN = "hidden"
    CONTENT = "content"
    FINISH = "finish"
    USAGE = "usage"
    DONE = "done"


class Event(NamedTuple):
    """One `data:` line of the stream (the payload only; framing is the writer's job)."""

    payload: bytes
    kind: Kind
    tokens: int = 0  # for pacing


def usage_object(reply: Reply, counts: Counts | None = None) -> dict[str, Any]:
    """The usage object, fields in xAI's order."""
    c = counts or reply.counts
    usage: dict[str, Any] = {
        "prompt_tokens": c.prompt,
        "completion_tokens": c.completion,
        "total_tokens": c.total,
        "prompt_tokens_details": {
            "text_tokens": c.text,
            "audio_tokens": 0,
            "image_tokens": c.image,
            "cached_tokens": c.cached,
        },
        "completion_tokens_details": {
            "reasoning_tokens": c.reasoning,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
        "num_sources_used": 0,
    }
    if reply.script.cost_ticks:
        usage["cost_in_usd_ticks"] = cost_in_usd_ticks(reply.spec, c)
    return usage


def completion_body(reply: Reply) -> bytes:
    """The non-streamed `chat.completion` object."""
    message: dict[str, Any] = {"role": "assistant", "content": reply.text}
    if reply.reasoning_text:
        message["reasoning_content"] = reply.reasoning_text
    message["refusal"] = None
    body: dict[str, Any] = {
        "id": reply.id,
        "object": "chat.completion",
        "created": reply.created,
        "model": reply.spec.id,
        "choices": [{"index": 0, "message": message, "finish_reason": reply.finish_reason}],
    }
    if reply.script.usage != "none":
        body["usage"] = usage_object(reply)
    body["system_fingerprint"] = reply.spec.fingerprint
    return compact(body)


class _ChunkMaker:
    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.head = (
            f'{{"id":{json.dumps(reply.id)},"object":"chat.completion.chunk",'
            f'"created":{reply.created},"model":{json.dumps(reply.spec.id)},"choices":'
        ).encode()
        self.tail = f',"system_fingerprint":{json.dumps(reply.spec.fingerprint)}}}'.encode()
        # Fast path for the common content chunk: only the string changes.
        self.content_head = self.head + b'[{"index":0,"delta":{"content":'
        self.content_tail = b"}}]" + self.tail

    def chunk(self, choices: list[dict[str, Any]], usage: dict[str, Any] | None) -> bytes:
        middle = compact(choices)
        if usage is not None:
            middle += b',"usage":' + compact(usage)
        return self.head + middle + self.tail


def stream_events(reply: Reply, include_usage: bool) -> list[Event]:
    """All events of a successful stream, in order, ending with `[DONE]`."""
    maker = _ChunkMaker(reply)
    cumulative = reply.script.usage == "cumulative"
    base = reply.counts
    completion = 0
    reasoning = 0
    events: list[Event] = []

    def usage() -> dict[str, Any] | None:
        if not cumulative:
            return None
        counts = Counts(base.prompt, base.image, base.cached, completion, reasoning)
        return usage_object(reply, counts)

    def add(delta: dict[str, Any], kind: Kind, tokens: int) -> None:
        choices = [{"index": 0, "delta": delta}]
        events.append(Event(maker.chunk(choices, usage()), kind, tokens))

    first: dict[str, Any] = {"role": "assistant"}
    reasoning_chunks = list(zip(reply.reasoning, reply.reasoning_sizes, strict=True))
    if reasoning_chunks:
        text, size = reasoning_chunks.pop(0)
        reasoning += size
        first = {"reasoning_content": text, "role": "assistant"}
        add(first, Kind.ROLE, size)
    else:
        add(first, Kind.ROLE, 0)
    for text, size in reasoning_chunks:
        reasoning += size
        add({"reasoning_content": text}, Kind.REASONING, size)
    for _ in range(reply.hidden):
        reasoning += 1
        add({}, Kind.HIDDEN, 1)
    if cumulative:
        for text, size in zip(reply.content, reply.content_sizes, strict=True):
            completion += size
            add({"content": text}, Kind.CONTENT, size)
    else:
        head, tail, content = maker.content_head, maker.content_tail, Kind.CONTENT
        events.extend(
            Event(head + encode_string(text) + tail, content, size)
            for text, size in zip(reply.content, reply.content_sizes, strict=True)
        )
    finish = [{"index": 0, "delta": {}, "finish_reason": reply.finish_reason}]
    events.append(Event(maker.chunk(finish, usage()), Kind.FINISH))
    if reply.script.usage == "final" and include_usage:
        events.append(Event(maker.chunk([], usage_object(reply)), Kind.USAGE))
    events.append(Event(DONE, Kind.DONE))
    return events
