"""The app's image pipeline: every attached image is read, decoded, oriented, downscaled and
encoded in a worker thread (`media.images`), never on the UI thread. A thumbnail is made from
the same decode and delivered first, so the pane shows the picture while the rest runs.

Work goes to a small thread pool through the asyncio loop (qasync in the app); results come
back on the loop's (the UI) thread as signals. Pillow releases the GIL while it decodes,
resizes and encodes, so the UI thread keeps running meanwhile (bench/images.py measures it).
A cancelled job's results are dropped.

Signals:
    thumbnail_ready(int job, object Thumbnail)
    prepared(int job, object PreparedImage)
    failed(int job, str message): the message is for the user (names the image and the cause)
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from grok_desktop.domain.content import DETAILS, Detail
from grok_desktop.media.images import (
    ImageError,
    PreparedImage,
    RawPixels,
    ThumbnailCallback,
    prepare_image_bytes,
    prepare_image_file,
    prepare_image_pixels,
)
from grok_desktop.media.thumbnails import Thumbnail
from grok_desktop.storage.settings import Settings

log = logging.getLogger(__name__)

#: What a job runs in the worker: (detail, max_side, on_thumbnail) -> PreparedImage.
Work = Callable[[Detail, int, ThumbnailCallback], PreparedImage]


class ImageService(QObject):
    thumbnail_ready = Signal(int, object)
    prepared = Signal(int, object)
    failed = Signal(int, str)

    def __init__(
        self, settings: Settings, *, workers: int = 2, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="images")
        self._ids = itertools.count(1)
        self._jobs: dict[int, asyncio.Future[PreparedImage]] = {}

    # -- settings -------------------------------------------------------------------------------
    def default_detail(self) -> Detail:
        value = self.settings.get("image_detail")
        for detail in DETAILS:
            if value == detail:
                return detail
        return "auto"

    def max_side(self) -> int:
        return int(self.settings.get("image_max_side"))

    # -- jobs -----------------------------------------------------------------------------------
    def add_file(self, path: str | Path) -> int:
        def work(detail: Detail, max_side: int, thumb: ThumbnailCallback) -> PreparedImage:
            return prepare_image_file(path, detail=detail, max_side=max_side, on_thumbnail=thumb)

        return self._submit(str(path), work)

    def add_bytes(self, data: bytes, name: str = "image") -> int:
        def work(detail: Detail, max_side: int, thumb: ThumbnailCallback) -> PreparedImage:
            return prepare_image_bytes(
                data, name=name, detail=detail, max_side=max_side, on_thumbnail=thumb
            )

        return self._submit(name, work)

    def add_pixels(self, load: Callable[[], RawPixels], name: str = "image") -> int:
        """`load` runs in the worker too (e.g. converting a QImage: never a widget)."""

        def work(detail: Detail, max_side: int, thumb: ThumbnailCallback) -> PreparedImage:
            return prepare_image_pixels(
                load(), name=name, detail=detail, max_side=max_side, on_thumbnail=thumb
            )

        return self._submit(name, work)

    def cancel(self, job: int) -> None:
        future = self._jobs.pop(job, None)
        if future is not None:
            future.cancel()

    @property
    def pending(self) -> int:
        return len(self._jobs)

    def close(self) -> None:
        for job in list(self._jobs):
            self.cancel(job)
        self._executor.shutdown(wait=False, cancel_futures=True)

    # -- plumbing -------------------------------------------------------------------------------
    def _submit(self, name: str, work: Work) -> int:
        job = next(self._ids)
        loop = asyncio.get_event_loop()

        def on_thumbnail(thumbnail: Thumbnail) -> None:  # in the worker
            loop.call_soon_threadsafe(self._deliver_thumbnail, job, thumbnail)

        call = partial(_guarded, name, work, self.default_detail(), self.max_side(), on_thumbnail)
        future = loop.run_in_executor(self._executor, call)
        self._jobs[job] = future
        future.add_done_callback(partial(self._done, job))
        return job

    def _deliver_thumbnail(self, job: int, thumbnail: Thumbnail) -> None:
        if job in self._jobs:
            self.thumbnail_ready.emit(job, thumbnail)

    def _done(self, job: int, future: asyncio.Future[PreparedImage]) -> None:
        if self._jobs.pop(job, None) is None or future.cancelled():
            return
        error = future.exception()
        if error is None:
            self.prepared.emit(job, future.result())
        else:
            self.failed.emit(job, str(error))


def _guarded(
    name: str, work: Work, detail: Detail, max_side: int, thumb: ThumbnailCallback
) -> PreparedImage:
    """Every failure becomes an ImageError with a message for people (and a log line when it
    was not an expected kind of bad input)."""
    try:
        return work(detail, max_side, thumb)
    except ImageError:
        raise
    except MemoryError:
        raise ImageError(f"{name}: the image is too large for the memory available.") from None
    except Exception as exc:
        log.exception("preparing %s failed", name)
        raise ImageError(f"{name}: the image could not be prepared ({exc}).") from None
