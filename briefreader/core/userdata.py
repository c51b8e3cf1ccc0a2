"""The analyst's own layer: notes, highlights, saved searches, a watchlist, stars, read state.

Everything the user makes lives in one SQLite database in the data folder
(``userdata.sqlite``), not in the index: an index can be thrown away and rebuilt at any
time, the user's work cannot. Why SQLite: many small writes from two front ends (the window
and the command line may run at once) need transactions and locking, which a JSON file
rewritten whole cannot give; WAL mode lets readers read while one writer writes.

Anchoring. A note is keyed by the brief's id *and* the content hash (SHA-256) of the brief it
was written on, and the brief's text at that moment is kept (once per hash, in
``snapshots``). When the brief changes, the note is reported as ``changed`` with the old text
still at hand; it is never moved silently onto new text whose offsets may mean something else.

"New since I last looked". The index does not record when a brief was indexed (its manifest
holds size, mtime, hash and id only), and file times say nothing about arrival. So this
database stamps each brief id the first time it sees it in the index (``first_seen``; one
sequence number per sync), and each saved search or watched actor keeps the stamp it was last
marked seen at. ``new`` = its current results stamped after that mark: exact, one row per
brief rather than one per brief per search, and a brief that merely starts to match (a
glossary edit) is not "new".

Notes are searched with LIKE over case-folded text (every word must appear): a user has
hundreds or a few thousand notes, a scan of 5,000 takes about 10 ms on a 2-core machine, and
LIKE needs no FTS5 in the SQLite a platform ships (nor a second table to keep in step). Past
tens of thousands of notes an FTS5 table would be the next migration.
"""

from __future__ import annotations

from briefreader.core.userdata_db import (
    DB_NAME,
    MIGRATIONS,
    SCHEMA_VERSION,
    Database,
    UserDataBusyError,
    UserDataError,
    busy_error,
    is_corrupt,
    now,
)
from briefreader.core.userdata_marks import MarksStore, normal_label
from briefreader.core.userdata_notes import (
    CHANGED,
    CURRENT,
    MISSING,
    Note,
    NotesStore,
    note_state,
)
from briefreader.core.userdata_saved import Saved, SavedStore


class UserData(NotesStore, SavedStore, MarksStore, Database):
    """The user's database with everything kept in it: notes and highlights
    (:mod:`~briefreader.core.userdata_notes`), saved searches and arrivals
    (:mod:`~briefreader.core.userdata_saved`), stars, read marks and labels
    (:mod:`~briefreader.core.userdata_marks`); opening, repair, transactions, backup and
    restore are :class:`~briefreader.core.userdata_db.Database`'s. Open with :meth:`open`.
    """


__all__ = [
    "CHANGED",
    "CURRENT",
    "DB_NAME",
    "MISSING",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Note",
    "Saved",
    "UserData",
    "UserDataBusyError",
    "UserDataError",
    "busy_error",
    "is_corrupt",
    "normal_label",
    "note_state",
    "now",
]
