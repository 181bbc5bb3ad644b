"""Helpers shared by the storage tests (imported by name: the tests folder has no packages)."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


class FakeClock:
    """Milliseconds that only move when told to (deterministic timestamps)."""

    def __init__(self, start_ms: int = 1_767_225_600_000) -> None:  # 2026-01-01T00:00Z
        self.now = start_ms

    def __call__(self) -> int:
        return self.now

    def advance(self, ms: int) -> None:
        self.now += ms


def image_bytes(seed: str, size: int = 300) -> bytes:
    """Stand-in image data: storage never decodes images, it only keeps bytes."""
    block = hashlib.sha256(seed.encode()).digest()
    return b"\x89PNG\r\n\x1a\n" + (block * (size // len(block) + 1))[:size]


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def mount_works() -> bool:
    return is_root() and shutil.which("mount") is not None


@contextmanager
def read_only_folder(folder: Path) -> Iterator[None]:
    """Make `folder` read-only for this process, root included.

    As root (chmod does not stop root) the folder is bind-mounted read-only onto itself; the
    test is skipped where mounting is not permitted. Other users get `chmod 0500`."""
    if not is_root():
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
        try:
            yield
        finally:
            folder.chmod(0o700)
        return
    if not mount_works():
        pytest.skip("needs `mount` (root) for a read-only folder")
    bind = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True)
    if bind.returncode != 0:
        pytest.skip(f"mount is not permitted here: {bind.stderr.decode().strip()}")
    try:
        ro = subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True)
        if ro.returncode != 0:
            pytest.skip(f"read-only remount is not permitted: {ro.stderr.decode().strip()}")
        yield
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)
