"""The reading window: lays out the panels, builds the menus, and wires panels to workers.

It holds none of the panels' logic: searching and paging live in
:mod:`briefreader.ui.search`, glossary edits in :mod:`briefreader.ui.glossary_edit`,
printing in :mod:`briefreader.ui.printing`, the problems table in
:mod:`briefreader.ui.problems` and the look in :mod:`briefreader.ui.theme`. What stays here
is what joins them: opening a brief and its history, indexing status, settings, drops.

It knows none of its features either (the user's own layer, the team archive, the actor
workbench): the app hands it their ``install`` functions, and each gets the window's
:class:`~briefreader.ui.host.WindowHost`. Menus and docks, the window's own included, are
declared by id and built by :class:`~briefreader.ui.host.chrome.Chrome`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QByteArray, QModelIndex, QObject, QSettings, Qt, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDockWidget,
    QFileDialog,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QMenu,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from briefreader import paths
from briefreader.core.library import Library
from briefreader.core.report import UpdateReport
from briefreader.ui import printing
from briefreader.ui.corpus_watch import CorpusWatcher
from briefreader.ui.glossary_edit import GlossaryEditor
from briefreader.ui.help import about_dialog, shortcuts_dialog
from briefreader.ui.host import (
    ActionSpec,
    DockId,
    DockSpec,
    Feature,
    MenuId,
    Place,
    SearchHooks,
    WindowHost,
)
from briefreader.ui.host.chrome import Chrome
from briefreader.ui.host.specs import Shortcut
from briefreader.ui.index_status import IndexStatus
from briefreader.ui.models import FacetModel, HitListModel, HitRole
from briefreader.ui.problems import problem_rows, problems_dialog
from briefreader.ui.qtcompat import emit
from briefreader.ui.reader import Reader
from briefreader.ui.search.facets import FacetPanel
from briefreader.ui.search.panel import SearchPanel
from briefreader.ui.theme import THEMES, apply_theme, system_is_dark
from briefreader.ui.widgets.find_bar import FindBar
from briefreader.ui.widgets.glossary_panel import GlossaryPanel
from briefreader.ui.widgets.marks import DARK, LIGHT, MarkStyle
from briefreader.ui.widgets.reading_pane import ReadingPane
from briefreader.ui.window_layout import DOCK_WIDTH, FILTERS_WIDTH, WindowLayout
from briefreader.ui.window_layout import WIDE_WINDOW as WIDE_WINDOW
from briefreader.ui.workers import Workers

log = logging.getLogger(__name__)

FONT_MIN, FONT_MAX = 8.0, 24.0

F = TypeVar("F", bound=QObject)


class MainWindow(QMainWindow):
    """Search on the left, the open brief in the middle, the glossary on the right.

    resultsShown(total): a search's first page is in the list.
    briefShown(brief_id): a brief is in the reading pane.
    briefChosen(brief_id): the user chose a brief in the results or "More like this".
    indexReady(report): background indexing finished.
    libraryChanged(library): the window searches another library (:meth:`set_library`).
    closing(): the window is closing, its background work done (features close files).
    """

    resultsShown = Signal(int)
    briefShown = Signal(str)
    briefChosen = Signal(str)
    indexReady = Signal(object)
    libraryChanged = Signal(object)
    closing = Signal()

    def __init__(
        self,
        library: Library,
        workers: Workers,
        settings: QSettings,
        parent: QWidget | None = None,
        *,
        features: Sequence[Feature] = (),
    ) -> None:
        """``features`` are installed in their order, before the saved layout is restored
        (their docks take their places in it)."""
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self._library = library
        self.workers = workers
        self.settings = settings
        self.setWindowTitle("briefreader")
        self.setAcceptDrops(True)

        self._report: UpdateReport | None = None
        #: A brief asked for at the start that the index did not hold yet (see start()).
        self._pending_open: str | None = None
        self._style: MarkStyle = LIGHT

        self.chrome = Chrome(self)
        hooks = SearchHooks()
        self.pane = ReadingPane()
        self.pane.setObjectName("readingPane")
        self.facet_panel = FacetPanel(lambda actor_id: self._describe(actor_id)[0])
        self.search = SearchPanel(
            workers,
            self.facet_panel,
            self._actor_names,
            self._open_id,
            narrower=hooks,
            title_prefix=hooks.title_prefix,
        )
        self.findbar = FindBar(self.pane.find)
        self._build_center()
        self._build_docks()
        self.reader = Reader(
            workers, self.pane, self.glossary_panel, self.related_model, self.search, self
        )
        self.glossary_editor = GlossaryEditor(
            library.glossary, paths.user_glossary(library.data_dir), self.glossary_panel, self
        )
        self._build_status()
        self._build_menus()
        self._wire()
        self.watcher = CorpusWatcher(workers, self)
        self.watcher.changed.connect(self.update_index)
        self.host = WindowHost(self, self.chrome, hooks, self)
        self.features: list[QObject] = [install(self.host) for install in features]
        self._restore_settings()

    # -- the panels, as the tests and the benchmarks reach them --------------------------

    @property
    def library(self) -> Library:
        """The library the window searches (local, or a team archive): see set_library."""
        return self._library

    def set_library(self, library: Library) -> None:
        """The one place the window's library changes: the workers follow, then
        :attr:`libraryChanged` says so."""
        self._library = library
        self.workers.library = library
        emit(self.libraryChanged, library)

    def feature(self, kind: type[F]) -> F:
        """The installed feature of type ``kind`` (tests and scripts reach them so)."""
        found = next((f for f in self.features if isinstance(f, kind)), None)
        if found is None:
            raise LookupError(f"no {kind.__name__} is installed in this window")
        return found

    def menu(self, menu_id: MenuId) -> QMenu:
        return self.chrome.menu(menu_id)

    @property
    def search_box(self) -> QLineEdit:
        return self.search.search_box

    @property
    def sort_combo(self) -> QComboBox:
        return self.search.sort_combo

    @property
    def info(self) -> QLabel:
        return self.search.info

    @property
    def model(self) -> HitListModel:
        return self.search.model

    @property
    def results(self) -> QListView:
        return self.search.results

    @property
    def facet_models(self) -> dict[str, FacetModel]:
        return self.facet_panel.models

    @property
    def find_box(self) -> QLineEdit:
        return self.findbar.find_box

    @property
    def find_status(self) -> QLabel:
        return self.findbar.status

    # -- building ------------------------------------------------------------------------

    def _build_center(self) -> None:
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.setSpacing(0)
        rl.addWidget(self.pane, 1)
        rl.addWidget(self.findbar)
        # The reading side first; a feature's page (the actor workbench) may take its place.
        self.centre = QStackedWidget()
        self.centre.setObjectName("centreStack")
        self.centre.addWidget(right)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.search)
        self.splitter.addWidget(self.centre)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([380, 1000])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

    def _build_docks(self) -> None:
        dock = self.chrome.add_dock
        self.glossary_panel = GlossaryPanel(self.library.glossary)
        self.glossary_dock = dock(DockSpec(DockId.GLOSSARY, "Actors", self.glossary_panel))
        self.related_model = HitListModel(None, self._actor_names, self)
        self.related = QListView()
        self.related.setObjectName("related")
        self.related.setModel(self.related_model)
        # One line a brief, always elided the same way (wrapping made some rows two lines).
        self.related.setWordWrap(False)
        self.related.setUniformItemSizes(True)
        self.related.setSpacing(2)
        self.related.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.related.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.related_dock = dock(DockSpec(DockId.RELATED, "More like this", self.related))
        self.resizeDocks(
            [self.glossary_dock, self.related_dock], [560, 200], Qt.Orientation.Vertical
        )
        self.resizeDocks([self.glossary_dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)
        left = Qt.DockWidgetArea.LeftDockWidgetArea
        self.facet_dock = dock(DockSpec(DockId.FILTERS, "Filters", self.facet_panel, left))
        self.resizeDocks([self.facet_dock], [FILTERS_WIDTH], Qt.Orientation.Horizontal)
        self.facet_dock.hide()
        self.dock_layout = WindowLayout(self, self.splitter, self.glossary_dock, self.related_dock)

    def _build_status(self) -> None:
        self.index_status = IndexStatus(self.statusBar(), self)
        self.status_label = self.index_status.label

    def _action(
        self,
        text: str,
        slot: Callable[..., object],
        place: Place,
        shortcut: Shortcut = None,
        checkable: bool = False,
    ) -> QAction:
        return self.chrome.add_action(ActionSpec(text, slot, place, shortcut, checkable))

    def _build_menus(self) -> None:
        """The window's own actions, declared by menu and section (the bar's layout is in
        :data:`briefreader.ui.host.specs.MENUS`); its features add theirs through the host."""
        a, S = self._action, QKeySequence.StandardKey
        f, e, v, g, h = MenuId.FILE, MenuId.EDIT, MenuId.VIEW, MenuId.GO, MenuId.HELP
        a("Add corpus folder…", self.choose_corpus_folder, Place(f, "open", 10), "Ctrl+O")
        a("Open a brief file…", self.choose_brief_file, Place(f, "open", 20))
        self.remove_menu = self.chrome.menu(MenuId.FILE_REMOVE)  # at 30, filled as it opens
        self.remove_menu.aboutToShow.connect(self._fill_remove_menu)
        a("Rebuild index", self.rebuild_index, Place(f, "open", 40))
        a("Print brief…", self.print_brief, Place(f, "output", 10), "Ctrl+P")
        a("Export brief to PDF…", self.export_pdf, Place(f, "output", 20), "Ctrl+Shift+E")
        a("Problems…", self.show_problems, Place(f, "output", 40))
        a("Quit", self.close, Place(f, "quit"), S.Quit)

        a("Search", self.focus_search, Place(e, "search"), ("Ctrl+L", "Ctrl+K"))
        a("Find in brief…", self.show_find, Place(e, "search"), S.Find)
        a("Next hit", lambda: self.step_hit(1), Place(e, "search"), "F3")
        a("Previous hit", lambda: self.step_hit(-1), Place(e, "search"), "Shift+F3")
        filters = self.facet_dock.toggleViewAction().trigger
        a("Filters", filters, Place(e, "filters"), "Ctrl+Shift+F")

        a("Larger text", lambda: self.change_font(1), Place(v, "size"), ("Ctrl++", "Ctrl+="))
        a("Smaller text", lambda: self.change_font(-1), Place(v, "size"), "Ctrl+-")
        a("Normal size", lambda: self.set_font_size(11.0), Place(v, "size"), "Ctrl+0")
        self.theme_group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        themes = Place(MenuId.VIEW_THEME, "themes")
        for key in THEMES:
            act = a(key.title(), lambda _c=False, k=key: self.set_theme(k), themes, None, True)
            self.theme_group.addAction(act)
            self.theme_actions[key] = act
        self.marks_action = a(
            "Actor marks", self.toggle_marks, Place(v, "look", 20), "Ctrl+M", checkable=True
        )
        self.marks_action.setChecked(True)
        a("Flip article / comment split", self.flip_split, Place(v, "look", 30), "Ctrl+Shift+O")

        # Alt+Left / Alt+Right only: StandardKey.Back is that same key on X11, and one action
        # holding a key twice makes Qt call it ambiguous and fire neither.
        self.back_action = a("Back", self.back, Place(g, "history"), "Alt+Left")
        self.forward_action = a("Forward", self.forward, Place(g, "history"), "Alt+Right")
        self.back_action.setEnabled(False)
        self.forward_action.setEnabled(False)

        a("Keyboard shortcuts", self.show_shortcuts, Place(h, "help"), "F1")
        a("About briefreader", self.show_about, Place(h, "help"))

    def _wire(self) -> None:
        self.search.resultsShown.connect(self.resultsShown)
        self.search.openRequested.connect(self.reader.open_brief)
        self.search.openRequested.connect(self.briefChosen)
        self.related.activated.connect(self._open_related)
        self.related.clicked.connect(self._open_related)
        self.reader.briefShown.connect(self.briefShown)
        self.reader.titleChanged.connect(lambda t: self.setWindowTitle(f"{t} — briefreader"))
        self.reader.historyChanged.connect(self._on_history_changed)
        self.reader.message.connect(self.statusBar().showMessage)

        w = self.workers
        w.indexProgress.connect(self.index_status.on_progress)
        w.indexFinished.connect(self._on_index_finished)
        w.indexFailed.connect(self._on_index_failed)

        self.pane.briefRequested.connect(self.open_brief)
        self.pane.actorClicked.connect(self.glossary_panel.select_actor)
        self.pane.actorClicked.connect(lambda _a: self.dock_layout.show_actors())
        self.pane.addAliasRequested.connect(self.glossary_editor.ask_add_alias)
        self.pane.addActorRequested.connect(self.glossary_editor.ask_add_actor)
        self.glossary_editor.edited.connect(self._on_glossary_edited)
        self.glossary_panel.searchRequested.connect(self.search.search_for)

    # -- settings ------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        s = self.settings
        self.dock_layout.restore(s)
        sections = s.value("reading/splitter")
        if isinstance(sections, QByteArray):
            self.pane.restored = self.pane.splitter.restoreState(sections)
        try:
            size = float(s.value("reading/fontSize", 11.0))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            size = 11.0
        self.pane.font_size = min(FONT_MAX, max(FONT_MIN, size))
        marks = s.value("reading/marks", True)
        self.marks_action.setChecked(marks not in (False, "false", "0"))
        self.pane.marks = self.marks_action.isChecked()
        theme = str(s.value("view/theme", "system"))
        self.set_theme(theme if theme in self.theme_actions else "system", save=False)

    def save_settings(self) -> None:
        s = self.settings
        self.dock_layout.save(s)
        s.setValue("reading/splitter", self.pane.splitter.saveState())
        s.setValue("reading/fontSize", self.pane.font_size)
        s.setValue("reading/marks", self.pane.marks)
        s.sync()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Docks yield room before the reading panes do: see :mod:`~.window_layout`."""
        super().resizeEvent(event)
        self.dock_layout.resized(event.oldSize().width(), event.size().width())

    def reveal_dock(self, dock: QDockWidget) -> None:
        self.dock_layout.reveal(dock)

    # -- start ---------------------------------------------------------------------------

    def start(
        self, query: str = "", open_id: str | None = None, *, pending_open: str | None = None
    ) -> None:
        """Index in the background, then show results for ``query`` and a first brief.

        ``pending_open``: a brief asked for that the index does not hold yet (a digest's
        item in a folder never indexed, a file just added): the best hit is shown until the
        update is done, then that brief, or why it still cannot be opened."""
        self.search.open_first = open_id is None
        self._pending_open = pending_open
        if query:
            self.search.set_text_quietly(query)
        self.update_index()
        self.run_search()
        if open_id:
            self.open_brief(open_id)
        self.watcher.watch(self.library.corpora, self.library.data_dir)

    # -- indexing ------------------------------------------------------------------------

    @Slot()
    def update_index(self) -> None:
        if self.workers.indexing:
            return
        self.search.index_done = False
        self.index_status.busy("Updating the index…")
        self.workers.update_index()

    @Slot(object)
    def _on_index_finished(self, report: UpdateReport) -> None:
        self._report = report
        changed = bool(report.added or report.updated or report.removed)
        if changed:
            self.workers.forget_views()
        self.search.index_done = True
        self.index_status.finished(report)
        if changed or self.model.incomplete:
            self.run_search()
        self._open_pending()
        emit(self.indexReady, report)

    @Slot(str)
    def _on_index_failed(self, message: str) -> None:
        self.search.index_done = True
        if self.workers.reader is not None:
            # Not updated (another instance holds the index, say), but searchable as it is.
            message += " Searching the index as it is (read-only)."
        self.index_status.failed(message)
        self._open_pending()

    def _open_pending(self) -> None:
        """The brief start() was asked for before the index held it, once the update is
        done (the reader says why, if it still cannot be opened)."""
        ref, self._pending_open = self._pending_open, None
        if ref:
            self.statusBar().clearMessage()  # "not in the library yet": the reader says now
            self.search.open_first = False
            self.open_brief(ref)

    @property
    def index_done(self) -> bool:
        return self.search.index_done

    # -- searching (the panel's; kept here for the menus, tests and benchmarks) ----------

    def _describe(self, actor_id: str) -> tuple[str, str, str]:
        return self.library.glossary.describe(actor_id)

    def _actor_names(self, ids: Sequence[str]) -> list[tuple[str, str]]:
        return [self._describe(actor_id)[:2] for actor_id in ids]

    def _open_id(self) -> str | None:
        return self.pane.view.brief.id if self.pane.view is not None else None

    @Slot()
    def run_search(self) -> None:
        self.search.run_search()

    @Slot()
    def clear_filters(self) -> None:
        self.facet_panel.clear()

    def set_filter(self, key: str, values: list[str]) -> None:
        self.facet_panel.set_filter(key, values)

    # -- reading (the reader's; kept here for the menus, tests and benchmarks) ---------

    @Slot(QModelIndex)
    def _open_related(self, index: QModelIndex) -> None:
        hit = index.data(HitRole)
        if hit is not None:
            self.open_brief(hit.id)
            emit(self.briefChosen, hit.id)

    def open_brief(self, ref: str, *, record: bool = True) -> None:
        """Load and show a brief (parsed and rendered in the background)."""
        self.reader.open_brief(ref, record=record)

    def reload_brief(self) -> None:
        self.reader.reload()

    @Slot()
    def back(self) -> None:
        self.reader.back()

    @Slot()
    def forward(self) -> None:
        self.reader.forward()

    @property
    def history(self) -> list[str]:
        return self.reader.history

    def step_hit(self, step: int) -> None:
        self.reader.step_hit(step)

    @Slot(bool, bool)
    def _on_history_changed(self, can_back: bool, can_forward: bool) -> None:
        self.back_action.setEnabled(can_back)
        self.forward_action.setEnabled(can_forward)

    # -- glossary edits ------------------------------------------------------------------

    def add_alias(self, actor_id: str, alias: str) -> str | None:
        """Add an alias, save the user glossary, re-mark the open brief; None or an error."""
        return self.glossary_editor.add_alias(actor_id, alias)

    def add_actor(self, name: str, kind: str) -> str | None:
        return self.glossary_editor.add_actor(name, kind)

    @Slot()
    def _on_glossary_edited(self) -> None:
        """Re-mark the open brief; re-index the briefs the edit can affect."""
        self.reload_brief()
        if self.workers.indexing:
            self.watcher.changed_later()  # once the running update is done
        else:
            self.update_index()

    # -- view ----------------------------------------------------------------------------

    @Slot()
    def focus_search(self) -> None:
        self.search.focus()

    @Slot()
    def show_find(self) -> None:
        self.findbar.open()

    def change_font(self, step: int) -> None:
        self.set_font_size(self.pane.font_size + step)

    def set_font_size(self, size: float) -> None:
        self.pane.set_font_size(min(FONT_MAX, max(FONT_MIN, size)))
        self.settings.setValue("reading/fontSize", self.pane.font_size)

    @Slot()
    def toggle_marks(self) -> None:
        self.pane.set_marks(self.marks_action.isChecked())
        self.settings.setValue("reading/marks", self.pane.marks)

    @Slot()
    def flip_split(self) -> None:
        self.pane.flip()

    def set_theme(self, theme: str, *, save: bool = True) -> None:
        self.theme_actions[theme].setChecked(True)
        dark = system_is_dark() if theme == "system" else theme == "dark"
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, "dark" if dark else "light")
        self._style = DARK if dark else LIGHT
        self.search.set_style(self._style)
        self.pane.set_style(self._style)
        self.glossary_panel.set_style(self._style)
        if save:
            self.settings.setValue("view/theme", theme)

    # -- files ---------------------------------------------------------------------------

    @Slot()
    def choose_corpus_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of briefs")
        if folder:
            self.add_corpus(Path(folder))

    @Slot()
    def choose_brief_file(self) -> None:
        """Read one file (a web page, a PDF, a Word file, an email...) without adding its
        folder: a file of several briefs opens at its first."""
        patterns = " ".join(f"*{s}" for s in self.library.suffixes)
        name, _filter = QFileDialog.getOpenFileName(
            self, "Open a brief file", "", f"Briefs ({patterns});;All files (*)"
        )
        if name:
            self.open_brief(name)

    def add_corpus(self, folder: Path) -> None:
        """Search ``folder`` too, from now on and next time (the command line's too)."""
        folder = folder.resolve()
        if folder in self.library.corpora:
            return
        self._switch_library([*self.library.corpora, folder])

    def _switch_library(self, corpora: list[Path]) -> None:
        """Search ``corpora`` from now on (and next time, the command line's too)."""
        old = self.library
        lib = Library(corpora, old.data_dir, old.glossary)
        lib.glossary_files = old.glossary_files
        self.set_library(lib)
        lib.remember_corpora()
        self.watcher.watch(self.library.corpora, self.library.data_dir)
        self.update_index()
        self.run_search()

    @Slot()
    def _fill_remove_menu(self) -> None:
        self.remove_menu.clear()
        for folder in self.library.corpora:
            act = self.remove_menu.addAction(str(folder))
            act.triggered.connect(lambda _c=False, f=folder: self.remove_corpus(f))

    def remove_corpus(self, folder: Path) -> None:
        """Stop searching ``folder`` (its files are left alone); the last one gives way to
        the sample corpus, so the window always has briefs to show."""
        rest = [c for c in self.library.corpora if c != folder]
        if len(rest) == len(self.library.corpora):
            return
        self._switch_library(rest or [paths.sample_corpus_dir()])
        self.statusBar().showMessage(f"No longer searching {folder}", 5000)

    @Slot()
    def rebuild_index(self) -> None:
        if self.workers.indexing:
            return
        self.index_status.label.setText("Rebuilding the index…")
        self.workers.run(self.library.rebuild, lambda _r: self.update_index())

    @Slot()
    def export_pdf(self) -> None:
        view = self.pane.view
        if view is None:
            return
        target = printing.ask_pdf_target(view, self)
        if target is not None:
            self.write_pdf(target)

    def write_pdf(self, target: Path) -> None:
        if self.pane.view is None:
            return
        printing.write_pdf(self.pane.view, self.pane.marks, target)
        self.statusBar().showMessage(f"Saved {target}", 5000)

    @Slot()
    def print_brief(self) -> None:
        if self.pane.view is not None:
            printing.print_brief(self.pane.view, self.pane.marks, self)

    @Slot()
    def show_shortcuts(self) -> None:
        shortcuts_dialog(self.shortcut_rows(), self).exec()

    def shortcut_rows(self) -> list[tuple[str, str, str]]:
        """(menu, action, keys) for every action with a key, read from the menus themselves,
        so the page can never disagree with what the keys do; then the search box's keys."""
        return self.chrome.shortcut_rows() + [
            ("Search", "Open the top result", "Enter (in the search box)"),
            ("Search", "Go to the results", "Down (in the search box)"),
            ("Search", "Clear the search", "Esc (in the search box)"),
        ]

    @Slot()
    def show_about(self) -> None:
        about_dialog(self.library, self).exec()

    def problems(self) -> list[tuple[str, str]]:
        """(file, why) for briefs that could not be read and glossary mistakes."""
        return problem_rows(self._report, self.library.glossary)

    def problems_dialog(self) -> QDialog:
        return problems_dialog(self.problems(), self)

    @Slot()
    def show_problems(self) -> None:
        self.problems_dialog().exec()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and all(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """A dropped folder is added as a corpus; a dropped file is opened."""
        for url in event.mimeData().urls():
            path = Path(url.toLocalFile())
            if path.is_dir():
                self.add_corpus(path)
            elif path.is_file():
                self.open_brief(str(path))
        event.acceptProposedAction()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save the layout; stop every timer and background job the window started."""
        self.save_settings()
        self.search.stop()
        self.reader.stop()
        self.watcher.stop()
        self.workers.shutdown()
        emit(self.closing)
        super().closeEvent(event)
