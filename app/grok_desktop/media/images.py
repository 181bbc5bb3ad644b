"""Images made ready for the API, off the UI thread: decode, apply EXIF orientation, downscale,
encode (PNG for screenshots and line art while small, else JPEG q90), within the limits.

Pure Pillow, no Qt: the CLI and the app share it. Every failure is an `ImageError` whose
message names the file and what to do; nothing is ever sent for a bad image.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from grok_desktop.domain.content import Detail, ImagePart

MAX_SOURCE_BYTES = 100 * 1024 * 1024  # refuse to even read bigger files
MAX_SOURCE_PIXELS = 200_000_000  # ~14000 x 14000; more is a decompression bomb
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # safe under both documented limits (10 and 20 MiB)
DEFAULT_MAX_SIDE = 2048
JPEG_QUALITY = 90
ACCEPTED_FORMATS = {"PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF", "MPO"}


class ImageError(ValueError):
    """A file or blob that cannot be sent as an image; the message is for the user."""


@dataclass(frozen=True, slots=True)
class PreparedImage:
    data: bytes
    mime: str
    width: int
    height: int
    source_width: int
    source_height: int
    sha256: str
    detail: Detail = "auto"

    def part(self) -> ImagePart:
        return ImagePart(self.data, self.mime, self.detail)


def prepare_image_file(
    path: str | Path, *, detail: Detail = "auto", max_side: int = DEFAULT_MAX_SIDE
) -> PreparedImage:
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ImageError(f"{path}: no such file.") from None
    except OSError as exc:
        raise ImageError(f"{path}: cannot be read ({exc.strerror}).") from None
    if path.is_dir():
        raise ImageError(f"{path}: is a folder, not an image.")
    if size == 0:
        raise ImageError(f"{path}: the file is empty (0 bytes).")
    if size > MAX_SOURCE_BYTES:
        raise ImageError(
            f"{path}: the file is {size / 2**20:.0f} MB; images up to "
            f"{MAX_SOURCE_BYTES // 2**20} MB can be attached."
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImageError(f"{path}: cannot be read ({exc.strerror}).") from None
    return prepare_image_bytes(data, name=str(path), detail=detail, max_side=max_side)


def prepare_image_bytes(
    data: bytes, *, name: str = "image", detail: Detail = "auto", max_side: int = DEFAULT_MAX_SIDE
) -> PreparedImage:
    if not data:
        raise ImageError(f"{name}: the image is empty (0 bytes).")
    image = _open(data, name)
    try:
        source_w, source_h = image.size
        image = _normalise(image, name)
        image = _downscale(image, max_side)
        encoded, mime = _encode(image, prefer_png=_looks_like_screenshot(data, image))
    finally:
        image.close()
    return PreparedImage(
        data=encoded,
        mime=mime,
        width=image.width,
        height=image.height,
        source_width=source_w,
        source_height=source_h,
        sha256=hashlib.sha256(encoded).hexdigest(),
        detail=detail,
    )


def _open(data: bytes, name: str) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise ImageError(
                    f"{name}: {image.format} images are not supported; "
                    "use PNG, JPEG, WebP, GIF, BMP or TIFF."
                )
            w, h = image.size
            if w * h > MAX_SOURCE_PIXELS:
                raise ImageError(
                    f"{name}: {w}x{h} pixels is too large to process safely "
                    "(a decompression bomb?)."
                )
            image.load()
        except ImageError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageError(
                f"{name}: the image is too large to process safely (a decompression bomb?)."
            ) from None
        except UnidentifiedImageError:
            raise ImageError(
                f"{name}: not an image (or a format that is not supported: use PNG, JPEG, "
                "WebP, GIF, BMP or TIFF)."
            ) from None
        except (OSError, SyntaxError, ValueError) as exc:
            raise ImageError(f"{name}: the image is damaged or truncated ({exc}).") from None
    return image


def _normalise(image: Image.Image, name: str) -> Image.Image:
    """First frame, EXIF orientation applied, RGB or RGBA."""
    try:
        image.seek(0)
    except EOFError:
        pass
    fixed = ImageOps.exif_transpose(image)
    if fixed is not None and fixed is not image:
        image.close()
        image = fixed
    if image.mode not in ("RGB", "RGBA"):
        has_alpha = image.mode in ("LA", "PA", "P") and "transparency" in image.info
        converted = image.convert("RGBA" if has_alpha or image.mode == "LA" else "RGB")
        image.close()
        image = converted
    return image


def _downscale(image: Image.Image, max_side: int) -> Image.Image:
    if max(image.size) <= max_side:
        return image
    scale = max_side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    resized = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    image.close()
    return resized


def _looks_like_screenshot(source: bytes, image: Image.Image) -> bool:
    """PNG sources (screenshots, diagrams) stay PNG when they stay small enough."""
    return source[:8] == b"\x89PNG\r\n\x1a\n" or image.mode == "RGBA"


def _encode(image: Image.Image, *, prefer_png: bool) -> tuple[bytes, str]:
    if prefer_png:
        buf = io.BytesIO()
        image.save(buf, "PNG", optimize=False, compress_level=6)
        if buf.tell() <= MAX_PAYLOAD_BYTES:
            return buf.getvalue(), "image/png"
    rgb = image.convert("RGB") if image.mode != "RGB" else image
    quality = JPEG_QUALITY
    while True:
        buf = io.BytesIO()
        rgb.save(buf, "JPEG", quality=quality, optimize=True)
        if buf.tell() <= MAX_PAYLOAD_BYTES or quality <= 40:
            return buf.getvalue(), "image/jpeg"
        quality -= 15
