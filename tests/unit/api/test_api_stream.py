"""The stream decoder and client on raw byte chunks (no server): framing, UTF-8 splits,
usage styles, empty deltas, errors mid-stream, retries only before content."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from grok_desktop.api import errors
from grok_desktop.api.client import XaiClient
from grok_desktop.api.events import (
    ContentDelta,
    Finished,
    ReasoningDelta,
    RetryNotice,
    StreamEvent,
    StreamStarted,
    UsageReport,
)
from grok_desktop.api.retry import RetryPolicy
from grok_desktop.domain.content import ChatRequest, Role, user_message

REQ = ChatRequest(model="grok-4.3", messages=(user_message("hi"),))


def chunk(delta: dict | None = None, **extra: object) -> bytes:
    obj: dict = {
        "id": "abc_us-east-1",
        "object": "chat.completion.chunk",
        "created": 1761231384,
        "model": "grok-4.3",
        "choices": [{"index": 0, "delta": delta or {}}],
    }
    obj.update(extra)
    return b"data: " + json.dumps(obj, separators=(",", ":")).encode() + b"\n\n"


USAGE = {
    "prompt_tokens": 12,
    "completion_tokens": 2,
    "total_tokens": 304,
    "prompt_tokens_details": {"text_tokens": 12, "cached_tokens": 11, "image_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 290},
}


class Chunks(httpx.AsyncByteStream):
    def __init__(self, parts: list[bytes], fail: Exception | None = None) -> None:
        self.parts = parts
        self.fail = fail

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for p in self.parts:
            yield p
        if self.fail is not None:
            raise self.fail


def sse(parts: list[bytes], fail: Exception | None = None) -> httpx.Response:
    return httpx.Response(
        200, headers={"content-type": "text/event-stream"}, stream=Chunks(parts, fail)
    )


def client_for(
    handler: Callable[[httpx.Request], httpx.Response], **kw: object
) -> tuple[XaiClient, list[float]]:
    slept: list[float] = []

    async def sleep(s: float) -> None:
        slept.append(s)

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    kw.setdefault("retry", RetryPolicy(max_retries=3))
    c = XaiClient(
        base_url="http://127.0.0.1:1/v1", api_key="xai-test", http=http, sleep=sleep, **kw
    )  # type: ignore[arg-type]
    return c, slept


async def collect(c: XaiClient, on_retry: Callable[[RetryNotice], None] | None = None):
    return [e async for e in c.stream_chat(REQ, on_retry=on_retry)]


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def text_of(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, ContentDelta))


def test_typical_stream_with_final_usage_chunk() -> None:
    body = [
        chunk({"role": "assistant"}),
        chunk({}),
        chunk({"content": "Hel"}),
        chunk({"content": "lo"}),
        chunk({}, choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}]),
        chunk(choices=[], usage=USAGE),
        b"data: [DONE]\n\n",
    ]
    c, _ = client_for(lambda r: sse(body))
    events = run(collect(c))
    assert isinstance(events[0], StreamStarted)
    assert events[0].model == "grok-4.3"
    assert text_of(events) == "Hello"
    assert [e.reason for e in events if isinstance(e, Finished)] == ["stop"]
    usage = [e.usage for e in events if isinstance(e, UsageReport)]
    assert usage[-1].reasoning_tokens == 290
    assert usage[-1].cached_tokens == 11


def test_request_asks_for_usage_and_streaming() -> None:
    seen: list[dict] = []

    def handler(r: httpx.Request) -> httpx.Response:
        seen.append(json.loads(r.content))
        assert r.headers["authorization"] == "Bearer xai-test"
        return sse(
            [
                chunk(
                    {"content": "x"},
                    choices=[{"index": 0, "delta": {"content": "x"}, "finish_reason": "stop"}],
                )
            ]
        )

    c, _ = client_for(handler)
    run(collect(c))
    assert seen[0]["stream"] is True
    assert seen[0]["stream_options"] == {"include_usage": True}
    assert seen[0]["messages"] == [{"role": "user", "content": "hi"}]


def test_cumulative_usage_on_every_chunk() -> None:
    def u(n: int) -> dict:
        return {"prompt_tokens": 41, "completion_tokens": n, "total_tokens": 41 + n}

    body = [
        chunk({"content": "Ah", "role": "assistant"}, usage=u(1)),
        chunk({"content": ",", "role": "assistant"}, usage=u(2)),
        b"data: [DONE]\n\n",
    ]
    c, _ = client_for(lambda r: sse(body))
    events = run(collect(c))
    reports = [e.usage.completion_tokens for e in events if isinstance(e, UsageReport)]
    assert reports == [1, 2]
    assert text_of(events) == "Ah,"


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 64])
def test_crlf_framing_comments_and_utf8_split_across_reads(size: int) -> None:
    text = "Grüße 👋🏽 — 日本語 ✓"
    raw = (
        b": keep-alive comment\r\n\r\n"
        + chunk({"reasoning_content": "hmm 🤔"}).replace(b"\n", b"\r\n")
        + chunk({"content": text}).replace(b"\n", b"\r\n")
        + b"data: [DONE]\r\n\r\n"
    )
    parts = [raw[i : i + size] for i in range(0, len(raw), size)]
    c, _ = client_for(lambda r: sse(parts))
    events = run(collect(c))
    assert text_of(events) == text
    assert [e.text for e in events if isinstance(e, ReasoningDelta)] == ["hmm 🤔"]


def test_empty_deltas_produce_no_events() -> None:
    body = (
        [chunk({"role": "assistant"})]
        + [chunk({})] * 50
        + [
            chunk({"content": "ok"}),
            b"data: [DONE]\n\n",
        ]
    )
    c, _ = client_for(lambda r: sse(body))
    events = run(collect(c))
    assert [type(e) for e in events] == [StreamStarted, ContentDelta]


def test_in_band_error_after_content_keeps_partial() -> None:
    body = [
        chunk({"content": "part one "}),
        b'data: {"code":"The service is currently unavailable","error":"Timed out"}\n\n',
    ]
    c, slept = client_for(lambda r: sse(body))
    with pytest.raises(errors.InBandStreamError) as info:
        run(collect(c))
    assert info.value.partial == "part one "
    assert "Timed out" in info.value.message
    assert slept == []  # never retried once content arrived


def test_malformed_event() -> None:
    c, _ = client_for(lambda r: sse([chunk({"content": "a"}), b'data: {"id":"broken\n\n']))
    with pytest.raises(errors.MalformedStreamError) as info:
        run(collect(c))
    assert info.value.partial == "a"


def test_reset_mid_stream_is_not_retried_and_keeps_partial() -> None:
    calls = []

    def handler(r: httpx.Request) -> httpx.Response:
        calls.append(1)
        return sse([chunk({"content": "abc"})], fail=httpx.ReadError("connection reset"))

    c, _ = client_for(handler)
    with pytest.raises(errors.StreamInterruptedError) as info:
        run(collect(c))
    assert info.value.partial == "abc"
    assert len(calls) == 1


def test_stream_ending_without_done_or_finish_is_an_interruption() -> None:
    c, _ = client_for(lambda r: sse([chunk({"content": "abc"})]))
    with pytest.raises(errors.StreamInterruptedError):
        run(collect(c))


def test_finish_reason_without_done_is_complete() -> None:
    body = [
        chunk(
            {"content": "x"},
            choices=[{"index": 0, "delta": {"content": "x"}, "finish_reason": "length"}],
        )
    ]
    c, _ = client_for(lambda r: sse(body))
    events = run(collect(c))
    assert Finished("length") in events


def test_stall_before_content_is_retried_then_succeeds() -> None:
    calls = []

    def handler(r: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ReadTimeout("stalled")
        return sse([chunk({"content": "late"}), b"data: [DONE]\n\n"])

    notices: list[RetryNotice] = []
    c, slept = client_for(handler)
    events = run(collect(c, notices.append))
    assert text_of(events) == "late"
    assert len(slept) == 1
    assert notices[0].attempt == 2
    assert notices[0].max_attempts == 4
    assert "Retrying in" in notices[0].describe()


def test_429_honours_retry_after_and_gives_up_after_max() -> None:
    def handler(r: httpx.Request) -> httpx.Response:
        return httpx.Response(
            429,
            headers={"retry-after": "2"},
            json={"code": "Some resource has been exhausted", "error": "Rate limit exceeded"},
        )

    c, slept = client_for(handler, retry=RetryPolicy(max_retries=2))
    with pytest.raises(errors.RateLimitError) as info:
        run(collect(c))
    assert slept == [2.0, 2.0]
    assert info.value.message == "Rate limit exceeded"


def test_5xx_backoff_grows_and_has_jitter() -> None:
    c, slept = client_for(
        lambda r: httpx.Response(
            503,
            text="<html><title>503 Service Unavailable</title></html>",
            headers={"content-type": "text/html"},
        )
    )
    with pytest.raises(errors.ServerError) as info:
        run(collect(c))
    assert info.value.message == "503 Service Unavailable"
    assert len(slept) == 3
    assert 0.25 <= slept[0] <= 0.5
    assert 0.5 <= slept[1] <= 1.0
    assert 1.0 <= slept[2] <= 2.0


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (
            400,
            {
                "code": "Client specified an invalid argument",
                "error": "Incorrect API key provided: xa***yz. You can obtain an API key from "
                "https://console.x.ai.",
            },
            errors.InvalidApiKeyError,
        ),
        (401, {"code": "x", "error": "No credentials presented."}, errors.MissingCredentialsError),
        (
            403,
            {
                "code": "x",
                "error": "Your team t has either used all available credits or "
                "reached its monthly spending limit.",
            },
            errors.CreditsExhaustedError,
        ),
        (403, {"code": "x", "error": "The API key is blocked."}, errors.PermissionDeniedError),
        (
            404,
            {"code": "x", "error": "The model grok-beta was deprecated on 2025-09-15."},
            errors.ModelNotFoundError,
        ),
        (410, {"code": "x", "error": "Live search is deprecated."}, errors.GoneError),
    ],
)
def test_client_errors_are_never_retried(status: int, body: dict, cls: type) -> None:
    calls = []

    def handler(r: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(status, json=body)

    c, slept = client_for(handler)
    with pytest.raises(cls) as info:
        run(collect(c))
    assert info.value.status == status
    assert info.value.message == body["error"]
    assert calls == [1]
    assert slept == []


def test_cancelling_the_consumer_closes_the_response() -> None:
    closed = asyncio.Event()

    class Endless(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            yield chunk({"content": "a"})
            await asyncio.sleep(3600)
            yield b""  # pragma: no cover

        async def aclose(self) -> None:
            closed.set()

    c, _ = client_for(
        lambda r: httpx.Response(
            200, headers={"content-type": "text/event-stream"}, stream=Endless()
        )
    )

    async def main() -> None:
        got = asyncio.Event()

        async def consume() -> None:
            async for e in c.stream_chat(REQ):
                if isinstance(e, ContentDelta):
                    got.set()

        task = asyncio.create_task(consume())
        await asyncio.wait_for(got.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.wait_for(closed.wait(), 1)

    run(main())


def test_no_key_fails_before_any_request() -> None:
    c, _ = client_for(lambda r: pytest.fail("no request expected"))
    c.api_key = None
    with pytest.raises(errors.NoApiKeyError):
        run(collect(c))


def test_image_parts_are_sent_as_data_uris() -> None:
    from grok_desktop.domain.content import ImagePart

    seen: list[dict] = []

    def handler(r: httpx.Request) -> httpx.Response:
        seen.append(json.loads(r.content))
        return sse([chunk({"content": "x"}), b"data: [DONE]\n\n"])

    req = ChatRequest(
        model="m",
        messages=(user_message("what?", [ImagePart(b"\x89PNG", "image/png", "high")]),),
    )
    c, _ = client_for(handler)

    async def go() -> None:
        async for _ in c.stream_chat(req):
            pass

    run(go())
    content = seen[0]["messages"][0]["content"]
    assert seen[0]["messages"][0]["role"] == Role.USER.value
    assert content[0] == {
        "type": "image_url",
        "image_url": {"url": "data:image/png;base64,iVBORw==", "detail": "high"},
    }
    assert content[1] == {"type": "text", "text": "what?"}
