"""Importing export files (one conversation, or a whole backup).

The whole file is read and checked first (format, version, every field's type, references
between messages, base64 and sha256 of every image); only a file that passes is written, in one
transaction. Ids are kept, so importing the same file twice adds nothing the second time; a
conversation that is already present gets only the messages it lacks. Replies stored while
still `streaming` come in as `interrupted` (no process is writing them any more).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from grok_desktop.domain.content import DETAILS, Role
from grok_desktop.domain.conversation import Attachment, Conversation, Message, MessageStatus
from grok_desktop.domain.pricing import CostSource
from grok_desktop.domain.usage import Usage
from grok_desktop.storage.attachments import is_sha256
from grok_desktop.storage.errors import ImportFormatError
from grok_desktop.storage.export import BACKUP_FORMAT, CONVERSATION_FORMAT, FORMAT_VERSION
from grok_desktop.storage.records import ConversationTree, ImportResult
from grok_desktop.storage.rows import clean
from grok_desktop.storage.store import Store
from grok_desktop.storage.timeutil import from_ms, parse_iso

_E = TypeVar("_E", Role, MessageStatus, CostSource)

_USAGE_FIELDS = (
    "prompt_tokens",
    "completion_tokens",
    "reasoning_tokens",
    "cached_tokens",
    "image_tokens",
    "total_tokens",
)


@dataclass(slots=True)
class ImportPlan:
    """A checked import file, ready to be written."""

    trees: list[ConversationTree] = field(default_factory=list)
    images: dict[str, bytes] = field(default_factory=dict)
    attachments: dict[str, Attachment] = field(default_factory=dict)


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> NoReturn:
        raise ImportFormatError(self.source, f"{where}: {problem}" if where else problem)

    def obj(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(where, f"expected an object, found {_kind(value)}")
        return value

    def lst(self, parent: dict[str, Any], key: str, where: str) -> list[Any]:
        value = parent.get(key)
        if not isinstance(value, list):
            self.fail(f"{where}.{key}", f"expected a list, found {_kind(value)}")
        return value

    def text(
        self,
        parent: dict[str, Any],
        key: str,
        where: str,
        *,
        optional: bool = False,
        nonempty: bool = False,
    ) -> str | None:
        value = parent.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, str):
            self.fail(f"{where}.{key}", f"expected text, found {_kind(value)}")
        if nonempty and not value.strip():
            self.fail(f"{where}.{key}", "must not be empty")
        return clean(value)

    def req_text(
        self, parent: dict[str, Any], key: str, where: str, *, nonempty: bool = False
    ) -> str:
        value = self.text(parent, key, where, nonempty=nonempty)
        assert value is not None
        return value

    def integer(self, parent: dict[str, Any], key: str, where: str) -> int:
        value = parent.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            self.fail(f"{where}.{key}", f"expected a whole number >= 0, found {_kind(value)}")
        return value

    def opt_integer(self, parent: dict[str, Any], key: str, where: str) -> int | None:
        return None if parent.get(key) is None else self.integer(parent, key, where)

    def flag(self, parent: dict[str, Any], key: str, where: str) -> bool:
        value = parent.get(key)
        if not isinstance(value, bool):
            self.fail(f"{where}.{key}", f"expected true or false, found {_kind(value)}")
        return value

    def time(self, parent: dict[str, Any], key: str, where: str) -> int:
        value = self.req_text(parent, key, where)
        try:
            return parse_iso(value)
        except ValueError:
            self.fail(f"{where}.{key}", f"not a timestamp: {value[:40]!r}")

    def choice(self, parent: dict[str, Any], key: str, where: str, kind: type[_E]) -> _E:
        value = self.req_text(parent, key, where)
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(m.value for m in kind)
            self.fail(f"{where}.{key}", f"{value[:40]!r} is not one of {allowed}")


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    return {dict: "an object", list: "a list", str: "text", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


def parse_export(data: bytes | str, source: str = "the file") -> ImportPlan:
    """Check an export file completely and turn it into trees; raises ImportFormatError."""
    check = _Checker(source)
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        document = json.loads(text)
    except UnicodeDecodeError:
        check.fail("", "it is not UTF-8 text (is it really a JSON export?)")
    except json.JSONDecodeError as exc:
        check.fail(
            "",
            f"it is not complete, valid JSON ({exc.msg} at line {exc.lineno}, "
            f"column {exc.colno}; truncated?)",
        )
    except RecursionError:
        check.fail("", "it is nested too deeply to be an export")
    root = check.obj(document, "file")
    fmt = root.get("format")
    if fmt not in (BACKUP_FORMAT, CONVERSATION_FORMAT):
        check.fail(
            "format",
            f"expected {BACKUP_FORMAT!r} or {CONVERSATION_FORMAT!r}, found {str(fmt)[:40]!r}",
        )
    version = root.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        check.fail("version", f"expected a version number, found {_kind(version)}")
    if version > FORMAT_VERSION:
        check.fail(
            "version",
            f"the file is format version {version}, made by a newer Grok "
            f"Desktop (this one reads up to {FORMAT_VERSION}); update Grok Desktop",
        )
    if fmt == BACKUP_FORMAT:
        check.time(root, "exported", "file")
        raw = check.lst(root, "conversations", "file")
        items = [(f"conversations[{i}]", c) for i, c in enumerate(raw)]
    else:
        items = [("conversation", root.get("conversation"))]
    plan = ImportPlan()
    seen_conversations: set[str] = set()
    seen_messages: set[str] = set()
    for where, raw_conv in items:
        tree = _conversation(check, raw_conv, where, plan, seen_messages)
        if tree.conversation.id in seen_conversations:
            check.fail(f"{where}.id", "the same conversation appears twice")
        seen_conversations.add(tree.conversation.id)
        plan.trees.append(tree)
    return plan


def _conversation(
    check: _Checker, raw: Any, where: str, plan: ImportPlan, seen_messages: set[str]
) -> ConversationTree:
    conv = check.obj(raw, where)
    cid = check.req_text(conv, "id", where, nonempty=True)
    images = _attachments(check, conv, where, plan)
    messages: list[Message] = []
    selected: dict[str, str] = {}
    for i, raw_message in enumerate(check.lst(conv, "messages", where)):
        mwhere = f"{where}.messages[{i}]"
        message, child = _message(check, raw_message, mwhere, cid, images)
        if message.id in seen_messages:
            check.fail(f"{mwhere}.id", "the same message id appears twice")
        seen_messages.add(message.id)
        messages.append(message)
        if child is not None:
            selected[message.id] = child
    _check_tree(check, where, messages, selected, conv.get("selected_root"))
    conversation = Conversation(
        id=cid,
        title=check.req_text(conv, "title", where),
        created=from_ms(check.time(conv, "created", where)),
        updated=from_ms(check.time(conv, "updated", where)),
        pinned=check.flag(conv, "pinned", where),
        model=check.text(conv, "model", where, optional=True),
        system_prompt=check.text(conv, "system_prompt", where, optional=True),
    )
    return ConversationTree(
        conversation=conversation,
        title_auto=check.flag(conv, "title_auto", where),
        messages=messages,
        selected_root=conv.get("selected_root"),
        selected_child=selected,
    )


def _attachments(
    check: _Checker, conv: dict[str, Any], where: str, plan: ImportPlan
) -> dict[str, Attachment]:
    found: dict[str, Attachment] = {}
    for i, raw in enumerate(check.lst(conv, "attachments", where)):
        awhere = f"{where}.attachments[{i}]"
        item = check.obj(raw, awhere)
        sha = check.req_text(item, "sha256", awhere)
        if not is_sha256(sha):
            check.fail(f"{awhere}.sha256", "expected 64 lowercase hex digits")
        mime = check.req_text(item, "mime", awhere)
        if not mime.startswith("image/"):
            check.fail(f"{awhere}.mime", f"{mime[:40]!r} is not an image type")
        encoded = check.req_text(item, "data", awhere)
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            check.fail(f"{awhere}.data", "not valid base64")
        if hashlib.sha256(data).hexdigest() != sha:
            check.fail(
                f"{awhere}.data",
                f"the image data does not match its sha256 {sha[:12]}… "
                "(the file is damaged or was edited)",
            )
        size = check.integer(item, "bytes", awhere)
        if size != len(data):
            check.fail(f"{awhere}.bytes", f"says {size} but the data has {len(data)} bytes")
        width = check.integer(item, "width", awhere)
        height = check.integer(item, "height", awhere)
        att = Attachment(sha, mime, width, height, len(data))
        found[sha] = att
        plan.images[sha] = data
        plan.attachments.setdefault(sha, att)
    return found


def _message(
    check: _Checker, raw: Any, where: str, conversation_id: str, images: dict[str, Attachment]
) -> tuple[Message, str | None]:
    item = check.obj(raw, where)
    attachments: list[Attachment] = []
    for i, raw_att in enumerate(check.lst(item, "attachments", where)):
        awhere = f"{where}.attachments[{i}]"
        ref = check.obj(raw_att, awhere)
        sha = check.req_text(ref, "sha256", awhere)
        detail = check.req_text(ref, "detail", awhere)
        if detail not in DETAILS:
            check.fail(f"{awhere}.detail", f"expected one of {', '.join(DETAILS)}")
        if sha not in images:
            check.fail(f"{awhere}.sha256", "refers to an image the file does not contain")
        base = images[sha]
        attachments.append(Attachment(sha, base.mime, base.width, base.height, base.bytes, detail))
    status = check.choice(item, "status", where, MessageStatus)
    if status is MessageStatus.STREAMING:
        status = MessageStatus.INTERRUPTED
    message = Message(
        id=check.req_text(item, "id", where, nonempty=True),
        conversation_id=conversation_id,
        parent_id=check.text(item, "parent_id", where, optional=True),
        role=check.choice(item, "role", where, Role),
        content=check.req_text(item, "content", where),
        created=from_ms(check.time(item, "created", where)),
        reasoning=check.req_text(item, "reasoning", where),
        model=check.text(item, "model", where, optional=True),
        status=status,
        error=check.text(item, "error", where, optional=True),
        usage=_usage(check, item.get("usage"), f"{where}.usage"),
        cost_usd=_cost(check, item.get("cost_usd"), f"{where}.cost_usd"),
        cost_source=check.choice(item, "cost_source", where, CostSource),
        attachments=attachments,
    )
    return message, check.text(item, "selected_child", where, optional=True)


def _usage(check: _Checker, raw: Any, where: str) -> Usage | None:
    if raw is None:
        return None
    item = check.obj(raw, where)
    values = [check.integer(item, name, where) for name in _USAGE_FIELDS]
    ticks = check.opt_integer(item, "cost_ticks", where)
    prompt, completion, reasoning, cached, image, total = values
    return Usage(prompt, completion, reasoning, cached, image, total, ticks)


def _cost(check: _Checker, raw: Any, where: str) -> Decimal | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        check.fail(where, f"expected a decimal number as text, found {_kind(raw)}")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        check.fail(where, f"{raw[:40]!r} is not a decimal number")
    if not value.is_finite() or value < 0:
        check.fail(where, f"{raw[:40]!r} is not an amount of money")
    return value


def _check_tree(
    check: _Checker,
    where: str,
    messages: list[Message],
    selected: dict[str, str],
    selected_root: Any,
) -> None:
    by_id = {m.id: m for m in messages}
    for i, m in enumerate(messages):
        if m.parent_id is not None and m.parent_id not in by_id:
            check.fail(
                f"{where}.messages[{i}].parent_id",
                "refers to a message that is not in this conversation",
            )
    for i, m in enumerate(messages):
        child = selected.get(m.id)
        if child is not None and (child not in by_id or by_id[child].parent_id != m.id):
            check.fail(f"{where}.messages[{i}].selected_child", "is not a child of this message")
    reaches_root: set[str] = set()
    for m in messages:  # every chain of parents must end at a root
        chain: list[str] = []
        on_chain: set[str] = set()
        current: Message | None = m
        while current is not None and current.id not in reaches_root:
            if current.id in on_chain:
                check.fail(f"{where}.messages", "the parent links form a cycle")
            chain.append(current.id)
            on_chain.add(current.id)
            current = None if current.parent_id is None else by_id[current.parent_id]
        reaches_root.update(chain)
    if selected_root is not None and (
        not isinstance(selected_root, str)
        or selected_root not in by_id
        or by_id[selected_root].parent_id is not None
    ):
        check.fail(f"{where}.selected_root", "is not a first message of this conversation")


def _conflicts(store: Store, plan: ImportPlan, source: str) -> None:
    """Read-only check against the store, before anything is written."""
    for tree in plan.trees:
        cid = tree.conversation.id
        owners = store.message_owners([m.id for m in tree.messages])
        for message_id, owner in owners.items():
            if owner != cid:
                raise ImportFormatError(
                    source,
                    f"message {message_id} is already stored in another conversation ({owner})",
                )


def import_data(store: Store, data: bytes | str, source: str = "the file") -> ImportResult:
    plan = parse_export(data, source)
    _conflicts(store, plan, source)
    return store.insert_trees(plan.trees, plan.images, plan.attachments)


def import_file(store: Store, path: Path) -> ImportResult:
    """Import an export file; ImportFormatError when it cannot be read or is not valid."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFormatError(str(path), f"it cannot be read ({exc.strerror or exc})") from exc
    return import_data(store, data, str(path))
