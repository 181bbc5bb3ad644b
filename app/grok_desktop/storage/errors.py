"""Typed storage errors whose text tells a person what happened and what to do next.

Every error raised by `grok_desktop.storage` is a `StorageError`; `str(error)` is the
user-facing message and the original `sqlite3`/`OSError` is kept as `__cause__` for logs.
`translate()` is the one place where low-level failures are sorted into these kinds.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path


class StorageError(Exception):
    """Base of all storage errors. `user_message` is safe to show in a dialog."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class NotFoundError(StorageError, KeyError):
    """An id (conversation, message, image) that is not in the history."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return self.user_message


class AmbiguousIdError(StorageError):
    """An id prefix that matches more than one conversation."""

    def __init__(self, prefix: str, candidates: list[str]) -> None:
        shown = ", ".join(c[:12] for c in candidates)
        super().__init__(
            f"The id prefix {prefix!r} matches several conversations ({shown}). "
            "Type more characters of the id."
        )
        self.prefix = prefix
        self.candidates = candidates


class NewerDatabaseError(StorageError):
    """The database was written by a newer Grok Desktop; it is left untouched."""

    def __init__(self, path: Path, found: int, supported: int) -> None:
        super().__init__(
            f"The history database {path} was created by a newer version of Grok Desktop "
            f"(schema {found}; this version understands up to {supported}). It was not opened "
            "and nothing was changed. Update Grok Desktop, or point GROK_DESKTOP_DATA_DIR "
            "(--data-dir) at another folder."
        )
        self.path = path
        self.found = found
        self.supported = supported


class StorageWriteError(StorageError):
    """The history could not be written: read-only folder, full disk, I/O error, lock.

    The text fits both the app and the command line: it names the file or folder, the cause
    and what to do, and promises nothing about what the caller does with unsaved data."""

    def __init__(self, path: Path, reason: str, advice: str, *, message: str | None = None) -> None:
        super().__init__(message or f"Grok Desktop could not save to {path}: {reason}. {advice}")
        self.path = path
        self.reason = reason
        self.advice = advice


_OTHER_FOLDER = "choose another data folder with --data-dir or GROK_DESKTOP_DATA_DIR"


class ReadOnlyStoreError(StorageWriteError):
    """The data folder (or the database file) is read-only: the history can be read, but
    nothing can be saved. `path` is what is read-only (the folder, when it is)."""

    def __init__(self, path: Path, detail: str | None = None) -> None:
        advice = f"Make it writable, or {_OTHER_FOLDER}, then try again."
        what = "The data folder" if path.is_dir() else "The history database"
        lead = detail or f"{what} {path} is read-only, so nothing can be saved to it"
        super().__init__(path, "it is read-only", advice, message=f"{lead}. {advice}")


class NotAFolderError(StorageWriteError):
    """A path that should be (or lead to) the data folder is a file."""

    def __init__(self, path: Path) -> None:
        advice = "Give a folder for Grok Desktop's data with --data-dir or GROK_DESKTOP_DATA_DIR."
        super().__init__(
            path,
            "it is a file, not a folder",
            advice,
            message=f"{path} is a file, not a folder. {advice}",
        )


class ExportTargetError(StorageError):
    """The file chosen for an export cannot be written (missing or unwritable folder).
    Nothing was written."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"Cannot write {path}: {reason}. Nothing was written.")
        self.path = path
        self.reason = reason


class StorageBusyError(StorageWriteError):
    """Another process kept the database locked longer than the busy timeout."""


class DatabaseCorruptError(StorageError):
    """Damage found while the database was already open (it is checked again at the next start)."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"The history database {path} is damaged. Restart Grok Desktop: the damaged file "
            "will be moved aside (kept, not deleted) and a fresh history started."
        )
        self.path = path


class ImportFormatError(StorageError, ValueError):
    """An import file that is not a valid Grok Desktop export. Nothing was imported."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(
            f"Cannot import {source}: {problem}. Nothing was imported. Use a file made by "
            "`grok-desktop history export` (JSON)."
        )
        self.source = source
        self.problem = problem


_WRITE_KINDS: tuple[tuple[tuple[str, ...], tuple[str, ...], str, str], ...] = (
    # (sqlite error names, message fragments, reason, advice)
    (
        ("SQLITE_READONLY",),
        ("readonly", "read-only"),
        "the folder or file is read-only",
        f"Make the data folder writable (or {_OTHER_FOLDER}), then try again.",
    ),
    (
        ("SQLITE_FULL",),
        ("disk is full", "database or disk is full"),
        "the disk is full",
        "Free some disk space, then try again.",
    ),
    (
        ("SQLITE_CANTOPEN",),
        ("unable to open",),
        "the database file cannot be opened or created",
        "Check that the data folder exists and that you may write to it.",
    ),
    (
        ("SQLITE_IOERR",),
        ("disk i/o error",),
        "the disk reported an input/output error",
        "Check the disk (and free space), then try again.",
    ),
)


def translate(exc: BaseException, path: Path) -> StorageError:
    """Sort a low-level failure into one of the storage errors."""
    if isinstance(exc, StorageError):
        return exc
    if isinstance(exc, OSError):
        return _from_oserror(exc, path)
    if not isinstance(exc, sqlite3.Error):
        return StorageError(f"Unexpected storage failure: {exc}")
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    text = str(exc).lower()
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return StorageBusyError(
            path,
            "the database is locked by another program",
            "Another Grok Desktop (or `grok-desktop ask`) may be writing; try again in a moment.",
        )
    for names, fragments, reason, advice in _WRITE_KINDS:
        if name.startswith(names) or any(f in text for f in fragments):
            return StorageWriteError(path, reason, advice)
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text:
        return DatabaseCorruptError(path)
    return StorageError(f"Unexpected database error in {path}: {exc}")


def _from_oserror(exc: OSError, path: Path) -> StorageWriteError:
    where = Path(exc.filename) if exc.filename else path
    if exc.errno == errno.ENOSPC:
        return StorageWriteError(where, "the disk is full", "Free some disk space, then try again.")
    if exc.errno == errno.EROFS:
        return StorageWriteError(
            where,
            "the file system is read-only",
            f"Make the data folder writable (or {_OTHER_FOLDER}), then try again.",
        )
    if exc.errno in (errno.EACCES, errno.EPERM):
        return StorageWriteError(
            where,
            "permission denied (read-only folder?)",
            f"Make the data folder writable (or {_OTHER_FOLDER}), then try again.",
        )
    return StorageWriteError(
        where, exc.strerror or str(exc), "Check the data folder and the disk, then try again."
    )
