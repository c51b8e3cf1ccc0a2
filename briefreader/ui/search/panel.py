"""The search panel and its controller: box, sort, result list, paging, and what they say.

Typing starts a search after a short pause; each search carries a generation number so an
answer to text the user has already typed past is dropped. The list fetches further pages
as it is scrolled. The filters come from the :class:`FacetPanel` given to the constructor;
so do what narrows a search further (a :class:`Narrower`) and what a result's title begins
with (a star, a label): the window's features add those through its host.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Callable, Hashable, Sequence
from typing import Protocol

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from briefreader.core.library import Library
from briefreader.core.records import SORT_LABELS, SORTS, Hit, SearchResults
from briefreader.core.wording import counted
from briefreader.ui.models import HitListModel, HitRole
from briefreader.ui.qtcompat import emit
from briefreader.ui.search.facets import FacetPanel
from briefreader.ui.widgets.marks import MarkStyle
from briefreader.ui.widgets.result_delegate import ResultDelegate
from briefreader.ui.workers import SearchRequest, Workers

DEBOUNCE_MS = 250
#: Hits asked for at a time; the list asks for the next page as it is scrolled.
PAGE = 60
#: The panel never gets narrower than this: a title and a snippet line stay readable.
MIN_WIDTH = 250

ActorNames = Callable[[Sequence[str]], list[tuple[str, str]]]


class Narrower(Protocol):
    """What narrows the panel's searches beyond the filters (the user's starred or unread):
    the panel asks it what narrows each request, and a worker has it answer one so narrowed."""

    def narrowing(self, request: SearchRequest) -> object | None: ...

    def narrowed_search(self, library: Library, request: SearchRequest) -> SearchResults: ...


class SearchPanel(QWidget):
    """The left side of the window: what to search for, and the briefs found.

    resultsShown(total): a search's first page is in the list.
    openRequested(brief_id): the user picked a result (or the first search's best hit).
    """

    resultsShown = Signal(int)
    openRequested = Signal(str)

    def __init__(
        self,
        workers: Workers,
        facets: FacetPanel,
        actor_names: ActorNames,
        current_brief: Callable[[], str | None],
        parent: QWidget | None = None,
        *,
        narrower: Narrower | None = None,
        title_prefix: Callable[[Hit], str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("leftPanel")
        self.workers = workers
        self.facets = facets
        self._current_brief = current_brief
        self._generation = 0
        #: A first-page search is on its way (Enter then waits for its answer).
        self._searching = False
        self.shown_query = ""
        #: Open the best hit of the next answer (the first search after start-up).
        self.open_first = True
        #: Whether the index is up to date; until then the list says it may be incomplete.
        self.index_done = False
        #: Enter was pressed before the answer came: open its top result.
        self._open_on_answer = False
        self._narrower = narrower
        self._build(actor_names)
        self.delegate.title_prefix = title_prefix
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(self.run_search)
        self._wire()

    def _build(self, actor_names: ActorNames) -> None:
        self.search_box = QLineEdit()
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText("Search briefs  (Ctrl+L)")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.installEventFilter(self)
        self.sort_combo = QComboBox()
        self.sort_combo.setObjectName("sortCombo")
        for value, label in SORT_LABELS.items():
            self.sort_combo.addItem(label, value)
        self.sort_combo.setToolTip("Sort results")
        self.sort_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.info = QLabel()
        self.info.setObjectName("resultInfo")
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.info.setOpenExternalLinks(False)

        self.model = HitListModel(self._fetch_more, actor_names, self)
        self.delegate = ResultDelegate(self)
        self.results = QListView()
        self.results.setObjectName("results")
        self.results.setModel(self.model)
        self.results.setItemDelegate(self.delegate)
        self.results.setUniformItemSizes(True)
        self.results.setMouseTracking(True)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.results.setFrameShape(QListView.Shape.NoFrame)
        # Rows are as wide as the list and elide their text: never a sideways scroll.
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        # The box has a row of its own, so a narrow panel still shows what was typed; the
        # count and the sort share the row below it.
        under = QHBoxLayout()
        under.setSpacing(6)
        under.addWidget(self.info, 1)
        under.addWidget(self.sort_combo, 0, Qt.AlignmentFlag.AlignTop)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 10, 4, 0)
        lay.setSpacing(6)
        lay.addWidget(self.search_box)
        lay.addLayout(under)
        lay.addWidget(self.results, 1)
        self.setMinimumWidth(MIN_WIDTH)
        esc = QShortcut(
            QKeySequence("Escape"), self.search_box, context=Qt.ShortcutContext.WidgetShortcut
        )
        esc.activated.connect(self.search_box.clear)

    def _wire(self) -> None:
        self.search_box.textChanged.connect(self._on_text_changed)
        self.search_box.returnPressed.connect(self.search_now)
        self.sort_combo.currentIndexChanged.connect(lambda _i: self.run_search())
        self.info.linkActivated.connect(self._on_info_link)
        self.results.clicked.connect(self._on_picked)
        self.results.activated.connect(self._on_picked)
        self.facets.filtersChanged.connect(self.run_search)
        self.workers.searchFinished.connect(self._on_search_finished)
        self.workers.searchFailed.connect(self._on_search_failed)

    # -- asking --------------------------------------------------------------------------

    @Slot(str)
    def _on_text_changed(self, _text: str) -> None:
        # Answers to what was there before are stale from this keystroke on.
        self._generation += 1
        self._debounce.start()

    @Slot()
    def search_now(self) -> None:
        """Enter in the box opens the top result: at once if the list already answers what
        is typed, else as soon as the answer comes."""
        answered = not self._debounce.isActive() and self.shown_query == self.search_box.text()
        if answered and not self._searching:
            self.open_top()
            return
        self._open_on_answer = True
        self.run_search()

    def open_top(self) -> None:
        """Open the first result, if there is one, and mark its row."""
        top = self.model.hit(0)
        if top is not None:
            self.results.setCurrentIndex(self.model.index(0))
            emit(self.openRequested, top.id)

    def current_request(self, offset: int = 0) -> SearchRequest:
        filters = self.facets.filters
        request = SearchRequest(
            text=self.search_box.text(),
            sort=str(self.sort_combo.currentData() or SORTS[0]),
            actors=tuple(filters["actors"]),
            sources=tuple(filters["source"]),
            years=tuple(int(y) for y in filters["year"] if y.isdigit()),
            tags=tuple(filters["tags"]),
            offset=offset,
            limit=PAGE,
        )
        if self._narrower is None:
            return request
        return dataclasses.replace(request, narrow=self._narrower.narrowing(request))

    def _ask(self, request: SearchRequest) -> None:
        narrower = self._narrower if request.narrow is not None else None
        answer = narrower.narrowed_search if narrower is not None else None
        self.workers.search(self._generation, request, answer)

    @Slot()
    def run_search(self) -> None:
        self._debounce.stop()
        self._generation += 1
        self._searching = True
        self._ask(self.current_request())

    def _fetch_more(self, offset: int) -> None:
        self._ask(self.current_request(offset))

    def stop(self) -> None:
        """The window is closing: no search waits to start."""
        self._debounce.stop()

    def search_for(self, query: str) -> None:
        self.search_box.setText(query)
        self.run_search()

    def set_text_quietly(self, text: str) -> None:
        """Put ``text`` in the box without starting a search (the start-up query)."""
        blocker = self.search_box.blockSignals(True)
        self.search_box.setText(text)
        self.search_box.blockSignals(blocker)

    @property
    def query(self) -> str:
        """The query the listed hits answer (what to mark in an opened brief)."""
        return self.shown_query or self.search_box.text()

    # -- answers -------------------------------------------------------------------------

    @Slot(int, object, object)
    def _on_search_finished(
        self, generation: int, request: SearchRequest, res: SearchResults
    ) -> None:
        if generation != self._generation:
            return  # the user typed on; this answer is stale
        if request.offset:
            self.model.append_hits(request.offset, res.hits)
            return
        self._searching = False
        current = self._current_brief()
        self.model.set_hits(res.hits, res.total)
        self.model.incomplete = not self.index_done
        self.shown_query = request.text
        self.facets.show_counts(res, _facet_contexts(request))
        self.info.setText(self._info_html(request, res))
        tips = [_PARTIAL_TIP] if res.partial else []
        if res.folded:
            tips.append(
                f"{counted(res.folded, 'brief')} repeating an article listed here "
                f"{'is' if res.folded == 1 else 'are'} not listed again: the article's other "
                "places are named in its tooltip and above it when it is open."
            )
        self.info.setToolTip("\n\n".join(tips))
        if current is not None:
            self.select(current)
        if (self.open_first or self._open_on_answer) and res.hits:
            self.open_first = False
            self.open_top()
        self._open_on_answer = False
        emit(self.resultsShown, res.total)

    @Slot(int, str)
    def _on_search_failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self._searching = False
            self.info.setText(html.escape(message))

    def _info_html(self, request: SearchRequest, res: SearchResults) -> str:
        """The line over the list: how many, a spelling suggestion, notices, filters."""
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText).name()
        parts: list[str] = []
        if not res.total:
            if request.text.strip():
                parts.append(f"No briefs match “{html.escape(request.text)}”.")
                if res.suggestion:
                    parts.append(
                        f"Did you mean <a href='suggest:{html.escape(res.suggestion)}'>"
                        f"{html.escape(res.suggestion)}</a>?"
                    )
            else:
                parts.append("No briefs yet." if self.index_done else "Indexing the briefs…")
        else:
            parts.append(f"<span style='color:{muted}'>{_count_text(request, res)}</span>")
        if self.facets.any():
            parts.append("<a href='clear:'>clear filters</a>")
        for notice in res.notices:
            parts.append(f"<br><span style='color:{muted}'>note: {html.escape(notice)}</span>")
        if not self.index_done:
            parts.append(
                f"<br><span style='color:{muted}'><i>index still updating: results may be "
                "incomplete</i></span>"
            )
        return " ".join(parts)

    @Slot(str)
    def _on_info_link(self, link: str) -> None:
        if link.startswith("suggest:"):
            self.search_for(link[len("suggest:") :])
        elif link.startswith("clear:"):
            self.facets.clear()

    # -- the list ------------------------------------------------------------------------

    @Slot(QModelIndex)
    def _on_picked(self, index: QModelIndex) -> None:
        hit = index.data(HitRole)
        if hit is not None:
            emit(self.openRequested, hit.id)

    def select(self, brief_id: str) -> None:
        """Mark the brief's row as current, if it is listed."""
        row = self.model.row_of(brief_id)
        if row >= 0:
            self.results.setCurrentIndex(self.model.index(row))

    def next_after(self, brief_id: str) -> str | None:
        """The id of the result listed after ``brief_id`` (what a reader opens next)."""
        row = self.model.row_of(brief_id)
        following = self.model.hit(row + 1) if 0 <= row < self.model.rowCount() - 1 else None
        return following.id if following is not None else None

    def set_style(self, style: MarkStyle) -> None:
        self.delegate.style_ = style
        self.results.viewport().update()

    def focus(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down or Page Down in the box goes to the list."""
        if watched is self.search_box and isinstance(event, QKeyEvent):
            key = event.key()
            down = (Qt.Key.Key_Down, Qt.Key.Key_PageDown)
            if event.type() == QEvent.Type.KeyPress and key in down and self.model.rowCount():
                self.results.setFocus()
                if not self.results.currentIndex().isValid():
                    self.results.setCurrentIndex(self.model.index(0))
                return True
        return super().eventFilter(watched, event)


def _count_text(request: SearchRequest, res: SearchResults) -> str:
    n = res.total
    about = "" if res.exact else "at least "
    if not request.text.strip():
        return f"All {counted(n, 'brief')}, newest first"
    text = f"{about}{counted(n, 'brief')}"
    if res.total_all_words != n:
        text += f" ({about}{res.total_all_words} with all the words)"
    if res.partial:
        # One word beside the count (the line sits in the narrow list column); the line's
        # tooltip says why.
        text += " · partial"
    return text


#: Why an answer is partial: a team archive checks a phrase of common words on a bounded set
#: of briefs; the local index stops at its time limit. These are the hits found so far.
_PARTIAL_TIP = (
    "Partial: not every brief was checked. These are the matches found so far "
    "(a phrase of common words on a team archive is checked on a bounded set of briefs)."
)


def _facet_contexts(request: SearchRequest) -> dict[str, Hashable]:
    """For each facet, the request without that facet's own filter (see FacetPanel)."""
    fields = {
        "actors": request.actors,
        "year": request.years,
        "source": request.sources,
        "tags": request.tags,
    }
    return {
        key: (request.text, tuple((k, v) for k, v in fields.items() if k != key)) for key in fields
    }
