"""The window's hold on the user's database: writes on the GUI thread, reads of the index
in the background, and a signal whenever something the panels show has changed.

A note, a star or a mark is one small SQLite transaction (a millisecond), done where the
user acts, so it is on disk before the click returns. What needs the index (new counts,
notes against current briefs, exports) runs in the workers' read lane, through a second
connection opened there for the job: a SQLite connection belongs to one thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from briefreader.core.brief import Brief
from briefreader.core.library import Library
from briefreader.core.userdata import Note, UserData, UserDataError, normal_label
from briefreader.core.userlayer import StatusCache
from briefreader.ui.qtcompat import emit
from briefreader.ui.workers import Workers

log = logging.getLogger(__name__)


class UserStore(QObject):
    """The user's notes, stars, read marks and saved searches, for the window.

    notesChanged(brief_id): a note of that brief was added, edited or removed.
    marksChanged(): stars, labels or read marks changed.
    savedChanged(): a saved search or watched actor was added, removed or marked seen.
    message(text, ms): something to tell the user in the status bar.
    """

    notesChanged = Signal(str)
    marksChanged = Signal()
    savedChanged = Signal()
    message = Signal(str, int)

    def __init__(self, data_dir: Path, workers: Workers, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.workers = workers
        self._ud: UserData | None = UserData.open(self.data_dir)
        self.notices = list(self._ud.notices)
        self.starred: set[str] = set(self._ud.starred())
        self.read: set[str] = self._ud.read_ids()
        self.labels: dict[str, list[str]] = self._ud.labels_by_brief()
        #: The watchlist's answers between two looks (used by the worker's jobs only).
        self.status_cache = StatusCache()

    @property
    def ud(self) -> UserData:
        """The GUI thread's connection; opened again if something acts after :meth:`close`
        (a brief that was on its way when the window closed)."""
        if self._ud is None:
            self._ud = UserData.open(self.data_dir, check=False)
        return self._ud

    def close(self) -> None:
        if self._ud is not None:
            self._ud.close()
            self._ud = None

    # -- background reads ----------------------------------------------------------------

    def in_background(
        self,
        fn: Callable[[Library, UserData], Any],
        on_done: Callable[[Any], None],
        on_fail: Callable[[str], None] | None = None,
    ) -> None:
        """Run ``fn(library, userdata)`` in the workers' read lane; its own connection."""
        data_dir = self.data_dir

        def job(lib: Library) -> Any:
            with UserData.open(data_dir, check=False) as ud:
                return fn(lib, ud)

        self.workers.read(job, on_done, on_fail or (lambda m: emit(self.message, m, 8000)))

    # -- notes ---------------------------------------------------------------------------

    def _try(self, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except UserDataError as exc:
            emit(self.message, str(exc), 6000)
            return None

    def has_notes(self) -> bool:
        """Whether the user has written any note (a plain search then looks in them too)."""
        return self.ud.has_notes()

    def notes(self, brief_id: str) -> list[Note]:
        return list(self.ud.notes(brief_id))

    def add_note(self, brief: Brief, body: str) -> Note | None:
        note = self._try(lambda: self.ud.add_note(brief, body))
        if note is not None:
            emit(self.notesChanged, brief.id)
        return note  # type: ignore[no-any-return]

    def add_highlight(
        self, brief: Brief, section: str, start: int, end: int, body: str = ""
    ) -> Note | None:
        note = self._try(lambda: self.ud.add_highlight(brief, section, start, end, body))
        if note is not None:
            emit(self.notesChanged, brief.id)
        return note  # type: ignore[no-any-return]

    def edit_note(self, note: Note, body: str) -> None:
        if self._try(lambda: self.ud.edit_note(note.id, body)) is not None:
            emit(self.notesChanged, note.brief_id)

    def delete_note(self, note: Note) -> None:
        self._try(lambda: self.ud.delete_note(note.id))
        emit(self.notesChanged, note.brief_id)

    # -- stars and read marks ------------------------------------------------------------

    def is_starred(self, brief_id: str) -> bool:
        return brief_id in self.starred

    def set_starred(self, brief_ids: list[str], starred: bool) -> None:
        if not brief_ids:
            return
        self.ud.set_star_many(brief_ids, starred)
        if starred:
            self.starred.update(brief_ids)
        else:
            self.starred.difference_update(brief_ids)
        emit(self.marksChanged)

    def label(self, brief_ids: list[str], label: str, on: bool = True) -> str | None:
        """Put a label on (or take it off) many briefs at once; the label as kept."""
        if not brief_ids:
            return None
        try:
            if on:
                name = self.ud.add_label(brief_ids, label)
            else:
                name = normal_label(label)
                self.ud.remove_label(brief_ids, name)
        except UserDataError as exc:
            emit(self.message, str(exc), 6000)
            return None
        self.labels = self.ud.labels_by_brief()
        emit(self.marksChanged)
        return name

    def set_read(self, brief_id: str, read: bool = True) -> None:
        if (brief_id in self.read) == read:
            return  # already so: no write for every brief opened twice
        self.ud.set_read(brief_id, read)
        if read:
            self.read.add(brief_id)
        else:
            self.read.discard(brief_id)
        emit(self.marksChanged)
