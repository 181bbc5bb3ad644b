"""Timestamps: stored as integer milliseconds since the Unix epoch (UTC).

Integers sort and compare cheaply in indexes and survive export/import exactly; the domain
sees timezone-aware UTC datetimes, files see ISO 8601 with milliseconds and a `Z`.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$")


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


def to_ms(moment: datetime) -> int:
    """Milliseconds of an aware datetime (naive ones are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // _MS


def from_ms(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)


def iso(ms: int) -> str:
    return from_ms(ms).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> int:
    """The inverse of `iso`; raises ValueError for anything that is not a full timestamp."""
    if not _ISO.match(text):
        raise ValueError(f"not an ISO 8601 timestamp with a time zone: {text!r}")
    return to_ms(datetime.fromisoformat(text.replace("Z", "+00:00")))


def file_stamp(ms: int | None = None) -> str:
    """A compact UTC stamp for file names: 20260512T101530Z."""
    return from_ms(wall_ms() if ms is None else ms).strftime("%Y%m%dT%H%M%SZ")


def aside_path(path: Path, tag: str) -> Path:
    """A free name beside `path` for a copy or a damaged original: `<name>.<tag>-<stamp>`,
    then `-2`, `-3`, ... when that exists."""
    base = f"{path.name}.{tag}-{file_stamp()}"
    target = path.with_name(base)
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{base}-{n}")
    return target
