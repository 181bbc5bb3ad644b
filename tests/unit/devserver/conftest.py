"""Fixtures for the dev server tests (no Qt)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

try:
    import grok_desktop  # noqa: F401
except ImportError:  # a checkout without an installed package: use app/ directly
    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "app"))

from grok_desktop.devserver import DevServer

API_KEY = "xai-test-key-1234"


@pytest.fixture
def srv() -> Iterator[DevServer]:
    with DevServer() as server:
        yield server


@pytest.fixture
def client(srv: DevServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {API_KEY}"}
    with httpx.Client(base_url=srv.base_url, headers=headers, timeout=10) as c:
        yield c
