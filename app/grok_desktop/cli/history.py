"""`grok-desktop history ...`: list, show, search, export, import and delete conversations.

Ids can be given as unique prefixes (like git's short hashes); lists show 8 characters.
Exit codes: 0 ok · 2 bad input (unknown or ambiguous id, unreadable or invalid import file,
wrong flag combination, an export file whose folder is missing or cannot be written) · 1 anything
unexpected (storage failure, a read-only data folder for import and delete), always with a
message. Reading (list, show, search, export) works in a read-only data folder.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, TextIO

from grok_desktop.domain.conversation import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    Conversation,
    Message,
    MessageStatus,
    SearchHit,
)
from grok_desktop.domain.pricing import format_usd
from grok_desktop.storage import export, importer, markdown
from grok_desktop.storage.errors import (
    AmbiguousIdError,
    ExportTargetError,
    ImportFormatError,
    NotAFolderError,
    NotFoundError,
    StorageError,
)
from grok_desktop.storage.paths import DataPaths
from grok_desktop.storage.store import Store

OK, INTERNAL, USAGE = 0, 1, 2
SHORT_ID = 8
_BOLD, _RESET = "\x1b[1m", "\x1b[0m"


class _Context(Protocol):
    """What the CLI dispatcher's context offers (see grok_desktop.cli.context.CliContext)."""

    @property
    def paths(self) -> DataPaths: ...

    @property
    def stdout(self) -> TextIO: ...

    @property
    def stderr(self) -> TextIO: ...


class _UsageError(Exception):
    pass


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser] | None = None) -> None:
    """Add `history` and its subcommands. `parents` carries the global options (--data-dir
    ...) when the main parser provides them."""
    common = list(parents or [])
    history = subparsers.add_parser(
        "history", parents=common, help="list, show, search, export, import, delete chats"
    )
    sub = history.add_subparsers(dest="history_command", metavar="SUBCOMMAND", required=True)

    p = sub.add_parser("list", parents=common, help="recent conversations, pinned first")
    p.add_argument("--limit", type=_positive, default=50, metavar="N")
    p.add_argument("--json", action="store_true", help="print one JSON document")

    p = sub.add_parser("show", parents=common, help="print a conversation (the branch shown)")
    p.add_argument("id", metavar="ID", help="conversation id or a unique prefix of it")
    p.add_argument("--json", action="store_true", help="print one JSON document")

    p = sub.add_parser("search", parents=common, help="full-text search of all conversations")
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--limit", type=_positive, default=20, metavar="N")
    p.add_argument("--json", action="store_true", help="print one JSON document")

    p = sub.add_parser(
        "export",
        parents=common,
        help="export a conversation (md or json) or everything (--all, JSON backup)",
    )
    p.add_argument("id", metavar="ID", nargs="?", help="conversation id or unique prefix")
    p.add_argument("--all", action="store_true", help="export every conversation (backup)")
    p.add_argument("--format", choices=("md", "json"), default=None)
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE ('-': stdout)")

    p = sub.add_parser("import", parents=common, help="import a JSON export or backup")
    p.add_argument("file", metavar="FILE")

    p = sub.add_parser("delete", parents=common, help="delete a conversation")
    p.add_argument("id", metavar="ID")

    # The dispatcher in grok_desktop.cli calls func(ctx, args); tests and other callers use
    # run_history(args, paths, out, err) directly.
    history.set_defaults(func=history_command, history_run=run_history)


def history_command(ctx: _Context, args: argparse.Namespace) -> int:
    return run_history(args, ctx.paths, ctx.stdout, ctx.stderr)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def run_history(args: argparse.Namespace, paths: DataPaths, out: TextIO, err: TextIO) -> int:
    command = getattr(args, "history_command", None)
    handler = _HANDLERS.get(str(command))
    if handler is None:
        err.write("error: say what to do: history list|show|search|export|import|delete\n")
        return USAGE
    try:
        store = Store.open(paths)
    except NotAFolderError as exc:
        err.write(f"error: {exc}\n")
        return USAGE
    except StorageError as exc:
        err.write(f"error: {exc}\n")
        return INTERNAL
    try:
        if store.recovered_from is not None:
            err.write(
                f"warning: the history database was damaged; it was moved to "
                f"{store.recovered_from} and a new, empty history was started.\n"
            )
        return handler(store, args, out, err)
    except (
        NotFoundError,
        AmbiguousIdError,
        ImportFormatError,
        ExportTargetError,
        _UsageError,
    ) as exc:
        err.write(f"error: {exc}\n")
        return USAGE
    except StorageError as exc:
        err.write(f"error: {exc}\n")
        return INTERNAL
    finally:
        store.close()


# -- list -------------------------------------------------------------------------------------


def _list(store: Store, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    conversations = store.list_conversations(limit=args.limit)
    counts = store.message_counts([c.id for c in conversations])
    total = store.count_conversations()
    if args.json:
        doc = {
            "total": total,
            "conversations": [_conversation_json(c, counts.get(c.id, 0)) for c in conversations],
        }
        _print_json(out, doc)
        return OK
    if not conversations:
        out.write("No conversations yet.\n")
        return OK
    out.write(f"{'ID':8}  {'UPDATED':16}  {'MSGS':>4}  TITLE\n")
    for c in conversations:
        pin = "* " if c.pinned else ""
        out.write(
            f"{c.id[:SHORT_ID]:8}  {_local(c.updated):16}  {counts.get(c.id, 0):>4}  "
            f"{pin}{_one_line(c.title)}\n"
        )
    if total > len(conversations):
        out.write(f"({len(conversations)} of {total}; use --limit N for more)\n")
    return OK


# -- show -------------------------------------------------------------------------------------


def _show(store: Store, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    conversation = store.find_conversation(args.id)
    path = store.branch_path(conversation.id)
    positions = store.branch_positions(conversation.id)
    total = len(positions)
    if args.json:
        from grok_desktop.cli.render import message_json

        messages = []
        for m in path:
            item = message_json(m)
            index, count = positions.get(m.id, (1, 1))
            item["branch"] = {"index": index, "count": count}
            messages.append(item)
        doc = _conversation_json(conversation, total)
        doc["messages"] = messages
        _print_json(out, doc)
        return OK
    out.write(f"{conversation.title}\n")
    facts = [f"id {conversation.id}", f"started {_local(conversation.created)}"]
    if conversation.model:
        facts.append(f"model {conversation.model}")
    shown = f"{len(path)} messages"
    if total > len(path):
        shown += f" shown of {total} (other branches kept)"
    facts.append(shown)
    out.write(" · ".join(facts) + "\n")
    if conversation.system_prompt:
        out.write(f"system prompt: {conversation.system_prompt}\n")
    for m in path:
        out.write("\n" + _message_header(m, positions.get(m.id, (1, 1))) + "\n")
        if m.content:
            out.write(m.content.rstrip() + "\n")
        for att in m.attachments:
            out.write(
                f"  [image {att.width}×{att.height} {att.mime}: {store.attachment_path(att)}]\n"
            )
        note = _status_note(m)
        if note:
            out.write(f"  [{note}]\n")
    return OK


def _message_header(m: Message, position: tuple[int, int]) -> str:
    who = {"user": "You", "assistant": "Grok", "system": "System"}[m.role.value]
    if m.model and m.role.value == "assistant":
        who += f" ({m.model})"
    parts = [f"── {who}", _local(m.created)]
    if m.usage is not None:
        parts.append(f"{m.usage.total_tokens:,} tokens")
        parts.append(format_usd(m.cost_usd))
    index, count = position
    if count > 1:
        parts.append(f"branch {index}/{count}")
    return " · ".join(parts)


def _status_note(m: Message) -> str | None:
    if m.status is MessageStatus.ERROR:
        return f"failed: {m.error or 'unknown error'}"
    return {
        MessageStatus.CANCELLED: "stopped",
        MessageStatus.INTERRUPTED: "interrupted: the app closed while this was written",
        MessageStatus.STREAMING: "still being written",
    }.get(m.status)


# -- search -----------------------------------------------------------------------------------


def _search(store: Store, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    hits = store.search(args.query, limit=args.limit)
    if args.json:
        _print_json(out, {"query": args.query, "results": [_hit_json(h) for h in hits]})
        return OK
    if not hits:
        out.write(f"No matches for {args.query!r}.\n")
        return OK
    tty = _isatty(out)
    for hit in hits:
        where = "  (title)" if hit.message_id is None else ""
        out.write(f"{hit.conversation_id[:SHORT_ID]}  {_one_line(hit.conversation_title)}{where}")
        out.write(f"\n    {_mark(_one_line(hit.snippet), tty)}\n")
    return OK


def _mark(snippet: str, tty: bool) -> str:
    start, end = (_BOLD, _RESET) if tty else ("**", "**")
    return snippet.replace(HIGHLIGHT_START, start).replace(HIGHLIGHT_END, end)


def _hit_json(hit: SearchHit) -> dict[str, Any]:
    plain: list[str] = []
    spans: list[list[int]] = []
    length = 0
    for i, piece in enumerate(hit.snippet.split(HIGHLIGHT_START)):
        marked, _, rest = piece.partition(HIGHLIGHT_END) if i else ("", "", piece)
        if i:
            spans.append([length, length + len(marked)])
        plain += [marked, rest]
        length += len(marked) + len(rest)
    return {
        "conversation_id": hit.conversation_id,
        "conversation_title": hit.conversation_title,
        "message_id": hit.message_id,
        "snippet": "".join(plain),
        "highlights": spans,
        "rank": hit.rank,
    }


# -- export / import / delete -----------------------------------------------------------------


def _export(store: Store, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.all == (args.id is not None):
        raise _UsageError("give either a conversation ID or --all")
    target = None if args.output in (None, "-") else Path(args.output)
    if target is not None:
        export.check_target(target)  # before anything is written (markdown's images first)
    if args.all:
        if args.format == "md":
            raise _UsageError("--all makes a JSON backup; --format md works for one conversation")
        if args.output is None:
            raise _UsageError("--all needs -o FILE (or -o - for stdout)")
        if target is None:
            out.write(export.backup_json(store))
            return OK
        count = export.write_backup(store, target)
        out.write(f"Wrote {count} conversation(s) to {target}\n")
        return OK
    conversation = store.find_conversation(args.id)
    fmt = args.format or "json"
    if fmt == "json":
        if target is None:
            out.write(export.conversation_json(store, conversation.id))
        else:
            export.write_conversation_json(store, conversation.id, target)
            out.write(f"Wrote {target}\n")
        return OK
    if target is None:
        out.write(markdown.conversation_markdown(store, conversation.id, images="inline"))
    else:
        markdown.write_markdown(store, conversation.id, target, images="folder")
        out.write(f"Wrote {target}\n")
    return OK


def _import(store: Store, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.file == "-":
        result = importer.import_data(store, sys.stdin.buffer.read(), "standard input")
    else:
        result = importer.import_file(store, Path(args.file))
    out.write(result.describe() + "\n")
    return OK


def _delete(store: Store, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    conversation = store.find_conversation(args.id)
    snapshot = store.delete_conversation(conversation.id)
    out.write(
        f'Deleted "{_one_line(conversation.title)}" ({conversation.id[:SHORT_ID]}, '
        f"{len(snapshot.tree.messages)} messages).\n"
    )
    return OK


_HANDLERS = {
    "list": _list,
    "show": _show,
    "search": _search,
    "export": _export,
    "import": _import,
    "delete": _delete,
}


# -- helpers ----------------------------------------------------------------------------------


def _conversation_json(c: Conversation, messages: int) -> dict[str, Any]:
    return {
        "id": c.id,
        "title": c.title,
        "created": c.created.isoformat(),
        "updated": c.updated.isoformat(),
        "pinned": c.pinned,
        "model": c.model,
        "system_prompt": c.system_prompt,
        "message_count": messages,
    }


def _print_json(out: TextIO, doc: Any) -> None:
    out.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


def _local(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
