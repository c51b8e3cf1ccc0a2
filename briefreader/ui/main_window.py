"""The reading window: lays out the panels, builds the menus, and wires panels to workers.

It holds none of the panels' logic: searching and paging live in
:mod:`briefreader.ui.search`, glossary edits in :mod:`briefreader.ui.glossary_edit`,
printing in :mod:`briefreader.ui.printing`, the problems table in
:mod:`briefreader.ui.problems` and the look in :mod:`briefreader.ui.theme`. What stays here
is what joins them: opening a brief and its history, indexing status, settings, drops.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import (
    QByteArray,
    QModelIndex,
    QSettings,
    Qt,
    Signal,
    Slot,
)
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
    QProgressBar,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from briefreader import paths
from briefreader.core.library import Library
from briefreader.core.report import UpdateReport
from briefreader.core.safetext import rich_text
from briefreader.core.wording import counted
from briefreader.ui import printing, team_archive
from briefreader.ui.actors import workbench
from briefreader.ui.corpus_watch import CorpusWatcher
from briefreader.ui.glossary_edit import GlossaryEditor
from briefreader.ui.help import about_dialog, shortcuts_dialog
from briefreader.ui.models import FacetModel, HitListModel, HitRole
from briefreader.ui.problems import problem_rows, problems_dialog
from briefreader.ui.qtcompat import emit
from briefreader.ui.reader import Reader
from briefreader.ui.search.facets import FacetPanel
from briefreader.ui.search.panel import SearchPanel
from briefreader.ui.theme import THEMES, apply_theme, system_is_dark
from briefreader.ui.userlayer import layer as userlayer
from briefreader.ui.widgets.find_bar import FindBar
from briefreader.ui.widgets.glossary_panel import GlossaryPanel
from briefreader.ui.widgets.marks import DARK, LIGHT, MarkStyle
from briefreader.ui.widgets.reading_pane import ReadingPane
from briefreader.ui.workers import Workers

log = logging.getLogger(__name__)

FONT_MIN, FONT_MAX = 8.0, 24.0
#: The right-hand docks (Actors, More like this) are shown by default only in a window at
#: least this wide: narrower, the article and the comment need the room more (about 65
#: characters a line each at 1400 px). Crossing the width shows or hides them again.
WIDE_WINDOW = 1600
DOCK_WIDTH = 300
FILTERS_WIDTH = 230
#: The results list's share of a new window's width, and its bounds.
RESULTS_SHARE, RESULTS_MIN, RESULTS_MAX = 0.24, 260, 400

Shortcut = str | QKeySequence | QKeySequence.StandardKey | list[QKeySequence] | None


class MainWindow(QMainWindow):
    """Search on the left, the open brief in the middle, the glossary on the right.

    resultsShown(total): a search's first page is in the list.
    briefShown(brief_id): a brief is in the reading pane.
    indexReady(report): background indexing finished.
    """

    resultsShown = Signal(int)
    briefShown = Signal(str)
    indexReady = Signal(object)

    def __init__(
        self,
        library: Library,
        workers: Workers,
        settings: QSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.library = library
        self.workers = workers
        self.settings = settings
        self.setWindowTitle("briefreader")
        self.setAcceptDrops(True)

        self._report: UpdateReport | None = None
        self._style: MarkStyle = LIGHT
        self._layout_restored = False
        self._default_split = False

        self.pane = ReadingPane()
        self.pane.setObjectName("readingPane")
        self.facet_panel = FacetPanel(lambda actor_id: self._describe(actor_id)[0])
        self.search = SearchPanel(workers, self.facet_panel, self._actor_names, self._open_id)
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
        self.user_layer = userlayer.install(self)  # notes, stars, saved searches (issue 16)
        self.team_archive = team_archive.install(self)  # File > Open team archive (issue 17)
        self.actor_workbench = workbench.install(self)  # actor pages, candidates (issue 15)
        self._restore_settings()

    # -- the panels, as the tests and the benchmarks reach them --------------------------

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
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.search)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([380, 1000])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        right = Qt.DockWidgetArea.RightDockWidgetArea
        self.glossary_panel = GlossaryPanel(self.library.glossary)
        self.glossary_dock = self._dock("Actors", "glossaryDock", self.glossary_panel, right)
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
        self.related_dock = self._dock("More like this", "relatedDock", self.related, right)
        self.resizeDocks(
            [self.glossary_dock, self.related_dock], [560, 200], Qt.Orientation.Vertical
        )
        self.resizeDocks([self.glossary_dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)
        left = Qt.DockWidgetArea.LeftDockWidgetArea
        self.facet_dock = self._dock("Filters", "facetDock", self.facet_panel, left)
        self.resizeDocks([self.facet_dock], [FILTERS_WIDTH], Qt.Orientation.Horizontal)
        self.facet_dock.hide()

    def _build_status(self) -> None:
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.status_label = QLabel()
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)  # may name a file or a folder
        self.statusBar().addPermanentWidget(self.status_label)
        self.statusBar().addPermanentWidget(self.progress)

    def _action(
        self,
        menu: QMenu,
        text: str,
        slot: Callable[[], object],
        shortcut: Shortcut = None,
        checkable: bool = False,
    ) -> QAction:
        act = QAction(text, self)
        if isinstance(shortcut, list):
            act.setShortcuts(shortcut)
        elif shortcut is not None:
            act.setShortcut(shortcut)
        act.setCheckable(checkable)
        act.triggered.connect(slot)
        menu.addAction(act)
        self.addAction(act)
        return act

    def _build_menus(self) -> None:
        mb = self.menuBar()
        S = QKeySequence.StandardKey
        f = mb.addMenu("&File")
        self._action(f, "Add corpus folder…", self.choose_corpus_folder, "Ctrl+O")
        self._action(f, "Open a brief file…", self.choose_brief_file)
        self.remove_menu = f.addMenu("Remove corpus folder")
        self.remove_menu.setObjectName("removeCorpusMenu")
        self.remove_menu.aboutToShow.connect(self._fill_remove_menu)
        self._action(f, "Rebuild index", self.rebuild_index)
        f.addSeparator()
        self._action(f, "Print brief…", self.print_brief, "Ctrl+P")
        self._action(f, "Export brief to PDF…", self.export_pdf, "Ctrl+Shift+E")
        self._action(f, "Problems…", self.show_problems)
        f.addSeparator()
        self._action(f, "Quit", self.close, S.Quit)

        e = mb.addMenu("&Edit")
        search_keys = [QKeySequence("Ctrl+L"), QKeySequence("Ctrl+K")]
        self._action(e, "Search", self.focus_search, search_keys)
        self._action(e, "Find in brief…", self.show_find, S.Find)
        self._action(e, "Next hit", lambda: self.step_hit(1), "F3")
        self._action(e, "Previous hit", lambda: self.step_hit(-1), "Shift+F3")
        e.addSeparator()
        self._action(e, "Filters", self.facet_dock.toggleViewAction().trigger, "Ctrl+Shift+F")

        self._build_view_menu(mb.addMenu("&View"))

        g = mb.addMenu("&Go")
        # Alt+Left / Alt+Right only: StandardKey.Back is that same key on X11, and one action
        # holding a key twice makes Qt call it ambiguous and fire neither.
        self.back_action = self._action(g, "Back", self.back, "Alt+Left")
        self.forward_action = self._action(g, "Forward", self.forward, "Alt+Right")
        self.back_action.setEnabled(False)
        self.forward_action.setEnabled(False)

        h = mb.addMenu("&Help")
        self._action(h, "Keyboard shortcuts", self.show_shortcuts, "F1")
        self._action(h, "About briefreader", self.show_about)

    def _build_view_menu(self, v: QMenu) -> None:
        larger = [QKeySequence("Ctrl++"), QKeySequence("Ctrl+=")]
        self._action(v, "Larger text", lambda: self.change_font(1), larger)
        self._action(v, "Smaller text", lambda: self.change_font(-1), "Ctrl+-")
        self._action(v, "Normal size", lambda: self.set_font_size(11.0), "Ctrl+0")
        v.addSeparator()
        theme_menu = v.addMenu("Theme")
        self.theme_group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for key in THEMES:
            act = QAction(key.title(), self, checkable=True)
            act.triggered.connect(lambda _c=False, k=key: self.set_theme(k))
            self.theme_group.addAction(act)
            theme_menu.addAction(act)
            self.theme_actions[key] = act
        self.marks_action = self._action(
            v, "Actor marks", self.toggle_marks, "Ctrl+M", checkable=True
        )
        self.marks_action.setChecked(True)
        self._action(v, "Flip article / comment split", self.flip_split, "Ctrl+Shift+O")
        v.addSeparator()
        for dock in (self.glossary_dock, self.related_dock, self.facet_dock):
            v.addAction(dock.toggleViewAction())

    def _wire(self) -> None:
        self.search.resultsShown.connect(self.resultsShown)
        self.search.openRequested.connect(self.reader.open_brief)
        self.related.activated.connect(self._open_related)
        self.related.clicked.connect(self._open_related)
        self.reader.briefShown.connect(self.briefShown)
        self.reader.titleChanged.connect(lambda t: self.setWindowTitle(f"{t} — briefreader"))
        self.reader.historyChanged.connect(self._on_history_changed)
        self.reader.message.connect(self.statusBar().showMessage)

        w = self.workers
        w.indexProgress.connect(self._on_index_progress)
        w.indexFinished.connect(self._on_index_finished)
        w.indexFailed.connect(self._on_index_failed)

        self.pane.briefRequested.connect(self.open_brief)
        self.pane.actorClicked.connect(self.glossary_panel.select_actor)
        self.pane.actorClicked.connect(lambda _a: self.show_actor_panel())
        self.pane.addAliasRequested.connect(self.glossary_editor.ask_add_alias)
        self.pane.addActorRequested.connect(self.glossary_editor.ask_add_actor)
        self.glossary_editor.edited.connect(self._on_glossary_edited)
        self.glossary_panel.searchRequested.connect(self.search.search_for)

    # -- settings ------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        s = self.settings
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 880)
        state = s.value("window/state")
        #: The layout is the user's (restored): the docks are left as they were left.
        self._layout_restored = isinstance(state, QByteArray) and self.restoreState(state)
        split = s.value("window/splitter")
        if isinstance(split, QByteArray):
            self.splitter.restoreState(split)
        else:
            self._default_split = True
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
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("reading/splitter", self.pane.splitter.saveState())
        s.setValue("reading/fontSize", self.pane.font_size)
        s.setValue("reading/marks", self.pane.marks)
        s.sync()

    # -- layout: the reading panes' measure first ----------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Docks yield room before the reading panes do: see :data:`WIDE_WINDOW`."""
        super().resizeEvent(event)
        old, new = event.oldSize().width(), event.size().width()
        first = old <= 0
        if first and self._default_split:
            self._default_split = False
            share = round(new * RESULTS_SHARE)
            self.splitter.setSizes([max(RESULTS_MIN, min(RESULTS_MAX, share)), new])
        if first and self._layout_restored:
            return  # the user's own layout, as it was left
        if first or (old >= WIDE_WINDOW) != (new >= WIDE_WINDOW):
            self._fit_docks(new >= WIDE_WINDOW)

    def _fit_docks(self, wide: bool) -> None:
        """Show the right-hand docks in a wide window, hide them in a narrower one; what the
        user chooses in View stays so until the window crosses :data:`WIDE_WINDOW`."""
        for dock in (self.glossary_dock, self.related_dock):
            dock.setVisible(wide)
        if wide:
            self.resizeDocks([self.glossary_dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)

    def show_actor_panel(self) -> None:
        """Show the Actors dock (a mark was clicked: the user wants to see the actor)."""
        if not self.glossary_dock.isVisible():
            self.glossary_dock.show()
            self.resizeDocks([self.glossary_dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)

    # -- start ---------------------------------------------------------------------------

    def start(self, query: str = "", open_id: str | None = None) -> None:
        """Index in the background, then show results for ``query`` and a first brief."""
        self.search.open_first = open_id is None
        if query:
            self.search.set_text_quietly(query)
        self.update_index()
        self.run_search()
        if open_id:
            self.open_brief(open_id)
        self.watcher.watch(self.library.corpora)

    # -- indexing ------------------------------------------------------------------------

    @Slot()
    def update_index(self) -> None:
        if self.workers.indexing:
            return
        self.search.index_done = False
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status_label.setText("Updating the index…")
        self.workers.update_index()

    @Slot(int, int, str)
    def _on_index_progress(self, done: int, total: int, _path: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.status_label.setText(f"Indexing {done} of {counted(total, 'brief')}…")

    @Slot(object)
    def _on_index_finished(self, report: UpdateReport) -> None:
        self._report = report
        changed = bool(report.added or report.updated or report.removed)
        if changed:
            self.workers.forget_views()
        self.search.index_done = True
        self.progress.hide()
        text = counted(report.indexed, "brief")
        if changed:
            text += f" · {report.added} new, {report.updated} changed, {report.removed} removed"
        if report.skipped:
            text += f" · {len(report.skipped)} could not be read (File ▸ Problems)"
        if report.rebuilt_reason:  # a damaged or outdated index was rebuilt: say so, plainly
            text = f"{report.rebuilt_reason[:1].upper()}{report.rebuilt_reason[1:]} · {text}"
            self.status_label.setToolTip(rich_text(report.rebuilt_reason))
        self.status_label.setText(text)
        if changed or self.model.incomplete:
            self.run_search()
        emit(self.indexReady, report)

    @Slot(str)
    def _on_index_failed(self, message: str) -> None:
        self.search.index_done = True
        self.progress.hide()
        if self.workers.reader is not None:
            # Not updated (another instance holds the index, say), but searchable as it is.
            message += " Searching the index as it is (read-only)."
        self.status_label.setText(message)

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
        self.library = lib
        self.workers.library = lib
        lib.remember_corpora()
        self.watcher.watch(self.library.corpora)
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
        self.status_label.setText("Rebuilding the index…")
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
        so the page can never disagree with what the keys do."""
        rows: list[tuple[str, str, str]] = []
        listed: set[int] = set()  # an action in two menus (a panel's, View) is listed once
        for menu_action in self.menuBar().actions():
            menu = menu_action.menu()
            if not isinstance(menu, QMenu):
                continue
            for act in menu.actions():
                if id(act) in listed:
                    continue
                listed.add(id(act))
                keys = ", ".join(
                    k.toString(QKeySequence.SequenceFormat.NativeText) for k in act.shortcuts()
                )
                if keys:
                    rows.append((menu.title().replace("&", ""), act.text(), keys))
        rows += [
            ("Search", "Open the top result", "Enter (in the search box)"),
            ("Search", "Go to the results", "Down (in the search box)"),
            ("Search", "Clear the search", "Esc (in the search box)"),
        ]
        return rows

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
        self.user_layer.close()
        super().closeEvent(event)
