"""Render the app icon's PNGs, the Windows .ico and the macOS .icns from the one SVG.

    .venv/bin/python packaging/render_icons.py          # rewrite the committed files
    .venv/bin/python packaging/render_icons.py --check  # exit 1 if a committed file is stale

The PNGs go into the package (`grok_desktop/resources_data/icons/`, used at run time and by
`--install-desktop-entry`); the .ico and .icns only serve the Windows and macOS bundles.
Rendering uses Qt's own SVG renderer (QtSvg, part of PySide6-Essentials); the .ico and .icns
containers are written by Pillow from those PNGs.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "app" / "grok_desktop" / "resources_data" / "icons"
SVG = ICONS / "grok-desktop.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO = ROOT / "packaging" / "windows" / "grok-desktop.ico"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS = ROOT / "packaging" / "macos" / "grok-desktop.icns"


def png_path(size: int) -> Path:
    return ICONS / f"grok-desktop-{size}.png"


def render_png(svg: bytes, size: int) -> bytes:
    """The SVG drawn on a transparent size x size canvas, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(svg))
    if not renderer.isValid():
        raise SystemExit(f"{SVG}: not a valid SVG for Qt")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    saved = image.convertToFormat(QImage.Format.Format_ARGB32).save(
        buffer,
        "PNG",  # type: ignore[call-overload]  # the stubs say bytes; PySide6 6.11 wants str
    )
    if not saved:
        raise SystemExit(f"could not encode the {size} px PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    from PIL import Image

    images = [Image.open(io.BytesIO(pngs[s])).convert("RGBA") for s in ICO_SIZES]
    out = io.BytesIO()
    # Pillow picks each entry from the image of that size in append_images.
    images[-1].save(out, format="ICO", sizes=[(s, s) for s in ICO_SIZES], append_images=images[:-1])
    return out.getvalue()


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    from PIL import Image

    big = Image.open(io.BytesIO(pngs[512])).convert("RGBA")
    smaller = [Image.open(io.BytesIO(pngs[s])).convert("RGBA") for s in (16, 32, 64, 128, 256)]
    out = io.BytesIO()
    big.save(out, format="ICNS", append_images=smaller)
    return out.getvalue()


def outputs() -> dict[Path, bytes]:
    from PySide6.QtGui import QGuiApplication

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    svg = SVG.read_bytes()
    pngs = {size: render_png(svg, size) for size in SIZES}
    files: dict[Path, bytes] = {png_path(size): data for size, data in pngs.items()}
    files[ICO] = ico_bytes(pngs)
    files[ICNS] = icns_bytes(pngs)
    del app
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only check that the committed files are current"
    )
    args = parser.parse_args(argv)
    stale = []
    for path, data in outputs().items():
        current = path.read_bytes() if path.exists() else None
        if current == data:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            print(f"wrote {path.relative_to(ROOT)} ({len(data):,} bytes)")
    if args.check and stale:
        for path in stale:
            print(f"stale: {path.relative_to(ROOT)}", file=sys.stderr)
        return 1
    if not stale:
        print("icons are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
