"""Conversation titles made from the first user message (no network needed)."""

from __future__ import annotations

import re

DEFAULT_TITLE = "New chat"
MAX_TITLE = 60
_WS = re.compile(r"\s+")
_MARKUP = re.compile(r"[`*#>\[\]]+")


def title_from_text(text: str, limit: int = MAX_TITLE) -> str:
    """First line of the message, markdown marks and extra spaces removed, cut on a word."""
    for line in text.strip().splitlines():
        cleaned = _WS.sub(" ", _MARKUP.sub("", line)).strip()
        if cleaned:
            break
    else:
        return DEFAULT_TITLE
    if len(cleaned) <= limit:
        return cleaned
    cut = cleaned[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"
