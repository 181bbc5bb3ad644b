"""The app's chat verbs: send, stop, regenerate, edit and resend, retry, continue.

One task at a time: starting a new one cancels the running one first (its partial answer is
kept as "cancelled"), so a stale answer never lands in the wrong place. The streaming work is
`services.turn.run_turn`, exactly what the CLI uses. `live_reply(conversation_id)` is the
answer being written so far, so a view that comes back to its conversation can pick it up.

A new question goes below the last message shown, even a failed or empty reply, so the
conversation reads as it happened; what is sent as context leaves those out (services.context).

Signals:
    user_message_added(str conversation_id, object Message)
    reply_started(str conversation_id, object Message | None)
    content_received(str text) / reasoning_received(str text): one per received delta
    reply_finished(str conversation_id, object TurnOutcome, object Message | None)
    status_changed(str text): "Connecting…", "Retrying in 3 s (attempt 2/4)", "Streaming 180 tok/s"
    busy_changed(bool)
    failed(str text): a failure to show (the reply itself also carries its error)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from grok_desktop.api.errors import XaiError
from grok_desktop.api.events import RetryNotice
from grok_desktop.domain.content import ChatMessage, ChatRequest, Role
from grok_desktop.domain.conversation import Message
from grok_desktop.domain.pricing import ModelPrice
from grok_desktop.domain.text import GrowingText
from grok_desktop.media.images import PreparedImage
from grok_desktop.services.catalog import ModelCatalog
from grok_desktop.services.context import CONTINUE_PROMPT, context_messages
from grok_desktop.services.turn import TurnObserver, TurnOutcome, run_turn
from grok_desktop.storage.errors import StorageError
from grok_desktop.storage.store import Store

if TYPE_CHECKING:
    from grok_desktop.api.client import XaiClient

__all__ = ["CONTINUE_PROMPT", "ChatService", "LiveReply"]


@dataclass(slots=True)
class LiveReply:
    """The answer being streamed: its stored row (None until it exists, or when it could not
    be saved) and the text received so far."""

    conversation_id: str
    message: Message | None = None
    received: GrowingText = field(default_factory=GrowingText)
    received_reasoning: GrowingText = field(default_factory=GrowingText)

    @property
    def content(self) -> str:
        return self.received.text

    @property
    def reasoning(self) -> str:
        return self.received_reasoning.text


class _SignalObserver(TurnObserver):
    def __init__(self, service: ChatService, conversation_id: str, live: LiveReply) -> None:
        self.s = service
        self.conversation_id = conversation_id
        self.live = live
        self.first_token_at: float | None = None
        self.tokens = 0
        self.last_status = 0.0

    def reply_started(self, message: Message | None) -> None:
        self.live.message = message
        self.s.reply_started.emit(self.conversation_id, message)

    def content(self, text: str) -> None:
        now = time.monotonic()
        if self.first_token_at is None:
            self.first_token_at = now
        self.tokens += 1
        if now - self.last_status > 0.5 and now > self.first_token_at:
            rate = self.tokens / (now - self.first_token_at)
            self.s.status_changed.emit(f"Streaming {rate:.0f} tok/s")
            self.last_status = now
        self.live.received.append(text)
        self.s.content_received.emit(text)

    def reasoning(self, text: str) -> None:
        if self.first_token_at is None and self.tokens == 0:
            self.s.status_changed.emit("Thinking…")
            self.tokens = -1  # status shown once
        self.live.received_reasoning.append(text)
        self.s.reasoning_received.emit(text)

    def stream_started(self, model: str) -> None:
        self.s.status_changed.emit(f"Waiting for {model}…")

    def retrying(self, notice: RetryNotice) -> None:
        self.s.status_changed.emit(notice.describe())

    def storage_failed(self, error: StorageError) -> None:
        self.s.failed.emit(f"{error} The answer is kept in this window but not saved.")


class ChatService(QObject):
    user_message_added = Signal(str, object)
    reply_started = Signal(str, object)
    content_received = Signal(str)
    reasoning_received = Signal(str)
    reply_finished = Signal(str, object, object)
    status_changed = Signal(str)
    busy_changed = Signal(bool)
    failed = Signal(str)

    def __init__(
        self,
        store: Store,
        client: Callable[[], XaiClient],
        catalog: ModelCatalog,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self._client = client
        self.catalog = catalog
        self._task: asyncio.Task[None] | None = None
        self.conversation_id: str | None = None
        self._live: LiveReply | None = None
        # Partial saves of the streaming reply run here, not on the UI thread (ReplyRecorder).
        self._saver = ThreadPoolExecutor(max_workers=1, thread_name_prefix="grok-reply-saver")

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def live_reply(self, conversation_id: str) -> LiveReply | None:
        """The answer streaming in this conversation right now, if any."""
        live = self._live
        return live if live is not None and live.conversation_id == conversation_id else None

    # -- verbs ----------------------------------------------------------------------------------
    def send(
        self,
        conversation_id: str,
        text: str,
        model: str,
        images: list[PreparedImage] | None = None,
    ) -> None:
        images = images or []
        try:
            attachments = [
                replace(
                    self.store.add_attachment(i.data, i.mime, i.width, i.height), detail=i.detail
                )
                for i in images
            ]
            user = self.store.add_message(
                conversation_id,
                Role.USER,
                text,
                parent_id=self.store.current_leaf_id(conversation_id),
                attachments=attachments,
            )
        except StorageError as exc:
            self.failed.emit(str(exc))
            return
        self.user_message_added.emit(conversation_id, user)
        self._start(conversation_id, user, model)

    def regenerate(self, assistant_message_id: str, model: str) -> None:
        """A new answer to the same question, as a sibling branch (the old one is kept)."""
        reply = self.store.get_message(assistant_message_id)
        if reply is None or reply.parent_id is None:
            return
        parent = self.store.get_message(reply.parent_id)
        if parent is not None:
            self._start(reply.conversation_id, parent, model)

    def edit_and_resend(self, user_message_id: str, text: str, model: str) -> bool:
        """The edited question becomes a sibling of the original; both branches are kept.
        False (and `failed` says why) when it could not be stored."""
        try:
            original = self.store.get_message(user_message_id)
            if original is None:
                self.failed.emit("The message being edited was deleted; the text is kept.")
                return False
            user = self.store.add_message(
                original.conversation_id,
                Role.USER,
                text,
                parent_id=original.parent_id,
                attachments=original.attachments,
            )
        except StorageError as exc:
            self.failed.emit(str(exc))
            return False
        self.user_message_added.emit(original.conversation_id, user)
        self._start(original.conversation_id, user, model)
        return True

    def continue_reply(self, assistant_message_id: str, model: str) -> None:
        try:
            reply = self.store.get_message(assistant_message_id)
            if reply is None:
                return
            user = self.store.add_message(
                reply.conversation_id, Role.USER, CONTINUE_PROMPT, parent_id=reply.id
            )
        except StorageError as exc:
            self.failed.emit(str(exc))
            return
        self.user_message_added.emit(reply.conversation_id, user)
        self._start(reply.conversation_id, user, model)

    def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    # -- running --------------------------------------------------------------------------------
    def _request(self, conversation_id: str, user: Message, model: str) -> ChatRequest:
        conversation = self.store.get_conversation(conversation_id)
        path = self.store.branch_path(conversation_id, user.id)
        messages: list[ChatMessage] = []
        if conversation is not None and conversation.system_prompt:
            messages.append(ChatMessage(Role.SYSTEM, conversation.system_prompt))
        messages.extend(context_messages(self.store, path))
        return ChatRequest(model=model, messages=tuple(messages))

    def _start(self, conversation_id: str, user: Message, model: str) -> None:
        self.stop()
        self._run(self._turn(conversation_id, user, model))

    def _run(self, coro: Coroutine[Any, Any, None]) -> None:
        previous = self._task
        self._task = asyncio.ensure_future(self._after(previous, coro))
        self.busy_changed.emit(True)

    async def _after(
        self, previous: asyncio.Task[None] | None, coro: Coroutine[Any, Any, None]
    ) -> None:
        if previous is not None and not previous.done():
            try:
                await previous  # let the cancelled turn save its partial answer first
            except BaseException:
                pass
        try:
            await coro
        finally:
            if self._task is asyncio.current_task():
                self.busy_changed.emit(False)

    async def _turn(self, conversation_id: str, user: Message, model: str) -> None:
        self.status_changed.emit("Connecting…")
        self.conversation_id = conversation_id
        live = self._live = LiveReply(conversation_id)
        try:
            await self._stream(conversation_id, user, model, live)
        finally:
            if self._live is live:
                self._live = None

    async def _stream(
        self, conversation_id: str, user: Message, model: str, live: LiveReply
    ) -> None:
        observer = _SignalObserver(self, conversation_id, live)
        client = self._client()
        request = self._request(conversation_id, user, model)
        try:
            self.store.set_model(conversation_id, model)
        except StorageError:
            pass

        async def price_for(name: str) -> ModelPrice | None:
            if self.catalog.price(name) is None:
                await self.catalog.ensure(client)
            return self.catalog.price(name)

        outcome: TurnOutcome | None = None
        try:
            outcome = await run_turn(
                client,
                request,
                store=self.store,
                conversation_id=conversation_id,
                parent_id=user.id,
                observer=observer,
                price_for=price_for,
                save_in=self._saver,
            )
        except asyncio.CancelledError:
            self.status_changed.emit("Stopped")
            self._finish(conversation_id, None, observer)
            raise
        except XaiError as exc:  # before the stream started (no key, bad URL)
            self.status_changed.emit(exc.user_message().splitlines()[0])
            self.failed.emit(exc.user_message())
            return
        if outcome.error is not None:
            self.status_changed.emit(outcome.error.user_message().splitlines()[0])
        else:
            self.status_changed.emit("Ready")
        self._finish(conversation_id, outcome, observer)

    def _finish(
        self, conversation_id: str, outcome: TurnOutcome | None, observer: _SignalObserver
    ) -> None:
        if self._live is observer.live:
            self._live = None  # whoever hears reply_finished sees the stored reply only
        message_id = outcome.message_id if outcome else None
        stored = None
        if message_id is None and outcome is None:
            # cancelled: find the reply that run_turn saved as cancelled
            started = observer.live.message
            leaf = started.id if started else self.store.current_leaf_id(conversation_id)
            stored = self.store.get_message(leaf) if leaf else None
        elif message_id is not None:
            stored = self.store.get_message(message_id)
        self.reply_finished.emit(conversation_id, outcome, stored)
