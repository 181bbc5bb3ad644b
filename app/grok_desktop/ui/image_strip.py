"""The row of image chips in the pane (`imageStrip`). Dropping a chip here moves it (a bar
marks where it lands); dropping images from elsewhere adds them to the pane."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QWidget

from grok_desktop.ui.image_chip import CHIP_MIME, ImageChip
from grok_desktop.ui.image_thumbs import has_images

if TYPE_CHECKING:
    from grok_desktop.ui.image_pane import ImagePane


class ImageStrip(QWidget):
    """The chips in a row; drops here reorder chips or add images."""

    def __init__(self, pane: ImagePane) -> None:
        super().__init__()
        self.pane = pane
        self.setObjectName("imageStrip")
        self.setAcceptDrops(True)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(6)
        self.row.addStretch(1)
        self.marker = QFrame(self)
        self.marker.setObjectName("imageInsertMarker")
        self.marker.setStyleSheet("background: palette(highlight);")
        self.marker.hide()

    def chips(self) -> list[ImageChip]:
        found = []
        for i in range(self.row.count()):
            item = self.row.itemAt(i)
            widget = item.widget() if item is not None else None
            if isinstance(widget, ImageChip):
                found.append(widget)
        return found

    def add(self, chip: ImageChip) -> None:
        self.row.insertWidget(self.row.count() - 1, chip)

    def move_chip(self, chip: ImageChip, index: int) -> None:
        """Put `chip` at position `index` of the row (0-based, among the chips)."""
        chips = self.chips()
        index = max(0, min(index, len(chips) - 1))
        if chips.index(chip) == index:
            return
        self.row.removeWidget(chip)
        self.row.insertWidget(index, chip)

    def insert_index(self, x: int) -> int:
        """Where a chip dropped at `x` goes (an index into the row before the move)."""
        for i, chip in enumerate(self.chips()):
            if x < chip.geometry().center().x():
                return i
        return len(self.chips())

    def _show_marker(self, x: int) -> None:
        chips = self.chips()
        index = self.insert_index(x)
        if not chips:
            return
        left = (
            chips[index].geometry().left() - 4
            if index < len(chips)
            else (chips[-1].geometry().right() + 2)
        )
        self.marker.setGeometry(max(0, left), 2, 2, max(8, self.height() - 4))
        self.marker.show()
        self.marker.raise_()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if mime.hasFormat(CHIP_MIME):
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
        elif has_images(mime):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasFormat(CHIP_MIME):
            self._show_marker(event.position().toPoint().x())
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
        else:
            event.acceptProposedAction()

    def dragLeaveEvent(self, event: object) -> None:
        self.marker.hide()

    def dropEvent(self, event: QDropEvent) -> None:
        self.marker.hide()
        mime = event.mimeData()
        if mime.hasFormat(CHIP_MIME):
            key = int(bytes(mime.data(CHIP_MIME).data()).decode() or 0)
            chip = self.pane.chip(key)
            if chip is not None:
                old = self.chips().index(chip)
                new = self.insert_index(event.position().toPoint().x())
                self.move_chip(chip, new - 1 if new > old else new)
                self.pane.renumber()
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
        else:
            event.acceptProposedAction()
            self.pane.add_mime(mime)
