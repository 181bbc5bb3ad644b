"""Real file-system conditions for CLI tests (imported by name: the tests have no packages):
a small tmpfs that fills up, a read-only mount, and running a command as user nobody.

All of them need root and `mount`/`setpriv`; where that is not permitted the test is skipped.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

NOBODY = 65534


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _mount(*argv: str) -> None:
    if not is_root() or shutil.which("mount") is None:
        pytest.skip("needs root and `mount`")
    done = subprocess.run(["mount", *argv], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"mount is not permitted here: {done.stderr.strip()}")


def _umount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], check=True)


@contextmanager
def small_disk(folder: Path, size: str = "3m") -> Iterator[Path]:
    """A tmpfs of `size` mounted at `folder`: a disk that really fills up (ENOSPC)."""
    folder.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder))
    try:
        yield folder
    finally:
        _umount(folder)


def fill_disk(folder: Path, leave: int) -> Path:
    """Fill the file system of `folder` until only about `leave` bytes are free."""
    filler = folder / "filler"
    block = b"\0" * 65536
    with filler.open("wb", buffering=0) as fh:
        try:
            while True:
                fh.write(block)
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
    size = filler.stat().st_size
    os.truncate(filler, max(0, size - leave))
    return filler


@contextmanager
def read_only_mount(folder: Path) -> Iterator[None]:
    """`folder` bind-mounted read-only onto itself: read-only for root too (chmod is not)."""
    _mount("--bind", str(folder), str(folder))
    try:
        done = subprocess.run(
            ["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True, text=True
        )
        if done.returncode != 0:
            pytest.skip(f"read-only remount is not permitted: {done.stderr.strip()}")
        yield
    finally:
        _umount(folder)


def as_nobody() -> list[str]:
    """The command prefix that runs a program as user nobody (skip where it cannot)."""
    setpriv = shutil.which("setpriv")
    if not is_root() or setpriv is None:
        pytest.skip("needs root and setpriv to run as another user")
    probe = subprocess.run(
        [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "true"],
        capture_output=True,
    )
    if probe.returncode != 0:
        pytest.skip("setpriv is not permitted here")
    return [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
