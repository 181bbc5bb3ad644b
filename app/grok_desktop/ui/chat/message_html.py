"""The chrome around a message body: who wrote it, the collapsed "Thinking" section, images,
error text and the action links (copy, edit, regenerate, delete, retry, continue, < 1/2 >).

Actions are links with the `action:` scheme (`action:copy/<message id>`), handled by the view.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from grok_desktop.domain.content import Role
from grok_desktop.domain.conversation import Message, MessageStatus
from grok_desktop.domain.pricing import format_usd
from grok_desktop.ui.markdown import Palette


@dataclass(frozen=True, slots=True)
class BranchInfo:
    index: int  # 1-based position among siblings
    count: int


def action_link(action: str, message_id: str, label: str, palette: Palette) -> str:
    return (
        f'<a href="action:{action}/{message_id}" '
        f'style="color:{palette.muted}; text-decoration:none;">{label}</a>'
    )


def header_html(message: Message, palette: Palette) -> str:
    if message.role is Role.USER:
        who = "You"
    else:
        who = "Grok" + (f" · {html.escape(message.model)}" if message.model else "")
    return (
        f'<p style="margin:0 0 4px 0;"><span style="color:{palette.muted}; font-size:small; '
        f'font-weight:600;">{who}</span></p>'
    )


def thinking_html(message: Message, expanded: bool, palette: Palette, streaming: bool) -> str:
    if not message.reasoning:
        return ""
    words = len(message.reasoning.split())
    label = "Thinking…" if streaming else f"Thinking ({words:,} words)"
    arrow = "▾" if expanded else "▸"
    head = (
        f'<p style="margin:0 0 4px 0;">'
        f"{action_link('thinking', message.id, f'{arrow} {label}', palette)}</p>"
    )
    if not expanded:
        return head
    body = html.escape(message.reasoning).replace("\n", "<br>")
    return (
        f'{head}<table width="100%" cellpadding="6" cellspacing="0" style="margin:0 0 6px 0;">'
        f'<tr><td style="color:{palette.muted}; border-left:3px solid {palette.quote_bar};">'
        f"{body}</td></tr></table>"
    )


def images_html(message: Message) -> str:
    if not message.attachments:
        return ""
    cells = "".join(
        f'<a href="image:{a.sha256}"><img src="attachment:{a.sha256}" '
        f'title="{a.width}×{a.height}, {a.bytes / 1024:.0f} KB"></a>&nbsp;'
        for a in message.attachments
    )
    return f'<p style="margin:0 0 6px 0;">{cells}</p>'


def status_html(message: Message, palette: Palette) -> str:
    if message.status is MessageStatus.ERROR:
        text = html.escape(message.error or "The answer failed.").replace("\n", "<br>")
        return f'<p style="margin:6px 0 0 0; color:{palette.error};">⚠ {text}</p>'
    if message.status is MessageStatus.INTERRUPTED:
        return (
            f'<p style="margin:6px 0 0 0; color:{palette.error};">'
            "⚠ This answer was interrupted (the app closed while it was arriving).</p>"
        )
    if message.status is MessageStatus.CANCELLED:
        return f'<p style="margin:6px 0 0 0; color:{palette.muted};">Stopped.</p>'
    return ""


def usage_tooltip(message: Message) -> str:
    u = message.usage
    if u is None:
        return ""
    lines = [f"Prompt: {u.prompt_tokens:,} tokens"]
    if u.cached_tokens:
        lines.append(f"  of which cached: {u.cached_tokens:,}")
    if u.image_tokens:
        lines.append(f"  of which images: {u.image_tokens:,}")
    lines.append(f"Completion: {u.completion_tokens:,}")
    if u.reasoning_tokens:
        lines.append(f"Reasoning: {u.reasoning_tokens:,}")
    lines.append(f"Cost: {format_usd(message.cost_usd)}")
    return "\n".join(lines)


def footer_html(message: Message, branch: BranchInfo | None, palette: Palette) -> str:
    mid = message.id
    links: list[str] = []
    if branch is not None and branch.count > 1:
        links.append(
            action_link("prev", mid, "‹", palette)
            + f'<span style="color:{palette.muted};"> {branch.index}/{branch.count} </span>'
            + action_link("next", mid, "›", palette)
        )
    links.append(action_link("copy", mid, "Copy", palette))
    if message.role is Role.USER:
        links.append(action_link("edit", mid, "Edit", palette))
    else:
        if message.status in (MessageStatus.ERROR, MessageStatus.INTERRUPTED):
            if message.content:
                links.append(action_link("continue", mid, "Continue", palette))
            links.append(action_link("retry", mid, "Retry", palette))
        else:
            links.append(action_link("regenerate", mid, "Regenerate", palette))
    links.append(action_link("delete", mid, "Delete", palette))
    if message.usage is not None:
        u = message.usage
        tokens = f"{u.prompt_tokens + u.output_tokens:,} tokens · {format_usd(message.cost_usd)}"
        links.append(
            f'<a href="usage:{mid}" title="{html.escape(usage_tooltip(message))}" '
            f'style="color:{palette.muted}; text-decoration:none;">{tokens}</a>'
        )
    sep = f'<span style="color:{palette.muted};">  ·  </span>'
    return f'<p style="margin:6px 0 0 0; font-size:small;">{sep.join(links)}</p>'
