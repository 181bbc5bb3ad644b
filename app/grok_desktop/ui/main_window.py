"""The main window (`mainWindow`): conversation list | chat view over the composer, status bar
with the state and the usage meter. All signal wiring is in `_connect_signals()`; the window
reaches nothing but the services it is given.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QImage, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from grok_desktop import APP_NAME
from grok_desktop.domain.conversation import Conversation, Message
from grok_desktop.domain.models import LanguageModel
from grok_desktop.services.chat import ChatService
from grok_desktop.services.conversations import WINDOW, ConversationService
from grok_desktop.services.keys import KeyService
from grok_desktop.services.models import ModelService
from grok_desktop.services.turn import TurnOutcome
from grok_desktop.services.usage import UsageService
from grok_desktop.storage.settings import Settings
from grok_desktop.ui.chat.earlier import EarlierMessages
from grok_desktop.ui.chat.view import ChatView
from grok_desktop.ui.composer import Composer
from grok_desktop.ui.conversation_list import ConversationPanel
from grok_desktop.ui.export_dialog import ConversationExporter
from grok_desktop.ui.first_paint import FirstPaint
from grok_desktop.ui.image_window import install_image_pane
from grok_desktop.ui.live_stream import LiveStream, branches
from grok_desktop.ui.markdown import Palette
from grok_desktop.ui.message_actions import MessageActions
from grok_desktop.ui.shortcuts import SHORTCUTS, ShortcutsDialog
from grok_desktop.ui.system_prompt import SystemPromptButton
from grok_desktop.ui.usage_meter import UsageMeter


class MainWindow(QMainWindow):
    def __init__(
        self,
        *,
        chat: ChatService,
        conversations: ConversationService,
        models: ModelService,
        settings: Settings,
        palette: Palette,
        state_file: Path,
        image_loader: object = None,
        demo: bool = False,
        notice: str | None = None,
        keys: KeyService | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.chat = chat
        self.conversations = conversations
        self.models = models
        self.settings = settings
        self.keys = keys  # the API key from Settings and onboarding (None: not changeable)
        self.current: Conversation | None = None
        self._editing: str | None = None
        self._state = QSettings(str(state_file), QSettings.Format.IniFormat)

        self.panel = ConversationPanel(self)
        self.view = ChatView(palette, image_loader=image_loader, parent=self)  # type: ignore[arg-type]
        self.composer = Composer(self)
        self.system_prompt = SystemPromptButton(conversations, settings, self)
        self.system_prompt.place_after(self.composer.model_picker)
        self.banner = QLabel(self)
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.setStyleSheet(
            "QLabel#banner { background: #fff4ce; color: #5c4400; padding: 6px 10px; }"
        )
        self.banner.setVisible(bool(notice))
        self.banner.setText(notice or "")

        right = QWidget(self)
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.banner)
        column.addWidget(self.view, 1)
        column.addWidget(self.composer)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.panel)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([260, 740])
        self.setCentralWidget(self.splitter)

        self.status_label = QLabel("Ready", self)
        self.status_label.setObjectName("statusText")
        self.status_label.setAccessibleName("Status")
        self.usage_meter = UsageMeter(UsageService(conversations.store, settings), self)
        self.undo_button = QPushButton("Undo", self)
        self.undo_button.setObjectName("undoButton")
        self.undo_button.setToolTip("Put back what was deleted (Ctrl+Z)")
        self.undo_button.hide()
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.undo_button)
        self.statusBar().addPermanentWidget(self.usage_meter)
        if demo:
            badge = QLabel(" Demo ", self)
            badge.setObjectName("demoBadge")
            badge.setToolTip("Answers come from the built-in local demo server; no key needed.")
            badge.setStyleSheet(
                "QLabel#demoBadge { background: #6b4eff; color: white; border-radius: 4px;"
                " font-weight: bold; padding: 1px 6px; }"
            )
            self.statusBar().addPermanentWidget(badge)
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.setInterval(10_000)
        self._undo_timer.timeout.connect(self.undo_button.hide)
        shown = lambda: self.current.id if self.current else None  # noqa: E731
        self.live = LiveStream(chat, conversations, self.view, shown, self)
        self.earlier = EarlierMessages(self.view, conversations, shown, self)
        self.exporter = ConversationExporter(conversations, self.status_label.setText, self)
        self.message_actions = MessageActions(
            chat,
            conversations,
            model=self._model,
            may_resend=lambda model, mid: self.image_pane.model_sees_context(model, mid),
            parent=self,
        )

        self._install_shortcuts()
        self._connect_signals()
        self.image_pane = install_image_pane(self)
        self._restore_state()
        self._update_title()
        self.conversations.load_first_page()
        self._fill_models(self.models.chat_models())
        if self.models.chat_models():  # a cached list: its refresh can wait for the first paint
            self._after_paint = FirstPaint(self, self.models.refresh)
        else:  # nothing to pick a model from until it arrives: ask at once
            self.models.refresh()
        self.composer.edit.setFocus()

    # -- wiring ---------------------------------------------------------------------------------
    def _install_shortcuts(self) -> None:
        handlers = {
            "new_chat": self.new_chat,
            "search": self.panel.focus_search,
            "focus_composer": lambda: self.composer.edit.setFocus(),
            "settings": self.open_settings,
            "system_prompt": self.system_prompt.open_editor,
            "usage": lambda: self.usage_meter.open_window(),
            "shortcuts": lambda: ShortcutsDialog(self).exec(),
            "rename": lambda: self.panel.start_rename(),
            "stop": self.on_escape,
            "undo": self._on_undo_clicked,
            "quit": self.close,
        }
        for shortcut in SHORTCUTS:
            if shortcut.action not in handlers or shortcut.action == "delete":
                continue
            action = QAction(shortcut.label, self)
            action.setObjectName(f"action_{shortcut.action}")
            action.setShortcuts([QKeySequence(k) for k in shortcut.keys])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(handlers[shortcut.action])
            self.addAction(action)

    def _connect_signals(self) -> None:
        self.composer.send_requested.connect(self.on_composer_send_requested)
        self.composer.stop_requested.connect(self.chat.stop)
        self.composer.edit_cancelled.connect(self.on_composer_edit_cancelled)
        self.composer.model_chosen.connect(self.on_composer_model_chosen)
        self.chat.user_message_added.connect(self.on_chat_user_message_added)
        self.chat.reply_finished.connect(self.on_chat_reply_finished)
        self.chat.status_changed.connect(self.status_label.setText)
        self.chat.busy_changed.connect(self.composer.set_streaming)
        self.chat.failed.connect(self.show_error)
        self.conversations.page_loaded.connect(self.on_conversations_page_loaded)
        self.conversations.search_finished.connect(self.on_conversations_search_finished)
        self.conversations.conversation_changed.connect(self.on_conversations_changed)
        self.conversations.conversation_changed.connect(self.system_prompt.on_conversations_changed)
        self.conversations.conversation_deleted.connect(self.on_conversations_deleted)
        self.conversations.conversation_restored.connect(self.on_conversations_restored)
        self.conversations.messages_deleted.connect(self.on_conversations_messages_deleted)
        self.conversations.messages_restored.connect(self.on_conversations_messages_restored)
        self.conversations.failed.connect(self.show_error)
        self.models.models_changed.connect(self._fill_models)
        self.models.failed.connect(self.show_error)
        self.panel.conversation_activated.connect(self.open_conversation)
        self.panel.search_hit_activated.connect(self.on_panel_search_hit_activated)
        self.panel.new_chat_requested.connect(self.new_chat)
        self.panel.rename_requested.connect(self.conversations.rename)
        self.panel.pin_requested.connect(self.conversations.set_pinned)
        self.panel.delete_requested.connect(self.conversations.delete)
        self.panel.export_requested.connect(self.exporter.export)
        self.panel.more_requested.connect(self.conversations.load_more)
        self.panel.search_changed.connect(self.conversations.search)
        self.view.action_requested.connect(self.message_actions.on_view_action_requested)
        self.message_actions.status.connect(self.status_label.setText)
        self.message_actions.edit_requested.connect(self.on_message_actions_edit_requested)
        self.message_actions.branch_switched.connect(self.reload_conversation)
        self.undo_button.clicked.connect(self._on_undo_clicked)

    # -- conversations --------------------------------------------------------------------------
    def _update_title(self) -> None:
        title = self.current.title if self.current else None
        self.setWindowTitle(f"{title} — {APP_NAME}" if title else APP_NAME)

    def new_chat(self) -> None:
        self.chat.stop()
        self._cancel_edit()
        self.current = None
        self.view.show_messages([])
        self.panel.select(None)
        self.system_prompt.set_conversation(None)
        self._update_title()
        self.composer.edit.setFocus()

    def open_conversation(self, conversation_id: str, focus_message: str | None = None) -> None:
        if self.current is not None and self.current.id == conversation_id and not focus_message:
            return
        conversation = self.conversations.get(conversation_id)
        if conversation is None:
            return
        # A running answer goes on (and keeps being saved) while another conversation shows.
        self.current = conversation
        self.system_prompt.set_conversation(conversation)
        messages, positions = self.conversations.open(conversation_id)
        if self._editing not in {m.id for m in messages}:
            self._cancel_edit()  # its message is not shown here (another conversation or branch)
        messages = self.live.without_live(conversation_id, messages)
        shown = messages[-WINDOW:]
        if focus_message and focus_message not in {m.id for m in shown}:
            shown = messages
        self.view.show_messages(shown, branches(positions), has_earlier=len(shown) < len(messages))
        self.live.resume(conversation_id)
        if conversation.model:
            self.composer.set_current_model(conversation.model)
        if focus_message:
            self.view.scroll_to_message(focus_message)
        self._update_title()
        self._update_usage_meter()

    def reload_conversation(self) -> None:
        if self.current is not None:
            cid = self.current.id
            self.current = None
            self.open_conversation(cid)

    def on_panel_search_hit_activated(self, conversation_id: str, message_id: str) -> None:
        self.current = None if self.current and self.current.id == conversation_id else self.current
        self.open_conversation(conversation_id, message_id or None)

    def on_conversations_page_loaded(self, page: list[Conversation], append: bool) -> None:
        if self.panel.searching and not append and self.panel.search.text().strip():
            return
        self.panel.set_conversations(page, append=append)
        self.panel.select(self.current.id if self.current else None)

    def on_conversations_search_finished(self, query: str, hits: list[object]) -> None:
        if query == self.panel.search.text():
            self.panel.show_search_results(hits)  # type: ignore[arg-type]

    def on_conversations_changed(self, conversation: Conversation) -> None:
        if self.current is not None and self.current.id == conversation.id:
            self.current = conversation
            self._update_title()
        if not self.panel.searching:
            self.conversations.load_first_page()

    def on_conversations_deleted(self, conversation_id: str) -> None:
        if self.current is not None and self.current.id == conversation_id:
            self.new_chat()
        self.conversations.load_first_page()
        self._offer_undo("Conversation deleted.")

    def on_conversations_messages_deleted(self, conversation_id: str, count: int) -> None:
        if self.current is not None and self.current.id == conversation_id:
            self.reload_conversation()
        after = f", with the {count - 1} after it" if count > 1 else ""
        self._offer_undo(f"Message deleted{after}.")

    def _offer_undo(self, text: str) -> None:
        self.status_label.setText(text)
        self.undo_button.show()
        self._undo_timer.start()

    def _on_undo_clicked(self) -> None:
        """Undo (button, Ctrl+Z anywhere but in text that has typing to undo): the last
        delete, a conversation or messages."""
        self.undo_button.hide()
        self.conversations.undo_delete()

    def on_conversations_restored(self, _conversation: Conversation) -> None:
        self.status_label.setText("Conversation restored.")

    def on_conversations_messages_restored(self, conversation_id: str) -> None:
        if self.current is not None and self.current.id == conversation_id:
            self.reload_conversation()
        self.status_label.setText("Messages restored.")

    # -- sending --------------------------------------------------------------------------------
    def _model(self) -> str | None:
        return self.composer.current_model() or self.models.default_model()

    def on_composer_send_requested(self, text: str) -> None:
        model = self._model()
        if model is None:
            # Say why (a rejected key, no connection) and ask again: the list may load now.
            self.show_error(
                self.models.last_error
                or "No model is known yet: check the connection and the API key."
            )
            self.models.refresh(force=True)
            return
        if self._editing and not self.image_pane.model_sees_context(model, self._editing):
            return  # the image pane says why: the conversation has images, the model cannot see
        images = [] if self._editing else self.image_pane.images_for_send(model)
        if images is None:
            return  # the image pane says why: still preparing, or the model cannot see images
        if self.current is None:
            system = self.system_prompt.prompt_for_new_chat()
            self.current = self.conversations.create(model, system)
            self.system_prompt.set_conversation(self.current)
            self._update_title()
        if self._editing:
            editing, self._editing = self._editing, None
            if self.chat.edit_and_resend(editing, text, model):
                self.composer.finish_edit()  # the draft from before the edit comes back
            else:
                self._editing = editing  # not sent (the reason is shown): still editing
            return
        self.chat.send(self.current.id, text, model, images)
        self.image_pane.clear()
        self.composer.clear()

    def on_composer_model_chosen(self, model: str) -> None:
        self.settings.set("default_model", model)

    def on_chat_user_message_added(self, conversation_id: str, message: Message) -> None:
        if self.current is not None and self.current.id == conversation_id:
            # the first message gives the conversation its title
            self.current = self.conversations.get(conversation_id)
            self._update_title()
            order = self.view.chat.order
            if message.parent_id == (order[-1] if order else None):
                self.view.add_message(message)
            else:  # an edit: a new branch from further up
                self.reload_conversation()
        self.conversations.load_first_page()

    def on_chat_reply_finished(
        self, conversation_id: str, outcome: TurnOutcome | None, stored: Message | None
    ) -> None:
        self._update_usage_meter(outcome)  # the view's part is in LiveStream
        self.conversations.load_first_page()

    # -- editing a sent message -----------------------------------------------------------------
    def on_message_actions_edit_requested(self, message_id: str, text: str) -> None:
        self._editing = message_id
        self.composer.begin_edit(text)
        self.status_label.setText("Editing: Enter sends the edited message as a new branch.")

    def _cancel_edit(self) -> None:
        if self._editing is not None:
            self.composer.cancel_edit()  # edit_cancelled: the draft is back

    def on_composer_edit_cancelled(self) -> None:
        self._editing = None
        self.status_label.setText("Edit cancelled.")

    def on_escape(self) -> None:
        """Esc: stop the answer; when none is running, cancel an edit."""
        if self.chat.busy:
            self.chat.stop()
        else:
            self._cancel_edit()

    # -- status ---------------------------------------------------------------------------------
    def show_error(self, text: str) -> None:
        self.status_label.setText(text.splitlines()[0] if text else "")
        self.status_label.setToolTip(text)

    def _update_usage_meter(self, outcome: TurnOutcome | None = None) -> None:
        self.usage_meter.refresh(self.current.id if self.current else None, outcome)

    def open_settings(self) -> None:
        from grok_desktop.ui.settings_dialog import show_settings

        show_settings(self)

    def _fill_models(self, models: list[LanguageModel]) -> None:
        current = (self.current.model if self.current else None) or self.models.default_model()
        self.composer.set_models([(m.id, m.accepts_images) for m in models], current)

    # -- state ----------------------------------------------------------------------------------
    def _restore_state(self) -> None:
        geometry = self._state.value("geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1100, 720)
        splitter = self._state.value("splitter")
        if isinstance(splitter, QByteArray) and not splitter.isEmpty():
            self.splitter.restoreState(splitter)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.chat.stop()
        self._state.setValue("geometry", self.saveGeometry())
        self._state.setValue("splitter", self.splitter.saveState())
        self._state.sync()
        super().closeEvent(event)


def load_attachment_image(store: object, sha256: str) -> QImage | None:
    try:
        data = store.read_attachment(sha256)  # type: ignore[attr-defined]
    except Exception:
        return None
    image = QImage()
    image.loadFromData(data)
    return image
