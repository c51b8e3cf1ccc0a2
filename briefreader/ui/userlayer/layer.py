"""The user's own layer in the window: notes, highlights, stars, saved searches, history,
exports. :func:`install` puts it into a :class:`MainWindow` (docks, menus, hooks); the
window itself holds none of this logic.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QMenu,
    QToolButton,
)

from briefreader.core.atomic import write_text_atomic
from briefreader.core.records import Hit
from briefreader.core.userdata import Note
from briefreader.core.userexport import brief_markdown
from briefreader.ui.qtcompat import emit
from briefreader.ui.userlayer import export
from briefreader.ui.userlayer.highlights import AskNote, PaneHighlights, ask_note
from briefreader.ui.userlayer.lists import ResultLists
from briefreader.ui.userlayer.notes_panel import NotesPanel
from briefreader.ui.userlayer.saved import SavedSearches
from briefreader.ui.userlayer.store import UserStore
from briefreader.ui.userlayer.watchlist import WatchlistPanel

if TYPE_CHECKING:
    from briefreader.ui.main_window import MainWindow

log = logging.getLogger(__name__)


class UserLayer(QObject):
    """Everything of the user's own in one window: the panels, the menus, the reading pane's
    highlights and star; the search box's additions are ``lists``, saved searches ``saved``.

    exported(message): an export was written (what to tell the user).
    """

    exported = Signal(str)

    def __init__(self, window: MainWindow, ask: AskNote = ask_note) -> None:
        super().__init__(window)
        self.window = window
        self.ask = ask
        self.store = UserStore(window.library.data_dir, window.workers, self)
        self.store.message.connect(window.statusBar().showMessage)
        self.highlights = PaneHighlights(window.pane, self.store, ask, self)
        self._pending_note: Note | None = None
        self._build_docks()
        self.lists = ResultLists(window, self.store, self)
        self.saved = SavedSearches(
            window, self.store, self.lists, self.watchlist, lambda: self.reveal(self.watch_dock)
        )
        self._build_search_tools()
        self._build_pane_tools()
        self._build_menus()
        self._wire()

    # -- building ------------------------------------------------------------------------

    def _build_docks(self) -> None:
        """Notes and Watchlist: tabs beside "More like this" on the right, so that opening
        them never widens the window (a small screen keeps its reading width)."""
        w = self.window
        right = Qt.DockWidgetArea.RightDockWidgetArea
        self.notes_panel = NotesPanel(self.store)
        self.watchlist = WatchlistPanel(self.store)
        self.notes_dock = QDockWidget("Notes", w)
        self.notes_dock.setObjectName("notesDock")
        self.notes_dock.setWidget(self.notes_panel)
        self.watch_dock = QDockWidget("Watchlist", w)
        self.watch_dock.setObjectName("watchlistDock")
        self.watch_dock.setWidget(self.watchlist)
        for dock in (self.notes_dock, self.watch_dock):
            w.addDockWidget(right, dock)
            w.tabifyDockWidget(w.related_dock, dock)
            dock.hide()
            dock.toggleViewAction().triggered.connect(
                lambda on, d=dock: self.reveal(d) if on else None
            )

    def reveal(self, dock: QDockWidget) -> None:
        """Show one of the user's panels in front of its tab group, with room to read."""
        dock.show()
        dock.raise_()
        w = self.window
        if w.glossary_dock.isVisible() and not w.glossary_dock.isFloating():
            height = max(400, w.height())
            w.resizeDocks(
                [w.glossary_dock, dock], [height * 2 // 5, height * 3 // 5], Qt.Orientation.Vertical
            )

    def _build_search_tools(self) -> None:
        panel = self.window.search
        panel.delegate.title_prefix = self._title_prefix
        panel.results.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        panel.results.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def _title_prefix(self, hit: Hit) -> str:
        """★ for a starred result, "new" for a saved search's news listed first, then its
        first label and how many more (#urgent +2): before its title, which a narrow list
        would otherwise lose to a row of labels."""
        star = "★ " if self.store.is_starred(hit.id) else ""
        if hit.id in self.lists.new_listed:  # a saved search's news, listed first
            star += "new · "
        labels = self.store.labels.get(hit.id, ())
        if not labels:
            return star
        more = f" +{len(labels) - 1}" if len(labels) > 1 else ""
        return f"{star}#{labels[0]}{more} "

    def _build_pane_tools(self) -> None:
        """The star at the header's top right corner, over it rather than in a row of its
        own: the reading pane gets no wider for it (the title wraps short of it)."""
        header = self.window.pane.header
        box = header.parentWidget()
        self.star_button = QToolButton(box)
        self.star_button.setObjectName("starButton")
        self.star_button.setCheckable(True)
        self.star_button.setAutoRaise(True)
        self.star_button.setToolTip("Star this brief (Ctrl+D)")
        self.star_button.setEnabled(False)
        font = self.star_button.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        self.star_button.setFont(font)
        self.star_button.setText("★")
        self.star_button.adjustSize()
        margins = header.contentsMargins()
        margins.setRight(margins.right() + self.star_button.width())
        header.setContentsMargins(margins)
        box.installEventFilter(self)
        self._place_star()
        self._show_star()

    def _place_star(self) -> None:
        box = self.star_button.parentWidget()
        self.star_button.move(box.width() - self.star_button.width() - 12, 8)
        self.star_button.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.star_button.parentWidget():
            self._place_star()
        return super().eventFilter(watched, event)

    def _menu(self, title: str) -> QMenu | None:
        for act in self.window.menuBar().actions():
            if act.text().replace("&", "") == title and isinstance(act.menu(), QMenu):
                return act.menu()  # type: ignore[return-value]
        return None

    def _action(
        self, menu: QMenu, text: str, slot: Callable[[], object], shortcut: str | None = None
    ) -> QAction:
        act = QAction(text, self.window)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(slot)
        menu.addAction(act)
        self.window.addAction(act)
        return act

    def _build_menus(self) -> None:
        bar = self.window.menuBar()
        help_menu = self._menu("Help")
        notes = QMenu("&Notes", bar)
        watch = QMenu("&Watch", bar)
        for menu in (notes, watch):
            if help_menu is not None:
                bar.insertMenu(help_menu.menuAction(), menu)
            else:
                bar.addMenu(menu)
        a = self._action
        a(notes, "Highlight the selection…", self.highlight_selection, "Ctrl+Shift+H")
        a(notes, "Note on this brief…", self.note_on_brief, "Ctrl+Shift+N")
        notes.addSeparator()
        self.star_action = a(notes, "Star this brief", self.toggle_star, "Ctrl+D")
        self.star_action.setCheckable(True)
        a(notes, "Star the selected results", lambda: self.star_selected(True), "Ctrl+Shift+D")
        a(notes, "Unstar the selected results", lambda: self.star_selected(False))
        a(notes, "Label the selected results…", self.ask_label, "Ctrl+Shift+L")
        a(notes, "Mark this brief unread", self.mark_unread, "Ctrl+Shift+U")
        a(watch, "Save this search…", self.saved.save_search, "Ctrl+S")
        a(watch, "Watch an actor…", self.saved.ask_watch)
        watch.addSeparator()
        a(watch, "Recent searches…", self.lists.show_history, "Ctrl+H")
        view = self._menu("View")
        self.notes_dock.toggleViewAction().setShortcut(QKeySequence("F7"))
        self.watch_dock.toggleViewAction().setShortcut(QKeySequence("F8"))
        for dock in (self.notes_dock, self.watch_dock):
            if view is not None:
                view.addAction(dock.toggleViewAction())
            self.window.addAction(dock.toggleViewAction())
        # Each panel in its own menu too, where one looks for it first.
        notes.addSeparator()
        notes.addAction(self.notes_dock.toggleViewAction())
        watch.insertAction(watch.actions()[0], self.watch_dock.toggleViewAction())
        watch.insertSeparator(watch.actions()[1])
        self._build_export_menu()

    def _build_export_menu(self) -> None:
        file_menu = self._menu("File")
        if file_menu is None:
            return
        menu = QMenu("Export", file_menu)
        menu.setObjectName("exportMenu")
        for fmt, (label, _suffix) in export.FORMATS.items():
            act = menu.addAction(f"Results as {label}…")
            act.triggered.connect(lambda _c=False, f=fmt: self.ask_export_results(f))
        menu.addSeparator()
        for fmt, (label, _suffix) in export.FORMATS.items():
            act = menu.addAction(f"Starred briefs as {label}…")
            act.triggered.connect(lambda _c=False, f=fmt: self.ask_export_starred(f))
        menu.addSeparator()
        menu.addAction("Brief with notes as Markdown…").triggered.connect(
            lambda: self.ask_export_brief("md")
        )
        menu.addAction("Brief with notes as PDF…").triggered.connect(
            lambda: self.ask_export_brief("pdf")
        )
        before = next((x for x in file_menu.actions() if x.text().startswith("Problems")), None)
        if before is not None:
            file_menu.insertMenu(before, menu)
        else:
            file_menu.addMenu(menu)

    def _wire(self) -> None:
        w, panel = self.window, self.window.search
        panel.results.customContextMenuRequested.connect(self._results_menu)
        self.star_button.clicked.connect(self.toggle_star)
        w.briefShown.connect(self._on_brief_shown)
        self.store.marksChanged.connect(self._on_marks_changed)
        self.highlights.watchRequested.connect(self.saved.watch_actor)
        self.highlights.starToggled.connect(self.toggle_star)
        self.notes_panel.openRequested.connect(self.open_note)
        self.notes_panel.addNoteRequested.connect(self.note_on_brief)
        self.notes_panel.editRequested.connect(self.highlights.edit)
        self.notes_panel.deleteRequested.connect(self.highlights.delete)
        self.watchlist.exportRequested.connect(self.ask_export_saved)
        self.watchlist.exportStarredRequested.connect(self.ask_export_starred)
        self.notes_dock.visibilityChanged.connect(
            lambda shown: self.notes_panel.refresh_all() if shown else None
        )
        for notice in self.store.notices:
            w.statusBar().showMessage(notice, 15000)

    def close(self) -> None:
        """The window is closing: the database is closed (its background jobs are done)."""
        self.store.close()

    # -- notes and highlights ------------------------------------------------------------

    @Slot()
    def highlight_selection(self) -> Note | None:
        return self.highlights.highlight_selection(with_note=True)

    @Slot()
    def note_on_brief(self) -> Note | None:
        view = self.window.pane.view
        if view is None:
            return None
        text = self.ask(self.window, "Note on this brief", view.brief.title, "")
        if not text:
            return None
        note = self.store.add_note(view.brief, text)
        if note is not None:
            self.reveal(self.notes_dock)
        return note

    @Slot(object)
    def open_note(self, note: Note) -> None:
        """Open the note's brief at the note (at once if it is open)."""
        view = self.window.pane.view
        if view is not None and view.brief.id == note.brief_id:
            self.highlights.show_note(note)
            return
        self._pending_note = note
        self.window.open_brief(note.brief_id)

    @Slot(str)
    def _on_brief_shown(self, brief_id: str) -> None:
        view = self.window.pane.view
        if view is None:
            return
        self.store.set_read(brief_id)
        self.notes_panel.set_brief(brief_id, view.brief.title, view.brief.sha256)
        self._show_star()
        note, self._pending_note = self._pending_note, None
        if note is not None and note.brief_id == brief_id:
            self.highlights.show_note(note)

    # -- stars and read marks ------------------------------------------------------------

    def _show_star(self) -> None:
        view = self.window.pane.view
        on = view is not None and self.store.is_starred(view.brief.id)
        self.star_button.setEnabled(view is not None)
        self.star_button.setChecked(on)
        self.star_button.setText("★" if on else "☆")
        self.star_button.setToolTip(
            "Starred: click to remove the star (Ctrl+D)" if on else "Star this brief (Ctrl+D)"
        )
        if hasattr(self, "star_action"):
            self.star_action.setChecked(on)

    @Slot()
    def toggle_star(self) -> None:
        view = self.window.pane.view
        if view is None:
            self._show_star()
            return
        starred = not self.store.is_starred(view.brief.id)
        self.store.set_starred([view.brief.id], starred)
        self.window.statusBar().showMessage("Starred" if starred else "Star removed", 3000)

    def selected_ids(self) -> list[str]:
        results = self.window.results
        rows = sorted(i.row() for i in results.selectionModel().selectedRows())
        hits = [self.window.model.hit(r) for r in rows]
        return [h.id for h in hits if h is not None]

    def star_selected(self, starred: bool = True) -> None:
        ids = self.selected_ids()
        if not ids:
            self.window.statusBar().showMessage("Select results first (Ctrl+click).", 4000)
            return
        self.store.set_starred(ids, starred)
        verb = "Starred" if starred else "Unstarred"
        self.window.statusBar().showMessage(f"{verb} {len(ids)} of the results", 4000)

    @Slot()
    def ask_label(self) -> None:
        """Ask for a label (one in use, or a new one) and put it on the selected results."""
        if not self.selected_ids():
            self.window.statusBar().showMessage("Select results first (Ctrl+click).", 4000)
            return
        known = list(self.store.labels_in_use())
        label, ok = QInputDialog.getItem(
            self.window, "Label the selected results", "Label:", known, 0, editable=True
        )
        if ok and label.strip():
            self.label_selected(label)

    def label_selected(self, label: str, *, on: bool = True) -> None:
        ids = self.selected_ids()
        name = self.store.label(ids, label, on)
        if name is not None:
            verb = "Labelled" if on else "Took the label off"
            self.window.statusBar().showMessage(f"{verb} {len(ids)} #{name}", 4000)

    def mark_selected_unread(self) -> None:
        for brief_id in self.selected_ids():
            self.store.set_read(brief_id, False)

    @Slot()
    def mark_unread(self) -> None:
        view = self.window.pane.view
        if view is not None:
            self.store.set_read(view.brief.id, False)
            self.window.statusBar().showMessage("Marked unread", 3000)

    @Slot()
    def _on_marks_changed(self) -> None:
        self._show_star()
        self.window.results.viewport().update()

    @Slot(QPoint)
    def _results_menu(self, pos: QPoint) -> None:
        menu = self.results_menu()
        menu.exec(self.window.results.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def results_menu(self) -> QMenu:
        menu = QMenu(self.window)
        n = len(self.selected_ids())
        what = "this result" if n == 1 else f"the {n} selected results"
        menu.addAction(f"Star {what}").triggered.connect(lambda: self.star_selected(True))
        menu.addAction(f"Unstar {what}").triggered.connect(lambda: self.star_selected(False))
        menu.addAction(f"Label {what}…").triggered.connect(self.ask_label)
        drop = menu.addMenu("Remove the label")
        for label in sorted({x for i in self.selected_ids() for x in self.store.labels.get(i, ())}):
            act = drop.addAction(f"#{label}")
            act.triggered.connect(lambda _c=False, x=label: self.label_selected(x, on=False))
        drop.setEnabled(not drop.isEmpty())
        mark = menu.addAction(f"Mark {what} unread")
        mark.triggered.connect(self.mark_selected_unread)
        for act in menu.actions():
            act.setEnabled(n > 0)
        return menu

    # -- export --------------------------------------------------------------------------

    def _ask_path(self, title: str, name: str, fmt: str, label: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(self.window, title, name, f"{label} (*.{fmt})")
        return Path(path) if path else None

    def ask_export_results(self, fmt: str) -> None:
        label, suffix = export.FORMATS[fmt]
        target = self._ask_path("Export the results", f"results.{suffix}", suffix, label)
        if target is not None:
            self.export_results(target, fmt)

    def export_results(self, target: Path, fmt: str) -> None:
        """Write every result of the search shown to ``target`` (in the background)."""
        request = self.window.search.current_request()
        self.store.in_background(export.export_results_job(request, fmt, target), self._on_exported)

    @Slot(str, str)
    def ask_export_saved(self, name: str, fmt: str) -> None:
        label, suffix = export.FORMATS[fmt]
        stem = export.file_stem(name)
        target = self._ask_path(f"Export “{name}”", f"{stem}.{suffix}", suffix, label)
        if target is not None:
            self.export_saved(name, target, fmt)

    def export_saved(self, name: str, target: Path, fmt: str) -> None:
        """Write every brief the saved search (or watched actor) finds, in its order."""
        self.store.in_background(export.export_saved_job(name, fmt, target), self._on_exported)

    @Slot(str)
    def ask_export_starred(self, fmt: str) -> None:
        label, suffix = export.FORMATS[fmt]
        target = self._ask_path("Export the starred briefs", f"starred.{suffix}", suffix, label)
        if target is not None:
            self.export_starred(target, fmt)

    def export_starred(self, target: Path, fmt: str) -> None:
        """Write every starred brief, newest first."""
        self.store.in_background(export.export_starred_job(fmt, target), self._on_exported)

    def _on_exported(self, message: str) -> None:
        self.window.statusBar().showMessage(message, 6000)
        emit(self.exported, message)

    def ask_export_brief(self, fmt: str) -> None:
        view = self.window.pane.view
        if view is None:
            return
        label = "PDF" if fmt == "pdf" else "Markdown"
        stem = Path(view.brief.id).stem
        target = self._ask_path("Export the brief with its notes", f"{stem}.{fmt}", fmt, label)
        if target is not None:
            self.export_brief(target, fmt)

    def export_brief(self, target: Path, fmt: str) -> None:
        """The open brief with its highlights and notes, as Markdown or PDF."""
        view = self.window.pane.view
        if view is None:
            return
        notes = self.store.notes(view.brief.id)
        if fmt == "pdf":
            export.write_brief_pdf(view, notes, target)
        else:
            write_text_atomic(target, brief_markdown(view.brief, notes))
        self._on_exported(f"Saved {target}")


def install(window: MainWindow) -> UserLayer:
    """Put the user's own layer into ``window`` (before it restores its layout)."""
    return UserLayer(window)


__all__ = ["UserLayer", "install"]
