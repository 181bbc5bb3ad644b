"""The image viewer opens fitted to its window: a big picture fills the viewport (the fit is
redone once the dialog is laid out and whenever it is resized, until the user zooms), a small
one is never blown up beyond 100%."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
from PySide6.QtGui import QColor, QImage

from grok_desktop.ui.image_viewer import ImageViewer


def png(width: int, height: int) -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(40, 120, 200))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def shown_size(viewer: ImageViewer) -> QSize:
    return viewer.label.pixmap().size()


def viewport(viewer: ImageViewer) -> QSize:
    return viewer.scroll_area.viewport().size()


def test_a_big_image_opens_fitted_to_the_viewport(qtbot: Any) -> None:
    viewer = ImageViewer(png(1600, 900), "image/png", "wide")
    qtbot.addWidget(viewer)
    viewer.show()
    qtbot.waitExposed(viewer)
    area = viewport(viewer)
    expected = min(area.width() / 1600, area.height() / 900)
    qtbot.waitUntil(lambda: abs(viewer.scale - expected) < 1e-6)
    shown = shown_size(viewer)
    # the picture touches two edges of the viewport and is never cut
    assert shown.width() <= area.width() and shown.height() <= area.height()
    assert shown.width() >= area.width() - 2 or shown.height() >= area.height() - 2, (shown, area)
    assert viewer.scale > 0.2, viewer.scale
    assert f"{viewer.scale * 100:.0f}%" in viewer.info.text()


def test_the_fit_follows_resizes_until_the_user_zooms(qtbot: Any) -> None:
    viewer = ImageViewer(png(1600, 900), "image/png", "wide")
    qtbot.addWidget(viewer)
    viewer.show()
    qtbot.waitExposed(viewer)
    before = viewer.scale
    viewer.resize(viewer.width() - 200, viewer.height() - 100)
    qtbot.waitUntil(lambda: viewer.scale < before - 0.05)
    area = viewport(viewer)
    assert abs(viewer.scale - min(area.width() / 1600, area.height() / 900)) < 1e-6
    assert shown_size(viewer).width() >= area.width() - 2 or (
        shown_size(viewer).height() >= area.height() - 2
    )
    # a manual zoom sticks through resizes; Fit brings the fitting back
    viewer.set_zoom(0.5)
    viewer.resize(viewer.width() + 150, viewer.height() + 80)
    qtbot.wait(50)
    assert viewer.scale == 0.5 and shown_size(viewer).width() == 800
    viewer.zoom_fit()
    area = viewport(viewer)
    assert abs(viewer.scale - min(area.width() / 1600, area.height() / 900)) < 1e-6


def test_a_small_image_is_not_blown_up(qtbot: Any) -> None:
    viewer = ImageViewer(png(120, 80), "image/png", "small")
    qtbot.addWidget(viewer)
    viewer.show()
    qtbot.waitExposed(viewer)
    qtbot.wait(20)
    assert viewer.scale == 1.0
    assert shown_size(viewer) == QSize(120, 80)
