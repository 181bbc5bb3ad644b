"""The image viewer (`imageViewer`): an attached image at any zoom, with copy and save as.

Opened by clicking a thumbnail in the chat view (or double-clicking one in the pane). Images
here are the prepared ones (at most `image_max_side` pixels, ≤ 10 MB), so decoding on open is
quick; saving writes the exact bytes that were sent unless another format is asked for.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication, QImage, QKeySequence, QPixmap, QShortcut, QWheelEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from grok_desktop.ui.image_thumbs import format_bytes

ZOOM_STEPS = (0.1, 0.25, 0.33, 0.5, 0.67, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif"}


class _Scroll(QScrollArea):
    """Ctrl+wheel zooms; every resize of the viewport redoes the fit. The viewport gets its
    real size only once the dialog is laid out and shown, after the dialog's own resize and
    show events, so fitting there (or in `__init__`) used the unlaid-out ~100x30 viewport and
    opened big pictures at a few percent."""

    def __init__(self, viewer: ImageViewer) -> None:
        super().__init__(viewer)
        self.viewer = viewer
        self.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.viewport() and event.type() == QEvent.Type.Resize and self.viewer.fit:
            self.viewer._render()
        return super().eventFilter(watched, event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.viewer.zoom_by(1 if event.angleDelta().y() > 0 else -1)
            event.accept()
        else:
            super().wheelEvent(event)


class ImageViewer(QDialog):
    def __init__(
        self, data: bytes, mime: str, name: str = "image", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("imageViewer")
        self.setWindowTitle(f"{name} — Grok Desktop")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.data = data
        self.mime = mime
        self.name = name
        self.image = QImage.fromData(data)
        self.pixmap = QPixmap.fromImage(self.image)
        self.zoom = 1.0
        self.fit = True

        self.label = QLabel(self)
        self.label.setObjectName("imageViewerPicture")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setAccessibleName("Image")
        self.scroll_area = _Scroll(self)
        self.scroll_area.setWidget(self.label)
        self.scroll_area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll_area.setWidgetResizable(False)
        self.info = QLabel(self)
        self.info.setObjectName("imageViewerInfo")

        buttons = QHBoxLayout()
        for text, tip, slot, name_ in (
            ("−", "Zoom out (Ctrl+-)", lambda: self.zoom_by(-1), "zoomOut"),
            ("+", "Zoom in (Ctrl++)", lambda: self.zoom_by(1), "zoomIn"),
            ("Fit", "Fit the window (Ctrl+0)", self.zoom_fit, "zoomFit"),
            ("100%", "Actual size (Ctrl+1)", lambda: self.set_zoom(1.0), "zoomActual"),
            ("Copy", "Copy the image (Ctrl+C)", self.copy, "copyImage"),
            ("Save as…", "Save the image to a file (Ctrl+S)", self.save_as, "saveImage"),
        ):
            button = QToolButton(self)
            button.setObjectName(name_)
            button.setText(text)
            button.setToolTip(tip)
            button.setAccessibleName(tip.split(" (")[0])
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.info)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.scroll_area, 1)

        for keys, slot in (
            ((QKeySequence.StandardKey.ZoomIn, "Ctrl+="), lambda: self.zoom_by(1)),
            ((QKeySequence.StandardKey.ZoomOut,), lambda: self.zoom_by(-1)),
            (("Ctrl+0",), self.zoom_fit),
            (("Ctrl+1",), lambda: self.set_zoom(1.0)),
            ((QKeySequence.StandardKey.Copy,), self.copy),
            ((QKeySequence.StandardKey.Save, "Ctrl+Shift+S"), self.save_as),
        ):
            for key in keys:
                QShortcut(QKeySequence(key), self, activated=slot)  # type: ignore[call-overload]

        screen = self.screen().availableGeometry()
        w = min(max(self.image.width() + 40, 420), int(screen.width() * 0.8))
        h = min(max(self.image.height() + 90, 300), int(screen.height() * 0.8))
        self.resize(w, h)
        self._render()

    # -- zoom -----------------------------------------------------------------------------------
    def _fit_scale(self) -> float:
        if self.image.isNull():
            return 1.0
        area = self.scroll_area.viewport().size()
        return float(
            min(area.width() / self.image.width(), area.height() / self.image.height(), 1.0)
        )

    def set_zoom(self, zoom: float) -> None:
        self.fit = False
        self.zoom = max(ZOOM_STEPS[0], min(zoom, ZOOM_STEPS[-1]))
        self._render()

    def zoom_by(self, step: int) -> None:
        current = self._fit_scale() if self.fit else self.zoom
        if step > 0:
            bigger = [z for z in ZOOM_STEPS if z > current + 1e-6]
            self.set_zoom(bigger[0] if bigger else ZOOM_STEPS[-1])
        else:
            smaller = [z for z in ZOOM_STEPS if z < current - 1e-6]
            self.set_zoom(smaller[-1] if smaller else ZOOM_STEPS[0])

    def zoom_fit(self) -> None:
        self.fit = True
        self._render()

    @property
    def scale(self) -> float:
        return self._fit_scale() if self.fit else self.zoom

    def _render(self) -> None:
        if self.image.isNull():
            self.label.setText("This image cannot be shown.")
            self.label.adjustSize()
            return
        scale = self.scale
        size = self.image.size() * scale
        if scale == 1.0:
            shown = self.pixmap
        else:
            mode = (
                Qt.TransformationMode.SmoothTransformation
                if scale < 2
                else Qt.TransformationMode.FastTransformation  # crisp pixels when zoomed in
            )
            shown = self.pixmap.scaled(size, Qt.AspectRatioMode.KeepAspectRatio, mode)
        self.label.setPixmap(shown)
        self.label.resize(shown.size())
        self.info.setText(
            f"{self.image.width()}×{self.image.height()} · {format_bytes(len(self.data))} · "
            f"{scale * 100:.0f}%"
        )

    # -- copy and save --------------------------------------------------------------------------
    def copy(self) -> None:
        QGuiApplication.clipboard().setImage(self.image)

    def save_as(self) -> None:
        ext = EXTENSIONS.get(self.mime, "png")
        stem = Path(self.name).stem or "image"
        path, _ = QFileDialog.getSaveFileName(
            self, "Save image", f"{stem}.{ext}", "PNG (*.png);;JPEG (*.jpg *.jpeg);;All files (*)"
        )
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        """The sent bytes when the extension matches their type, else converted."""
        ext = path.suffix.lower().lstrip(".")
        same = ext == EXTENSIONS.get(self.mime) or (ext == "jpeg" and self.mime == "image/jpeg")
        try:
            if same or not ext:
                path.write_bytes(self.data)
            elif not self.image.save(str(path)):
                raise OSError(f"the format .{ext} cannot be written")
        except OSError as exc:
            QMessageBox.warning(self, "Save image", f"Could not save {path}: {exc}")
            return False
        return True
