"""Replies saved while they stream, the recorder's timing, usage and cost."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from grok_desktop.domain.content import Role
from grok_desktop.domain.conversation import Message, MessageStatus
from grok_desktop.domain.pricing import Cost, CostSource
from grok_desktop.domain.usage import Usage
from grok_desktop.storage import NotFoundError, StorageError, StorageWriteError, Store
from grok_desktop.storage.recorder import ReplyRecorder
from grok_desktop.storage.usage import _local_midnight_ms


class Ticker:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def _started(store: Store) -> tuple[str, Message]:
    c = store.create_conversation()
    u = store.add_message(c.id, Role.USER, "hi")
    return c.id, store.start_reply(c.id, u.id, "grok-4")


def test_reply_exists_from_the_start_and_grows(store: Store) -> None:
    cid, reply = _started(store)
    assert reply.status is MessageStatus.STREAMING
    assert reply.content == ""
    assert store.branch_path(cid)[-1].id == reply.id
    store.save_partial(reply.id, "Hel", "hmm")
    got = store.get_message(reply.id)
    assert got is not None
    assert (got.content, got.reasoning, got.status) == ("Hel", "hmm", MessageStatus.STREAMING)
    usage = Usage(
        prompt_tokens=120,
        completion_tokens=30,
        reasoning_tokens=50,
        cached_tokens=100,
        image_tokens=0,
        total_tokens=200,
        cost_ticks=12_345_000,
    )
    done = store.finish_reply(
        reply.id,
        MessageStatus.COMPLETE,
        "Hello!",
        "hmm, greet",
        usage,
        Cost(Decimal("0.0012345"), CostSource.SERVER),
    )
    assert done.status is MessageStatus.COMPLETE
    assert done.usage == usage
    assert done.cost_usd == Decimal("0.0012345")
    assert done.cost_source is CostSource.SERVER
    assert store.get_message(reply.id) == done


def test_error_keeps_partial_text(store: Store) -> None:
    _, reply = _started(store)
    store.save_partial(reply.id, "half an ans")
    done = store.finish_reply(
        reply.id, MessageStatus.ERROR, "half an ans", error="connection reset"
    )
    assert (done.status, done.content, done.error) == (
        MessageStatus.ERROR,
        "half an ans",
        "connection reset",
    )
    assert done.usage is None
    assert done.cost_source is CostSource.UNKNOWN


def test_finish_needs_a_final_status(store: Store) -> None:
    _, reply = _started(store)
    with pytest.raises(ValueError, match="final status"):
        store.finish_reply(reply.id, MessageStatus.STREAMING, "")


def test_saving_a_deleted_reply_says_so(store: Store) -> None:
    cid, reply = _started(store)
    store.delete_conversation(cid)
    with pytest.raises(NotFoundError):
        store.save_partial(reply.id, "x")


def test_recorder_saves_at_most_every_interval(store: Store) -> None:
    _, reply = _started(store)
    clock = Ticker()
    rec = ReplyRecorder(store, reply.id, interval=0.25, clock=clock)
    for _ in range(10):  # a burst within the interval: kept in memory only
        rec.append("ab")
        clock.t += 0.01
    assert rec.saves == 0
    assert store.get_message(reply.id).content == ""  # type: ignore[union-attr]
    clock.t += 0.2  # 0.3 s after the start
    rec.append("c", "thinking")
    assert rec.saves == 1
    assert store.get_message(reply.id).content == "ab" * 10 + "c"  # type: ignore[union-attr]
    rec.append("d")  # right after a save: not saved yet
    assert rec.saves == 1
    assert rec.dirty
    # tokens pause; the caller's timer flushes
    clock.t += 1.0
    assert rec.flush()
    assert not rec.flush()  # nothing new
    got = store.get_message(reply.id)
    assert got is not None
    assert (got.content, got.reasoning) == ("ab" * 10 + "cd", "thinking")
    done = rec.finish(MessageStatus.COMPLETE, usage=Usage(prompt_tokens=1, total_tokens=1))
    assert done.content == "ab" * 10 + "cd"
    assert done.status is MessageStatus.COMPLETE
    with pytest.raises(RuntimeError):
        rec.append("late")


def test_recorder_survives_a_failed_save(store: Store) -> None:
    _, reply = _started(store)
    clock = Ticker()
    seen: list[StorageError] = []
    rec = ReplyRecorder(store, reply.id, interval=0.25, clock=clock, on_error=seen.append)
    store._db.conn.execute("PRAGMA query_only = ON")
    clock.t += 1
    rec.append("kept in memory")
    assert isinstance(rec.save_error, StorageWriteError)
    assert len(seen) == 1
    assert rec.dirty
    assert rec.content == "kept in memory"
    with pytest.raises(StorageWriteError):
        rec.finish(MessageStatus.COMPLETE)
    store._db.conn.execute("PRAGMA query_only = OFF")
    clock.t += 1
    rec.append("!")
    assert rec.save_error is None
    assert rec.finish(MessageStatus.COMPLETE).content == "kept in memory!"


def test_usage_rows_per_day_and_model(store: Store) -> None:
    c = store.create_conversation()
    u = store.add_message(c.id, Role.USER, "q")

    def reply(model: str, prompt: int, cost: str | None, ticks: int | None = None) -> None:
        r = store.start_reply(c.id, u.id, model)
        store.finish_reply(
            r.id,
            MessageStatus.COMPLETE,
            "a",
            "",
            Usage(
                prompt_tokens=prompt,
                completion_tokens=10,
                total_tokens=prompt + 10,
                cost_ticks=ticks,
            ),
            Cost(
                None if cost is None else Decimal(cost),
                CostSource.UNKNOWN if cost is None else CostSource.PRICE_LIST,
            ),
        )

    reply("grok-4", 100, "0.001")
    reply("grok-4", 200, "0.002", ticks=5)
    reply("grok-4", 50, None)
    reply("grok-mini", 10, "0.0001")
    rows = store.usage_rows()
    assert [r.model for r in rows] == ["grok-4", "grok-mini"]
    big = rows[0]
    assert big.replies == 3
    assert big.usage.prompt_tokens == 350
    assert big.usage.completion_tokens == 30
    assert big.usage.cost_ticks == 5
    assert big.cost_usd == Decimal("0.003")
    assert big.unknown_cost_replies == 1
    day = rows[0].day
    assert store.usage_rows(since=day) == rows
    assert store.usage_rows(since=day + timedelta(days=1)) == []
    # spending stays counted after the conversation is deleted, and undo does not double it
    snapshot = store.delete_conversation(c.id)
    assert store.usage_rows() == rows
    store.restore_conversation(snapshot)
    assert store.usage_rows() == rows


def test_local_midnight_is_a_local_day_boundary() -> None:
    from grok_desktop.storage.timeutil import from_ms

    ms = _local_midnight_ms(date(2026, 3, 1))
    local = from_ms(ms).astimezone()
    assert (local.year, local.month, local.day, local.hour, local.minute) == (2026, 3, 1, 0, 0)


class _SlowSaves:
    """The store, with partial saves that wait for a go-ahead and note their thread."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.go = threading.Event()
        self.started = threading.Event()
        self.threads: list[str] = []
        self.saved: list[str] = []

    def save_partial(self, message_id: str, content: str, reasoning: str = "") -> None:
        self.threads.append(threading.current_thread().name)
        self.started.set()
        self.go.wait(10)
        self.store.save_partial(message_id, content, reasoning)
        self.saved.append(content)

    def finish_reply(self, *args: Any, **kwargs: Any) -> Message:
        return self.store.finish_reply(*args, **kwargs)


def test_background_saves_run_off_the_callers_thread_one_at_a_time(store: Store) -> None:
    _, reply = _started(store)
    clock = Ticker()
    sink = _SlowSaves(store)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="saver") as saver:
        rec = ReplyRecorder(sink, reply.id, interval=0.25, clock=clock, background=saver)
        clock.t += 1
        rec.append("one")  # starts a save, which now waits: the caller does not
        assert sink.started.wait(10)
        assert sink.threads[0].startswith("saver")
        clock.t += 1
        rec.append(" two")  # a save is in flight: this text waits for the next one
        assert len(sink.threads) == 1
        assert rec.dirty
        sink.go.set()
        done = rec.finish(MessageStatus.COMPLETE)  # waits for the save in flight first
    assert sink.saved == ["one"]
    assert done.content == "one two"
    assert store.get_message(reply.id).content == "one two"  # type: ignore[union-attr]


def test_a_failed_background_save_is_reported_and_tried_again(store: Store) -> None:
    _, reply = _started(store)
    clock = Ticker()
    seen: list[StorageError] = []
    with ThreadPoolExecutor(max_workers=1) as saver:
        rec = ReplyRecorder(
            store, reply.id, interval=0.25, clock=clock, on_error=seen.append, background=saver
        )
        store._db.conn.execute("PRAGMA query_only = ON")
        clock.t += 1
        rec.append("kept")
        rec._collect(wait=True)
        assert isinstance(rec.save_error, StorageWriteError) and len(seen) == 1
        assert rec.dirty  # saved again by the next flush
        store._db.conn.execute("PRAGMA query_only = OFF")
        clock.t += 1
        assert rec.flush()
        rec._collect(wait=True)
        assert rec.save_error is None
        assert store.get_message(reply.id).content == "kept"  # type: ignore[union-attr]
        assert rec.finish(MessageStatus.COMPLETE).content == "kept"
