"""State shared by the request threads: script queue, request records, open connections."""

from __future__ import annotations

import socket
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from grok_desktop.devserver.models import ModelTable
from grok_desktop.devserver.script import Script


@dataclass(slots=True)
class _Queued:
    script: Script
    uses_left: int


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: dict[str, Any] | None  # the JSON body when it was a JSON object

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "headers": self.headers,
            "body": self.body,
        }


class ServerState:
    def __init__(
        self,
        models: ModelTable,
        api_keys: Iterable[str] | None,
        default_script: Script | None,
    ) -> None:
        self.models = models
        self.api_keys: frozenset[str] | None = None if api_keys is None else frozenset(api_keys)
        self.default_script = default_script or Script()
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._queue: deque[_Queued] = deque()
        self._records: list[RecordedRequest] = []
        self._connections: set[socket.socket] = set()
        self._threads: set[threading.Thread] = set()

    # -- scripts ---------------------------------------------------------------------------

    def enqueue(self, script: Script) -> None:
        with self._lock:
            self._queue.append(_Queued(script, script.times))

    def next_script(self) -> Script:
        """The script for the next chat request: the queue's head, else the default."""
        with self._lock:
            if not self._queue:
                return self.default_script
            entry = self._queue[0]
            entry.uses_left -= 1
            if entry.uses_left <= 0:
                self._queue.popleft()
            return entry.script

    def queued(self) -> int:
        with self._lock:
            return len(self._queue)

    # -- records ---------------------------------------------------------------------------

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._records.append(request)

    @property
    def records(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._records)

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self._records.clear()

    # -- connections -----------------------------------------------------------------------

    def open_connection(self, sock: socket.socket) -> None:
        with self._lock:
            self._connections.add(sock)
            self._threads.add(threading.current_thread())

    def close_connection(self, sock: socket.socket) -> None:
        with self._lock:
            self._connections.discard(sock)
            self._threads.discard(threading.current_thread())

    def cut_all(self) -> list[threading.Thread]:
        """Shut every open connection down (wakes blocked reads and writes); returns the
        threads still serving them."""
        with self._lock:
            connections = list(self._connections)
            threads = list(self._threads)
        for sock in connections:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        return threads
