"""The find bar under the reading pane: a word to find, previous, next, close."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget


class FindBar(QWidget):
    """Finds text with ``find(text, backward) -> found`` (the reading pane's find)."""

    def __init__(self, find: Callable[[str, bool], bool], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        self._find_in = find
        self.find_box = QLineEdit()
        self.find_box.setPlaceholderText("Find in this brief")
        self.find_box.returnPressed.connect(lambda: self.find(False))
        prev_b = QPushButton("Previous")
        prev_b.clicked.connect(lambda: self.find(True))
        next_b = QPushButton("Next")
        next_b.clicked.connect(lambda: self.find(False))
        close_b = QPushButton("Close")
        close_b.clicked.connect(self.hide)
        self.status = QLabel()
        lay = QHBoxLayout(self)
        lay.setContentsMargins(12, 6, 12, 6)
        lay.addWidget(self.find_box, 1)
        lay.addWidget(prev_b)
        lay.addWidget(next_b)
        lay.addWidget(self.status)
        lay.addWidget(close_b)
        esc = QShortcut(
            QKeySequence("Escape"), self, context=Qt.ShortcutContext.WidgetWithChildrenShortcut
        )
        esc.activated.connect(self.hide)
        self.hide()

    def open(self) -> None:
        self.show()
        self.find_box.setFocus()
        self.find_box.selectAll()

    def find(self, backward: bool) -> None:
        text = self.find_box.text()
        if not text:
            return
        found = self._find_in(text, backward)
        self.status.setText("" if found else "not found")
