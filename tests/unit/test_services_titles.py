"""Model-made titles: asked with a small request, cleaned, and never fatal."""

from __future__ import annotations

import asyncio

from grok_desktop.api.client import XaiClient
from grok_desktop.api.retry import NO_RETRY
from grok_desktop.devserver import DevServer, Script
from grok_desktop.services.titles import ask_title, clean_title, model_title


def test_clean_title() -> None:
    assert clean_title('"Rust borrow checker help."') == "Rust borrow checker help"
    assert clean_title("   ") is None


def test_model_title_uses_a_short_request_and_survives_errors() -> None:
    with DevServer() as srv:

        async def go() -> None:
            async with XaiClient(
                base_url=srv.base_url, api_key="xai-test-key", retry=NO_RETRY
            ) as client:
                srv.enqueue(Script(text="“Sourdough starter troubleshooting.”"))
                title = await model_title(client, "grok-4.3", "my bread won't rise")
                assert title == "Sourdough starter troubleshooting"
                body = srv.requests[-1].body
                assert body is not None
                assert body["max_completion_tokens"] == 32
                assert "my bread won't rise" in body["messages"][0]["content"]
                srv.enqueue(Script(status=500))
                assert await model_title(client, "grok-4.3", "x") is None

        asyncio.run(go())


def test_ask_title_returns_the_usage_of_the_call() -> None:
    with DevServer() as srv:

        async def go() -> None:
            async with XaiClient(
                base_url=srv.base_url, api_key="xai-test-key", retry=NO_RETRY
            ) as client:
                srv.enqueue(Script(text="Bread that will not rise"))
                answer = await ask_title(client, "grok-4.3", "my bread won't rise")
                assert answer is not None
                assert answer.title == "Bread that will not rise"
                assert answer.model == "grok-4.3"
                assert answer.usage is not None and answer.usage.total_tokens > 0
                cost = answer.cost(None)
                assert cost is not None and cost.usd is not None  # the server's ticks

        asyncio.run(go())
