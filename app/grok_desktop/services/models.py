"""The model list for the picker, from the catalog (cached on disk, refreshed when stale).

Signals:
    models_changed(list[LanguageModel])
    failed(str text)
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from grok_desktop.api.errors import XaiError
from grok_desktop.domain.models import LanguageModel, is_chat_model
from grok_desktop.services.catalog import ModelCatalog
from grok_desktop.storage.settings import Settings

if TYPE_CHECKING:
    from grok_desktop.api.client import XaiClient


class ModelService(QObject):
    models_changed = Signal(list)
    failed = Signal(str)

    def __init__(
        self,
        catalog: ModelCatalog,
        client: Callable[[], XaiClient],
        settings: Settings,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self._client = client
        self.settings = settings
        self._task: asyncio.Task[None] | None = None
        #: Why the list could not be loaded (shown again when a send finds no model).
        self.last_error: str | None = None

    def chat_models(self) -> list[LanguageModel]:
        return [m for m in self.catalog.models if is_chat_model(m)]

    def default_model(self) -> str | None:
        remembered = self.settings.get("default_model")
        if remembered and (not self.catalog.models or self.catalog.find(str(remembered))):
            return str(remembered)
        return self.catalog.default_model()

    def accepts_images(self, model: str) -> bool | None:
        found = self.catalog.find(model)
        return None if found is None else found.accepts_images

    def refresh(self, force: bool = False) -> None:
        if self._task is not None and not self._task.done():
            return
        self._task = asyncio.ensure_future(self._refresh(force))

    async def _refresh(self, force: bool) -> None:
        try:
            await self.catalog.refresh(self._client(), force=force)
        except XaiError as exc:
            if not self.catalog.models:
                self.last_error = f"Could not load the model list: {exc.message}"
                self.failed.emit(self.last_error)
            return
        self.last_error = None
        if not self.settings.get("default_model"):
            chosen = self.catalog.default_model()
            if chosen:
                self.settings.set("default_model", chosen)
        self.models_changed.emit(self.chat_models())
