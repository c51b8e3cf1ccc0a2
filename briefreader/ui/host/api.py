"""The host: the window as its features see it, narrowed to what they use.

A feature is an ``install(host) -> QObject`` function that the app hands to the window. It
declares its actions and docks by id, reaches the panels it decorates through the host's
handles, and hears of the window's changes by the host's signals; it never imports the main
window, never looks a menu up by its label, never replaces an attribute of another object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QSettings, Signal, SignalInstance
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QStackedWidget, QStatusBar, QWidget

from briefreader.core.library import Library
from briefreader.core.records import Hit, SearchResults
from briefreader.ui.glossary_edit import GlossaryEditor
from briefreader.ui.host.chrome import Chrome
from briefreader.ui.host.specs import ActionSpec, DockId, DockSpec
from briefreader.ui.search.facets import FacetPanel
from briefreader.ui.search.panel import Narrower, SearchPanel
from briefreader.ui.widgets.glossary_panel import GlossaryPanel
from briefreader.ui.widgets.reading_pane import ReadingPane
from briefreader.ui.workers import SearchRequest, Workers


class HostedWindow(Protocol):
    """What the host needs of the window that makes it. ``centre`` holds the reading side
    first; a feature's page (the actor workbench) may take its place. The window's signals
    of the same names are the host's (see :class:`WindowHost`)."""

    libraryChanged: SignalInstance
    briefShown: SignalInstance
    briefChosen: SignalInstance
    indexReady: SignalInstance
    closing: SignalInstance

    @property
    def library(self) -> Library: ...

    @property
    def index_done(self) -> bool: ...

    workers: Workers
    settings: QSettings
    pane: ReadingPane
    search: SearchPanel
    facet_panel: FacetPanel
    glossary_panel: GlossaryPanel
    glossary_editor: GlossaryEditor
    centre: QStackedWidget

    def set_library(self, library: Library) -> None: ...

    def open_brief(self, ref: str, *, record: bool = True) -> None: ...

    def run_search(self) -> None: ...

    def reveal_dock(self, dock: QDockWidget) -> None: ...

    def statusBar(self) -> QStatusBar: ...


class SearchHooks:
    """What the features add to the window's searches, as the search panel asks for it (a
    :class:`~briefreader.ui.search.panel.Narrower`, and the results' title prefix)."""

    def __init__(self) -> None:
        self.prefixes: list[Callable[[Hit], str]] = []
        self.narrower: Narrower | None = None

    def title_prefix(self, hit: Hit) -> str:
        return "".join(prefix(hit) for prefix in self.prefixes)

    def narrowing(self, request: SearchRequest) -> object | None:
        return self.narrower.narrowing(request) if self.narrower is not None else None

    def narrowed_search(self, library: Library, request: SearchRequest) -> SearchResults:
        if self.narrower is None:
            raise RuntimeError("a narrowed search with nothing to narrow it")
        return self.narrower.narrowed_search(library, request)


class WindowHost(QObject):
    """The window, as a feature gets it.

    libraryChanged(library): the window searches another library (corpus folders added or
    removed, a team archive opened or closed); :meth:`set_library` is the one way there.
    briefShown(brief_id): a brief is in the reading pane.
    briefChosen(brief_id): the user chose a brief in the results or "More like this".
    indexReady(report): background indexing finished (an ``UpdateReport``).
    closing(): the window is closing and its background work is done: close what is open.
    """

    libraryChanged = Signal(object)
    briefShown = Signal(str)
    briefChosen = Signal(str)
    indexReady = Signal(object)
    closing = Signal()

    def __init__(
        self, window: HostedWindow, chrome: Chrome, hooks: SearchHooks, parent: QObject
    ) -> None:
        super().__init__(parent)
        self._window = window
        self._chrome = chrome
        self._hooks = hooks
        for own, hosts in (
            (window.libraryChanged, self.libraryChanged),
            (window.briefShown, self.briefShown),
            (window.briefChosen, self.briefChosen),
            (window.indexReady, self.indexReady),
            (window.closing, self.closing),
        ):
            own.connect(hosts)

    # -- what the window works on ------------------------------------------------------

    @property
    def library(self) -> Library:
        """The library the window searches now (local, or a team archive)."""
        return self._window.library

    def set_library(self, library: Library) -> None:
        """Search ``library`` from now on; everyone hears it by :attr:`libraryChanged`."""
        self._window.set_library(library)

    @property
    def workers(self) -> Workers:
        return self._window.workers

    @property
    def settings(self) -> QSettings:
        return self._window.settings

    @property
    def index_done(self) -> bool:
        """Whether the index is up to date (false while it is being built or updated)."""
        return self._window.index_done

    # -- the panels a feature decorates ------------------------------------------------

    @property
    def pane(self) -> ReadingPane:
        return self._window.pane

    @property
    def search(self) -> SearchPanel:
        return self._window.search

    @property
    def facets(self) -> FacetPanel:
        return self._window.facet_panel

    @property
    def glossary_panel(self) -> GlossaryPanel:
        return self._window.glossary_panel

    @property
    def glossary_editor(self) -> GlossaryEditor:
        return self._window.glossary_editor

    @property
    def parent_widget(self) -> QWidget:
        """The window as a parent for a dialog or a popup menu."""
        return self._chrome.window

    # -- doing -------------------------------------------------------------------------

    def open_brief(self, ref: str) -> None:
        """Open a brief in the reading pane (read in the background)."""
        self._window.open_brief(ref)

    def run_search(self) -> None:
        """Search again for what the search box and the filters say."""
        self._window.run_search()

    def show_message(self, text: str, timeout_ms: int = 0) -> None:
        """A line in the status bar (for ``timeout_ms``; 0: until the next one)."""
        self._window.statusBar().showMessage(text, timeout_ms)

    def add_status_widget(self, widget: QWidget) -> None:
        """A permanent widget at the status bar's right end."""
        self._window.statusBar().addPermanentWidget(widget)

    # -- extending -----------------------------------------------------------------------

    def add_action(self, spec: ActionSpec) -> QAction:
        """Declare an action: it goes in its menu, its keys work anywhere in the window."""
        return self._chrome.add_action(spec)

    def add_dock(self, spec: DockSpec) -> QDockWidget:
        """Declare a dock: it goes in its area, its show/hide action in its menus."""
        return self._chrome.add_dock(spec)

    def reveal_dock(self, dock_id: DockId) -> None:
        """Show a dock in front of its tab group, with room to read."""
        self._window.reveal_dock(self._chrome.dock(dock_id))

    def add_title_prefix(self, prefix: Callable[[Hit], str]) -> None:
        """What a result's title in the list begins with (a star, a label)."""
        self._hooks.prefixes.append(prefix)

    def narrow_searches(self, narrower: Narrower) -> None:
        """Have ``narrower`` narrow the window's searches beyond the filters (one at most)."""
        if self._hooks.narrower is not None:
            raise RuntimeError("the window's searches are narrowed already")
        self._hooks.narrower = narrower

    # -- the centre: the reading side, or a feature's page -----------------------------

    def add_centre_page(self, page: QWidget) -> None:
        """A page that can take the reading side's place in the window's centre."""
        self._window.centre.addWidget(page)

    def show_centre_page(self, page: QWidget) -> None:
        self._window.centre.setCurrentWidget(page)

    def show_reading(self) -> None:
        """The reading side back in the centre."""
        self._window.centre.setCurrentIndex(0)

    def centre_page(self) -> QWidget | None:
        """The feature's page in the centre; None while the reading side is shown."""
        centre = self._window.centre
        return centre.currentWidget() if centre.currentIndex() > 0 else None


#: A window feature: installed by the app, it gets the host and returns its own object.
Feature = Callable[[WindowHost], QObject]

__all__ = ["Feature", "HostedWindow", "SearchHooks", "WindowHost"]
