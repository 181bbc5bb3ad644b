"""The fast paths of the image pipeline give the same pictures as the plain ones: the PNG
writer round-trips, the banded downscale equals one resize, raw pixels in Qt's layouts come
out right, and thumbnails arrive (once, before the result) for every kind of source."""

from __future__ import annotations

import io
import os
import threading

import pytest
from PIL import Image

from grok_desktop.media.images import (
    ImageError,
    RawPixels,
    make_thumbnail,
    prepare_image_bytes,
    prepare_image_pixels,
    resize_in_bands,
)
from grok_desktop.media.png import encode_png
from grok_desktop.media.thumbnails import THUMB_BOX, Thumbnail
from grok_desktop.media.workers import bands, run_parallel


def noisy(mode: str, size: tuple[int, int]) -> Image.Image:
    return Image.frombytes(mode, size, os.urandom(size[0] * size[1] * len(mode)))


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
@pytest.mark.parametrize("size", [(1, 1), (3, 1), (1, 5), (257, 13), (1500, 900)])
def test_png_writer_round_trips(mode: str, size: tuple[int, int]) -> None:
    image = noisy(mode, size)
    data = encode_png(image)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(data)) as back:
        back.load()
        assert back.mode == mode and back.size == size
        assert back.tobytes() == image.tobytes()


def test_png_writer_is_about_as_small_as_pillow_on_a_screenshot() -> None:
    from PIL import ImageDraw

    image = Image.new("RGB", (1600, 900), (240, 240, 240))
    draw = ImageDraw.Draw(image)
    for y in range(0, 880, 18):
        draw.text(
            (20 + y % 60, y), f"line {y}: def thumbnail(image) -> bytes  # {y * 7919}", (20, 20, 90)
        )
    draw.rectangle((1000, 100, 1500, 700), fill=(60, 120, 200))
    ours = len(encode_png(image))
    buf = io.BytesIO()
    image.save(buf, "PNG")  # Pillow's default: adaptive filters, zlib level 6
    assert ours <= 1.25 * buf.tell()


def test_banded_downscale_equals_one_resize() -> None:
    image = noisy("RGB", (1280, 1024))
    one = image.resize((700, 560), Image.Resampling.BICUBIC)
    assert resize_in_bands(image, (700, 560)).tobytes() == one.tobytes()


def test_bands_and_run_parallel() -> None:
    assert bands(10, min_size=100) == [(0, 10)]
    parts = bands(1000, min_size=100, ways=3)
    assert parts == [(0, 333), (333, 666), (666, 1000)]
    threads: set[str] = set()

    def work(i: int) -> int:
        threads.add(threading.current_thread().name)
        return i * i

    assert run_parallel(work, range(5)) == [0, 1, 4, 9, 16]
    assert threading.current_thread().name in threads  # the first runs on the caller


@pytest.mark.parametrize(
    ("rawmode", "pixel", "alpha"),
    [
        ("BGRX", bytes([30, 20, 10, 255]), False),  # Qt's RGB32 on little-endian
        ("BGRA", bytes([30, 20, 10, 128]), True),  # Qt's ARGB32
        ("RGBA", bytes([10, 20, 30, 255]), False),  # opaque RGBA: sent without alpha
        ("RGB", bytes([10, 20, 30]), False),
    ],
)
def test_raw_pixels_in_qt_layouts(rawmode: str, pixel: bytes, alpha: bool) -> None:
    w, h, pad = 5, 3, 4
    stride = w * len(pixel) + pad
    row = pixel * w + b"\0" * pad
    image = prepare_image_pixels(RawPixels(memoryview(row * h), w, h, stride, rawmode))
    assert (image.width, image.height, image.mime) == (5, 3, "image/png")
    with Image.open(io.BytesIO(image.data)) as back:
        assert back.mode == ("RGBA" if alpha else "RGB")
        assert back.getpixel((4, 2))[:3] == (10, 20, 30)


def test_raw_pixels_checks() -> None:
    with pytest.raises(ImageError, match="incomplete"):
        prepare_image_pixels(RawPixels(b"\0" * 10, 4, 4, 16))
    with pytest.raises(ImageError, match="0 pixels"):
        prepare_image_pixels(RawPixels(b"", 0, 4, 16))
    with pytest.raises(ImageError, match="not supported"):
        prepare_image_pixels(RawPixels(b"\0" * 64, 4, 4, 16, "CMYK"))


def jpeg(size: tuple[int, int]) -> bytes:
    buf = io.BytesIO()
    noisy("RGB", size).save(buf, "JPEG", quality=90)
    return buf.getvalue()


@pytest.mark.parametrize("kind", ["jpeg", "png", "pixels"])
def test_one_thumbnail_arrives_before_the_result(kind: str) -> None:
    got: list[Thumbnail] = []
    if kind == "jpeg":
        result = prepare_image_bytes(jpeg((3000, 2000)), on_thumbnail=got.append, max_side=1024)
    elif kind == "png":
        buf = io.BytesIO()
        noisy("RGB", (3000, 2000)).save(buf, "PNG", compress_level=1)
        result = prepare_image_bytes(buf.getvalue(), on_thumbnail=got.append, max_side=1024)
    else:
        pixels = RawPixels(os.urandom(3000 * 2000 * 3), 3000, 2000, 9000, "RGB")
        result = prepare_image_pixels(pixels, on_thumbnail=got.append, max_side=1024)
    assert len(got) == 1
    thumb = got[0]
    assert (thumb.source_width, thumb.source_height) == (3000, 2000)
    assert thumb.width <= THUMB_BOX[0] and thumb.height <= THUMB_BOX[1]
    assert max(thumb.width / THUMB_BOX[0], thumb.height / THUMB_BOX[1]) > 0.98  # fills the box
    assert len(thumb.rgba) == thumb.width * thumb.height * 4
    assert (result.width, result.height) == (1024, 683)


def test_jpeg_draft_decode_keeps_the_size_and_orientation() -> None:
    img = noisy("RGB", (4000, 1000))
    exif = img.getexif()
    exif[0x0112] = 6  # rotate 90° on display
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes())
    got: list[Thumbnail] = []
    result = prepare_image_bytes(buf.getvalue(), max_side=2048, on_thumbnail=got.append)
    assert (result.width, result.height) == (512, 2048)
    assert (result.source_width, result.source_height) == (4000, 1000)
    assert got[0].height > got[0].width  # the thumbnail is upright too


def test_a_bad_jpeg_gives_no_thumbnail_and_a_clear_error() -> None:
    data = jpeg((800, 600))[:300]
    got: list[Thumbnail] = []
    with pytest.raises(ImageError, match="damaged or truncated"):
        prepare_image_bytes(data, on_thumbnail=got.append)
    with pytest.raises(ImageError):
        make_thumbnail(data)
