"""Small Qt helpers of the image pane: thumbnails to pixmaps, QImages to raw pixels (for the
worker), what a drop or a paste carries, and sizes in words."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMimeData, QSize, Qt
from PySide6.QtGui import QImage, QPixmap

from grok_desktop.media.images import RawPixels
from grok_desktop.media.thumbnails import Thumbnail

#: Raw encoded image types taken from a drop or the clipboard, best first (a browser drag
#: often offers several; the encoded bytes beat the decoded QImage: no re-encoding).
PREFERRED_MIME = (
    "image/png",
    "image/jpeg",
    "image/webp",
    "image/gif",
    "image/bmp",
    "image/tiff",
)
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff"}


def thumbnail_pixmap(thumbnail: Thumbnail, box: QSize, device_pixel_ratio: float = 1.0) -> QPixmap:
    """The thumbnail fitted into `box` (logical pixels), sharp on HiDPI screens. Scaling a
    preview this small costs well under a millisecond."""
    image = QImage(
        thumbnail.rgba,
        thumbnail.width,
        thumbnail.height,
        thumbnail.width * 4,
        QImage.Format.Format_RGBA8888,
    )
    ratio = max(device_pixel_ratio, 1.0)
    target = box * ratio
    if image.width() > target.width() or image.height() > target.height():
        image = image.scaled(
            target,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    else:
        image = image.copy()  # own the pixels: the bytes object may go away
    pixmap = QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def qimage_pixels(image: QImage) -> RawPixels:
    """The pixels of a QImage without copying them: a view of its memory, which Pillow
    unpacks (with the GIL released) in the worker. Safe in a worker thread (QImage is not a
    widget); the caller passes a copy it no longer touches. Screen grabs are 32-bit
    (A)RGB already; other formats are converted first."""
    native = sys.byteorder == "little"
    if image.format() == QImage.Format.Format_RGB32 and native:
        rawmode = "BGRX"
    elif image.format() == QImage.Format.Format_ARGB32 and native:
        rawmode = "BGRA"
    elif image.hasAlphaChannel():
        image = image.convertToFormat(QImage.Format.Format_RGBA8888)
        rawmode = "RGBA"
    else:
        image = image.convertToFormat(QImage.Format.Format_RGB888)
        rawmode = "RGB"
    return RawPixels(
        image.constBits(), image.width(), image.height(), image.bytesPerLine(), rawmode, image
    )


def format_bytes(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / 2**20:.1f} MB"


@dataclass(frozen=True, slots=True)
class MimeImages:
    """What a drop or a paste carries, copied out of the (short-lived) QMimeData."""

    files: list[Path]
    data: bytes | None = None
    data_type: str = ""
    image: QImage | None = None
    remote: list[str] | None = None

    @property
    def empty(self) -> bool:
        return not self.files and self.data is None and self.image is None


def has_images(mime: QMimeData) -> bool:
    """Whether a drag is worth accepting: local files, encoded image data or a QImage."""
    if mime.hasUrls() and any(u.isLocalFile() for u in mime.urls()):
        return True
    return mime.hasImage() or any(f.startswith("image/") for f in mime.formats())


def read_mime(mime: QMimeData) -> MimeImages:
    """Local files win (a file manager drag), then encoded bytes (a browser or a screenshot
    tool), then the decoded image. Web addresses alone cannot be attached (nothing is
    downloaded): they are reported."""
    if mime.hasUrls():
        files = [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]
        if files:
            return MimeImages(files)
    formats = mime.formats()
    ordered = [f for f in PREFERRED_MIME if f in formats] + [
        f for f in formats if f.startswith("image/") and f not in PREFERRED_MIME
    ]
    for fmt in ordered:
        data = bytes(mime.data(fmt).data())
        if data:
            return MimeImages([], data=data, data_type=fmt)
    if mime.hasImage():
        image = mime.imageData()
        if isinstance(image, QImage) and not image.isNull():
            return MimeImages([], image=QImage(image))
    remote = [u.toString() for u in mime.urls() if not u.isLocalFile()] if mime.hasUrls() else []
    return MimeImages([], remote=remote or None)
