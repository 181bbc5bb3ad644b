"""Pieces of the Quick Ask window: its input box, the attached-image chip, the drag handle,
the status line, its tool buttons.

Signals:
    QuickAskInput.submitted(), .escape_pressed(), .image_pasted()
    ImageChip.removed(str sha256)
    StatusLine.text_changed()
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMimeData, QPoint, Qt, Signal
from PySide6.QtGui import QImage, QKeyEvent, QMouseEvent, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QToolButton,
    QWidget,
)

CHIP_HEIGHT = 28


def tool_button(
    parent: QWidget, name: str, text: str, tip: str, checkable: bool = False
) -> QToolButton:
    button = QToolButton(parent)
    button.setObjectName(name)
    button.setText(text)
    button.setToolTip(tip)
    button.setAccessibleName(tip)
    button.setAutoRaise(True)
    button.setCheckable(checkable)
    button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    return button


class QuickAskInput(QPlainTextEdit):
    """Enter asks, Shift+Enter is a new line, Esc hides the window; pasting an image attaches
    it instead of inserting nothing."""

    submitted = Signal()
    escape_pressed = Signal()
    image_pasted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("quickAskInput")
        self.setAccessibleName("Question")
        self.setPlaceholderText("Ask Grok…  (Enter asks, Shift+Enter new line, Esc hides)")
        self.setTabChangesFocus(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().contentsChanged.connect(self._fit_height)
        self._fit_height()

    def _fit_height(self) -> None:
        lines = max(2, min(6, int(self.document().size().height())))
        line_h = self.fontMetrics().lineSpacing()
        self.setFixedHeight(lines * line_h + 2 * int(self.document().documentMargin()) + 6)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_height()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        mods = event.modifiers()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
            mods & (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier)
        ):
            self.submitted.emit()
            return
        if key == Qt.Key.Key_Escape:
            self.escape_pressed.emit()
            return
        super().keyPressEvent(event)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return source.hasImage() or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        if source.hasImage() and not source.hasText():
            self.image_pasted.emit()
            return
        super().insertFromMimeData(source)


class ImageChip(QFrame):
    """A small thumbnail with its size and a remove button."""

    removed = Signal(str)

    def __init__(self, sha256: str, image: QImage, caption: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.sha256 = sha256
        self.setObjectName("quickAskImageChip")
        self.setAccessibleName(f"Attached image {caption}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 2, 2, 2)
        row.setSpacing(4)
        thumb = QLabel(self)
        thumb.setPixmap(
            QPixmap.fromImage(
                image.scaledToHeight(CHIP_HEIGHT - 6, Qt.TransformationMode.SmoothTransformation)
            )
        )
        row.addWidget(thumb)
        row.addWidget(QLabel(caption, self))
        remove = QToolButton(self)
        remove.setObjectName("quickAskImageRemove")
        remove.setText("×")
        remove.setAutoRaise(True)
        remove.setToolTip("Remove this image")
        remove.setAccessibleName("Remove image")
        remove.clicked.connect(lambda: self.removed.emit(self.sha256))
        row.addWidget(remove)
        self.setFixedHeight(CHIP_HEIGHT)


class DragHandle(QLabel):
    """The title strip: dragging it moves the frameless window (through the window system
    where it can, else by following the mouse)."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setObjectName("quickAskTitle")
        self.setCursor(Qt.CursorShape.SizeAllCursor)
        self._offset: QPoint | None = None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        handle = self.window().windowHandle()
        if handle is not None and handle.startSystemMove():
            return
        self._offset = event.globalPosition().toPoint() - self.window().frameGeometry().topLeft()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._offset is not None:
            self.window().move(event.globalPosition().toPoint() - self._offset)
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._offset = None
        super().mouseReleaseEvent(event)


class StatusLine(QLabel):
    """Progress and errors under the input. The compact window has room for one line; a long
    message (the screenshot portal's advice) wraps, and `extra_height` is the room it needs
    beyond that line."""

    text_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setObjectName("quickAskStatus")
        self.setAccessibleName("Status")
        self.setWordWrap(True)

    def setText(self, text: str) -> None:
        if text != self.text():
            super().setText(text)
            self.text_changed.emit()

    def extra_height(self) -> int:
        if not self.text():
            return 0
        width = self.contentsRect().width()
        if width <= 0:
            return 0
        return max(0, self.heightForWidth(width) - self.fontMetrics().lineSpacing())
