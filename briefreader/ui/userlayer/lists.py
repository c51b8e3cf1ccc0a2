"""What the search box adds for the user: which briefs to list (all, starred, unread), a
saved search's new briefs first, ``note:word``, and the history of queries (Ctrl+H).

The index knows nothing of these; a request the panel makes with one of them set carries a
:class:`Narrowing`, which a worker answers with :meth:`ResultLists.narrowed_search` on a
connection of the job's own (the window's searches are narrowed through its host).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, QSettings, Slot
from PySide6.QtGui import QAction, QActionGroup, QPalette
from PySide6.QtWidgets import QLineEdit, QMenu

from briefreader.core.library import Library
from briefreader.core.records import SearchResults
from briefreader.core.userdata import UserData
from briefreader.core.userlists import Narrowing, narrowing_for, user_search
from briefreader.ui.host import WindowHost
from briefreader.ui.userlayer.icons import clock_icon, only_icon
from briefreader.ui.userlayer.store import UserStore
from briefreader.ui.workers import SearchRequest

#: Recent queries kept for Ctrl+H and the search box's history button.
HISTORY_SIZE = 30
HISTORY_KEY = "search/history"
#: The lists the search box's star button offers, with their words.
ONLY_LABELS = {"": "All briefs", "starred": "★ Starred only", "unread": "Unread only"}


def signature(request: SearchRequest) -> tuple[Any, ...]:
    """What makes two requests the same search (a saved search's, to list its news first)."""
    return (request.text, request.sort, request.actors, request.sources, request.years,
            request.tags)  # fmt: skip


class ResultLists(QObject):
    """The search box's two buttons (which list; recent searches) and what they narrow."""

    def __init__(self, host: WindowHost, store: UserStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.store = store
        self.only = ""
        #: A saved search's request and its new briefs, listed first while it is shown.
        self.first: tuple[tuple[Any, ...], tuple[str, ...]] | None = None
        #: The new briefs the latest search lists first (marked "new" in the list).
        self.new_listed: frozenset[str] = frozenset()
        panel = host.search
        # Buttons inside the search box, so that the panel is no wider for them.
        self._muted = panel.palette().color(QPalette.ColorRole.PlaceholderText)
        self.only_action = QAction(only_icon("", self._muted), "", self)
        self.only_action.setObjectName("onlyAction")
        group = QActionGroup(self)
        self.only_actions: dict[str, QAction] = {}
        for value, label in ONLY_LABELS.items():
            act = QAction(label, self)
            act.setCheckable(True)
            act.setChecked(value == "")
            group.addAction(act)
            act.triggered.connect(lambda _c=False, v=value: self.set_only(v))
            self.only_actions[value] = act
        self._show_only()
        self.history_action = QAction(clock_icon(self._muted), "Recent searches (Ctrl+H)", self)
        panel.search_box.addAction(self.history_action, QLineEdit.ActionPosition.TrailingPosition)
        panel.search_box.addAction(self.only_action, QLineEdit.ActionPosition.TrailingPosition)
        host.narrow_searches(self)
        self.history_action.triggered.connect(self.show_history)
        self.only_action.triggered.connect(self.show_only_menu)
        panel.search_box.returnPressed.connect(lambda: self.remember(panel.search_box.text()))
        panel.openRequested.connect(lambda _id: self.remember(panel.shown_query))
        panel.search_box.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A new theme: the buttons are drawn again in its muted colour (drawn once in the
        light theme's, they were all but invisible in the dark)."""
        box = self.host.search.search_box
        if event.type() == QEvent.Type.PaletteChange and watched is box:
            self._muted = box.palette().color(QPalette.ColorRole.PlaceholderText)
            self.history_action.setIcon(clock_icon(self._muted))
            self._show_only()
        return super().eventFilter(watched, event)

    def list_first(self, request: SearchRequest, ids: tuple[str, ...]) -> None:
        """List ``ids`` first while ``request`` (a saved search just opened) is shown."""
        self.first = (signature(request), ids)

    def set_only(self, only: str) -> None:
        """List all briefs (""), only the starred or only the unread, and search again."""
        self.only_actions[only].setChecked(True)
        changed = only != self.only
        self.only = only
        self._show_only()
        if changed:
            self.host.run_search()

    def _show_only(self) -> None:
        self.only_action.setIcon(only_icon(self.only, self._muted))
        listing = ONLY_LABELS[self.only].lower()
        self.only_action.setText(f"Listing {listing}: all briefs, the starred or the unread")
        self.only_action.setToolTip(self.only_action.text())

    @Slot()
    def show_only_menu(self) -> None:
        box = self.host.search.search_box
        menu = self.list_menu()
        menu.exec(box.mapToGlobal(box.rect().bottomRight()) - QPoint(200, 0))
        menu.deleteLater()

    def list_menu(self) -> QMenu:
        """All / starred / unread, then the labels in use (each searches ``label:NAME``)."""
        menu = QMenu(self.host.search)
        for act in self.only_actions.values():
            menu.addAction(act)
        labels = self.store.labels_in_use()
        if labels:
            menu.addSection("Labelled")
        for label, count in labels.items():
            act = menu.addAction(f"#{label}  ({count})")
            act.triggered.connect(lambda _c=False, x=label: self.search_label(x))
        return menu

    def search_label(self, label: str) -> None:
        self.host.search.search_for(f"label:{label}")

    def narrowing(self, request: SearchRequest) -> Narrowing | None:
        """What narrows ``request`` (the list chosen, a saved search's news first, notes)."""
        first: tuple[str, ...] = ()
        if self.first is not None and self.first[0] == signature(request):
            first = self.first[1]
        self.new_listed = frozenset(first)
        return narrowing_for(
            request.text, only=self.only, first=first, has_notes=self.store.has_notes()
        )

    def narrowed_search(self, lib: Library, request: SearchRequest) -> SearchResults:
        """Runs in a worker: its own connection to the user's database. The command line's
        ``search`` goes through the same :func:`user_search`."""
        with UserData.open(self.store.data_dir, check=False) as ud:
            return user_search(
                lib, ud, request.text, request.narrow, offset=request.offset,
                limit=request.limit, sort=request.sort, actors=request.actors,
                sources=request.sources, tags=request.tags, years=request.years,
            )  # fmt: skip

    @property
    def settings(self) -> QSettings:
        return self.host.settings

    def history(self) -> list[str]:
        value = self.settings.value(HISTORY_KEY, [])
        values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        return [str(v) for v in values if str(v).strip()]

    def remember(self, query: str) -> None:
        """Put a query the user acted on (Enter, a result opened) first in the history."""
        query = query.strip()
        if not query:
            return
        recent = [query] + [q for q in self.history() if q != query]
        self.settings.setValue(HISTORY_KEY, recent[:HISTORY_SIZE])

    def history_menu(self) -> QMenu:
        menu = QMenu(self.host.parent_widget)
        menu.setObjectName("historyMenu")
        recent = self.history()
        for query in recent:
            act = menu.addAction(query if len(query) <= 60 else query[:59] + "…")
            act.triggered.connect(lambda _c=False, q=query: self.host.search.search_for(q))
        if not recent:
            menu.addAction("No recent searches").setEnabled(False)
        else:
            menu.addSeparator()
            menu.addAction("Clear the history").triggered.connect(
                lambda: self.settings.setValue(HISTORY_KEY, [])
            )
        return menu

    @Slot()
    def show_history(self) -> None:
        box = self.host.search.search_box
        menu = self.history_menu()
        menu.exec(box.mapToGlobal(box.rect().bottomLeft()))
        menu.deleteLater()
