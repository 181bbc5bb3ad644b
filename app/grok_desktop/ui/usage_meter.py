"""The usage meter in the status bar (`usageMeter`, "Usage"): the last reply's tokens and cost,
this conversation's total, today's and this month's spending against the monthly budget.

It turns amber at 80 % of the budget and red at 100 %; the tooltip has the breakdown; a click
(or Ctrl+Shift+U in the window) opens the usage window. The figures come from `UsageService`,
computed off the UI thread.

Signals:
    clicked()
"""

from __future__ import annotations

import html
from dataclasses import replace
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QLabel, QWidget
from shiboken6 import isValid

from grok_desktop.domain.pricing import format_usd
from grok_desktop.services.turn import TurnOutcome
from grok_desktop.services.usage import (
    BudgetLevel,
    LastReply,
    Totals,
    UsageService,
    UsageSnapshot,
)

#: Background and text of the meter per budget level (readable in light and dark themes).
LEVEL_STYLE: dict[BudgetLevel, tuple[str, str]] = {
    BudgetLevel.WARNING: ("#f0a020", "#241a00"),  # amber
    BudgetLevel.OVER: ("#d93025", "#ffffff"),  # red
}


def _tokens(t: Totals) -> int:
    return t.usage.prompt_tokens + t.usage.output_tokens


def last_text(last: LastReply) -> str:
    u = last.usage
    text = f"Last: {u.prompt_tokens:,} in"
    if u.cached_tokens:
        text += f" ({u.cached_tokens:,} cached)"
    text += f" · {u.completion_tokens:,} out"
    if u.reasoning_tokens:
        text += f" + {u.reasoning_tokens:,} reasoning"
    return f"{text} · {format_usd(last.cost_usd)}"


def budget_text(spent: Decimal, budget: Decimal | None) -> str:
    if not budget:
        return format_usd(spent)
    percent = spent / budget * 100
    return f"{format_usd(spent)} of {format_usd(budget)} ({percent:.0f} %)"


def total_usd(t: Totals) -> str:
    """A total's cost; `+ ?` when some of its replies have no known price (their cost is not
    in the sum, and a bare "$0.00" would claim they were free)."""
    text = format_usd(t.cost_usd)
    if t.unknown_cost_replies:
        text = "cost unknown" if not t.cost_usd else f"{text} + ?"
    return text


def meter_text(s: UsageSnapshot) -> str:
    groups: list[str] = []
    if s.last is not None:
        groups.append(last_text(s.last))
    if s.conversation is not None and s.conversation.replies:
        groups.append(f"Chat {total_usd(s.conversation)}")
    groups.append(f"Today {total_usd(s.today)}")
    month = f"Month {total_usd(s.month)}"
    if s.budget_usd:
        month += f" / {format_usd(s.budget_usd)}"
    groups.append(month)
    return "  │  ".join(groups)


def _totals_line(t: Totals) -> str:
    replies = f"{t.replies:,} repl{'y' if t.replies == 1 else 'ies'}"
    line = f"{replies} · {_tokens(t):,} tokens · {format_usd(t.cost_usd)}"
    if t.unknown_cost_replies:
        line += f" (+ {t.unknown_cost_replies:,} with no known price)"
    return line


def meter_tooltip(s: UsageSnapshot) -> str:
    rows: list[str] = []
    if s.last is not None:
        u = s.last.usage
        model = f" ({html.escape(s.last.model)})" if s.last.model else ""
        rows.append(f"<b>Last reply</b>{model}")
        rows.append(f"Prompt: {u.prompt_tokens:,} tokens")
        if u.cached_tokens:
            rows.append(f"&nbsp;&nbsp;of which cached: {u.cached_tokens:,}")
        if u.image_tokens:
            rows.append(f"&nbsp;&nbsp;of which images: {u.image_tokens:,}")
        rows.append(f"Completion: {u.completion_tokens:,}")
        rows.append(f"Reasoning: {u.reasoning_tokens:,}")
        rows.append(f"Cost: {format_usd(s.last.cost_usd)}")
    if s.conversation is not None:
        rows.append(f"<b>This conversation</b> (messages shown): {_totals_line(s.conversation)}")
    rows.append(f"<b>Today</b>: {_totals_line(s.today)}")
    rows.append(f"<b>This month</b>: {_totals_line(s.month)}")
    if s.budget_usd:
        rows.append(f"Budget: {budget_text(s.month.cost_usd, s.budget_usd)}")
        if s.level is BudgetLevel.OVER:
            rows.append("<b>The monthly budget is used up.</b>")
        elif s.level is BudgetLevel.WARNING:
            rows.append("<b>80 % of the monthly budget is used.</b>")
    else:
        rows.append("No monthly budget set (Settings → Usage).")
    unknown = s.month.unknown_cost_replies
    if unknown:
        rows.append(f"{unknown} repl(ies) this month have no known price and are not counted.")
    rows.append("<i>Click for the usage window (Ctrl+Shift+U).</i>")
    return "<br>".join(rows)


class UsageMeter(QLabel):
    clicked = Signal()

    def __init__(self, service: UsageService, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setObjectName("usageMeter")
        self.setAccessibleName("Usage")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.service = service
        self.snapshot: UsageSnapshot | None = None
        self.level = BudgetLevel.NONE
        self._window: QWidget | None = None
        service.snapshot_ready.connect(self.show_snapshot)
        self.clicked.connect(self.open_window)
        service.refresh(None)

    # -- figures --------------------------------------------------------------------------------
    def refresh(self, conversation_id: str | None, outcome: TurnOutcome | None = None) -> None:
        """Recompute for the shown conversation; `outcome` is the reply that just finished."""
        last = None
        if outcome is not None and outcome.usage is not None:
            last = LastReply(outcome.model, outcome.usage, outcome.cost.usd)
            # Show the reply's own figures at once; the totals follow from the store.
            s = self.snapshot
            self.show_snapshot(
                UsageSnapshot(last, None, Totals(), Totals(), self.service.budget())
                if s is None
                else replace(s, last=last)
            )
        self.service.refresh(conversation_id, last)

    def show_snapshot(self, snapshot: UsageSnapshot) -> None:
        self.snapshot = snapshot
        self.setText(meter_text(snapshot))
        self.setToolTip(meter_tooltip(snapshot))
        self.set_level(snapshot.level)

    def set_level(self, level: BudgetLevel) -> None:
        self.level = level
        style = LEVEL_STYLE.get(level)
        if style is None:
            self.setStyleSheet("QLabel#usageMeter { padding: 1px 6px; }")
        else:
            background, color = style
            self.setStyleSheet(
                f"QLabel#usageMeter {{ background: {background}; color: {color}; "
                "border-radius: 4px; padding: 1px 6px; }"
            )
        self.updateGeometry()
        name = {
            BudgetLevel.WARNING: "Usage: 80 % of the monthly budget used",
            BudgetLevel.OVER: "Usage: monthly budget used up",
        }.get(level)
        self.setAccessibleDescription(name or "")

    # -- the window -----------------------------------------------------------------------------
    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def open_window(self) -> QWidget:
        """Show the usage window (one per meter), loading fresh figures."""
        from grok_desktop.ui.usage_window import UsageWindow

        if self._window is None or not isValid(self._window):
            self._window = UsageWindow(self.service, self.window())
        window = self._window
        assert isinstance(window, UsageWindow)
        window.reload()
        window.show()
        window.raise_()
        window.activateWindow()
        return window
