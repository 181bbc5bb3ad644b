"""Fixtures for the storage tests: a real SQLite file in a tmp data folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from storage_helpers import FakeClock

from grok_desktop.storage import DataPaths, Store


@pytest.fixture
def paths(tmp_path: Path) -> DataPaths:
    return DataPaths.resolve(tmp_path / "data")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(paths: DataPaths, clock: FakeClock) -> Iterator[Store]:
    with Store.open(paths, clock_ms=clock) as s:
        yield s
