"""Saving a streaming reply as it grows, without a write per token.

    recorder = ReplyRecorder(store, store.start_reply(cid, parent_id, model).id)
    for delta in stream:
        recorder.append(content_delta=delta.text, reasoning_delta=delta.reasoning)
    recorder.finish(MessageStatus.COMPLETE, usage=usage, cost=cost)

`append` keeps the text in memory and saves when `interval` seconds have passed since the last
save. Tokens can pause for a long time (the model thinking), so the caller ALSO calls `flush()`
from a timer (e.g. a QTimer every `interval` seconds): then at most `interval` seconds of text is
lost when the app dies, however the tokens arrive.

With `background` (an executor with ONE worker), partial saves run on that thread instead of
the caller's: a save of a long answer rewrites its row and its full-text index entry (~14 ms at
240 KB here), which on the UI thread was a stall every `interval`. One save is in flight at a
time; text that arrives meanwhile goes with the next one; `finish` waits for it first. SQLite
works with the GIL released, so the save really runs beside the UI.

A failed save (disk full, read-only folder) does not interrupt the stream: the text stays in
memory (`content`, `reasoning`), the error is kept in `save_error` and passed to `on_error`,
and the next save tries again. `finish` raises if the final save fails, so the caller can keep
its in-memory state and tell the person.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Protocol

from grok_desktop.domain.conversation import Message, MessageStatus
from grok_desktop.domain.pricing import Cost
from grok_desktop.domain.text import GrowingText
from grok_desktop.domain.usage import Usage
from grok_desktop.storage.errors import StorageError


class ReplySink(Protocol):
    def save_partial(self, message_id: str, content: str, reasoning: str = "") -> None: ...

    def finish_reply(
        self,
        message_id: str,
        status: MessageStatus,
        content: str,
        reasoning: str = "",
        usage: Usage | None = None,
        cost: Cost | None = None,
        error: str | None = None,
    ) -> Message: ...


class ReplyRecorder:
    def __init__(
        self,
        store: ReplySink,
        message_id: str,
        interval: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
        on_error: Callable[[StorageError], None] | None = None,
        background: Executor | None = None,
    ) -> None:
        self._store = store
        self._background = background
        self._in_flight: Future[None] | None = None
        self.message_id = message_id
        self.interval = interval
        self._clock = clock
        self._on_error = on_error
        self._content = GrowingText()
        self._reasoning = GrowingText()
        self._dirty = False
        self._last_save = clock()
        self.saves = 0
        self.save_error: StorageError | None = None
        self.finished = False

    @property
    def content(self) -> str:
        return self._content.text

    @property
    def reasoning(self) -> str:
        return self._reasoning.text

    @property
    def dirty(self) -> bool:
        return self._dirty

    def append(self, content_delta: str = "", reasoning_delta: str = "") -> None:
        if self.finished:
            raise RuntimeError("the reply is already finished")
        if not content_delta and not reasoning_delta:
            return
        if content_delta:
            self._content.append(content_delta)
        if reasoning_delta:
            self._reasoning.append(reasoning_delta)
        self._dirty = True
        if self._clock() - self._last_save >= self.interval:
            self.flush()

    def flush(self) -> bool:
        """Save now if anything is unsaved; returns whether it saved (with `background`:
        whether a save was started)."""
        self._collect()
        if not self._dirty or self.finished:
            return False
        if self._background is not None:
            if self._in_flight is not None:
                return False  # one at a time: what is new now goes with the next save
            self._dirty = False
            self._last_save = self._clock()
            self._in_flight = self._background.submit(
                self._store.save_partial, self.message_id, self.content, self.reasoning
            )
            return True
        try:
            self._store.save_partial(self.message_id, self.content, self.reasoning)
        except StorageError as exc:
            self.save_error = exc
            self._last_save = self._clock()  # retry after the interval, not on every token
            if self._on_error is not None:
                self._on_error(exc)
            return False
        self._dirty = False
        self._last_save = self._clock()
        self.saves += 1
        self.save_error = None
        return True

    def _collect(self, wait: bool = False) -> None:
        """Take in the result of a background save once it is done (or wait for it)."""
        pending = self._in_flight
        if pending is None or not (wait or pending.done()):
            return
        self._in_flight = None
        exc = pending.exception()
        if exc is None:
            self.saves += 1
            self.save_error = None
        elif isinstance(exc, StorageError):
            self.save_error = exc
            self._dirty = True  # saved again by the next flush
            if self._on_error is not None:
                self._on_error(exc)
        else:
            raise exc

    def finish(
        self,
        status: MessageStatus,
        usage: Usage | None = None,
        cost: Cost | None = None,
        error: str | None = None,
    ) -> Message:
        """The final save (text, status, usage, cost). Raises StorageError if it fails; the
        recorder then stays usable so `finish` can be called again."""
        self._collect(wait=True)  # a partial save still running must not land after this
        message = self._store.finish_reply(
            self.message_id, status, self.content, self.reasoning, usage, cost, error
        )
        self.finished = True
        self._dirty = False
        self.saves += 1
        return message
