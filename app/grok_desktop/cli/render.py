"""How CLI commands show usage, cost and messages (text for people, JSON for scripts)."""

from __future__ import annotations

from typing import Any

from grok_desktop.domain.conversation import Message
from grok_desktop.domain.pricing import Cost, format_usd
from grok_desktop.domain.usage import Usage


def describe_usage(model: str, usage: Usage, cost: Cost) -> str:
    parts = [f"{usage.prompt_tokens:,} in"]
    if usage.cached_tokens:
        parts[-1] += f" ({usage.cached_tokens:,} cached)"
    parts.append(f"{usage.completion_tokens:,} out")
    if usage.reasoning_tokens:
        parts.append(f"{usage.reasoning_tokens:,} reasoning")
    money = format_usd(cost.usd)
    return f"{model} · {' · '.join(parts)} · {money}"


def usage_json(usage: Usage | None) -> dict[str, Any] | None:
    if usage is None:
        return None
    return {
        "prompt_tokens": usage.prompt_tokens,
        "cached_tokens": usage.cached_tokens,
        "image_tokens": usage.image_tokens,
        "completion_tokens": usage.completion_tokens,
        "reasoning_tokens": usage.reasoning_tokens,
        "total_tokens": usage.total_tokens,
        "cost_in_usd_ticks": usage.cost_ticks,
    }


def message_json(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "parent_id": message.parent_id,
        "role": message.role.value,
        "content": message.content,
        "reasoning": message.reasoning or None,
        "model": message.model,
        "status": message.status.value,
        "error": message.error,
        "created": message.created.isoformat(),
        "usage": usage_json(message.usage),
        "cost_usd": str(message.cost_usd) if message.cost_usd is not None else None,
        "cost_source": message.cost_source.value,
        "attachments": [
            {
                "sha256": a.sha256,
                "mime": a.mime,
                "width": a.width,
                "height": a.height,
                "bytes": a.bytes,
                "detail": a.detail,
            }
            for a in message.attachments
        ],
    }
