"""Usage figures (services/usage.py) and the status-bar meter: today, this month, this
conversation and the last reply, from a store with replies on chosen days; the meter's colours
at 80 % and 100 % of the monthly budget; the tooltip; a click opens the usage window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from grok_desktop.domain.content import Role
from grok_desktop.domain.pricing import UNKNOWN_COST, Cost, CostSource
from grok_desktop.domain.usage import Usage
from grok_desktop.services.usage import (
    BudgetLevel,
    LastReply,
    Totals,
    UsageService,
    budget_level,
    compute_report,
    compute_snapshot,
)
from grok_desktop.storage.settings import Settings
from grok_desktop.storage.store import Store
from grok_desktop.storage.timeutil import to_ms
from grok_desktop.ui.usage_meter import LEVEL_STYLE, UsageMeter, meter_text, meter_tooltip

TIMEOUT = 10_000
TODAY = date(2026, 11, 20)


class Clock:
    """The store's clock, moved by hand to local noon of a chosen day."""

    def __init__(self) -> None:
        self.ms = 0

    def at(self, day: date, hour: int = 12) -> None:
        self.ms = to_ms(datetime.combine(day, time(hour)).astimezone())

    def __call__(self) -> int:
        return self.ms


def reply(
    store: Store,
    conversation_id: str,
    model: str,
    usage: Usage,
    usd: str | None,
) -> None:
    user = store.add_message(conversation_id, Role.USER, "question")
    cost = UNKNOWN_COST if usd is None else Cost(Decimal(usd), CostSource.PRICE_LIST)
    store.add_message(
        conversation_id,
        Role.ASSISTANT,
        "answer",
        parent_id=user.id,
        model=model,
        usage=usage,
        cost=cost,
    )


@pytest.fixture
def history(tmp_path: Path) -> Any:
    """Replies last month, earlier this month, today; one conversation deleted later."""
    clock = Clock()
    store = Store.open(tmp_path / "data", clock_ms=clock)
    clock.at(date(2026, 10, 31))
    old = store.create_conversation()
    reply(store, old.id, "grok-4.3", Usage(prompt_tokens=1000, completion_tokens=100), "5.00")
    clock.at(date(2026, 11, 2))
    gone = store.create_conversation()
    reply(store, gone.id, "grok-4.3", Usage(prompt_tokens=2000, completion_tokens=10), "1.25")
    clock.at(TODAY, 9)
    chat = store.create_conversation()
    reply(
        store,
        chat.id,
        "grok-4.3",
        Usage(prompt_tokens=300, completion_tokens=20, cached_tokens=200, reasoning_tokens=50),
        "0.50",
    )
    reply(store, chat.id, "mystery-model", Usage(prompt_tokens=10, completion_tokens=5), None)
    reply(
        store,
        chat.id,
        "grok-3-mini",
        Usage(prompt_tokens=12, completion_tokens=1, cached_tokens=11, reasoning_tokens=290),
        "0.25",
    )
    store.delete_conversation(gone.id)  # what it cost still counts
    yield store, chat
    store.close()


def test_snapshot_today_month_conversation_last(history: Any) -> None:
    store, chat = history
    s = compute_snapshot(store, chat.id, TODAY, Decimal("10"))
    assert s.today.cost_usd == Decimal("0.75")  # 0.50 + 0.25; the unknown one is not a guess
    assert s.today.replies == 3 and s.today.unknown_cost_replies == 1
    assert s.month.cost_usd == Decimal("2.00")  # + 1.25 of the deleted conversation
    assert s.month.replies == 4
    assert s.conversation is not None
    # the shown branch: three question/answer pairs, one of them without a known price
    assert s.conversation.replies == 3 and s.conversation.cost_usd == Decimal("0.75")
    assert s.conversation.unknown_cost_replies == 1
    assert (
        s.conversation.usage.reasoning_tokens == 340 and s.conversation.usage.cached_tokens == 211
    )
    assert s.last == LastReply(
        "grok-3-mini",
        Usage(prompt_tokens=12, completion_tokens=1, cached_tokens=11, reasoning_tokens=290),
        Decimal("0.25"),
    )
    assert s.budget_fraction == Decimal("0.2") and s.level is BudgetLevel.OK
    assert compute_snapshot(store, None, TODAY, None).conversation is None
    assert compute_snapshot(store, "no-such-conversation", TODAY, None).conversation == Totals()


def test_conversation_total_sums_its_branch(tmp_path: Path) -> None:
    with Store.open(tmp_path / "d") as store:
        c = store.create_conversation()
        for usd in ("0.10", "0.20", "0.30"):
            user = store.add_message(c.id, Role.USER, "q")
            store.add_message(
                c.id,
                Role.ASSISTANT,
                "a",
                parent_id=user.id,
                model="m",
                usage=Usage(prompt_tokens=100, completion_tokens=10),
                cost=Cost(Decimal(usd), CostSource.SERVER),
            )
        s = compute_snapshot(store, c.id, date.today(), None)
        assert s.conversation is not None
        assert s.conversation.replies == 3 and s.conversation.cost_usd == Decimal("0.60")
        assert s.conversation.usage.prompt_tokens == 300


def test_report_days_and_models(history: Any) -> None:
    store, _chat = history
    r = compute_report(store, TODAY, TODAY - timedelta(days=29), None)
    assert len(r.days) == 30 and r.days[-1].day == TODAY and r.days[0].day == date(2026, 10, 22)
    by_day = {d.day: d.totals for d in r.days}
    assert by_day[date(2026, 10, 31)].cost_usd == Decimal("5.00")
    assert by_day[TODAY].cost_usd == Decimal("0.75")
    assert by_day[date(2026, 11, 3)] == Totals()
    assert [m.model for m in r.models] == ["grok-4.3", "grok-3-mini", "mystery-model"]
    assert r.models[0].totals.cost_usd == Decimal("6.75")
    assert r.total.cost_usd == Decimal("7.00") and r.total.unknown_cost_replies == 1
    assert r.month.cost_usd == Decimal("2.00")

    month = compute_report(store, TODAY, date(2026, 11, 1), None)
    assert month.total.cost_usd == Decimal("2.00")
    assert len(month.days) == 30  # the chart always shows 30 days
    everything = compute_report(store, TODAY, None, None)
    assert everything.total.replies == 5


@pytest.mark.parametrize(
    ("spent", "level"),
    [
        ("0", BudgetLevel.OK),
        ("7.99", BudgetLevel.OK),
        ("8.00", BudgetLevel.WARNING),
        ("9.99", BudgetLevel.WARNING),
        ("10.00", BudgetLevel.OVER),
        ("12", BudgetLevel.OVER),
    ],
)
def test_budget_levels(spent: str, level: BudgetLevel) -> None:
    assert budget_level(Decimal(spent), Decimal("10")) is level
    assert budget_level(Decimal(spent), None) is BudgetLevel.NONE


def test_service_emits_snapshots_off_the_ui_thread(history: Any, qtbot: Any, qloop: Any) -> None:
    store, chat = history
    settings = Settings(None)
    settings.set("monthly_budget_usd", 2.5)
    service = UsageService(store, settings, today=lambda: TODAY)
    with qtbot.waitSignal(service.snapshot_ready, timeout=TIMEOUT) as got:
        service.refresh(chat.id)
    snapshot = got.args[0]
    assert snapshot.month.cost_usd == Decimal("2.00") and snapshot.budget_usd == Decimal("2.5")
    assert snapshot.level is BudgetLevel.WARNING  # 80 %
    with qtbot.waitSignal(service.snapshot_ready, timeout=TIMEOUT) as got:
        settings.set("monthly_budget_usd", 2.0)  # a new budget recolours at once
    assert got.args[0].level is BudgetLevel.OVER
    with qtbot.waitSignal(service.report_ready, timeout=TIMEOUT) as got:
        service.load_report(None)
    assert got.args[0].total.replies == 5


# -- the meter in the real window ------------------------------------------------------------------
def _spend(window: Any, parts: Any, usd: str) -> None:
    c = parts.store.create_conversation(model="grok-4.3")
    reply(parts.store, c.id, "grok-4.3", Usage(prompt_tokens=1000, completion_tokens=100), usd)


def _pixel(meter: UsageMeter) -> QColor:
    image = meter.grab().toImage()
    return image.pixelColor(2, image.height() // 2)


def _wait_level(qtbot: Any, meter: UsageMeter, level: BudgetLevel) -> None:
    with qtbot.waitSignal(meter.service.snapshot_ready, timeout=TIMEOUT):
        meter.refresh(None)
    assert meter.level is level


def test_meter_turns_amber_at_80_and_red_at_100_percent(make_window: Any, qtbot: Any) -> None:
    window, parts = make_window()
    meter = window.findChild(UsageMeter, "usageMeter")
    assert meter is window.usage_meter and meter.accessibleName() == "Usage"
    qtbot.waitUntil(lambda: meter.snapshot is not None, timeout=TIMEOUT)
    assert meter.level is BudgetLevel.NONE
    assert meter.text() == "Today $0.00  │  Month $0.00"
    plain = _pixel(meter)

    parts.settings.set("monthly_budget_usd", 10.0)
    qtbot.waitUntil(lambda: meter.level is BudgetLevel.OK, timeout=TIMEOUT)
    _spend(window, parts, "7.99")
    _wait_level(qtbot, meter, BudgetLevel.OK)
    assert "Month $7.99 / $10.00" in meter.text()
    assert _pixel(meter) == plain

    _spend(window, parts, "0.01")  # exactly 80 %
    _wait_level(qtbot, meter, BudgetLevel.WARNING)
    assert _pixel(meter) == QColor(LEVEL_STYLE[BudgetLevel.WARNING][0])
    assert "80 % of the monthly budget" in meter.toolTip()
    assert "$8.00 of $10.00 (80 %)" in meter.toolTip()

    _spend(window, parts, "2.00")  # exactly 100 %
    _wait_level(qtbot, meter, BudgetLevel.OVER)
    assert _pixel(meter) == QColor(LEVEL_STYLE[BudgetLevel.OVER][0])
    assert "used up" in meter.toolTip() and "used up" in meter.accessibleDescription()
    ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "ui"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    qtbot.wait(50)  # let the status bar lay out the wider text
    window.statusBar().grab().save(str(ARTIFACTS / "usage-meter-over.png"))

    parts.settings.set("monthly_budget_usd", 100.0)  # raising the budget recolours at once
    qtbot.waitUntil(lambda: meter.level is BudgetLevel.OK, timeout=TIMEOUT)
    assert _pixel(meter) == plain


def test_meter_after_a_reply_shows_last_chat_today(
    make_window: Any, ui_for: Callable[[Any], Any], qtbot: Any
) -> None:
    window, _parts = make_window()
    ui = ui_for(window)
    ui.ask("How much was that?")
    meter = window.usage_meter
    qtbot.waitUntil(lambda: "Chat " in meter.text(), timeout=TIMEOUT)
    text = meter.text()
    assert text.startswith("Last: ")
    last = meter.snapshot.last
    assert last is not None and f"{last.usage.prompt_tokens:,} in" in text
    assert "Today $" in text and "Month $" in text
    tip = meter.toolTip()
    for word in ("Last reply", "Prompt:", "Completion:", "Reasoning:", "This conversation"):
        assert word in tip
    assert meter.snapshot.today.replies == 1
    assert meter.snapshot.conversation.replies == 1
    # opening another conversation (or none) recomputes for it
    window.new_chat()
    window._update_usage_meter()
    qtbot.waitUntil(lambda: meter.snapshot.conversation is None, timeout=TIMEOUT)
    assert meter.text().startswith("Today $")


def test_click_and_ctrl_shift_u_open_the_usage_window(make_window: Any, qtbot: Any) -> None:
    window, _parts = make_window()
    meter = window.usage_meter
    qtbot.mouseClick(meter, Qt.MouseButton.LeftButton)
    usage = window.findChild(type(meter.open_window()), "usageWindow")
    assert usage is not None
    qtbot.waitExposed(usage)
    usage.close()
    qtbot.waitUntil(lambda: not usage.isVisible(), timeout=TIMEOUT)
    window.activateWindow()
    qtbot.keyClick(
        window,
        Qt.Key.Key_U,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(usage.isVisible, timeout=TIMEOUT)
    assert len(window.findChildren(type(usage), "usageWindow")) == 1  # reused, not another
    from grok_desktop.ui.shortcuts import SHORTCUTS

    assert any(s.action == "usage" and s.keys == ("Ctrl+Shift+U",) for s in SHORTCUTS)


def test_meter_text_shapes() -> None:
    from grok_desktop.services.usage import UsageSnapshot

    last = LastReply(
        "m",
        Usage(prompt_tokens=1234, completion_tokens=56, cached_tokens=1000, reasoning_tokens=120),
        Decimal("0.0012"),
    )
    s = UsageSnapshot(last, Totals(2, Usage(), Decimal("0.01")), Totals(), Totals(), Decimal(5))
    assert meter_text(s) == (
        "Last: 1,234 in (1,000 cached) · 56 out + 120 reasoning · $0.0012  │  "
        "Chat $0.01  │  Today $0.00  │  Month $0.00 / $5.00"
    )


def test_meter_never_shows_unpriced_replies_as_free() -> None:
    from grok_desktop.services.usage import UsageSnapshot

    only_unknown = Totals(1, Usage(prompt_tokens=10), Decimal(0), unknown_cost_replies=1)
    mixed = Totals(3, Usage(prompt_tokens=10), Decimal("0.25"), unknown_cost_replies=1)
    s = UsageSnapshot(None, only_unknown, mixed, mixed, None)
    assert meter_text(s) == "Chat cost unknown  │  Today $0.25 + ?  │  Month $0.25 + ?"
    tip = meter_tooltip(s)
    assert "1 with no known price" in tip and "not counted" in tip
