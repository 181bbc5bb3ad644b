"""The settings dialog over the real window: Ctrl+, opens it, every schema setting has an editor,
changes persist to the settings file (and only valid ones), the plain-http rule holds, and the
key is replaced and removed through the SecretStore, never the settings file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QWidget

from grok_desktop.platform.secrets import KeySource, MemorySecretStore
from grok_desktop.services.keys import KeyService
from grok_desktop.storage.settings import SCHEMA, Settings
from grok_desktop.ui.settings_dialog import TITLE, SettingsDialog, http_warning, show_settings

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "ui"
TIMEOUT = 10_000
ENV_KEY = "xai-test-key-1234"  # what tests/ui/conftest.py starts windows with
NEW_KEY = "xai-replaced-key-5678"


def _open(window: Any, qtbot: Any) -> SettingsDialog:
    window.activateWindow()
    window.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(SettingsDialog, "settingsDialog")
    assert dialog is not None, "Ctrl+, did not open the settings dialog"
    qtbot.waitExposed(dialog)
    return dialog


def _button(dialog: SettingsDialog, which: QDialogButtonBox.StandardButton) -> Any:
    return dialog.buttons.button(which)


def _file(parts: Any) -> dict[str, Any]:
    return json.loads(parts.paths.settings.read_text("utf-8"))


def test_ctrl_comma_opens_the_dialog_with_an_editor_for_every_setting(
    make_window: Any, qtbot: Any
) -> None:
    window, _parts = make_window()
    dialog = _open(window, qtbot)
    assert dialog.objectName() == "settingsDialog"
    assert dialog.windowTitle() == TITLE == "Settings — Grok Desktop"
    assert "Settings" in dialog.windowTitle()
    assert set(dialog.fields) == {s.name for s in SCHEMA}
    for name, field in dialog.fields.items():
        assert field.widget.objectName() in (f"setting_{name}", "hotkeyEdit")
        assert field.widget.accessibleName(), name
    tabs = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert tabs == ["Account", "Chat", "Images", "Desktop", "Usage"]
    # a second Ctrl+, raises the same dialog instead of making another
    assert show_settings(window) is dialog
    assert len(window.findChildren(SettingsDialog)) == 1
    # the key section says where the key comes from, redacted
    status = dialog.findChild(QLabel, "keyStatus")
    assert "xai-...1234" in status.text() and "XAI_API_KEY" in status.text()
    assert ENV_KEY not in status.text()

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(ARTIFACTS / "settings-account.png"))
    dialog.tabs.setCurrentIndex(1)
    assert dialog.grab().save(str(ARTIFACTS / "settings-chat.png"))
    for index, name in ((2, "images"), (3, "desktop"), (4, "usage")):
        dialog.tabs.setCurrentIndex(index)
        assert dialog.grab().save(str(ARTIFACTS / f"settings-{name}.png"))
    qtbot.mouseClick(
        _button(dialog, QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT)


def test_changes_persist_to_the_settings_file_never_the_key(make_window: Any, qtbot: Any) -> None:
    window, parts = make_window()
    dialog = _open(window, qtbot)
    f = dialog.fields
    f["default_system_prompt"].set_value("Answer like a pirate.")
    f["stall_timeout"].set_value(300)
    f["image_detail"].set_value("high")
    f["image_max_side"].set_value(1024)
    f["max_images"].set_value(4)
    f["monthly_budget_usd"].set_value(25.5)
    f["theme"].set_value("dark")
    f["model_titles"].set_value(True)
    f["close_to_tray"].set_value(True)
    f["default_model"].set_value("grok-3-mini")
    hotkey = f["hotkey"].widget
    qtbot.mouseClick(hotkey, Qt.MouseButton.LeftButton)  # records the next chord
    qtbot.keyClick(
        hotkey,
        Qt.Key.Key_G,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.mouseClick(_button(dialog, QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT)

    on_disk = _file(parts)
    assert on_disk == {
        "close_to_tray": True,
        "default_model": "grok-3-mini",
        "default_system_prompt": "Answer like a pirate.",
        "hotkey": "Ctrl+Shift+G",
        "image_detail": "high",
        "image_max_side": 1024,
        "max_images": 4,
        "model_titles": True,
        "monthly_budget_usd": 25.5,
        "stall_timeout": 300.0,
        "theme": "dark",
    }
    again = Settings.load(parts.paths.settings)
    assert again.get("default_system_prompt") == "Answer like a pirate."
    assert again.get("monthly_budget_usd") == 25.5
    raw = parts.paths.settings.read_bytes()
    assert ENV_KEY.encode() not in raw and b"xai-" not in raw

    # the next chat uses the new default system prompt
    assert window.models.default_model() == "grok-3-mini"
    assert parts.settings.get("default_system_prompt") == "Answer like a pirate."

    # reopening shows the saved values; Cancel changes nothing
    dialog = _open(window, qtbot)
    assert dialog.fields["stall_timeout"].value() == 300.0
    assert dialog.fields["hotkey"].value() == "Ctrl+Shift+G"
    dialog.fields["theme"].set_value("light")
    dialog.reject()
    assert _file(parts)["theme"] == "dark"


def test_apply_reports_what_waits_for_the_next_start(make_window: Any, qtbot: Any) -> None:
    window, _parts = make_window()
    dialog = _open(window, qtbot)
    dialog.fields["stall_timeout"].set_value(240.0)
    with qtbot.waitSignal(dialog.applied) as applied:
        qtbot.mouseClick(
            _button(dialog, QDialogButtonBox.StandardButton.Apply), Qt.MouseButton.LeftButton
        )
    assert applied.args == [["stall_timeout"]]
    assert dialog.isVisible()
    assert "next start" in dialog.message.text()
    # the theme applies at once: nothing to wait for
    dialog.fields["theme"].set_value("dark")
    with qtbot.waitSignal(dialog.applied) as applied:
        qtbot.mouseClick(
            _button(dialog, QDialogButtonBox.StandardButton.Apply), Qt.MouseButton.LeftButton
        )
    assert applied.args == [["theme"]]
    assert "next start" not in dialog.message.text()


def test_plain_http_needs_the_explicit_allowance(make_window: Any, qtbot: Any) -> None:
    window, parts = make_window()
    dialog = _open(window, qtbot)
    url = dialog.fields["base_url"]
    allow = dialog.fields["allow_insecure_http"]
    warning = dialog.findChild(QLabel, "help_base_url")
    url.set_value("http://gateway.example.com/v1")
    assert "unencrypted" in warning.text() and "Allow plain http" in warning.text()
    assert not dialog.apply()  # refused: nothing saved
    assert "plain http" in dialog.message.text().lower()
    assert not parts.paths.settings.exists() or "base_url" not in _file(parts)

    allow.set_value(True)
    assert "travels unencrypted" in warning.text()  # still warned, now allowed
    assert dialog.apply()
    saved = _file(parts)
    assert saved["base_url"] == "http://gateway.example.com/v1"
    assert saved["allow_insecure_http"] is True

    url.set_value("ftp://example.com")
    assert not dialog.apply()
    assert _file(parts)["base_url"] == "http://gateway.example.com/v1"
    # this machine may use http without the allowance; a trailing slash is dropped
    allow.set_value(False)
    url.set_value("http://127.0.0.1:8080/v1/")
    assert http_warning("http://127.0.0.1:8080/v1/", False) is None
    assert dialog.apply()
    assert _file(parts)["base_url"] == "http://127.0.0.1:8080/v1"


def test_out_of_range_values_are_not_saved(make_window: Any, qtbot: Any) -> None:
    window, parts = make_window()
    dialog = _open(window, qtbot)
    field = dialog.fields["default_model"]
    field.set_value("")
    assert field.value() is None  # empty: chosen automatically
    bad = dialog.fields["image_detail"]
    bad.widget.addItem("ultra", "ultra")  # an editor can never offer it; the schema refuses it
    bad.set_value("ultra")
    assert not dialog.apply()
    assert "Image detail" in dialog.message.text()
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Images"
    assert not parts.paths.settings.exists() or "image_detail" not in _file(parts)


@pytest.fixture
def memory_keys(make_window: Any) -> Any:
    """A window whose key was stored (not from the environment), in a memory SecretStore."""
    window, parts = make_window(env={}, wait_models=False)
    store = MemorySecretStore(ENV_KEY)
    parts.client.api_key = ENV_KEY
    window.keys = KeyService(
        lambda: parts.client,
        parts.key.__class__(ENV_KEY, KeySource.KEYRING),
        open_store=lambda: (store, None),
        env={},
    )
    return window, parts, store


def test_replace_the_key_from_settings(memory_keys: Any, qtbot: Any) -> None:
    window, parts, store = memory_keys
    dialog = _open(window, qtbot)
    section = dialog.key_section
    assert section is not None
    qtbot.mouseClick(section.replace_button, Qt.MouseButton.LeftButton)
    assert section.editor.isVisible()
    qtbot.keyClicks(section.entry.field, NEW_KEY)
    qtbot.keyClick(section.entry.field, Qt.Key.Key_Return)  # check
    qtbot.waitUntil(section.entry.check_is_current, timeout=TIMEOUT)
    assert "accepts this key" in section.entry.result.text()
    assert section.save_button.isEnabled()
    with qtbot.waitSignal(dialog.key_changed, timeout=TIMEOUT):
        qtbot.mouseClick(section.save_button, Qt.MouseButton.LeftButton)
    assert store.get() == NEW_KEY
    assert parts.client.api_key == NEW_KEY
    assert "xai-...5678" in section.status.text() and NEW_KEY not in section.status.text()
    assert not section.editor.isVisible() and section.entry.field.text() == ""
    assert "xai-...5678" in window.status_label.text()
    dialog.accept()
    if parts.paths.settings.exists():
        assert b"xai-" not in parts.paths.settings.read_bytes()


def test_a_rejected_replacement_is_not_saved(memory_keys: Any, qtbot: Any) -> None:
    window, parts, store = memory_keys
    dialog = _open(window, qtbot)
    section = dialog.key_section
    qtbot.mouseClick(section.replace_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(section.entry.field, "wrong-key-0000")
    qtbot.mouseClick(section.entry.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(section.entry.check_is_current, timeout=TIMEOUT)
    assert "HTTP 400" in section.entry.result.text()
    assert not section.save_button.isEnabled()
    section.start_save()  # ignored: the API rejected it
    assert store.get() == ENV_KEY and parts.client.api_key == ENV_KEY


def test_remove_the_key_from_settings(memory_keys: Any, qtbot: Any) -> None:
    window, parts, store = memory_keys
    dialog = _open(window, qtbot)
    section = dialog.key_section
    asked: list[str] = []
    section.confirm = lambda q: asked.append(q) or False  # "No" keeps it
    qtbot.mouseClick(section.remove_button, Qt.MouseButton.LeftButton)
    assert asked and "xai-...1234" in asked[0]
    assert store.get() == ENV_KEY
    section.confirm = lambda q: True
    with qtbot.waitSignal(dialog.key_changed, timeout=TIMEOUT):
        qtbot.mouseClick(section.remove_button, Qt.MouseButton.LeftButton)
    assert store.get() is None and parts.client.api_key is None
    assert section.status.text() == "No API key is set."
    assert not section.remove_button.isEnabled()
    assert window.banner.isVisible() and "Settings" in window.banner.text()


def test_an_environment_key_stays_after_remove(make_window: Any, qtbot: Any) -> None:
    window, parts = make_window()
    store = MemorySecretStore()
    window.keys = KeyService(
        lambda: parts.client,
        parts.key,
        open_store=lambda: (store, None),
        env={"XAI_API_KEY": ENV_KEY},
    )
    dialog = _open(window, qtbot)
    section = dialog.key_section
    asked: list[str] = []
    section.confirm = lambda q: asked.append(q) or True
    with qtbot.waitSignal(dialog.key_changed, timeout=TIMEOUT):
        qtbot.mouseClick(section.remove_button, Qt.MouseButton.LeftButton)
    assert "XAI_API_KEY" in asked[0]
    assert parts.client.api_key == ENV_KEY
    assert "environment" in section.status.text()


def test_dialog_without_a_key_service(qtbot: Any, tmp_path: Path) -> None:
    settings = Settings(tmp_path / "settings")
    dialog = SettingsDialog(settings, models=["grok-4.3"])
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.key_section is None
    assert any("cannot be changed" in label.text() for label in dialog.findChildren(QLabel))
    dialog.fields["max_images"].set_value(7)
    assert dialog.apply()
    assert json.loads((tmp_path / "settings").read_text()) == {"max_images": 7}
    assert isinstance(dialog.fields["default_model"].widget, QWidget)


def test_hotkey_field_records_refuses_and_reports_recording(make_window: Any, qtbot: Any) -> None:
    pytest.importorskip("grok_desktop.ui.hotkey_edit")  # the global-shortcut editor (HotkeyEdit)
    window, parts = make_window()
    dialog = _open(window, qtbot)
    dialog.tabs.setCurrentIndex(3)
    hotkey = dialog.fields["hotkey"].widget
    with qtbot.waitSignal(dialog.hotkey_recording) as recording:
        qtbot.mouseClick(hotkey, Qt.MouseButton.LeftButton)
    assert recording.args == [True]  # the global chord can be suspended meanwhile
    qtbot.keyClick(hotkey, Qt.Key.Key_G)  # no modifier: cannot be a global shortcut
    help_text = dialog.findChild(QLabel, "help_hotkey")
    assert help_text.text() and "color" in help_text.text()  # the reason, in red
    qtbot.keyClick(hotkey, Qt.Key.Key_Backspace)  # off
    assert dialog.fields["hotkey"].value() == ""
    assert dialog.apply()
    assert _file(parts)["hotkey"] == ""
