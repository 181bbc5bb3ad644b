"""`grok-desktop models`: the models the key can use, with inputs and prices."""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from grok_desktop.api.errors import NoApiKeyError, XaiError
from grok_desktop.cli import exits
from grok_desktop.cli.context import CliContext
from grok_desktop.cli.exits import CliError
from grok_desktop.domain.models import is_chat_model


def register(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("models", parents=parents, help="list the models your key can use")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run_models)


def _fmt_price(cents_per_100m: int) -> str:
    return f"${cents_per_100m / 10_000:.2f}"


async def _models(ctx: CliContext, args: argparse.Namespace) -> int:
    key = ctx.resolve_key()
    if key.key is None:
        raise CliError(NoApiKeyError("No xAI API key is set.").user_message(), exits.AUTH)
    catalog = ctx.catalog()
    async with ctx.client(key.key) as client:
        try:
            models = await catalog.refresh(client, force=True)
        except XaiError as err:
            ctx.stderr.write(f"error: {err.user_message()}\n")
            return exits.exit_code_for(err)
    default = ctx.settings.get("default_model") or catalog.default_model()
    if args.json:
        doc = [
            {
                "id": m.id,
                "aliases": list(m.aliases),
                "input_modalities": list(m.input_modalities),
                "output_modalities": list(m.output_modalities),
                "price_usd_per_million": None
                if m.price is None
                else {
                    "prompt": str(m.price.usd_per_million("prompt")),
                    "cached_prompt": str(m.price.usd_per_million("cached_prompt")),
                    "completion": str(m.price.usd_per_million("completion")),
                    "image": str(m.price.usd_per_million("image")),
                },
                "default": m.id == default,
            }
            for m in models
        ]
        ctx.stdout.write(json.dumps(doc, indent=2) + "\n")
        return exits.OK
    ctx.stdout.write(f"{'MODEL':34} {'INPUT':12} {'$/M IN':>8} {'CACHED':>8} {'OUT':>8}\n")
    for m in sorted(models, key=lambda m: (-m.created, m.id)):
        if not is_chat_model(m):
            continue
        mark = "*" if m.id == default else " "
        p = m.price
        prices = (
            f"{_fmt_price(p.prompt):>8} {_fmt_price(p.cached_prompt):>8} "
            f"{_fmt_price(p.completion):>8}"
            if p
            else f"{'?':>8} {'?':>8} {'?':>8}"
        )
        ctx.stdout.write(f"{mark}{m.id:33} {'+'.join(m.input_modalities):12} {prices}\n")
    ctx.stdout.write("* default for new chats\n")
    return exits.OK


def run_models(ctx: CliContext, args: argparse.Namespace) -> int:
    return asyncio.run(_models(ctx, args))
