"""Who has the history open, so the next start knows whether the last one ended cleanly.

Each process that opens the database for writing leaves `<db>.open-<pid>` beside it and
removes it when it closes the store. A marker whose process is gone means that process died
(a crash, kill -9, power loss): only then does the next open pay for `PRAGMA quick_check`
(it reads the whole file; ~100 ms for 10,000 conversations). Damage met while the store is
open is handled apart (`opening.mark_for_check`).

Where process liveness cannot be probed cheaply (not POSIX), every marker counts as unclean:
the check runs as before.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)


def pid_alive(pid: int) -> bool | None:
    """Whether process `pid` exists; None where that cannot be told safely (not POSIX:
    os.kill would end the process on Windows)."""
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def session_marker(db_path: Path, pid: int | None = None) -> Path:
    return db_path.with_name(f"{db_path.name}.open-{os.getpid() if pid is None else pid}")


def begin_session(db_path: Path) -> bool:
    """Leave this process's marker; True when an earlier session ended uncleanly (its
    marker is there and its process is not). Stale markers are removed."""
    unclean = False
    for marker in db_path.parent.glob(f"{db_path.name}.open-*"):
        try:
            pid = int(marker.name.rsplit("-", 1)[1])
        except ValueError:
            continue
        alive = pid_alive(pid)
        if alive:
            continue
        unclean = True
        if alive is False:
            marker.unlink(missing_ok=True)
    try:
        session_marker(db_path).touch()
    except OSError:
        log.warning("could not leave the session marker beside %s", db_path)
    return unclean


def end_session(db_path: Path) -> None:
    """The store was closed normally: the next start needs no full check for our sake."""
    session_marker(db_path).unlink(missing_ok=True)
