"""The API key in the UI: `KeyEntry` (masked field, show/hide, check against the API) used by
the onboarding dialog and the settings dialog, `KeySection` (status, replace, remove) for the
settings dialog, and `apply_key_change` (what the main window does after a new key).

The key is only ever shown redacted outside the password field; checks and storage run as
asyncio tasks on the app's loop (`KeyService`), so the window never waits on the network or
the keyring.

Signals:
    KeyEntry.check_finished(object KeyCheck)
    KeyEntry.edited(): the text changed (an earlier check no longer applies)
    KeySection.key_changed(object KeyStatus)
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from grok_desktop.services.keys import CONSOLE_URL, KeyCheck, KeyService, KeyStatus, clean_key

if TYPE_CHECKING:
    from grok_desktop.ui.main_window import MainWindow

OK_COLOR = "#1a7f37"
BAD_COLOR = "#c5221f"
WARN_COLOR = "#9a6700"


def describe_check(check: KeyCheck) -> str:
    """The check's result as rich text: who the key belongs to, or the server's reason."""
    if check.info is not None:
        info = check.info
        rows = [
            ("Name", info.name or "(unnamed)"),
            ("Team", info.team_id or "(unknown)"),
            ("Key", info.redacted_api_key or check.redacted),
            ("Blocked", "yes" if info.api_key_blocked else "no"),
            ("Disabled", "yes" if info.api_key_disabled else "no"),
        ]
        if info.team_blocked:
            rows.append(("Team blocked", "yes"))
        table = "".join(
            f"<tr><td style='padding-right:12px;'>{k}</td><td><b>{html.escape(v)}</b></td></tr>"
            for k, v in rows
        )
        if info.usable:
            head = f"<span style='color:{OK_COLOR};'>✓ The API accepts this key.</span>"
        else:
            problems = html.escape(", ".join(info.problems()))
            head = (
                f"<span style='color:{BAD_COLOR};'>✗ This key cannot be used: {problems}. "
                f"Check it at <a href='{CONSOLE_URL}'>console.x.ai</a>.</span>"
            )
        return f"{head}<table style='margin-top:4px;'>{table}</table>"
    reason = html.escape(check.error or "").replace("\n", "<br>")
    if check.rejected:
        return (
            f"<span style='color:{BAD_COLOR};'>✗ The API rejected this key.</span><br>{reason}"
            "<br>Fix the key and check again."
        )
    return (
        f"<span style='color:{WARN_COLOR};'>⚠ The key could not be checked.</span><br>{reason}"
        "<br>You can check again, or save it anyway and use it when the API is reachable."
    )


class KeyField(QLineEdit):
    """The password field. Enter is the field's own (check, then save): it never reaches a
    dialog's default button, which would close the dialog mid-check."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()


class KeyEntry(QWidget):
    check_finished = Signal(object)
    edited = Signal()

    def __init__(self, keys: KeyService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.keys = keys
        self.last_check: KeyCheck | None = None
        self._checked_text: str | None = None
        self._task: asyncio.Task[None] | None = None

        self.field = KeyField(self)
        self.field.setObjectName("keyField")
        self.field.setAccessibleName("API key")
        self.field.setPlaceholderText("xai-…")
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setClearButtonEnabled(True)
        self.field.setMinimumWidth(320)
        self.show_button = QPushButton("Show", self)
        self.show_button.setObjectName("keyShowButton")
        self.show_button.setAccessibleName("Show the key")
        self.show_button.setCheckable(True)
        self.show_button.setAutoDefault(False)
        self.check_button = QPushButton("Check key", self)
        self.check_button.setObjectName("keyCheckButton")
        self.check_button.setAutoDefault(False)
        self.check_button.setEnabled(False)
        self.result = QLabel(self)
        self.result.setObjectName("keyCheckResult")
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.RichText)
        self.result.setOpenExternalLinks(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.result.hide()

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.field, 1)
        row.addWidget(self.show_button)
        row.addWidget(self.check_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(row)
        column.addWidget(self.result)

        self.field.textChanged.connect(self._on_text_changed)
        self.show_button.toggled.connect(self._on_show_toggled)
        self.check_button.clicked.connect(self.start_check)

    # -- state ----------------------------------------------------------------------------------
    def key(self) -> str:
        return clean_key(self.field.text())

    @property
    def checking(self) -> bool:
        return self._task is not None and not self._task.done()

    def check_is_current(self) -> bool:
        return self.last_check is not None and self._checked_text == self.key()

    def can_save(self) -> bool:
        """Saving is offered for a key the API accepted, or one it could not be asked about."""
        if not self.check_is_current() or self.checking:
            return False
        check = self.last_check
        assert check is not None
        return check.usable or (check.info is None and not check.rejected)

    def set_busy(self, busy: bool, text: str = "") -> None:
        self.field.setReadOnly(busy)
        self.check_button.setEnabled(not busy and bool(self.key()))
        if text:
            self.show_message(text)

    def show_message(self, rich_text: str) -> None:
        self.result.setText(rich_text)
        self.result.setVisible(bool(rich_text))

    def clear(self) -> None:
        self.cancel()
        self.field.clear()
        self.show_message("")
        self.last_check = None
        self._checked_text = None

    # -- slots ----------------------------------------------------------------------------------
    def _on_text_changed(self, _text: str) -> None:
        self.check_button.setEnabled(bool(self.key()) and not self.checking)
        if self._checked_text is not None and self._checked_text != self.key():
            self.check_button.setText("Check key")
            self.show_message("")
        self.edited.emit()

    def _on_show_toggled(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.field.setEchoMode(mode)
        self.show_button.setText("Hide" if shown else "Show")
        self.show_button.setAccessibleName("Hide the key" if shown else "Show the key")

    def start_check(self) -> None:
        key = self.key()
        if not key or self.checking:
            return
        self.set_busy(True, "Checking the key with the API…")
        self._task = run_task(self._check(key))

    async def _check(self, key: str) -> None:
        try:
            check = await self.keys.check_key(key)
        finally:
            self.set_busy(False)
        self.last_check = check
        self._checked_text = key
        self._task = None  # done: listeners of check_finished see a settled entry
        self.check_button.setText("Check again")
        self.show_message(describe_check(check))
        self.check_finished.emit(check)

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            self.set_busy(False)


def run_task(coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
    """Start a widget's coroutine on the app's loop; a failure is printed by the loop's
    exception handler, never swallowed."""
    return asyncio.ensure_future(coro)


class KeySection(QWidget):
    """Settings: where the key comes from, Replace…, Remove."""

    key_changed = Signal(object)

    def __init__(self, keys: KeyService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keySection")
        self.keys = keys
        #: Asks before removing; tests replace it.
        self.confirm: Callable[[str], bool] = self._confirm
        self._task: asyncio.Task[None] | None = None

        self.status = QLabel(self)
        self.status.setObjectName("keyStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.replace_button = QPushButton("Replace key…", self)
        self.replace_button.setObjectName("keyReplaceButton")
        self.replace_button.setAutoDefault(False)
        self.remove_button = QPushButton("Remove key", self)
        self.remove_button.setObjectName("keyRemoveButton")
        self.remove_button.setAutoDefault(False)
        self.entry = KeyEntry(keys, self)
        self.save_button = QPushButton("Save key", self)
        self.save_button.setObjectName("keySaveButton")
        self.save_button.setAutoDefault(False)
        self.save_button.setEnabled(False)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setAutoDefault(False)
        help_text = QLabel(
            f"Keys are made at <a href='{CONSOLE_URL}'>console.x.ai</a> (API Keys). The key is "
            "kept in the system keyring, never in the settings file.",
            self,
        )
        help_text.setWordWrap(True)
        help_text.setOpenExternalLinks(True)

        self.editor = QWidget(self)
        editor_column = QVBoxLayout(self.editor)
        editor_column.setContentsMargins(0, 4, 0, 0)
        editor_column.addWidget(self.entry)
        editor_buttons = QHBoxLayout()
        editor_buttons.addStretch(1)
        editor_buttons.addWidget(self.cancel_button)
        editor_buttons.addWidget(self.save_button)
        editor_column.addLayout(editor_buttons)
        self.editor.hide()

        buttons = QHBoxLayout()
        buttons.addWidget(self.replace_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.status)
        column.addLayout(buttons)
        column.addWidget(self.editor)
        column.addWidget(help_text)

        self.replace_button.clicked.connect(self.start_replace)
        self.cancel_button.clicked.connect(self.end_replace)
        self.remove_button.clicked.connect(self.start_remove)
        self.save_button.clicked.connect(self.start_save)
        self.entry.check_finished.connect(lambda _check: self._update_save())
        self.entry.edited.connect(self._update_save)
        self.entry.field.returnPressed.connect(self._on_return)
        self.show_status(keys.status())
        run_task(self._show_store())

    async def _show_store(self) -> None:
        await self.keys.store()  # learn the keyring's name (or why there is none)
        if isValid(self):  # the dialog may be gone already
            self.show_status(self.keys.status())

    def show_status(self, status: KeyStatus) -> None:
        self.status.setText(status.describe())
        self.remove_button.setEnabled(status.redacted is not None)
        self.replace_button.setText("Replace key…" if status.redacted else "Set key…")

    def start_replace(self) -> None:
        self.editor.show()
        self.replace_button.setEnabled(False)
        self.entry.field.setFocus()

    def end_replace(self) -> None:
        self.entry.clear()
        self.editor.hide()
        self.replace_button.setEnabled(True)
        self._update_save()

    def _update_save(self) -> None:
        self.save_button.setEnabled(self.entry.can_save())
        check = self.entry.last_check
        self.save_button.setText(
            "Save anyway"
            if check is not None and check.info is None and not check.rejected
            else "Save key"
        )

    def _on_return(self) -> None:
        if self.entry.can_save():
            self.start_save()
        else:
            self.entry.start_check()

    def start_save(self) -> None:
        if not self.entry.can_save():
            return
        key = self.entry.key()
        self.save_button.setEnabled(False)
        self.entry.set_busy(True, "Saving…")
        self._task = run_task(self._save(key))

    async def _save(self, key: str) -> None:
        try:
            status = await self.keys.save_key(key)
        except Exception as exc:
            self.entry.set_busy(False)
            self.entry.show_message(
                f"<span style='color:{BAD_COLOR};'>✗ {html.escape(str(exc))}</span>"
            )
            self._update_save()
            return
        self.entry.set_busy(False)
        self.end_replace()
        self.show_status(status)
        self.key_changed.emit(status)

    def start_remove(self) -> None:
        status = self.keys.status()
        if status.redacted is None:
            return
        question = f"Remove the key {status.redacted} from this computer?"
        if self.keys.env_key_set:
            question += " (XAI_API_KEY is set in the environment and stays in use.)"
        if not self.confirm(question):
            return
        self.remove_button.setEnabled(False)
        self._task = run_task(self._remove())

    async def _remove(self) -> None:
        try:
            status = await self.keys.remove_key()
        except Exception as exc:
            self.status.setText(f"The key could not be removed: {exc}")
            self.remove_button.setEnabled(True)
            return
        self.show_status(status)
        self.key_changed.emit(status)

    def _confirm(self, question: str) -> bool:
        answer = QMessageBox.question(
            self,
            "Remove the API key",
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def cancel(self) -> None:
        self.entry.cancel()
        if self._task is not None and not self._task.done():
            self._task.cancel()


def apply_key_change(window: MainWindow, status: KeyStatus) -> None:
    """After a new or removed key: the banner, the status text, and the model list (which a
    missing key could not load)."""
    if status.redacted is None:
        window.banner.setText(
            "No API key is set. Open Settings (Ctrl+,) to add one, or try `grok-desktop --demo`."
        )
        window.banner.show()
        window.status_label.setText("The API key was removed.")
        return
    if status.problem:
        window.banner.setText(status.problem)
        window.banner.show()
    else:
        window.banner.hide()
    window.status_label.setText(f"Using the key {status.redacted}.")
    window.models.refresh(force=True)
