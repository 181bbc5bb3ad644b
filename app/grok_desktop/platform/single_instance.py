"""One running app per user and data folder: a second `grok-desktop` (or `--quick-ask`,
`--show`) hands its command to the running one over a local socket and exits 0.

Who is first is decided by an OS file lock, not by the socket: the lock dies with its process
(kill -9 included), so a socket file left by a crash is recognised as stale and replaced, and
two copies started at the same moment cannot both win. The socket (QLocalServer: a Unix
socket, a named pipe on Windows) only carries commands.

The lock file lives in the data folder itself (`instance.lock`) and names the socket, so a
second start whose environment differs (no XDG_RUNTIME_DIR under sudo, ssh or cron) still
finds the running app instead of starting another one on the same data. Only when the data
folder cannot be written does the lock fall back to the per-user runtime folder.

The name includes a hash of the data folder: separate data folders (`--data-dir`,
GROK_DESKTOP_DATA_DIR — tests, a second profile) are separate apps, as they should be.

Protocol: the client writes one JSON line {"command": "activate"|"show"|"quick-ask"}; the
server answers "ok\\n" once the command is queued.

Signals (InstanceServer):
    command_received(str command)
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from grok_desktop.storage.paths import DataPaths

COMMANDS = ("activate", "show", "quick-ask")
MAX_LINE = 4096
_MAX_UNIX_PATH = 100  # sun_path is 108 bytes on Linux, 104 on macOS


def command_from_args(args: Any) -> str:
    if getattr(args, "quick_ask", False):
        return "quick-ask"
    if getattr(args, "show", False):
        return "show"
    return "activate"


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return str(os.getuid()) if hasattr(os, "getuid") else "user"


def _runtime_dir() -> Path:
    """A per-user folder only this user can write: XDG_RUNTIME_DIR, else a private temp dir."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_dir() and os.access(runtime, os.W_OK):
        return Path(runtime)
    base = Path(tempfile.gettempdir()) / f"grok-desktop-{_user()}"
    base.mkdir(mode=0o700, exist_ok=True)
    return base


def _lock_path(data_root: Path | None, fallback: Path) -> Path:
    """`instance.lock` in the data folder (made if need be), else `fallback`."""
    if data_root is not None:
        try:
            data_root.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError:
            return fallback
        if os.access(data_root, os.W_OK):
            return data_root / "instance.lock"
    return fallback


class _FileLock:
    """An exclusive, non-blocking OS lock on a file, held until released or the process dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None

    def acquire(self, note: str = "") -> bool:
        """Take the lock; the file then holds our pid and `note` (one line each)."""
        f = open(self.path, "a+b")  # noqa: SIM115 - kept open while the lock is held
        try:
            if sys.platform == "win32":
                import msvcrt

                f.seek(0)
                msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
            else:
                import fcntl

                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            return False
        f.seek(0)
        f.truncate()
        f.write(f"{os.getpid()}\n{note}\n".encode())
        f.flush()
        self._file = f
        return True

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the descriptor drops the lock
            self._file = None

    def note(self) -> str | None:
        """What the holder wrote beside its pid (read without taking the lock)."""
        if sys.platform == "win32":  # the locked byte cannot be read there
            return None
        try:
            lines = self.path.read_text("utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return None
        return lines[1] if len(lines) > 1 and lines[1] else None

    @property
    def held(self) -> bool:
        return self._file is not None


class InstanceServer(QObject):
    command_received = Signal(str)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._on_new_connection)
        self.pending: list[str] = []  # commands that came before anyone was attached
        self._attached = False
        self._listening = False

    def listen(self) -> bool:
        """Only call while holding the instance lock: a socket file already there is stale."""
        QLocalServer.removeServer(self.name)
        self._listening = self.server.listen(self.name)
        return self._listening

    def attach(self, handler: Any) -> None:
        """Deliver commands to `handler(command)` from now on, starting with those that came
        while the app was still starting."""
        self.command_received.connect(handler)
        self._attached = True
        for command in self.take_pending():
            handler(command)

    def take_pending(self) -> list[str]:
        pending, self.pending = self.pending, []
        return pending

    def close(self) -> None:
        if self._listening:
            self.server.close()
            self._listening = False

    def _on_new_connection(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            if socket is None:
                return
            socket.setParent(self)
            socket.readyRead.connect(lambda s=socket: self._on_ready_read(s))
            socket.disconnected.connect(socket.deleteLater)

    def _on_ready_read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            if socket.bytesAvailable() > MAX_LINE:
                socket.abort()
            return
        line = bytes(socket.readLine(MAX_LINE).data()).strip()
        try:
            command = json.loads(line.decode("utf-8")).get("command")
        except (ValueError, AttributeError):
            command = None
        if command not in COMMANDS:
            socket.write(b"error: unknown command\n")
            socket.disconnectFromServer()
            return
        socket.write(b"ok\n")
        socket.flush()
        socket.disconnectFromServer()
        if self._attached:
            self.command_received.emit(command)
        else:
            self.pending.append(command)


class SingleInstance:
    """`claim()` -> True: we are the app (then `listen()` once a Qt application exists);
    False: another instance runs, `forward(command)` hands the command over."""

    def __init__(
        self, key: str, runtime_dir: Path | None = None, lock_dir: Path | None = None
    ) -> None:
        self.key = key
        folder = runtime_dir or _runtime_dir()
        self.lock = _FileLock(_lock_path(lock_dir, folder / f"grok-desktop-{key}.lock"))
        if sys.platform == "win32":
            self.server_name = f"grok-desktop-{_user()}-{key}"
        else:
            socket = folder / f"grok-desktop-{key}.sock"
            if len(str(socket)) > _MAX_UNIX_PATH:
                short = Path(tempfile.gettempdir()) / f"grok-desktop-{_user()}"
                short.mkdir(mode=0o700, exist_ok=True)
                socket = short / f"{key}.sock"
            self.server_name = str(socket)
        self.server: InstanceServer | None = None

    @classmethod
    def for_data_dir(
        cls, data_dir: str | Path | None = None, runtime_dir: Path | None = None
    ) -> SingleInstance:
        root = DataPaths.resolve(data_dir).root
        try:
            root = root.resolve()
        except OSError:
            pass
        digest = hashlib.sha256(f"{_user()}\0{root}".encode()).hexdigest()[:16]
        return cls(digest, runtime_dir, lock_dir=root)

    def claim(self) -> bool:
        return self.lock.acquire(note=self.server_name)

    def listen(self) -> InstanceServer:
        """Start answering other instances (needs a QCoreApplication)."""
        if self.server is None:
            self.server = InstanceServer(self.server_name)
            self.server.listen()
        return self.server

    def release(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        self.lock.release()

    def forward(self, command: str, timeout: float = 10.0) -> int:
        """Hand `command` to the running instance; the exit code for this process."""
        error = send_command(self.lock.note() or self.server_name, command, timeout)
        if error is None:
            return 0
        print(
            f"error: Grok Desktop is already running but did not answer ({error}). "
            "If it hangs, close it and start it again.",
            file=sys.stderr,
        )
        return 1


def send_command(server_name: str, command: str, timeout: float = 10.0) -> str | None:
    """Deliver one command; None on success, else why not. Retries while the running instance
    is still starting (it holds the lock before its socket listens). Works without a
    QCoreApplication (blocking calls only)."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while True:
        socket = QLocalSocket()
        socket.connectToServer(server_name)
        if socket.waitForConnected(1000):
            payload = json.dumps({"command": command}).encode() + b"\n"
            socket.write(payload)
            socket.waitForBytesWritten(2000)
            answer = b""
            while b"\n" not in answer:
                if socket.bytesAvailable() or socket.waitForReadyRead(200):
                    answer += bytes(socket.readAll().data())
                elif (
                    socket.state() != QLocalSocket.LocalSocketState.ConnectedState
                    or time.monotonic() >= deadline
                ):
                    answer += bytes(socket.readAll().data())
                    break
            socket.abort()
            if answer.startswith(b"ok"):
                return None
            if answer:  # it answered, and said no: asking again will not help
                return answer.decode(errors="replace").strip()
            last = "the connection closed without an answer"
        else:
            last = socket.errorString()
        if time.monotonic() >= deadline:
            return last
        time.sleep(0.1)
