from __future__ import annotations

import os
import stat
from pathlib import Path

import platformdirs
import pytest

from grok_desktop.storage import DataPaths


def test_explicit_folder_wins_over_environment(tmp_path: Path) -> None:
    env = {"GROK_DESKTOP_DATA_DIR": str(tmp_path / "env")}
    paths = DataPaths.resolve(tmp_path / "flag", env=env)
    assert paths.root == tmp_path / "flag"


def test_environment_wins_over_platform_default(tmp_path: Path) -> None:
    paths = DataPaths.resolve(None, env={"GROK_DESKTOP_DATA_DIR": str(tmp_path / "env")})
    assert paths.root == tmp_path / "env"


def test_platform_default_when_nothing_given() -> None:
    paths = DataPaths.resolve(None, env={"GROK_DESKTOP_DATA_DIR": ""})
    assert paths.root == Path(platformdirs.user_data_dir("grok-desktop", appauthor=False))


def test_everything_lives_in_one_folder(tmp_path: Path) -> None:
    p = DataPaths.resolve(tmp_path)
    assert p.database == tmp_path / "grok-desktop.sqlite3"
    assert p.images == tmp_path / "images"
    assert p.settings == tmp_path / "settings"
    assert p.logs == tmp_path / "logs"
    assert p.cache == tmp_path / "cache"


def test_relative_and_home_paths_become_absolute(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    assert DataPaths.resolve("rel").root == tmp_path / "rel"
    assert DataPaths.resolve("~/x").root == Path.home() / "x"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_ensure_creates_private_folders(tmp_path: Path) -> None:
    p = DataPaths.resolve(tmp_path / "new" / "data").ensure()
    for folder in (p.root, p.images, p.logs, p.cache):
        assert folder.is_dir()
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
