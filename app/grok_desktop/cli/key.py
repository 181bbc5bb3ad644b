"""`grok-desktop key set|status|clear`: the API key in the OS keyring, checked with the API.

Without a usable keyring (no Secret Service, a locked or failing one) `set` and `clear` cannot
do what was asked: they say so, say how to go on, and exit 2.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
from typing import Any

from grok_desktop.api.errors import AuthError, XaiError
from grok_desktop.api.info import ApiKeyInfo
from grok_desktop.cli import exits
from grok_desktop.cli.context import CliContext
from grok_desktop.cli.exits import CliError
from grok_desktop.platform.secrets import (
    KeySource,
    MemorySecretStore,
    SecretStore,
    SecretStoreError,
    open_secret_store,
    redact,
)


def register(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("key", parents=parents, help="store, check or remove the API key")
    actions = p.add_subparsers(dest="key_action", metavar="ACTION", required=True)
    s = actions.add_parser(
        "set", parents=parents, help="store the key in the OS keyring (stdin or a hidden prompt)"
    )
    s.add_argument(
        "--no-check", action="store_true", help="store without asking the API whether it works"
    )
    actions.add_parser(
        "status", parents=parents, help="where the key comes from, and whether it works"
    )
    actions.add_parser("clear", parents=parents, help="remove the key from the OS keyring")
    p.set_defaults(func=run_key)


def _describe(info: ApiKeyInfo) -> str:
    parts = [f"key {info.redacted_api_key}"]
    if info.name:
        parts.append(f"named {info.name!r}")
    if info.team_id:
        parts.append(f"team {info.team_id}")
    return ", ".join(parts)


async def _check(ctx: CliContext, key: str) -> ApiKeyInfo:
    async with ctx.client(key) as client:
        return await client.api_key_info()


def _read_key(ctx: CliContext) -> str:
    if ctx.stdin.isatty():
        key = getpass.getpass("xAI API key (input hidden): ")
    else:
        key = ctx.stdin.readline()
    key = key.strip()
    if not key:
        raise CliError("No key was given. Paste the key from https://console.x.ai.")
    if any(c.isspace() for c in key):
        raise CliError("The key contains spaces; paste only the key itself.")
    return key


_HOW_TO_GO_ON = (
    "Set the XAI_API_KEY environment variable instead, or install and unlock a Secret "
    "Service keyring (e.g. GNOME Keyring or KWallet) and try again."
)


def _secrets_or_explain(ctx: CliContext, doing: str, advice: str = _HOW_TO_GO_ON) -> SecretStore:
    """The system keyring, or a CliError (exit 2) that says it is unusable and what to do."""
    store, problem = _open_keyring(ctx)
    if isinstance(store, MemorySecretStore):
        reason = (problem or "").removesuffix(_MEMORY_NOTE).strip()
        raise CliError(
            f"{reason or 'There is no usable system keyring.'} So {doing}. {advice}", exits.USAGE
        )
    return store


_MEMORY_NOTE = "The key is kept in memory for this session only."


def _open_keyring(ctx: CliContext) -> tuple[SecretStore, str | None]:
    if ctx.secret_store is not None:
        return ctx.secret_store, None
    ctx.secret_store, problem = open_secret_store()
    return ctx.secret_store, problem


def _set(ctx: CliContext, args: argparse.Namespace) -> int:
    key = _read_key(ctx)
    store = _secrets_or_explain(ctx, "the key cannot be stored safely and was not stored")
    if not args.no_check:
        try:
            info = asyncio.run(_check(ctx, key))
        except AuthError as err:
            ctx.stderr.write(f"error: the API rejected this key: {err.user_message()}\n")
            return exits.AUTH
        except XaiError as err:
            ctx.stderr.write(
                f"warning: could not check the key ({err.message}); storing it anyway.\n"
            )
        else:
            if not info.usable:
                ctx.stderr.write(f"warning: {', '.join(info.problems())}.\n")
            ctx.stderr.write(f"The API accepts the {_describe(info)}.\n")
    try:
        store.set(key)
    except SecretStoreError as exc:
        raise CliError(f"{exc} The key was not stored. {_HOW_TO_GO_ON}", exits.USAGE) from None
    ctx.stdout.write(f"Stored {redact(key)} in the system keyring ({store.name}).\n")
    if ctx.env.get("XAI_API_KEY"):
        ctx.stderr.write("note: XAI_API_KEY is set and wins over the keyring.\n")
    return exits.OK


def _status(ctx: CliContext) -> int:
    resolved = ctx.resolve_key()
    if resolved.key is None:
        reason = f" ({resolved.problem})" if resolved.problem else ""
        ctx.stdout.write(f"No API key is set{reason}.\n")
        ctx.stdout.write("Set one with `grok-desktop key set` or XAI_API_KEY.\n")
        return exits.AUTH
    source = {
        KeySource.ENVIRONMENT: "from environment (XAI_API_KEY)",
        KeySource.KEYRING: "from the system keyring",
        KeySource.MEMORY: "from memory",
        KeySource.NONE: "",
    }[resolved.source]
    ctx.stdout.write(f"Key {redact(resolved.key)}, {source}.\n")
    try:
        info = asyncio.run(_check(ctx, resolved.key))
    except XaiError as err:
        ctx.stdout.write(f"The API did not accept it: {err.user_message()}\n")
        return exits.exit_code_for(err)
    state = "works" if info.usable else f"has problems: {', '.join(info.problems())}"
    ctx.stdout.write(f"The API knows it: {_describe(info)}; it {state}.\n")
    return exits.OK if info.usable else exits.AUTH


def _clear(ctx: CliContext) -> int:
    in_env = bool(ctx.env.get("XAI_API_KEY"))
    store = _secrets_or_explain(
        ctx,
        "nothing could be removed from it",
        "XAI_API_KEY is set in this environment: unset it to stop using that key."
        if in_env
        else "Without a keyring Grok Desktop keeps no key beyond one session.",
    )
    env_note = "note: XAI_API_KEY is still set in this environment; unset it too.\n"
    try:
        had_key = store.get() is not None
        store.delete()
    except SecretStoreError as exc:
        raise CliError(
            f"{exc} The key (if one is stored) was not removed. Unlock the keyring and try again.",
            exits.USAGE,
        ) from None
    if had_key:
        ctx.stdout.write(f"The key was removed from the system keyring ({store.name}).\n")
    else:
        ctx.stdout.write(f"There was no key in the system keyring ({store.name}).\n")
    if in_env:
        ctx.stderr.write(env_note)
    return exits.OK


def run_key(ctx: CliContext, args: argparse.Namespace) -> int:
    if args.key_action == "set":
        return _set(ctx, args)
    if args.key_action == "status":
        return _status(ctx)
    return _clear(ctx)
