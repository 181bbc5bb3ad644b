"""`grok-desktop ask`: one question, the answer streamed to stdout as it arrives, progress,
usage and cost on stderr; the exchange stored in the same history as the app.

When the answer arrives but cannot be saved (disk full, I/O error), it is still printed (with
`--json`: the answer as received, `"saved": false` and `"save_error"`), stderr says that it
is not in history and what to do, and the exit code is 1 (unless the API failed too: then the
API's code).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from grok_desktop.api.client import XaiClient
from grok_desktop.api.errors import ModelNotFoundError, NoApiKeyError, XaiError
from grok_desktop.api.events import RetryNotice
from grok_desktop.cli import exits
from grok_desktop.cli.context import CliContext
from grok_desktop.cli.exits import CliError
from grok_desktop.cli.render import describe_usage, message_json, usage_json
from grok_desktop.domain.content import DETAILS, ChatMessage, ChatRequest, Role, user_message
from grok_desktop.domain.conversation import Attachment, Message
from grok_desktop.domain.pricing import Cost, ModelPrice, format_usd
from grok_desktop.media.images import ImageError, PreparedImage, prepare_image_file
from grok_desktop.services.catalog import ModelCatalog
from grok_desktop.services.context import context_messages
from grok_desktop.services.titles import TitleAnswer, ask_title, record_title
from grok_desktop.services.turn import PriceLookup, TurnObserver, TurnOutcome, run_turn
from grok_desktop.storage.errors import StorageError
from grok_desktop.storage.store import Store


def register(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "ask",
        parents=parents,
        help="ask a question; the answer streams to stdout",
        description="Ask Grok. The answer streams to stdout; progress, usage and cost go to "
        "stderr. The exchange is stored in the app's history.",
    )
    p.add_argument("prompt", nargs="+", metavar="PROMPT", help='the question ("-": read stdin)')
    p.add_argument("--model", "-m", help="model id (default: the remembered or newest model)")
    p.add_argument("--system", "-s", metavar="TEXT", help="system prompt for this conversation")
    p.add_argument(
        "--image", "-i", action="append", default=[], metavar="PATH", help="attach an image"
    )
    p.add_argument("--detail", choices=DETAILS, default=None, help="image detail (default auto)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--new", action="store_true", help="start a new conversation (default)")
    group.add_argument("--conversation", "-c", metavar="ID", help="continue a conversation")
    p.add_argument("--json", action="store_true", help="print the stored message as JSON")
    p.add_argument(
        "--show-reasoning", action="store_true", help="print the model's reasoning to stderr"
    )
    p.add_argument(
        "--retries",
        type=_retries,
        default=None,
        metavar="N",
        help="try a failed request (5xx, 429, network error, stall) again up to N times "
        "before giving up; only before any answer text arrived (default 3; 0: never)",
    )
    p.set_defaults(func=run_ask)


def _retries(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _read_prompt(ctx: CliContext, words: list[str]) -> str:
    text = ctx.stdin.read() if words == ["-"] else " ".join(words)
    if not text.strip():
        raise CliError("The question is empty. Give it as an argument, or `-` to read stdin.")
    return text


def _prepare_images(ctx: CliContext, paths: list[str], detail: str | None) -> list[PreparedImage]:
    limit = int(ctx.settings.get("max_images"))
    if len(paths) > limit:
        raise CliError(f"{len(paths)} images given; at most {limit} can be attached.")
    chosen = detail or str(ctx.settings.get("image_detail"))
    max_side = int(ctx.settings.get("image_max_side"))
    try:
        return [prepare_image_file(p, detail=chosen, max_side=max_side) for p in paths]  # type: ignore[arg-type]
    except ImageError as exc:
        raise CliError(f"{exc} Nothing was sent.") from None


class _Printer(TurnObserver):
    def __init__(self, ctx: CliContext, *, stream_text: bool, show_reasoning: bool) -> None:
        self.ctx = ctx
        self.stream_text = stream_text
        self.show_reasoning = show_reasoning
        self.thinking_shown = False
        self.last_char = "\n"
        self.reasoning_last_char = "\n"

    def _end_reasoning(self) -> None:
        """Close the reasoning shown on stderr (its own line), or clear "Thinking…"."""
        if self.thinking_shown:
            self.ctx.stderr.write("\r\033[K")
            self.ctx.stderr.flush()
            self.thinking_shown = False
        if self.reasoning_last_char != "\n":
            self.ctx.stderr.write("\n")
            self.ctx.stderr.flush()
            self.reasoning_last_char = "\n"

    def content(self, text: str) -> None:
        self._end_reasoning()
        if self.stream_text:
            self.ctx.stdout.write(text)
            self.ctx.stdout.flush()
            self.last_char = text[-1]

    def reasoning(self, text: str) -> None:
        if self.show_reasoning:
            if text:
                self.ctx.stderr.write(text)
                self.ctx.stderr.flush()
                self.reasoning_last_char = text[-1]
        elif not self.thinking_shown and self.ctx.stderr.isatty():
            self.ctx.stderr.write("Thinking…")
            self.ctx.stderr.flush()
            self.thinking_shown = True

    def retrying(self, notice: RetryNotice) -> None:
        self._end_reasoning()
        reason = notice.reason.rstrip()
        if reason and reason[-1] not in ".!?":
            reason += "."
        wait = f"{notice.delay:.1f}" if notice.delay < 10 else f"{notice.delay:.0f}"
        self.ctx.stderr.write(
            f"{reason} Retrying in {wait} s (attempt {notice.attempt} of {notice.max_attempts})…\n"
        )
        self.ctx.stderr.flush()

    def storage_failed(self, error: StorageError) -> None:
        # Said once at the end (_report), not in the middle of the answer: a save that fails
        # while the text streams is tried again, and the final save may still succeed.
        pass

    def end_line(self) -> None:
        self._end_reasoning()
        if self.stream_text and self.last_char != "\n":
            self.ctx.stdout.write("\n")
            self.ctx.stdout.flush()


async def _choose_model(
    ctx: CliContext, client: XaiClient, catalog: ModelCatalog, asked: str | None
) -> str:
    """`asked` (--model, or the conversation's model) as it is; else the remembered default
    while the model list still has it; else the newest chat model, remembered from now on."""
    if asked:
        return asked
    remembered = ctx.settings.get("default_model")
    if remembered:
        return await _still_available(ctx, client, catalog, str(remembered))
    await catalog.ensure(client)
    model = catalog.default_model()
    if model is None:
        raise CliError("The API lists no chat model for this key.", exits.REFUSED)
    ctx.settings.set("default_model", model)
    return model


async def _still_available(
    ctx: CliContext, client: XaiClient, catalog: ModelCatalog, remembered: str
) -> str:
    """xAI retires model ids: a remembered default the model list no longer has is replaced
    by the newest model (the first-use rule), and the person is told. Without a list (no
    network, key refused) the remembered model is used and the request itself says more."""
    try:
        await catalog.ensure(client)
        if catalog.find(remembered) is None:
            await catalog.refresh(client, force=True)  # the cached list may predate it
    except XaiError:
        return remembered
    if catalog.find(remembered) is not None:
        return remembered
    newest = catalog.default_model()
    if newest is None:
        return remembered
    ctx.settings.set("default_model", newest)
    ctx.stderr.write(f"note: {remembered} is no longer available; using {newest} from now on.\n")
    return newest


async def _explain_unknown_model(client: XaiClient, catalog: ModelCatalog, model: str) -> str:
    try:
        await catalog.refresh(client, force=True)
    except XaiError:
        return f"The model {model!r} is not available."
    names = ", ".join(catalog.chat_model_ids()) or "none"
    return f"The model {model!r} is not available. Models your key can use: {names}."


def _check_image_support(catalog: ModelCatalog, model: str, images: list[PreparedImage]) -> None:
    if not images:
        return
    known = catalog.find(model)
    if known is None or known.accepts_images:
        return
    capable = [m.id for m in catalog.models if m.accepts_images]
    hint = f" Models that do: {', '.join(capable)}." if capable else ""
    raise CliError(f"The model {model} does not accept images.{hint} Nothing was sent.")


def _stored_attachments(store: Store, images: list[PreparedImage]) -> list[Attachment]:
    return [
        replace(store.add_attachment(i.data, i.mime, i.width, i.height), detail=i.detail)
        for i in images
    ]


async def _ask(ctx: CliContext, args: argparse.Namespace) -> int:
    prompt = _read_prompt(ctx, args.prompt)
    images = _prepare_images(ctx, args.image, args.detail)
    key = ctx.resolve_key()
    if key.key is None:
        detail = f" ({key.problem})" if key.problem else ""
        err = NoApiKeyError(f"No xAI API key is set{detail}.")
        raise CliError(err.user_message(), exits.AUTH)
    store = ctx.open_store()
    try:
        try:
            store.check_writable()  # before anything is sent: the answer could not be kept
        except StorageError as exc:
            raise CliError(f"{exc} Nothing was sent.", exits.INTERNAL) from None
        async with ctx.client(key.key) as client:
            return await _ask_with(ctx, args, client, store, prompt, images)
    finally:
        store.close()


async def _ask_with(
    ctx: CliContext,
    args: argparse.Namespace,
    client: XaiClient,
    store: Store,
    prompt: str,
    images: list[PreparedImage],
) -> int:
    catalog = ctx.catalog()
    conversation = None
    history: list[Message] = []
    if args.conversation:
        try:
            conversation = store.find_conversation(args.conversation)
        except StorageError as exc:
            raise CliError(f"{exc} See `grok-desktop history list`.") from None
        history = store.messages_for_context(conversation.id)
    try:
        asked = args.model or (conversation.model if conversation is not None else None)
        model = await _choose_model(ctx, client, catalog, asked)
        if images:
            await catalog.ensure(client)
            _check_image_support(catalog, model, images)
    except XaiError as err:
        ctx.stderr.write(f"error: {err.user_message()}\n")
        return exits.exit_code_for(err)
    system = args.system if args.system is not None else None
    parent = history[-1].id if history else None
    try:
        # One transaction: a question that cannot be saved leaves no empty conversation.
        with store.atomic():
            if conversation is None:
                system = (
                    system
                    if system is not None
                    else (ctx.settings.get("default_system_prompt") or None)
                )
                conversation = store.create_conversation(model=model, system_prompt=system)
            elif system is not None:
                conversation = store.set_system_prompt(conversation.id, system)
            user = store.add_message(
                conversation.id,
                Role.USER,
                prompt,
                parent_id=parent,
                attachments=_stored_attachments(store, images),
            )
    except StorageError as exc:
        raise CliError(f"{exc} Nothing was sent.", exits.INTERNAL) from None

    messages: list[ChatMessage] = []
    if conversation.system_prompt:
        messages.append(ChatMessage(Role.SYSTEM, conversation.system_prompt))
    messages.extend(context_messages(store, history))
    messages.append(user_message(prompt, [i.part() for i in images]))
    request = ChatRequest(model=model, messages=tuple(messages))

    async def price_for(name: str) -> ModelPrice | None:
        if catalog.price(name) is None:
            await catalog.ensure(client)
        return catalog.price(name)

    printer = _Printer(ctx, stream_text=not args.json, show_reasoning=args.show_reasoning)
    try:
        outcome = await run_turn(
            client,
            request,
            store=store,
            conversation_id=conversation.id,
            parent_id=user.id,
            observer=printer,
            price_for=price_for,
        )
    except asyncio.CancelledError:
        printer.end_line()
        raise
    printer.end_line()
    title: tuple[TitleAnswer, Cost | None] | None = None
    if (
        not history
        and outcome.error is None
        and outcome.storage_error is None
        and ctx.settings.get("model_titles")
    ):
        title = await _make_title(ctx, client, store, conversation.id, model, prompt, price_for)
    exchange = _Exchange(conversation.id, user.id, outcome, title)
    return await _report(ctx, args, client, catalog, store, exchange)


async def _make_title(
    ctx: CliContext,
    client: XaiClient,
    store: Store,
    conversation_id: str,
    model: str,
    prompt: str,
    price_for: PriceLookup,
) -> tuple[TitleAnswer, Cost | None] | None:
    """The model-made title, its usage counted in the ledger; None when the call failed."""
    answer = await ask_title(client, model, prompt)
    if answer is None:
        return None
    price: ModelPrice | None = None
    if answer.usage is not None and answer.usage.cost_ticks is None:
        try:
            price = await price_for(answer.model)
        except XaiError:
            price = None
    try:
        cost = record_title(store, conversation_id, answer, price)
    except StorageError as exc:
        ctx.stderr.write(f"warning: the title could not be saved. {exc}\n")
        cost = answer.cost(price)
    return answer, cost


@dataclass(frozen=True, slots=True)
class _Exchange:
    conversation_id: str
    question_id: str
    outcome: TurnOutcome
    title: tuple[TitleAnswer, Cost | None] | None  # the title call's answer and cost


def _usage_line(exchange: _Exchange) -> str | None:
    outcome = exchange.outcome
    line = (
        describe_usage(outcome.model, outcome.usage, outcome.cost)
        if outcome.usage is not None
        else None
    )
    if exchange.title is not None:
        answer, cost = exchange.title
        if answer.usage is not None:
            extra = (
                f"title {answer.usage.total_tokens:,} tokens · "
                f"{format_usd(None if cost is None else cost.usd)}"
            )
            line = f"{line} · {extra}" if line else extra
    return line


def _received_json(exchange: _Exchange) -> dict[str, Any]:
    """The answer as it arrived (the fields of a stored message), for when it is not stored
    or cannot be read back."""
    outcome = exchange.outcome
    return {
        "id": outcome.message_id,
        "conversation_id": exchange.conversation_id,
        "parent_id": exchange.question_id,
        "role": Role.ASSISTANT.value,
        "content": outcome.content,
        "reasoning": outcome.reasoning or None,
        "model": outcome.model,
        "status": outcome.status.value,
        "error": outcome.error.user_message() if outcome.error else None,
        "created": datetime.now(UTC).isoformat(),
        "usage": usage_json(outcome.usage),
        "cost_usd": str(outcome.cost.usd) if outcome.cost.usd is not None else None,
        "cost_source": outcome.cost.source.value,
        "attachments": [],
    }


def _saved_json(store: Store, exchange: _Exchange) -> dict[str, Any]:
    outcome = exchange.outcome
    try:
        stored = store.get_message(outcome.message_id) if outcome.message_id else None
    except StorageError:
        stored = None
    return (_received_json(exchange) if stored is None else message_json(stored)) | {"saved": True}


async def _report(
    ctx: CliContext,
    args: argparse.Namespace,
    client: XaiClient,
    catalog: ModelCatalog,
    store: Store,
    exchange: _Exchange,
) -> int:
    outcome = exchange.outcome
    unsaved = outcome.storage_error
    line = _usage_line(exchange)
    if line:
        ctx.stderr.write(line + "\n")
    if args.json:
        doc = (
            _received_json(exchange) | {"saved": False, "save_error": str(unsaved)}
            if unsaved
            else _saved_json(store, exchange)
        )
        ctx.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    if unsaved is not None:
        shown = "printed above" if args.json else "above"
        what = "answer" if outcome.error is None else "partial answer"
        ctx.stderr.write(
            f"error: the {what} {shown} could not be saved to history (copy it now if you "
            f"need it). {unsaved}\n"
        )
    if outcome.error is None:
        return exits.OK if unsaved is None else exits.INTERNAL
    err = outcome.error
    text = err.user_message()
    if isinstance(err, ModelNotFoundError):
        text = (
            f"{text}\n{await _explain_unknown_model(client, catalog, err.model or outcome.model)}"
        )
    if outcome.content and unsaved is None:
        text += "\nThe partial answer above was kept in history."
    ctx.stderr.write(f"error: {text}\n")
    return exits.exit_code_for(err)


def run_ask(ctx: CliContext, args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_ask(ctx, args))
    except KeyboardInterrupt:
        ctx.stderr.write("\nInterrupted; the partial answer was kept in history.\n")
        return exits.INTERRUPTED
    except StorageError as exc:
        raise CliError(str(exc), exits.INTERNAL) from None
