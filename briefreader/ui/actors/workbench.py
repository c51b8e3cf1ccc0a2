"""The actor workbench in the window: where its pages come from and what their clicks do.

:func:`install` puts it into the window through its host: the page takes the reading side's
place (the results list stays beside it, so a click on a month or a companion shows its search
there), opened from the Actors sidebar, a mark's menu, the actor filter's menu or the View
menu. Pages and candidates are read in the background; the candidates are kept until the
index changes.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal, Slot
from PySide6.QtGui import QPalette, QTextDocument
from PySide6.QtWidgets import QMenu, QTabWidget

from briefreader.core.glossary import Actor
from briefreader.core.library import NO_WORKBENCH, Library
from briefreader.core.records import ActorPage, CommentSentence
from briefreader.core.report import UpdateReport
from briefreader.ui.actors.candidates import CandidatesPanel
from briefreader.ui.actors.counting import CandidateCounter
from briefreader.ui.actors.export import DossierExporter
from briefreader.ui.actors.page import ActorPageView
from briefreader.ui.host import ActionSpec, MenuId, Place, WindowHost
from briefreader.ui.models import FacetRole
from briefreader.ui.qtcompat import emit
from briefreader.ui.widgets.marks import DARK, LIGHT

log = logging.getLogger(__name__)

#: What an actor page says over a team archive, which has no actor workbench.
NO_PAGE = f"{NO_WORKBENCH.capitalize()}: close the team archive (File menu) to see actor pages."

#: Briefs whose comment sentences a page shows at first, then adds as the reader scrolls.
FIRST_BRIEFS = 40
MORE_BRIEFS = 60


class ActorWorkbench(QObject):
    """The actor page and the candidate actors, wired into the window through ``host``.

    pageShown(actor_id): an actor's page has been read and shown.
    ``candidatesShown`` (the counter's ``shown``) and ``dossierSaved`` (the exporter's
    ``saved``) are their signals, reached from here.
    """

    pageShown = Signal(str)

    def __init__(self, host: WindowHost) -> None:
        super().__init__(host)
        self.host = host
        self._token = 0
        self._goto: tuple[str, str] | None = None
        view = host.pane.view
        self._shown_id = view.brief.id if view is not None else None
        self._loading_more = False

        def describe(actor_id: str) -> tuple[str, str, str]:
            return host.library.glossary.describe(actor_id)

        self.page = ActorPageView(lambda a: describe(a)[0], lambda a: describe(a)[1])
        self.candidates = CandidatesPanel()
        self.counter = CandidateCounter(host, self.candidates)
        self.candidatesShown = self.counter.shown
        self.exporter = DossierExporter(
            self.page, lambda: host.workers, host.show_message, host.parent_widget
        )
        self.dossierSaved = self.exporter.saved
        self.tabs = QTabWidget()
        self.tabs.setObjectName("actorWorkbench")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.page, "Actor")
        self.tabs.addTab(self.candidates, "Candidate actors")
        self.tabs.currentChanged.connect(self._on_tab)
        host.add_centre_page(self.tabs)
        self.tabs.installEventFilter(self)
        self._wire()
        self._add_menu_actions()

    # -- building ------------------------------------------------------------------------

    def _wire(self) -> None:
        host = self.host
        p = self.page
        p.searchRequested.connect(self.search)
        p.openRequested.connect(self.open_at)
        p.moreRequested.connect(self.load_more)
        p.pageRequested.connect(self.open_actor)
        p.exportRequested.connect(self.ask_export)
        p.backRequested.connect(self.show_reading)
        self.candidates.searchRequested.connect(self.search)
        host.glossary_panel.pageRequested.connect(self.open_actor)
        host.pane.actorPageRequested.connect(self.open_actor)
        host.briefShown.connect(self._on_brief_shown)
        host.indexReady.connect(self._on_index_ready)
        host.briefChosen.connect(lambda _id: self.show_reading())
        facet = host.facets.views["actors"]
        facet.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        facet.customContextMenuRequested.connect(self._facet_menu)

    def _add_menu_actions(self) -> None:
        place = Place(MenuId.VIEW, "actors")
        self.page_action = self.host.add_action(
            ActionSpec(
                "Actor page",
                self._open_selected,
                place,
                "F9",
                tooltip="The page of the actor selected in the Actors sidebar",
            )
        )
        self.candidates_action = self.host.add_action(
            ActionSpec("Candidate actors", self.show_candidates, place, "Shift+F9")
        )

    # -- where the centre is -------------------------------------------------------------

    @property
    def showing(self) -> bool:
        """Whether the workbench is in the window's centre (rather than the brief)."""
        return self.host.centre_page() is self.tabs

    @Slot()
    def show_reading(self) -> None:
        self.host.show_reading()

    def _show_tab(self, index: int) -> None:
        self.host.show_centre_page(self.tabs)
        self.tabs.setCurrentIndex(index)

    # -- the actor page ------------------------------------------------------------------

    @Slot()
    def _open_selected(self) -> None:
        actor_id = self.host.glossary_panel.current()
        if actor_id:
            self.open_actor(actor_id)
        elif self.page.actor is not None:
            self._show_tab(0)
        else:
            self.host.show_message("Select an actor in the Actors sidebar to see its page.", 5000)

    @Slot(str)
    def open_actor(self, actor_id: str) -> None:
        """Show the page of ``actor_id`` (any name or alias will do), read in the background."""
        actor = self.host.library.find_actor(actor_id)
        if actor is None:
            self.host.show_message(f"No actor called “{actor_id}”.", 5000)
            return
        self._token += 1
        token = self._token
        self.page.show_loading(actor)
        self._show_tab(0)
        if self.host.library.workbench is None:
            self.page.show_unavailable(NO_PAGE)
            return

        def work(reader: Library) -> ActorPage | None:
            workbench = reader.workbench  # None if a team archive was opened meanwhile
            if workbench is None:
                return None
            return workbench.actor_page(actor.id, comment_briefs=FIRST_BRIEFS)

        def done(page: ActorPage | None) -> None:
            if token != self._token:
                return
            if page is None:
                self.page.show_unavailable(NO_PAGE)
                return
            self.page.show_page(actor, page)
            emit(self.pageShown, actor.id)

        def fail(message: str) -> None:
            if token == self._token:
                self.page.show_message(message)

        self.host.workers.read(work, done, fail)

    @Slot()
    def load_more(self) -> None:
        actor, page = self.page.actor, self.page.page
        if actor is None or page is None or self._loading_more:
            return
        start = self.page.loaded_briefs
        if start >= self.page.comment_briefs:
            return
        self._loading_more = True
        token = self._token

        def work(reader: Library) -> list[CommentSentence]:
            workbench = reader.workbench  # None over a team archive: nothing more to read
            if workbench is None:
                return []
            return workbench.actor_comments(actor.id, start, MORE_BRIEFS)

        def done(more: list[CommentSentence]) -> None:
            self._loading_more = False
            if token == self._token and self.page.loaded_briefs == start:
                self.page.add_comments(more)

        def fail(_message: str) -> None:
            self._loading_more = False

        self.host.workers.read(work, done, fail)

    @Slot(str)
    def search(self, query: str) -> None:
        """Search ``query`` in the results list; the page stays where it is."""
        self.host.search.search_for(query)

    @Slot(str, int, int, str)
    def open_at(self, brief_id: str, _start: int, _end: int, text: str) -> None:
        """Open a brief with one sentence of its comment selected."""
        self._goto = (brief_id, text)
        self.show_reading()
        self.host.open_brief(brief_id)

    @Slot(str)
    def _on_brief_shown(self, brief_id: str) -> None:
        # Another brief opened (history, a note, the results): the reader wants to see it. The
        # same brief shown again is only re-marked for a new search: the page stays.
        if brief_id != self._shown_id:
            self._shown_id = brief_id
            self.show_reading()
        goto, self._goto = self._goto, None
        if goto is None or goto[0] != brief_id:
            return
        browser = self.host.pane.comment.browser
        words = goto[1].split()
        doc = browser.document()
        # The brief's text as rendered: line breaks inside a paragraph became spaces. The
        # whole sentence is looked for first, then its first words (markup may differ).
        for n in (len(words), 8, 4):
            found = doc.find(" ".join(words[:n]), 0, QTextDocument.FindFlag.FindCaseSensitively)
            if not found.isNull():
                start = found.selectionStart()
                end = start + len(" ".join(words)) if n < len(words) else found.selectionEnd()
                browser.select_span((start, min(end, doc.characterCount() - 1)))
                return

    # -- export and candidates (their own modules) ------------------------------------

    @Slot(str)
    def ask_export(self, fmt: str) -> None:
        self.exporter.ask(fmt)

    def export_dossier(self, target: Path, fmt: str = "md") -> None:
        """Save the whole dossier as Markdown or PDF (read in the background)."""
        self.exporter.export(target, fmt)

    @Slot()
    def show_candidates(self) -> None:
        already = self.tabs.currentIndex() == 1  # no currentChanged then: count here
        self._show_tab(1)
        if already:
            self.counter.count()

    @Slot(int)
    def _on_tab(self, index: int) -> None:
        if index == 1:
            self.counter.count()

    @Slot(object)
    def _on_index_ready(self, report: UpdateReport) -> None:
        if report.added or report.updated or report.removed or report.rematched:
            self.counter.stale = True
            if self.showing and self.tabs.currentIndex() == 1:
                self.counter.count()
            elif self.showing and self.page.actor is not None:
                self.open_actor(self.page.actor.id)  # its figures changed with the index

    # -- the actor filter's menu ---------------------------------------------------------

    @Slot(QPoint)
    def _facet_menu(self, pos: QPoint) -> None:
        view = self.host.facets.views["actors"]
        index = view.indexAt(pos)
        actor_id = index.data(FacetRole) if index.isValid() else None
        if not actor_id:
            return
        menu = self.facet_menu(str(actor_id))
        menu.exec(view.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def facet_menu(self, actor_id: str) -> QMenu:
        menu = QMenu(self.host.parent_widget)
        name = self.host.library.glossary.describe(actor_id)[0]
        menu.addAction(f"Open the page of {name}", lambda: self.open_actor(actor_id))
        return menu

    # -- the theme -----------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The window switched theme: the page's coloured text follows the palette."""
        if watched is self.tabs and event.type() == QEvent.Type.PaletteChange:
            dark = self.tabs.palette().color(QPalette.ColorRole.Window).lightness() < 128
            style = DARK if dark else LIGHT
            if style is not self.page.style_:
                self.page.set_style(style)
        return False

    def current_actor(self) -> Actor | None:
        return self.page.actor


def install(host: WindowHost) -> ActorWorkbench:
    """Put the actor workbench into the window."""
    return ActorWorkbench(host)


__all__ = ["ActorWorkbench", "install"]
