"""A fast PNG writer for payloads: every row with the "Up" filter (computed in C by
`ImageChops.subtract_modulo` against the image shifted down a row), deflated in bands on the
helper threads and joined into one zlib stream (each band ends on a byte-aligned sync flush;
the last one finishes the stream), as pigz does.

On screenshots the file is 2-20% bigger than Pillow's default writer (adaptive filters,
zlib level 6) and 2.5-4x faster to make (bench/images.py): Pillow tries five filters on
every row, which dominates its time.
The output is a plain 8-bit RGB/RGBA PNG that any decoder reads; the tests round-trip it.
"""

from __future__ import annotations

import struct
import zlib

from PIL import Image, ImageChops

from grok_desktop.media.workers import bands, run_parallel

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COLOUR_TYPES = {"RGB": (2, 3), "RGBA": (6, 4)}  # mode: (PNG colour type, bytes per pixel)
FILTER_UP = 2
LEVEL = 1


def encode_png(image: Image.Image, level: int = LEVEL) -> bytes:
    if image.mode not in _COLOUR_TYPES:
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    colour_type, bpp = _COLOUR_TYPES[image.mode]
    width, height = image.size
    stride = width * bpp
    raw = _up_filtered(image).tobytes()
    tag = bytes([FILTER_UP])
    scanlines = b"".join(tag + raw[y * stride : (y + 1) * stride] for y in range(height))
    parts = bands(len(scanlines), min_size=1 << 20)

    def deflate(index: int) -> bytes:
        start, end = parts[index]
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)  # raw deflate
        last = index == len(parts) - 1
        return compressor.compress(scanlines[start:end]) + compressor.flush(
            zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH
        )

    body = b"".join(run_parallel(deflate, range(len(parts))))
    stream = b"\x78\x01" + body + struct.pack(">I", zlib.adler32(scanlines) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", stream) + _chunk(b"IEND", b"")


def _up_filtered(image: Image.Image) -> Image.Image:
    """Each byte minus the byte above it, modulo 256 (the first row minus zeros)."""
    above = Image.new(image.mode, image.size, 0 if image.mode == "RGB" else (0, 0, 0, 0))
    if image.height > 1:
        above.paste(image.crop((0, 0, image.width, image.height - 1)), (0, 1))
    return ImageChops.subtract_modulo(image, above)


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
