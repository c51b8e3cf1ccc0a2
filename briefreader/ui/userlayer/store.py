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

from PySide6.QtCore import QObject, QTimer, Signal

from briefreader.core.brief import Brief
from briefreader.core.library import Library
from briefreader.core.userdata import (
    Note,
    UserData,
    UserDataBusyError,
    UserDataError,
    normal_label,
)
from briefreader.core.userdata_rescue import (
    MergeReport,
    SetAside,
    merge_set_aside,
    read_set_aside,
    set_aside_databases,
)
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
    reopened(): the database was busy at start and has now been opened (stars, labels and
        read marks are loaded: views showing them should refresh).
    """

    notesChanged = Signal(str)
    marksChanged = Signal()
    savedChanged = Signal()
    message = Signal(str, int)
    reopened = Signal()

    #: While the database is busy at start, try again this often (milliseconds).
    RETRY_MS = 5000

    def __init__(self, data_dir: Path, workers: Workers, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.workers = workers
        self.starred: set[str] = set()
        self.read: set[str] = set()
        self.labels: dict[str, list[str]] = {}
        self.notices: list[str] = []
        #: The watchlist's answers between two looks (used by the worker's jobs only).
        self.status_cache = StatusCache()
        self._ud: UserData | None = None
        self._retry = QTimer(self, singleShot=True, interval=self.RETRY_MS)
        self._retry.timeout.connect(self._try_open)
        try:
            self._ud = UserData.open(self.data_dir)
        except UserDataBusyError as exc:
            # Locked by another program: left alone, said once, and tried again.
            self.notices.append(f"{exc} (briefreader will keep trying)")
            self._retry.start()
            return
        self.notices = list(self._ud.notices)
        self._load_marks(self._ud)

    def _load_marks(self, ud: UserData) -> None:
        self.starred = set(ud.starred())
        self.read = ud.read_ids()
        self.labels = ud.labels_by_brief()

    def _try_open(self) -> None:
        try:
            self._ud = UserData.open(self.data_dir)
        except UserDataBusyError:
            self._retry.start()
            return
        except UserDataError as exc:
            emit(self.message, str(exc), 10000)
            return
        for notice in self._ud.notices:
            emit(self.message, notice, 15000)
        self._load_marks(self._ud)
        emit(self.message, "Your notes database is open again.", 6000)
        emit(self.reopened)

    @property
    def ud(self) -> UserData:
        """The GUI thread's connection; opened again if something acts after :meth:`close`
        (a brief that was on its way when the window closed)."""
        if self._ud is None:
            if self._retry.isActive():
                # Still locked at the last try: no ten-second wait on the GUI thread.
                raise UserDataBusyError(
                    "Your notes database is locked by another program; briefreader keeps "
                    "trying and will use it as soon as it is free."
                )
            self._ud = UserData.open(self.data_dir, check=False)
        return self._ud

    def close(self) -> None:
        self._retry.stop()
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

    def _read(self, fn: Callable[[UserData], Any], default: Any) -> Any:
        """A read for a view: while the database is unavailable, the view shows ``default``."""
        try:
            return fn(self.ud)
        except UserDataError as exc:
            log.info("user data not read: %s", exc)
            return default

    def has_notes(self) -> bool:
        """Whether the user has written any note (a plain search then looks in them too)."""
        return bool(self._read(lambda ud: ud.has_notes(), False))

    def notes(self, brief_id: str) -> list[Note]:
        return list(self._read(lambda ud: ud.notes(brief_id), []))

    def snapshot(self, sha256: str) -> str | None:
        """The text a note was written on (None if unknown or unavailable)."""
        text: str | None = self._read(lambda ud: ud.snapshot(sha256), None)
        return text

    def labels_in_use(self) -> dict[str, int]:
        """Every label with its number of briefs ({} while the database is unavailable)."""
        return dict(self._read(lambda ud: ud.labels(), {}))

    def delete_saved(self, name: str) -> bool:
        return self._try(lambda: self.ud.delete_saved(name) or True) is not None

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
        if self._try(lambda: self.ud.set_star_many(brief_ids, starred) or True) is None:
            return
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
        self.labels = self._read(lambda ud: ud.labels_by_brief(), self.labels)
        emit(self.marksChanged)
        return name

    def set_read(self, brief_id: str, read: bool = True) -> None:
        if (brief_id in self.read) == read:
            return  # already so: no write for every brief opened twice
        if self._try(lambda: self.ud.set_read(brief_id, read) or True) is None:
            return
        if read:
            self.read.add(brief_id)
        else:
            self.read.discard(brief_id)
        emit(self.marksChanged)

    # -- databases set aside ---------------------------------------------------------------

    def set_aside(self) -> list[SetAside]:
        """Notes databases moved aside (damaged or too new) that still hold something."""
        found = set_aside_databases(self.data_dir)
        return [s for s in found if s.reason != "merged" and (s.notes or s.saved)]

    def set_aside_notes(self, path: Path) -> list[Note]:
        """The notes that can be read from a set-aside database (read-only)."""
        try:
            return read_set_aside(path)[0]
        except (OSError, UserDataError) as exc:
            emit(self.message, f"Cannot read {path.name}: {exc}", 8000)
            return []

    def merge_set_aside(self, path: Path) -> MergeReport | None:
        """Bring a set-aside database's notes back; every panel showing notes refreshes."""
        report: MergeReport | None = self._try(lambda: merge_set_aside(self.ud, path))
        if report is None:
            return None
        self._load_marks(self.ud)
        emit(self.notesChanged, "")
        emit(self.marksChanged)
        emit(self.savedChanged)
        emit(
            self.message,
            f"Merged {report.notes} notes, {report.saved} saved searches and {report.stars}"
            f" stars from {path.name} (kept as {(report.kept_as or path).name}).",
            8000,
        )
        return report
