"""Token and money totals per day and model, from the usage ledger.

Each reply's usage is copied into `usage_ledger` (keyed by message id). Deleting a
conversation does not delete what it cost, and importing it again does not count it twice.
Days are local calendar days of this computer (what "spent today" means to a person).

Calls that are not replies but cost money (the optional model-made title) have ledger rows of
their own, keyed `title:<uuid>` (no message has such an id): their tokens and money are in
every total, but they do not count as replies. Exports carry messages, not the ledger, so such
a row stays on the computer where the money was spent.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from grok_desktop.domain.conversation import Message
from grok_desktop.domain.pricing import Cost
from grok_desktop.domain.usage import Usage
from grok_desktop.storage.base import StoreBase
from grok_desktop.storage.records import UsageRow
from grok_desktop.storage.rows import USAGE_COLUMNS, cost_values, decimal_or_none, usage_values
from grok_desktop.storage.timeutil import from_ms, to_ms

_LEDGER_INSERT = (
    "INSERT OR {verb} INTO usage_ledger (message_id, conversation_id, created, model, "
    + ", ".join(USAGE_COLUMNS)
    + ", cost_usd, cost_source) VALUES (?, ?, ?, ?, "
    + ", ".join("?" for _ in USAGE_COLUMNS)
    + ", ?, ?)"
)


#: Ledger ids of model-made titles start with this (they are not replies).
TITLE_CALL_PREFIX = "title:"


def record_usage(conn: sqlite3.Connection, message: Message, *, replace: bool = True) -> None:
    """Copy a reply's usage into the ledger (REPLACE for a new reply, IGNORE for an import)."""
    if message.usage is None:
        return
    values = usage_values(message.usage)
    conn.execute(
        _LEDGER_INSERT.format(verb="REPLACE" if replace else "IGNORE"),
        (
            message.id,
            message.conversation_id,
            to_ms(message.created),
            message.model or "",
            *[0 if v is None else v for v in values[:-1]],
            values[-1],
            None if message.cost_usd is None else str(message.cost_usd),
            message.cost_source.value,
        ),
    )


def _local_midnight_ms(day: date) -> int:
    return to_ms(datetime.combine(day, time()).astimezone())


@dataclass(slots=True)
class _Sum:
    replies: int = 0
    prompt: int = 0
    completion: int = 0
    reasoning: int = 0
    cached: int = 0
    image: int = 0
    total: int = 0
    ticks: int = 0
    cost: Decimal = field(default_factory=Decimal)
    unknown: int = 0

    def add(self, row: sqlite3.Row) -> None:
        if not str(row["message_id"]).startswith(TITLE_CALL_PREFIX):
            self.replies += 1
        self.prompt += row["prompt_tokens"]
        self.completion += row["completion_tokens"]
        self.reasoning += row["reasoning_tokens"]
        self.cached += row["cached_tokens"]
        self.image += row["image_tokens"]
        self.total += row["total_tokens"]
        self.ticks += row["cost_ticks"] or 0
        cost = decimal_or_none(row["cost_usd"])
        if cost is None:
            self.unknown += 1
        else:
            self.cost += cost

    def row(self, day: date, model: str) -> UsageRow:
        usage = Usage(
            self.prompt,
            self.completion,
            self.reasoning,
            self.cached,
            self.image,
            self.total,
            self.ticks,
        )
        return UsageRow(day, model, self.replies, usage, self.cost, self.unknown)


class UsageOps(StoreBase):
    def record_title_usage(
        self, conversation_id: str, model: str, usage: Usage, cost: Cost | None
    ) -> str:
        """Count what the call that made a conversation's title cost (tokens and money, in
        the totals of its day and model; not a reply). Returns the ledger id."""
        ledger_id = f"{TITLE_CALL_PREFIX}{uuid.uuid4()}"
        values = usage_values(usage)
        cost_usd, cost_source = cost_values(cost)
        with self._db.write() as conn:
            conn.execute(
                _LEDGER_INSERT.format(verb="REPLACE"),
                (
                    ledger_id,
                    conversation_id,
                    self._db.now_ms(),
                    model,
                    *[0 if v is None else v for v in values[:-1]],
                    values[-1],
                    cost_usd,
                    cost_source,
                ),
            )
        return ledger_id

    def usage_rows(self, since: date | None = None) -> list[UsageRow]:
        """Per local day and model: replies, summed usage (`cost_ticks` sums the ticks the
        server reported) and summed known cost; oldest day first, then model name. `since`
        is a local calendar day, inclusive."""
        sql = "SELECT * FROM usage_ledger"
        params: tuple[object, ...] = ()
        if since is not None:
            sql += " WHERE created >= ?"
            params = (_local_midnight_ms(since),)
        totals: dict[tuple[date, str], _Sum] = defaultdict(_Sum)
        with self._db.read() as conn:
            for row in conn.execute(sql, params):
                day = from_ms(row["created"]).astimezone().date()
                totals[(day, row["model"])].add(row)
        return [acc.row(day, model) for (day, model), acc in sorted(totals.items())]
