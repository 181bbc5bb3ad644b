"""A stream whose deltas arrive faster than they are handled (one network read can hold
hundreds) must not hold the event loop until it ends: `run_turn` lets other work run every
few milliseconds, and the answer is still whole and in order."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from grok_desktop.api.events import ContentDelta, StreamEvent
from grok_desktop.domain.content import ChatRequest
from grok_desktop.domain.conversation import MessageStatus
from grok_desktop.services import turn
from grok_desktop.services.turn import TurnObserver, run_turn

DELTAS = 300


class _BurstClient:
    """Every delta at once, with no await in between (as when one read held them all)."""

    async def stream_chat(self, request: ChatRequest, **_: Any) -> AsyncIterator[StreamEvent]:
        for i in range(DELTAS):
            yield ContentDelta(f"{i} ")


class _SlowObserver(TurnObserver):
    """Each delta costs 0.1 ms of work, as drawing and bookkeeping do."""

    def content(self, text: str) -> None:
        end = time.perf_counter() + 0.0001
        while time.perf_counter() < end:
            pass


def test_a_burst_of_deltas_lets_the_event_loop_run_in_between() -> None:
    async def main() -> tuple[Any, int]:
        ticks = 0
        done = False

        async def other_work() -> None:
            nonlocal ticks
            while not done:
                ticks += 1
                await asyncio.sleep(0)

        other = asyncio.ensure_future(other_work())
        await asyncio.sleep(0)
        started = ticks
        outcome = await run_turn(
            _BurstClient(),  # type: ignore[arg-type]
            ChatRequest(model="m", messages=()),
            observer=_SlowObserver(),
        )
        ran_meanwhile = ticks - started
        done = True
        await other
        return outcome, ran_meanwhile

    outcome, ran_meanwhile = asyncio.run(main())
    assert outcome.status is MessageStatus.COMPLETE
    assert outcome.content == "".join(f"{i} " for i in range(DELTAS))
    # ~30 ms of handling in slices of TIME_SLICE_S: the other task ran several times
    assert ran_meanwhile >= (DELTAS * 0.0001) / turn.TIME_SLICE_S / 2
