"""Which models exist, what they accept and cost: /v1/language-models, cached on disk with the
date it was fetched (prices change; a day-old list is refreshed). Qt-free, shared by CLI and app.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grok_desktop.api.errors import XaiError
from grok_desktop.domain.models import LanguageModel, find_model, is_chat_model, pick_default_model
from grok_desktop.domain.pricing import ModelPrice

if TYPE_CHECKING:
    from grok_desktop.api.client import XaiClient

MAX_AGE = 24 * 3600.0


class ModelCatalog:
    def __init__(self, cache_file: Path | None, base_url: str) -> None:
        self.cache_file = cache_file
        self.base_url = base_url
        self.models: list[LanguageModel] = []
        self.fetched_at: float | None = None
        self._load_cache()

    # -- cache --------------------------------------------------------------------------------
    def _load_cache(self) -> None:
        if self.cache_file is None:
            return
        try:
            raw = json.loads(self.cache_file.read_text("utf-8"))
            if raw.get("base_url") != self.base_url:
                return
            self.models = [_model_from_json(m) for m in raw["models"]]
            self.fetched_at = float(raw["fetched_at"])
        except (OSError, ValueError, KeyError, TypeError):
            self.models, self.fetched_at = [], None

    def _save_cache(self) -> None:
        if self.cache_file is None or self.fetched_at is None:
            return
        doc = {
            "base_url": self.base_url,
            "fetched_at": self.fetched_at,
            "models": [asdict(m) for m in self.models],
        }
        try:
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.cache_file.parent, prefix=".models-")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(doc, f)
            os.replace(tmp, self.cache_file)
        except OSError:
            pass  # a cache that cannot be written only costs a request next time

    @property
    def stale(self) -> bool:
        return self.fetched_at is None or time.time() - self.fetched_at > MAX_AGE

    # -- queries ------------------------------------------------------------------------------
    async def refresh(self, client: XaiClient, *, force: bool = False) -> list[LanguageModel]:
        if force or self.stale or not self.models:
            self.models = await client.language_models()
            self.fetched_at = time.time()
            self._save_cache()
        return self.models

    async def ensure(self, client: XaiClient) -> list[LanguageModel]:
        """The list, fetched only when there is none or it is stale; a failed refresh keeps
        the old list (prices of yesterday beat no prices)."""
        try:
            return await self.refresh(client)
        except XaiError:
            if self.models:
                return self.models
            raise

    def find(self, name: str) -> LanguageModel | None:
        return find_model(self.models, name)

    def price(self, name: str) -> ModelPrice | None:
        model = self.find(name)
        return model.price if model else None

    def default_model(self) -> str | None:
        return pick_default_model(self.models)

    def chat_model_ids(self) -> list[str]:
        return [m.id for m in sorted(self.models, key=lambda m: -m.created) if is_chat_model(m)]


def _model_from_json(raw: dict[str, Any]) -> LanguageModel:
    price = raw.get("price")
    return LanguageModel(
        id=raw["id"],
        created=int(raw.get("created", 0)),
        input_modalities=tuple(raw.get("input_modalities", ("text",))),
        output_modalities=tuple(raw.get("output_modalities", ("text",))),
        aliases=tuple(raw.get("aliases", ())),
        price=ModelPrice(**price) if isinstance(price, dict) else None,
    )
