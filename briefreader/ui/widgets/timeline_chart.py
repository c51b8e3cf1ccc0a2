"""A bar chart of briefs a month, drawn with QPainter: an actor's timeline.

Each month with briefs gets a faint bar of all its briefs and, over it, two narrow bars: the
briefs naming the actor in the article and those naming it in the analyst comment. The axes
are a date axis (years, or months for a short span) and a count axis with round steps. The
colours come from the widget's palette, so the chart follows the window's theme. Our own
small widget rather than a plotting library: a few hundred bars need no more, and the frozen
app stays small.
"""

from __future__ import annotations

import bisect
import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from briefreader.core.records import MonthCount
from briefreader.core.wording import counted
from briefreader.ui.qtcompat import emit

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class SeriesColours:
    """The chart's three series: all briefs (faint), article mentions, comment mentions."""

    briefs: QColor
    article: QColor
    comment: QColor


#: (all briefs, article, comment) for a light and a dark background.
LIGHT_SERIES = ("#d5dbe3", "#2f6fc0", "#d9822b")
DARK_SERIES = ("#3a4047", "#6fa3ea", "#f0a956")


def _key(month: str) -> int:
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def _label(key: int) -> str:
    return f"{key // 12:04d}-{key % 12 + 1:02d}"


def nice_step(top: int, ticks: int = 4) -> int:
    """A round step (1, 2 or 5 times a power of ten) giving about ``ticks`` steps to ``top``."""
    if top <= ticks:
        return 1
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * power >= raw:
            return int(m * power)
    return int(10 * power)


class TimelineChart(QWidget):
    """Briefs a month, with article and comment mentions apart; hover for the figures, or
    step through the months with the arrow keys (Enter searches the one chosen).

    monthClicked(month): a month's bar was clicked ("YYYY-MM").
    """

    monthClicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timelineChart")
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(110)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip("")
        self.setAccessibleName("Briefs a month")
        self.actor_name = ""
        self._counts: dict[int, MonthCount] = {}
        self._first = self._last = 0
        self._undated: MonthCount | None = None
        self._hover: int | None = None

    # -- data ----------------------------------------------------------------------------

    def set_months(self, months: Sequence[MonthCount], actor_name: str = "") -> None:
        """The timeline to draw (undated briefs are counted apart, in the legend)."""
        self.actor_name = actor_name
        self._counts = {_key(m.month): m for m in months if m.month}
        self._undated = next((m for m in months if m.month is None), None)
        if self._counts:
            self._first, self._last = min(self._counts), max(self._counts)
        self._hover = None
        self.update()

    @property
    def months(self) -> list[str]:
        """The months drawn, oldest first, those without briefs included."""
        if not self._counts:
            return []
        return [_label(k) for k in range(self._first, self._last + 1)]

    def count(self, month: str) -> MonthCount | None:
        return self._counts.get(_key(month))

    # -- geometry ------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return QSize(640, 190)

    def _plot(self) -> QRect:
        fm = QFontMetrics(self.font())
        axis_top, _step = self._axis_top()
        left = fm.horizontalAdvance(str(axis_top)) + 14
        return self.rect().adjusted(left, fm.height() + 14, -12, -(fm.height() + 12))

    def _axis_top(self) -> tuple[int, int]:
        top = max((m.briefs for m in self._counts.values()), default=1)
        step = nice_step(top)
        return max(step, math.ceil(top / step) * step), step

    def _slot(self, plot: QRect) -> float:
        return plot.width() / max(1, self._last - self._first + 1)

    def bar_rect(self, month: str) -> QRect:
        """Where ``month`` is drawn: its whole column (for tests and for the hover)."""
        plot = self._plot()
        w = self._slot(plot)
        x = plot.left() + (_key(month) - self._first) * w
        return QRect(round(x), plot.top(), max(1, round(w)), plot.height())

    def month_at(self, pos: QPoint) -> str | None:
        """The month under ``pos`` that has briefs, or None."""
        if not self._counts:
            return None
        plot = self._plot()
        if not plot.adjusted(0, -4, 0, 4).contains(pos):
            return None
        key = self._first + int((pos.x() - plot.left()) / self._slot(plot))
        return _label(key) if key in self._counts else None

    # -- colours -------------------------------------------------------------------------

    def colours(self) -> SeriesColours:
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        names = DARK_SERIES if dark else LIGHT_SERIES
        return SeriesColours(*(QColor(n) for n in names))

    # -- drawing -------------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.WindowText)
        faded = pal.color(QPalette.ColorRole.PlaceholderText)
        grid = pal.color(QPalette.ColorRole.Mid)
        grid.setAlpha(110)
        fm = QFontMetrics(self.font())
        if not self._counts:
            p.setPen(faded)
            if not self.actor_name:
                what = ""  # nothing to draw yet (the page is being read)
            elif self._undated is not None:
                what = f"Only undated briefs name {self.actor_name} ({self._undated.briefs})."
            else:
                what = f"No brief names {self.actor_name}."
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, what)
            p.end()
            return
        plot = self._plot()
        series = self.colours()
        self._draw_legend(p, fm, series, text, faded)
        self._draw_count_axis(p, fm, plot, grid, faded)
        self._draw_bars(p, plot, series, pal)
        self._draw_date_axis(p, fm, plot, text, faded)
        p.end()

    def _draw_legend(
        self, p: QPainter, fm: QFontMetrics, s: SeriesColours, text: QColor, faded: QColor
    ) -> None:
        x, y = self._plot().left(), 4
        box = fm.ascent() - 2
        entries = [(s.briefs, "all briefs"), (s.article, "article"), (s.comment, "comment")]
        for colour, label in entries:
            p.fillRect(QRect(x, y + (fm.height() - box) // 2, box, box), colour)
            x += box + 5
            p.setPen(text)
            p.drawText(QPoint(x, y + fm.ascent()), label)
            x += fm.horizontalAdvance(label) + 16
        if self._undated is not None:
            p.setPen(faded)
            note = f"(+ {counted(self._undated.briefs, 'undated brief')})"
            p.drawText(QPoint(x, y + fm.ascent()), note)

    def _draw_count_axis(
        self, p: QPainter, fm: QFontMetrics, plot: QRect, grid: QColor, faded: QColor
    ) -> None:
        top, step = self._axis_top()
        for value in range(0, top + 1, step):
            y = plot.bottom() - round(value / top * plot.height())
            p.setPen(QPen(grid, 1))
            p.drawLine(plot.left(), y, plot.right(), y)
            p.setPen(faded)
            label = str(value)
            p.drawText(
                QPoint(plot.left() - 8 - fm.horizontalAdvance(label), y + fm.ascent() // 2 - 1),
                label,
            )

    def _draw_bars(self, p: QPainter, plot: QRect, s: SeriesColours, pal: QPalette) -> None:
        top, _step = self._axis_top()
        w = self._slot(plot)
        gap = 1.0 if w >= 4 else 0.0
        inner = max(1.0, (w - gap) / 2)
        for key, m in self._counts.items():
            x = plot.left() + (key - self._first) * w
            if key == self._hover:
                hover = QColor(pal.color(QPalette.ColorRole.Highlight))
                hover.setAlpha(90)
                p.fillRect(QRectF(x, plot.top(), w, plot.height()), hover)

            def bar(left: float, width: float, n: int, colour: QColor) -> None:
                if n <= 0:
                    return
                h = max(1.0, n / top * plot.height())
                p.fillRect(QRectF(left, plot.bottom() + 1 - h, width, h), colour)

            bar(x, max(1.0, w - gap), m.briefs, s.briefs)
            bar(x, inner, m.article, s.article)
            bar(x + inner, inner if w >= 2 else 1.0, m.comment, s.comment)

    def _draw_date_axis(
        self, p: QPainter, fm: QFontMetrics, plot: QRect, text: QColor, faded: QColor
    ) -> None:
        p.setPen(QPen(faded, 1))
        p.drawLine(plot.left(), plot.bottom() + 1, plot.right(), plot.bottom() + 1)
        w = self._slot(plot)
        span = self._last - self._first + 1
        y = plot.bottom() + 4 + fm.ascent()
        if span <= 18:
            # A short span: every month that fits, named.
            every = max(1, math.ceil(fm.horizontalAdvance("Mar 2020  ") / max(w, 1)))
            for key in range(self._first, self._last + 1, every):
                label = f"{MONTHS[key % 12][:3]} {key // 12}"
                x = plot.left() + (key - self._first) * w + w / 2
                p.setPen(text)
                p.drawText(QPoint(round(x - fm.horizontalAdvance(label) / 2), y), label)
            return
        years = range(self._first // 12, self._last // 12 + 1)
        year_w = 12 * w
        every = next(
            (n for n in (1, 2, 5, 10, 20, 50) if n * year_w >= fm.horizontalAdvance("2020") + 10),
            100,
        )
        for year in years:
            key = year * 12
            x = plot.left() + (key - self._first) * w
            if key >= self._first:
                p.setPen(QPen(faded, 1))
                p.drawLine(round(x), plot.bottom() + 1, round(x), plot.bottom() + 4)
            if year % every:
                continue
            label = str(year)
            # The label sits under its year's months, kept inside the plot.
            centre = x + year_w / 2
            width = fm.horizontalAdvance(label)
            left = max(plot.left(), min(plot.right() - width, centre - width / 2))
            p.setPen(text)
            p.drawText(QPoint(round(left), y), label)

    # -- the mouse -----------------------------------------------------------------------

    def tooltip_text(self, month: str) -> str:
        m = self.count(month)
        if m is None:
            return ""
        key = _key(month)
        who = html.escape(self.actor_name or "the actor")  # a glossary's name: plain text
        verb = "names" if m.briefs == 1 else "name"
        # <nobr>: Qt wraps a rich-text tooltip at its own width, mid-phrase.
        return (
            f"<nobr><b>{MONTHS[key % 12]} {key // 12}</b>: {counted(m.briefs, 'brief')} {verb}"
            f" {who}</nobr><br><nobr>in the article: {m.article}, in the analyst comment:"
            f" {m.comment}</nobr><br><i>Click to search them.</i>"
        )

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        month = self.month_at(event.position().toPoint())
        key = _key(month) if month else None
        if key != self._hover:
            self._hover = key
            self.setCursor(
                Qt.CursorShape.PointingHandCursor if key is not None else Qt.CursorShape.ArrowCursor
            )
            self.update()
            if month:
                QToolTip.showText(event.globalPosition().toPoint(), self.tooltip_text(month), self)
            else:
                QToolTip.hideText()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._hover = None
        self.update()
        super().leaveEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            month = self.month_at(event.pos())
            if month:
                QToolTip.showText(event.globalPos(), self.tooltip_text(month), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Left / Right (Home / End) step through the months with briefs; Enter searches."""
        keys = sorted(self._counts)
        key = event.key()
        if not keys:
            super().keyPressEvent(event)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            if self._hover in self._counts:
                emit(self.monthClicked, _label(self._hover))
            return
        moves = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1, Qt.Key.Key_Home: -2, Qt.Key.Key_End: 2}
        step = moves.get(Qt.Key(key))
        if step is None:
            super().keyPressEvent(event)
            return
        if step in (-2, 2):
            chosen = keys[0] if step < 0 else keys[-1]
        elif self._hover is None:
            chosen = keys[0] if step > 0 else keys[-1]
        elif step > 0:
            chosen = keys[min(bisect.bisect_right(keys, self._hover), len(keys) - 1)]
        else:
            chosen = keys[max(bisect.bisect_left(keys, self._hover) - 1, 0)]
        self._hover = chosen
        self.update()
        month = _label(chosen)
        centre = self.bar_rect(month).center()
        QToolTip.showText(self.mapToGlobal(centre), self.tooltip_text(month), self)

    @property
    def current_month(self) -> str | None:
        """The month hovered or stepped to with the keys."""
        return _label(self._hover) if self._hover is not None else None

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            month = self.month_at(event.position().toPoint())
            if month:
                emit(self.monthClicked, month)
        super().mouseReleaseEvent(event)


__all__ = ["TimelineChart", "nice_step"]
