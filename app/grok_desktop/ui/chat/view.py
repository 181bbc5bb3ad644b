"""The chat view (`chatView`, "Messages"): a read-only QTextBrowser showing one conversation.

Streaming text is buffered and drawn at most once per frame (16 ms single-shot timer), so
a burst of tokens never turns into a burst of layouts. The view follows the bottom unless the
user scrolled up; then a "Jump to latest" button appears. Model output is untrusted: no
resource is ever loaded from the network; only http(s) and mailto links are opened, by the
system browser.

Signals:
    action_requested(str action, str message_id): copy, edit, regenerate, delete, retry,
        continue, prev, next (branches), image (sha256 in message_id).
    load_earlier_requested(): the user asked for older messages ("Show earlier messages" at
        the top); they come with `prepend_messages`, the scroll position kept.
    messages_shown(): `show_messages` replaced what is shown (another conversation, a new
        chat, another branch).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QDesktopServices,
    QGuiApplication,
    QImage,
    QMouseEvent,
    QResizeEvent,
    QTextBlock,
    QTextBlockFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QTextBrowser, QToolButton, QToolTip, QWidget

from grok_desktop.domain.conversation import Message
from grok_desktop.domain.text import GrowingText
from grok_desktop.ui.chat.document import ChatDocument
from grok_desktop.ui.chat.message_html import BranchInfo, usage_tooltip
from grok_desktop.ui.markdown.palette import Palette

FRAME_MS = 16
SAFE_SCHEMES = ("http", "https", "mailto")
THUMB_HEIGHT = 120


def _has_anchor(block: QTextBlock, href: str) -> bool:
    it = block.begin()
    while not it.atEnd():
        if it.fragment().charFormat().anchorHref() == href:
            return True
        it += 1
    return False


class ChatView(QTextBrowser):
    action_requested = Signal(str, str)
    load_earlier_requested = Signal()
    messages_shown = Signal()

    def __init__(
        self,
        palette: Palette,
        *,
        image_loader: Callable[[str], QImage | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("chatView")
        self.setAccessibleName("Messages")
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.document().setDocumentMargin(12)
        self._image_loader = image_loader
        self._thumbs: dict[str, QImage] = {}
        self.chat = ChatDocument(self.document(), None, palette)  # renderer made on first use
        self._pending = False
        self._content = GrowingText()  # the streaming answer so far
        self._reasoning = GrowingText()
        self._follow = True
        self._last_click_pos: int | None = None
        self.updates = 0  # number of stream redraws (for tests and benchmarks)
        self._restyle_pending = False

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._flush)

        self.jump_button = QToolButton(self)
        self.jump_button.setObjectName("jumpToLatest")
        self.jump_button.setText("↓ Jump to latest")
        self.jump_button.setAccessibleName("Jump to latest message")
        self.jump_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.jump_button.hide()
        self.jump_button.clicked.connect(self.jump_to_latest)
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self.anchorClicked.connect(self._on_anchor_clicked)

    # -- content --------------------------------------------------------------------------------
    def show_messages(
        self,
        messages: list[Message],
        branches: dict[str, BranchInfo] | None = None,
        has_earlier: bool = False,
    ) -> None:
        self._timer.stop()
        self._pending = False
        self.chat.clear()
        self._thumbs.clear()
        branches = branches or {}
        if has_earlier:
            self._insert_load_earlier()
        for m in messages:
            self.chat.add(m, branches.get(m.id))
        self._follow = True
        self.jump_to_latest()
        self.messages_shown.emit()

    def _insert_load_earlier(self) -> None:
        cursor = self.textCursor()
        cursor.insertHtml(
            f'<p align="center"><a href="load:earlier" style="color:{self.chat.palette.link};">'
            "Show earlier messages</a></p>"
        )

    def _remove_load_earlier(self) -> None:
        """Empty the link's block (the first of the document, before every message frame)."""
        block = self.document().begin()
        if not _has_anchor(block, "load:earlier"):
            return
        cursor = QTextCursor(block)
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        cursor.setBlockFormat(QTextBlockFormat())

    @property
    def first_message_id(self) -> str | None:
        return self.chat.order[0] if self.chat.order else None

    def prepend_messages(
        self,
        messages: list[Message],
        branches: dict[str, BranchInfo] | None = None,
        has_earlier: bool = False,
    ) -> None:
        """Older messages above the ones shown; what was on screen stays where it was."""
        branches = branches or {}
        bar = self.verticalScrollBar()
        from_bottom = bar.maximum() - bar.value()
        for m in reversed(messages):
            self.chat.add(m, branches.get(m.id), at_start=True)
        if not has_earlier:
            self._remove_load_earlier()
        bar.setValue(bar.maximum() - from_bottom)

    def add_message(self, message: Message, branch: BranchInfo | None = None) -> None:
        self.chat.add(message, branch)
        self._after_growth()

    def update_message(self, message: Message, branch: BranchInfo | None = None) -> None:
        self.chat.update(message, branch)
        self._after_growth()

    def scroll_to_message(self, message_id: str) -> None:
        frame = self.chat.frames.get(message_id)
        if frame is None:
            return
        cursor = self.textCursor()
        cursor.setPosition(frame.firstPosition())
        self.setTextCursor(cursor)
        rect = self.cursorRect(cursor)
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() + rect.top() - 8)
        self._follow = False

    # -- streaming ------------------------------------------------------------------------------
    def begin_stream(self, message: Message) -> None:
        """Show `message` as the answer being written; text it already has (a stream picked up
        again when its conversation is reopened) is drawn on the next frame."""
        self._content, self._reasoning = GrowingText(), GrowingText()
        self._content.append(message.content)
        self._reasoning.append(message.reasoning)
        self.chat.begin_stream(replace(message, content="", reasoning=""))
        if message.content or message.reasoning:
            self._timer.start()
        self._after_growth()

    def append_stream(self, content: str = "", reasoning: str = "") -> None:
        """Called per received delta; drawing happens at most once per frame."""
        self._content.append(content)
        self._reasoning.append(reasoning)
        if not self._timer.isActive():
            self._timer.start()

    def _flush(self) -> None:
        if self.chat.streaming_id is None:
            return
        self.chat.stream_update(self._content.text, self._reasoning.text)
        self.updates += 1
        self._after_growth()

    def end_stream(self, final: Message, branch: BranchInfo | None = None) -> None:
        self._timer.stop()
        self.chat.end_stream(final, branch)
        self._after_growth()
        if self._restyle_pending:
            self._restyle()

    @property
    def streaming(self) -> bool:
        return self.chat.streaming_id is not None

    # -- theme ----------------------------------------------------------------------------------
    def set_palette(self, palette: Palette) -> None:
        """Show everything again in another theme's colours (the theme or the system scheme
        changed). A streaming answer is left alone until it ends, then all is redrawn."""
        if palette == self.chat.palette:
            return
        self.chat.palette = palette
        self.chat.renderer = None  # made again, with these colours
        if self.streaming:
            self._restyle_pending = True
        else:
            self._restyle()

    def _restyle(self) -> None:
        self._restyle_pending = False
        bar = self.verticalScrollBar()
        follow = self._follow
        ratio = bar.value() / bar.maximum() if bar.maximum() else 1.0
        messages = [self.chat.messages[mid] for mid in self.chat.order]
        thumbs = dict(self._thumbs)
        branches = {mid: b for mid, b in self.chat.branches.items() if b is not None}
        self.show_messages(messages, branches, self._shows_load_earlier())
        self._thumbs.update(thumbs)
        if not follow:
            bar.setValue(round(ratio * bar.maximum()))
            self._follow = False

    def _shows_load_earlier(self) -> bool:
        it = self.document().begin().begin()
        while not it.atEnd():
            if it.fragment().charFormat().anchorHref() == "load:earlier":
                return True
            it += 1
        return False

    # -- following the bottom -------------------------------------------------------------------
    def _after_growth(self) -> None:
        if self._follow:
            bar = self.verticalScrollBar()
            bar.setValue(bar.maximum())
        else:
            self.jump_button.setVisible(True)
            self._place_jump_button()

    def _on_scrolled(self, value: int) -> None:
        at_bottom = value >= self.verticalScrollBar().maximum() - 4
        self._follow = at_bottom
        if at_bottom:
            self.jump_button.hide()

    def jump_to_latest(self) -> None:
        self._follow = True
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())
        self.jump_button.hide()

    def _place_jump_button(self) -> None:
        hint = self.jump_button.sizeHint()
        vp = self.viewport().geometry()
        self.jump_button.move(vp.right() - hint.width() - 16, vp.bottom() - hint.height() - 12)
        self.jump_button.raise_()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_jump_button()
        if self._follow:
            self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())

    # -- links and actions ----------------------------------------------------------------------
    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._last_click_pos = self.cursorForPosition(event.position().toPoint()).position()
        super().mouseReleaseEvent(event)

    def _on_anchor_clicked(self, url: QUrl) -> None:
        scheme = url.scheme()
        target = url.toString()
        if scheme == "action":
            action, _, mid = url.path().partition("/")
            if action == "thinking":
                self.chat.toggle_thinking(mid)
            elif action == "copy":
                message = self.chat.messages.get(mid)
                if message is not None:
                    QGuiApplication.clipboard().setText(message.content)
                    self.action_requested.emit("copied", mid)
            else:
                self.action_requested.emit(action, mid)
        elif scheme == "copy-code":
            self._copy_code(int(url.path() or 0))
        elif scheme == "load":
            self.load_earlier_requested.emit()
        elif scheme == "image":
            self.action_requested.emit("image", url.path())
        elif scheme in SAFE_SCHEMES:
            QDesktopServices.openUrl(url)
        else:
            QToolTip.showText(self.mapToGlobal(QPoint(0, 0)), f"Link not opened: {target[:80]}")
        self._last_click_pos = None

    def _copy_code(self, index: int) -> None:
        pos = self._last_click_pos
        if pos is None:
            pos = self.textCursor().position()
        mid = self.chat.message_at(pos)
        code = self.chat.code_block(mid, index) if mid else None
        if code is not None and mid is not None:
            QGuiApplication.clipboard().setText(code)
            self.action_requested.emit("code-copied", mid)

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ToolTip:
            pos = e.pos()  # type: ignore[attr-defined]
            cursor = self.cursorForPosition(pos)
            href = cursor.charFormat().anchorHref()
            if href.startswith("usage:"):
                message = self.chat.messages.get(href[len("usage:") :])
                if message is not None:
                    QToolTip.showText(e.globalPos(), usage_tooltip(message), self)  # type: ignore[attr-defined]
                    return True
            tip = cursor.charFormat().toolTip()
            if tip:
                QToolTip.showText(e.globalPos(), tip, self)  # type: ignore[attr-defined]
                return True
            QToolTip.hideText()
            return True
        return super().event(e)

    def loadResource(self, kind: int, name: QUrl | str) -> Any:
        """Only our own attachments; never anything from the network or disk paths."""
        if isinstance(name, str):
            name = QUrl(name)
        if name.scheme() == "attachment" and self._image_loader is not None:
            sha = name.path()
            if sha not in self._thumbs:
                image = self._image_loader(sha)
                if image is None or image.isNull():
                    return None
                if image.height() > THUMB_HEIGHT:
                    image = image.scaledToHeight(
                        THUMB_HEIGHT, Qt.TransformationMode.SmoothTransformation
                    )
                self._thumbs[sha] = image
            return self._thumbs[sha]
        return None
