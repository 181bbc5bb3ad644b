"""The first start without a key (`onboardingDialog`): paste the key (masked, show/hide), check it
with GET /v1/api-key, see whose key it is, save it in the system keyring and start; or try the
demo (the app starts again with `--demo`: the built-in local server, no key needed).

Everything slow runs as a task on the app's loop (`KeyService`), so the window behind stays
live; the dialog is window-modal and opened with `open()`, never a nested `exec()`.

Signals:
    OnboardingDialog.key_saved(object KeyStatus)
    OnboardingDialog.demo_requested()
"""

from __future__ import annotations

import asyncio
import html
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from grok_desktop import APP_NAME
from grok_desktop.services.keys import CONSOLE_URL, KeyCheck, KeyService, KeyStatus
from grok_desktop.ui.settings_key import BAD_COLOR, WARN_COLOR, KeyEntry, apply_key_change, run_task

if TYPE_CHECKING:
    from grok_desktop.ui.main_window import MainWindow

INTRO = (
    f"{APP_NAME} talks to xAI's Grok API with your own API key; what you use is billed to "
    "your xAI team. Make a key at "
    f"<a href='{CONSOLE_URL}'>console.x.ai</a> (API Keys → Create API key) and paste it "
    "below; it starts with <code>xai-</code>."
)


class OnboardingDialog(QDialog):
    key_saved = Signal(object)
    demo_requested = Signal()

    def __init__(self, keys: KeyService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("onboardingDialog")
        self.setWindowTitle(f"Welcome — {APP_NAME}")
        self.setMinimumWidth(560)
        self.keys = keys
        self._task: asyncio.Task[None] | None = None

        heading = QLabel(f"Connect {APP_NAME} to xAI", self)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        heading.setFont(font)
        intro = QLabel(INTRO, self)
        intro.setObjectName("onboardingIntro")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        intro.setOpenExternalLinks(True)
        self.entry = KeyEntry(keys, self)
        self.storage_note = QLabel("Looking for the system keyring…", self)
        self.storage_note.setObjectName("onboardingStorage")
        self.storage_note.setWordWrap(True)

        self.demo_button = QPushButton("Try the demo", self)
        self.demo_button.setObjectName("demoButton")
        self.demo_button.setToolTip(
            "Start again with the built-in local demo server: no key, no cost, canned answers."
        )
        self.later_button = QPushButton("Not now", self)
        self.later_button.setObjectName("laterButton")
        self.save_button = QPushButton("Save and start", self)
        self.save_button.setObjectName("saveKeyButton")
        self.save_button.setEnabled(False)
        for button in (self.demo_button, self.later_button, self.save_button):
            button.setAutoDefault(False)

        buttons = QHBoxLayout()
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        buttons.addWidget(self.later_button)
        buttons.addWidget(self.save_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(20, 18, 20, 16)
        column.setSpacing(10)
        column.addWidget(heading)
        column.addWidget(intro)
        column.addSpacing(4)
        column.addWidget(self.entry)
        column.addWidget(self.storage_note)
        column.addStretch(1)
        column.addLayout(buttons)

        self.entry.check_finished.connect(self._on_entry_check_finished)
        self.entry.edited.connect(self._update_buttons)
        self.entry.field.returnPressed.connect(self._on_return)
        self.save_button.clicked.connect(self.start_save)
        self.later_button.clicked.connect(self.reject)
        self.demo_button.clicked.connect(self._on_demo_clicked)
        self.entry.field.setFocus()
        run_task(self._show_storage())

    # -- where the key will live ---------------------------------------------------------------
    async def _show_storage(self) -> None:
        memory_only = await self.keys.keeps_in_memory_only()
        if not isValid(self):
            return
        status = self.keys.status()
        if memory_only:
            reason = html.escape(status.problem or "No system keyring is available.")
            self.storage_note.setText(
                f"<span style='color:{WARN_COLOR};'>⚠ {reason}</span> Set XAI_API_KEY in your "
                "environment to avoid pasting it at every start."
            )
        else:
            where = f" ({html.escape(status.store_name)})" if status.store_name else ""
            self.storage_note.setText(
                f"The key will be kept in the system keyring{where}, never in a file."
            )
        self.adjustSize()

    # -- slots ----------------------------------------------------------------------------------
    def _on_entry_check_finished(self, _check: KeyCheck) -> None:
        self._update_buttons()
        self.adjustSize()  # the answer may be several lines: grow to show all of it
        if self.save_button.isEnabled():
            self.save_button.setFocus()

    def _update_buttons(self) -> None:
        self.save_button.setEnabled(self.entry.can_save() and not self.saving)
        check = self.entry.last_check
        could_not_check = check is not None and check.info is None and not check.rejected
        self.save_button.setText("Save anyway" if could_not_check else "Save and start")

    def _on_return(self) -> None:
        if self.entry.can_save():
            self.start_save()
        else:
            self.entry.start_check()

    def _on_demo_clicked(self) -> None:
        self.cancel()
        self.demo_requested.emit()
        self.reject()

    @property
    def saving(self) -> bool:
        return self._task is not None and not self._task.done()

    def start_save(self) -> None:
        if not self.entry.can_save() or self.saving:
            return
        key = self.entry.key()
        self.entry.set_busy(True, "Saving the key…")
        self._task = run_task(self._save(key))
        self._update_buttons()

    async def _save(self, key: str) -> None:
        try:
            status = await self.keys.save_key(key)
        except Exception as exc:
            self.entry.set_busy(False)
            self.entry.show_message(
                f"<span style='color:{BAD_COLOR};'>✗ The key could not be saved: "
                f"{html.escape(str(exc))}</span>"
            )
            self._task = None
            self._update_buttons()
            return
        self.entry.clear()
        self.key_saved.emit(status)
        self.accept()

    def cancel(self) -> None:
        self.entry.cancel()
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def done(self, result: int) -> None:
        if not self.saving:
            self.cancel()
        super().done(result)


def demo_command(data_dir: str | Path | None = None, debug: bool = False) -> list[str]:
    """How to start this app again in demo mode (also from a PyInstaller bundle)."""
    argv = (
        [sys.executable]
        if getattr(sys, "frozen", False)
        else [sys.executable, "-m", "grok_desktop"]
    )
    argv.append("--demo")
    if data_dir:
        argv += ["--data-dir", str(data_dir)]
    if debug:
        argv.append("--debug")
    return argv


class Onboarding:
    """The dialog over the main window, and the demo restart it may ask for: `run_app` quits
    (through `quit_app`) and, once everything is closed, calls `relaunch_if_asked()`."""

    def __init__(
        self,
        window: MainWindow,
        keys: KeyService,
        *,
        demo_argv: list[str],
        quit_app: Callable[[], None],
    ) -> None:
        self.window = window
        self.demo_argv = demo_argv
        self.demo_asked = False
        self._quit_app = quit_app
        self.dialog = OnboardingDialog(keys, window)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.key_saved.connect(self._on_key_saved)
        self.dialog.demo_requested.connect(self._on_demo_requested)
        self.dialog.rejected.connect(self._on_rejected)
        self.dialog.open()

    def _on_key_saved(self, status: KeyStatus) -> None:
        apply_key_change(self.window, status)

    def _on_rejected(self) -> None:
        if not self.demo_asked:
            self.window.status_label.setText("No API key yet: add one in Settings (Ctrl+,).")

    def _on_demo_requested(self) -> None:
        self.demo_asked = True
        self.window.hide()
        self._quit_app()

    def relaunch_if_asked(self) -> subprocess.Popen[bytes] | None:
        if not self.demo_asked:
            return None
        return subprocess.Popen(
            self.demo_argv, stdin=subprocess.DEVNULL, start_new_session=sys.platform != "win32"
        )


def start_onboarding(
    window: MainWindow,
    *,
    demo: bool,
    quit_app: Callable[[], None],
    data_dir: str | Path | None = None,
    debug: bool = False,
) -> Onboarding | None:
    """Open the onboarding dialog over `window` when there is no key (not in demo mode)."""
    keys: KeyService | None = getattr(window, "keys", None)
    if demo or keys is None or keys.has_key:
        return None
    return Onboarding(window, keys, demo_argv=demo_command(data_dir, debug), quit_app=quit_app)
