"""The global shortcut as the app uses it: picks the backend for this system, keeps it in step
with the `hotkey` / `hotkey_enabled` settings, and says in words what is going on
(`hotkey_status()`, for the settings dialog).

Backend choice (override with GROK_DESKTOP_HOTKEY_BACKEND=x11|portal|windows|macos|fake|none):
Windows -> RegisterHotKey; macOS -> Carbon; a Wayland session -> the desktop portal (an X11
grab under XWayland only fires while an X11 window has focus, so it is not a fallback);
X11 -> XGrabKey; anything else (offscreen, eglfs) -> none, and the status explains how to bind
`grok-desktop --quick-ask` as a desktop keyboard shortcut instead.

Signals:
    activated(): the shortcut was pressed (repeats within 250 ms are dropped)
    status_changed(str text): what `hotkey_status()` now says
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication

from grok_desktop.platform.hotkeys.base import HotkeyBackend, HotkeyState, HotkeyStatus
from grok_desktop.platform.hotkeys.keys import Chord, ChordError
from grok_desktop.storage.settings import Settings

BACKEND_ENV = "GROK_DESKTOP_HOTKEY_BACKEND"
DEBOUNCE_S = 0.25
_SETTINGS = ("hotkey", "hotkey_enabled")


def choose_backend(
    env: Mapping[str, str] | None = None,
    system: str | None = None,
    qt_platform: str | None = None,
) -> tuple[HotkeyBackend | None, str]:
    """(backend, "") or (None, why there is none)."""
    env = os.environ if env is None else env
    system = sys.platform if system is None else system
    if qt_platform is None:
        qt_platform = QGuiApplication.platformName() if QGuiApplication.instance() else ""
    forced = env.get(BACKEND_ENV, "").strip().lower()
    kind = forced or _default_kind(env, system, qt_platform)
    if kind == "x11":
        from grok_desktop.platform.hotkeys.x11 import X11HotkeyBackend

        return X11HotkeyBackend(env.get("DISPLAY")), ""
    if kind == "portal":
        from grok_desktop.platform.hotkeys.portal import PortalHotkeyBackend

        return PortalHotkeyBackend(), ""
    if kind == "windows":
        from grok_desktop.platform.hotkeys.windows import WindowsHotkeyBackend

        return WindowsHotkeyBackend(), ""
    if kind == "macos":
        from grok_desktop.platform.hotkeys.macos import MacHotkeyBackend

        return MacHotkeyBackend(), ""
    if kind == "fake":
        from grok_desktop.platform.hotkeys.fake import FakeHotkeyBackend

        return FakeHotkeyBackend(), ""
    if forced:
        return None, f"turned off by {BACKEND_ENV}={forced}"
    return None, kind


def _default_kind(env: Mapping[str, str], system: str, qt_platform: str) -> str:
    if system == "win32":
        return "windows"
    if system == "darwin":
        return "macos"
    wayland = qt_platform.startswith("wayland") or (
        env.get("XDG_SESSION_TYPE", "").lower() == "wayland" or bool(env.get("WAYLAND_DISPLAY"))
    )
    if wayland:
        return "portal"
    if qt_platform == "xcb" and env.get("DISPLAY"):
        return "x11"
    return f"no global shortcut support on the Qt platform “{qt_platform or 'unknown'}”"


def quick_ask_command(data_dir: Path | None = None) -> list[str]:
    """The command that opens Quick Ask (in the running app, or starting it), for binding
    to a desktop keyboard shortcut: this very installation, not whatever is on PATH."""
    if getattr(sys, "frozen", False):  # a PyInstaller bundle: the executable is the app
        command = [sys.executable]
    else:
        script = Path(sys.executable).parent / (
            "grok-desktop.exe" if sys.platform == "win32" else "grok-desktop"
        )
        command = [str(script)] if script.is_file() else [sys.executable, "-m", "grok_desktop"]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    return [*command, "--quick-ask"]


def format_command(command: Sequence[str]) -> str:
    if sys.platform == "win32":
        return subprocess.list2cmdline(list(command))
    return shlex.join(command)


class HotkeyManager(QObject):
    activated = Signal()
    status_changed = Signal(str)

    def __init__(
        self,
        settings: Settings,
        backend: HotkeyBackend | None,
        unavailable_reason: str = "",
        *,
        data_dir: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.backend = backend
        self.unavailable_reason = unavailable_reason
        self.data_dir = data_dir
        self.chord_error = ""
        self._suspended = False
        self._closed = False
        self._last_activation = float("-inf")
        if backend is not None:
            backend.setParent(self)
            backend.activated.connect(self._on_backend_activated)
            backend.status_changed.connect(lambda _status: self._emit_status())
        settings.on_change(self._on_setting_changed)

    # -- state ----------------------------------------------------------------------------------
    @property
    def enabled(self) -> bool:
        return bool(self.settings.get("hotkey_enabled")) and bool(
            str(self.settings.get("hotkey") or "").strip()
        )

    @property
    def status(self) -> HotkeyStatus | None:
        return self.backend.status if self.backend is not None else None

    def apply(self) -> None:
        """Register what the settings say (or release the chord when turned off)."""
        if self._closed:
            return
        self.chord_error = ""
        if self.backend is None:
            self._emit_status()
            return
        if not self.enabled or self._suspended:
            self.backend.unregister()
            self._emit_status()
            return
        try:
            chord = Chord.parse(str(self.settings.get("hotkey")))
        except ChordError as exc:
            self.chord_error = str(exc)
            self.backend.unregister()
            self._emit_status()
            return
        self.backend.register(chord)
        self._emit_status()

    def set_suspended(self, suspended: bool) -> None:
        """Release the chord while a HotkeyEdit records a new one (so pressing the current
        chord reaches the editor instead of opening Quick Ask)."""
        if suspended != self._suspended:
            self._suspended = suspended
            self.apply()

    def close(self) -> None:
        if self.backend is not None:
            self.backend.close()
        self._closed = True

    def activate_window(self, win_id: int) -> bool:
        return self.backend.activate_window(win_id) if self.backend is not None else False

    # -- words ----------------------------------------------------------------------------------
    @property
    def backend_name(self) -> str:
        return self.backend.name if self.backend is not None else "none"

    def shortcut_command(self) -> str:
        return format_command(quick_ask_command(self.data_dir))

    def _bind_it_yourself(self) -> str:
        return (
            " To open Quick Ask from anywhere, add a custom keyboard shortcut in your desktop's "
            f"settings that runs: {self.shortcut_command()}"
        )

    @property
    def needs_desktop_shortcut(self) -> bool:
        """No backend can grab the chord here: people bind `shortcut_command()` as a desktop
        keyboard shortcut instead (what `hotkey_status()` then tells them)."""
        if self.backend is None:
            return True
        return self.backend.status.state in (HotkeyState.UNAVAILABLE, HotkeyState.ERROR)

    def hotkey_status(self, *, with_command: bool = True) -> str:
        """One or two sentences for the settings dialog: which backend, whether the chord is
        active, any conflict, and what to do when no backend works here (without the command
        itself when `with_command` is False: the dialog shows it in a field of its own)."""
        bind = self._bind_it_yourself() if with_command else ""
        if self.backend is None:
            return f"Global shortcuts are not available here ({self.unavailable_reason})." + bind
        if not self.enabled:
            return f"The global shortcut is off. (Backend: {self.backend.name}.)"
        if self.chord_error:
            return f"The shortcut setting is not usable: {self.chord_error}"
        if self._suspended:
            return "Press the new shortcut…"
        status = self.backend.status
        chord = status.chord or str(self.settings.get("hotkey"))
        detail = f" {status.detail}" if status.detail else ""
        if status.state is HotkeyState.ACTIVE:
            return f"{chord} opens Quick Ask from any application ({status.backend}).{detail}"
        if status.state is HotkeyState.PENDING:
            return f"{chord}: registering with {status.backend}…{detail}"
        if status.state is HotkeyState.CONFLICT:
            return (
                f"{chord} is taken by another application ({status.backend}). "
                "Choose another shortcut."
            )
        if status.state is HotkeyState.UNAVAILABLE:
            return f"{status.backend} is not available:{detail}" + bind
        if status.state is HotkeyState.ERROR:
            return f"{chord} could not be registered ({status.backend}):{detail}" + bind
        return f"The global shortcut is not registered. (Backend: {status.backend}.)"

    # -- events ---------------------------------------------------------------------------------
    def _on_setting_changed(self, name: str) -> None:
        if name in _SETTINGS and not self._closed:
            self.apply()

    def _on_backend_activated(self) -> None:
        now = time.monotonic()
        if now - self._last_activation < DEBOUNCE_S:
            return  # key auto-repeat
        self._last_activation = now
        self.activated.emit()

    def _emit_status(self) -> None:
        if not self._closed:
            self.status_changed.emit(self.hotkey_status())
