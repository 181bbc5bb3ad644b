"""Settings (`settingsDialog`, Ctrl+,): the API key, the connection, chat defaults, images, the
desktop (theme, hotkey, tray) and the monthly budget.

The editors are made from the declarative schema (`settings_fields`); every setting of the
schema gets one, on its page or on "Other". The Desktop page also shows what the global
shortcut is doing (`HotkeyStatusView`, from the window's `hotkeys` manager) and releases the
chord while the hotkey field records a new one. OK and Apply check each value against the schema
(and the base URL against the plain-http rule) before anything is saved; the settings file never
sees the key, which only goes through `KeyService` to the system keyring.

Signals:
    key_changed(object KeyStatus): a key was saved or removed from the dialog
    applied(list[str] names): settings that were changed and saved
    hotkey_recording(bool): the hotkey field records a chord; the dialog suspends its
        `hotkeys` manager meanwhile (`HotkeyManager.set_suspended`), so pressing the current
        chord is recorded instead of opening Quick Ask, and resumes it when recording ends or
        the dialog closes
"""

from __future__ import annotations

import html
import os
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from grok_desktop import APP_NAME
from grok_desktop.api.errors import ConfigError
from grok_desktop.api.transport import is_loopback_host, normalize_base_url
from grok_desktop.platform.hotkeys.manager import HotkeyManager
from grok_desktop.services.keys import KeyService
from grok_desktop.storage.settings import BY_NAME, SCHEMA, Settings
from grok_desktop.ui.hotkey_status import HotkeyStatusView
from grok_desktop.ui.settings_fields import (
    Field,
    generic_field,
    hotkey_field,
    label_for,
    model_field,
    prompt_field,
)
from grok_desktop.ui.settings_key import BAD_COLOR, WARN_COLOR, KeySection, apply_key_change

if TYPE_CHECKING:
    from grok_desktop.ui.main_window import MainWindow

TITLE = f"Settings — {APP_NAME}"
PAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Account", ("base_url", "allow_insecure_http")),
    ("Chat", ("default_model", "default_system_prompt", "model_titles", "stall_timeout")),
    ("Images", ("image_max_side", "image_detail", "max_images")),
    ("Desktop", ("theme", "hotkey", "hotkey_enabled", "close_to_tray")),
    ("Usage", ("monthly_budget_usd",)),
)
#: Read once when the app starts: a change shows "applies at the next start".
NEXT_START = ("base_url", "allow_insecure_http", "stall_timeout")


def http_warning(url: str, allowed: bool) -> tuple[str, str] | None:
    """(colour, text) about a base URL: not a URL, or plain http to another machine."""
    text = url.strip()
    if not text:
        return None
    try:
        normalize_base_url(text, allow_insecure_http=True)
    except ConfigError as exc:
        return BAD_COLOR, exc.message
    parts = urlsplit(text)
    if parts.scheme == "http" and not is_loopback_host(parts.hostname or ""):
        if allowed:
            return WARN_COLOR, (
                f"⚠ Plain http: the API key travels unencrypted to {parts.hostname}. "
                "Use this only for a gateway you trust on a network you trust."
            )
        return BAD_COLOR, (
            f"✗ Plain http to {parts.hostname} would send the API key unencrypted. Use "
            "https://, or tick “Allow plain http” if this is a trusted gateway."
        )
    return None


class SettingsDialog(QDialog):
    key_changed = Signal(object)
    applied = Signal(list)
    hotkey_recording = Signal(bool)

    def __init__(
        self,
        settings: Settings,
        *,
        keys: KeyService | None = None,
        models: list[str] | None = None,
        hotkeys: HotkeyManager | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(TITLE)
        self.setMinimumWidth(620)
        self.settings = settings
        self.keys = keys
        self.fields: dict[str, Field] = {}
        self.key_section: KeySection | None = None
        self.hotkeys = hotkeys
        self.hotkey_status: HotkeyStatusView | None = None
        self._suspended = False
        self.hotkey_recording.connect(self._on_hotkey_recording)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("settingsTabs")
        placed: set[str] = set()
        for title, names in PAGES:
            page = self._page(title, [n for n in names if n in BY_NAME], models or [])
            placed.update(names)
            self.tabs.addTab(page, title)
        others = [s.name for s in SCHEMA if s.name not in placed]
        if others:  # settings added to the schema later still get an editor
            self.tabs.addTab(self._page("Other", others, models or []), "Other")

        self.message = QLabel(self)
        self.message.setObjectName("settingsMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.Apply,
            self,
        )
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        apply_button.clicked.connect(self.apply)
        column = QVBoxLayout(self)
        column.addWidget(self.tabs, 1)
        column.addWidget(self.message)
        column.addWidget(self.buttons)

        self.load()
        self._update_url_warning()

    # -- pages ----------------------------------------------------------------------------------
    def _page(self, title: str, names: list[str], models: list[str]) -> QWidget:
        page = QWidget(self)
        column = QVBoxLayout(page)
        if title == "Account":
            column.addWidget(self._key_group(page))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        if title == "Account":
            box = QGroupBox("Connection", page)
            box.setLayout(form)
            column.addWidget(box)
        else:
            column.addLayout(form)
        for name in names:
            field = self._field(name, page, models)
            self.fields[name] = field
            if field.labelled:
                form.addRow(field.widget)
            else:
                form.addRow(label_for(field.spec) + ":", field.widget)
            help_text = self._help(name)
            if help_text:
                form.addRow("", help_text)
            if name == "hotkey_enabled":
                self.hotkey_status = HotkeyStatusView(self.hotkeys, page)
                form.addRow("Status:", self.hotkey_status)
                label = form.labelForField(self.hotkey_status)
                if isinstance(label, QLabel):  # level with the first line, not the middle
                    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        column.addStretch(1)
        return page

    def _field(self, name: str, parent: QWidget, models: list[str]) -> Field:
        spec = BY_NAME[name]
        if name == "default_model":
            field = model_field(spec, parent, models)
        elif name == "default_system_prompt":
            field = prompt_field(spec, parent)
        elif name == "hotkey":
            field = hotkey_field(spec, parent)
        else:
            return generic_field(spec, parent)
        if not field.widget.toolTip():
            field.widget.setToolTip(spec.doc)
        if not field.widget.accessibleName():
            field.widget.setAccessibleName(label_for(spec))
        if not field.widget.objectName():
            field.widget.setObjectName(f"setting_{name}")
        return field

    def _help(self, name: str) -> QLabel | None:
        texts = {
            "base_url": "",  # filled by _update_url_warning
            "default_system_prompt": "Used for new conversations; each can change its own.",
            "stall_timeout": "Reasoning models may think for minutes with nothing to show.",
            "hotkey": "Click the field and press the new shortcut; Backspace turns it off.",
            "monthly_budget_usd": (
                "The usage meter turns amber at 80 % and red at 100 % of this amount "
                "(this computer's replies, local calendar month). Nothing is blocked."
            ),
        }
        if name not in texts:
            return None
        label = QLabel(texts[name], self)
        label.setWordWrap(True)
        label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        label.setObjectName(f"help_{name}")
        widget = self.fields[name].widget
        rejected = getattr(widget, "rejected", None)  # HotkeyEdit says why it refused a chord
        if rejected is not None:
            rejected.connect(
                lambda reason: label.setText(
                    f"<span style='color:{BAD_COLOR};'>{html.escape(reason)}</span>"
                )
            )
        recording = getattr(widget, "recording_changed", None)
        if recording is not None:
            recording.connect(self.hotkey_recording)
        if name == "base_url":
            self.url_warning = label
            label.setTextFormat(Qt.TextFormat.RichText)
            self.fields["base_url"].changed.connect(self._update_url_warning)
        return label

    def _key_group(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox("API key", parent)
        column = QVBoxLayout(box)
        if self.keys is None:
            column.addWidget(QLabel("The key cannot be changed in this window.", box))
            return box
        self.key_section = KeySection(self.keys, box)
        self.key_section.key_changed.connect(self.key_changed)
        column.addWidget(self.key_section)
        return box

    # -- values ---------------------------------------------------------------------------------
    def load(self) -> None:
        for name, field in self.fields.items():
            field.set_value(self.settings.get(name))
        if "allow_insecure_http" in self.fields:
            self.fields["allow_insecure_http"].changed.connect(self._update_url_warning)

    def _update_url_warning(self, *_args: Any) -> None:
        label = getattr(self, "url_warning", None)
        if label is None:
            return
        allowed = bool(self.fields["allow_insecure_http"].value())
        warning = http_warning(str(self.fields["base_url"].value() or ""), allowed)
        notes: list[str] = []
        if warning is not None:
            notes.append(f"<span style='color:{warning[0]};'>{warning[1]}</span>")
        overridden = os.environ.get("GROK_DESKTOP_BASE_URL")
        active = self.keys.base_url if self.keys is not None else None
        if overridden:
            notes.append("GROK_DESKTOP_BASE_URL is set and wins over this setting.")
        elif active and active != str(self.settings.get("base_url")).rstrip("/"):
            notes.append(f"This session uses {active}.")
        notes.append("Applies at the next start.")
        label.setText("<br>".join(notes))

    def problems(self) -> dict[str, str]:
        """Values the schema (or the plain-http rule) refuses, by setting name."""
        found: dict[str, str] = {}
        for name, field in self.fields.items():
            value = field.value()
            if not field.spec.valid(value):
                found[name] = f"{label_for(field.spec)}: {value!r} is not allowed."
        url = self.fields.get("base_url")
        if url is not None:
            allowed = bool(self.fields["allow_insecure_http"].value())
            try:
                normalize_base_url(str(url.value() or ""), allow_insecure_http=allowed)
            except ConfigError as exc:
                found["base_url"] = exc.message
        return found

    def apply(self) -> bool:
        """Save every changed value; False (nothing saved) when one is refused."""
        problems = self.problems()
        if problems:
            name = next(iter(problems))
            self._show_message(f"<span style='color:{BAD_COLOR};'>{problems[name]}</span>")
            field = self.fields[name]
            for index in range(self.tabs.count()):
                page = self.tabs.widget(index)
                if page is not None and page.isAncestorOf(field.widget):
                    self.tabs.setCurrentIndex(index)
            field.widget.setFocus()
            return False
        changed: list[str] = []
        for name, field in self.fields.items():
            value = field.value()
            if name == "base_url":
                value = normalize_base_url(str(value), allow_insecure_http=True)
            if value != self.settings.get(name):
                self.settings.set(name, value)
                changed.append(name)
        later = [label_for(BY_NAME[n]) for n in changed if n in NEXT_START]
        if changed:
            text = "Saved."
            if later:
                text += " At the next start: " + ", ".join(later) + "."
            self._show_message(text)
        else:
            self._show_message("")
        self.applied.emit(changed)
        return True

    def _show_message(self, rich_text: str) -> None:
        self.message.setText(rich_text)
        self.message.setVisible(bool(rich_text))

    def _on_ok(self) -> None:
        if self.apply():
            self.accept()

    def _on_hotkey_recording(self, recording: bool) -> None:
        if self.hotkeys is not None and recording != self._suspended:
            self._suspended = recording
            self.hotkeys.set_suspended(recording)

    def done(self, result: int) -> None:
        if self.key_section is not None:
            self.key_section.cancel()
        hotkey = self.fields.get("hotkey")
        stop = getattr(hotkey.widget, "stop_recording", None) if hotkey is not None else None
        if stop is not None:
            stop()  # closed mid-recording: recording_changed(False) resumes the chord
        self._on_hotkey_recording(False)
        super().done(result)


def show_settings(window: MainWindow) -> SettingsDialog:
    """Open (or raise) the settings dialog of `window`."""
    existing = window.findChild(SettingsDialog, "settingsDialog")
    if existing is not None and existing.isVisible():
        existing.raise_()
        existing.activateWindow()
        return existing
    keys: KeyService | None = getattr(window, "keys", None)
    hotkeys: HotkeyManager | None = getattr(window, "hotkeys", None)  # set by QuickAskFeature
    dialog = SettingsDialog(
        window.settings,
        keys=keys,
        models=[m.id for m in window.models.chat_models()],
        hotkeys=hotkeys,
        parent=window,
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.key_changed.connect(lambda status: apply_key_change(window, status))
    dialog.open()
    return dialog
