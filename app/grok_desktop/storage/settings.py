"""Settings from a declarative schema, kept in one JSON file in the data dir. Never secrets.

Each setting has a name, a type, a default and a doc line; the settings dialog, the CLI and
the README table are all made from `SCHEMA`. Unknown or mistyped values in the file are
ignored (the default is used) so a hand-edited file can never stop the app from starting.

A file that cannot be read as a JSON object at all (damaged, half-written by another tool) is
never silently replaced: it is renamed to `settings.corrupt-<stamp>` beside it, a warning is
logged, and `Settings.load_warning` holds a message for the person (the CLI prints it once to
stderr, the app can show it); the defaults are used from then on.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grok_desktop.storage.timeutil import aside_path

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    type: type
    default: Any
    doc: str
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    def valid(self, value: Any) -> bool:
        if self.type is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, self.type) or (self.type is int and isinstance(value, bool)):
            return value is None and self.default is None
        if self.choices and value not in self.choices:
            return False
        if isinstance(value, int | float) and not isinstance(value, bool):
            if self.minimum is not None and value < self.minimum:
                return False
            if self.maximum is not None and value > self.maximum:
                return False
        return True


SCHEMA: tuple[Setting, ...] = (
    Setting("base_url", str, "https://api.x.ai/v1", "Base URL of the xAI-compatible API."),
    Setting("allow_insecure_http", bool, False, "Allow sending the key over plain http."),
    Setting("default_model", str, None, "Model for new chats (chosen from /v1/models if unset)."),
    Setting("default_system_prompt", str, "", "System prompt for new chats."),
    Setting(
        "stall_timeout",
        float,
        120.0,
        "Seconds without data before a stream is given up.",
        minimum=5,
        maximum=3600,
    ),
    Setting(
        "image_max_side",
        int,
        2048,
        "Longest side of an image sent to the API, in pixels.",
        minimum=256,
        maximum=8192,
    ),
    Setting("image_detail", str, "auto", "Default image detail.", choices=("auto", "low", "high")),
    Setting("max_images", int, 10, "Most images attached to one message.", minimum=1, maximum=50),
    Setting("model_titles", bool, False, "Ask the model for conversation titles (extra call)."),
    Setting("hotkey", str, "Ctrl+Alt+Space", "Global shortcut for Quick Ask (empty: off)."),
    Setting("hotkey_enabled", bool, True, "Whether the global shortcut is active."),
    Setting("close_to_tray", bool, False, "Closing the window keeps the app in the tray."),
    Setting("monthly_budget_usd", float, 0.0, "Monthly budget in USD (0: none).", minimum=0),
    Setting("theme", str, "system", "Colour scheme.", choices=("system", "light", "dark")),
)
BY_NAME = {s.name: s for s in SCHEMA}


class Settings:
    """Values of `SCHEMA`, persisted atomically on every change. `on_change(name)` callbacks
    let the Qt layer turn changes into a `changed(name)` signal without this module knowing Qt."""

    def __init__(self, path: Path | None, values: dict[str, Any] | None = None) -> None:
        self.path = path
        self._values: dict[str, Any] = {}
        self._listeners: list[Callable[[str], None]] = []
        #: Why the file on disk was not used (set by `load`), for the person; else None.
        self.load_warning: str | None = None
        for name, value in (values or {}).items():
            spec = BY_NAME.get(name)
            if spec is not None and spec.valid(value):
                self._values[name] = float(value) if spec.type is float else value

    @classmethod
    def load(cls, path: Path) -> Settings:
        try:
            raw: Any = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            return cls(path, {})
        except (OSError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
            problem = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            return cls._damaged(path, f"it cannot be read ({problem})")
        if not isinstance(raw, dict):
            return cls._damaged(path, "it does not hold a JSON object")
        return cls(path, raw)

    @classmethod
    def _damaged(cls, path: Path, problem: str) -> Settings:
        settings = cls(path, {})
        target = aside_path(path, "corrupt")
        try:
            path.rename(target)
        except OSError as exc:
            settings.load_warning = (
                f"The settings file {path} is damaged: {problem}. It could not be moved aside "
                f"({exc.strerror or exc}); the default settings are used for now."
            )
        else:
            settings.load_warning = (
                f"The settings file {path} was damaged: {problem}. It was moved to {target} "
                "(kept, not deleted); the default settings are used from now on."
            )
        log.warning("%s", settings.load_warning)
        return settings

    def get(self, name: str) -> Any:
        return self._values.get(name, BY_NAME[name].default)

    def set(self, name: str, value: Any) -> None:
        spec = BY_NAME[name]
        if not spec.valid(value):
            raise ValueError(f"{value!r} is not a valid value for the setting {name!r}.")
        if spec.type is float and value is not None:
            value = float(value)
        if self.get(name) == value:
            return
        if value == spec.default:
            self._values.pop(name, None)
        else:
            self._values[name] = value
        self.save()
        for listener in list(self._listeners):
            listener(name)

    def on_change(self, listener: Callable[[str], None]) -> None:
        self._listeners.append(listener)

    def as_dict(self) -> dict[str, Any]:
        return {s.name: self.get(s.name) for s in SCHEMA}

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".settings-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(self._values, f, indent=2, sort_keys=True)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
