"""The API key from inside the app: check it (GET /v1/api-key), keep it in the SecretStore, put it
on the live client, or remove it.

Everything slow runs off the UI thread: the check is awaited on the event loop, the keyring is
called through `asyncio.to_thread` (a session bus without a Secret Service can hang a keyring
call; `KeyringSecretStore` gives up after its timeout). When no keyring works the key is kept in
memory for this session only, and `KeyStatus.problem` says why. The key itself is never logged
and never leaves this object except to the keyring and the client's Authorization header.

Signals:
    checked(object KeyCheck): the answer of `check(key)`
    saved(object KeyStatus): the key is stored (or kept in memory) and in use
    removed(object KeyStatus): the key is gone from the store and from the client
    failed(str text): the key could not be stored or removed
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from grok_desktop.api.errors import AuthError, XaiError
from grok_desktop.api.info import ApiKeyInfo
from grok_desktop.api.retry import RetryPolicy
from grok_desktop.platform.secrets import (
    KeySource,
    MemorySecretStore,
    ResolvedKey,
    SecretStore,
    SecretStoreError,
    open_secret_store,
    redact,
)

if TYPE_CHECKING:
    from grok_desktop.api.client import XaiClient

CONSOLE_URL = "https://console.x.ai"
#: A key check is a single small GET; do not keep the person waiting through long backoffs.
CHECK_RETRY = RetryPolicy(max_retries=1, base_delay=0.5, max_delay=2.0, max_retry_after=5.0)
CHECK_STALL_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class KeyCheck:
    """What the API said about a key. `rejected`: the API refused it (do not save it);
    an `error` without `rejected` means the API could not be asked (network, server)."""

    redacted: str
    info: ApiKeyInfo | None = None
    error: str | None = None
    rejected: bool = False

    @property
    def usable(self) -> bool:
        return self.info is not None and self.info.usable


@dataclass(frozen=True, slots=True)
class KeyStatus:
    redacted: str | None  # None: no key
    source: KeySource
    store_name: str | None = None  # where a saved key is kept
    problem: str | None = None  # why the keyring is not used

    def describe(self) -> str:
        """Where the key comes from, in words (never the key itself)."""
        if self.redacted is None:
            text = "No API key is set."
        elif self.source is KeySource.ENVIRONMENT:
            text = (
                f"{self.redacted}, from the environment (XAI_API_KEY). "
                "It wins over a stored key at every start."
            )
        elif self.source is KeySource.MEMORY:
            text = f"{self.redacted}, kept in memory for this session only."
        else:
            where = f" ({self.store_name})" if self.store_name else ""
            text = f"{self.redacted}, stored in the system keyring{where}."
        if self.problem:
            text += f" {self.problem}"
        return text


def clean_key(text: str) -> str:
    """The key as pasted, without surrounding blanks or a copied "Bearer " prefix."""
    key = text.strip()
    if key.lower().startswith("bearer "):
        key = key[7:].strip()
    return key


def key_shape_problem(key: str) -> str | None:
    if not key:
        return f"Paste the key from {CONSOLE_URL} (API Keys)."
    if any(c.isspace() for c in key):
        return "The key contains spaces or line breaks; paste only the key itself."
    return None


class KeyService(QObject):
    checked = Signal(object)
    saved = Signal(object)
    removed = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        client: Callable[[], XaiClient],
        resolved: ResolvedKey,
        *,
        open_store: Callable[[], tuple[SecretStore, str | None]] = open_secret_store,
        check_client: Callable[[str], XaiClient] | None = None,
        env: Mapping[str, str] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._client = client
        self._open_store = open_store
        self._check_client = check_client or self._default_check_client
        self._env = os.environ if env is None else env
        self._store: SecretStore | None = None
        self._problem: str | None = resolved.problem
        self._key = resolved.key
        self._source = resolved.source
        self._task: asyncio.Task[None] | None = None
        self.busy = False

    # -- state ----------------------------------------------------------------------------------
    @property
    def has_key(self) -> bool:
        return bool(self._key)

    @property
    def base_url(self) -> str:
        """The base URL this session talks to (a flag or the environment may override the
        setting)."""
        return self._client().base_url

    @property
    def env_key_set(self) -> bool:
        return bool(self._env.get("XAI_API_KEY", "").strip())

    def status(self) -> KeyStatus:
        return KeyStatus(
            redact(self._key) if self._key else None,
            self._source if self._key else KeySource.NONE,
            self._store.name if self._store is not None else None,
            self._problem,
        )

    async def store(self) -> SecretStore:
        """The SecretStore, opened on a worker thread the first time (backend discovery may
        talk to D-Bus)."""
        if self._store is None:
            store, problem = await asyncio.to_thread(self._open_store)
            self._store = store
            if problem:
                self._problem = problem
        return self._store

    async def keeps_in_memory_only(self) -> bool:
        return isinstance(await self.store(), MemorySecretStore)

    # -- verbs (Qt slots: each starts a task and answers with a signal) -------------------------
    def check(self, key: str) -> None:
        self._start(self._check_and_emit(clean_key(key)))

    def save(self, key: str) -> None:
        self._start(self._save_and_emit(clean_key(key)))

    def remove(self) -> None:
        self._start(self._remove_and_emit())

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def _start(self, coro: Coroutine[Any, Any, None]) -> None:
        self.cancel()
        self.busy = True
        self._task = asyncio.ensure_future(coro)
        self._task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        if task is self._task:
            self.busy = False

    async def _check_and_emit(self, key: str) -> None:
        self.checked.emit(await self.check_key(key))

    async def _save_and_emit(self, key: str) -> None:
        try:
            status = await self.save_key(key)
        except (SecretStoreError, ValueError) as exc:
            self.failed.emit(str(exc))
            return
        self.saved.emit(status)

    async def _remove_and_emit(self) -> None:
        try:
            status = await self.remove_key()
        except SecretStoreError as exc:
            self.failed.emit(str(exc))
            return
        self.removed.emit(status)

    # -- the work -------------------------------------------------------------------------------
    def _default_check_client(self, key: str) -> XaiClient:
        live = self._client()
        # The live client's base URL already passed its http(s) check: keep its decision.
        from grok_desktop.api.client import XaiClient

        return XaiClient(
            base_url=live.base_url,
            api_key=key,
            stall_timeout=min(live.stall_timeout, CHECK_STALL_TIMEOUT),
            retry=CHECK_RETRY,
            allow_insecure_http=True,
        )

    async def check_key(self, key: str) -> KeyCheck:
        """Ask the API about `key` with a client of its own (the live client keeps its key
        until the new one is accepted)."""
        key = clean_key(key)
        problem = key_shape_problem(key)
        if problem:
            return KeyCheck(redact(key) if key else "", error=problem, rejected=True)
        # Closures, not arguments: executors log their calls' arguments at DEBUG level.
        client = await asyncio.to_thread(lambda: self._check_client(key))
        try:
            info = await client.api_key_info()
        except AuthError as err:
            return KeyCheck(redact(key), error=err.user_message(), rejected=True)
        except XaiError as err:
            return KeyCheck(redact(key), error=err.user_message())
        finally:
            await client.aclose()
        return KeyCheck(redact(key), info=info)

    async def save_key(self, key: str) -> KeyStatus:
        """Store `key` (keyring, else memory for this session) and use it from now on."""
        key = clean_key(key)
        problem = key_shape_problem(key)
        if problem:
            raise ValueError(problem)
        store = await self.store()
        try:
            await asyncio.to_thread(lambda: store.set(key))
        except SecretStoreError as exc:
            # The keyring broke now (locked, hung, gone): the key still works for this session.
            self._store = MemorySecretStore(key)
            self._problem = f"{exc} The key is kept in memory for this session only."
        self._key = key
        self._source = (
            KeySource.MEMORY if isinstance(self._store, MemorySecretStore) else KeySource.KEYRING
        )
        self._client().api_key = key
        return self.status()

    async def remove_key(self) -> KeyStatus:
        """Delete the stored key. A key from XAI_API_KEY cannot be removed from here: it stays
        in use (the status says where it comes from)."""
        store = await self.store()
        await asyncio.to_thread(store.delete)
        env_key = self._env.get("XAI_API_KEY", "").strip()
        if env_key:
            self._key, self._source = env_key, KeySource.ENVIRONMENT
        else:
            self._key, self._source = None, KeySource.NONE
        self._client().api_key = self._key
        return self.status()
