"""The image pane (`imagePane`, "Attached images") above the composer: the images that go
with the next message, as chips in a strip (drag to reorder), an inline notice for bad input,
and the warning when the chosen model cannot see images: those waiting here, and those
already in the conversation (every request sends them again, so a text-only model would be
refused). The Attach and Screenshot buttons live in `toolbar` (placed in the composer's model
row by `install_image_pane`).

Images come in as files, encoded bytes (browser drags, the clipboard) or QImages (screen
capture); all the work happens in `ImageService`'s worker threads, never here.

Signals:
    switch_model_requested(str model)
    screenshot_requested()
    view_requested(object PreparedImage)
    changed(): an image was added, prepared, removed or moved
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from grok_desktop.media.images import PreparedImage
from grok_desktop.media.thumbnails import Thumbnail
from grok_desktop.services.images import ImageService
from grok_desktop.ui.image_chip import ImageChip
from grok_desktop.ui.image_strip import ImageStrip
from grok_desktop.ui.image_thumbs import (
    IMAGE_SUFFIXES,
    qimage_pixels,
    read_mime,
    thumbnail_pixmap,
)

MAX_NOTICE_LINES = 4
FILE_FILTER = "Images (" + " ".join(f"*{s}" for s in sorted(IMAGE_SUFFIXES)) + ");;All files (*)"
STYLE = """
QFrame#imageChip { border: 1px solid palette(mid); border-radius: 6px; background: palette(base); }
QFrame#imageChip QLabel#imageCaption { color: palette(placeholder-text); font-size: 11px; }
QToolButton#imageDetail::menu-indicator { image: none; width: 0; }
QToolButton#imageDetail { font-size: 11px; }
QLabel#imageDropHint { border: 2px dashed palette(highlight); border-radius: 6px; padding: 14px;
    color: palette(highlight); }
QFrame#imagePaneNotice { background: #fde7e9; border-radius: 4px; }
QFrame#imagePaneNotice QLabel { color: #8a1c23; }
QFrame#imageModelWarning { background: #fff4ce; border-radius: 4px; }
QFrame#imageModelWarning QLabel { color: #5c4400; }
"""


class ImagePane(QWidget):
    switch_model_requested = Signal(str)
    screenshot_requested = Signal()
    view_requested = Signal(object)
    changed = Signal()

    def __init__(
        self,
        service: ImageService,
        *,
        max_images: Callable[[], int],
        accepts_images: Callable[[str], bool | None],
        image_model: Callable[[], str | None],
        context_images: Callable[[str | None], int] = lambda _message_id: 0,
        parent: QWidget | None = None,
    ) -> None:
        """`context_images(message_id)`: how many images the conversation already holds on the
        branch down to that message (None: the end of the branch shown), i.e. those that the
        next request sends again."""
        super().__init__(parent)
        self.service = service
        self._max_images = max_images
        self._accepts_images = accepts_images
        self._image_model = image_model
        self._context_images = context_images
        self._model: str | None = None
        self._in_context = 0
        self._notices: list[str] = []
        self.setObjectName("imagePane")
        self.setAccessibleName("Attached images")
        self.setStyleSheet(STYLE)

        self.notice = QFrame(self)
        self.notice.setObjectName("imagePaneNotice")
        self.message = QLabel(self.notice)
        self.message.setObjectName("imagePaneMessage")
        self.message.setAccessibleName("Image problem")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        dismiss = QToolButton(self.notice)
        dismiss.setObjectName("dismissImageMessage")
        dismiss.setText("✕")
        dismiss.setAutoRaise(True)
        dismiss.setAccessibleName("Dismiss")
        dismiss.clicked.connect(self.clear_message)
        row = QHBoxLayout(self.notice)
        row.setContentsMargins(8, 4, 4, 4)
        row.addWidget(self.message, 1)
        row.addWidget(dismiss, 0, Qt.AlignmentFlag.AlignTop)

        self.warning = QFrame(self)
        self.warning.setObjectName("imageModelWarning")
        self.warning_label = QLabel(self.warning)
        self.warning_label.setObjectName("imageModelWarningText")
        self.warning_label.setWordWrap(True)
        self.switch_button = QPushButton(self.warning)
        self.switch_button.setObjectName("imageSwitchModel")
        self.switch_button.clicked.connect(self._on_switch_clicked)
        self.remove_all_button = QPushButton("Remove images", self.warning)
        self.remove_all_button.setObjectName("imageRemoveAll")
        self.remove_all_button.clicked.connect(self.clear)
        row = QHBoxLayout(self.warning)
        row.setContentsMargins(8, 4, 4, 4)
        row.addWidget(self.warning_label, 1)
        row.addWidget(self.switch_button)
        row.addWidget(self.remove_all_button)

        self.strip = ImageStrip(self)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("imageScroll")
        self.scroll_area.setWidget(self.strip)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.drop_hint = QLabel("Drop images here to attach them", self)
        self.drop_hint.setObjectName("imageDropHint")
        self.drop_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.toolbar = QWidget(self)
        self.toolbar.setObjectName("imageToolbar")
        self.attach_button = QToolButton(self.toolbar)
        self.attach_button.setObjectName("attachImageButton")
        self.attach_button.setText("Attach image…")
        self.attach_button.setAccessibleName("Attach image")
        self.attach_button.setToolTip(
            "Attach images from files (or drop them, or paste with Ctrl+V)"
        )
        self.attach_button.setAutoRaise(True)
        self.attach_button.clicked.connect(self.pick_files)
        self.screenshot_button = QToolButton(self.toolbar)
        self.screenshot_button.setObjectName("screenshotButton")
        self.screenshot_button.setText("Screenshot")
        self.screenshot_button.setAccessibleName("Screenshot")
        self.screenshot_button.setAutoRaise(True)
        self.screenshot_button.clicked.connect(self.screenshot_requested)
        bar = QHBoxLayout(self.toolbar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(2)
        bar.addWidget(self.attach_button)
        bar.addWidget(self.screenshot_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 0)
        layout.setSpacing(4)
        layout.addWidget(self.notice)
        layout.addWidget(self.warning)
        layout.addWidget(self.drop_hint)
        layout.addWidget(self.scroll_area)
        layout.addWidget(self.toolbar, 0, Qt.AlignmentFlag.AlignLeft)

        service.thumbnail_ready.connect(self.on_service_thumbnail_ready)
        service.prepared.connect(self.on_service_prepared)
        service.failed.connect(self.on_service_failed)
        self.drop_hint.hide()
        self._refresh()

    # -- contents -------------------------------------------------------------------------------
    def chips(self) -> list[ImageChip]:
        return self.strip.chips()

    def chip(self, key: int) -> ImageChip | None:
        return next((c for c in self.chips() if c.key == key), None)

    @property
    def count(self) -> int:
        return len(self.chips())

    def images(self) -> list[PreparedImage]:
        """The prepared images in order, each with its chosen detail."""
        return [
            replace(c.prepared, detail=c.detail)  # type: ignore[arg-type]
            for c in self.chips()
            if c.prepared is not None
        ]

    def images_for_send(self, model: str) -> list[PreparedImage] | None:
        """The images to send with a message to `model`, or None when the send has to wait:
        an image is still being prepared, or the model cannot see images, attached here or
        already in the conversation (the pane says so)."""
        chips = self.chips()
        waiting = sum(1 for c in chips if not c.ready)
        if waiting:
            self.show_message(
                f"Wait a moment: {waiting} image{'s are' if waiting > 1 else ' is'} still being "
                "prepared. Nothing was sent."
            )
            return None
        if not self.model_sees_context(model):
            return None  # the warning above the composer says why and offers a model that can
        return self.images()

    def model_sees_context(self, model: str, message_id: str | None = None) -> bool:
        """False (and the warning shows, offering a model that can) when `model` cannot see
        images and the request would carry some: attached here (unless `message_id` is given:
        regenerate, retry, continue and edit do not send the pane's images) or already in the
        conversation down to `message_id`."""
        self._in_context = self._context_images(message_id)
        self._model = model
        self._refresh()
        attached = self.count if message_id is None else 0
        return not (self._accepts_images(model) is False and bool(attached or self._in_context))

    def refresh_context(self) -> None:
        """Count the images of the conversation shown again (another one was opened, a new
        chat started, a message with images was sent)."""
        self._in_context = self._context_images(None)
        self._refresh()

    def clear(self) -> None:
        """Remove every image (after a send, or "Remove images")."""
        for chip in self.chips():
            self._remove(chip)
        self.clear_message()
        self._refresh()

    # -- adding ---------------------------------------------------------------------------------
    def add_mime(self, mime: QMimeData) -> None:
        found = read_mime(mime)
        if found.files:
            self.add_files(found.files)
        elif found.data is not None:
            kind = found.data_type.split("/")[-1].upper()
            self._add(lambda: self.service.add_bytes(found.data or b"", f"Pasted {kind} image"))
        elif found.image is not None:
            self.add_qimage(found.image, "Pasted image")
        elif found.remote:
            self.show_message(
                "Images on the web cannot be attached by address (nothing is downloaded): "
                "save the image, or copy the image itself, then try again."
            )
        else:
            self.show_message("There is no image to attach in what was dropped or pasted.")

    def add_files(self, paths: list[Path]) -> None:
        admitted = self._admit(len(paths))
        for path in paths[:admitted]:
            self._add(partial(self.service.add_file, path), name=path.name)

    def add_qimage(self, image: QImage, name: str = "Screenshot") -> None:
        copy = QImage(image)  # the worker converts its own (implicitly shared) copy
        self._add(lambda: self.service.add_pixels(lambda: qimage_pixels(copy), name), name=name)

    def pick_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Attach images", "", FILE_FILTER)
        if paths:
            self.add_files([Path(p) for p in paths])

    def _admit(self, wanted: int) -> int:
        room = max(0, self._max_images() - self.count)
        if wanted > room:
            limit = self._max_images()
            left = wanted - room
            self.show_message(
                f"At most {limit} images can go with one message; "
                f"{left} {'were' if left > 1 else 'was'} not added."
            )
        return min(wanted, room)

    def _add(self, submit: Callable[[], int], name: str = "Pasted image") -> None:
        if not self._admit(1):
            return
        key = submit()
        chip = ImageChip(key, name, self.service.default_detail(), self.strip)
        chip.remove_requested.connect(lambda c=chip: self.remove(c))
        chip.move_requested.connect(lambda step, c=chip: self.step_chip(c, step))
        chip.open_requested.connect(lambda c=chip: self._view(c))
        self.strip.add(chip)
        self.renumber()
        self._refresh()
        self.changed.emit()
        self.scroll_area.ensureWidgetVisible(chip)

    def _view(self, chip: ImageChip) -> None:
        if chip.prepared is not None:
            self.view_requested.emit(chip.prepared)

    # -- editing --------------------------------------------------------------------------------
    def remove(self, chip: ImageChip) -> None:
        self._remove(chip)
        self.renumber()
        self._refresh()
        self.changed.emit()

    def _remove(self, chip: ImageChip) -> None:
        self.service.cancel(chip.key)
        self.strip.row.removeWidget(chip)
        chip.hide()
        chip.deleteLater()

    def step_chip(self, chip: ImageChip, step: int) -> None:
        chips = self.chips()
        self.strip.move_chip(chip, chips.index(chip) + step)
        self.renumber()
        self.changed.emit()

    def renumber(self) -> None:
        chips = self.chips()
        for i, chip in enumerate(chips, 1):
            chip.set_position(i)
            chip.move_left_action.setEnabled(i > 1)
            chip.move_right_action.setEnabled(i < len(chips))

    # -- service results ------------------------------------------------------------------------
    def on_service_thumbnail_ready(self, key: int, thumbnail: Thumbnail) -> None:
        chip = self.chip(key)
        if chip is not None:
            box = chip.thumb.size()
            chip.set_thumbnail(thumbnail_pixmap(thumbnail, box, self.devicePixelRatioF()))

    def on_service_prepared(self, key: int, prepared: PreparedImage) -> None:
        chip = self.chip(key)
        if chip is not None:
            chip.set_prepared(prepared)
            self._refresh()
            self.changed.emit()

    def on_service_failed(self, key: int, message: str) -> None:
        chip = self.chip(key)
        if chip is not None:
            self._remove(chip)
            self.renumber()
        self.show_message(message)
        self._refresh()
        self.changed.emit()

    # -- notices --------------------------------------------------------------------------------
    def show_message(self, text: str) -> None:
        """An inline problem (several in a row are listed together until dismissed)."""
        if text not in self._notices:
            self._notices.append(text)
        shown = self._notices[-MAX_NOTICE_LINES:]
        more = len(self._notices) - len(shown)
        lines = ["⚠ " + t for t in shown] + ([f"(and {more} more)"] if more else [])
        self.message.setText("\n".join(lines))
        self._refresh()

    def clear_message(self) -> None:
        self._notices.clear()
        self.message.clear()
        self._refresh()

    def set_model(self, model: str | None) -> None:
        self._model = model
        self._refresh()

    def _on_switch_clicked(self) -> None:
        model = self.switch_button.property("model")
        if model:
            self.switch_model_requested.emit(str(model))

    def set_drop_hint(self, shown: bool) -> None:
        self.drop_hint.setVisible(shown)
        self._refresh()

    def _refresh(self) -> None:
        has_images = self.count > 0
        self.scroll_area.setVisible(has_images)
        if has_images:
            height = max(c.sizeHint().height() for c in self.chips())
            bar = self.scroll_area.horizontalScrollBar().sizeHint().height()
            self.scroll_area.setFixedHeight(height + bar + 2)
        self.notice.setVisible(bool(self._notices))
        blind = bool(
            (has_images or self._in_context)
            and self._model
            and self._accepts_images(self._model) is False
        )
        if blind:
            self._explain_blind_model()
        self.warning.setVisible(blind)
        toolbar_here = self.toolbar.parent() is self
        self.setVisible(
            has_images
            or blind
            or bool(self._notices)
            or self.drop_hint.isVisibleTo(self)
            or toolbar_here
        )

    def _explain_blind_model(self) -> None:
        alternative = self._image_model()
        model = self._model
        if self._in_context:
            # Removing the images here would not help: the old ones go with every request.
            n = self._in_context
            earlier = f"{n} image{'s' if n > 1 else ''}"
            text = (
                f"{model} cannot see images, and this conversation already has {earlier}, "
                "sent again with every message: nothing is sent until you "
                + (
                    f"switch to {alternative}"
                    if alternative
                    else "choose a model that accepts images"
                )
                + f", or start a new chat (Ctrl+N) for {model}."
            )
        elif alternative:
            text = (
                f"{model} cannot see images: nothing is sent until you switch to a "
                "model that can or remove the images."
            )
        else:
            text = (
                f"{model} cannot see images: nothing is sent until you choose a "
                "model that accepts images or remove the images."
            )
        self.warning_label.setText(text)
        self.switch_button.setVisible(alternative is not None)
        self.switch_button.setText(f"Switch to {alternative}")
        self.switch_button.setProperty("model", alternative)
        self.remove_all_button.setVisible(self.count > 0 and not self._in_context)
