"""A working keyring backend for tests (PYTHON_KEYRING_BACKEND=memory_keyring.MemoryKeyring):
what a real Secret Service does, kept in this process."""

from __future__ import annotations

from typing import ClassVar

from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    # 0: never chosen (nor chained) by keyring's own detection once imported, so the real
    # Secret Service tests of the same run still get the real backend; PYTHON_KEYRING_BACKEND
    # selects it explicitly.
    priority = 0  # type: ignore[assignment]
    passwords: ClassVar[dict[tuple[str, str], str]] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError("no such password")


class LockedKeyring(MemoryKeyring):
    """A keyring that is there but refuses every change (locked, access denied)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError("the collection is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringError("the collection is locked")
