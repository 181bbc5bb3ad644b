"""Quick Ask's conversation: its own ChatService (over the same store and client as the main
window's, so the main window's stream and Quick Ask's never cancel each other), the model the
main window would use, and images (the clipboard's, a screenshot) prepared off the UI thread.

What Quick Ask asks is stored like any other conversation; `conversation_id` is the one to
continue in the main window. After `IDLE_RESET_S` without use, the next question starts a new
conversation (a quick question an hour later is rarely a follow-up).

Signals:
    conversation_changed(str conversation_id): "" when a new one will start
    failed(str text)
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

from PySide6.QtCore import QObject, Signal

from grok_desktop.domain.content import Detail
from grok_desktop.media.images import (
    PreparedImage,
    RawPixels,
    prepare_image_bytes,
    prepare_image_file,
    prepare_image_pixels,
)
from grok_desktop.services.chat import ChatService
from grok_desktop.services.conversations import ConversationService
from grok_desktop.services.models import ModelService
from grok_desktop.storage.errors import StorageError
from grok_desktop.storage.settings import Settings

IDLE_RESET_S = 600.0


class QuickAskService(QObject):
    conversation_changed = Signal(str)
    failed = Signal(str)

    def __init__(
        self,
        chat: ChatService,
        conversations: ConversationService,
        models: ModelService,
        settings: Settings,
        *,
        idle_reset_s: float = IDLE_RESET_S,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.chat = chat
        self.conversations = conversations
        self.models = models
        self.settings = settings
        self.idle_reset_s = idle_reset_s
        self._clock = clock
        self.conversation_id: str | None = None
        self.last_used = float("-inf")

    def _now(self) -> float:
        return self._clock()

    @property
    def busy(self) -> bool:
        return self.chat.busy

    def stale(self) -> bool:
        """True when the current conversation is old enough that a new question starts over."""
        return (
            self.conversation_id is not None
            and not self.chat.busy
            and self._now() - self.last_used > self.idle_reset_s
        )

    def new_conversation(self) -> None:
        self.chat.stop()  # a running answer is kept (saved as stopped) in its conversation
        self.conversation_id = None
        self.conversation_changed.emit("")

    def model(self) -> str | None:
        return self.models.default_model()

    def ask(self, text: str, images: list[PreparedImage] | None = None) -> bool:
        """Send `text` (and images) in the current conversation, starting one if needed.
        False (and `failed`) when it cannot be sent."""
        text = text.strip()
        images = list(images or [])
        if not text and not images:
            return False
        model = self.model()
        if model is None:
            self.failed.emit(
                self.models.last_error
                or "No model is known yet: check the connection and the API key."
            )
            self.models.refresh(force=True)
            return False
        if self.stale():
            self.new_conversation()
        if self.conversation_id is None:
            system = str(self.settings.get("default_system_prompt") or "") or None
            try:
                conversation = self.conversations.create(model, system)
            except StorageError as exc:
                self.failed.emit(str(exc))
                return False
            self.conversation_id = conversation.id
            self.conversation_changed.emit(conversation.id)
        self.last_used = self._now()
        self.chat.send(self.conversation_id, text or "What is in this image?", model, images)
        return True

    async def prepare_image(self, png: bytes) -> PreparedImage:
        """The clipboard image made ready for the API (downscaled, re-encoded) in a worker
        thread; raises media.images.ImageError with a message for people."""
        return await self._prepare(
            functools.partial(prepare_image_bytes, png, name="The clipboard image")
        )

    async def prepare_pixels(self, load: Callable[[], RawPixels], name: str) -> PreparedImage:
        """Decoded pixels (a QImage from the clipboard or a screen capture), like
        `prepare_image`; `load` runs in the worker too (no PNG encoding on the UI thread)."""

        def prepare(*, detail: Detail, max_side: int) -> PreparedImage:
            return prepare_image_pixels(load(), name=name, detail=detail, max_side=max_side)

        return await self._prepare(prepare)

    async def prepare_file(self, path: Path) -> PreparedImage:
        """An image file (the desktop portal's screenshot), read and prepared in the worker."""
        return await self._prepare(functools.partial(prepare_image_file, path))

    async def _prepare(self, prepare: Callable[..., PreparedImage]) -> PreparedImage:
        detail = str(self.settings.get("image_detail"))
        job = functools.partial(
            prepare,
            detail=cast(Detail, detail if detail in ("auto", "low", "high") else "auto"),
            max_side=int(self.settings.get("image_max_side")),
        )
        return await asyncio.get_running_loop().run_in_executor(None, job)
