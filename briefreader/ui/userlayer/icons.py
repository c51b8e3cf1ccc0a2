"""The user layer's small icons, painted (no icon theme needed on any platform)."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap

#: The colour of the search box's list button for each list (None: the muted outline).
ONLY_COLOURS = {"": None, "starred": "#e0a800", "unread": "#3d7fd9"}


def clock_icon(colour: Any) -> QIcon:
    """A small clock for the search box's history button (no icon theme needed)."""
    pix = QPixmap(32, 32)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(colour)
    pen.setWidthF(2.6)
    p.setPen(pen)
    p.drawEllipse(QRectF(4, 4, 24, 24))
    p.drawLine(16, 16, 16, 9)
    p.drawLine(16, 16, 21, 19)
    p.end()
    return QIcon(pix)


def only_icon(only: str, muted: Any) -> QIcon:
    """The search box's list button: an outline star (all briefs), a filled amber star
    (only the starred), a filled blue dot (only the unread)."""
    pix = QPixmap(32, 32)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = ONLY_COLOURS[only]
    pen = QPen(muted if colour is None else QColor(colour))
    pen.setWidthF(2.4)
    p.setPen(pen)
    if only == "unread":
        p.setBrush(QColor(colour))
        p.drawEllipse(QRectF(9, 9, 14, 14))
    else:
        points = [
            QPointF(
                16 + (12 if k % 2 == 0 else 5) * math.sin(k * math.pi / 5),
                17 - (12 if k % 2 == 0 else 5) * math.cos(k * math.pi / 5),
            )
            for k in range(10)
        ]
        if colour is not None:
            p.setBrush(QColor(colour))
        p.drawPolygon(points)
    p.end()
    return QIcon(pix)
