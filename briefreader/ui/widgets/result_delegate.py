"""Paints one search result: title, date · source, a marked snippet with its section, actors."""

from __future__ import annotations

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
        return QSize(320, h)

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
        pal = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        rect = option.rect
        if selected:
            painter.fillRect(rect, pal.color(QPalette.ColorRole.Highlight))
            text_colour = pal.color(QPalette.ColorRole.HighlightedText)
            muted = QColor(text_colour)
            muted.setAlphaF(0.8)
        else:
            if option.state & QStyle.StateFlag.State_MouseOver:
                painter.fillRect(rect, pal.color(QPalette.ColorRole.AlternateBase))
            text_colour = pal.color(QPalette.ColorRole.Text)
            muted = pal.color(QPalette.ColorRole.PlaceholderText)
        # separator
        sep = QColor(pal.color(QPalette.ColorRole.Mid))
        sep.setAlphaF(0.35)
        painter.setPen(sep)
        painter.drawLine(rect.left() + PAD_X, rect.bottom(), rect.right() - PAD_X, rect.bottom())

        title_font, base_font, small_font = self._fonts(option)
        x = rect.left() + PAD_X
        width = rect.width() - 2 * PAD_X
        y = rect.top() + PAD_Y

        # title
        painter.setFont(title_font)
        painter.setPen(text_colour)
        fm = QFontMetrics(title_font)
        painter.drawText(
            QRect(x, y, width, fm.lineSpacing()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            fm.elidedText(hit.title or hit.id, Qt.TextElideMode.ElideRight, width),
        )
        y += fm.lineSpacing() + 2

        # date · source   [section]
        painter.setFont(small_font)
        sfm = QFontMetrics(small_font)
        meta = " · ".join(
            x for x in (hit.date.strftime("%-d %b %Y") if hit.date else "no date", hit.source) if x
        )
        if hit.tier == 2:
            meta += " · some of the words"
        badge = ""
        if hit.snippet is not None and hit.snippet.marks:
            badge = "comment" if hit.snippet.section == "comment" else hit.snippet.section
        badge_w = sfm.horizontalAdvance(badge) + 12 if badge else 0
        painter.setPen(muted)
        painter.drawText(
            QRect(x, y, width - badge_w - 8, sfm.lineSpacing()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            sfm.elidedText(meta, Qt.TextElideMode.ElideRight, width - badge_w - 8),
        )
        if badge:
            fg, bg = self.style_.kind("organisation" if badge == "comment" else "other")
            r = QRect(x + width - badge_w, y + 1, badge_w, sfm.lineSpacing() - 2)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(bg))
            painter.drawRoundedRect(r, 4, 4)
            painter.setPen(QColor(fg))
            painter.drawText(r, Qt.AlignmentFlag.AlignCenter, badge)
        y += sfm.lineSpacing() + 4

        # snippet
        bfm = QFontMetrics(base_font)
        if hit.snippet is not None:
            layout = QTextLayout(hit.snippet.text, base_font)
            opt = QTextOption()
            opt.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
            layout.setTextOption(opt)
            formats = []
            for a, b in hit.snippet.marks:
                rng = QTextLayout.FormatRange()
                rng.start, rng.length = a, b - a
                fmt = QTextCharFormat()
                fmt.setFontWeight(QFont.Weight.Bold)
                if not selected:
                    fmt.setBackground(QColor(self.style_.hit_bg))
                    fmt.setForeground(QColor(self.style_.hit_fg))
                rng.format = fmt
                formats.append(rng)
            layout.setFormats(formats)
            layout.beginLayout()
            lines = 0
            ly = 0.0
            while lines < SNIPPET_LINES:
                line = layout.createLine()
                if not line.isValid():
                    break
                line.setLineWidth(width)
                line.setPosition(QPointF(0, ly))
                ly += bfm.lineSpacing()
                lines += 1
            layout.endLayout()
            painter.setPen(text_colour)
            painter.setClipRect(QRect(x, y, width, bfm.lineSpacing() * SNIPPET_LINES))
            layout.draw(painter, QPointF(x, y))
            painter.setClipping(False)
        y += bfm.lineSpacing() * SNIPPET_LINES + 4

        # actors
        names = index.data(ActorNamesRole) or []
        painter.setFont(small_font)
        ax = x
        for name, kind in names:
            fg, _bg = self.style_.kind(kind)
            w = sfm.horizontalAdvance(name)
            if ax + w > x + width:
                break
            painter.setPen(text_colour if selected else QColor(fg))
            painter.drawText(
                QRect(ax, y, w + 2, sfm.lineSpacing()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                name,
            )
            ax += w + sfm.horizontalAdvance("   ")
        painter.restore()
