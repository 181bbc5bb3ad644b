"""The xAI client: one long-lived httpx.AsyncClient, typed events out, typed errors out.

Retries happen only before any answer text arrived; once content has streamed a failure is
raised with the partial text attached (`XaiError.partial`), never retried behind the user's back.
Cancelling the consuming task closes the connection at once (the response's context exits).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any, TypeVar

import httpx

from grok_desktop.api.errors import (
    ConnectError,
    MalformedStreamError,
    NoApiKeyError,
    StallError,
    StreamInterruptedError,
    XaiError,
    error_from_status,
    error_from_stream_payload,
)
from grok_desktop.api.events import (
    Completion,
    ContentDelta,
    Finished,
    ReasoningDelta,
    RetryNotice,
    StreamEvent,
    StreamStarted,
    UsageReport,
)
from grok_desktop.api.info import ApiKeyInfo, ModelInfo
from grok_desktop.api.retry import RetryPolicy
from grok_desktop.api.sse import SSEDecoder
from grok_desktop.api.transport import (
    DEFAULT_BASE_URL,
    DEFAULT_STALL_TIMEOUT,
    TOTAL_TIMEOUT,
    build_http_client,
    normalize_base_url,
)
from grok_desktop.api.wire import chunk_events, completion_from_json, request_json
from grok_desktop.domain.content import ChatRequest
from grok_desktop.domain.models import LanguageModel

RetryCallback = Callable[[RetryNotice], None]
T = TypeVar("T")


class XaiClient:
    def __init__(
        self,
        *,
        base_url: str = DEFAULT_BASE_URL,
        api_key: str | None = None,
        stall_timeout: float = DEFAULT_STALL_TIMEOUT,
        total_timeout: float = TOTAL_TIMEOUT,
        retry: RetryPolicy | None = None,
        allow_insecure_http: bool = False,
        http: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.base_url = normalize_base_url(base_url, allow_insecure_http=allow_insecure_http)
        self.api_key = api_key
        self.stall_timeout = stall_timeout
        self.total_timeout = total_timeout
        self.retry = retry or RetryPolicy()
        self._http = http or build_http_client(stall_timeout=stall_timeout)
        self._owns_http = http is None
        self._sleep = sleep

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> XaiClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- plumbing -------------------------------------------------------------------------------
    def _url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def _auth(self) -> dict[str, str]:
        if not self.api_key:
            raise NoApiKeyError("No xAI API key is set.")
        return {"Authorization": f"Bearer {self.api_key}"}

    async def _check(self, response: httpx.Response) -> None:
        if response.status_code >= 400:
            body = await response.aread()
            raise error_from_status(
                response.status_code,
                body,
                response.headers.get("content-type", ""),
                response.headers.get("retry-after"),
            )

    async def _backoff(
        self, err: XaiError, retry_number: int, on_retry: RetryCallback | None
    ) -> None:
        """Wait before retry `retry_number`, or raise `err` when it must not be retried."""
        delay = self.retry.delay(retry_number, err.retry_after) if err.retryable else None
        if delay is None:
            raise err
        if on_retry is not None:
            reason = err.message if len(err.message) < 120 else err.message[:117] + "..."
            on_retry(RetryNotice(retry_number + 1, self.retry.max_attempts, delay, reason))
        await self._sleep(delay)

    async def _with_retries(
        self, call: Callable[[], Awaitable[T]], on_retry: RetryCallback | None = None
    ) -> T:
        retry_number = 0
        while True:
            try:
                return await call()
            except XaiError as err:
                retry_number += 1
                await self._backoff(err, retry_number, on_retry)
            except httpx.HTTPError as exc:
                retry_number += 1
                await self._backoff(_map_http_error(exc, streamed=False), retry_number, on_retry)

    async def _get_json(self, path: str) -> Any:
        async def call() -> Any:
            response = await self._http.get(self._url(path), headers=self._auth())
            await self._check(response)
            return _json_or_malformed(response.content)

        return await self._with_retries(call)

    # -- endpoints ------------------------------------------------------------------------------
    async def list_models(self) -> list[ModelInfo]:
        data = await self._get_json("models")
        return [ModelInfo.from_api(m) for m in data.get("data", [])]

    async def language_models(self) -> list[LanguageModel]:
        """Models with modalities and prices (US cents per 100 million tokens)."""
        data = await self._get_json("language-models")
        return [LanguageModel.from_api(m) for m in data.get("models", [])]

    async def api_key_info(self) -> ApiKeyInfo:
        return ApiKeyInfo.from_api(await self._get_json("api-key"))

    async def complete(
        self, request: ChatRequest, *, on_retry: RetryCallback | None = None
    ) -> Completion:
        body = request_json(request, stream=False)

        async def call() -> Completion:
            timeout = httpx.Timeout(self.total_timeout, connect=10.0)
            response = await self._http.post(
                self._url("chat/completions"), json=body, headers=self._auth(), timeout=timeout
            )
            await self._check(response)
            return completion_from_json(_json_or_malformed(response.content))

        return await self._with_retries(call, on_retry)

    async def stream_chat(
        self, request: ChatRequest, *, on_retry: RetryCallback | None = None
    ) -> AsyncGenerator[StreamEvent, None]:
        """Stream one answer as typed events. Use inside `contextlib.aclosing` so that
        leaving early closes the connection at once."""
        body = request_json(request, stream=True)
        headers = self._auth() | {"Accept": "text/event-stream", "Cache-Control": "no-store"}
        url = self._url("chat/completions")
        content: list[str] = []
        reasoning: list[str] = []
        retry_number = 0
        while True:
            got_any = False
            try:
                async with self._http.stream("POST", url, json=body, headers=headers) as response:
                    await self._check(response)
                    if "text/event-stream" not in response.headers.get("content-type", ""):
                        # A gateway that ignores `stream`: accept a whole JSON answer.
                        raw = await response.aread()
                        for event in _events_of_completion(_json_or_malformed(raw)):
                            yield event
                        return
                    async for event in self._events(response, content, reasoning):
                        got_any = True
                        yield event
                return
            except XaiError as err:
                failure = err
            except httpx.HTTPError as exc:
                failure = _map_http_error(exc, streamed=got_any, stall=self.stall_timeout)
            failure.partial = "".join(content)
            failure.partial_reasoning = "".join(reasoning)
            if content or reasoning:
                raise failure
            retry_number += 1
            await self._backoff(failure, retry_number, on_retry)

    async def _events(
        self, response: httpx.Response, content: list[str], reasoning: list[str]
    ) -> AsyncGenerator[StreamEvent, None]:
        """Decode the SSE body. The common chunk (only a content delta) takes a fast path;
        everything else goes through `wire.chunk_events`. After `[DONE]` the rest of the
        body is still read so the connection goes back to the pool for the next request."""
        deadline = time.monotonic() + self.total_timeout
        decoder = SSEDecoder()
        started = finished = done = False
        count = 0
        texts = response.aiter_text()
        try:
            while True:
                try:
                    text = await anext(texts)
                except StopAsyncIteration:
                    batch = decoder.close()
                    if not batch:
                        break
                else:
                    if done:
                        continue
                    batch = decoder.feed(text)
                for data in batch:
                    if done:
                        break
                    if data == "[DONE]":
                        done = finished = True
                        continue
                    try:
                        chunk = json.loads(data)
                    except ValueError:
                        raise MalformedStreamError(
                            f"The server sent an unreadable event: {data[:80]!r}"
                        ) from None
                    if type(chunk) is not dict:
                        raise MalformedStreamError(
                            f"The server sent an event that is not an object: {data[:80]!r}"
                        )
                    count += 1
                    if count & 63 == 0 and time.monotonic() > deadline:
                        raise StallError(f"The answer took longer than {self.total_timeout:.0f} s.")
                    choices = chunk.get("choices")
                    if started and choices and "usage" not in chunk:
                        first = choices[0]
                        delta = first.get("delta")
                        if len(first) == 2 and delta is not None and len(delta) <= 2:
                            piece = delta.get("content")
                            if piece and "reasoning_content" not in delta:
                                content.append(piece)
                                yield ContentDelta(piece)
                                continue
                            if not delta or delta.keys() <= {"role", "content"}:
                                continue  # an empty delta (hidden reasoning)
                    if choices is None and "error" in chunk:
                        raise error_from_stream_payload(chunk)
                    for event in chunk_events(chunk, started):
                        if type(event) is ContentDelta:
                            content.append(event.text)
                        elif type(event) is ReasoningDelta:
                            reasoning.append(event.text)
                        elif type(event) is Finished:
                            finished = True
                        yield event
                    started = True
        finally:
            await texts.aclose()  # type: ignore[attr-defined]
        if not finished:
            raise StreamInterruptedError("The stream ended before the answer was complete.")


def _events_of_completion(obj: Any) -> list[StreamEvent]:
    done = completion_from_json(obj)
    events: list[StreamEvent] = [StreamStarted(done.response_id, done.model)]
    if done.reasoning:
        events.append(ReasoningDelta(done.reasoning))
    if done.content:
        events.append(ContentDelta(done.content))
    events.append(Finished(done.finish_reason or "stop"))
    if done.usage is not None:
        events.append(UsageReport(done.usage))
    return events


def _json_or_malformed(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        raise MalformedStreamError("The server's answer was not valid JSON.") from None


def _map_http_error(
    exc: httpx.HTTPError, *, streamed: bool, stall: float = DEFAULT_STALL_TIMEOUT
) -> XaiError:
    if isinstance(exc, httpx.ConnectTimeout):
        return ConnectError("Could not connect to the API within 10 s.")
    if isinstance(exc, httpx.TimeoutException):
        return StallError(f"No data arrived for {stall:.0f} s.")
    detail = str(exc).strip()
    detail = f" ({detail})" if detail else ""
    if isinstance(exc, httpx.ConnectError | httpx.ProxyError):
        return ConnectError(f"Could not connect to the API{detail}.")
    if streamed:
        return StreamInterruptedError(f"The connection was closed mid-answer{detail}.")
    # Broken before any event: the request may never have reached the model; retry is safe.
    return ConnectError(f"The connection failed{detail}.")
