"""Small previews of images, made off the UI thread as raw RGBA pixels (no Qt here: the UI
wraps the bytes in a QImage, which costs nothing for a preview this size)."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

#: The box a thumbnail fits in, in device pixels: sharp at 2x for the pane's ~72 px high chips.
THUMB_BOX = (256, 144)


@dataclass(frozen=True, slots=True)
class Thumbnail:
    """RGBA8888 pixels, rows packed (`width * 4` bytes each)."""

    width: int
    height: int
    rgba: bytes
    source_width: int
    source_height: int


def thumbnail_of(
    image: Image.Image, source_size: tuple[int, int], box: tuple[int, int] = THUMB_BOX
) -> Thumbnail:
    """A preview of an already decoded (and oriented) image; leaves `image` untouched."""
    scale = min(box[0] / image.width, box[1] / image.height, 1.0)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    if size == image.size:
        small = image.copy()
    else:
        # reducing_gap: a cheap box reduction by the integer part first, then a short
        # bicubic step; ~4 ms for a 4K image.
        small = image.resize(size, Image.Resampling.BICUBIC, reducing_gap=1.5)
    try:
        rgba = small if small.mode == "RGBA" else small.convert("RGBA")
        return Thumbnail(rgba.width, rgba.height, rgba.tobytes(), *source_size)
    finally:
        small.close()
