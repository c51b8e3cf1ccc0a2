"""The Notes panel: the open brief's notes and highlights on top, every note below.

Picking a note opens its brief at the note. A note whose brief changed says so and keeps
the text it was written on (in its tooltip); a note is never moved onto the new text.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from briefreader.core.userdata import CHANGED, CURRENT, Note
from briefreader.core.userdata_rescue import SetAside
from briefreader.core.userlayer import NoteRow, note_rows
from briefreader.core.wording import counted
from briefreader.ui.qtcompat import emit
from briefreader.ui.userlayer.delegates import TwoPartDelegate
from briefreader.ui.userlayer.models import NoteListModel, NoteRole
from briefreader.ui.userlayer.store import UserStore

#: What "All notes" says before the first note is written.
NO_NOTES = (
    "Your notes and highlights on every brief will be listed here. In the search box, "
    "note:word finds the briefs with a note holding the word, and plain words look in "
    "your notes too."
)

#: Typing in the notes' filter searches after this pause.
FILTER_DELAY_MS = 200


def _list(model: NoteListModel, name: str) -> QListView:
    view = QListView()
    # A brief's title (in the list of every note) muted on one line, the note under it.
    view.setItemDelegate(TwoPartDelegate(view, muted="head"))
    view.setObjectName(name)
    view.setModel(model)
    view.setWordWrap(True)
    # Rows are laid out again when the width changes: a row measured for one width and
    # drawn at another is elided with a blank line under it.
    view.setResizeMode(QListView.ResizeMode.Adjust)
    view.setSpacing(2)
    view.setAlternatingRowColors(True)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    return view


class NotesPanel(QWidget):
    """This brief's notes, and all notes (filtered by words).

    openRequested(note): show this note (open its brief at it).
    addNoteRequested(): "Note on this brief…".
    editRequested(note) / deleteRequested(note): from a note's menu.
    """

    openRequested = Signal(object)
    addNoteRequested = Signal()
    editRequested = Signal(object)
    deleteRequested = Signal(object)

    def __init__(self, store: UserStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notesPanel")
        self.store = store
        self.brief_id: str | None = None
        self.brief_title = ""
        self._sha: str | None = None
        self.brief_model = NoteListModel(False, self)
        self.all_model = NoteListModel(True, self)

        self.brief_label = QLabel("This brief")
        self.brief_label.setObjectName("facetTitle")
        self.add_button = QPushButton("Add a note…")
        self.add_button.setToolTip("A note on the whole brief (Ctrl+Shift+N)")
        self.add_button.clicked.connect(lambda: emit(self.addNoteRequested))
        self.brief_list = _list(self.brief_model, "briefNotes")
        self.brief_empty = QLabel("No notes yet. Select text and right-click to highlight it.")
        self.brief_empty.setWordWrap(True)
        self.brief_empty.setObjectName("notesEmpty")

        self.all_label = QLabel("All notes")
        self.all_label.setObjectName("facetTitle")
        self.filter = QLineEdit()
        self.filter.setObjectName("notesFilter")
        self.filter.setPlaceholderText("Find in notes…")
        self.filter.setClearButtonEnabled(True)
        self.all_list = _list(self.all_model, "allNotes")
        self.all_empty = QLabel(NO_NOTES)
        self.all_empty.setTextFormat(Qt.TextFormat.PlainText)  # quotes the words typed
        self.all_empty.setWordWrap(True)
        self.all_empty.setObjectName("notesEmpty")
        self.all_empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.all_empty.hide()

        # A notes database set aside (damaged, or written by a newer briefreader): offered
        # back here, read-only, with a button that merges what can be read into the current one.
        self._aside: SetAside | None = None
        self._showing_aside = False
        self.rescue = QFrame()
        self.rescue.setObjectName("rescueBar")
        self.rescue.setFrameShape(QFrame.Shape.StyledPanel)
        self.rescue_label = QLabel()
        self.rescue_label.setTextFormat(Qt.TextFormat.PlainText)
        self.rescue_label.setWordWrap(True)
        self.rescue_show = QPushButton("Show its notes")
        self.rescue_show.setCheckable(True)
        self.rescue_show.toggled.connect(self._show_aside)
        self.rescue_merge = QPushButton("Merge them in")
        self.rescue_merge.clicked.connect(self._merge_aside)
        rescue_buttons = QHBoxLayout()
        rescue_buttons.addStretch(1)
        rescue_buttons.addWidget(self.rescue_show)
        rescue_buttons.addWidget(self.rescue_merge)
        rescue_lay = QVBoxLayout(self.rescue)
        rescue_lay.setContentsMargins(8, 6, 8, 6)
        rescue_lay.addWidget(self.rescue_label)
        rescue_lay.addLayout(rescue_buttons)

        top = QHBoxLayout()
        top.addWidget(self.brief_label, 1)
        top.addWidget(self.add_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 10)
        lay.setSpacing(6)
        lay.addWidget(self.rescue)
        lay.addLayout(top)
        lay.addWidget(self.brief_empty)
        lay.addWidget(self.brief_list, 2)
        lay.addWidget(self.all_label)
        lay.addWidget(self.filter)
        lay.addWidget(self.all_list, 3)
        lay.addWidget(self.all_empty, 3)

        self._filter_timer = QTimer(self, singleShot=True, interval=FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.refresh_all)
        self.filter.textChanged.connect(lambda _t: self._filter_timer.start())
        for view in (self.brief_list, self.all_list):
            view.activated.connect(self._on_picked)
            view.clicked.connect(self._on_picked)
            view.customContextMenuRequested.connect(lambda pos, v=view: self._context_menu(v, pos))
        store.notesChanged.connect(self._on_notes_changed)
        self._show_brief_rows([])
        self.refresh_set_aside()

    # -- a database set aside ------------------------------------------------------------------

    def refresh_set_aside(self) -> None:
        """Offer the newest notes database set aside that still holds notes, if any."""
        found = self.store.set_aside()
        self._aside = found[0] if found else None
        self.rescue.setVisible(self._aside is not None)
        if self._aside is None:
            if self._showing_aside:
                self.rescue_show.setChecked(False)
            return
        a = self._aside
        why = {
            "damaged": "was damaged",
            "newer": "was written by a newer briefreader",
            "before-restore": "was replaced by a restored backup",
        }.get(a.reason, "was set aside")
        when = f" on {a.when}" if a.when else ""
        more = f" ({len(found) - 1} more set aside)" if len(found) > 1 else ""
        held = [counted(a.notes, "note")] if a.notes else []
        if a.saved:
            held.append(counted(a.saved, "saved search", "saved searches"))
        self.rescue_label.setText(
            f"A notes database that {why}{when} was kept: {' and '.join(held)} can still be "
            f"read from {a.path.name}.{more}"
        )

    @Slot(bool)
    def _show_aside(self, on: bool) -> None:
        """List the set-aside database's notes (read-only) in place of every note."""
        self._showing_aside = on and self._aside is not None
        self.rescue_show.setText("Back to my notes" if self._showing_aside else "Show its notes")
        if not self._showing_aside or self._aside is None:
            self.all_label.setText("All notes")
            self.filter.setEnabled(True)
            self.refresh_all()
            return
        notes = self.store.set_aside_notes(self._aside.path)
        rows = [NoteRow(n, CURRENT, n.brief_id) for n in reversed(notes)]
        self.all_label.setText(f"Notes kept in {self._aside.path.name} (read-only)")
        self.filter.setEnabled(False)
        self.all_model.set_rows(rows)
        self.all_empty.setVisible(not rows)
        self.all_list.setVisible(bool(rows))

    @Slot()
    def _merge_aside(self) -> None:
        if self._aside is None:
            return
        if self.store.merge_set_aside(self._aside.path) is not None:
            self.rescue_show.setChecked(False)
            self.refresh_set_aside()

    # -- content -------------------------------------------------------------------------

    def set_brief(self, brief_id: str | None, title: str = "", sha256: str | None = None) -> None:
        """The open brief changed: list its notes."""
        self.brief_id, self.brief_title, self._sha = brief_id, title, sha256
        self.add_button.setEnabled(brief_id is not None)
        self.refresh_brief()

    def refresh_brief(self) -> None:
        rows = []
        if self.brief_id is not None:
            for note in reversed(self.store.notes(self.brief_id)):
                state = CURRENT if note.sha256 == self._sha else CHANGED
                old = self.store.snapshot(note.sha256) if state == CHANGED else None
                rows.append(NoteRow(note, state, self.brief_title, old))
        self._show_brief_rows(rows)

    def _show_brief_rows(self, rows: list[NoteRow]) -> None:
        self.brief_model.set_rows(rows)
        self.brief_empty.setVisible(not rows)
        self.brief_list.setVisible(bool(rows))

    @Slot()
    def refresh_all(self) -> None:
        """List every note with its state against the library (read in the background)."""
        if self._showing_aside:
            return
        words = self.filter.text()
        self.store.in_background(lambda lib, ud: note_rows(lib, ud, words), self._on_all_rows)

    def _on_all_rows(self, rows: list[NoteRow]) -> None:
        if self._showing_aside:
            return
        self.all_model.set_rows(rows)
        words = self.filter.text().strip()
        self.all_empty.setText(f"No note holds “{words}”." if words else NO_NOTES)
        self.all_empty.setVisible(not rows)
        self.all_list.setVisible(bool(rows))

    @Slot(str)
    def _on_notes_changed(self, brief_id: str) -> None:
        if brief_id == self.brief_id:
            self.refresh_brief()
        if self.isVisible():
            self.refresh_all()

    # -- acting ------------------------------------------------------------------------------

    @Slot(QModelIndex)
    def _on_picked(self, index: QModelIndex) -> None:
        row: NoteRow | None = index.data(NoteRole)
        if row is not None:
            emit(self.openRequested, row.note)

    def _context_menu(self, view: QListView, pos: QPoint) -> None:
        menu = self.menu_for(view, pos)
        if menu is not None:
            menu.exec(view.viewport().mapToGlobal(pos))
            menu.deleteLater()

    def menu_for(self, view: QListView, pos: QPoint) -> QMenu | None:
        row: NoteRow | None = view.indexAt(pos).data(NoteRole)
        if row is None:
            return None
        note: Note = row.note
        menu = QMenu(self)
        menu.addAction("Go to the note").triggered.connect(lambda: emit(self.openRequested, note))
        if self._showing_aside and view is self.all_list:
            return menu  # the set-aside database is read-only: its ids are not this one's
        menu.addAction("Edit the note…").triggered.connect(lambda: emit(self.editRequested, note))
        menu.addAction("Delete").triggered.connect(lambda: emit(self.deleteRequested, note))
        return menu
