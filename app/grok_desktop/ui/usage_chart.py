"""A small bar chart painted with QPainter (QtCharts is not part of PySide6-Essentials): one bar
per day, optionally stacked (e.g. prompt, cached prompt, output tokens), a y axis with round
steps, a date every few days, a legend, and a tooltip with the day's values under the mouse.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    color: str


def nice_step(maximum: float, ticks: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` gridlines."""
    if maximum <= 0:
        return 1.0
    raw = maximum / ticks
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 2.5, 5.0):
        if raw <= factor * power:
            return factor * power
    return 10.0 * power


def axis_ticks(maximum: float, *, whole: bool = False) -> list[float]:
    """Gridline values from 0 up to the first step at or above `maximum`, each a multiple of
    one round step, so every label is exact ("0, 5, 10, 15", never "0, 4, 8, 11, 15");
    `whole` for counts (no step below 1, no 2.5)."""
    step = nice_step(maximum)
    if whole:
        step = float(max(1, math.ceil(step)))
        if step == 3.0:  # ceil(2.5)
            step = 5.0
    count = max(1, math.ceil(maximum / step - 1e-9))
    return [step * i for i in range(count + 1)]


class BarChart(QWidget):
    def __init__(
        self,
        title: str,
        series: Sequence[Series],
        axis_format: Callable[[float], str],
        value_format: Callable[[float], str] | None = None,
        parent: QWidget | None = None,
        *,
        whole_numbers: bool = False,
    ) -> None:
        super().__init__(parent)
        self.title = title
        self.whole_numbers = whole_numbers
        self.series = list(series)
        self.axis_format = axis_format
        self.value_format = value_format or axis_format
        self.days: list[date] = []
        self.values: list[list[float]] = []
        self.empty_text = "No usage in these days."
        self._hover: int | None = None
        self.setMouseTracking(True)
        self.setMinimumHeight(170)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(title)

    def sizeHint(self) -> QSize:
        return QSize(640, 200)

    def set_data(self, days: Sequence[date], values: Sequence[Sequence[float]]) -> None:
        """`values[i]` holds one number per series for `days[i]`."""
        self.days = list(days)
        self.values = [list(v) for v in values]
        total = sum(sum(v) for v in self.values)
        self.setAccessibleDescription(
            f"{self.title}: {len(self.days)} days, total {self.value_format(total)}"
        )
        self.update()

    @property
    def maximum(self) -> float:
        return max((sum(v) for v in self.values), default=0.0)

    @property
    def ticks(self) -> list[float]:
        return axis_ticks(self.maximum, whole=self.whole_numbers)

    # -- geometry -------------------------------------------------------------------------------
    def _plot_rect(self) -> QRectF:
        fm = QFontMetrics(self.font())
        labels = [self.axis_format(v) for v in self.ticks]
        left = max(fm.horizontalAdvance(t) for t in labels) + 10
        top = fm.height() * 2 + 6  # title and legend
        bottom = fm.height() + 8
        return QRectF(
            left, top, max(10, self.width() - left - 8), max(10, self.height() - top - bottom)
        )

    def _bar_at(self, x: float) -> int | None:
        if not self.days:
            return None
        plot = self._plot_rect()
        if not plot.left() <= x <= plot.right():
            return None
        index = int((x - plot.left()) / (plot.width() / len(self.days)))
        return min(index, len(self.days) - 1)

    # -- painting -------------------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.WindowText)
        muted = QColor(text)
        muted.setAlpha(140)
        grid = QColor(text)
        grid.setAlpha(40)
        fm = QFontMetrics(self.font())

        title_font = self.font()
        title_font.setBold(True)
        p.setFont(title_font)
        p.setPen(text)
        p.drawText(QPointF(2, fm.ascent() + 2), self.title)
        p.setFont(self.font())
        self._paint_legend(p, fm, text)

        plot = self._plot_rect()
        ticks = self.ticks
        top_value = ticks[-1]
        for value in ticks:
            y = plot.bottom() - plot.height() * value / top_value
            p.setPen(QPen(grid, 1))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(muted)
            label = self.axis_format(value)
            p.drawText(
                QPointF(plot.left() - 6 - fm.horizontalAdvance(label), y + fm.ascent() / 2 - 1),
                label,
            )
        if not self.days:
            p.end()
            return
        slot = plot.width() / len(self.days)
        bar_w = max(2.0, slot * 0.7)
        if self._hover is not None:
            highlight = QColor(pal.color(QPalette.ColorRole.Highlight))
            highlight.setAlpha(45)
            p.fillRect(
                QRectF(plot.left() + self._hover * slot, plot.top(), slot, plot.height()), highlight
            )
        for i, stack in enumerate(self.values):
            x = plot.left() + i * slot + (slot - bar_w) / 2
            y = plot.bottom()
            for value, series in zip(stack, self.series, strict=False):
                if value <= 0:
                    continue
                h = plot.height() * value / top_value
                p.fillRect(QRectF(x, y - h, bar_w, h), QColor(series.color))
                y -= h
        p.setPen(muted)
        every = max(1, math.ceil(len(self.days) / max(1, plot.width() // 60)))
        for i, day in enumerate(self.days):
            if (len(self.days) - 1 - i) % every:
                continue  # label today and every few days before it
            label = f"{day:%b} {day.day}"
            cx = plot.left() + i * slot + slot / 2
            w = fm.horizontalAdvance(label)
            x = min(max(cx - w / 2, plot.left()), plot.right() - w)  # inside the plot
            p.drawText(QPointF(x, plot.bottom() + fm.ascent() + 4), label)
        if self.maximum <= 0:
            p.drawText(plot, Qt.AlignmentFlag.AlignCenter, self.empty_text)
        p.end()

    def _paint_legend(self, p: QPainter, fm: QFontMetrics, text: QColor) -> None:
        if len(self.series) < 2:
            return
        x = float(self.width() - 4)
        y = fm.height() + 4
        for series in reversed(self.series):
            w = fm.horizontalAdvance(series.name)
            x -= w
            p.setPen(text)
            p.drawText(QPointF(x, y + fm.ascent()), series.name)
            x -= 14
            p.fillRect(QRectF(x, y + fm.ascent() - 9, 10, 10), QColor(series.color))
            x -= 14

    # -- hover ----------------------------------------------------------------------------------
    def tooltip_for(self, index: int) -> str:
        day = self.days[index]
        lines = [f"<b>{day:%a} {day.day} {day:%b %Y}</b>"]
        stack = self.values[index]
        for value, series in zip(stack, self.series, strict=False):
            lines.append(f"{series.name}: {self.value_format(value)}")
        if len(self.series) > 1:
            lines.append(f"Total: {self.value_format(sum(stack))}")
        return "<br>".join(lines)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        index = self._bar_at(event.position().x())
        if index != self._hover:
            self._hover = index
            self.update()
        if index is None:
            QToolTip.hideText()
        else:
            QToolTip.showText(event.globalPosition().toPoint(), self.tooltip_for(index), self)
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: object) -> None:
        self._hover = None
        self.update()
        super().leaveEvent(event)  # type: ignore[arg-type]
