"""Images made ready for the API, off the UI thread: decode, apply EXIF orientation, downscale,
encode (PNG for screenshots and line art while small, else JPEG q90), within the limits.

Pure Pillow, no Qt: the CLI and the app share it. Every failure is an `ImageError` whose
message names the file and what to do; nothing is ever sent for a bad image.

Speed (bench/images.py: a 4K PNG screenshot and a 24 MP JPEG ready in under 300 ms, median,
on a 2-core machine):
- a JPEG is decoded with libjpeg's DCT scaling (`draft`) at the smallest power-of-two
  reduction that still covers `max_side`, and its thumbnail comes from a separate 1/8-scale
  decode on a helper thread, so it shows while the full decode runs;
- the EXIF orientation is applied in place (no copy when there is none);
- the downscale is a bicubic convolution in horizontal bands on the helper threads (each
  band reads the source rows it needs, so the result is identical to one resize);
- PNG is written by media/png.py (Up filter, banded deflate): a few percent bigger than
  Pillow's own writer on screenshots, several times faster;
- the decoder's pixel memory comes from `Image.new` (filled with the GIL released), not
  from Pillow's zeroing allocation under the GIL (`_allocate`).
"""

from __future__ import annotations

import hashlib
import io
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from grok_desktop.domain.content import Detail, ImagePart
from grok_desktop.media.png import encode_png
from grok_desktop.media.thumbnails import THUMB_BOX, Thumbnail, thumbnail_of
from grok_desktop.media.workers import bands, run_parallel, submit

MAX_SOURCE_BYTES = 100 * 1024 * 1024  # refuse to even read bigger files
MAX_SOURCE_PIXELS = 200_000_000  # ~14000 x 14000; more is a decompression bomb
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # safe under both documented limits (10 and 20 MiB)
DEFAULT_MAX_SIDE = 2048
JPEG_QUALITY = 90
ACCEPTED_FORMATS = {"PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF", "MPO"}
SUPPORTED = "use PNG, JPEG, WebP, GIF, BMP or TIFF"


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


@dataclass(frozen=True, slots=True)
class RawPixels:
    """Decoded pixels (a screen capture, an image from the clipboard): rows of `stride` bytes
    in Pillow's raw mode `rawmode` ("RGBA", "RGB", or Qt's native "BGRX"/"BGRA" for 32-bit
    images on little-endian machines). `data` may be a view into `owner`'s memory (a QImage),
    so no copy is made on the UI thread. Treated like a screenshot (sent as PNG while small
    enough)."""

    data: bytes | bytearray | memoryview
    width: int
    height: int
    stride: int
    rawmode: str = "RGBA"
    owner: object = None


_RAWMODES = {"RGBA": ("RGBA", 4), "BGRA": ("RGBA", 4), "RGB": ("RGB", 3), "BGRX": ("RGB", 4)}


ThumbnailCallback = Callable[[Thumbnail], None]
Size = tuple[int, int]
JPEG_SIGNATURE = b"\xff\xd8\xff"


def read_image_file(path: str | Path) -> bytes:
    """The bytes of an image file, after the checks that need no decoding (missing, folder,
    empty, too big: a 200 MB file is refused without reading it)."""
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
        return path.read_bytes()
    except OSError as exc:
        raise ImageError(f"{path}: cannot be read ({exc.strerror}).") from None


def prepare_image_file(
    path: str | Path,
    *,
    detail: Detail = "auto",
    max_side: int = DEFAULT_MAX_SIDE,
    on_thumbnail: ThumbnailCallback | None = None,
) -> PreparedImage:
    data = read_image_file(path)
    return prepare_image_bytes(
        data, name=str(path), detail=detail, max_side=max_side, on_thumbnail=on_thumbnail
    )


def prepare_image_bytes(
    data: bytes,
    *,
    name: str = "image",
    detail: Detail = "auto",
    max_side: int = DEFAULT_MAX_SIDE,
    on_thumbnail: ThumbnailCallback | None = None,
) -> PreparedImage:
    """Decode once, hand a thumbnail to `on_thumbnail` as soon as the pixels are there (the
    pane shows it while the rest runs), then downscale and encode."""
    if len(data) > MAX_SOURCE_BYTES:
        raise ImageError(
            f"{name}: the image is {len(data) / 2**20:.0f} MB; images up to "
            f"{MAX_SOURCE_BYTES // 2**20} MB can be attached."
        )
    early = None
    if on_thumbnail is not None and data[:3] == JPEG_SIGNATURE:
        early = submit(lambda: _early_thumbnail(data, name, on_thumbnail))
    try:
        image, source_size = open_image(data, name, min_side=max_side)
    finally:
        # the thumbnail arrives before the result (or is made from the full decode below)
        delivered = early is not None and early.result()
    return _finish(
        image,
        source_size,
        prefer_png=data[:8] == b"\x89PNG\r\n\x1a\n",
        name=name,
        detail=detail,
        max_side=max_side,
        on_thumbnail=None if delivered else on_thumbnail,
    )


def _early_thumbnail(data: bytes, name: str, on_thumbnail: ThumbnailCallback) -> bool:
    """A JPEG's thumbnail from a 1/8-scale decode, on a helper thread; False if it failed
    (the main decode then reports the problem, or makes the thumbnail itself)."""
    try:
        thumbnail = make_thumbnail(data, name=name)
    except Exception:
        return False
    on_thumbnail(thumbnail)
    return True


def prepare_image_pixels(
    pixels: RawPixels,
    *,
    name: str = "image",
    detail: Detail = "auto",
    max_side: int = DEFAULT_MAX_SIDE,
    on_thumbnail: ThumbnailCallback | None = None,
) -> PreparedImage:
    w, h = pixels.width, pixels.height
    if pixels.rawmode not in _RAWMODES:
        raise ImageError(f"{name}: pixels in the layout {pixels.rawmode} are not supported.")
    mode, bpp = _RAWMODES[pixels.rawmode]
    if w <= 0 or h <= 0:
        raise ImageError(f"{name}: the image is empty (0 pixels).")
    if w * h > MAX_SOURCE_PIXELS:
        raise ImageError(f"{name}: {w}x{h} pixels is too large to process safely.")
    if pixels.stride < w * bpp or len(pixels.data) < pixels.stride * (h - 1) + w * bpp:
        raise ImageError(f"{name}: the image data is incomplete.")
    # Unpacked into memory of Pillow's own by its raw decoder (GIL released), never a view:
    # the caller's buffer may go away after this.
    image = Image.new(mode, (w, h))
    image.frombytes(pixels.data, "raw", (pixels.rawmode, pixels.stride, 1))
    if mode == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB")  # opaque: a smaller PNG, and a JPEG needs no conversion
    return _finish(
        image,
        (w, h),
        prefer_png=True,
        name=name,
        detail=detail,
        max_side=max_side,
        on_thumbnail=on_thumbnail,
    )


def make_thumbnail(
    data: bytes, *, name: str = "image", box: tuple[int, int] = THUMB_BOX
) -> Thumbnail:
    """A preview straight from encoded bytes (a JPEG is decoded at 1/8 size when it can)."""
    image, source_size = open_image(data, name, min_side=max(box))
    try:
        image = _normalise(image)
        return thumbnail_of(image, source_size, box)
    finally:
        image.close()


def open_image(data: bytes, name: str, *, min_side: int | None = None) -> tuple[Image.Image, Size]:
    """Validate and decode; returns the loaded image and the source's size. With `min_side`,
    a JPEG is decoded directly at a reduced size whose longest side stays >= min_side."""
    if not data:
        raise ImageError(f"{name}: the image is empty (0 bytes).")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise ImageError(f"{name}: {image.format} images are not supported; {SUPPORTED}.")
            w, h = image.size
            if w * h > MAX_SOURCE_PIXELS:
                raise ImageError(
                    f"{name}: {w}x{h} pixels is too large to process safely "
                    "(a decompression bomb?)."
                )
            if min_side and image.format in ("JPEG", "MPO") and max(w, h) > min_side:
                scale = min_side / max(w, h)
                image.draft(None, (math.ceil(w * scale), math.ceil(h * scale)))
            _allocate(image)
            image.load()
        except ImageError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageError(
                f"{name}: the image is too large to process safely (a decompression bomb?)."
            ) from None
        except UnidentifiedImageError:
            raise ImageError(
                f"{name}: not an image (or a format that is not supported: {SUPPORTED})."
            ) from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise ImageError(f"{name}: the image is damaged or truncated ({exc}).") from None
    return image, (w, h)


def _allocate(image: Image.Image) -> None:
    """Give the decoder its pixel memory from `Image.new`, which fills it with the GIL
    released; Pillow's own allocation zeroes a recycled heap block of up to 16 MB with the
    GIL held, a 10-20 ms stall of the UI thread per decode (bench/images.py). Only an
    optimisation: when Pillow's internals differ it allocates as usual."""
    if image.mode in ("RGB", "RGBA", "L", "LA", "CMYK", "YCbCr", "I", "F", "1") and hasattr(
        image, "_im"
    ):
        try:
            if image._im is None:
                image.im = Image.new(image.mode, image.size).im
        except (AttributeError, ValueError):  # pragma: no cover - other Pillow versions
            pass


def _finish(
    image: Image.Image,
    source_size: Size,
    *,
    prefer_png: bool,
    name: str,
    detail: Detail,
    max_side: int,
    on_thumbnail: ThumbnailCallback | None,
) -> PreparedImage:
    try:
        image = _normalise(image)
        if on_thumbnail is not None:  # first: ~4 ms, and the pane shows it at once
            on_thumbnail(thumbnail_of(image, source_size))
        resized = _downscale(image, max_side)
        if resized is not image:
            image.close()
            image = resized
        encoded, mime = _encode(image, prefer_png=prefer_png or image.mode == "RGBA")
    except (OSError, ValueError) as exc:
        raise ImageError(f"{name}: the image could not be processed ({exc}).") from None
    finally:
        image.close()
    return PreparedImage(
        data=encoded,
        mime=mime,
        width=image.width,
        height=image.height,
        source_width=source_size[0],
        source_height=source_size[1],
        sha256=hashlib.sha256(encoded).hexdigest(),
        detail=detail,
    )


def _normalise(image: Image.Image) -> Image.Image:
    """First frame, EXIF orientation applied, RGB or RGBA."""
    try:
        image.seek(0)
    except EOFError:
        pass
    if image.getexif().get(0x0112, 1) != 1:  # Orientation; in place, and only when needed
        ImageOps.exif_transpose(image, in_place=True)
    if image.mode not in ("RGB", "RGBA"):
        has_alpha = image.mode in ("LA", "PA", "P") and "transparency" in image.info
        converted = image.convert("RGBA" if has_alpha or image.mode == "LA" else "RGB")
        image.close()
        image = converted
    return image


def _downscale(image: Image.Image, max_side: int) -> Image.Image:
    """A smaller copy, or `image` itself when it fits (the caller closes what it drops)."""
    if max(image.size) <= max_side:
        return image
    scale = max_side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return resize_in_bands(image, size)


def resize_in_bands(image: Image.Image, size: Size) -> Image.Image:
    """`image.resize(size, BICUBIC)`, the output's rows split across the helper threads."""
    width, height = size
    parts = bands(height, min_size=128)
    if len(parts) == 1:
        return image.resize(size, Image.Resampling.BICUBIC)
    y_scale = image.height / height

    def band(part: tuple[int, int]) -> Image.Image:
        top, bottom = part
        box = (0.0, top * y_scale, float(image.width), bottom * y_scale)
        return image.resize((width, bottom - top), Image.Resampling.BICUBIC, box=box)

    out = Image.new(image.mode, size)
    for (top, _), piece in zip(parts, run_parallel(band, parts), strict=True):
        out.paste(piece, (0, top))
        piece.close()
    return out


def _encode(image: Image.Image, *, prefer_png: bool) -> tuple[bytes, str]:
    if prefer_png:
        png = encode_png(image)
        if len(png) <= MAX_PAYLOAD_BYTES:
            return png, "image/png"
    rgb = image.convert("RGB") if image.mode != "RGB" else image
    quality = JPEG_QUALITY
    while True:
        buf = io.BytesIO()
        rgb.save(buf, "JPEG", quality=quality)
        if buf.tell() <= MAX_PAYLOAD_BYTES or quality <= 40:
            return buf.getvalue(), "image/jpeg"
        quality -= 15
