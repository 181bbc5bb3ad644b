"""One attached image in the pane (`imageChip`): the thumbnail, its size in pixels and bytes,
the detail menu and a remove button. Dragging a chip starts a reorder drag (the strip in
image_pane.py handles the drop).

Signals:
    remove_requested()
    detail_chosen(str detail)
    move_requested(int step): -1 left, +1 right (the menu's keyboard-friendly reorder)
    open_requested(): double click (view the image)
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QMimeData, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QContextMenuEvent, QDrag, QMouseEvent, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from grok_desktop.domain.content import DETAILS
from grok_desktop.media.images import PreparedImage
from grok_desktop.ui.image_thumbs import format_bytes

CHIP_MIME = "application/x-grok-desktop-image-chip"
THUMB_HEIGHT = 72
THUMB_MAX_WIDTH = 128
DETAIL_HELP = {
    "auto": "auto: the model decides",
    "low": "low: faster and cheaper, coarse",
    "high": "high: fine print and small details",
}


class ImageChip(QFrame):
    remove_requested = Signal()
    detail_chosen = Signal(str)
    move_requested = Signal(int)
    open_requested = Signal()

    def __init__(self, key: int, name: str, detail: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.name = name
        self.detail = detail
        self.prepared: PreparedImage | None = None
        self._press: QPoint | None = None
        self.setObjectName("imageChip")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.OpenHandCursor)

        self.thumb = QLabel(self)
        self.thumb.setObjectName("imageThumb")
        self.thumb.setFixedSize(THUMB_MAX_WIDTH, THUMB_HEIGHT)
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumb.setText("…")
        self.caption = QLabel("Preparing…", self)
        self.caption.setObjectName("imageCaption")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.remove_button = QToolButton(self)
        self.remove_button.setObjectName("removeImage")
        self.remove_button.setText("✕")
        self.remove_button.setAutoRaise(True)
        self.remove_button.setCursor(Qt.CursorShape.ArrowCursor)
        self.remove_button.clicked.connect(self.remove_requested)
        self.detail_button = QToolButton(self)
        self.detail_button.setObjectName("imageDetail")
        self.detail_button.setAutoRaise(True)
        self.detail_button.setCursor(Qt.CursorShape.ArrowCursor)
        self.detail_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = self._make_menu()
        self.detail_button.setMenu(self.menu)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(0)
        top.addWidget(self.detail_button)
        top.addStretch(1)
        top.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 4)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.thumb, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.caption)
        self.set_detail(detail)
        self.set_position(1)

    def _make_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.setObjectName("imageMenu")
        group = QActionGroup(menu)
        self.detail_actions: dict[str, QAction] = {}
        menu.addSection("Detail")
        for detail in DETAILS:
            action = QAction(DETAIL_HELP[detail], menu)
            action.setCheckable(True)
            action.setData(detail)
            group.addAction(action)
            menu.addAction(action)
            action.triggered.connect(lambda _=False, d=detail: self._on_detail(d))
            self.detail_actions[detail] = action
        menu.addSeparator()
        self.move_left_action = menu.addAction("Move left")
        self.move_left_action.triggered.connect(lambda: self.move_requested.emit(-1))
        self.move_right_action = menu.addAction("Move right")
        self.move_right_action.triggered.connect(lambda: self.move_requested.emit(1))
        self.view_action = menu.addAction("View")
        self.view_action.triggered.connect(self.open_requested)
        menu.addSeparator()
        menu.addAction("Remove").triggered.connect(self.remove_requested)
        return menu

    # -- state ----------------------------------------------------------------------------------
    def set_position(self, position: int) -> None:
        self.position = position
        self.setAccessibleName(f"Image {position}: {self.name}")
        self.remove_button.setAccessibleName(f"Remove image {position}")
        self.remove_button.setToolTip(f"Remove image {position}")
        self.detail_button.setAccessibleName(f"Image {position} options")

    def set_detail(self, detail: str) -> None:
        self.detail = detail
        self.detail_button.setText(f"Detail: {detail} ▾")
        self.detail_button.setToolTip(f"Detail {DETAIL_HELP[detail]} (click for options)")
        self.detail_actions[detail].setChecked(True)

    def set_thumbnail(self, pixmap: QPixmap) -> None:
        self.thumb.setText("")
        self.thumb.setPixmap(pixmap)

    def set_prepared(self, prepared: PreparedImage) -> None:
        self.prepared = prepared
        size = format_bytes(len(prepared.data))
        self.caption.setText(f"{prepared.width}×{prepared.height} · {size}")
        scaled = (prepared.source_width, prepared.source_height) != (
            prepared.width,
            prepared.height,
        )
        source = f"{prepared.source_width}×{prepared.source_height} px"
        self.setToolTip(
            f"{self.name}\n"
            + (f"{source}, sent as " if scaled else "")
            + f"{prepared.width}×{prepared.height} px {prepared.mime.split('/')[-1].upper()}, "
            f"{size}\nDrag to reorder; the ▾ menu sets the detail."
        )

    @property
    def ready(self) -> bool:
        return self.prepared is not None

    # -- events ---------------------------------------------------------------------------------
    def _on_detail(self, detail: str) -> None:
        self.set_detail(detail)
        self.detail_chosen.emit(detail)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        self.menu.exec(event.globalPos())

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self.ready:
            self.open_requested.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None or not event.buttons() & Qt.MouseButton.LeftButton:
            return
        distance = (event.position().toPoint() - self._press).manhattanLength()
        if distance < QApplication.startDragDistance():
            return
        self._press = None
        mime = QMimeData()
        mime.setData(CHIP_MIME, QByteArray(str(self.key).encode()))
        drag = QDrag(self)
        drag.setMimeData(mime)
        drag.setPixmap(self.grab())
        drag.setHotSpot(event.position().toPoint())
        drag.exec(Qt.DropAction.MoveAction)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._press = None
        super().mouseReleaseEvent(event)
