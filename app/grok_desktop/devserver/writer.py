"""Writing a stream to the socket: chunked encoding, SSE framing, pacing and injected faults."""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Iterator
from io import BufferedIOBase

from grok_desktop.devserver.script import Script
from grok_desktop.devserver.stream import DONE, INBAND, MALFORMED, Event, Kind

BURST_SIZE = 64 * 1024
#: Pause at each split inside a UTF-8 character, so the halves arrive in separate reads.
SPLIT_PAUSE = 0.001
SPLIT_PIECE = 7


class Aborted(Exception):
    """The connection was cut on purpose (reset, or the server is stopping)."""


def reset_connection(sock: socket.socket, rfile: BufferedIOBase | None = None) -> None:
    """Close with SO_LINGER 0, so the peer sees a TCP RST instead of an orderly FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    if rfile is not None:
        rfile.close()  # drop the makefile() reference, or close() would not really close
    sock.close()


def utf8_pieces(data: bytes) -> Iterator[tuple[bytes, bool]]:
    """Cut `data` into small pieces, splitting every multi-byte UTF-8 character in two.

    Yields (piece, cut_inside_a_character).
    """
    start = 0
    i = 0
    n = len(data)
    while i < n:
        byte = data[i]
        if byte >= 0xC0:  # lead byte of a multi-byte character: cut after it
            yield data[start : i + 1], True
            start = i + 1
        elif i + 1 - start >= SPLIT_PIECE:
            yield data[start : i + 1], False
            start = i + 1
        i += 1
    if start < n:
        yield data[start:], False


class StreamWriter:
    """Writes SSE events as an HTTP/1.1 chunked body, applying a Script's stream options."""

    def __init__(
        self,
        sock: socket.socket,
        wfile: BufferedIOBase,
        rfile: BufferedIOBase,
        script: Script,
        stopping: threading.Event,
    ) -> None:
        self.sock = sock
        self.wfile = wfile
        self.rfile = rfile
        self.script = script
        self.stopping = stopping
        self.eol = b"\r\n" if script.crlf else b"\n"
        self.buffer: list[bytes] = []
        self.buffered = 0

    # -- low level -------------------------------------------------------------------------

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def _send(self, data: bytes) -> None:
        if self.script.burst:
            self.buffer.append(data)
            self.buffered += len(data)
            if self.buffered >= BURST_SIZE:
                self._flush_burst()
            return
        if self.script.split_utf8:
            for piece, split in utf8_pieces(data):
                self._chunk(piece)
                self.wfile.flush()
                if split:
                    self._sleep(SPLIT_PAUSE)
            return
        self._chunk(data)
        self.wfile.flush()

    def _flush_burst(self) -> None:
        if not self.buffer:
            return
        data = b"".join(self.buffer)
        self.buffer.clear()
        self.buffered = 0
        for i in range(0, len(data), BURST_SIZE):
            self._chunk(data[i : i + BURST_SIZE])
        self.wfile.flush()

    def _sleep(self, seconds: float) -> None:
        if seconds > 0 and self.stopping.wait(seconds):
            raise Aborted("server stopping")
        if self.stopping.is_set():
            raise Aborted("server stopping")

    def _event(self, payload: bytes) -> None:
        self._send(b"data: " + payload + self.eol + self.eol)

    def _end(self) -> None:
        self._flush_burst()
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    # -- the stream ------------------------------------------------------------------------

    def write(self, events: list[Event]) -> None:
        """Write all events; raises Aborted after a reset or when the server stops."""
        script = self.script
        faults = (
            script.reset_after,
            script.stall_after,
            script.inband_error_after,
            script.malformed_after,
        )
        if script.burst and all(f is None for f in faults):
            separator = self.eol + self.eol
            self.buffer = [b"data: " + e.payload + separator for e in events]
            self._end()
            return
        tps = None if script.burst else script.tokens_per_second
        start = time.monotonic()
        paced_tokens = 0
        content_sent = 0
        stalled = False
        for event in events:
            if event.kind in (Kind.CONTENT, Kind.FINISH):
                if self._fault_due(script.reset_after, content_sent):
                    self._flush_burst()
                    reset_connection(self.sock, self.rfile)
                    raise Aborted("reset")
                if not stalled and self._fault_due(script.stall_after, content_sent):
                    stalled = True
                    self._flush_burst()
                    self._sleep(script.stall_seconds)
                if self._fault_due(script.inband_error_after, content_sent):
                    self._event(INBAND)
                    self._end()
                    return
                if self._fault_due(script.malformed_after, content_sent):
                    self._event(MALFORMED)
                    self._event(DONE)
                    self._end()
                    return
            if tps is not None and event.tokens:
                paced_tokens += event.tokens
                self._sleep(start + paced_tokens / tps - time.monotonic())
            self._event(event.payload)
            if event.kind is Kind.CONTENT:
                content_sent += 1
        self._end()

    @staticmethod
    def _fault_due(after: int | None, content_sent: int) -> bool:
        return after is not None and content_sent >= after
