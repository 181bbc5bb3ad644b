"""HotkeyManager over the fake backend: it follows the settings, says what is going on in
words (`hotkey_status()`), drops auto-repeat, and picks the right backend per system."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from grok_desktop.platform.hotkeys import HotkeyManager, HotkeyState, choose_backend
from grok_desktop.platform.hotkeys import manager as manager_module
from grok_desktop.platform.hotkeys.fake import FakeHotkeyBackend
from grok_desktop.platform.hotkeys.manager import format_command, quick_ask_command
from grok_desktop.platform.hotkeys.portal import PortalHotkeyBackend
from grok_desktop.platform.hotkeys.x11 import X11HotkeyBackend
from grok_desktop.storage.settings import Settings


@pytest.fixture
def settings() -> Settings:
    return Settings(None)


def make(settings: Settings, **kw: Any) -> tuple[HotkeyManager, FakeHotkeyBackend]:
    backend = FakeHotkeyBackend(**kw)
    manager = HotkeyManager(settings, backend)
    manager.apply()
    return manager, backend


def test_default_chord_registers_and_pressing_activates(qtbot: Any, settings: Settings) -> None:
    manager, backend = make(settings)
    assert backend.registrations == ["Ctrl+Alt+Space"]
    assert manager.status is not None and manager.status.state is HotkeyState.ACTIVE
    assert manager.hotkey_status() == (
        "Ctrl+Alt+Space opens Quick Ask from any application (Fake (tests))."
    )
    with qtbot.waitSignal(manager.activated, timeout=1000):
        backend.press()


def test_settings_changes_re_register_turn_off_and_on(qtbot: Any, settings: Settings) -> None:
    manager, backend = make(settings)
    texts: list[str] = []
    manager.status_changed.connect(texts.append)
    settings.set("hotkey", "Meta+Shift+K")
    assert backend.registrations[-1] == "Shift+Meta+K" and backend.chord is not None
    settings.set("hotkey_enabled", False)
    assert backend.chord is None
    assert manager.hotkey_status().startswith("The global shortcut is off.")
    assert not backend.press()
    settings.set("hotkey_enabled", True)
    assert backend.registrations[-1] == "Shift+Meta+K"
    settings.set("hotkey", "")  # empty also means off
    assert backend.chord is None and "off" in manager.hotkey_status()
    assert texts and texts[-1] == manager.hotkey_status()


def test_conflict_is_named(settings: Settings) -> None:
    manager, _ = make(settings, taken={"Ctrl+Alt+Space"})
    assert manager.status is not None and manager.status.state is HotkeyState.CONFLICT
    text = manager.hotkey_status()
    assert "Ctrl+Alt+Space is taken by another application" in text
    assert "Choose another shortcut" in text
    settings.set("hotkey", "Ctrl+Alt+G")
    assert manager.status.state is HotkeyState.ACTIVE  # type: ignore[union-attr]


def test_unusable_setting_says_why(settings: Settings) -> None:
    settings.set("hotkey", "Space")
    manager, backend = make(settings)
    assert backend.chord is None
    assert "not usable" in manager.hotkey_status() and "Ctrl, Alt or Meta" in (
        manager.hotkey_status()
    )


def test_auto_repeat_is_dropped(qtbot: Any, settings: Settings, monkeypatch: Any) -> None:
    manager, backend = make(settings)
    now = [100.0]
    monkeypatch.setattr(manager_module.time, "monotonic", lambda: now[0])
    seen: list[int] = []
    manager.activated.connect(lambda: seen.append(1))
    backend.press()
    now[0] += 0.05
    backend.press()  # key held: the X server repeats
    now[0] += 0.5
    backend.press()
    assert len(seen) == 2


def test_suspended_while_recording_releases_the_chord(settings: Settings) -> None:
    manager, backend = make(settings)
    manager.set_suspended(True)
    assert backend.chord is None and manager.hotkey_status() == "Press the new shortcut…"
    manager.set_suspended(False)
    assert backend.chord is not None


def test_no_backend_tells_the_exact_command(settings: Settings, tmp_path: Path) -> None:
    manager = HotkeyManager(settings, None, "no global shortcut support here", data_dir=tmp_path)
    text = manager.hotkey_status()
    assert text.startswith("Global shortcuts are not available here (no global shortcut")
    command = format_command(quick_ask_command(tmp_path))
    assert command in text
    assert "--quick-ask" in command and str(tmp_path) in command
    assert sys.executable in command or "grok-desktop" in command


def test_quick_ask_command_is_this_installation(monkeypatch: Any, tmp_path: Path) -> None:
    # a venv/pipx install: the grok-desktop script next to the interpreter
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "grok-desktop").write_text("#!/bin/sh\n")
    monkeypatch.setattr(sys, "executable", str(bindir / "python3"))
    assert quick_ask_command() == [str(bindir / "grok-desktop"), "--quick-ask"]
    # no script: the interpreter runs the package
    (bindir / "grok-desktop").unlink()
    assert quick_ask_command() == [str(bindir / "python3"), "-m", "grok_desktop", "--quick-ask"]
    # a PyInstaller bundle: the executable is the app
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/Grok Desktop/grok-desktop")
    assert quick_ask_command(Path("/d")) == [
        "/opt/Grok Desktop/grok-desktop",
        "--data-dir",
        "/d",
        "--quick-ask",
    ]
    if sys.platform != "win32":
        assert format_command(quick_ask_command()) == "'/opt/Grok Desktop/grok-desktop' --quick-ask"


@pytest.mark.parametrize(
    ("env", "system", "qt", "expected"),
    [
        ({"DISPLAY": ":0"}, "linux", "xcb", X11HotkeyBackend),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", "wayland", PortalHotkeyBackend),
        # XWayland: an X grab only fires while an X window has focus, so the portal
        ({"DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland"}, "linux", "xcb", PortalHotkeyBackend),
        (
            {"DISPLAY": ":0", "GROK_DESKTOP_HOTKEY_BACKEND": "fake"},
            "linux",
            "xcb",
            FakeHotkeyBackend,
        ),
        ({}, "linux", "offscreen", None),
        ({"GROK_DESKTOP_HOTKEY_BACKEND": "none", "DISPLAY": ":0"}, "linux", "xcb", None),
    ],
)
def test_backend_choice(
    qapp: Any, env: dict[str, str], system: str, qt: str, expected: type | None
) -> None:
    backend, reason = choose_backend(env, system, qt)
    if expected is None:
        assert backend is None and reason
    else:
        assert isinstance(backend, expected) and reason == ""
        backend.close()


def test_windows_and_macos_backends_are_chosen_by_system(qapp: Any) -> None:
    from grok_desktop.platform.hotkeys.macos import MacHotkeyBackend
    from grok_desktop.platform.hotkeys.windows import WindowsHotkeyBackend

    win, _ = choose_backend({}, "win32", "windows")
    mac, _ = choose_backend({}, "darwin", "cocoa")
    assert isinstance(win, WindowsHotkeyBackend) and isinstance(mac, MacHotkeyBackend)
