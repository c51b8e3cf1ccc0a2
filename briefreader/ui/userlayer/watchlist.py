"""The Watchlist panel: saved searches and watched actors, each with what is new in it.

"New" is what arrived in the index since the user last opened it (the core stamps each
brief when it first sees it): the same figure ``briefreader saved`` prints. The counts are
read in the background when the panel is shown, when the index changes, and when the list
itself changes.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from briefreader.core.userlayer import UNCOUNTED, SavedStatus, statuses
from briefreader.ui.qtcompat import emit
from briefreader.ui.userlayer.delegates import TwoPartDelegate
from briefreader.ui.userlayer.models import SavedListModel, SavedRole
from briefreader.ui.userlayer.store import UserStore

#: What the menu offers to export to, by format.
EXPORT_FORMATS = {"csv": "CSV", "md": "Markdown", "json": "JSON"}

EMPTY = (
    "Nothing saved yet.\n\nCtrl+S saves the search shown, with its filters and order. To "
    "watch an actor, right-click it in the Actors panel or its mark in a brief (or Watch ▸ "
    "Watch an actor…).\n\nEach one then says how many briefs arrived since you last looked."
)


class WatchlistPanel(QWidget):
    """The saved searches and watched actors, newest news in bold.

    openRequested(status): run this saved search, new briefs first.
    saveRequested(): "Save this search…".
    seenRequested(name) / deleteRequested(name): from its menu.
    exportRequested(name, format): export what it finds ("csv", "md" or "json").
    exportStarredRequested(format): export the starred briefs.
    countsShown(): the counts of a refresh are all in the list (new counts and totals).
    """

    openRequested = Signal(object)
    saveRequested = Signal()
    seenRequested = Signal(str)
    deleteRequested = Signal(str)
    exportRequested = Signal(str, str)
    exportStarredRequested = Signal(str)
    countsShown = Signal()

    def __init__(self, store: UserStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("watchlistPanel")
        self.store = store
        self.model = SavedListModel(self)
        self._refreshing = False
        self._again = False
        self.view = QListView()
        self.view.setObjectName("watchlist")
        self.view.setModel(self.model)
        self.view.setSpacing(2)
        self.view.setItemDelegate(TwoPartDelegate(self.view, muted="body"))
        self.view.setResizeMode(QListView.ResizeMode.Adjust)  # rows measured at each width
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.activated.connect(self._on_picked)
        self.view.clicked.connect(self._on_picked)
        self.empty = QLabel(EMPTY)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.empty.setObjectName("notesEmpty")
        self.save_button = QPushButton("Save search…")
        self.save_button.setToolTip("Save the query, its filters and its order (Ctrl+S)")
        self.save_button.clicked.connect(lambda: emit(self.saveRequested))
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # may carry an error's words
        self.status.setObjectName("watchlistStatus")
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.save_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 10)
        lay.setSpacing(6)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.empty, 1)
        lay.addLayout(row)
        self._show([])

    # -- counts --------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Read every saved search's counts again, in the background and one look at a time:
        the new counts first (few searches, if any), then the totals (a search each)."""
        if self._refreshing:
            self._again = True
            return
        self._refreshing = True
        self.status.setText("Counting…")
        self._count(totals=False)

    def _count(self, *, totals: bool) -> None:
        cache = self.store.status_cache
        self.store.in_background(
            lambda lib, ud: statuses(lib, ud, cache=cache, totals=totals),
            lambda rows: self._on_counts(rows, totals),
            self._failed,
        )

    def _on_counts(self, rows: list[SavedStatus], complete: bool) -> None:
        if self._again:
            self._again = False
            self._count(totals=False)
            return
        self._show(rows)
        if not complete and any(r.total == UNCOUNTED for r in rows):
            self._count(totals=True)
            return
        self._refreshing = False
        emit(self.countsShown)

    def _failed(self, message: str) -> None:
        self._refreshing = False
        self.status.setText(message)

    def _show(self, rows: list[SavedStatus]) -> None:
        self.model.set_rows(rows)
        self.empty.setVisible(not rows)
        self.view.setVisible(bool(rows))
        news = sum(1 for r in rows if r.new)
        self.status.setText(f"{news} with new briefs" if news else ("Up to date" if rows else ""))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    # -- acting ------------------------------------------------------------------------------

    @Slot(QModelIndex)
    def _on_picked(self, index: QModelIndex) -> None:
        st: SavedStatus | None = index.data(SavedRole)
        if st is not None:
            emit(self.openRequested, st)

    @Slot(QPoint)
    def _context_menu(self, pos: QPoint) -> None:
        menu = self.menu_for(pos)
        menu.exec(self.view.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def menu_for(self, pos: QPoint) -> QMenu:
        """The menu of the row at ``pos``: open, seen, export, delete; below any row (or on
        none), saving a search and exporting the starred briefs."""
        st: SavedStatus | None = self.view.indexAt(pos).data(SavedRole)
        menu = QMenu(self)
        if st is not None:
            name = st.saved.name
            menu.addAction("Open").triggered.connect(lambda: emit(self.openRequested, st))
            seen = menu.addAction("Mark as seen")
            seen.setEnabled(bool(st.new))
            seen.triggered.connect(lambda: emit(self.seenRequested, name))
            what = "Export its briefs" if st.saved.kind == "actor" else "Export its results"
            sub = menu.addMenu(what)
            sub.setObjectName("exportSaved")
            for fmt, label in EXPORT_FORMATS.items():
                sub.addAction(f"{label}…").triggered.connect(
                    lambda _c=False, f=fmt: emit(self.exportRequested, name, f)
                )
            menu.addSeparator()
            what = "Stop watching" if st.saved.kind == "actor" else "Delete"
            menu.addAction(what).triggered.connect(lambda: emit(self.deleteRequested, name))
            menu.addSeparator()
        else:
            menu.addAction("Save this search…").triggered.connect(lambda: emit(self.saveRequested))
        starred = menu.addMenu("Export the starred briefs")
        starred.setObjectName("exportStarred")
        starred.setEnabled(bool(self.store.starred))
        for fmt, label in EXPORT_FORMATS.items():
            starred.addAction(f"{label}…").triggered.connect(
                lambda _c=False, f=fmt: emit(self.exportStarredRequested, f)
            )
        return menu
