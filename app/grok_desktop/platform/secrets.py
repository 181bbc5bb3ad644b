"""Where the API key lives: the OS keyring, never a file.

`XAI_API_KEY` wins over the keyring. With no usable keyring backend (keyring's fail/null
backends, a plaintext fallback such as keyrings.alt, no Secret Service, a hanging bus) the key
is kept in memory for this session only and the user is told why.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, TypeVar

SERVICE = "grok-desktop"
USER = "xai-api-key"
KEYRING_TIMEOUT = 10.0
KEY_SHAPE = re.compile(r"xai-[A-Za-z0-9_\-]{8,}")
T = TypeVar("T")


class SecretStoreError(Exception):
    """The keyring could not be used; the message says why and what to do."""


class SecretStore(Protocol):
    name: str

    def get(self) -> str | None: ...
    def set(self, secret: str) -> None: ...
    def delete(self) -> None: ...


class MemorySecretStore:
    """This session only. Used when no keyring works, and by tests."""

    name = "memory (this session only)"

    def __init__(self, secret: str | None = None) -> None:
        self._secret = secret

    def get(self) -> str | None:
        return self._secret

    def set(self, secret: str) -> None:
        self._secret = secret

    def delete(self) -> None:
        self._secret = None


_UNSAFE_BACKENDS = ("fail", "null", "plaintext", "keyrings.alt", "file.")


def _run_with_timeout(fn: Callable[[], T], timeout: float) -> T:
    # A session bus without a reachable Secret Service can hang a call for 120 s.
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="keyring")
    try:
        return pool.submit(fn).result(timeout=timeout)
    except concurrent.futures.TimeoutError:
        raise SecretStoreError(
            f"The system keyring did not answer within {timeout:.0f} s."
        ) from None
    finally:
        pool.shutdown(wait=False)


class KeyringSecretStore:
    """The OS keyring through `keyring`: Keychain, Credential Locker, Secret Service, KWallet."""

    def __init__(self, timeout: float = KEYRING_TIMEOUT) -> None:
        import keyring

        self._keyring = keyring
        self._timeout = timeout
        backend = keyring.get_keyring()
        module = type(backend).__module__.lower()
        self.name = getattr(backend, "name", type(backend).__name__)
        if any(word in module for word in _UNSAFE_BACKENDS):
            raise SecretStoreError(
                f"No secure system keyring is available (keyring backend: {self.name}). "
                "On Linux install and unlock gnome-keyring or KWallet."
            )

    def _call(self, fn: Callable[[], T]) -> T:
        try:
            return _run_with_timeout(fn, self._timeout)
        except SecretStoreError:
            raise
        except Exception as exc:  # keyring raises many backend-specific errors
            raise SecretStoreError(f"The system keyring failed: {exc}") from exc

    def get(self) -> str | None:
        value = self._call(lambda: self._keyring.get_password(SERVICE, USER))
        return value if isinstance(value, str) else None

    def set(self, secret: str) -> None:
        self._call(lambda: self._keyring.set_password(SERVICE, USER, secret))

    def delete(self) -> None:
        def remove() -> None:
            try:
                self._keyring.delete_password(SERVICE, USER)
            except self._keyring.errors.PasswordDeleteError:
                pass  # nothing stored: already what the user wants

        self._call(remove)


def open_secret_store() -> tuple[SecretStore, str | None]:
    """The keyring if usable, else memory; the second value explains a fallback."""
    try:
        return KeyringSecretStore(), None
    except SecretStoreError as exc:
        return MemorySecretStore(), f"{exc} The key is kept in memory for this session only."
    except Exception as exc:  # import or backend discovery failed
        return MemorySecretStore(), (
            f"The system keyring could not be used ({exc}). "
            "The key is kept in memory for this session only."
        )


class KeySource(StrEnum):
    ENVIRONMENT = "environment"
    KEYRING = "keyring"
    MEMORY = "memory"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class ResolvedKey:
    key: str | None
    source: KeySource
    problem: str | None = None

    def describe(self) -> str:
        if self.key is None:
            return "no key"
        return f"{redact(self.key)} (from {self.source.value})"


def resolve_api_key(store: SecretStore, env: Mapping[str, str] | None = None) -> ResolvedKey:
    env = os.environ if env is None else env
    from_env = env.get("XAI_API_KEY", "").strip()
    if from_env:
        return ResolvedKey(from_env, KeySource.ENVIRONMENT)
    try:
        stored = store.get()
    except SecretStoreError as exc:
        return ResolvedKey(None, KeySource.NONE, str(exc))
    if stored:
        source = KeySource.MEMORY if isinstance(store, MemorySecretStore) else KeySource.KEYRING
        return ResolvedKey(stored, source)
    return ResolvedKey(None, KeySource.NONE)


def redact(key: str) -> str:
    """`xai-...b14o`: enough to recognise a key, useless to steal it."""
    key = key.strip()
    if len(key) <= 8:
        return "***"
    head = "xai-" if key.startswith("xai-") else key[:2]
    return f"{head}...{key[-4:]}"


def redact_text(text: str) -> str:
    """Replace anything shaped like an xAI key (for logs and error output)."""
    return KEY_SHAPE.sub(lambda m: redact(m.group(0)), text)
