"""The settings file: a damaged one is moved aside and reported, never silently replaced."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from grok_desktop.storage.settings import Settings


def _corrupt_copies(folder: Path) -> list[Path]:
    return sorted(folder.glob("settings.corrupt-*"))


@pytest.mark.parametrize(
    "content",
    [b'{"default_model": "grok-4.3", "theme": "da', b"[1, 2, 3]", b"\xff\xfe not utf-8"],
    ids=["truncated", "not-an-object", "not-utf8"],
)
def test_damaged_file_is_moved_aside_and_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content: bytes
) -> None:
    path = tmp_path / "settings"
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="grok_desktop.storage.settings"):
        settings = Settings.load(path)
    assert settings.as_dict()["theme"] == "system"  # the defaults
    (moved,) = _corrupt_copies(tmp_path)
    assert moved.read_bytes() == content  # kept byte for byte
    assert not path.exists()
    assert settings.load_warning is not None
    assert str(path) in settings.load_warning and str(moved) in settings.load_warning
    assert "default settings" in settings.load_warning
    assert any(settings.load_warning in r.getMessage() for r in caplog.records)
    settings.set("theme", "dark")  # the next write makes a new file, the copy stays
    assert json.loads(path.read_text()) == {"theme": "dark"}
    assert moved.read_bytes() == content
    again = Settings.load(path)
    assert again.get("theme") == "dark"
    assert again.load_warning is None


def test_two_damaged_files_in_the_same_second_keep_both(tmp_path: Path) -> None:
    path = tmp_path / "settings"
    for text in ("{bad one", "{bad two"):
        path.write_text(text)
        Settings.load(path)
    assert sorted(p.read_text() for p in _corrupt_copies(tmp_path)) == ["{bad one", "{bad two"]


def test_missing_or_valid_file_gives_no_warning(tmp_path: Path) -> None:
    path = tmp_path / "settings"
    assert Settings.load(path).load_warning is None
    path.write_text('{"theme": "light", "unknown": 1, "max_images": "many"}')
    settings = Settings.load(path)
    assert settings.load_warning is None  # odd values are ignored, not "damage"
    assert (settings.get("theme"), settings.get("max_images")) == ("light", 10)
    assert _corrupt_copies(tmp_path) == []
