"""Shared helpers of the image tests (no tests here): encoded images, drag-and-drop events and
waiting for the pane. Imported by the other tests/ui/test_images_*.py."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget

from grok_desktop.ui.image_pane import ImagePane

TIMEOUT = 10_000
ACTIONS = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction


def encoded(
    fmt: str, size: tuple[int, int] = (64, 48), colour: tuple[int, ...] = (200, 40, 40)
) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, fmt)
    return buf.getvalue()


def picture(path: Path, size: tuple[int, int], tint: tuple[int, int, int]) -> Path:
    """A picture worth looking at in a screenshot: a gradient, a disc and a bar."""
    from PIL import ImageDraw

    w, h = size
    gradient = Image.linear_gradient("L").rotate(90).resize(size)
    base = Image.merge(
        "RGB", [gradient.point(lambda v, t=t: (v * t) // 255 + (255 - t) // 3) for t in tint]
    )
    draw = ImageDraw.Draw(base)
    r = min(w, h) // 4
    draw.ellipse((w // 2 - r, h // 2 - r, w // 2 + r, h // 2 + r), fill=(250, 250, 250))
    draw.rectangle((0, h - h // 8, w, h), fill=(40, 40, 40))
    base.save(path)
    return path


def image_file(
    folder: Path, name: str, size: tuple[int, int] = (64, 48), fmt: str | None = None
) -> Path:
    fmt = fmt or {"jpg": "JPEG", "jpeg": "JPEG", "tif": "TIFF"}.get(
        name.rsplit(".", 1)[-1].lower(), name.rsplit(".", 1)[-1].upper()
    )
    path = folder / name
    path.write_bytes(encoded(fmt, size))
    return path


def file_mime(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def drop(widget: QWidget, mime: QMimeData, pos: QPoint | None = None) -> bool:
    """Enter, move and drop as a real drag does; scroll areas get it on their viewport.
    Returns whether the drop was accepted."""
    target = widget.viewport() if isinstance(widget, QAbstractScrollArea) else widget
    pos = pos if pos is not None else target.rect().center()
    buttons = Qt.MouseButton.LeftButton
    mods = Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos, ACTIONS, mime, buttons, mods)
    QApplication.sendEvent(target, enter)
    if not enter.isAccepted():
        QApplication.sendEvent(target, QDragLeaveEvent())
        return False
    move = QDragMoveEvent(pos, ACTIONS, mime, buttons, mods)
    QApplication.sendEvent(target, move)
    event = QDropEvent(QPointF(pos), ACTIONS, mime, buttons, mods)
    QApplication.sendEvent(target, event)
    return event.isAccepted()


def wait_ready(qtbot: Any, pane: ImagePane, count: int) -> None:
    qtbot.waitUntil(
        lambda: pane.count == count and all(c.ready for c in pane.chips()), timeout=TIMEOUT
    )


def sizes(pane: ImagePane) -> list[tuple[int, int]]:
    return [(i.width, i.height) for i in pane.images()]
