"""The reading window: layout, actions, menus and shortcuts, wired to the background workers."""

from __future__ import annotations

import html
import logging
import os
from pathlib import Path

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QFileSystemWatcher,
    QModelIndex,
    QObject,
    QSettings,
    Qt,
    QTimer,
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
    QPalette,
    QShortcut,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from briefreader import paths
from briefreader.core.glossary import KNOWN_KINDS, GlossaryError
from briefreader.core.library import Library
from briefreader.core.reading import BriefView
from briefreader.core.records import Hit, SearchResults
from briefreader.core.report import UpdateReport
from briefreader.ui.models import FacetModel, HitListModel, HitRole, ProblemModel
from briefreader.ui.qtcompat import emit
from briefreader.ui.theme import apply_theme, system_is_dark
from briefreader.ui.widgets.glossary_panel import GlossaryPanel
from briefreader.ui.widgets.marks import DARK, KIND_LABELS, LIGHT, MarkStyle, decorate
from briefreader.ui.widgets.reading_pane import ReadingPane
from briefreader.ui.widgets.result_delegate import ResultDelegate
from briefreader.ui.workers import SearchRequest, Workers

log = logging.getLogger(__name__)

DEBOUNCE_MS = 250
RELATED_DELAY_MS = 50
PAGE = 60
FONT_MIN, FONT_MAX = 8.0, 24.0


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

        self._generation = 0
        self._token = 0
        self._request = SearchRequest("")
        self._shown_query = ""
        self._history: list[str] = []
        self._history_pos = -1
        self._record_pending = True
        self._hit_step = -1
        self._mention_step = -1
        self._open_first = True
        self._report: UpdateReport | None = None
        self._index_done = False
        self._style: MarkStyle = LIGHT
        self._filters: dict[str, list[str]] = {"actors": [], "source": [], "year": [], "tags": []}

        self._build_left()
        self.pane = ReadingPane()
        self.pane.setObjectName("readingPane")
        self._build_findbar()
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.setSpacing(0)
        rl.addWidget(self.pane, 1)
        rl.addWidget(self.findbar)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([380, 1000])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        self._build_docks()
        self._build_status()
        self._build_actions()
        self._wire()
        self._watcher = QFileSystemWatcher(self)
        self._watch_timer = QTimer(self, singleShot=True, interval=1500)
        self._watch_timer.timeout.connect(self.update_index)
        self._watcher.directoryChanged.connect(lambda _p: self._watch_timer.start())
        self._restore_settings()

    # -- building ------------------------------------------------------------------------

    def _build_left(self) -> None:
        self.left = QWidget()
        self.left.setObjectName("leftPanel")
        self.search_box = QLineEdit()
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText("Search briefs  (Ctrl+L)")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.installEventFilter(self)
        self.sort_combo = QComboBox()
        self.sort_combo.setObjectName("sortCombo")
        for label, value in (
            ("Relevance", "relevance"),
            ("Newest", "newest"),
            ("Oldest", "oldest"),
        ):
            self.sort_combo.addItem(label, value)
        self.sort_combo.setToolTip("Sort results")
        self.sort_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.info = QLabel()
        self.info.setObjectName("resultInfo")
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.info.setOpenExternalLinks(False)

        self.model = HitListModel(self._fetch_more, self._actor_names, self)
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

        top = QHBoxLayout()
        top.setSpacing(6)
        top.addWidget(self.search_box, 1)
        top.addWidget(self.sort_combo)
        lay = QVBoxLayout(self.left)
        lay.setContentsMargins(10, 10, 4, 0)
        lay.setSpacing(6)
        lay.addLayout(top)
        lay.addWidget(self.info)
        lay.addWidget(self.results, 1)

        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(self.run_search)

    def _build_findbar(self) -> None:
        self.findbar = QWidget()
        self.findbar.setObjectName("findBar")
        self.find_box = QLineEdit()
        self.find_box.setPlaceholderText("Find in this brief")
        self.find_box.returnPressed.connect(lambda: self._find(False))
        self.find_box.installEventFilter(self)
        prev_b = QPushButton("Previous")
        prev_b.clicked.connect(lambda: self._find(True))
        next_b = QPushButton("Next")
        next_b.clicked.connect(lambda: self._find(False))
        close_b = QPushButton("Close")
        close_b.clicked.connect(self.findbar.hide)
        self.find_status = QLabel()
        lay = QHBoxLayout(self.findbar)
        lay.setContentsMargins(12, 6, 12, 6)
        lay.addWidget(self.find_box, 1)
        lay.addWidget(prev_b)
        lay.addWidget(next_b)
        lay.addWidget(self.find_status)
        lay.addWidget(close_b)
        self.findbar.hide()

    def _build_docks(self) -> None:
        self.glossary_panel = GlossaryPanel(self.library.glossary)
        self.glossary_dock = QDockWidget("Actors", self)
        self.glossary_dock.setObjectName("glossaryDock")
        self.glossary_dock.setWidget(self.glossary_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.glossary_dock)

        self.related_model = HitListModel(None, self._actor_names, self)
        self.related = QListView()
        self.related.setObjectName("related")
        self.related.setModel(self.related_model)
        self.related.setWordWrap(True)
        self.related.setUniformItemSizes(True)
        self.related.setSpacing(2)
        self.related.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.related.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.related_dock = QDockWidget("More like this", self)
        self.related_dock.setObjectName("relatedDock")
        self.related_dock.setWidget(self.related)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.related_dock)
        self.resizeDocks(
            [self.glossary_dock, self.related_dock], [560, 200], Qt.Orientation.Vertical
        )
        self.resizeDocks([self.glossary_dock], [350], Qt.Orientation.Horizontal)

        self.facet_models = {k: FacetModel(self) for k in ("actors", "source", "year", "tags")}
        facets = QWidget()
        facets.setObjectName("facets")
        fl = QVBoxLayout(facets)
        fl.setContentsMargins(10, 6, 10, 10)
        self.facet_views: dict[str, QListView] = {}
        for key, title in (
            ("actors", "Actors"),
            ("year", "Years"),
            ("source", "Sources"),
            ("tags", "Tags"),
        ):
            label = QLabel(title)
            label.setObjectName("facetTitle")
            view = QListView()
            view.setModel(self.facet_models[key])
            view.setObjectName(f"facet_{key}")
            self.facet_views[key] = view
            fl.addWidget(label)
            fl.addWidget(view, 2 if key == "actors" else 1)
            self.facet_models[key].itemChanged.connect(self._on_facet_changed)
        self.clear_filters_button = QPushButton("Clear filters")
        self.clear_filters_button.clicked.connect(self.clear_filters)
        fl.addWidget(self.clear_filters_button)
        self.facet_dock = QDockWidget("Filters", self)
        self.facet_dock.setObjectName("facetDock")
        self.facet_dock.setWidget(facets)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.facet_dock)
        self.facet_dock.hide()

    def _build_status(self) -> None:
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)
        self.statusBar().addPermanentWidget(self.progress)

    def _action(
        self,
        menu: object,
        text: str,
        slot: object,
        shortcut: object = None,
        checkable: bool = False,
    ) -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            if isinstance(shortcut, list):
                act.setShortcuts(shortcut)
            else:
                act.setShortcut(shortcut)
        act.setCheckable(checkable)
        act.triggered.connect(slot)
        menu.addAction(act)  # type: ignore[attr-defined]
        self.addAction(act)
        return act

    def _build_actions(self) -> None:
        mb = self.menuBar()
        S = QKeySequence.StandardKey
        f = mb.addMenu("&File")
        self._action(f, "Add corpus folder…", self.choose_corpus_folder, "Ctrl+O")
        self._action(f, "Rebuild index", self.rebuild_index)
        f.addSeparator()
        self._action(f, "Print brief…", self.print_brief, "Ctrl+P")
        self._action(f, "Export brief to PDF…", self.export_pdf, "Ctrl+Shift+E")
        self._action(f, "Problems…", self.show_problems)
        f.addSeparator()
        self._action(f, "Quit", self.close, S.Quit)

        e = mb.addMenu("&Edit")
        self._action(
            e, "Search", self.focus_search, [QKeySequence("Ctrl+L"), QKeySequence("Ctrl+K")]
        )
        self._action(e, "Find in brief…", self.show_find, S.Find)
        self._action(e, "Next hit", lambda: self.step_hit(1), "F3")
        self._action(e, "Previous hit", lambda: self.step_hit(-1), "Shift+F3")
        e.addSeparator()
        self._action(e, "Filters", self.facet_dock.toggleViewAction().trigger, "Ctrl+Shift+F")

        v = mb.addMenu("&View")
        self._action(
            v,
            "Larger text",
            lambda: self.change_font(1),
            [QKeySequence("Ctrl++"), QKeySequence("Ctrl+=")],
        )
        self._action(v, "Smaller text", lambda: self.change_font(-1), "Ctrl+-")
        self._action(v, "Normal size", lambda: self.set_font_size(11.0), "Ctrl+0")
        v.addSeparator()
        theme_menu = v.addMenu("Theme")
        self.theme_group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for key, label in (("system", "System"), ("light", "Light"), ("dark", "Dark")):
            act = QAction(label, self, checkable=True)
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

        g = mb.addMenu("&Go")
        self.back_action = self._action(g, "Back", self.back, [QKeySequence("Alt+Left"), S.Back])
        self.forward_action = self._action(
            g, "Forward", self.forward, [QKeySequence("Alt+Right"), S.Forward]
        )
        self.back_action.setEnabled(False)
        self.forward_action.setEnabled(False)

        esc = QShortcut(
            QKeySequence("Escape"), self.search_box, context=Qt.ShortcutContext.WidgetShortcut
        )
        esc.activated.connect(self.search_box.clear)
        fesc = QShortcut(
            QKeySequence("Escape"),
            self.findbar,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        fesc.activated.connect(self.findbar.hide)

    def _wire(self) -> None:
        self.search_box.textChanged.connect(self._on_text_changed)
        self.search_box.returnPressed.connect(self._search_now)
        self.sort_combo.currentIndexChanged.connect(lambda _i: self.run_search())
        self.info.linkActivated.connect(self._on_info_link)
        self.results.clicked.connect(self._open_index)
        self.results.activated.connect(self._open_index)
        self.related.activated.connect(self._open_related)
        self.related.clicked.connect(self._open_related)

        w = self.workers
        w.indexProgress.connect(self._on_index_progress)
        w.indexFinished.connect(self._on_index_finished)
        w.indexFailed.connect(self._on_index_failed)
        w.searchFinished.connect(self._on_search_finished)
        w.relatedReady.connect(self._on_related_ready)
        w.searchFailed.connect(self._on_search_failed)
        w.briefReady.connect(self._on_brief_ready)
        w.briefFailed.connect(self._on_brief_failed)

        self.pane.actorClicked.connect(self.glossary_panel.select_actor)
        self.pane.addAliasRequested.connect(self.ask_add_alias)
        self.pane.addActorRequested.connect(self.ask_add_actor)
        self.glossary_panel.actorSelected.connect(self._on_actor_selected)
        self.glossary_panel.searchRequested.connect(self.search_for)
        self.glossary_panel.stepRequested.connect(self.step_mention)

    # -- settings ------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        s = self.settings
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 880)
        state = s.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        split = s.value("window/splitter")
        if isinstance(split, QByteArray):
            self.splitter.restoreState(split)
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

    # -- start ---------------------------------------------------------------------------

    def start(self, query: str = "", open_id: str | None = None) -> None:
        """Index in the background, then show results for ``query`` and a first brief."""
        self._open_first = open_id is None
        if query:
            blocker = self.search_box.blockSignals(True)
            self.search_box.setText(query)
            self.search_box.blockSignals(blocker)
        self.update_index()
        self.run_search()
        if open_id:
            self.open_brief(open_id)
        self._watch_corpora()

    def _watch_corpora(self) -> None:
        """Watch the corpus folders; listing them runs off the GUI thread (10,000 files)."""
        roots = list(self.library.corpora)

        def folders() -> list[str]:
            out: list[str] = []
            for root in roots:
                if root.is_dir():
                    out.append(str(root))
                    for dirpath, dirnames, _files in os.walk(root):
                        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                        out.extend(os.path.join(dirpath, d) for d in dirnames)
            return out[:2000]

        def watch(dirs: list[str]) -> None:
            if self._watcher.directories():
                self._watcher.removePaths(self._watcher.directories())
            if dirs:
                self._watcher.addPaths(dirs)

        self.workers.call(folders, watch)

    # -- indexing ------------------------------------------------------------------------

    @Slot()
    def update_index(self) -> None:
        if self.workers.indexing:
            return
        self._index_done = False
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status_label.setText("Updating the index…")
        self.workers.update_index()

    @Slot(int, int, str)
    def _on_index_progress(self, done: int, total: int, _path: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.status_label.setText(f"Indexing {done} of {total} briefs…")

    @Slot(object)
    def _on_index_finished(self, report: UpdateReport) -> None:
        self._report = report
        if report.added or report.updated or report.removed:
            self.workers.forget_views()
        self._index_done = True
        self.progress.hide()
        text = f"{report.indexed} briefs"
        if report.added or report.updated or report.removed:
            text += f" · {report.added} new, {report.updated} changed, {report.removed} removed"
        if report.skipped:
            text += f" · {len(report.skipped)} could not be read (File ▸ Problems)"
        if report.rebuilt_reason:  # a damaged or outdated index was rebuilt: say so, plainly
            text = f"{report.rebuilt_reason[:1].upper()}{report.rebuilt_reason[1:]} · {text}"
            self.status_label.setToolTip(report.rebuilt_reason)
        self.status_label.setText(text)
        if report.added or report.updated or report.removed or self.model.incomplete:
            self.run_search()
        emit(self.indexReady, report)

    @Slot(str)
    def _on_index_failed(self, message: str) -> None:
        self._index_done = True
        self.progress.hide()
        if self.workers.reader is not None:
            # Not updated (another instance holds the index, say), but searchable as it is.
            message += " Searching the index as it is (read-only)."
        self.status_label.setText(message)

    @property
    def index_done(self) -> bool:
        return self._index_done

    # -- searching -----------------------------------------------------------------------

    def _actor_names(self, ids: object) -> list[tuple[str, str]]:
        describe = self.library.glossary.describe
        return [describe(actor_id)[:2] for actor_id in ids]  # type: ignore[attr-defined]

    @Slot(str)
    def _on_text_changed(self, _text: str) -> None:
        # Answers to what was there before are stale from this keystroke on.
        self._generation += 1
        self._debounce.start()

    @Slot()
    def _search_now(self) -> None:
        self._debounce.stop()
        self.run_search()
        if self.model.rowCount() and not self.pane.view:
            self.results.setFocus()

    def current_request(self, offset: int = 0) -> SearchRequest:
        years = tuple(int(y) for y in self._filters["year"] if y.isdigit())
        return SearchRequest(
            text=self.search_box.text(),
            sort=str(self.sort_combo.currentData() or "relevance"),
            actors=tuple(self._filters["actors"]),
            sources=tuple(self._filters["source"]),
            years=years,
            tags=tuple(self._filters["tags"]),
            offset=offset,
            limit=PAGE,
        )

    @Slot()
    def run_search(self) -> None:
        self._debounce.stop()
        self._generation += 1
        self._request = self.current_request()
        self.workers.search(self._generation, self._request)

    def _fetch_more(self, offset: int) -> None:
        self.workers.search(self._generation, self.current_request(offset))

    def search_for(self, query: str) -> None:
        self.search_box.setText(query)
        self.run_search()

    @Slot(int, object, object)
    def _on_search_finished(
        self, generation: int, request: SearchRequest, res: SearchResults
    ) -> None:
        if generation != self._generation:
            return  # the user typed on; this answer is stale
        if request.offset:
            self.model.append_hits(request.offset, res.hits)
            return
        current = self.pane.view.brief.id if self.pane.view else None
        self.model.set_hits(res.hits, res.total)
        self.model.incomplete = not self._index_done
        self._shown_query = request.text
        self._update_facets(res)
        self._update_info(request, res)
        if current is not None:
            row = self.model.row_of(current)
            if row >= 0:
                self.results.setCurrentIndex(self.model.index(row))
        if self._open_first and res.hits:
            self._open_first = False
            self.results.setCurrentIndex(self.model.index(0))
            self.open_brief(res.hits[0].id)
        emit(self.resultsShown, res.total)

    @Slot(int, str)
    def _on_search_failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.info.setText(html.escape(message))

    def _update_info(self, request: SearchRequest, res: SearchResults) -> None:
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
                parts.append("No briefs yet." if self._index_done else "Indexing the briefs…")
        else:
            n = res.total
            about = "" if res.exact else "at least "
            if request.text.strip():
                text = f"{about}{n} brief{'s' if n != 1 else ''}"
                if res.total_all_words != n:
                    text += f" ({about}{res.total_all_words} with all the words)"
            else:
                text = f"All {n} briefs, newest first"
            parts.append(f"<span style='color:{muted}'>{text}</span>")
        if self._any_filter():
            parts.append("<a href='clear:'>clear filters</a>")
        for notice in res.notices:
            parts.append(f"<br><span style='color:{muted}'>note: {html.escape(notice)}</span>")
        if not self._index_done:
            parts.append(
                f"<br><span style='color:{muted}'><i>index still updating: results may be "
                "incomplete</i></span>"
            )
        self.info.setText(" ".join(parts))

    @Slot(str)
    def _on_info_link(self, link: str) -> None:
        if link.startswith("suggest:"):
            self.search_for(link[len("suggest:") :])
        elif link.startswith("clear:"):
            self.clear_filters()

    # -- facets --------------------------------------------------------------------------

    def _update_facets(self, res: SearchResults) -> None:
        def actor_label(actor_id: str) -> str:
            return self.library.glossary.describe(actor_id)[0]

        labels = {"actors": actor_label, "source": str, "year": str, "tags": str}
        for key, model in self.facet_models.items():
            counts = res.facets.get(key, {})
            if key == "year":
                counts = dict(sorted(counts.items(), reverse=True))
            blocker = model.blockSignals(True)
            model.set_counts(dict(list(counts.items())[:60]), self._filters[key], labels[key])
            model.blockSignals(blocker)
            self.facet_views[key].reset()
        self.clear_filters_button.setEnabled(self._any_filter())

    def _any_filter(self) -> bool:
        return any(self._filters.values())

    @Slot()
    def _on_facet_changed(self) -> None:
        for key, model in self.facet_models.items():
            self._filters[key] = model.checked()
        self.run_search()

    @Slot()
    def clear_filters(self) -> None:
        self._filters = {k: [] for k in self._filters}
        self.run_search()

    def set_filter(self, key: str, values: list[str]) -> None:
        self._filters[key] = list(values)
        self.run_search()

    # -- opening briefs ------------------------------------------------------------------

    @Slot(QModelIndex)
    def _open_index(self, index: QModelIndex) -> None:
        hit = index.data(HitRole)
        if hit is not None:
            self.open_brief(hit.id)

    @Slot(QModelIndex)
    def _open_related(self, index: QModelIndex) -> None:
        hit = index.data(HitRole)
        if hit is not None:
            self.open_brief(hit.id)

    def open_brief(self, ref: str, *, record: bool = True) -> None:
        """Load and show a brief (parsed and rendered in the background)."""
        self._token += 1
        self._record_pending = record
        self.workers.load_brief(self._token, ref, self._shown_query or self.search_box.text())

    def reload_brief(self) -> None:
        self.workers.forget_views()  # the glossary or the file changed: prepare it afresh
        if self.pane.view is not None:
            self.open_brief(self.pane.view.brief.id, record=False)

    @Slot(int, object)
    def _on_brief_ready(self, token: int, view: BriefView) -> None:
        if token != self._token:
            return
        selected = self.glossary_panel.current()
        same = self.pane.view is not None and self.pane.view.brief.id == view.brief.id
        self.pane.show_view(view)
        self.glossary_panel.set_mentions(view.mentions)
        if same and selected:
            self.glossary_panel.select_actor(selected)
        self.related_model.set_hits(view.related, len(view.related))
        self._hit_step = self._mention_step = -1
        if self._record_pending:
            del self._history[self._history_pos + 1 :]
            if not self._history or self._history[-1] != view.brief.id:
                self._history.append(view.brief.id)
            self._history_pos = len(self._history) - 1
        self._update_history_actions()
        row = self.model.row_of(view.brief.id)
        if row >= 0:
            self.results.setCurrentIndex(self.model.index(row))
        self.setWindowTitle(f"{view.brief.title} — briefreader")
        # Related briefs, and the next result, once the brief has painted: a worker thread
        # running Python meanwhile holds the GIL the painting needs.
        brief_id = view.brief.id
        QTimer.singleShot(RELATED_DELAY_MS, self, lambda: self._ask_related(token, brief_id))
        emit(self.briefShown, view.brief.id)

    def _prefetch_next(self, brief_id: str) -> None:
        """Readers go down the list: the next result is prepared while this one is read."""
        row = self.model.row_of(brief_id)
        following = self.model.hit(row + 1) if 0 <= row < self.model.rowCount() - 1 else None
        if following is not None:
            self.workers.prefetch_brief(following.id, self._shown_query or self.search_box.text())

    def _ask_related(self, token: int, brief_id: str) -> None:
        if token == self._token:
            self.workers.load_related(token, brief_id)
            self._prefetch_next(brief_id)

    @Slot(int, object)
    def _on_related_ready(self, token: int, hits: list[Hit]) -> None:
        if token == self._token:
            self.related_model.set_hits(hits, len(hits))

    @Slot(int, str)
    def _on_brief_failed(self, token: int, message: str) -> None:
        if token == self._token:
            self.statusBar().showMessage(message, 8000)

    # -- history -------------------------------------------------------------------------

    def _update_history_actions(self) -> None:
        self.back_action.setEnabled(self._history_pos > 0)
        self.forward_action.setEnabled(0 <= self._history_pos < len(self._history) - 1)

    @Slot()
    def back(self) -> None:
        if self._history_pos > 0:
            self._history_pos -= 1
            self.open_brief(self._history[self._history_pos], record=False)
            self._update_history_actions()

    @Slot()
    def forward(self) -> None:
        if self._history_pos < len(self._history) - 1:
            self._history_pos += 1
            self.open_brief(self._history[self._history_pos], record=False)
            self._update_history_actions()

    @property
    def history(self) -> list[str]:
        return list(self._history)

    # -- actors --------------------------------------------------------------------------

    @Slot(str)
    def _on_actor_selected(self, actor_id: str) -> None:
        self._mention_step = -1
        self.pane.set_selected(actor_id or None)
        if actor_id:
            self.step_mention(1)

    @Slot(int)
    def step_mention(self, step: int) -> None:
        actor_id = self.glossary_panel.current()
        if not actor_id:
            return
        spots = self.pane.actor_positions(actor_id)
        if not spots:
            return
        self._mention_step = (self._mention_step + step) % len(spots)
        browser, span = spots[self._mention_step]
        browser.select_span(span)

    def step_hit(self, step: int) -> None:
        spots = self.pane.hit_positions()
        if not spots:
            self.statusBar().showMessage("No search hits in this brief.", 3000)
            return
        self._hit_step = (self._hit_step + step) % len(spots)
        browser, span = spots[self._hit_step]
        browser.select_span(span)
        self.statusBar().showMessage(f"Hit {self._hit_step + 1} of {len(spots)}", 3000)

    def _save_glossary(self) -> str | None:
        try:
            self.library.glossary.save_user(paths.user_glossary(self.library.data_dir))
        except (GlossaryError, OSError) as exc:
            return f"The glossary could not be saved: {exc}"
        return None

    def add_alias(self, actor_id: str, alias: str) -> str | None:
        """Add an alias, save the user glossary, re-mark the open brief; None or an error."""
        try:
            self.library.glossary.add_alias(actor_id, alias)
        except (KeyError, ValueError) as exc:
            return str(exc).strip("'\"")
        error = self._save_glossary()
        self.glossary_panel.refresh()
        self.reload_brief()
        self._glossary_changed()
        return error

    def add_actor(self, name: str, kind: str) -> str | None:
        try:
            actor = self.library.glossary.add_actor(name, kind)
        except ValueError as exc:
            return str(exc)
        error = self._save_glossary()
        self.glossary_panel._current = actor.id  # noqa: SLF001 - select it after the reload
        self.glossary_panel.refresh()
        self.reload_brief()
        self._glossary_changed()
        return error

    def _glossary_changed(self) -> None:
        """Re-index the briefs the edit can affect (actor filters and facets follow)."""
        if self.workers.indexing:
            self._watch_timer.start()  # once the running update is done
        else:
            self.update_index()

    @Slot(str)
    def ask_add_alias(self, text: str) -> None:
        actors = sorted(self.library.glossary.actors.values(), key=lambda a: a.name.lower())
        names = [a.name for a in actors]
        current = self.glossary_panel.current()
        start = next((i for i, a in enumerate(actors) if a.id == current), 0)
        name, ok = QInputDialog.getItem(
            self, "Add an alias", f"“{text}” is another name for:", names, start, False
        )
        if not ok:
            return
        actor = actors[names.index(name)]
        error = self.add_alias(actor.id, text)
        if error:
            QMessageBox.warning(self, "Add an alias", error)

    @Slot(str)
    def ask_add_actor(self, text: str) -> None:
        name, ok = QInputDialog.getText(self, "Add an actor", "Name:", text=text)
        if not ok or not name.strip():
            return
        labels = [KIND_LABELS.get(k, k) for k in KNOWN_KINDS]
        label, ok = QInputDialog.getItem(self, "Add an actor", f"{name} is a:", labels, 0, False)
        if not ok:
            return
        error = self.add_actor(name, KNOWN_KINDS[labels.index(label)])
        if error:
            QMessageBox.warning(self, "Add an actor", error)

    # -- view ----------------------------------------------------------------------------

    @Slot()
    def focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    @Slot()
    def show_find(self) -> None:
        self.findbar.show()
        self.find_box.setFocus()
        self.find_box.selectAll()

    def _find(self, backward: bool) -> None:
        text = self.find_box.text()
        if not text:
            return
        found = self.pane.find(text, backward)
        self.find_status.setText("" if found else "not found")

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
        dark = theme == "dark"
        if theme == "system":
            dark = system_is_dark()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, "dark" if dark else "light")
        self._style = DARK if dark else LIGHT
        self.delegate.style_ = self._style
        self.pane.set_style(self._style)
        self.glossary_panel.set_style(self._style)
        self.results.viewport().update()
        if save:
            self.settings.setValue("view/theme", theme)

    # -- files ---------------------------------------------------------------------------

    @Slot()
    def choose_corpus_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of briefs")
        if folder:
            self.add_corpus(Path(folder))

    def add_corpus(self, folder: Path) -> None:
        folder = folder.resolve()
        if folder in self.library.corpora:
            return
        old = self.library
        lib = Library([*old.corpora, folder], old.data_dir, old.glossary)
        self.library = lib
        self.workers.library = lib
        lib.remember_corpora()
        self._watch_corpora()
        self.update_index()
        self.run_search()

    @Slot()
    def rebuild_index(self) -> None:
        if self.workers.indexing:
            return
        self.status_label.setText("Rebuilding the index…")
        self.workers.run(self.library.rebuild, lambda _r: self.update_index())

    @Slot()
    def export_pdf(self) -> None:
        if self.pane.view is None:
            return
        name, _ = QFileDialog.getSaveFileName(
            self, "Export to PDF", f"{Path(self.pane.view.brief.id).stem}.pdf", "PDF (*.pdf)"
        )
        if name:
            self.write_pdf(Path(name))

    def _print_document(self) -> QTextDocument | None:
        """The open brief with its marks, laid out for paper (always the light colours)."""
        view = self.pane.view
        if view is None:
            return None
        style = LIGHT
        body = decorate(view.rendered.article_html, style, marks=self.pane.marks)
        comment = (
            decorate(view.rendered.comment_html, style, marks=self.pane.marks)
            if view.rendered.comment_html is not None
            else "<p><i>This brief has no analyst comment.</i></p>"
        )
        doc = QTextDocument(self)
        doc.setHtml(
            view.rendered.header_html
            + "<h2>Article</h2>"
            + body
            + "<h2>Analyst comment</h2>"
            + comment
        )
        return doc

    def write_pdf(self, target: Path) -> None:
        from PySide6.QtPrintSupport import QPrinter

        doc = self._print_document()
        if doc is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        doc.print_(printer)
        self.statusBar().showMessage(f"Saved {target}", 5000)

    @Slot()
    def print_brief(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        doc = self._print_document()
        if doc is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("Print brief")
        if dialog.exec() == QPrintDialog.DialogCode.Accepted:
            doc.print_(printer)

    def problems(self) -> list[tuple[str, str]]:
        """(file, why) for briefs that could not be read and glossary mistakes."""
        out = [(p.shown_path, p.reason) for p in (self._report.problems if self._report else [])]
        out += [
            (
                str(p.path) if p.path else "glossary",
                (f"line {p.line}: " if p.line else "") + p.message,
            )
            for p in self.library.glossary.problems
        ]
        return out

    def problems_dialog(self) -> QDialog:
        problems = self.problems()
        dlg = QDialog(self)
        dlg.setObjectName("problemsDialog")
        dlg.setWindowTitle("Problems")
        dlg.resize(760, 360)
        model = ProblemModel(dlg)
        model.set_problems(problems)
        table = QTableView()
        table.setObjectName("problemsTable")
        table.setModel(model)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().hide()
        table.setWordWrap(True)
        lay = QVBoxLayout(dlg)
        lay.addWidget(
            QLabel(
                "Every brief could be read."
                if not problems
                else f"{len(problems)} problem(s): these files were skipped or read with a guess."
            )
        )
        lay.addWidget(table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dlg.reject)
        lay.addWidget(buttons)
        return dlg

    @Slot()
    def show_problems(self) -> None:
        self.problems_dialog().exec()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and all(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls():
            path = Path(url.toLocalFile())
            if path.is_dir():
                self.add_corpus(path)
            elif path.is_file():
                self.open_brief(str(path))
        event.acceptProposedAction()

    # -- events --------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search_box and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown) and self.model.rowCount():
                self.results.setFocus()
                if not self.results.currentIndex().isValid():
                    self.results.setCurrentIndex(self.model.index(0))
                return True
        return super().eventFilter(watched, event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        self.workers.shutdown()
        super().closeEvent(event)
