"""Text that grows by many small deltas (a streaming answer)."""

from __future__ import annotations


class GrowingText:
    """Appends are O(1); reading joins the pieces once and keeps the result as one piece.

    `str +=` on an attribute copies the whole text on every delta: at thousands of deltas a
    second that cost seconds per long answer."""

    __slots__ = ("_parts",)

    def __init__(self) -> None:
        self._parts: list[str] = []

    def append(self, piece: str) -> None:
        if piece:
            self._parts.append(piece)

    @property
    def text(self) -> str:
        parts = self._parts
        if len(parts) > 1:
            parts[:] = ["".join(parts)]
        return parts[0] if parts else ""

    def __bool__(self) -> bool:
        return bool(self._parts)
