"""The user's own layer in the window: notes, highlights, stars, saved searches, history,
exports. :func:`install` puts it into the window through its host (docks, menus, what it
adds to the searches); the window itself holds none of this logic.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal, Slot
from PySide6.QtGui import QAction
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
from briefreader.ui.host import ActionSpec, DockId, DockSpec, MenuId, Place, WindowHost
from briefreader.ui.host.specs import Shortcut
from briefreader.ui.qtcompat import emit
from briefreader.ui.userlayer import export
from briefreader.ui.userlayer.highlights import AskNote, PaneHighlights, ask_note
from briefreader.ui.userlayer.lists import ResultLists
from briefreader.ui.userlayer.notes_panel import NotesPanel
from briefreader.ui.userlayer.saved import SavedSearches
from briefreader.ui.userlayer.store import UserStore
from briefreader.ui.userlayer.watchlist import WatchlistPanel

log = logging.getLogger(__name__)


class UserLayer(QObject):
    """Everything of the user's own in one window: the panels, the menus, the reading pane's
    highlights and star; the search box's additions are ``lists``, saved searches ``saved``.

    exported(message): an export was written (what to tell the user).
    """

    exported = Signal(str)

    def __init__(self, host: WindowHost, ask: AskNote = ask_note) -> None:
        super().__init__(host)
        self.host = host
        self.ask = ask
        self.store = UserStore(host.library.data_dir, host.workers, self)
        self.store.message.connect(host.show_message)
        self.highlights = PaneHighlights(host.pane, self.store, ask, self)
        self._pending_note: Note | None = None
        self._build_docks()
        self.lists = ResultLists(host, self.store, self)
        self.saved = SavedSearches(
            host, self.store, self.lists, self.watchlist, lambda: self.reveal(self.watch_dock)
        )
        self._build_search_tools()
        self._build_pane_tools()
        self._build_menus()
        self._wire()

    # -- building ------------------------------------------------------------------------

    def _build_docks(self) -> None:
        """Notes and Watchlist: tabs beside "More like this" on the right, so that opening
        them never widens the window (a small screen keeps its reading width). Each panel is
        in the View menu and in its own menu too, where one looks for it first."""
        self.notes_panel = NotesPanel(self.store)
        self.watchlist = WatchlistPanel(self.store)
        self.notes_dock = self.host.add_dock(
            DockSpec(
                DockId.NOTES,
                "Notes",
                self.notes_panel,
                tabify_with=DockId.RELATED,
                hidden=True,
                shortcut="F7",
                places=(Place(MenuId.VIEW, "panels"), Place(MenuId.NOTES, "panel")),
            )
        )
        self.watch_dock = self.host.add_dock(
            DockSpec(
                DockId.WATCHLIST,
                "Watchlist",
                self.watchlist,
                tabify_with=DockId.RELATED,
                hidden=True,
                shortcut="F8",
                places=(Place(MenuId.VIEW, "panels"), Place(MenuId.WATCH, "panel")),
            )
        )
        for dock in (self.notes_dock, self.watch_dock):
            dock.toggleViewAction().triggered.connect(
                lambda on, d=dock: self.reveal(d) if on else None
            )

    def reveal(self, dock: QDockWidget) -> None:
        """Show one of the user's panels in front of its tab group, with room to read."""
        self.host.reveal_dock(DockId(dock.objectName()))

    def _build_search_tools(self) -> None:
        panel = self.host.search
        self.host.add_title_prefix(self._title_prefix)
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
        header = self.host.pane.header
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

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        place: Place,
        shortcut: Shortcut = None,
        checkable: bool = False,
    ) -> QAction:
        return self.host.add_action(ActionSpec(text, slot, place, shortcut, checkable))

    def _build_menus(self) -> None:
        a, notes, watch = self._action, MenuId.NOTES, MenuId.WATCH
        a("Highlight the selection…", self.highlight_selection, Place(notes, "marks"),
          "Ctrl+Shift+H")  # fmt: skip
        a("Note on this brief…", self.note_on_brief, Place(notes, "marks"), "Ctrl+Shift+N")
        stars = Place(notes, "stars")
        self.star_action = a("Star this brief", self.toggle_star, stars, "Ctrl+D", True)
        a("Star the selected results", lambda: self.star_selected(True), stars, "Ctrl+Shift+D")
        a("Unstar the selected results", lambda: self.star_selected(False), stars)
        a("Label the selected results…", self.ask_label, stars, "Ctrl+Shift+L")
        a("Mark this brief unread", self.mark_unread, stars, "Ctrl+Shift+U")
        a("Save this search…", self.saved.save_search, Place(watch, "saved"), "Ctrl+S")
        a("Watch an actor…", self.saved.ask_watch, Place(watch, "saved"))
        a("Recent searches…", self.lists.show_history, Place(watch, "history"), "Ctrl+H")
        self._build_export_menu()

    def _build_export_menu(self) -> None:
        """File > Export: the results, the starred briefs, the open brief with its notes."""
        for section, what, ask in (
            ("results", "Results", self.ask_export_results),
            ("starred", "Starred briefs", self.ask_export_starred),
        ):
            for fmt, (label, _suffix) in export.FORMATS.items():
                self.host.add_action(
                    ActionSpec(
                        f"{what} as {label}…",
                        lambda _c=False, f=fmt, ask=ask: ask(f),
                        Place(MenuId.FILE_EXPORT, section),
                    )
                )
        for fmt, label in (("md", "Markdown"), ("pdf", "PDF")):
            self.host.add_action(
                ActionSpec(
                    f"Brief with notes as {label}…",
                    lambda _c=False, f=fmt: self.ask_export_brief(f),
                    Place(MenuId.FILE_EXPORT, "brief"),
                )
            )

    def _wire(self) -> None:
        host, panel = self.host, self.host.search
        panel.results.customContextMenuRequested.connect(self._results_menu)
        self.star_button.clicked.connect(self.toggle_star)
        host.briefShown.connect(self._on_brief_shown)
        host.closing.connect(self.close)
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
            host.show_message(notice, 15000)

    @Slot()
    def close(self) -> None:
        """The window is closing: the database is closed (its background jobs are done)."""
        self.store.close()

    # -- notes and highlights ------------------------------------------------------------

    @Slot()
    def highlight_selection(self) -> Note | None:
        return self.highlights.highlight_selection(with_note=True)

    @Slot()
    def note_on_brief(self) -> Note | None:
        view = self.host.pane.view
        if view is None:
            return None
        text = self.ask(self.host.parent_widget, "Note on this brief", view.brief.title, "")
        if not text:
            return None
        note = self.store.add_note(view.brief, text)
        if note is not None:
            self.reveal(self.notes_dock)
        return note

    @Slot(object)
    def open_note(self, note: Note) -> None:
        """Open the note's brief at the note (at once if it is open)."""
        view = self.host.pane.view
        if view is not None and view.brief.id == note.brief_id:
            self.highlights.show_note(note)
            return
        self._pending_note = note
        self.host.open_brief(note.brief_id)

    @Slot(str)
    def _on_brief_shown(self, brief_id: str) -> None:
        view = self.host.pane.view
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
        view = self.host.pane.view
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
        view = self.host.pane.view
        if view is None:
            self._show_star()
            return
        starred = not self.store.is_starred(view.brief.id)
        self.store.set_starred([view.brief.id], starred)
        self.host.show_message("Starred" if starred else "Star removed", 3000)

    def selected_ids(self) -> list[str]:
        results = self.host.search.results
        rows = sorted(i.row() for i in results.selectionModel().selectedRows())
        hits = [self.host.search.model.hit(r) for r in rows]
        return [h.id for h in hits if h is not None]

    def star_selected(self, starred: bool = True) -> None:
        ids = self.selected_ids()
        if not ids:
            self.host.show_message("Select results first (Ctrl+click).", 4000)
            return
        self.store.set_starred(ids, starred)
        verb = "Starred" if starred else "Unstarred"
        self.host.show_message(f"{verb} {len(ids)} of the results", 4000)

    @Slot()
    def ask_label(self) -> None:
        """Ask for a label (one in use, or a new one) and put it on the selected results."""
        if not self.selected_ids():
            self.host.show_message("Select results first (Ctrl+click).", 4000)
            return
        known = list(self.store.labels_in_use())
        label, ok = QInputDialog.getItem(
            self.host.parent_widget, "Label the selected results", "Label:", known, 0, editable=True
        )
        if ok and label.strip():
            self.label_selected(label)

    def label_selected(self, label: str, *, on: bool = True) -> None:
        ids = self.selected_ids()
        name = self.store.label(ids, label, on)
        if name is not None:
            verb = "Labelled" if on else "Took the label off"
            self.host.show_message(f"{verb} {len(ids)} #{name}", 4000)

    def mark_selected_unread(self) -> None:
        for brief_id in self.selected_ids():
            self.store.set_read(brief_id, False)

    @Slot()
    def mark_unread(self) -> None:
        view = self.host.pane.view
        if view is not None:
            self.store.set_read(view.brief.id, False)
            self.host.show_message("Marked unread", 3000)

    @Slot()
    def _on_marks_changed(self) -> None:
        self._show_star()
        self.host.search.results.viewport().update()

    @Slot(QPoint)
    def _results_menu(self, pos: QPoint) -> None:
        menu = self.results_menu()
        menu.exec(self.host.search.results.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def results_menu(self) -> QMenu:
        menu = QMenu(self.host.parent_widget)
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
        parent = self.host.parent_widget
        path, _ = QFileDialog.getSaveFileName(parent, title, name, f"{label} (*.{fmt})")
        return Path(path) if path else None

    def ask_export_results(self, fmt: str) -> None:
        label, suffix = export.FORMATS[fmt]
        target = self._ask_path("Export the results", f"results.{suffix}", suffix, label)
        if target is not None:
            self.export_results(target, fmt)

    def export_results(self, target: Path, fmt: str) -> None:
        """Write every result of the search shown to ``target`` (in the background)."""
        request = self.host.search.current_request()
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
        self.host.show_message(message, 6000)
        emit(self.exported, message)

    def ask_export_brief(self, fmt: str) -> None:
        view = self.host.pane.view
        if view is None:
            return
        label = "PDF" if fmt == "pdf" else "Markdown"
        stem = Path(view.brief.id).stem
        target = self._ask_path("Export the brief with its notes", f"{stem}.{fmt}", fmt, label)
        if target is not None:
            self.export_brief(target, fmt)

    def export_brief(self, target: Path, fmt: str) -> None:
        """The open brief with its highlights and notes, as Markdown or PDF."""
        view = self.host.pane.view
        if view is None:
            return
        notes = self.store.notes(view.brief.id)
        if fmt == "pdf":
            export.write_brief_pdf(view, notes, target)
        else:
            write_text_atomic(target, brief_markdown(view.brief, notes))
        self._on_exported(f"Saved {target}")


def install(host: WindowHost) -> UserLayer:
    """Put the user's own layer into the window (before it restores its layout)."""
    return UserLayer(host)


__all__ = ["UserLayer", "install"]
