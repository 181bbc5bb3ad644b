"""Where everything lives: one data folder holding the database, images, settings, logs, cache.

Precedence: an explicit folder (the `--data-dir` flag) > `GROK_DESKTOP_DATA_DIR` > the
platform's per-user data folder for "grok-desktop" (platformdirs). Keeping ALL state in one
folder makes backup, reset ("move the folder away") and tests (a tmp folder) trivial.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from grok_desktop.storage.errors import NotAFolderError, StorageWriteError, translate

APP_DIR_NAME = "grok-desktop"
DATA_DIR_ENV = "GROK_DESKTOP_DATA_DIR"
DATABASE_NAME = "grok-desktop.sqlite3"


@dataclass(frozen=True, slots=True)
class DataPaths:
    root: Path

    @classmethod
    def resolve(
        cls, data_dir: str | Path | None = None, *, env: Mapping[str, str] | None = None
    ) -> DataPaths:
        environ = os.environ if env is None else env
        chosen: str | Path | None = data_dir if data_dir not in (None, "") else None
        if chosen is None:
            chosen = environ.get(DATA_DIR_ENV) or None
        if chosen is None:
            chosen = platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False)
        return cls(Path(chosen).expanduser().absolute())

    @property
    def database(self) -> Path:
        return self.root / DATABASE_NAME

    @property
    def images(self) -> Path:
        return self.root / "images"

    @property
    def settings(self) -> Path:
        return self.root / "settings"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    @property
    def writable(self) -> bool:
        """Whether files can be created in the data folder (False on a read-only mount or a
        folder without write permission; root passes permission checks, as the OS does)."""
        return os.access(self.root, os.W_OK)

    def ensure(self) -> DataPaths:
        """Create the folders that are missing, private to the user (0700) on POSIX.

        Folders that already exist keep their permissions: a folder the user chose and shares
        on purpose is theirs to configure. Raises `NotAFolderError` when the data folder (or a
        folder above it) is a file, `StorageWriteError` when the data folder cannot be made.
        In an existing read-only data folder the missing subfolders are left out (reading the
        history needs none of them; a write then fails with `ReadOnlyStoreError`).
        """
        _make_folder(self.root)
        for folder in (self.images, self.logs, self.cache):
            try:
                _make_folder(folder)
            except StorageWriteError:
                if self.writable:
                    raise
        return self


def _make_folder(folder: Path) -> None:
    if folder.is_dir():
        return
    if folder.exists():
        raise NotAFolderError(folder)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.name == "posix":
            folder.chmod(0o700)  # mkdir's mode is filtered by the umask
    except (NotADirectoryError, FileExistsError) as exc:
        blocker = next(
            (p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None
        )
        if blocker is not None:
            raise NotAFolderError(blocker) from exc
        raise translate(exc, folder) from exc
    except OSError as exc:
        raise translate(exc, folder) from exc
