"""What every CLI command needs, resolved once from flags, environment and settings:
data paths, settings, base URL, the key, and factories for the client and the store."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TextIO

from grok_desktop.api.client import XaiClient
from grok_desktop.api.errors import ConfigError
from grok_desktop.api.retry import RetryPolicy
from grok_desktop.api.transport import normalize_base_url, stall_timeout_from_env
from grok_desktop.cli.exits import INTERNAL, USAGE, CliError
from grok_desktop.platform.secrets import (
    KeySource,
    ResolvedKey,
    SecretStore,
    open_secret_store,
    resolve_api_key,
)
from grok_desktop.services.catalog import ModelCatalog
from grok_desktop.storage.errors import NotAFolderError, StorageError, StorageWriteError
from grok_desktop.storage.paths import DataPaths
from grok_desktop.storage.settings import Settings
from grok_desktop.storage.store import Store


@dataclass
class CliContext:
    args: argparse.Namespace
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    secret_store: SecretStore | None = None

    @cached_property
    def paths(self) -> DataPaths:
        explicit = getattr(self.args, "data_dir", None) or self.env.get("GROK_DESKTOP_DATA_DIR")
        paths = DataPaths.resolve(explicit or None)
        try:
            paths.ensure()
        except NotAFolderError as exc:
            raise CliError(str(exc), USAGE) from None
        except StorageWriteError as exc:
            raise CliError(
                f"Cannot create the data folder {paths.root}: {exc.reason}. "
                "Choose another with --data-dir or GROK_DESKTOP_DATA_DIR.",
                INTERNAL,
            ) from None
        return paths

    @cached_property
    def settings(self) -> Settings:
        settings = Settings.load(self.paths.settings)
        if settings.load_warning:
            self.stderr.write(f"warning: {settings.load_warning}\n")
        return settings

    @cached_property
    def base_url(self) -> str:
        url = (
            getattr(self.args, "base_url", None)
            or self.env.get("GROK_DESKTOP_BASE_URL")
            or self.settings.get("base_url")
        )
        try:
            return normalize_base_url(str(url), allow_insecure_http=self.allow_insecure_http)
        except ConfigError as exc:
            raise CliError(exc.user_message(), USAGE) from None

    @property
    def allow_insecure_http(self) -> bool:
        return bool(getattr(self.args, "allow_insecure_http", False)) or bool(
            self.settings.get("allow_insecure_http")
        )

    @cached_property
    def stall_timeout(self) -> float:
        try:
            if "GROK_DESKTOP_STALL_TIMEOUT" in self.env:
                return stall_timeout_from_env(self.env)
        except ConfigError as exc:
            raise CliError(exc.user_message(), USAGE) from None
        return float(self.settings.get("stall_timeout"))

    def secrets(self) -> SecretStore:
        if self.secret_store is None:
            self.secret_store, problem = open_secret_store()
            if problem and not self.env.get("XAI_API_KEY"):
                self.stderr.write(f"warning: {problem}\n")
        return self.secret_store

    def resolve_key(self) -> ResolvedKey:
        if self.env.get("XAI_API_KEY", "").strip():
            return ResolvedKey(self.env["XAI_API_KEY"].strip(), KeySource.ENVIRONMENT)
        return resolve_api_key(self.secrets(), self.env)

    def client(self, api_key: str | None) -> XaiClient:
        retries = getattr(self.args, "retries", None)  # `ask --retries N`
        return XaiClient(
            base_url=self.base_url,
            api_key=api_key,
            stall_timeout=self.stall_timeout,
            retry=None if retries is None else RetryPolicy(max_retries=retries),
            allow_insecure_http=self.allow_insecure_http,
        )

    def catalog(self) -> ModelCatalog:
        return ModelCatalog(self.paths.cache / "language-models.json", self.base_url)

    def open_store(self) -> Store:
        try:
            store = Store.open(self.paths)
        except StorageError as exc:
            raise CliError(str(exc), INTERNAL) from None
        recovered = getattr(store, "recovered_from", None)
        if recovered is not None:
            self.stderr.write(
                f"warning: the history database was damaged and has been moved to {recovered}; "
                "a new, empty history was started.\n"
            )
        return store
