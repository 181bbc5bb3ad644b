"""Colours used by the markdown renderer, one frozen set per theme."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Palette:
    """Colours (CSS colour strings) and the Pygments style of one theme.

    ``background``, ``user_bg`` (behind the user's own messages) and ``error`` are
    for the chat view around the rendered markdown; the renderer itself never emits
    them, they are here so the view and the renderer share one theme.
    """

    text: str
    muted: str
    background: str
    code_bg: str
    code_border: str
    link: str
    quote_bar: str
    table_border: str
    inline_code_bg: str
    user_bg: str
    error: str
    pygments_style: str


LIGHT = Palette(
    text="#1f2328",
    muted="#656d76",
    background="#ffffff",
    code_bg="#f6f8fa",
    code_border="#d0d7de",
    link="#0969da",
    quote_bar="#bcc5cf",
    table_border="#c8ced6",
    inline_code_bg="#eaeef2",
    user_bg="#eef3fb",
    error="#cf222e",
    pygments_style="default",
)

DARK = Palette(
    text="#e6edf3",
    muted="#8d96a0",
    background="#0d1117",
    code_bg="#161b22",
    code_border="#30363d",
    link="#4493f8",
    quote_bar="#4d5560",
    table_border="#3d444d",
    inline_code_bg="#2d333b",
    user_bg="#1a2231",
    error="#f85149",
    pygments_style="github-dark",  # in Pygments since 2.14 (we need >= 2.18)
)
