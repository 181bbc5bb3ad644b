"""Tokens and money for the usage meter and the usage window, computed from the store.

Spending per day and model comes from the usage ledger (`Store.usage_rows`), which keeps what
a reply cost after its conversation is deleted; a conversation's total is the sum over the
messages of its shown branch. Days and months are local calendar days (what "spent today"
means to a person). The store is read on the storage worker thread, never on the UI thread.

Signals:
    snapshot_ready(object UsageSnapshot): the meter's figures, after `refresh()` or a budget change
    report_ready(object UsageReport): the usage window's figures, after `load_report()`
    failed(str text): the store could not be read
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from grok_desktop.domain.content import Role
from grok_desktop.domain.conversation import Message
from grok_desktop.domain.usage import Usage
from grok_desktop.storage.async_store import AsyncStore
from grok_desktop.storage.errors import StorageError
from grok_desktop.storage.records import UsageRow
from grok_desktop.storage.settings import Settings
from grok_desktop.storage.store import Store

#: Share of the monthly budget from which the meter turns amber; at 1.0 it turns red.
WARN_FRACTION = Decimal("0.8")
CHART_DAYS = 30
_T = TypeVar("_T")


class BudgetLevel(StrEnum):
    NONE = "none"  # no budget set
    OK = "ok"
    WARNING = "warning"  # 80 % of the budget or more
    OVER = "over"  # the budget is used up


@dataclass(frozen=True, slots=True)
class Totals:
    """Summed usage of some replies; `cost_usd` counts only the replies whose cost is known."""

    replies: int = 0
    usage: Usage = field(default_factory=Usage)
    cost_usd: Decimal = field(default_factory=Decimal)
    unknown_cost_replies: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            self.replies + other.replies,
            self.usage + other.usage,
            self.cost_usd + other.cost_usd,
            self.unknown_cost_replies + other.unknown_cost_replies,
        )

    @classmethod
    def of_row(cls, row: UsageRow) -> Totals:
        return cls(row.replies, row.usage, row.cost_usd, row.unknown_cost_replies)

    @classmethod
    def of_rows(cls, rows: Iterable[UsageRow]) -> Totals:
        total = cls()
        for row in rows:
            total = total + cls.of_row(row)
        return total

    @classmethod
    def of_messages(cls, messages: Iterable[Message]) -> Totals:
        total = cls()
        for m in messages:
            if m.role is not Role.ASSISTANT or m.usage is None:
                continue
            known = m.cost_usd is not None
            total = total + cls(1, m.usage, m.cost_usd or Decimal(0), 0 if known else 1)
        return total


@dataclass(frozen=True, slots=True)
class LastReply:
    model: str
    usage: Usage
    cost_usd: Decimal | None


@dataclass(frozen=True, slots=True)
class UsageSnapshot:
    """What the meter shows: the last reply, this conversation, today, this month, the budget."""

    last: LastReply | None
    conversation: Totals | None
    today: Totals
    month: Totals
    budget_usd: Decimal | None  # None: no budget set

    @property
    def budget_fraction(self) -> Decimal | None:
        if not self.budget_usd:
            return None
        return self.month.cost_usd / self.budget_usd

    @property
    def level(self) -> BudgetLevel:
        return budget_level(self.month.cost_usd, self.budget_usd)


def budget_level(spent: Decimal, budget: Decimal | None) -> BudgetLevel:
    if not budget:
        return BudgetLevel.NONE
    if spent >= budget:
        return BudgetLevel.OVER
    if spent >= budget * WARN_FRACTION:
        return BudgetLevel.WARNING
    return BudgetLevel.OK


@dataclass(frozen=True, slots=True)
class DayTotals:
    day: date
    totals: Totals


@dataclass(frozen=True, slots=True)
class ModelTotals:
    model: str
    totals: Totals


@dataclass(frozen=True, slots=True)
class UsageReport:
    """What the usage window shows. `days` always has `CHART_DAYS` consecutive days ending
    today (days without replies are zero); `rows`/`models` cover the chosen period."""

    today: date
    since: date | None  # None: all time
    days: list[DayTotals]
    rows: list[UsageRow]
    models: list[ModelTotals]
    total: Totals
    month: Totals
    budget_usd: Decimal | None


def month_start(day: date) -> date:
    return day.replace(day=1)


def last_reply_of(messages: Sequence[Message]) -> LastReply | None:
    for m in reversed(messages):
        if m.role is Role.ASSISTANT and m.usage is not None:
            return LastReply(m.model or "", m.usage, m.cost_usd)
    return None


def compute_snapshot(
    store: Store,
    conversation_id: str | None,
    today: date,
    budget_usd: Decimal | None,
    last: LastReply | None = None,
) -> UsageSnapshot:
    """The meter's figures (blocking: call it on a worker thread)."""
    first = month_start(today)
    rows = store.usage_rows(first)
    conversation: Totals | None = None
    if conversation_id is not None:
        try:
            path = store.branch_path(conversation_id)
        except StorageError:  # deleted meanwhile
            path = []
        conversation = Totals.of_messages(path)
        if last is None:
            last = last_reply_of(path)
    return UsageSnapshot(
        last=last,
        conversation=conversation,
        today=Totals.of_rows(r for r in rows if r.day == today),
        month=Totals.of_rows(r for r in rows if r.day >= first),
        budget_usd=budget_usd,
    )


def compute_report(
    store: Store, today: date, since: date | None, budget_usd: Decimal | None
) -> UsageReport:
    """The usage window's figures (blocking: call it on a worker thread)."""
    chart_from = today - timedelta(days=CHART_DAYS - 1)
    first_month = month_start(today)
    earliest = min(d for d in (chart_from, first_month, since) if d is not None)
    rows = store.usage_rows(None if since is None else earliest)
    by_day: dict[date, Totals] = defaultdict(Totals)
    by_model: dict[str, Totals] = defaultdict(Totals)
    period = [r for r in rows if since is None or r.day >= since]
    for r in rows:
        if r.day >= chart_from:
            by_day[r.day] = by_day[r.day] + Totals.of_row(r)
    for r in period:
        by_model[r.model] = by_model[r.model] + Totals.of_row(r)
    days = [
        DayTotals(d, by_day.get(d, Totals()))
        for d in (chart_from + timedelta(days=i) for i in range(CHART_DAYS))
    ]
    models = sorted(
        (ModelTotals(m or "(unknown model)", t) for m, t in by_model.items()),
        key=lambda mt: (-mt.totals.cost_usd, -mt.totals.usage.total_tokens, mt.model),
    )
    return UsageReport(
        today=today,
        since=since,
        days=days,
        rows=period,
        models=models,
        total=Totals.of_rows(period),
        month=Totals.of_rows(r for r in rows if r.day >= first_month),
        budget_usd=budget_usd,
    )


class UsageService(QObject):
    snapshot_ready = Signal(object)
    report_ready = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        runner: AsyncStore | None = None,
        today: Callable[[], date] = date.today,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.settings = settings
        self._runner = runner
        self._today = today
        self._snapshot_task: asyncio.Task[None] | None = None
        self._report_task: asyncio.Task[None] | None = None
        self._conversation_id: str | None = None
        self._last: LastReply | None = None
        self.snapshot: UsageSnapshot | None = None
        settings.on_change(self._on_setting_changed)

    def budget(self) -> Decimal | None:
        value = self.settings.get("monthly_budget_usd")
        if not value:
            return None
        # through str: 12.3 (a float in the settings file) is $12.30, not 12.2999...
        return Decimal(str(value))

    def today(self) -> date:
        return self._today()

    # -- the meter ------------------------------------------------------------------------------
    def refresh(self, conversation_id: str | None, last: LastReply | None = None) -> None:
        """Recompute the meter's figures for `conversation_id` (None: no conversation open).

        `last` is the reply that just finished; without it the last reply of the conversation's
        shown branch is used. A newer call replaces a running one."""
        if conversation_id != self._conversation_id:
            self._last = None
        self._conversation_id = conversation_id
        if last is not None:
            self._last = last
        if self._snapshot_task is not None and not self._snapshot_task.done():
            self._snapshot_task.cancel()
        self._snapshot_task = asyncio.ensure_future(
            self._compute_snapshot(conversation_id, self._last)
        )

    async def _compute_snapshot(self, conversation_id: str | None, last: LastReply | None) -> None:
        try:
            snapshot = await self._run(
                compute_snapshot, self.store, conversation_id, self.today(), self.budget(), last
            )
        except StorageError as exc:
            self.failed.emit(f"Usage could not be read: {exc}")
            return
        # the budget may have changed while the store was read
        self.snapshot = replace(snapshot, budget_usd=self.budget())
        self.snapshot_ready.emit(self.snapshot)

    def _on_setting_changed(self, name: str) -> None:
        if name == "monthly_budget_usd" and self.snapshot is not None:
            s = self.snapshot
            self.snapshot = UsageSnapshot(s.last, s.conversation, s.today, s.month, self.budget())
            try:
                self.snapshot_ready.emit(self.snapshot)
            except RuntimeError:  # the window that owned this service is gone
                pass

    # -- the usage window -----------------------------------------------------------------------
    def load_report(self, since: date | None) -> None:
        """Compute the window's figures for the period from `since` (None: all time)."""
        if self._report_task is not None and not self._report_task.done():
            self._report_task.cancel()
        self._report_task = asyncio.ensure_future(self._compute_report(since))

    async def _compute_report(self, since: date | None) -> None:
        try:
            report = await self._run(compute_report, self.store, self.today(), since, self.budget())
        except StorageError as exc:
            self.failed.emit(f"Usage could not be read: {exc}")
            return
        self.report_ready.emit(replace(report, budget_usd=self.budget()))

    async def _run(self, fn: Callable[..., _T], *args: object) -> _T:
        if self._runner is not None:
            return await self._runner.run(fn, *args)
        return await asyncio.to_thread(fn, *args)
