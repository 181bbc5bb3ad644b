from __future__ import annotations

import os
import stat
from pathlib import Path

import platformdirs
import pytest
from storage_helpers import read_only_folder

from grok_desktop.storage import DataPaths, StorageWriteError
from grok_desktop.storage.errors import NotAFolderError


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


def test_a_file_where_the_folder_should_be(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for folder in (blocker, blocker / "data" / "deeper"):
        with pytest.raises(NotAFolderError) as caught:
            DataPaths.resolve(folder).ensure()
        assert isinstance(caught.value, StorageWriteError)
        assert str(caught.value).startswith(f"{blocker} is a file, not a folder.")
    assert blocker.read_text() == "x"


def test_read_only_data_folder_without_subfolders_is_usable_for_reading(tmp_path: Path) -> None:
    paths = DataPaths.resolve(tmp_path / "data")
    paths.root.mkdir()
    with read_only_folder(paths.root):
        assert not paths.writable
        paths.ensure()  # no images/, logs/, cache/ can be made: fine for reading
        assert not paths.images.exists()
    assert paths.writable
    paths.ensure()
    assert paths.images.is_dir()
