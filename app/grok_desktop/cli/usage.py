"""`grok-desktop usage [--since YYYY-MM-DD] [--json]`: tokens and dollars by day and model."""

from __future__ import annotations

import argparse
import json
from datetime import date
from decimal import Decimal
from typing import Any

from grok_desktop.cli import exits
from grok_desktop.cli.context import CliContext
from grok_desktop.cli.exits import CliError
from grok_desktop.domain.pricing import format_usd


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-01") from None


def register(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("usage", parents=parents, help="tokens and cost by day and model")
    p.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="from this day on (local)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run_usage)


def run_usage(ctx: CliContext, args: argparse.Namespace) -> int:
    if args.since is not None and args.since > date.today():
        raise CliError(f"--since {args.since} is in the future.")
    store = ctx.open_store()
    try:
        rows = store.usage_rows(args.since)
    finally:
        store.close()
    total = sum((r.cost_usd for r in rows), Decimal(0))
    unknown = sum(r.unknown_cost_replies for r in rows)
    if args.json:
        doc = {
            "since": args.since.isoformat() if args.since else None,
            "total_cost_usd": str(total),
            "replies_with_unknown_cost": unknown,
            "rows": [
                {
                    "day": r.day.isoformat(),
                    "model": r.model,
                    "replies": r.replies,
                    "prompt_tokens": r.usage.prompt_tokens,
                    "cached_tokens": r.usage.cached_tokens,
                    "image_tokens": r.usage.image_tokens,
                    "completion_tokens": r.usage.completion_tokens,
                    "reasoning_tokens": r.usage.reasoning_tokens,
                    "total_tokens": r.usage.total_tokens,
                    "cost_usd": str(r.cost_usd),
                    "replies_with_unknown_cost": r.unknown_cost_replies,
                }
                for r in rows
            ],
        }
        ctx.stdout.write(json.dumps(doc, indent=2) + "\n")
        return exits.OK
    if not rows:
        ctx.stdout.write(
            "No usage recorded" + (f" since {args.since}" if args.since else "") + ".\n"
        )
        return exits.OK
    ctx.stdout.write(
        f"{'DAY':10}  {'MODEL':30} {'REPLIES':>7} {'PROMPT':>10} {'CACHED':>9} "
        f"{'OUTPUT':>9} {'COST':>10}\n"
    )
    for r in rows:
        u = r.usage
        cost = format_usd(r.cost_usd) + ("*" if r.unknown_cost_replies else "")
        ctx.stdout.write(
            f"{r.day.isoformat():10}  {r.model[:30]:30} {r.replies:>7} {u.prompt_tokens:>10,} "
            f"{u.cached_tokens:>9,} {u.output_tokens:>9,} {cost:>10}\n"
        )
    ctx.stdout.write(
        f"{'total':10}  {'':30} {'':>7} {'':>10} {'':>9} {'':>9} {format_usd(total):>10}\n"
    )
    if unknown:
        ctx.stdout.write(f"* {unknown} reply(ies) with no known price are not in the cost.\n")
    return exits.OK
