"""Rows of the user's lists drawn in two parts: a first line (a brief's title, a saved
search's name) kept to one line, and the rest wrapped at the list's width, one of the two
muted so that the eye finds the part that matters in a column of look-alike rows.

The models give the parts by :data:`HeadRole` and :data:`BodyRole` (their display text
stays whole, for tests, tooltips and screen readers).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette, QTextLayout, QTextOption
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

#: A row's first line (None: the row has only its body).
HeadRole = Qt.ItemDataRole.UserRole + 42
#: The rest of a row, wrapped.
BodyRole = Qt.ItemDataRole.UserRole + 43

_Index = QModelIndex | QPersistentModelIndex

#: Room around a row's text, in pixels.
PAD_X, PAD_Y, GAP = 8, 4, 2


class TwoPartDelegate(QStyledItemDelegate):
    """Head on one line (elided), body wrapped under it; ``muted`` ("head" or "body") is
    drawn smaller in the placeholder colour.

    Rows are measured at the width they are drawn at: Qt's own wrapping measures a row at
    another width than it draws it and elides its last line."""

    def __init__(self, view: QListView, muted: str) -> None:
        super().__init__(view)
        self.view = view
        self.muted = muted

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        base = QFont(option.font)
        small = QFont(option.font)
        small.setPointSizeF(max(6.0, base.pointSizeF() * 0.9))
        small.setBold(False)
        return (small, base) if self.muted == "head" else (base, small)

    def _width(self) -> int:
        return max(60, self.view.viewport().width() - 2 * PAD_X - 2 * self.view.spacing())

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        head_font, body_font = self._fonts(opt)
        head = index.data(HeadRole)
        body = str(index.data(BodyRole) or "")
        width = self._width()
        height = 2 * PAD_Y
        if head:
            height += QFontMetrics(head_font).height() + (GAP if body else 0)
        if body:
            height += _wrapped(body, body_font, width)[1]
        return QSize(width, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else self.view.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        group = QPalette.ColorGroup.Normal
        text = opt.palette.color(
            group,
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text,
        )
        muted = text if selected else opt.palette.color(group, QPalette.ColorRole.PlaceholderText)
        head_font, body_font = self._fonts(opt)
        head = index.data(HeadRole)
        body = str(index.data(BodyRole) or "")
        x, y = opt.rect.x() + PAD_X, opt.rect.y() + PAD_Y
        width = opt.rect.width() - 2 * PAD_X
        painter.save()
        if head:
            metrics = QFontMetrics(head_font)
            painter.setFont(head_font)
            painter.setPen(muted if self.muted == "head" else text)
            line = metrics.elidedText(str(head), Qt.TextElideMode.ElideRight, width)
            left = int(Qt.AlignmentFlag.AlignLeft)
            painter.drawText(QRect(x, y, width, metrics.height()), left, line)
            y += metrics.height() + GAP
        if body:
            painter.setPen(muted if self.muted == "body" else text)
            layout, _height = _wrapped(body, body_font, width)
            layout.draw(painter, QPointF(x, y))
        painter.restore()


def _wrapped(text: str, font: QFont, width: int) -> tuple[QTextLayout, int]:
    """``text`` laid out at ``width``, between words where it can be and anywhere where a
    word is longer than the line (an address in a note); with its height."""
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout = QTextLayout(text.replace("\n", "\u2028"), font)
    layout.setTextOption(option)
    leading = QFontMetrics(font).leading()
    height = 0.0
    layout.beginLayout()
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        height += leading
        line.setPosition(QPointF(0, height))
        height += line.height()
    layout.endLayout()
    return layout, int(height + 0.999)
