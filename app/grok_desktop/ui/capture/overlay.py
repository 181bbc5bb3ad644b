"""Region selection over frozen screen grabs (X11, Windows, macOS).

Every screen is grabbed first (`QScreen.grabWindow(0)`, device pixels, its devicePixelRatio
kept), then one frameless full-screen overlay per screen shows its grab, dimmed outside the
selection. The selection lives in global logical coordinates, so a drag can cross monitors;
`compose_region` cuts the region out of the grabs at the highest pixel ratio involved, so a
HiDPI screen keeps its sharpness.

Esc or a right click cancels; a click without a drag takes the whole screen under the pointer.

Signals (RegionSelector):
    selected(QRect region): global logical coordinates
    cancelled()
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, QPoint, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QScreen,
)
from PySide6.QtWidgets import QWidget

MIN_DRAG = 4  # logical pixels; less is a click
DIM = QColor(0, 0, 0, 110)


@dataclass(frozen=True)
class ScreenGrab:
    """One screen's pixels: `geometry` in global logical coordinates, `pixmap` in device
    pixels (its devicePixelRatio is the screen's)."""

    geometry: QRect
    pixmap: QPixmap
    screen: QScreen | None = None

    @property
    def ratio(self) -> float:
        return self.pixmap.devicePixelRatio() or 1.0


def span(a: QPoint, b: QPoint) -> QRect:
    """The rectangle a drag from `a` to `b` covers (a drag of 100 px is 100 px wide)."""
    return QRect(min(a.x(), b.x()), min(a.y(), b.y()), abs(b.x() - a.x()), abs(b.y() - a.y()))


def grab_screens() -> list[ScreenGrab]:
    grabs = []
    for screen in QGuiApplication.screens():
        pixmap = screen.grabWindow(0)
        if not pixmap.isNull():
            if abs(pixmap.devicePixelRatio() - screen.devicePixelRatio()) > 0.01:
                pixmap.setDevicePixelRatio(screen.devicePixelRatio())
            grabs.append(ScreenGrab(screen.geometry(), pixmap, screen))
    return grabs


def compose_region(grabs: list[ScreenGrab], region: QRect) -> QImage:
    """The pixels of `region` (global logical) from the grabs, at the highest ratio of the
    screens it touches; parts on no screen stay black."""
    touched = [g for g in grabs if g.geometry.intersects(region)]
    if not touched or region.isEmpty():
        return QImage()
    ratio = max(g.ratio for g in touched)
    size = region.size() * ratio
    image = QImage(size, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.black)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    for grab in touched:
        part = grab.geometry.intersected(region)
        local = part.translated(-grab.geometry.topLeft())
        source = QRectF(
            local.x() * grab.ratio,
            local.y() * grab.ratio,
            local.width() * grab.ratio,
            local.height() * grab.ratio,
        )
        at = part.translated(-region.topLeft())
        target = QRectF(at.x() * ratio, at.y() * ratio, at.width() * ratio, at.height() * ratio)
        painter.drawPixmap(target, grab.pixmap, source)
    painter.end()
    return image


class RegionOverlay(QWidget):
    """The overlay of one screen; mouse work is forwarded to the selector."""

    def __init__(self, selector: RegionSelector, grab: ScreenGrab) -> None:
        super().__init__(
            None,
            Qt.WindowType.Window
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint,
        )
        self.selector = selector
        self.shot = grab
        self.setObjectName("captureOverlay")
        self.setAccessibleName("Select a region of the screen")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # The main window is hidden meanwhile: closing the last overlay must not count as
        # closing the app's last window (the app would quit).
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setMouseTracking(True)
        if grab.screen is not None:
            self.setScreen(grab.screen)
        self.setGeometry(grab.geometry)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.drawPixmap(self.rect(), self.shot.pixmap)
        selection = self.selector.selection.translated(-self.shot.geometry.topLeft())
        painter.fillRect(self.rect(), DIM)
        if not selection.isEmpty():
            part = selection.intersected(self.rect())
            if not part.isEmpty():
                r = self.shot.ratio
                source = QRectF(part.x() * r, part.y() * r, part.width() * r, part.height() * r)
                painter.drawPixmap(QRectF(part), self.shot.pixmap, source)
            painter.setPen(QPen(QColor("#2f7cf6"), 2))
            painter.drawRect(selection.adjusted(0, 0, -1, -1))
            self._label(painter, selection)
        elif self.selector.anchor is None:
            self._hint(painter)
        painter.end()

    def _label(self, painter: QPainter, selection: QRect) -> None:
        ratio = max(self.shot.ratio, 1.0)
        text = f"{round(selection.width() * ratio)} × {round(selection.height() * ratio)}"
        metrics = painter.fontMetrics()
        box = metrics.boundingRect(text).adjusted(-6, -3, 6, 3)
        at = selection.topLeft() + QPoint(0, -box.height() - 4)
        if at.y() < 0:
            at = selection.topLeft() + QPoint(4, 4)
        box.moveTopLeft(at)
        painter.fillRect(box, QColor(0, 0, 0, 180))
        painter.setPen(Qt.GlobalColor.white)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def _hint(self, painter: QPainter) -> None:
        text = "Drag to select a region · click for the whole screen · Esc to cancel"
        metrics = painter.fontMetrics()
        box = metrics.boundingRect(text).adjusted(-12, -6, 12, 6)
        box.moveCenter(QPoint(self.width() // 2, 48))
        painter.fillRect(box, QColor(0, 0, 0, 180))
        painter.setPen(Qt.GlobalColor.white)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.RightButton:
            self.selector.cancel()
        elif event.button() == Qt.MouseButton.LeftButton:
            self.selector.press(event.globalPosition().toPoint())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self.selector.drag(event.globalPosition().toPoint())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.selector.release(event.globalPosition().toPoint())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.selector.cancel()
        else:
            super().keyPressEvent(event)


class RegionSelector(QObject):
    """The overlays of all screens and the one selection they share."""

    selected = Signal(QRect)
    cancelled = Signal()

    def __init__(self, grabs: list[ScreenGrab], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.grabs = grabs
        self.anchor: QPoint | None = None
        self.selection = QRect()
        self.overlays = [RegionOverlay(self, g) for g in grabs]
        self._done = False

    def show(self) -> None:
        for overlay in self.overlays:
            overlay.show()
            overlay.raise_()
        # The overlay under the pointer takes the keyboard (Esc), others follow the mouse.
        pointer = QGuiApplication.primaryScreen()
        for overlay in self.overlays:
            if overlay.shot.screen is pointer or overlay is self.overlays[-1]:
                overlay.activateWindow()
                overlay.setFocus()
                break

    def press(self, point: QPoint) -> None:
        self.anchor = point
        self.selection = QRect()
        self._update()

    def drag(self, point: QPoint) -> None:
        if self.anchor is None:
            return
        self.selection = span(self.anchor, point)
        self._update()

    def release(self, point: QPoint) -> None:
        if self.anchor is None:
            return
        region = span(self.anchor, point)
        if region.width() < MIN_DRAG and region.height() < MIN_DRAG:
            screen = next((g.geometry for g in self.grabs if g.geometry.contains(point)), None)
            region = screen or QRect()
        self.anchor = None
        self._finish()
        if region.isEmpty():
            self.cancelled.emit()
        else:
            self.selected.emit(region)

    def cancel(self) -> None:
        self._finish()
        self.cancelled.emit()

    def _update(self) -> None:
        for overlay in self.overlays:
            overlay.update()

    def _finish(self) -> None:
        if self._done:
            return
        self._done = True
        for overlay in self.overlays:
            overlay.close()
        self.overlays = []
