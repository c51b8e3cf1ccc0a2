"""Paints one search result: title, date · source, a marked snippet with its section, actors."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QTextCharFormat,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from briefreader.core.records import Hit
from briefreader.ui.models import ActorNamesRole, HitRole
from briefreader.ui.widgets.marks import LIGHT, MarkStyle

PAD_X = 14
PAD_Y = 10
SNIPPET_LINES = 3


class ResultDelegate(QStyledItemDelegate):
    """Fixed-height rows (the list uses uniform item sizes, so 100,000 rows stay smooth)."""

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)
        self.style_: MarkStyle = LIGHT
        #: Put before a result's title ("★ " for a starred brief); set by the user layer.
        self.title_prefix: Callable[[Hit], str] | None = None

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont, QFont]:
        base = QFont(option.font)
        title = QFont(base)
        title.setPointSizeF(base.pointSizeF() * 1.08)
        title.setWeight(QFont.Weight.DemiBold)
        small = QFont(base)
        small.setPointSizeF(base.pointSizeF() * 0.88)
        return title, base, small

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        title, base, small = self._fonts(option)
        h = (
            QFontMetrics(title).lineSpacing()
            + QFontMetrics(small).lineSpacing() * 2
            + QFontMetrics(base).lineSpacing() * SNIPPET_LINES
            + 2 * PAD_Y
            + 10
        )
        # No width of its own: the row is as wide as the list, and its parts elide to fit.
        return QSize(1, h)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        hit: Hit | None = index.data(HitRole)
        if hit is None:
            super().paint(painter, option, index)
            return
        painter.save()
        row = _Row(option, self._fonts(option))
        self._paint_background(painter, row)
        y = row.rect.top() + PAD_Y
        y = self._paint_title(painter, row, hit, y)
        y = self._paint_meta(painter, row, hit, y)
        y = self._paint_snippet(painter, row, hit, y)
        self._paint_actors(painter, row, index.data(ActorNamesRole) or [], y)
        painter.restore()

    def _paint_background(self, painter: QPainter, row: _Row) -> None:
        pal, rect = row.option.palette, row.rect
        if row.selected:
            painter.fillRect(rect, pal.color(QPalette.ColorRole.Highlight))
        elif row.option.state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, pal.color(QPalette.ColorRole.AlternateBase))
        sep = QColor(pal.color(QPalette.ColorRole.Mid))
        sep.setAlphaF(0.35)
        painter.setPen(sep)
        painter.drawLine(rect.left() + PAD_X, rect.bottom(), rect.right() - PAD_X, rect.bottom())

    def _paint_title(self, painter: QPainter, row: _Row, hit: Hit, y: int) -> int:
        painter.setFont(row.title_font)
        painter.setPen(row.text)
        fm = QFontMetrics(row.title_font)
        painter.drawText(
            QRect(row.x, y, row.width, fm.lineSpacing()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            fm.elidedText(
                (self.title_prefix(hit) if self.title_prefix else "") + (hit.title or hit.id),
                Qt.TextElideMode.ElideRight,
                row.width,
            ),
        )
        return y + fm.lineSpacing() + 2

    def _paint_meta(self, painter: QPainter, row: _Row, hit: Hit, y: int) -> int:
        """date · source, and a badge naming the section the snippet comes from."""
        painter.setFont(row.small_font)
        sfm = QFontMetrics(row.small_font)
        date = hit.date.strftime("%-d %b %Y") if hit.date else "no date"
        meta = " · ".join(x for x in (date, hit.source) if x)
        if hit.tier == 2:
            meta += " · some of the words"
        badge = ""
        if hit.snippet is not None and hit.snippet.marks:
            badge = hit.snippet.section
        badge_w = sfm.horizontalAdvance(badge) + 12 if badge else 0
        if badge and row.width - badge_w - 8 < sfm.horizontalAdvance("00 Mmm 0000"):
            badge, badge_w = "", 0  # too narrow for both: the date matters more
        room = row.width - badge_w - 8
        painter.setPen(row.muted)
        painter.drawText(
            QRect(row.x, y, room, sfm.lineSpacing()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            sfm.elidedText(meta, Qt.TextElideMode.ElideRight, room),
        )
        if badge:
            fg, bg = self.style_.kind("organisation" if badge == "comment" else "other")
            r = QRect(row.x + row.width - badge_w, y + 1, badge_w, sfm.lineSpacing() - 2)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(bg))
            painter.drawRoundedRect(r, 4, 4)
            painter.setPen(QColor(fg))
            painter.drawText(r, Qt.AlignmentFlag.AlignCenter, badge)
        return y + sfm.lineSpacing() + 4

    def _paint_snippet(self, painter: QPainter, row: _Row, hit: Hit, y: int) -> int:
        """Up to SNIPPET_LINES lines of the snippet, the query's words marked."""
        bfm = QFontMetrics(row.base_font)
        if hit.snippet is not None:
            text = hit.snippet.text
            layout = QTextLayout(text, row.base_font)
            opt = QTextOption()
            # Lines break between words; a word too long for a whole line may still break.
            opt.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
            layout.setTextOption(opt)
            layout.setFormats([self._mark(a, b, row.selected) for a, b in hit.snippet.marks])
            ellipsis = "…"
            ellipsis_w = bfm.horizontalAdvance(ellipsis)
            layout.beginLayout()
            ly = 0.0
            last = None
            for n in range(SNIPPET_LINES):
                line = layout.createLine()
                if not line.isValid():
                    break
                # The last line leaves room for "…" in case the snippet goes on.
                width = row.width - (ellipsis_w if n == SNIPPET_LINES - 1 else 0)
                line.setLineWidth(max(1, width))
                line.setPosition(QPointF(0, ly))
                ly += bfm.lineSpacing()
                last = line
            layout.endLayout()
            painter.setPen(row.text)
            painter.setClipRect(QRect(row.x, y, row.width, bfm.lineSpacing() * SNIPPET_LINES))
            layout.draw(painter, QPointF(row.x, y))
            if last is not None and last.textStart() + last.textLength() < len(text.rstrip()):
                painter.setFont(row.base_font)
                painter.drawText(
                    QPointF(row.x + last.naturalTextWidth(), y + last.y() + last.ascent()),
                    ellipsis,
                )
            painter.setClipping(False)
        return y + bfm.lineSpacing() * SNIPPET_LINES + 4

    def _mark(self, start: int, end: int, selected: bool) -> QTextLayout.FormatRange:
        rng = QTextLayout.FormatRange()
        rng.start, rng.length = start, end - start
        fmt = QTextCharFormat()
        fmt.setFontWeight(QFont.Weight.Bold)
        if not selected:
            fmt.setBackground(QColor(self.style_.hit_bg))
            fmt.setForeground(QColor(self.style_.hit_fg))
        rng.format = fmt
        return rng

    def _paint_actors(
        self, painter: QPainter, row: _Row, names: list[tuple[str, str]], y: int
    ) -> None:
        """The brief's main actors in their kinds' colours, as many as fit on one line."""
        painter.setFont(row.small_font)
        sfm = QFontMetrics(row.small_font)
        ax = row.x
        for name, kind in names:
            fg, _bg = self.style_.kind(kind)
            w = sfm.horizontalAdvance(name)
            if ax + w > row.x + row.width:
                break
            painter.setPen(row.text if row.selected else QColor(fg))
            painter.drawText(
                QRect(ax, y, w + 2, sfm.lineSpacing()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                name,
            )
            ax += w + sfm.horizontalAdvance("   ")


class _Row:
    """What every part of one row's painting needs: where, which fonts, which colours."""

    def __init__(self, option: QStyleOptionViewItem, fonts: tuple[QFont, QFont, QFont]) -> None:
        self.option = option
        self.rect: QRect = option.rect
        self.title_font, self.base_font, self.small_font = fonts
        self.x = self.rect.left() + PAD_X
        self.width = self.rect.width() - 2 * PAD_X
        self.selected = bool(option.state & QStyle.StateFlag.State_Selected)
        pal = option.palette
        if self.selected:
            self.text = pal.color(QPalette.ColorRole.HighlightedText)
            self.muted = QColor(self.text)
            self.muted.setAlphaF(0.8)
        else:
            self.text = pal.color(QPalette.ColorRole.Text)
            self.muted = pal.color(QPalette.ColorRole.PlaceholderText)
