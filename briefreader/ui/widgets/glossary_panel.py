"""The glossary sidebar: the open brief's actors by kind, a filter over the whole glossary,
and the selected actor's names, description and actions."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import QItemSelection, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from briefreader.core.glossary import Actor, Glossary, lookup_key
from briefreader.core.match import Mention
from briefreader.ui.models import ActorIdRole, ActorRow, ActorTreeModel
from briefreader.ui.qtcompat import emit
from briefreader.ui.widgets.marks import KIND_LABELS, LIGHT, MarkStyle


class GlossaryPanel(QWidget):
    """Actor list with details.

    actorSelected(actor_id): the user picked an actor ("" when the selection was cleared).
    searchRequested(query): "Briefs mentioning this actor".
    pageRequested(actor_id): "Actor page" (the actor across the whole corpus).
    stepRequested(step): +1 / -1 to go to the next / previous mention.
    """

    actorSelected = Signal(str)
    searchRequested = Signal(str)
    pageRequested = Signal(str)
    stepRequested = Signal(int)

    def __init__(self, glossary: Glossary, parent: QWidget | None = None) -> None:
        # Long but straight: the panel's widgets built and laid out in reading order.
        super().__init__(parent)
        self.setObjectName("glossaryPanel")
        self.glossary = glossary
        self._counts: dict[str, tuple[int, int]] = {}
        self._current: str | None = None
        self.style_: MarkStyle = LIGHT

        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter the whole glossary…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._rebuild)

        self.model = ActorTreeModel(self)
        self.tree = QTreeView()
        self.tree.setObjectName("actorTree")
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setAlternatingRowColors(False)
        self.tree.setRootIsDecorated(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.selectionModel().selectionChanged.connect(self._on_selection)

        self.details = QLabel()
        self.details.setObjectName("actorDetails")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setMinimumHeight(60)

        self.search_button = QPushButton("Briefs mentioning this actor")
        self.search_button.clicked.connect(self._search)
        self.prev_button = QPushButton("◀")
        self.prev_button.setToolTip("Previous mention")
        self.prev_button.clicked.connect(lambda: emit(self.stepRequested, -1))
        self.next_button = QPushButton("▶")
        self.next_button.setToolTip("Next mention")
        self.next_button.clicked.connect(lambda: emit(self.stepRequested, 1))
        for b in (self.prev_button, self.next_button):
            b.setFixedWidth(34)
        self.page_button = QPushButton("Actor page: timeline, company, the analysts' words")
        self.page_button.setObjectName("actorPageButton")
        self.page_button.clicked.connect(lambda: emit(self.pageRequested, self._current or ""))
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        buttons.addWidget(self.search_button, 1)
        buttons.addWidget(self.prev_button)
        buttons.addWidget(self.next_button)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 8, 10, 10)
        lay.setSpacing(8)
        lay.addWidget(self.filter)
        lay.addWidget(self.tree, 3)
        lay.addWidget(self.details, 1)
        lay.addLayout(buttons)
        lay.addWidget(self.page_button)
        self._show_details(None)
        self._rebuild()

    # -- content -------------------------------------------------------------------------

    def set_mentions(self, mentions: Sequence[Mention]) -> None:
        """The open brief's mentions, counted per actor and section."""
        counts: dict[str, list[int]] = {}
        for m in mentions:
            c = counts.setdefault(m.actor_id, [0, 0])
            c[0 if m.section == "article" else 1] += 1
        self._counts = {k: (v[0], v[1]) for k, v in counts.items()}
        self._current = None
        self._rebuild()

    def _actors_shown(self) -> list[Actor]:
        text = self.filter.text().strip()
        if not text:
            return [a for a in (self.glossary.get(i) for i in self._counts) if a is not None]
        key = lookup_key(text)
        out = []
        for actor in self.glossary.actors.values():
            if any(key in lookup_key(n) for n in actor.names) or key in actor.description.lower():
                out.append(actor)
        return out

    @Slot()
    def _rebuild(self) -> None:
        actors = self._actors_shown()
        rows = [ActorRow(a, *self._counts.get(a.id, (0, 0))) for a in actors]
        rows.sort(key=lambda r: (-(r.article + r.comment), r.actor.name.lower()))
        kinds = list(KIND_LABELS) + sorted({a.kind for a in actors} - set(KIND_LABELS))
        blocker = self.tree.selectionModel().blockSignals(True)
        self.model.set_rows(rows, kinds, KIND_LABELS, {k: self.style_.kind(k)[0] for k in kinds})
        self.tree.expandAll()
        self.tree.selectionModel().blockSignals(blocker)
        if self._current:
            self._select_index(self._current)
        if rows:
            self._show_details(self.glossary.get(self._current) if self._current else None)
        else:
            self.details.setText(
                "<span style='color:gray'>No actor of the glossary is mentioned here.</span>"
                if not self.filter.text()
                else "<span style='color:gray'>No actor matches the filter.</span>"
            )

    # -- selection -----------------------------------------------------------------------

    def _select_index(self, actor_id: str) -> bool:
        index = self.model.index_of(actor_id)
        if not index.isValid():
            return False
        sm = self.tree.selectionModel()
        blocker = sm.blockSignals(True)
        sm.select(
            index,
            sm.SelectionFlag.ClearAndSelect | sm.SelectionFlag.Rows,
        )
        sm.setCurrentIndex(index, sm.SelectionFlag.NoUpdate)
        sm.blockSignals(blocker)
        self.tree.scrollTo(index)
        return True

    def select_actor(self, actor_id: str) -> None:
        """Select an actor (e.g. clicked in the text); widens the filter if needed."""
        if not self._select_index(actor_id) and self.filter.text():
            self.filter.clear()
            self._select_index(actor_id)
        self._current = actor_id
        self._show_details(self.glossary.get(actor_id))
        emit(self.actorSelected, actor_id)

    def current(self) -> str | None:
        return self._current

    @Slot(QItemSelection, QItemSelection)
    def _on_selection(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = [i for i in selected.indexes() if i.data(ActorIdRole)]
        actor_id = str(indexes[0].data(ActorIdRole)) if indexes else None
        if actor_id == self._current:
            return
        self._current = actor_id
        self._show_details(self.glossary.get(actor_id) if actor_id else None)
        emit(self.actorSelected, actor_id or "")

    def _show_details(self, actor: Actor | None) -> None:
        for b in (self.search_button, self.prev_button, self.next_button, self.page_button):
            b.setEnabled(actor is not None)
        if actor is None:
            self.details.setText(
                "<span style='color:gray'>Select an actor to see its names and description, "
                "and to emphasise its mentions.</span>"
            )
            return
        kind = html.escape(KIND_LABELS.get(actor.kind, actor.kind.title()))
        art, com = self._counts.get(actor.id, (0, 0))
        aliases = ", ".join(html.escape(a) for a in actor.aliases) or "—"
        self.details.setText(
            f"<b>{html.escape(actor.name)}</b> &nbsp;<span style='color:gray'>{kind}</span>"
            f"<br><span style='color:gray'>Also:</span> {aliases}"
            f"<br><span style='color:gray'>Here:</span> {art} in the article, {com} in the comment"
            + (" <i>(the analyst alone names it)</i>" if com and not art else "")
            + (f"<p>{html.escape(actor.description)}</p>" if actor.description else "")
        )

    @Slot()
    def _search(self) -> None:
        actor = self.glossary.get(self._current or "")
        if actor is not None:
            emit(self.searchRequested, f'actor:"{actor.name}"')

    def set_style(self, style: MarkStyle) -> None:
        self.style_ = style
        self._rebuild()

    def refresh(self, select: str | None = None) -> None:
        """The glossary changed (alias or actor added); ``select`` an actor once redrawn."""
        if select is not None:
            self._current = select
        self._rebuild()
        if self._current:
            self._show_details(self.glossary.get(self._current))
