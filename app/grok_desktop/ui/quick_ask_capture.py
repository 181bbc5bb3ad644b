"""Quick Ask's attached images: the clipboard's image, or a screenshot of a screen region
through the app's own `ScreenCapture` (the one the image pane uses): Quick Ask hides while
the region is picked (an overlay across monitors, or the desktop's portal on Wayland) and
comes back with it attached. Pixels are prepared off the UI thread (no PNG encoding here) and
shown as removable chips in the window's chip row.

Signals:
    status_changed(str text): progress for the status line
    failed(str text): what went wrong, for the status line
    settled(): a capture or an attach ended, whatever the outcome: the input takes the focus
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QHBoxLayout, QWidget

from grok_desktop.media.images import ImageError, PreparedImage
from grok_desktop.services.quick_ask import QuickAskService
from grok_desktop.ui.capture import ScreenCapture
from grok_desktop.ui.image_thumbs import qimage_pixels
from grok_desktop.ui.quick_ask_parts import ImageChip


class QuickAskImages(QObject):
    status_changed = Signal(str)
    failed = Signal(str)
    settled = Signal()

    def __init__(
        self,
        service: QuickAskService,
        window: QWidget,
        chips: QHBoxLayout,
        *,
        capture: ScreenCapture | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.window = window
        self.chips = chips
        self.images: list[PreparedImage] = []
        self._tasks: set[asyncio.Future[None]] = set()
        self.capture = capture if capture is not None else ScreenCapture(window, parent=self)
        self.capture.captured.connect(self.on_capture_captured)
        self.capture.captured_file.connect(self.on_capture_captured_file)
        self.capture.cancelled.connect(self.on_capture_cancelled)
        self.capture.failed.connect(self.on_capture_failed)

    @property
    def capturing(self) -> bool:
        """True from the Screenshot action until the window is back (the window is hidden on
        purpose meanwhile: nothing may hide or re-open it)."""
        return self.capture.busy

    @property
    def chip_widgets(self) -> list[ImageChip]:
        attached = {i.sha256 for i in self.images}
        return [c for c in self.window.findChildren(ImageChip) if c.sha256 in attached]

    def _has_room(self) -> bool:
        limit = int(self.service.settings.get("max_images"))
        if len(self.images) + len(self._tasks) >= limit:
            self.failed.emit(f"At most {limit} images can be attached to one question.")
            return False
        return True

    # -- sources --------------------------------------------------------------------------------
    def attach_clipboard(self) -> None:
        image = QGuiApplication.clipboard().image()
        if image.isNull():
            self.failed.emit("The clipboard has no image.")
        elif self._has_room():
            self._attach_qimage(image, "The clipboard image", "Image")

    def take_screenshot(self) -> None:
        """Hide, let the user pick a region, come back with it attached (Esc: nothing)."""
        if self.capturing or not self._has_room():
            return
        self.status_changed.emit("Select a region of the screen (Esc cancels)…")
        self.capture.start()

    def on_capture_captured(self, image: QImage) -> None:
        self._attach_qimage(image, "The screenshot", "Screenshot")

    def on_capture_captured_file(self, path: str) -> None:
        self._start(self.service.prepare_file(Path(path)), None, "Screenshot")

    def on_capture_cancelled(self) -> None:
        self.status_changed.emit("Screenshot cancelled: nothing attached.")
        self.settled.emit()

    def on_capture_failed(self, text: str) -> None:
        self.failed.emit(text)
        self.settled.emit()

    # -- preparing ------------------------------------------------------------------------------
    def _attach_qimage(self, image: QImage, name: str, label: str) -> None:
        copy = QImage(image)  # the worker reads its own (implicitly shared) copy
        job = self.service.prepare_pixels(lambda: qimage_pixels(copy), name)
        self._start(job, image, label)

    def _start(self, job: Awaitable[PreparedImage], image: QImage | None, label: str) -> None:
        self.status_changed.emit("Preparing the image…")
        task = asyncio.ensure_future(self._attach(job, image, label))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _attach(
        self, job: Awaitable[PreparedImage], image: QImage | None, label: str
    ) -> None:
        try:
            prepared = await job
        except ImageError as exc:
            self.failed.emit(str(exc))
            self.settled.emit()
            return
        if any(i.sha256 == prepared.sha256 for i in self.images):
            self.status_changed.emit("That image is already attached.")
            self.settled.emit()
            return
        if image is None:  # a file: the prepared (downscaled) copy is plenty for a thumbnail
            image = QImage.fromData(prepared.data)
        self.images.append(prepared)
        caption = f"{prepared.width}×{prepared.height}"
        chip = ImageChip(prepared.sha256, image, caption, self.window)
        chip.removed.connect(self.remove)
        self.chips.addWidget(chip)
        self.status_changed.emit(f"{label} attached ({caption}).")
        self.settled.emit()

    # -- removing -------------------------------------------------------------------------------
    def remove(self, sha256: str) -> None:
        self.images = [i for i in self.images if i.sha256 != sha256]
        for chip in self.window.findChildren(ImageChip):
            if chip.sha256 == sha256:
                chip.deleteLater()

    def clear(self) -> None:
        self.images = []
        for chip in self.window.findChildren(ImageChip):
            chip.deleteLater()
