"""The usage window (`usageWindow`): cost and tokens per day for the last 30 days, spending by
model for a chosen period, and a CSV export of the per-day, per-model rows.

Figures come from `UsageService.load_report` (computed off the UI thread); the window only
draws them. Opened from the usage meter (click) or Ctrl+Shift+U.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from grok_desktop import APP_NAME
from grok_desktop.domain.pricing import format_usd
from grok_desktop.services.usage import (
    CHART_DAYS,
    BudgetLevel,
    Totals,
    UsageReport,
    UsageService,
    budget_level,
    month_start,
)
from grok_desktop.storage.records import UsageRow
from grok_desktop.ui.usage_chart import BarChart, Series
from grok_desktop.ui.usage_meter import LEVEL_STYLE, budget_text

TITLE = f"Usage — {APP_NAME}"
PERIODS = ("Last 30 days", "This month", "All time")
COLUMNS = ("Model", "Replies", "Prompt", "Cached", "Completion", "Reasoning", "Cost")
CSV_HEADER = (
    "day",
    "model",
    "replies",
    "prompt_tokens",
    "cached_tokens",
    "image_tokens",
    "completion_tokens",
    "reasoning_tokens",
    "total_tokens",
    "cost_usd",
    "replies_with_unknown_cost",
)
COST_SERIES = (Series("Cost", "#6b4eff"),)
TOKEN_SERIES = (
    Series("Prompt", "#4e79a7"),
    Series("Cached prompt", "#9cc3e4"),
    Series("Output + reasoning", "#f28e2b"),
)


def axis_usd(value: float) -> str:
    if value == 0:
        return "$0"
    if value < 0.01:  # as many decimals as the (round) gridline value has
        return "$" + f"{value:.6f}".rstrip("0").rstrip(".")
    if value < 10:
        return f"${value:.2f}"
    return f"${value:,.0f}"


def axis_tokens(value: float) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M".replace(".0M", "M")
    if value >= 1_000:
        return f"{value / 1_000:.1f}k".replace(".0k", "k")
    return f"{value:.0f}"


def value_usd(value: float) -> str:
    return format_usd(Decimal(str(value)))


def value_tokens(value: float) -> str:
    return f"{value:,.0f} tokens"


def write_csv(path: Path, rows: list[UsageRow]) -> int:
    """Per day and model, exact costs as decimal strings; returns the number of rows."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_HEADER)
        for r in rows:
            u = r.usage
            writer.writerow(
                (
                    r.day.isoformat(),
                    r.model,
                    r.replies,
                    u.prompt_tokens,
                    u.cached_tokens,
                    u.image_tokens,
                    u.completion_tokens,
                    u.reasoning_tokens,
                    u.total_tokens,
                    str(r.cost_usd),
                    r.unknown_cost_replies,
                )
            )
    return len(rows)


def _number_item(value: int | str) -> QTableWidgetItem:
    item = QTableWidgetItem(f"{value:,}" if isinstance(value, int) else value)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class UsageWindow(QDialog):
    def __init__(self, service: UsageService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("usageWindow")
        self.setWindowTitle(TITLE)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.resize(860, 780)
        self.service = service
        self.report: UsageReport | None = None

        self.summary = QLabel("Loading…", self)
        self.summary.setObjectName("usageSummary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.cost_chart = BarChart(
            f"Cost per day, last {CHART_DAYS} days", COST_SERIES, axis_usd, value_usd, self
        )
        self.cost_chart.setObjectName("costChart")
        self.token_chart = BarChart(
            f"Tokens per day, last {CHART_DAYS} days",
            TOKEN_SERIES,
            axis_tokens,
            value_tokens,
            self,
            whole_numbers=True,
        )
        self.token_chart.setObjectName("tokenChart")

        self.period = QComboBox(self)
        self.period.setObjectName("usagePeriod")
        self.period.setAccessibleName("Period")
        self.period.addItems(PERIODS)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("usageTable")
        self.table.setAccessibleName("Usage by model")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setMinimumHeight(self.table.verticalHeader().defaultSectionSize() * 5)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.note = QLabel(self)
        self.note.setObjectName("usageNote")
        self.note.setWordWrap(True)
        self.export_button = QPushButton("Export CSV…", self)
        self.export_button.setObjectName("usageExportButton")
        self.export_button.setAutoDefault(False)
        close = QPushButton("Close", self)
        close.setAutoDefault(False)

        period_row = QHBoxLayout()
        by_model = QLabel("<b>By model</b>", self)
        period_row.addWidget(by_model)
        period_row.addStretch(1)
        period_row.addWidget(QLabel("Period:", self))
        period_row.addWidget(self.period)
        buttons = QHBoxLayout()
        buttons.addWidget(self.note, 1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(self.summary)
        layout.addWidget(self.cost_chart, 2)
        layout.addWidget(self.token_chart, 2)
        layout.addLayout(period_row)
        layout.addWidget(self.table, 2)
        layout.addLayout(buttons)

        service.report_ready.connect(self.show_report)
        self.period.currentIndexChanged.connect(lambda _i: self.reload())
        self.export_button.clicked.connect(self.choose_export_path)
        close.clicked.connect(self.close)

    # -- data -----------------------------------------------------------------------------------
    def since(self) -> date | None:
        today = self.service.today()
        index = self.period.currentIndex()
        if index == 0:
            return today - timedelta(days=CHART_DAYS - 1)
        if index == 1:
            return month_start(today)
        return None

    def reload(self) -> None:
        self.service.load_report(self.since())

    def show_report(self, report: UsageReport) -> None:
        if report.since != self.since():
            return  # an older request for another period
        self.report = report
        self.summary.setText(self._summary_html(report))
        days = [d.day for d in report.days]
        self.cost_chart.set_data(days, [[float(d.totals.cost_usd)] for d in report.days])
        self.token_chart.set_data(days, [self._token_stack(d.totals) for d in report.days])
        self._fill_table(report)
        unknown = report.total.unknown_cost_replies
        self.note.setText(
            f"{unknown} repl(ies) in this period have no known price; their cost is not counted."
            if unknown
            else "Costs are what xAI reported, or computed from its price list."
        )
        self.export_button.setEnabled(bool(report.rows))

    @staticmethod
    def _token_stack(t: Totals) -> list[float]:
        cached = min(t.usage.cached_tokens, t.usage.prompt_tokens)
        return [
            float(t.usage.prompt_tokens - cached),
            float(cached),
            float(t.usage.output_tokens),
        ]

    def _summary_html(self, r: UsageReport) -> str:
        today = next((d.totals for d in r.days if d.day == r.today), Totals())
        month = budget_text(r.month.cost_usd, r.budget_usd)
        style = LEVEL_STYLE.get(self._level(r))
        if style is not None:
            background, color = style
            month = (
                f"<span style='background:{background}; color:{color};'>&nbsp;{month}&nbsp;</span>"
            )
        period = self.period.currentText().lower()
        return (
            f"<span style='font-size:large;'>Today <b>{format_usd(today.cost_usd)}</b>"
            f" &nbsp;·&nbsp; This month <b>{month}</b>"
            f" &nbsp;·&nbsp; {period.capitalize()} <b>{format_usd(r.total.cost_usd)}</b>"
            f" ({r.total.replies:,} replies)</span>"
        )

    @staticmethod
    def _level(r: UsageReport) -> BudgetLevel:
        return budget_level(r.month.cost_usd, r.budget_usd)

    def _fill_table(self, report: UsageReport) -> None:
        self.table.setSortingEnabled(False)
        entries = [(m.model, m.totals) for m in report.models]
        if entries:
            entries.append(("Total", report.total))
        self.table.setRowCount(len(entries))
        for row, (model, t) in enumerate(entries):
            u = t.usage
            if t.replies and t.unknown_cost_replies == t.replies:
                cost = "unknown *"
            else:
                cost = format_usd(t.cost_usd) + (" *" if t.unknown_cost_replies else "")
            cells = [
                QTableWidgetItem(model),
                _number_item(t.replies),
                _number_item(u.prompt_tokens),
                _number_item(u.cached_tokens),
                _number_item(u.completion_tokens),
                _number_item(u.reasoning_tokens),
                _number_item(cost),
            ]
            if model == "Total" and row == len(entries) - 1:
                for cell in cells:
                    font = cell.font()
                    font.setBold(True)
                    cell.setFont(font)
            for column, cell in enumerate(cells):
                self.table.setItem(row, column, cell)

    # -- export ---------------------------------------------------------------------------------
    def choose_export_path(self) -> None:
        period = self.period.currentText().lower().replace(" ", "-")
        suggested = str(Path.home() / f"grok-usage-{period}-{self.service.today()}.csv")
        path, _filter = QFileDialog.getSaveFileName(
            self, "Export usage as CSV", suggested, "CSV files (*.csv)"
        )
        if path:
            self.export_csv(Path(path))

    def export_csv(self, path: Path) -> int:
        rows = self.report.rows if self.report is not None else []
        try:
            count = write_csv(path, rows)
        except OSError as exc:
            self.note.setText(f"The CSV could not be written: {exc.strerror or exc}")
            return 0
        self.note.setText(f"Exported {count} row(s) to {path}.")
        return count
