"""The usage window (`usageWindow`): 30 days of cost and tokens drawn as bars, spending by model
for a period, the CSV export (checked value by value), and its picture for the README
(artifacts/ui/usage-window.png)."""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog

from grok_desktop.domain.content import Role
from grok_desktop.domain.pricing import Cost, ModelPrice, cost_of
from grok_desktop.domain.usage import Usage
from grok_desktop.services.usage import CHART_DAYS, UsageService
from grok_desktop.storage.settings import Settings
from grok_desktop.storage.store import Store
from grok_desktop.storage.timeutil import to_ms
from grok_desktop.ui.usage_chart import BarChart, nice_step
from grok_desktop.ui.usage_window import CSV_HEADER, UsageWindow

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "ui"
TIMEOUT = 10_000
TODAY = date(2026, 11, 20)
PRICES = {
    "grok-4.3": ModelPrice(prompt=30000, cached_prompt=7500, completion=150000),
    "grok-4.20-fast": ModelPrice(prompt=2000, cached_prompt=500, completion=5000),
    "grok-3-mini": ModelPrice(prompt=3000, cached_prompt=750, completion=5000),
}


class Clock:
    def __init__(self) -> None:
        self.ms = 0

    def at(self, day: date, hour: int) -> None:
        self.ms = to_ms(datetime.combine(day, time(hour)).astimezone())

    def __call__(self) -> int:
        return self.ms


def _reply(store: Store, cid: str, model: str, usage: Usage, cost: Cost) -> None:
    user = store.add_message(cid, Role.USER, "q")
    store.add_message(
        cid, Role.ASSISTANT, "a", parent_id=user.id, model=model, usage=usage, cost=cost
    )


@pytest.fixture
def month_of_use(tmp_path: Path) -> Any:
    """Six weeks of replies (seeded, so every run draws the same picture), priced exactly."""
    clock = Clock()
    store = Store.open(tmp_path / "data", clock_ms=clock)
    rng = random.Random(7)
    models = list(PRICES)
    for back in range(41, -1, -1):
        day = TODAY - timedelta(days=back)
        if day.weekday() >= 5 and rng.random() < 0.6:
            continue  # quieter weekends
        clock.at(day, 9)
        c = store.create_conversation()
        for _ in range(rng.randint(1, 6)):
            model = rng.choice(models)
            prompt = rng.randint(500, 40_000)
            usage = Usage(
                prompt_tokens=prompt,
                cached_tokens=rng.randint(0, prompt // 2),
                completion_tokens=rng.randint(50, 2500),
                reasoning_tokens=rng.choice((0, 0, rng.randint(100, 6000))),
            )
            _reply(store, c.id, model, usage, cost_of(usage, PRICES[model]))
    clock.at(TODAY, 18)
    c = store.create_conversation()
    _reply(
        store,
        c.id,
        "grok-beta-unpriced",
        Usage(prompt_tokens=900, completion_tokens=80),
        cost_of(Usage(), None),
    )
    yield store
    store.close()


def _window(store: Store, qtbot: Any, budget: float = 0.0) -> tuple[UsageWindow, UsageService]:
    settings = Settings(None)
    settings.set("monthly_budget_usd", budget)
    service = UsageService(store, settings, today=lambda: TODAY)
    window = UsageWindow(service)
    qtbot.addWidget(window)
    with qtbot.waitSignal(service.report_ready, timeout=TIMEOUT):
        window.reload()
    window.show()
    qtbot.waitExposed(window)
    return window, service


def test_window_draws_30_days_and_models(month_of_use: Store, qtbot: Any, qloop: Any) -> None:
    store = month_of_use
    window, _service = _window(store, qtbot, budget=30.0)
    assert window.objectName() == "usageWindow"
    assert window.windowTitle() == "Usage — Grok Desktop"
    report = window.report
    assert report is not None
    assert len(window.cost_chart.days) == CHART_DAYS == 30
    assert window.cost_chart.days[-1] == TODAY

    # the chart's bars are the ledger's days, to the cent
    rows = store.usage_rows(TODAY - timedelta(days=29))
    per_day: dict[date, Decimal] = {}
    for r in rows:
        per_day[r.day] = per_day.get(r.day, Decimal(0)) + r.cost_usd
    for day, values in zip(window.cost_chart.days, window.cost_chart.values, strict=True):
        assert values == [float(per_day.get(day, Decimal(0)))]
    tokens = {r.day: 0 for r in rows}
    for r in rows:
        tokens[r.day] += r.usage.prompt_tokens + r.usage.output_tokens
    for day, stack in zip(window.token_chart.days, window.token_chart.values, strict=True):
        assert sum(stack) == tokens.get(day, 0)

    # by model: one row each plus the total; the unpriced model is flagged
    table = window.table
    models = [table.item(i, 0).text() for i in range(table.rowCount())]
    assert set(models[:-1]) == {r.model for r in rows} and models[-1] == "Total"
    costs = {m.model: m.totals.cost_usd for m in report.models}
    assert sum(costs.values()) == report.total.cost_usd == sum(r.cost_usd for r in rows)
    unpriced = models.index("grok-beta-unpriced")
    assert table.item(unpriced, 6).text() == "unknown *"
    assert "no known price" in window.note.text()
    assert "This month" in window.summary.text() and "of $30.00" in window.summary.text()

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    window.resize(860, 780)
    qtbot.wait(50)
    assert window.grab().save(str(ARTIFACTS / "usage-window.png"))

    # hovering a bar tells its day and value
    chart = window.cost_chart
    plot = chart._plot_rect()
    x = int(plot.right() - plot.width() / 60)
    qtbot.mouseMove(chart, QPoint(x, int(plot.center().y())))
    assert chart._hover == 29
    assert "20 Nov 2026" in chart.tooltip_for(29)


def test_period_switch_changes_the_table(month_of_use: Store, qtbot: Any, qloop: Any) -> None:
    window, service = _window(month_of_use, qtbot)
    last_30 = window.report.total.replies
    with qtbot.waitSignal(service.report_ready, timeout=TIMEOUT):
        window.period.setCurrentIndex(2)  # all time
    assert window.report.since is None
    assert window.report.total.replies > last_30
    with qtbot.waitSignal(service.report_ready, timeout=TIMEOUT):
        window.period.setCurrentIndex(1)  # this month
    assert window.report.since == date(2026, 11, 1)
    assert all(r.day >= date(2026, 11, 1) for r in window.report.rows)


def test_csv_export_is_exact(
    month_of_use: Store, qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, _service = _window(month_of_use, qtbot)
    target = tmp_path / "usage.csv"
    asked: list[str] = []

    def fake_dialog(_parent: Any, title: str, suggested: str, _filter: str) -> tuple[str, str]:
        asked.append(suggested)
        return str(target), "CSV files (*.csv)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake_dialog))
    qtbot.mouseClick(window.export_button, Qt.MouseButton.LeftButton)
    assert asked and asked[0].endswith(f"grok-usage-last-30-days-{TODAY}.csv")
    with target.open(newline="", encoding="utf-8") as f:
        lines = list(csv.reader(f))
    assert tuple(lines[0]) == CSV_HEADER
    rows = month_of_use.usage_rows(TODAY - timedelta(days=29))
    assert len(lines) == len(rows) + 1
    for line, r in zip(lines[1:], rows, strict=True):
        assert line[0] == r.day.isoformat() and line[1] == r.model
        assert int(line[2]) == r.replies
        assert int(line[3]) == r.usage.prompt_tokens and int(line[4]) == r.usage.cached_tokens
        assert int(line[6]) == r.usage.completion_tokens
        assert int(line[7]) == r.usage.reasoning_tokens
        assert Decimal(line[9]) == r.cost_usd  # exact, not a rounded float
    assert "Exported" in window.note.text()

    # cancelling the file dialog writes nothing; an unwritable place says so
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a: ("", "")))
    qtbot.mouseClick(window.export_button, Qt.MouseButton.LeftButton)
    assert window.export_csv(tmp_path / "missing-folder" / "x.csv") == 0
    assert "could not be written" in window.note.text()


def test_empty_history(tmp_path: Path, qtbot: Any, qloop: Any) -> None:
    with Store.open(tmp_path / "empty") as store:
        window, _service = _window(store, qtbot)
        assert window.table.rowCount() == 0
        assert not window.export_button.isEnabled()
        assert window.cost_chart.maximum == 0
        window.grab()  # paints the "no usage" text without dividing by zero


def test_nice_steps() -> None:
    assert nice_step(0) == 1.0
    assert nice_step(10) == 2.5
    assert nice_step(0.37) == 0.1
    assert nice_step(120_000) == 50_000
    chart = BarChart("t", [], str)
    chart.set_data([TODAY], [[0.0]])
    assert chart.maximum == 0


def test_axis_labels_are_exact_multiples_of_one_step() -> None:
    from grok_desktop.ui.usage_chart import axis_ticks
    from grok_desktop.ui.usage_window import axis_tokens, axis_usd

    assert [axis_tokens(v) for v in axis_ticks(15, whole=True)] == ["0", "5", "10", "15"]
    assert axis_ticks(3, whole=True) == [0, 1, 2, 3]
    assert [axis_usd(v) for v in axis_ticks(0.0002)] == [
        "$0",
        "$0.00005",
        "$0.0001",
        "$0.00015",
        "$0.0002",
    ]
    assert [axis_usd(v) for v in axis_ticks(7.3)] == ["$0", "$2.00", "$4.00", "$6.00", "$8.00"]
    labels = [axis_tokens(v) for v in axis_ticks(123_456, whole=True)]
    assert labels == ["0", "50k", "100k", "150k"]
    assert len(set(labels)) == len(labels)
