"""Candidate actors: names that recur in the corpus but that no glossary actor goes by.

A view only: the list comes from the workbench (computed in the background, kept until the
index changes); adding one goes through the glossary's own add-actor and add-alias path.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal, SignalInstance, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from briefreader.core.records import Candidate
from briefreader.ui.actors.models import CandidateModel
from briefreader.ui.qtcompat import emit


class CandidatesPanel(QWidget):
    """The candidates table and what to do with the selected one.

    addActorRequested(name): "Add as actor…" (the glossary's own dialog follows).
    addAliasRequested(name): "Add as alias of…".
    searchRequested(query): a double-clicked name, searched as a phrase.
    refreshRequested(): count again now.
    """

    addActorRequested = Signal(str)
    addAliasRequested = Signal(str)
    searchRequested = Signal(str)
    refreshRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("candidatesPanel")
        self.info = QLabel("Counting the names the glossary lacks…")
        self.info.setTextFormat(Qt.TextFormat.PlainText)  # may carry an error's words
        self.info.setWordWrap(True)
        self.model = CandidateModel(self)
        self.table = QTableView()
        self.table.setObjectName("candidateTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(0, 220)
        self.table.doubleClicked.connect(self._on_double_click)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)

        self.add_actor_button = QPushButton("Add as actor…")
        self.add_actor_button.clicked.connect(lambda: self._ask(self.addActorRequested))
        self.add_alias_button = QPushButton("Add as alias of…")
        self.add_alias_button.clicked.connect(lambda: self._ask(self.addAliasRequested))
        self.refresh_button = QPushButton("Count again")
        self.refresh_button.clicked.connect(lambda: emit(self.refreshRequested))
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_actor_button)
        buttons.addWidget(self.add_alias_button)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 10, 16, 10)
        lay.setSpacing(8)
        lay.addWidget(self.info)
        lay.addWidget(self.table, 1)
        lay.addLayout(buttons)
        self._on_selection(QItemSelection(), QItemSelection())

    def set_candidates(self, found: Sequence[Candidate], min_briefs: int) -> None:
        self.model.set_candidates(found)
        self.info.setText(
            f"{len(found)} names recur in {min_briefs} briefs or more but no actor of the"
            " glossary goes by them (runs of capitalised words and acronyms). Add one as a"
            " new actor, or as another name of an actor: the briefs naming it are indexed"
            " again. Double-click a name to search it."
            if found
            else f"No name outside the glossary recurs in {min_briefs} briefs or more."
        )

    def show_busy(self, text: str) -> None:
        self.info.setText(text)

    def selected(self) -> Candidate | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.candidate(rows[0].row()) if rows else None

    def _ask(self, signal: SignalInstance) -> None:
        c = self.selected()
        if c is not None:
            emit(signal, c.name)

    @Slot(QItemSelection, QItemSelection)
    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        on = self.selected() is not None
        self.add_actor_button.setEnabled(on)
        self.add_alias_button.setEnabled(on)

    @Slot(QModelIndex)
    def _on_double_click(self, index: QModelIndex) -> None:
        c = self.model.candidate(index.row())
        if c is not None:
            emit(self.searchRequested, f'"{c.name}"')
