"""The Quick Ask window (`quickAsk`, "Quick Ask — Grok Desktop"): a small frameless window that
stays on top, opens on the screen under the mouse with the cursor in its input, asks on Enter
and streams the answer with markdown (a compact ChatView). Esc hides it; so does clicking
elsewhere unless it is pinned. "Open in main window" continues the same, stored, conversation
there. The clipboard's image or a screenshot of a region can be attached (quick_ask_capture:
the window hides while the region is picked, and the typed text waits) and, as an option, the
clipboard's text put into the input when the window opens.

Signals:
    open_in_main_requested(str conversation_id, str draft): "" when nothing was asked yet
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QCursor,
    QGuiApplication,
    QImage,
    QKeySequence,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from grok_desktop import APP_NAME
from grok_desktop.domain.content import Role
from grok_desktop.domain.conversation import Message, MessageStatus
from grok_desktop.media.images import PreparedImage
from grok_desktop.services.quick_ask import QuickAskService
from grok_desktop.services.turn import TurnOutcome
from grok_desktop.ui.chat.view import ChatView
from grok_desktop.ui.markdown import Palette
from grok_desktop.ui.quick_ask_capture import QuickAskImages
from grok_desktop.ui.quick_ask_parts import (
    DragHandle,
    ImageChip,
    QuickAskInput,
    StatusLine,
    tool_button,
)
from grok_desktop.ui.shortcuts import SHORTCUTS

log = logging.getLogger(__name__)

TITLE = f"Quick Ask — {APP_NAME}"
WIDTH = 680
COMPACT_HEIGHT = 150
FULL_HEIGHT = 520
HIDE_DELAY_MS = 150
#: The main window's capture keys (Ctrl+Shift+S), from the one shortcut table.
SCREENSHOT_KEYS = next(s.keys for s in SHORTCUTS if s.action == "screenshot")


class QuickAskWindow(QWidget):
    open_in_main_requested = Signal(str, str)

    def __init__(
        self,
        service: QuickAskService,
        palette: Palette,
        *,
        state_file: Path | None = None,
        image_loader: Callable[[str], QImage | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.setObjectName("quickAsk")
        self.setWindowTitle(TITLE)
        self.setAccessibleName("Quick Ask")
        self.setWindowFlags(
            Qt.WindowType.Tool
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
        )
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        self.setAttribute(Qt.WidgetAttribute.WA_MacAlwaysShowToolWindow, True)
        self._state = QSettings(str(state_file), QSettings.Format.IniFormat) if state_file else None
        self.shown_count = 0
        self._shown_epoch = self._left_epoch = 0  # a focus loss counts only until re-shown
        self._build(palette, image_loader)
        self.attachments = QuickAskImages(service, self, self.chips, parent=self)
        self._chrome = COMPACT_HEIGHT - self.input.height()  # all but the input and the answer
        self._connect_signals()
        self._update_size()

    # -- building -------------------------------------------------------------------------------
    def _tool(self, name: str, text: str, tip: str, checkable: bool = False) -> QToolButton:
        return tool_button(self, name, text, tip, checkable)

    def _build(self, palette: Palette, image_loader: Callable[[str], QImage | None] | None) -> None:
        frame = QFrame(self)
        frame.setObjectName("quickAskFrame")
        frame.setStyleSheet(
            "QFrame#quickAskFrame { border: 1px solid palette(mid); border-radius: 8px;"
            " background: palette(base); }"
        )
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        column = QVBoxLayout(frame)
        column.setContentsMargins(10, 6, 10, 8)
        column.setSpacing(6)

        header = QHBoxLayout()
        header.setSpacing(2)
        self.title = DragHandle("Quick Ask", frame)
        header.addWidget(self.title, 1)
        self.new_button = self._tool("quickAskNew", "New", "Start a new conversation (Ctrl+N)")
        self.open_button = self._tool(
            "quickAskOpenMain",
            "Open in main window",
            "Continue this conversation in the main window",
        )
        self.pin_button = self._tool(
            "quickAskPin", "Pin", "Keep open when clicking elsewhere", True
        )
        self.hide_button = self._tool("quickAskHide", "✕", "Hide (Esc)")
        for button in (self.new_button, self.open_button, self.pin_button, self.hide_button):
            header.addWidget(button)
        column.addLayout(header)

        self.input = QuickAskInput(frame)
        font = self.input.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.input.setFont(font)
        self.input.setStyleSheet(
            "QPlainTextEdit#quickAskInput { border: none;"
            " border-bottom: 1px solid palette(midlight); padding-bottom: 2px; }"
        )
        column.addWidget(self.input)

        tools = QHBoxLayout()
        tools.setSpacing(6)
        self.attach_button = self._tool(
            "quickAskAttach", "Attach clipboard image", "Attach the image in the clipboard"
        )
        self.prefill_button = self._tool(
            "quickAskPrefill",
            "Prefill clipboard text",
            "When Quick Ask opens, put the clipboard's text into the question",
            checkable=True,
        )
        if self._state is not None:
            self.prefill_button.setChecked(
                str(self._state.value("quick_ask/prefill_clipboard", "false")).lower() == "true"
            )
        self.screenshot_button = self._tool(
            "quickAskScreenshot",
            "Screenshot",
            f"Capture a region of the screen ({SCREENSHOT_KEYS[0]}); Quick Ask hides meanwhile",
        )
        self.screenshot_button.setAccessibleName("Screenshot")
        self.screenshot_button.setAccessibleDescription(self.screenshot_button.toolTip())
        self.chips = QHBoxLayout()
        self.chips.setSpacing(4)
        tools.addWidget(self.attach_button)
        tools.addWidget(self.screenshot_button)
        tools.addLayout(self.chips)
        tools.addStretch(1)
        tools.addWidget(self.prefill_button)
        column.addLayout(tools)

        self.view = ChatView(palette, image_loader=image_loader, parent=frame)
        self.view.setObjectName("quickAskAnswer")
        self.view.setAccessibleName("Answer")
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        column.addWidget(self.view, 1)

        self.status = StatusLine(frame)
        column.addWidget(self.status)

    def _connect_signals(self) -> None:
        chat = self.service.chat
        chat.user_message_added.connect(self.on_chat_user_message_added)
        chat.reply_started.connect(self.on_chat_reply_started)
        chat.content_received.connect(lambda t: self.view.append_stream(t))
        chat.reasoning_received.connect(lambda t: self.view.append_stream("", t))
        chat.reply_finished.connect(self.on_chat_reply_finished)
        chat.status_changed.connect(self.status.setText)
        chat.failed.connect(self.show_error)
        self.service.failed.connect(self.show_error)
        self.service.conversation_changed.connect(self.on_service_conversation_changed)
        self.input.submitted.connect(self.ask)
        self.input.escape_pressed.connect(self.hide)
        self.input.image_pasted.connect(self.attach_clipboard_image)
        self.new_button.clicked.connect(self.service.new_conversation)
        self.open_button.clicked.connect(self.open_in_main_window)
        self.hide_button.clicked.connect(self.hide)
        self.attach_button.clicked.connect(self.attach_clipboard_image)
        self.screenshot_button.clicked.connect(self.take_screenshot)
        self.attachments.status_changed.connect(self.status.setText)
        self.attachments.failed.connect(self.show_error)
        self.attachments.settled.connect(self.input.setFocus)
        self.prefill_button.toggled.connect(self._on_prefill_toggled)
        self.view.action_requested.connect(self.on_view_action_requested)
        layout = self.view.document().documentLayout()
        layout.documentSizeChanged.connect(lambda _size: self._update_size())
        self.input.document().contentsChanged.connect(self._update_size)
        self.status.text_changed.connect(self._update_size)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.hide)
        QShortcut(QKeySequence("Ctrl+N"), self, self.service.new_conversation)
        for keys in SCREENSHOT_KEYS:
            QShortcut(QKeySequence(keys), self, self.take_screenshot)

    # -- showing --------------------------------------------------------------------------------
    def show_at_cursor(self) -> None:
        """Open on the screen under the mouse, in front, with the cursor in the input
        (while a screenshot is being taken it is hidden on purpose and comes back by itself)."""
        if self.attachments.capturing:
            return
        if self.service.stale():
            self.service.new_conversation()
        screen = QGuiApplication.screenAt(QCursor.pos()) or QGuiApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            width = min(WIDTH, area.width() - 40)
            self.resize(width, self.height())
            self.move(
                area.left() + (area.width() - width) // 2,
                area.top() + max(20, area.height() // 5),
            )
        if self.prefill_button.isChecked():
            text = QGuiApplication.clipboard().text().strip()
            if text:
                self.input.setPlainText(text)
                self.input.selectAll()
        self.show()
        self.raise_()
        self.activateWindow()
        self.input.setFocus(Qt.FocusReason.ActiveWindowFocusReason)
        self.shown_count += 1

    def toggle(self) -> None:
        """The hotkey: hide when it is in front, else open."""
        if self.isVisible() and self.isActiveWindow():
            self.hide()
        else:
            self.show_at_cursor()

    def _update_size(self) -> None:
        """Compact while empty; then as tall as the conversation needs, up to FULL_HEIGHT
        (the window grows downwards as the answer streams in, then scrolls)."""
        has_content = bool(self.view.chat.order) or self.view.streaming
        self.view.setVisible(has_content)
        height = compact = self._chrome + self.input.height() + self.status.extra_height()
        if has_content:
            content = int(self.view.document().size().height()) + 16
            height = max(compact, min(FULL_HEIGHT, compact + max(120, content)))
        if self.height() != height:
            self.resize(self.width() or WIDTH, height)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._shown_epoch += 1

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and not self.isActiveWindow():
            self._left_epoch = self._shown_epoch
            QTimer.singleShot(HIDE_DELAY_MS, self._hide_if_left)

    def _hide_if_left(self) -> None:
        # Not for a focus loss from before the window was last shown (it hid for a capture
        # and came back), nor during a capture.
        if (
            self._left_epoch == self._shown_epoch
            and not self.attachments.capturing
            and self.isVisible()
            and not self.isActiveWindow()
            and not self.pin_button.isChecked()
            and QApplication.activePopupWidget() is None
            and QApplication.activeModalWidget() is None
        ):
            self.hide()

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()  # closing (Alt+F4) only hides: the app keeps running
        self.hide()

    # -- asking ---------------------------------------------------------------------------------
    def ask(self) -> None:
        text = self.input.toPlainText()
        if not text.strip() and not self.images:
            return
        if self.service.ask(text, self.images):
            self.input.clear()
            self.attachments.clear()

    def on_service_conversation_changed(self, conversation_id: str) -> None:
        if not conversation_id:
            self.view.show_messages([])
            self.status.setText("New conversation.")
            self._update_size()

    def on_chat_user_message_added(self, conversation_id: str, message: Message) -> None:
        if conversation_id == self.service.conversation_id:
            self.view.add_message(message)
            self._update_size()

    def on_chat_reply_started(self, conversation_id: str, message: Message | None) -> None:
        if conversation_id != self.service.conversation_id:
            return
        self.view.begin_stream(message or self._placeholder(conversation_id, None))
        self._update_size()

    def on_chat_reply_finished(
        self, conversation_id: str, outcome: TurnOutcome | None, stored: Message | None
    ) -> None:
        if conversation_id != self.service.conversation_id or not self.view.streaming:
            return
        if stored is not None:
            self.view.end_stream(stored)
        elif outcome is not None:
            self.view.end_stream(self._placeholder(conversation_id, outcome))
        self._update_size()

    def _placeholder(self, conversation_id: str, outcome: TurnOutcome | None) -> Message:
        return Message(
            id="unsaved",
            conversation_id=conversation_id,
            parent_id=None,
            role=Role.ASSISTANT,
            content=outcome.content if outcome else "",
            reasoning=outcome.reasoning if outcome else "",
            created=datetime.now(UTC),
            model=outcome.model if outcome else None,
            status=outcome.status if outcome else MessageStatus.STREAMING,
            error=outcome.error.user_message() if outcome and outcome.error else None,
        )

    def on_view_action_requested(self, action: str, message_id: str) -> None:
        model = self.service.model() or ""
        if action == "copied":
            self.status.setText("Answer copied.")
        elif action == "code-copied":
            self.status.setText("Code copied.")
        elif action in ("regenerate", "retry"):
            self.service.chat.regenerate(message_id, model)
        elif action == "continue":
            self.service.chat.continue_reply(message_id, model)
        else:
            self.status.setText("Open the conversation in the main window to do that.")

    def open_in_main_window(self) -> None:
        draft = self.input.toPlainText()
        self.hide()
        self.open_in_main_requested.emit(self.service.conversation_id or "", draft)

    def show_error(self, text: str) -> None:
        self.status.setText(text.splitlines()[0] if text else "")
        self.status.setToolTip(text)

    # -- clipboard ------------------------------------------------------------------------------
    def _on_prefill_toggled(self, on: bool) -> None:
        if self._state is not None:
            self._state.setValue("quick_ask/prefill_clipboard", "true" if on else "false")
            self._state.sync()

    # -- images (quick_ask_capture) -------------------------------------------------------------
    @property
    def images(self) -> list[PreparedImage]:
        return self.attachments.images

    @property
    def image_chips(self) -> list[ImageChip]:
        return self.attachments.chip_widgets

    def attach_clipboard_image(self) -> None:
        self.attachments.attach_clipboard()

    def take_screenshot(self) -> None:
        """Hide while the user picks a screen region; back with it attached (Esc: nothing)."""
        self.attachments.take_screenshot()
