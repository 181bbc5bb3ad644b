"""Helper threads for splitting one image's work (a downscale in bands, deflate in bands, an
early thumbnail) across the cores. Pillow and zlib release the GIL while they compute, so
the bands really run side by side. A pool of its own: the app's job pool waits on it, so
sharing one pool could deadlock."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Bands per task: one per core, at most 4 (more only adds overhead at these sizes).
WAYS = max(1, min(4, os.cpu_count() or 1))

_pool: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def helper_pool() -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=WAYS + 1, thread_name_prefix="media")
        return _pool


def submit(fn: Callable[[], R]) -> Future[R]:
    return helper_pool().submit(fn)


def bands(total: int, *, min_size: int, ways: int = WAYS) -> list[tuple[int, int]]:
    """[start, end) ranges splitting `total` into up to `ways` parts of >= min_size each."""
    count = max(1, min(ways, total // max(1, min_size)))
    return [(total * i // count, total * (i + 1) // count) for i in range(count)]


def run_parallel(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """fn over items, the first on this thread and the rest on helpers; results in order."""
    work = list(items)
    if len(work) <= 1:
        return [fn(item) for item in work]
    futures = [helper_pool().submit(fn, item) for item in work[1:]]
    first = fn(work[0])
    return [first, *(f.result() for f in futures)]
