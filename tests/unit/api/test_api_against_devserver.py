"""The client against the local xAI server over real HTTP: every endpoint, usage styles,
reasoning, retries with Retry-After, connection reuse."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from grok_desktop.api import errors
from grok_desktop.api.client import XaiClient
from grok_desktop.api.events import ContentDelta, ReasoningDelta, RetryNotice, UsageReport
from grok_desktop.api.retry import RetryPolicy
from grok_desktop.devserver import DevServer, Script
from grok_desktop.domain.content import ChatRequest, user_message
from grok_desktop.domain.pricing import CostSource, cost_of


@pytest.fixture(scope="module")
def srv() -> Iterator[DevServer]:
    with DevServer() as server:
        yield server


def ask(text: str, model: str = "grok-4.3") -> ChatRequest:
    return ChatRequest(model=model, messages=(user_message(text),))


def client(srv: DevServer, **kw: object) -> XaiClient:
    return XaiClient(base_url=srv.base_url, api_key="xai-test-key", **kw)  # type: ignore[arg-type]


def test_complete_models_and_key_info(srv: DevServer) -> None:
    async def go() -> None:
        async with client(srv) as c:
            done = await c.complete(ask("hi"))
            assert done.content == "You said: hi"
            assert done.finish_reason == "stop"
            assert done.usage is not None
            assert done.usage.cost_ticks is not None
            models = await c.list_models()
            assert "grok-4.3" in [m.id for m in models]
            language = await c.language_models()
            grok = next(m for m in language if m.id == "grok-4.3")
            assert grok.accepts_images
            assert grok.price is not None
            assert grok.price.prompt == 30000  # US cents per 100M tokens: $3.00 per million
            info = await c.api_key_info()
            assert info.redacted_api_key == "xai-...-key"
            assert info.usable

    asyncio.run(go())


def test_computed_cost_matches_the_servers_ticks(srv: DevServer) -> None:
    async def go() -> None:
        async with client(srv) as c:
            language = await c.language_models()
            price = next(m for m in language if m.id == "grok-3-mini").price
            usage = None
            async for e in c.stream_chat(ask("a longer question to count", "grok-3-mini")):
                if isinstance(e, UsageReport):
                    usage = e.usage
            assert usage is not None
            assert usage.reasoning_tokens > 0
            server = cost_of(usage, price)
            assert server.source is CostSource.SERVER
            from dataclasses import replace

            computed = cost_of(replace(usage, cost_ticks=None), price)
            assert computed.source is CostSource.PRICE_LIST
            assert computed.usd == server.usd

    asyncio.run(go())


def test_visible_reasoning_then_content(srv: DevServer) -> None:
    async def go() -> list[object]:
        async with client(srv) as c:
            return [e async for e in c.stream_chat(ask("hmm", "grok-3-mini"))]

    events = asyncio.run(go())
    kinds = [type(e) for e in events]
    assert ReasoningDelta in kinds
    assert kinds.index(ReasoningDelta) < kinds.index(ContentDelta)


def test_cumulative_usage_style(srv: DevServer) -> None:
    srv.enqueue(Script(text="one two three", usage="cumulative"))

    async def go() -> list[UsageReport]:
        async with client(srv) as c:
            return [e async for e in c.stream_chat(ask("x")) if isinstance(e, UsageReport)]

    reports = asyncio.run(go())
    assert len(reports) >= 3
    assert reports[-1].usage.completion_tokens == 3


def test_429_with_retry_after_is_retried_and_reported(srv: DevServer) -> None:
    srv.enqueue(Script(status=429, retry_after=0, times=2))
    notices: list[RetryNotice] = []

    async def go() -> str:
        async with client(srv) as c:
            events = [e async for e in c.stream_chat(ask("again"), on_retry=notices.append)]
            return "".join(e.text for e in events if isinstance(e, ContentDelta))

    assert asyncio.run(go()) == "You said: again"
    assert [n.attempt for n in notices] == [2, 3]
    assert "Rate limit exceeded" in notices[0].reason


def test_503_exhausts_retries_with_the_servers_message(srv: DevServer) -> None:
    srv.enqueue(Script(status=503, times=3))

    async def go() -> None:
        async with client(srv, retry=RetryPolicy(max_retries=2, base_delay=0.01)) as c:
            async for _ in c.stream_chat(ask("x")):
                pass

    with pytest.raises(errors.ServerError) as info:
        asyncio.run(go())
    assert "unavailable" in info.value.message.lower()


def test_connection_is_reused_across_streams(srv: DevServer) -> None:
    async def go() -> None:
        async with client(srv) as c:
            for _ in range(3):
                async for _e in c.stream_chat(ask("x")):
                    pass
            pool = c._http._transport._pool  # type: ignore[attr-defined]
            assert len(pool.connections) == 1

    asyncio.run(go())
