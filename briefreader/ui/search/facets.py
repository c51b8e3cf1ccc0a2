"""The filters dock: counts of actors, years, sources and tags in the results, to tick."""

from __future__ import annotations

from collections.abc import Callable, Hashable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QLabel, QListView, QPushButton, QVBoxLayout, QWidget

from briefreader.core.records import SearchResults
from briefreader.ui.models import FacetModel
from briefreader.ui.qtcompat import emit

#: Facet key -> title, in the order shown.
FACETS = (("actors", "Actors"), ("year", "Years"), ("source", "Sources"), ("tags", "Tags"))
#: At most this many values of one facet are listed.
FACET_ROWS = 60
#: Facets with one value a brief, whose ticked values are alternatives (any of them).
ANY_OF = ("year", "source")


class FacetPanel(QWidget):
    """The ticked values are the search's filters; the counts come with each first page.

    filtersChanged(): the user ticked or cleared a value (the search should run again).
    """

    filtersChanged = Signal()

    def __init__(self, actor_label: Callable[[str], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("facets")
        self._actor_label = actor_label
        self.filters: dict[str, list[str]] = {key: [] for key, _title in FACETS}
        self.models = {key: FacetModel(self) for key, _title in FACETS}
        self.views: dict[str, QListView] = {}
        #: Per ANY_OF facet: the search it was counted for with none of it ticked, counts.
        self._unfiltered: dict[str, tuple[Hashable, dict[str, int]]] = {}
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 10)
        for key, title in FACETS:
            label = QLabel(title)
            label.setObjectName("facetTitle")
            view = QListView()
            view.setModel(self.models[key])
            view.setObjectName(f"facet_{key}")
            # A long name is shortened in its middle, so that its count stays in sight.
            view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
            view.setUniformItemSizes(True)
            self.views[key] = view
            lay.addWidget(label)
            lay.addWidget(view, 2 if key == "actors" else 1)
            self.models[key].itemChanged.connect(self._on_ticked)
        self.clear_button = QPushButton("Clear filters")
        self.clear_button.clicked.connect(self.clear)
        lay.addWidget(self.clear_button)

    def any(self) -> bool:
        """Whether any filter is ticked."""
        return any(self.filters.values())

    def show_counts(self, res: SearchResults, contexts: dict[str, Hashable] | None = None) -> None:
        """The counts of a search's first page, with what is ticked kept ticked.

        ``contexts`` names, for each facet, the search without that facet's own filter. A
        year or a source is one value a brief, and ticking several means any of them: so
        while some are ticked, the others stay listed with the counts they had before
        (ticking 2019 must not make 2018 vanish), as long as the rest of the search is
        the same.
        """
        contexts = contexts or {}
        labels: dict[str, Callable[[str], str]] = {
            "actors": self._actor_label,
            "source": str,
            "year": str,
            "tags": str,
        }
        for key, model in self.models.items():
            counts = res.facets.get(key, {})
            if key in ANY_OF:
                counts = self._any_of_counts(key, counts, contexts.get(key))
            if key == "year":
                counts = dict(sorted(counts.items(), reverse=True))
            blocker = model.blockSignals(True)
            shown = dict(list(counts.items())[:FACET_ROWS])
            model.set_counts(shown, self.filters[key], labels[key])
            model.blockSignals(blocker)
            self.views[key].reset()
        self.clear_button.setEnabled(self.any())

    def _any_of_counts(
        self, key: str, counts: dict[str, int], context: Hashable | None
    ) -> dict[str, int]:
        if not self.filters[key]:
            self._unfiltered[key] = (context, dict(counts))
            return counts
        seen_context, seen = self._unfiltered.get(key, (None, {}))
        if context is None or seen_context != context:
            return counts
        return seen

    @Slot()
    def _on_ticked(self) -> None:
        for key, model in self.models.items():
            self.filters[key] = model.checked()
        emit(self.filtersChanged)

    @Slot()
    def clear(self) -> None:
        self.filters = {k: [] for k in self.filters}
        emit(self.filtersChanged)

    def set_filter(self, key: str, values: list[str]) -> None:
        self.filters[key] = list(values)
        emit(self.filtersChanged)
