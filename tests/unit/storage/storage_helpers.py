"""Helpers shared by the storage tests (imported by name: the tests folder has no packages)."""

from __future__ import annotations

import hashlib
import os


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
