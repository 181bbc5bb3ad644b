"""Which link targets may become clickable anchors (untrusted model output)."""

from __future__ import annotations

_ALLOWED_PREFIXES = ("http://", "https://", "mailto:")
_IMAGE_PREFIXES = ("http://", "https://")


def _has_prefix(url: str, prefixes: tuple[str, ...]) -> bool:
    candidate = url.strip().lower()
    return any(candidate.startswith(p) and len(candidate) > len(p) for p in prefixes)


def safe_link(url: str) -> str | None:
    """Return ``url`` if it is an http, https or mailto link, else ``None``.

    ``url`` is expected to be normalized by markdown-it already (control characters
    and spaces percent-encoded), so a scheme hidden behind whitespace cannot match.
    """
    return url.strip() if _has_prefix(url, _ALLOWED_PREFIXES) else None


def safe_image_link(url: str) -> str | None:
    """Return ``url`` if an image URL may be offered as a plain http(s) link."""
    return url.strip() if _has_prefix(url, _IMAGE_PREFIXES) else None
