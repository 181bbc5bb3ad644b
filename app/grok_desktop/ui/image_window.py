"""Puts the image pane into the main window with one call, `install_image_pane(window)`:
the pane above the composer, its buttons in the composer's model row, image drops anywhere
on the window, Ctrl+V of images (through the composer), the Screenshot shortcut, the viewer
for thumbnails in the chat view, and the warning when the chosen model cannot see images
(attached ones, or those already in the conversation shown).

The window keeps only `window.image_pane`; sending asks it for `images_for_send(model)`, and
regenerate, retry, continue and edit ask `model_sees_context(model, message_id)`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QImage, QKeySequence
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QWidget

from grok_desktop.domain.models import pick_default_model
from grok_desktop.media.images import PreparedImage
from grok_desktop.services.image_support import images_in_context
from grok_desktop.services.images import ImageService
from grok_desktop.ui.capture import ScreenCapture
from grok_desktop.ui.image_pane import ImagePane
from grok_desktop.ui.image_thumbs import has_images
from grok_desktop.ui.image_viewer import ImageViewer
from grok_desktop.ui.shortcuts import SHORTCUTS

if TYPE_CHECKING:
    from grok_desktop.ui.main_window import MainWindow


class WindowDrops(QObject):
    """Image drops anywhere on the window. Widgets that take drops themselves (the composer:
    it hands images to the pane) keep them; the rest bubble up to the window, here."""

    def __init__(self, pane: ImagePane, window: QWidget) -> None:
        super().__init__(window)
        self.pane = pane
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            drag: QDragEnterEvent = event  # type: ignore[assignment]
            if has_images(drag.mimeData()):
                drag.acceptProposedAction()
                self.pane.set_drop_hint(True)
                return True
        elif kind == QEvent.Type.DragLeave:
            self.pane.set_drop_hint(False)
        elif kind == QEvent.Type.Drop:
            drop: QDropEvent = event  # type: ignore[assignment]
            self.pane.set_drop_hint(False)
            if has_images(drop.mimeData()):
                drop.acceptProposedAction()
                self.pane.add_mime(drop.mimeData())
                return True
        return False


def install_image_pane(window: MainWindow) -> ImagePane:
    service = ImageService(window.settings, parent=window)

    def current_model() -> str | None:
        return window.composer.current_model() or window.models.default_model()

    def image_model() -> str | None:
        return pick_default_model(m for m in window.models.chat_models() if m.accepts_images)

    def context_images(message_id: str | None) -> int:
        store = window.conversations.store
        if message_id is not None:
            return images_in_context(store, message_id=message_id)
        return images_in_context(store, window.current.id if window.current else None)

    pane = ImagePane(
        service,
        max_images=lambda: int(window.settings.get("max_images")),
        accepts_images=window.models.accepts_images,
        image_model=image_model,
        context_images=context_images,
        parent=window,
    )
    holder = window.composer.parentWidget()
    column = holder.layout() if holder is not None else None
    if isinstance(column, QBoxLayout):
        column.insertWidget(column.indexOf(window.composer), pane)
    _place_toolbar(window, pane)
    WindowDrops(pane, window)
    window.composer.images_pasted.connect(pane.add_mime)

    # the model: warn while the chosen one cannot see images, offer one that can
    def update_model(*_: object) -> None:
        pane.set_model(current_model())
        pane.refresh_context()

    def switch_model(model: str) -> None:
        window.composer.set_current_model(model)
        window.composer.model_chosen.emit(model)
        update_model()
        window.composer.edit.setFocus()

    window.composer.model_picker.currentIndexChanged.connect(update_model)
    window.models.models_changed.connect(update_model)
    pane.switch_model_requested.connect(switch_model)
    pane.changed.connect(update_model)
    # the images already in the conversation: another one shown, a new chat, a message sent
    window.view.messages_shown.connect(update_model)
    window.chat.user_message_added.connect(update_model)
    update_model()

    # screenshots
    capture = ScreenCapture(window, parent=pane)
    capture.captured.connect(lambda image: _attach_capture(window, pane, image))
    capture.captured_file.connect(lambda path: _attach_capture(window, pane, Path(path)))
    capture.failed.connect(pane.show_message)
    pane.screenshot_requested.connect(capture.start)
    pane.capture = capture  # type: ignore[attr-defined]
    for shortcut in SHORTCUTS:
        if shortcut.action == "screenshot":
            action = QAction(shortcut.label, window)
            action.setObjectName("action_screenshot")
            action.setShortcuts([QKeySequence(k) for k in shortcut.keys])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(capture.start)
            window.addAction(action)
            pane.screenshot_button.setToolTip(
                f"Capture a region of the screen ({shortcut.keys[0]}); the window hides meanwhile"
            )

    # viewing: thumbnails in the chat view and in the pane
    def view_attachment(action: str, sha256: str) -> None:
        if action == "image":
            open_attachment_viewer(window, sha256)

    window.view.action_requested.connect(view_attachment)
    pane.view_requested.connect(lambda image: open_prepared_viewer(window, image))
    window.destroyed.connect(service.close)
    return pane


def _place_toolbar(window: MainWindow, pane: ImagePane) -> None:
    """The Attach/Screenshot buttons go to the right end of the composer's model row when
    there is one (saves a row); otherwise they stay in the pane."""
    composer_layout = window.composer.layout()
    if composer_layout is None:
        return
    for i in range(composer_layout.count()):
        item = composer_layout.itemAt(i)
        row = item.layout() if item is not None else None
        if isinstance(row, QHBoxLayout) and row.indexOf(window.composer.model_picker) >= 0:
            row.addWidget(pane.toolbar)
            pane.set_drop_hint(False)  # re-evaluates whether the pane has anything to show
            return


def _attach_capture(window: MainWindow, pane: ImagePane, image: QImage | Path) -> None:
    if isinstance(image, Path):
        pane.add_files([image])
    else:
        pane.add_qimage(image, "Screenshot")
    window.composer.edit.setFocus()


def open_attachment_viewer(window: MainWindow, sha256: str) -> ImageViewer | None:
    store = window.conversations.store
    attachment = store.get_attachment(sha256)
    try:
        data = store.read_attachment(sha256)
    except Exception as exc:  # a missing file: say so, never crash
        window.show_error(f"The image cannot be opened: {exc}")
        return None
    mime = attachment.mime if attachment is not None else "image/png"
    viewer = ImageViewer(data, mime, f"image-{sha256[:12]}", window)
    viewer.show()
    return viewer


def open_prepared_viewer(window: MainWindow, image: PreparedImage) -> ImageViewer:
    viewer = ImageViewer(image.data, image.mime, f"image-{image.sha256[:12]}", window)
    viewer.show()
    return viewer
