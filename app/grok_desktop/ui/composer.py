"""The composer row: model picker, multi-line text box (`composer`), Send/Stop (`sendButton`).

Enter sends, Shift+Enter inserts a new line; while an answer streams the button reads "Stop"
and Esc stops too. Pasted images are handed to `image_pasted` (the image pane takes them).

Editing a sent message (`begin_edit`) puts its text in the box and shows a bar above it
("Editing message — Esc to cancel"); the draft that was there comes back when the edit is
sent (`finish_edit`) or cancelled (`cancel_edit`: Esc, the bar's Cancel).

Ctrl+Z in the box undoes typing; when there is no typing to undo it is left to the window
(which undoes the last delete).

Signals:
    send_requested(str text)
    stop_requested()
    model_chosen(str model_id)
    images_pasted(object QMimeData)
    edit_cancelled()
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMimeData, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)


class ComposerEdit(QPlainTextEdit):
    submitted = Signal()
    escape_pressed = Signal()
    images_pasted = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        self.setAccessibleName("Message")
        self.setPlaceholderText("Ask Grok…  (Enter sends, Shift+Enter for a new line)")
        self.setTabChangesFocus(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.document().contentsChanged.connect(self._fit_height)
        self._fit_height()

    def _fit_height(self) -> None:
        lines = max(1, min(8, int(self.document().size().height())))
        line_h = self.fontMetrics().lineSpacing()
        self.setFixedHeight(lines * line_h + 2 * int(self.document().documentMargin()) + 8)

    def event(self, e: QEvent) -> bool:
        if (
            e.type() == QEvent.Type.ShortcutOverride
            and isinstance(e, QKeyEvent)
            and e.matches(QKeySequence.StandardKey.Undo)
            and not self.document().isUndoAvailable()
        ):
            e.ignore()  # nothing typed to undo: the window's Undo (of a delete) gets the key
            return True
        return super().event(e)

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
        return source.hasImage() or source.hasUrls() or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        local_files = source.hasUrls() and any(u.isLocalFile() for u in source.urls())
        if source.hasImage() or local_files:
            self.images_pasted.emit(source)
            if not source.hasText() or local_files:
                return
        super().insertFromMimeData(source)


class Composer(QWidget):
    send_requested = Signal(str)
    stop_requested = Signal()
    model_chosen = Signal(str)
    images_pasted = Signal(object)
    edit_cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = ComposerEdit(self)
        self._editing = False
        self._draft = ""
        self.edit_bar = QWidget(self)
        self.edit_bar.setObjectName("editBar")
        self.edit_bar.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.edit_bar.setStyleSheet(
            "QWidget#editBar { background: palette(alternate-base);"
            " border-left: 3px solid palette(highlight); }"
        )
        self.edit_label = QLabel("Editing message — Esc to cancel", self.edit_bar)
        self.edit_label.setObjectName("editLabel")
        self.edit_label.setAccessibleName("Editing message")
        self.edit_cancel = QPushButton("Cancel", self.edit_bar)
        self.edit_cancel.setObjectName("editCancelButton")
        self.edit_cancel.setToolTip("Stop editing and bring back the draft (Esc)")
        self.edit_cancel.setAutoDefault(False)
        self.edit_cancel.setFlat(True)
        bar = QHBoxLayout(self.edit_bar)
        bar.setContentsMargins(8, 2, 2, 2)
        bar.addWidget(self.edit_label, 1)
        bar.addWidget(self.edit_cancel)
        self.edit_bar.hide()
        self.button = QPushButton("Send", self)
        self.button.setObjectName("sendButton")
        self.button.setAccessibleName("Send")
        self.button.setDefault(False)
        self.button.setAutoDefault(False)
        self.model_picker = QComboBox(self)
        self.model_picker.setObjectName("modelPicker")
        self.model_picker.setAccessibleName("Model")
        self.model_picker.setToolTip("Model for this conversation")
        self.model_picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._streaming = False

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.model_picker)
        row.addStretch(1)
        box = QHBoxLayout()
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.edit, 1)
        box.addWidget(self.button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 8)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addWidget(self.edit_bar)
        layout.addLayout(box)

        self.edit.submitted.connect(self._on_submit)
        self.edit.escape_pressed.connect(self._on_escape)
        self.edit.images_pasted.connect(self.images_pasted)
        self.button.clicked.connect(self._on_button)
        self.model_picker.activated.connect(self._on_model_activated)
        self.edit_cancel.clicked.connect(self.cancel_edit)

    # -- state ------------------------------------------------------------------------------------
    def set_streaming(self, streaming: bool) -> None:
        self._streaming = streaming
        self.button.setText("Stop" if streaming else "Send")
        self.button.setAccessibleName("Stop" if streaming else "Send")
        self.button.setToolTip("Stop the answer (Esc)" if streaming else "Send (Enter)")

    @property
    def streaming(self) -> bool:
        return self._streaming

    def set_models(self, models: list[tuple[str, bool]], current: str | None) -> None:
        """(id, accepts images) pairs; the current one selected."""
        self.model_picker.blockSignals(True)
        self.model_picker.clear()
        for model_id, images in models:
            label = f"{model_id} · images" if images else model_id
            self.model_picker.addItem(label, model_id)
            tip = "Accepts images" if images else "Text only"
            self.model_picker.setItemData(
                self.model_picker.count() - 1, tip, Qt.ItemDataRole.ToolTipRole
            )
        if current:
            self.set_current_model(current)
        self.model_picker.blockSignals(False)

    def set_current_model(self, model: str) -> None:
        index = self.model_picker.findData(model)
        if index < 0:
            self.model_picker.addItem(model, model)
            index = self.model_picker.count() - 1
        self.model_picker.setCurrentIndex(index)

    def current_model(self) -> str | None:
        data = self.model_picker.currentData()
        return str(data) if data else None

    def text(self) -> str:
        return self.edit.toPlainText()

    def clear(self) -> None:
        self.edit.clear()

    # -- editing a sent message -----------------------------------------------------------------
    @property
    def editing(self) -> bool:
        return self._editing

    def begin_edit(self, text: str) -> None:
        """Edit a sent message: its `text` in the box, the bar above it shown."""
        if not self._editing:
            self._draft = self.edit.toPlainText()
        self._editing = True
        self.edit.setPlainText(text)
        self.edit.moveCursor(QTextCursor.MoveOperation.End)
        self.edit_bar.show()
        self.edit.setFocus()

    def finish_edit(self) -> None:
        """The edit was sent: the draft from before comes back."""
        self._end_edit()

    def cancel_edit(self) -> None:
        if self._editing:
            self._end_edit()
            self.edit_cancelled.emit()

    def _end_edit(self) -> None:
        if not self._editing:
            return
        self._editing = False
        self.edit_bar.hide()
        self.edit.setPlainText(self._draft)
        self.edit.moveCursor(QTextCursor.MoveOperation.End)
        self._draft = ""

    # -- slots ----------------------------------------------------------------------------------
    def _on_submit(self) -> None:
        if self._streaming:
            return
        text = self.edit.toPlainText()
        if text.strip():
            self.send_requested.emit(text)

    def _on_escape(self) -> None:
        if self._streaming:
            self.stop_requested.emit()
        else:
            self.cancel_edit()

    def _on_button(self) -> None:
        if self._streaming:
            self.stop_requested.emit()
        else:
            self._on_submit()

    def _on_model_activated(self, index: int) -> None:
        data = self.model_picker.itemData(index)
        if data:
            self.model_chosen.emit(str(data))
