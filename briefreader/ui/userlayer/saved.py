"""Saved searches and watched actors from the window: saving the search shown, watching an
actor (from the Watch menu, the Actors panel or a mark), opening one with its news first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QPoint, Qt, Signal, Slot
from PySide6.QtWidgets import QInputDialog, QMenu

from briefreader.core.userlayer import SavedStatus, add_saved, mark_seen, watch
from briefreader.core.userlists import NOT_SAVABLE, date_term, savable
from briefreader.ui.host import WindowHost
from briefreader.ui.models import ActorIdRole
from briefreader.ui.qtcompat import emit
from briefreader.ui.userlayer.lists import ResultLists
from briefreader.ui.userlayer.store import UserStore
from briefreader.ui.userlayer.watchlist import WatchlistPanel


def shown_query(query: str, filters: dict[str, Any]) -> str:
    """The query a saved search runs as in the search box: the window has no date-range
    filter, so a saved ``since``/``until`` (from ``briefreader saved add --since``) is
    written into it as a date term (``date:2019``, ``date:[2019-06 to 2020-01]``: the same
    briefs, in sight and editable, and kept if the search is saved again)."""
    term = date_term(filters.get("since"), filters.get("until"))
    return f"{query} {term}".strip() if term else query


class SavedSearches(QObject):
    """Saving, watching and opening, for the Watchlist panel and the menus.

    savedOpened(name): a saved search was run and marked seen.
    """

    savedOpened = Signal(str)

    def __init__(
        self,
        host: WindowHost,
        store: UserStore,
        lists: ResultLists,
        watchlist: WatchlistPanel,
        reveal: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.host = host
        self.store = store
        self.lists = lists
        self.watchlist = watchlist
        self._reveal = reveal
        watchlist.openRequested.connect(self.open_saved)
        watchlist.saveRequested.connect(self.save_search)
        watchlist.seenRequested.connect(self.mark_seen)
        watchlist.deleteRequested.connect(self.delete_saved)
        store.savedChanged.connect(watchlist.refresh)
        host.indexReady.connect(self._on_index_ready)
        tree = host.glossary_panel.tree
        tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        tree.customContextMenuRequested.connect(self._glossary_menu)

    def current_filters(self) -> dict[str, Any]:
        f = self.host.facets.filters
        out = {
            "actors": list(f["actors"]),
            "sources": list(f["source"]),
            "tags": list(f["tags"]),
            "years": [int(y) for y in f["year"] if y.isdigit()],
        }
        return {k: v for k, v in out.items() if v}

    @Slot()
    def save_search(self) -> None:
        query = self.host.search.search_box.text().strip()
        filters = self.current_filters()
        if not query and not filters:
            self.host.show_message("Type a query or tick a filter first.", 4000)
            return
        if not self._savable(query):
            return
        name, ok = QInputDialog.getText(
            self.host.parent_widget, "Save this search", "Name:", text=query or "Filtered briefs"
        )
        if ok and name.strip():
            self.save_search_as(name.strip())

    def save_search_as(self, name: str) -> None:
        """Save the search shown (query, filters, sort) as ``name``; what it finds is seen."""
        query = self.host.search.search_box.text().strip()
        if not self._savable(query):
            return
        filters = self.current_filters()
        sort = str(self.host.search.sort_combo.currentData() or "relevance")
        self.store.in_background(
            lambda lib, ud: add_saved(lib, ud, name, query, filters, sort),
            lambda _s: self._saved_done(f"Saved “{name}”"),
        )

    def _savable(self, query: str) -> bool:
        if savable(query):
            return True
        self.host.show_message(NOT_SAVABLE[0].upper() + NOT_SAVABLE[1:] + ".", 8000)
        return False

    def _saved_done(self, message: str) -> None:
        self.host.show_message(message, 4000)
        self._reveal()
        emit(self.store.savedChanged)

    @Slot()
    def ask_watch(self) -> None:
        glossary = self.host.library.glossary
        names = sorted((a.name for a in glossary.actors.values()), key=str.casefold)
        current = self.host.glossary_panel.current()
        actor = glossary.get(current or "")
        at = names.index(actor.name) if actor is not None and actor.name in names else 0
        name, ok = QInputDialog.getItem(
            self.host.parent_widget, "Watch an actor", "Actor:", names, at, editable=True
        )
        if ok and name.strip():
            self.watch_actor(name.strip())

    @Slot(str)
    def watch_actor(self, name: str) -> None:
        """Watch an actor by id or any of its names; the briefs naming it today are seen."""
        self.store.in_background(
            lambda lib, ud: watch(lib, ud, name),
            lambda saved: self._saved_done(f"Watching {saved.name}"),
        )

    @Slot(QPoint)
    def _glossary_menu(self, pos: QPoint) -> None:
        tree = self.host.glossary_panel.tree
        actor_id = tree.indexAt(pos).data(ActorIdRole)
        if not actor_id:
            return
        menu = QMenu(tree)
        menu.addAction("Watch this actor").triggered.connect(lambda: self.watch_actor(actor_id))
        menu.exec(tree.viewport().mapToGlobal(pos))
        menu.deleteLater()

    @Slot(object)
    def open_saved(self, st: SavedStatus) -> None:
        """Run a saved search (its query, filters and order), its new briefs first, and mark
        it seen."""
        saved = self.host.search
        s = st.saved
        f = s.filters
        filters = {
            "actors": [s.query] if s.kind == "actor" else list(f.get("actors", [])),
            "source": list(f.get("sources", [])),
            "tags": list(f.get("tags", [])),
            "year": [str(y) for y in f.get("years", [])],
        }
        self.host.facets.filters = filters
        combo = saved.sort_combo
        blocker = combo.blockSignals(True)
        combo.setCurrentIndex(max(0, combo.findData(s.sort if s.kind == "search" else "newest")))
        combo.blockSignals(blocker)
        saved.set_text_quietly("" if s.kind == "actor" else shown_query(s.query, f))
        saved.search_box.setCursorPosition(0)  # its start in sight, not its date range
        self.lists.list_first(saved.current_request(), tuple(st.new))
        self.host.run_search()
        name = s.name

        def seen(_saved: object) -> None:
            emit(self.store.savedChanged)
            emit(self.savedOpened, name)

        self.store.in_background(lambda lib, ud: mark_seen(lib, ud, name), seen)

    @Slot(str)
    def mark_seen(self, name: str) -> None:
        self.store.in_background(
            lambda lib, ud: mark_seen(lib, ud, name), lambda _s: emit(self.store.savedChanged)
        )

    @Slot(str)
    def delete_saved(self, name: str) -> None:
        if self.store.delete_saved(name):
            emit(self.store.savedChanged)

    @Slot(object)
    def _on_index_ready(self, _report: object) -> None:
        if self.watchlist.isVisible():
            self.watchlist.refresh()
