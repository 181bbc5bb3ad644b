"""The markdown-it parser configuration shared by rendering and block splitting."""

from __future__ import annotations

from markdown_it import MarkdownIt
from mdit_py_plugins.tasklists import tasklists_plugin


class _PermissiveLinkParser(MarkdownIt):
    """Parses every link destination; the renderer decides which become anchors.

    markdown-it's default validator leaves ``[text](javascript:...)`` as literal
    markdown; accepting it here lets the renderer show just ``text``, without an
    anchor (see :mod:`grok_desktop.ui.markdown.urls`).
    """

    def validateLink(self, url: str) -> bool:
        return True


def build_parser(linkify: bool = True) -> MarkdownIt:
    """CommonMark + tables + strikethrough + task lists (+ linkify when installed).

    Raw HTML is never parsed (``html=False``): it shows as text. Linkify needs the
    optional ``linkify-it-py`` package; without it bare URLs stay plain text.
    """
    md = _PermissiveLinkParser(
        "commonmark", {"html": False, "linkify": False, "typographer": False}
    )
    md.enable(["table", "strikethrough"])
    if linkify and md.linkify is not None:  # None: linkify-it-py is not installed
        md.options["linkify"] = True
        md.enable("linkify")
    md.use(tasklists_plugin)
    return md


def linkify_enabled(md: MarkdownIt) -> bool:
    """Whether ``md`` turns bare URLs into links."""
    return bool(md.options.get("linkify", False)) and md.linkify is not None
