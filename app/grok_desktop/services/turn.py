"""One exchange with the model: stream the answer, keep every word on disk while it arrives,
and settle it as complete, cancelled or error with its usage and cost.

Qt-free so that `grok-desktop ask` and the app's ChatService share exactly this code. The reply
row exists from the start (status streaming); its text is saved at least every `flush_interval`
seconds (by a timer, so a pause in the stream does not delay the save) and at once at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from grok_desktop.api.errors import XaiError
from grok_desktop.api.events import (
    ContentDelta,
    ReasoningDelta,
    RetryNotice,
    StreamStarted,
    UsageReport,
)
from grok_desktop.domain.content import ChatRequest
from grok_desktop.domain.conversation import Message, MessageStatus
from grok_desktop.domain.pricing import UNKNOWN_COST, Cost, ModelPrice, cost_of
from grok_desktop.domain.usage import Usage
from grok_desktop.storage.errors import StorageError
from grok_desktop.storage.recorder import ReplyRecorder
from grok_desktop.storage.store import Store

if TYPE_CHECKING:
    from grok_desktop.api.client import XaiClient

PriceLookup = Callable[[str], Awaitable[ModelPrice | None]]


class TurnObserver:
    """Override what you need; every hook runs on the caller's event loop thread."""

    def reply_started(self, message: Message | None) -> None: ...
    def stream_started(self, model: str) -> None: ...
    def content(self, text: str) -> None: ...
    def reasoning(self, text: str) -> None: ...
    def retrying(self, notice: RetryNotice) -> None: ...
    def usage(self, usage: Usage) -> None: ...
    def storage_failed(self, error: StorageError) -> None: ...


@dataclass(slots=True)
class TurnOutcome:
    status: MessageStatus
    model: str
    content: str = ""
    reasoning: str = ""
    usage: Usage | None = None
    cost: Cost = UNKNOWN_COST
    error: XaiError | None = None
    message_id: str | None = None
    #: Set when the reply is NOT (completely) in the store: its final save failed, or the
    #: reply row could not be created. A partial save that failed and was made good by the
    #: final save leaves it None.
    storage_error: StorageError | None = None


#: The longest stretch of stream handling before the event loop gets a turn (seconds).
TIME_SLICE_S = 0.004


async def _no_price(_model: str) -> ModelPrice | None:
    return None


async def run_turn(
    client: XaiClient,
    request: ChatRequest,
    *,
    store: Store | None = None,
    conversation_id: str | None = None,
    parent_id: str | None = None,
    observer: TurnObserver | None = None,
    price_for: PriceLookup = _no_price,
    flush_interval: float = 0.25,
    save_in: Executor | None = None,
) -> TurnOutcome:
    """Stream one answer. Returns the outcome for API failures (partial text kept, status
    error); re-raises cancellation (or any other exception) after saving the partial answer
    as cancelled. `save_in`: a one-thread executor for the partial saves (the app passes one
    so they stay off the UI thread; see ReplyRecorder)."""
    obs = observer or TurnObserver()
    outcome = TurnOutcome(MessageStatus.STREAMING, request.model)
    recorder: ReplyRecorder | None = None

    def storage_failed(exc: StorageError) -> None:
        # Disk full, read-only: the answer goes on in memory; saving is retried.
        if outcome.storage_error is None:
            obs.storage_failed(exc)
        outcome.storage_error = exc

    reply: Message | None = None
    if store is not None and conversation_id is not None and parent_id is not None:
        try:
            reply = store.start_reply(conversation_id, parent_id, request.model)
            recorder = ReplyRecorder(
                store,
                reply.id,
                interval=flush_interval,
                on_error=storage_failed,
                background=save_in,
            )
            outcome.message_id = reply.id
        except StorageError as exc:
            storage_failed(exc)
    obs.reply_started(reply)

    async def flush_periodically(rec: ReplyRecorder) -> None:
        while True:
            await asyncio.sleep(flush_interval)
            rec.flush()

    content: list[str] = []
    reasoning: list[str] = []
    flusher = asyncio.ensure_future(flush_periodically(recorder)) if recorder else None
    try:
        async with contextlib.aclosing(
            client.stream_chat(request, on_retry=obs.retrying)
        ) as events:
            slice_start = time.perf_counter()
            async for event in events:
                if time.perf_counter() - slice_start > TIME_SLICE_S:
                    # One network read can hold hundreds of deltas; handling them all in one
                    # go kept the UI thread from drawing and answering input. Let the event
                    # loop run in between.
                    await asyncio.sleep(0)
                    slice_start = time.perf_counter()
                if isinstance(event, ContentDelta):
                    content.append(event.text)
                    if recorder is not None:
                        recorder.append(event.text)
                    obs.content(event.text)
                elif isinstance(event, ReasoningDelta):
                    reasoning.append(event.text)
                    if recorder is not None:
                        recorder.append("", event.text)
                    obs.reasoning(event.text)
                elif isinstance(event, UsageReport):
                    outcome.usage = event.usage
                    obs.usage(event.usage)
                elif isinstance(event, StreamStarted):
                    if event.model:
                        outcome.model = event.model
                    obs.stream_started(outcome.model)
        outcome.status = MessageStatus.COMPLETE
    except XaiError as err:
        outcome.status = MessageStatus.ERROR
        outcome.error = err
    except BaseException:
        # Cancelled (Stop, Ctrl+C), or anything else that ends the turn early: an observer
        # failing (stdout closed under `grok-desktop ask ... | head`), a second Ctrl+C. Keep
        # what arrived instead of leaving the reply `streaming` with its last text unsaved.
        outcome.status = MessageStatus.CANCELLED
        _settle(outcome, content, reasoning, recorder, storage_failed, None)
        raise
    finally:
        if flusher is not None:
            flusher.cancel()
    price = None
    if outcome.usage is not None and outcome.usage.cost_ticks is None:
        try:
            price = await price_for(outcome.model)
        except XaiError:
            price = None
    _settle(outcome, content, reasoning, recorder, storage_failed, price)
    return outcome


def _settle(
    outcome: TurnOutcome,
    content: list[str],
    reasoning: list[str],
    recorder: ReplyRecorder | None,
    storage_failed: Callable[[StorageError], None],
    price: ModelPrice | None,
) -> None:
    outcome.content = "".join(content)
    outcome.reasoning = "".join(reasoning)
    if outcome.usage is not None:
        outcome.cost = cost_of(outcome.usage, price)
    if recorder is None:
        return
    try:
        recorder.finish(
            outcome.status,
            usage=outcome.usage,
            cost=outcome.cost if outcome.usage else None,
            error=outcome.error.user_message() if outcome.error else None,
        )
    except StorageError as exc:
        storage_failed(exc)
    else:
        outcome.storage_error = None  # the final save holds everything: earlier misses are moot
