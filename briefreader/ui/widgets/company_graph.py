"""Who meets whom around one actor: a small graph drawn with QPainter.

The actor sits in the middle, its leading companions on a circle around it. A spoke's width
grows with the briefs the actor shares with that companion; a faint chord joins two
companions named together in the actor's briefs, darker the more often. Nodes are coloured
by kind (the marks' colours, so the graph follows the theme); a click on one asks for the
briefs naming both.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from briefreader.core.records import Company
from briefreader.core.wording import counted
from briefreader.ui.qtcompat import emit
from briefreader.ui.widgets.marks import LIGHT, MarkStyle

#: (name, kind) of an actor id.
Describe = Callable[[str], tuple[str, str]]


class CompanyGraph(QWidget):
    """The actor and its leading companions, linked by the briefs they share.

    companionClicked(actor_id): a companion's node was clicked.
    """

    companionClicked = Signal(str)

    def __init__(self, describe: Describe, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("companyGraph")
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(180, 120)
        self._describe = describe
        self.style_: MarkStyle = LIGHT
        self.actor_id = ""
        self.companions: list[Company] = []
        self.links: list[tuple[str, str, int]] = []
        self._hover: str | None = None

    def sizeHint(self) -> QSize:
        return QSize(360, 300)

    def set_graph(
        self, actor_id: str, companions: Sequence[Company], links: Sequence[tuple[str, str, int]]
    ) -> None:
        self.actor_id = actor_id
        self.companions = list(companions)
        shown = {c.actor_id for c in self.companions}
        self.links = [link for link in links if link[0] in shown and link[1] in shown]
        self._hover = None
        self.update()

    def set_style(self, style: MarkStyle) -> None:
        self.style_ = style
        self.update()

    # -- geometry ------------------------------------------------------------------------

    def _radius(self, briefs: int) -> float:
        top = max((c.briefs for c in self.companions), default=1)
        scale = min(1.0, min(self.width(), self.height()) / 320)
        return (5.0 + 9.0 * math.sqrt(briefs / max(1, top))) * max(0.6, scale)

    def positions(self) -> dict[str, QPointF]:
        """Where each node is drawn: the actor in the middle, companions around it."""
        rect = QRectF(self.rect())
        centre = rect.center()
        fm = QFontMetrics(self.font())
        # An ellipse as wide and as high as the labels allow (a label is centred under its
        # node, so half a label's width is kept free on either side).
        rx = max(30.0, rect.width() / 2 - self._label_width() / 2 - 4)
        ry = max(30.0, rect.height() / 2 - fm.height() - 18)
        out = {self.actor_id: centre}
        n = max(1, len(self.companions))
        for i, c in enumerate(self.companions):
            angle = -math.pi / 2 + 2 * math.pi * i / n
            out[c.actor_id] = QPointF(
                centre.x() + rx * math.cos(angle), centre.y() + ry * math.sin(angle)
            )
        return out

    def _label_width(self) -> float:
        """The widest a name is written: narrower graphs elide names sooner."""
        return max(60.0, min(130.0, self.width() / 3.2))

    def node_at(self, pos: QPointF) -> str | None:
        """The companion whose node (or label) is under ``pos``."""
        best, best_d = None, 22.0
        for actor_id, p in self.positions().items():
            if actor_id == self.actor_id:
                continue
            d = math.hypot(pos.x() - p.x(), pos.y() - p.y())
            if d < best_d:
                best, best_d = actor_id, d
        return best

    # -- drawing -------------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.WindowText)
        if not self.companions:
            p.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No companions to draw.")
            p.end()
            return
        pos = self.positions()
        line = QColor(text)
        top_link = max((n for _a, _b, n in self.links), default=1)
        for a, b, n in self.links:
            line.setAlpha(int(25 + 110 * n / top_link))
            p.setPen(QPen(line, 1.0))
            p.drawLine(pos[a], pos[b])
        top = max(c.briefs for c in self.companions)
        for c in self.companions:
            spoke = QColor(text)
            spoke.setAlpha(150 if c.actor_id == self._hover else 90)
            p.setPen(QPen(spoke, 1.0 + 5.0 * c.briefs / top))
            p.drawLine(pos[self.actor_id], pos[c.actor_id])
        fm = QFontMetrics(self.font())
        self._node(p, self.actor_id, pos[self.actor_id], 16.0, text, fm, bold=True)
        for c in self.companions:
            self._node(p, c.actor_id, pos[c.actor_id], self._radius(c.briefs), text, fm)
        p.end()

    def _node(
        self,
        p: QPainter,
        actor_id: str,
        at: QPointF,
        r: float,
        text: QColor,
        fm: QFontMetrics,
        bold: bool = False,
    ) -> None:
        name, kind = self._describe(actor_id)
        fg, bg = self.style_.kind(kind)
        p.setPen(QPen(QColor(fg), 2.0 if actor_id in (self._hover, self.actor_id) else 1.0))
        p.setBrush(QColor(bg))
        p.drawEllipse(at, r, r)
        font = self.font()
        font.setBold(bold)
        p.setFont(font)
        p.setPen(text)
        label = fm.elidedText(name, Qt.TextElideMode.ElideRight, round(self._label_width()))
        width = fm.horizontalAdvance(label) + (6 if bold else 0)
        left = min(max(2.0, at.x() - width / 2), self.width() - width - 2.0)
        below = at.y() + r + fm.ascent() + 2
        if below > self.height() - 2:
            below = at.y() - r - 4
        p.drawText(QPointF(left, below), label)
        p.setFont(self.font())

    # -- the mouse -----------------------------------------------------------------------

    def tooltip_text(self, actor_id: str) -> str:
        c = next((c for c in self.companions if c.actor_id == actor_id), None)
        if c is None:
            return ""
        # Names from the glossary (the team archive's, maybe): plain text in the rich tip.
        name = html.escape(self._describe(actor_id)[0])
        actor = html.escape(self._describe(self.actor_id)[0])
        return f"<nobr><b>{name}</b>: {counted(c.briefs, 'brief')} with {actor}</nobr>"

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        hover = self.node_at(event.position())
        if hover != self._hover:
            self._hover = hover
            self.setCursor(
                Qt.CursorShape.PointingHandCursor if hover else Qt.CursorShape.ArrowCursor
            )
            self.update()
        super().mouseMoveEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            node = self.node_at(QPointF(event.pos()))
            if node:
                QToolTip.showText(event.globalPos(), self.tooltip_text(node), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            node = self.node_at(event.position())
            if node:
                emit(self.companionClicked, node)
        super().mouseReleaseEvent(event)


__all__ = ["CompanyGraph"]
