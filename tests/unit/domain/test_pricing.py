"""What a reply costs, for every usage shape the API sends, against values computed by hand.

Prices are in US cents per 100 million tokens (xai-api.md §5): 30000 = $3.00 per million, so
one token at price P costs P / 1e10 dollars. Each expected value below is written out as that
sum so it can be checked with a pencil.
"""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal

import httpx
import pytest

from grok_desktop.api.client import XaiClient
from grok_desktop.api.events import UsageReport
from grok_desktop.api.sse import SSEDecoder
from grok_desktop.api.wire import chunk_events
from grok_desktop.domain.content import ChatMessage, ChatRequest, Role
from grok_desktop.domain.pricing import (
    UNKNOWN_COST,
    CostSource,
    ModelPrice,
    cost_of,
    format_usd,
)
from grok_desktop.domain.usage import TICKS_PER_USD, Usage
from grok_desktop.services.turn import run_turn

# Prices as /v1/language-models gives them (cents per 100M tokens).
GROK_3 = ModelPrice(prompt=30000, cached_prompt=7500, completion=150000)  # $3 / $0.75 / $15
CODE_FAST = ModelPrice(prompt=2000, cached_prompt=200, completion=15000)  # $0.20 / $0.02 / $1.50
MINI = ModelPrice(prompt=3000, cached_prompt=750, completion=5000)  # $0.30 / $0.075 / $0.50
VISION = ModelPrice(prompt=20000, cached_prompt=5000, completion=100000, image=40000)
UNIT = Decimal(10) ** 10  # cents-per-100M-tokens x tokens -> dollars


def usd(cents_x_tokens: int) -> Decimal:
    return Decimal(cents_x_tokens) / UNIT


# -- ticks present: the server's own figure wins --------------------------------------------------
def test_server_ticks_win_over_any_price() -> None:
    usage = Usage(prompt_tokens=12, completion_tokens=1, reasoning_tokens=290, cost_ticks=1466250)
    for price in (None, GROK_3, MINI):
        cost = cost_of(usage, price)
        assert cost.source is CostSource.SERVER
        assert cost.usd == Decimal("0.000146625")  # 1,466,250 / 1e10
    assert format_usd(cost.usd) == "$0.0001"


def test_ticks_are_read_from_the_usage_object() -> None:
    raw = {
        "prompt_tokens": 12,
        "completion_tokens": 1,
        "total_tokens": 303,
        "prompt_tokens_details": {"text_tokens": 12, "cached_tokens": 11, "image_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 290},
        "cost_in_usd_ticks": 1466250,
    }
    usage = Usage.from_api(raw)
    assert usage.cost_ticks == 1466250
    assert cost_of(usage, None).usd == Decimal(1466250) / TICKS_PER_USD


# -- ticks absent: computed from the price list ---------------------------------------------------
def test_plain_prompt_and_completion() -> None:
    usage = Usage(prompt_tokens=1000, completion_tokens=500, total_tokens=1500)
    cost = cost_of(usage, GROK_3)
    # 1000 x $3/M + 500 x $15/M = $0.003 + $0.0075
    assert cost.usd == usd(1000 * 30000 + 500 * 150000) == Decimal("0.0105")
    assert cost.source is CostSource.PRICE_LIST
    assert format_usd(cost.usd) == "$0.01"


def test_a_million_tokens_costs_the_list_price() -> None:
    assert cost_of(Usage(prompt_tokens=1_000_000), GROK_3).usd == Decimal(3)
    assert cost_of(Usage(completion_tokens=1_000_000), GROK_3).usd == Decimal(15)
    assert GROK_3.usd_per_million("prompt") == Decimal(3)
    assert GROK_3.usd_per_million("cached_prompt") == Decimal("0.75")


def test_no_price_and_no_ticks_is_unknown_not_zero() -> None:
    cost = cost_of(Usage(prompt_tokens=5, completion_tokens=5), None)
    assert cost == UNKNOWN_COST and cost.usd is None and not cost.known
    assert format_usd(cost.usd) == "cost unknown"


# -- cached prompt tokens -------------------------------------------------------------------------
def test_cached_tokens_are_part_of_the_prompt_at_the_cached_price() -> None:
    # The grok-code-fast-1 capture (xai-api.md §8): 213 prompt of which 192 cached, 23 completion,
    # 175 reasoning, total 411 = 213 + 23 + 175.
    raw = {
        "prompt_tokens": 213,
        "completion_tokens": 23,
        "total_tokens": 411,
        "prompt_tokens_details": {
            "text_tokens": 213,
            "audio_tokens": 0,
            "image_tokens": 0,
            "cached_tokens": 192,
        },
        "completion_tokens_details": {"reasoning_tokens": 175},
        "num_sources_used": 0,
    }
    usage = Usage.from_api(raw)
    assert (usage.cached_tokens, usage.reasoning_tokens, usage.output_tokens) == (192, 175, 198)
    assert usage.total_tokens == 213 + 23 + 175
    # 21 uncached x $0.20/M + 192 cached x $0.02/M + (23 + 175) x $1.50/M
    expected = usd(21 * 2000 + 192 * 200 + 198 * 15000)
    assert expected == Decimal("0.00030504")
    assert cost_of(usage, CODE_FAST).usd == expected


def test_all_cached() -> None:
    usage = Usage(prompt_tokens=100, cached_tokens=100, completion_tokens=0)
    assert cost_of(usage, GROK_3).usd == usd(100 * 7500) == Decimal("0.000075")


def test_more_cached_than_prompt_never_goes_negative() -> None:
    usage = Usage(prompt_tokens=10, cached_tokens=50)  # a bogus report: capped at the prompt
    assert cost_of(usage, GROK_3).usd == usd(10 * 7500)


# -- reasoning tokens -----------------------------------------------------------------------------
def test_reasoning_is_billed_at_the_completion_price_outside_completion_tokens() -> None:
    # The grok-3-mini capture (§8): 12 prompt (11 cached), 1 completion, 290 reasoning. Its
    # server figure was 1,466,250 ticks: our arithmetic from the price list gives the same.
    usage = Usage(prompt_tokens=12, cached_tokens=11, completion_tokens=1, reasoning_tokens=290)
    expected = usd(1 * 3000 + 11 * 750 + (1 + 290) * 5000)
    assert expected == Decimal("0.000146625") == Decimal(1466250) / TICKS_PER_USD
    assert cost_of(usage, MINI).usd == expected


def test_hidden_reasoning_without_visible_completion() -> None:
    usage = Usage(prompt_tokens=1000, completion_tokens=0, reasoning_tokens=4000)
    assert cost_of(usage, GROK_3).usd == usd(1000 * 30000 + 4000 * 150000) == Decimal("0.063")


# -- images ---------------------------------------------------------------------------------------
def test_image_tokens_at_the_image_price() -> None:
    # 1000 prompt = 200 text + 800 image; 50 completion.
    usage = Usage(prompt_tokens=1000, image_tokens=800, completion_tokens=50)
    expected = usd(200 * 20000 + 800 * 40000 + 50 * 100000)
    assert expected == Decimal("0.0041")
    assert cost_of(usage, VISION).usd == expected


def test_images_cached_and_text_together() -> None:
    # 1000 prompt = 100 cached + 800 image + 100 uncached text.
    usage = Usage(prompt_tokens=1000, cached_tokens=100, image_tokens=800, completion_tokens=10)
    expected = usd(100 * 20000 + 100 * 5000 + 800 * 40000 + 10 * 100000)
    assert cost_of(usage, VISION).usd == expected == Decimal("0.00355")


def test_no_image_price_means_the_prompt_price() -> None:
    entry = {
        "id": "grok-3",
        "prompt_text_token_price": 30000,
        "cached_prompt_text_token_price": 7500,
        "prompt_image_token_price": 0,
        "completion_text_token_price": 150000,
    }
    price = ModelPrice.from_language_model(entry)
    assert price == ModelPrice(prompt=30000, cached_prompt=7500, completion=150000, image=30000)
    usage = Usage(prompt_tokens=500, image_tokens=500)
    assert cost_of(usage, price).usd == usd(500 * 30000) == Decimal("0.0015")


def test_price_entry_without_prices_is_no_price() -> None:
    assert ModelPrice.from_language_model({"id": "x"}) is None
    entry = {"prompt_text_token_price": 100, "completion_text_token_price": 200}
    price = ModelPrice.from_language_model(entry)
    assert price is not None and price.cached_prompt == 100  # no cache price: the full price


# -- the older stream format: cumulative usage on every chunk -------------------------------------
OLD_STREAM = (
    'data: {"id":"x1","object":"chat.completion.chunk","created":1,"model":"grok-2-latest",'
    '"choices":[{"index":0,"delta":{"content":"Ah","role":"assistant"}}],'
    '"usage":{"prompt_tokens":41,"completion_tokens":1,"total_tokens":42,'
    '"prompt_tokens_details":{"text_tokens":41,"audio_tokens":0,"image_tokens":0,'
    '"cached_tokens":0}},"system_fingerprint":"fp_xxxxxxxxxx"}\n\n'
    'data: {"id":"x1","object":"chat.completion.chunk","created":1,"model":"grok-2-latest",'
    '"choices":[{"index":0,"delta":{"content":",","role":"assistant"}}],'
    '"usage":{"prompt_tokens":41,"completion_tokens":2,"total_tokens":43,'
    '"prompt_tokens_details":{"text_tokens":41,"audio_tokens":0,"image_tokens":0,'
    '"cached_tokens":0}},"system_fingerprint":"fp_xxxxxxxxxx"}\n\n'
    "data: [DONE]\n\n"
)
GROK_2 = ModelPrice(prompt=20000, cached_prompt=20000, completion=100000)  # $2 / $10


def test_cumulative_usage_chunks_decode_to_running_totals() -> None:
    decoder = SSEDecoder()
    reports: list[Usage] = []
    started = False
    for data in decoder.feed(OLD_STREAM):
        if data == "[DONE]":
            continue
        for event in chunk_events(json.loads(data), started):
            if isinstance(event, UsageReport):
                reports.append(event.usage)
        started = True
    assert [(u.prompt_tokens, u.completion_tokens) for u in reports] == [(41, 1), (41, 2)]
    summed = reports[0] + reports[1]
    assert summed.prompt_tokens == 82  # what a client that adds them up would wrongly bill


def test_a_turn_on_the_older_stream_costs_the_last_usage_not_the_sum() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text=OLD_STREAM, headers={"content-type": "text/event-stream"})

    async def go() -> tuple[Usage | None, Decimal | None, str]:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        client = XaiClient(base_url="https://api.x.ai/v1", api_key="xai-test-0000", http=http)

        async def price_for(_model: str) -> ModelPrice:
            return GROK_2

        request = ChatRequest(model="grok-2", messages=(ChatMessage(Role.USER, "hi"),))
        outcome = await run_turn(client, request, price_for=price_for)
        await http.aclose()
        return outcome.usage, outcome.cost.usd, outcome.content

    usage, cost, content = asyncio.run(go())
    assert content == "Ah,"
    assert usage is not None and (usage.prompt_tokens, usage.completion_tokens) == (41, 2)
    assert usage.total_tokens == 43
    # 41 x $2/M + 2 x $10/M
    assert cost == usd(41 * 20000 + 2 * 100000) == Decimal("0.000102")


# -- money for people -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal(0), "$0.00"),
        (Decimal("0.000102"), "$0.0001"),
        (Decimal("0.00003"), "$0.000030"),
        (Decimal("0.0105"), "$0.01"),
        (Decimal("1234.5"), "$1,234.50"),
    ],
)
def test_format_usd(amount: Decimal, text: str) -> None:
    assert format_usd(amount) == text
