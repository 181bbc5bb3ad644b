"""Image preparation: every format and every bad input of the images issue."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from grok_desktop.media.images import (
    MAX_PAYLOAD_BYTES,
    ImageError,
    prepare_image_bytes,
    prepare_image_file,
)


def encoded(fmt: str, size: tuple[int, int] = (64, 32), mode: str = "RGB", **kw: object) -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else None).save(buf, fmt, **kw)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.PNG", "PNG"),
        ("b.JPG", "JPEG"),
        ("c.jpeg", "JPEG"),
        ("d.WebP", "WEBP"),
        ("e.gif", "GIF"),
        ("f.BMP", "BMP"),
        ("g.tiff", "TIFF"),
    ],
)
def test_formats_and_extensions_in_any_case(tmp_path: Path, name: str, fmt: str) -> None:
    path = tmp_path / name
    path.write_bytes(encoded(fmt))
    image = prepare_image_file(path, detail="high")
    assert (image.width, image.height) == (64, 32)
    assert image.mime in ("image/png", "image/jpeg")
    assert image.detail == "high"
    assert image.part().data_uri().startswith(f"data:{image.mime};base64,")


def test_png_screenshot_stays_png_photo_becomes_jpeg() -> None:
    assert prepare_image_bytes(encoded("PNG")).mime == "image/png"
    assert prepare_image_bytes(encoded("JPEG")).mime == "image/jpeg"


def test_downscaled_to_max_side_keeping_aspect() -> None:
    image = prepare_image_bytes(encoded("JPEG", (4000, 1000)), max_side=2048)
    assert (image.width, image.height) == (2048, 512)
    assert (image.source_width, image.source_height) == (4000, 1000)


def test_exif_orientation_is_applied() -> None:
    img = Image.new("RGB", (40, 20))
    exif = img.getexif()
    exif[0x0112] = 6  # rotate 90° on display
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes())
    image = prepare_image_bytes(buf.getvalue())
    assert (image.width, image.height) == (20, 40)


def test_gif_first_frame() -> None:
    frames = [Image.new("P", (10, 10), i) for i in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    assert prepare_image_bytes(buf.getvalue()).width == 10


def test_noisy_huge_png_falls_back_under_the_payload_limit() -> None:
    import os

    noise = Image.frombytes("RGB", (2048, 2048), os.urandom(2048 * 2048 * 3))
    buf = io.BytesIO()
    noise.save(buf, "PNG", compress_level=0)
    image = prepare_image_bytes(buf.getvalue())
    assert len(image.data) <= MAX_PAYLOAD_BYTES


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"just some text, not an image", "not an image"),
        (encoded("PNG")[:60], "damaged or truncated"),
    ],
)
def test_bad_files_get_clear_messages(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(ImageError, match=message) as info:
        prepare_image_file(path)
    assert str(path) in str(info.value)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="no such file"):
        prepare_image_file(tmp_path / "nope.png")
    with pytest.raises(ImageError, match="folder"):
        prepare_image_file(tmp_path)


def test_200_mb_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.jpg"
    with path.open("wb") as f:
        f.truncate(200 * 1024 * 1024)  # sparse: costs no disk
    with pytest.raises(ImageError, match="200 MB"):
        prepare_image_file(path)


def test_decompression_bomb_is_refused() -> None:
    bomb = encoded("PNG", (30000, 30000), mode="1")  # tiny file, 900 megapixels
    assert len(bomb) < 2_000_000
    with pytest.raises(ImageError, match="too large"):
        prepare_image_bytes(bomb)
