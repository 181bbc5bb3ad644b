"""Describe the images of a prompt, the way the default answer reports them."""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError


@dataclass(frozen=True, slots=True)
class ImagePart:
    """One `image_url` part of a message."""

    url: str
    detail: str = "auto"


def describe_image(index: int, part: ImagePart) -> str:
    """`Image {i}: {mime} {w}x{h}, {n} bytes, detail {detail}` for a readable data URI.

    Unreadable data: `Image {i}: unreadable ({mime}, {n} bytes)`. Remote URLs cannot be
    fetched (the dev server never goes online): `Image {i}: remote {url}, detail {detail}`.
    """
    if not part.url.startswith("data:"):
        return f"Image {index}: remote {part.url}, detail {part.detail}"
    header, _, payload = part.url[5:].partition(",")
    mime = header.split(";", 1)[0] or "application/octet-stream"
    try:
        if header.endswith(";base64"):
            data = base64.b64decode(payload, validate=False)
        else:
            data = payload.encode()
    except (binascii.Error, ValueError):
        return f"Image {index}: unreadable ({mime}, 0 bytes)"
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            width, height = img.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return f"Image {index}: unreadable ({mime}, {len(data)} bytes)"
    return f"Image {index}: {mime} {width}x{height}, {len(data)} bytes, detail {part.detail}"
