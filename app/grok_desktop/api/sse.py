"""Incremental Server-Sent Events decoding, a whole network read at a time.

httpx-sse decodes correctly but walks several generator steps per line; at thousands of
chunks a second that was most of our per-chunk cost (bench/stream_client.py). This decoder
takes the text of one read and returns every complete event's data in one list.

Per the WHATWG rules: lines end with CRLF, CR or LF (a CR at the end of one read may be the
first half of a CRLF split across reads); `data:` lines are joined with newlines; one optional
space after the colon is dropped; comments (`:`) and other fields are ignored; a blank line
dispatches the event. UTF-8 split across reads is handled before us by httpx's incremental
decoder (`Response.aiter_text`).
"""

from __future__ import annotations


class SSEDecoder:
    __slots__ = ("_data", "_partial", "_pending_cr")

    def __init__(self) -> None:
        self._partial = ""  # an incomplete last line
        self._data: list[str] = []  # data lines of the event being read
        self._pending_cr = False

    def feed(self, text: str) -> list[str]:
        """The data of every event completed by `text`."""
        if self._pending_cr:
            text = "\r" + text
            self._pending_cr = False
        if "\r" in text:
            if text.endswith("\r"):
                self._pending_cr = True
                text = text[:-1]
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if self._partial:
            text = self._partial + text
        lines = text.split("\n")
        self._partial = lines.pop()
        out: list[str] = []
        data = self._data
        for line in lines:
            if not line:
                if data:
                    out.append(data[0] if len(data) == 1 else "\n".join(data))
                    data.clear()
            elif line.startswith("data:"):
                data.append(line[6:] if line.startswith("data: ") else line[5:])
            elif line == "data":
                data.append("")
        return out

    def close(self) -> list[str]:
        """At the end of the body: an unterminated last event still counts (servers that
        omit the final blank line would otherwise lose their last chunk)."""
        if self._partial or self._data or self._pending_cr:
            return self.feed("\n\n")
        return []
