"""The left pane: search box (`conversationSearch`), New chat, and the conversation list
(`conversationList`) grouped Pinned / Today / Yesterday / Previous 7 days / Older.

The list loads page by page (more when scrolled near the end). While the search box has text
the list shows full-text hits with highlighted snippets instead.

Signals:
    conversation_activated(str conversation_id)
    search_hit_activated(str conversation_id, str message_id)  ("" when the title matched)
    new_chat_requested()
    rename_requested(str conversation_id, str title)
    pin_requested(str conversation_id, bool pinned)
    delete_requested(str conversation_id)
    export_requested(str conversation_id)
    more_requested()
    search_changed(str query)  (debounced)
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from grok_desktop.domain.conversation import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    Conversation,
    SearchHit,
)

ID_ROLE = Qt.ItemDataRole.UserRole
MESSAGE_ROLE = Qt.ItemDataRole.UserRole + 1
PINNED_ROLE = Qt.ItemDataRole.UserRole + 2


def group_of(conversation: Conversation, now: datetime) -> str:
    if conversation.pinned:
        return "Pinned"
    local = conversation.updated.astimezone()
    today = now.astimezone().date()
    day = local.date()
    if day >= today:
        return "Today"
    if day == today - timedelta(days=1):
        return "Yesterday"
    if day > today - timedelta(days=7):
        return "Previous 7 days"
    return "Older"


def plain_snippet(snippet: str) -> str:
    return snippet.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "")


def snippet_html(snippet: str) -> str:
    escaped = html.escape(" ".join(snippet.split()))
    return escaped.replace(HIGHLIGHT_START, "<b>").replace(HIGHLIGHT_END, "</b>")


class _List(QListWidget):
    delete_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Delete:
            self.delete_pressed.emit()
            return
        super().keyPressEvent(event)


class ConversationPanel(QWidget):
    conversation_activated = Signal(str)
    search_hit_activated = Signal(str, str)
    new_chat_requested = Signal()
    rename_requested = Signal(str, str)
    pin_requested = Signal(str, bool)
    delete_requested = Signal(str)
    export_requested = Signal(str)
    more_requested = Signal()
    search_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setObjectName("conversationSearch")
        self.search.setAccessibleName("Search conversations")
        self.search.setPlaceholderText("Search conversations (Ctrl+K)")
        self.search.setClearButtonEnabled(True)
        self.new_button = QPushButton("New chat", self)
        self.new_button.setObjectName("newChatButton")
        self.new_button.setAccessibleName("New chat")
        self.new_button.setToolTip("New chat (Ctrl+N)")
        self.list = _List(self)
        self.list.setObjectName("conversationList")
        self.list.setAccessibleName("Conversations")
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.setUniformItemSizes(False)
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.empty_label = QLabel("No conversations yet.", self)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.hide()

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search, 1)
        top.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 4, 8)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty_label)

        self._conversations: dict[str, Conversation] = {}
        self._group_items: dict[str, QListWidgetItem] = {}
        self._searching = False
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(lambda: self.search_changed.emit(self.search.text()))

        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._activate_first)
        self.new_button.clicked.connect(self.new_chat_requested)
        self.list.itemActivated.connect(self._on_activated)
        self.list.itemClicked.connect(self._on_activated)
        self.list.itemChanged.connect(self._on_item_changed)
        self.list.customContextMenuRequested.connect(self._on_context_menu)
        self.list.delete_pressed.connect(self._delete_current)
        self.list.verticalScrollBar().valueChanged.connect(self._on_scrolled)

    # -- filling --------------------------------------------------------------------------------
    @property
    def searching(self) -> bool:
        return self._searching

    def set_conversations(self, conversations: list[Conversation], append: bool = False) -> None:
        self._searching = False
        self.list.blockSignals(True)
        if not append:
            self.list.clear()
            self._conversations.clear()
            self._group_items.clear()
        now = datetime.now().astimezone()
        for c in conversations:
            self._add_item(c, now)
        self.list.blockSignals(False)
        self._update_empty("No conversations yet. Ask something to start one.")

    def _add_item(self, conversation: Conversation, now: datetime) -> None:
        group = group_of(conversation, now)
        if group not in self._group_items:
            header = QListWidgetItem(group)
            header.setFlags(Qt.ItemFlag.NoItemFlags)
            font = QFont(self.font())
            font.setBold(True)
            font.setPointSizeF(font.pointSizeF() * 0.9)
            header.setFont(font)
            self.list.addItem(header)
            self._group_items[group] = header
        item = QListWidgetItem(("📌 " if conversation.pinned else "") + conversation.title)
        item.setData(ID_ROLE, conversation.id)
        item.setData(PINNED_ROLE, conversation.pinned)
        item.setToolTip(conversation.title)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        self.list.addItem(item)
        self._conversations[conversation.id] = conversation

    def show_search_results(self, hits: list[SearchHit]) -> None:
        self._searching = True
        self.list.blockSignals(True)
        self.list.clear()
        self._group_items.clear()
        for hit in hits:
            text = f"{hit.conversation_title}\n{plain_snippet(hit.snippet)}"
            item = QListWidgetItem(" ".join(text.split(" ")))
            item.setData(ID_ROLE, hit.conversation_id)
            item.setData(MESSAGE_ROLE, hit.message_id or "")
            item.setToolTip(
                f"<b>{html.escape(hit.conversation_title)}</b><br>{snippet_html(hit.snippet)}"
            )
            self.list.addItem(item)
        self.list.blockSignals(False)
        self._update_empty("No conversation matches.")

    def _update_empty(self, text: str) -> None:
        empty = self.list.count() == 0
        self.empty_label.setText(text)
        self.empty_label.setVisible(empty)

    def select(self, conversation_id: str | None) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if conversation_id is not None and item.data(ID_ROLE) == conversation_id:
                self.list.setCurrentItem(item)
                return
        self.list.clearSelection()

    def current_id(self) -> str | None:
        item = self.list.currentItem()
        return str(item.data(ID_ROLE)) if item is not None and item.data(ID_ROLE) else None

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def start_rename(self, conversation_id: str | None = None) -> None:
        conversation_id = conversation_id or self.current_id()
        if conversation_id is None:
            return
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(ID_ROLE) == conversation_id:
                conversation = self._conversations.get(conversation_id)
                if conversation is not None:
                    self.list.blockSignals(True)
                    item.setText(conversation.title)
                    self.list.blockSignals(False)
                self.list.editItem(item)
                return

    # -- slots ----------------------------------------------------------------------------------
    def _on_activated(self, item: QListWidgetItem) -> None:
        cid = item.data(ID_ROLE)
        if not cid:
            return
        if self._searching:
            self.search_hit_activated.emit(str(cid), str(item.data(MESSAGE_ROLE) or ""))
        else:
            self.conversation_activated.emit(str(cid))

    def _activate_first(self) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(ID_ROLE):
                self.list.setCurrentItem(item)
                self._on_activated(item)
                self.list.setFocus()
                return

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        cid = item.data(ID_ROLE)
        conversation = self._conversations.get(str(cid)) if cid else None
        if conversation is None or self._searching:
            return
        title = " ".join(item.text().removeprefix("📌 ").split())
        if title and title != conversation.title:
            self.rename_requested.emit(conversation.id, title)
        else:
            self.list.blockSignals(True)
            item.setText(("📌 " if conversation.pinned else "") + conversation.title)
            self.list.blockSignals(False)

    def _delete_current(self) -> None:
        cid = self.current_id()
        if cid:
            self.delete_requested.emit(cid)

    def _on_scrolled(self, value: int) -> None:
        bar = self.list.verticalScrollBar()
        if not self._searching and value >= bar.maximum() - 40:
            self.more_requested.emit()

    def _on_context_menu(self, pos: QPoint) -> None:
        item = self.list.itemAt(pos)
        if item is None or not item.data(ID_ROLE):
            return
        cid = str(item.data(ID_ROLE))
        pinned = bool(item.data(PINNED_ROLE))
        menu = QMenu(self)
        menu.addAction("Open", lambda: self._on_activated(item))
        menu.addAction("Rename…\tF2", lambda: self.start_rename(cid))
        menu.addAction(
            "Unpin" if pinned else "Pin", lambda: self.pin_requested.emit(cid, not pinned)
        )
        menu.addAction("Export…", lambda: self.export_requested.emit(cid))
        menu.addSeparator()
        menu.addAction("Delete\tDel", lambda: self.delete_requested.emit(cid))
        menu.exec(self.list.viewport().mapToGlobal(pos))
