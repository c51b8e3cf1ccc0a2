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

import contextlib
import datetime as dt
import json
import logging
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefreader.core.brief import ARTICLE, COMMENT, Brief

log = logging.getLogger(__name__)

DB_NAME = "userdata.sqlite"

#: Busy writers wait this long for each other (seconds) before giving up.
BUSY_TIMEOUT_S = 10.0

_V1 = """
CREATE TABLE snapshots (
    sha256 TEXT PRIMARY KEY,
    text   TEXT NOT NULL
);
CREATE TABLE notes (
    id       INTEGER PRIMARY KEY,
    brief_id TEXT NOT NULL,
    sha256   TEXT NOT NULL REFERENCES snapshots(sha256),
    section  TEXT CHECK (section IN ('article', 'comment')),
    start    INTEGER,
    "end"    INTEGER,
    quote    TEXT,
    body     TEXT NOT NULL DEFAULT '',
    created  TEXT NOT NULL,
    updated  TEXT NOT NULL
);
CREATE INDEX notes_brief ON notes (brief_id);
CREATE TABLE saved (
    name      TEXT PRIMARY KEY,
    kind      TEXT NOT NULL CHECK (kind IN ('search', 'actor')),
    query     TEXT NOT NULL,
    filters   TEXT NOT NULL DEFAULT '{}',
    sort      TEXT NOT NULL DEFAULT 'relevance',
    seen_mark INTEGER NOT NULL DEFAULT 0,
    seen_at   TEXT,
    created   TEXT NOT NULL
);
CREATE TABLE first_seen (
    brief_id TEXT PRIMARY KEY,
    seq      INTEGER NOT NULL,
    at       TEXT NOT NULL
);
CREATE INDEX first_seen_seq ON first_seen (seq);
CREATE TABLE brief_state (
    brief_id   TEXT PRIMARY KEY,
    starred_at TEXT,
    read_at    TEXT
);
"""

#: ``MIGRATIONS[n]`` takes a database from version n to n + 1, in one transaction each.
#: Version 2 is added here as a new entry; an entry is never edited once released.
#: Version 2: labels the user puts on briefs (many at once), as lower-case words.
_V2 = """
CREATE TABLE labels (
    brief_id TEXT NOT NULL,
    label    TEXT NOT NULL,
    added    TEXT NOT NULL,
    PRIMARY KEY (brief_id, label)
);
CREATE INDEX labels_label ON labels (label);
"""

MIGRATIONS: list[str] = [_V1, _V2]
SCHEMA_VERSION = len(MIGRATIONS)


class UserDataError(Exception):
    """A user-data request that cannot be done, in words a reader understands."""


class UserDataBusyError(UserDataError):
    """The database is locked or cannot be opened just now: retry later; nothing was moved."""


#: The only SQLite answers that mean the file itself is bad (and may be moved aside). Busy,
#: locked, read-only, I/O and permission errors say nothing about the file's contents.
_CORRUPT_ERRORS = frozenset({"SQLITE_CORRUPT", "SQLITE_NOTADB"})


def is_corrupt(exc: sqlite3.Error) -> bool:
    """Whether SQLite says the file is damaged (or not a database), not merely unavailable."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    return any(name == code or name.startswith(code + "_") for code in _CORRUPT_ERRORS)


def busy_error(path: Path, exc: sqlite3.Error) -> UserDataBusyError:
    """The message for a database that is there but cannot be used right now."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        why = "another program (or another briefreader) is holding it locked"
    elif name.startswith(("SQLITE_READONLY", "SQLITE_PERM", "SQLITE_CANTOPEN", "SQLITE_AUTH")):
        why = "it cannot be opened for writing (check the file's permissions)"
    else:
        why = str(exc)
    return UserDataBusyError(
        f"Your notes database ({path}) cannot be used just now: {why}. Nothing was changed; "
        "try again in a moment."
    )


@dataclass(frozen=True, slots=True)
class Note:
    """A note on a whole brief (``section`` None) or a highlight of a span with a note.

    ``start``/``end`` are code-point offsets into the brief's text as it was when the note was
    written (``sha256``); ``quote`` is that text's span.
    """

    id: int
    brief_id: str
    sha256: str
    body: str
    created: str
    updated: str
    section: str | None = None
    start: int | None = None
    end: int | None = None
    quote: str | None = None

    @property
    def is_highlight(self) -> bool:
        return self.section is not None


@dataclass(frozen=True, slots=True)
class Saved:
    """A saved search (``kind`` "search") or a watched actor (``kind`` "actor"; ``query`` is
    then the actor's id)."""

    name: str
    kind: str
    query: str
    filters: dict[str, Any] = field(default_factory=dict)
    sort: str = "relevance"
    seen_mark: int = 0
    seen_at: str | None = None
    created: str = ""


def now() -> str:
    """UTC time as ISO 8601 to the second: sorts as text, reads as a date."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _set_aside_name(path: Path, why: str) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{why}-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.{why}-{stamp}-{n}")
    return target


def _move_aside(path: Path, why: str) -> Path:
    """Rename the database (and its WAL and shared-memory files) beside itself; never delete."""
    target = _set_aside_name(path, why)
    os.replace(path, target)
    for suffix in ("-wal", "-shm"):
        extra = Path(str(path) + suffix)
        if extra.exists():
            os.replace(extra, Path(str(target) + suffix))
    return target


def _version(conn: sqlite3.Connection) -> int:
    has = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if not has:
        return 0
    row = conn.execute("SELECT version FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def _check(conn: sqlite3.Connection) -> str | None:
    """Why this database cannot be used, or None: damage, or a newer briefreader's schema."""
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    if rows != ["ok"]:
        return "damaged: " + "; ".join(str(r) for r in rows[:3])
    version = _version(conn)
    if version > SCHEMA_VERSION:
        return (
            f"newer: written by a newer briefreader (schema {version}; this one knows"
            f" {SCHEMA_VERSION})"
        )
    return None


def _migrate(conn: sqlite3.Connection) -> None:
    """Apply the migrations this database lacks, each in its own transaction."""
    version = _version(conn)
    for n in range(version, SCHEMA_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if _version(conn) != n:  # another process migrated meanwhile
                conn.execute("ROLLBACK")
                continue
            for statement in MIGRATIONS[n].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            conn.execute("DELETE FROM schema_version")
            conn.execute("INSERT INTO schema_version VALUES (?)", (n + 1,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        log.info("user data migrated to schema %d", n + 1)


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: transactions are begun and ended here, explicitly.
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
    conn.row_factory = sqlite3.Row
    return conn


class UserData:
    """The user's database; open with :meth:`open`, which also repairs what it must.

    ``notices`` holds what the user must be told (a database moved aside, and where).
    """

    def __init__(self, path: Path, conn: sqlite3.Connection, notices: list[str]) -> None:
        self.path = path
        self.conn = conn
        self.notices = notices

    @classmethod
    def open(cls, data_dir: Path, *, check: bool = True) -> UserData:
        """Open (or create) ``userdata.sqlite`` in ``data_dir``.

        A database that cannot be opened, fails ``PRAGMA integrity_check`` or was written by
        a newer schema is renamed beside itself with a timestamp (kept for the user or a
        newer briefreader, never overwritten) and a fresh one is made. ``check`` False skips
        the check (it reads the whole file): for a second connection of a process that has
        just opened the database with it, such as the window's background jobs.
        """
        path = Path(data_dir) / DB_NAME
        notices: list[str] = []
        conn: sqlite3.Connection | None = None
        try:
            if path.exists() and not check:
                conn = _connect(path)
            elif path.exists():
                problem: str | None
                try:
                    conn = _connect(path)
                    problem = _check(conn)
                except sqlite3.DatabaseError as exc:
                    if not is_corrupt(exc):
                        # Locked, read-only, unreadable: the file may be perfectly good.
                        raise busy_error(path, exc) from exc
                    problem = f"damaged: {exc}"
                if problem is not None:
                    if conn is not None:
                        conn.close()
                        conn = None
                    why, _, detail = problem.partition(": ")
                    moved = _move_aside(path, why)
                    notices.append(
                        f"Your notes database was {detail}; it was moved to {moved.name} and a "
                        "new one was started (Notes panel or `briefreader notes --set-aside` to "
                        "look at it and merge its notes back)."
                        if why == "newer"
                        else f"Your notes database was damaged ({detail}); it was moved to "
                        f"{moved.name} and a new one was started (Notes panel or `briefreader "
                        "notes --set-aside` to look at it and merge what can be read back)."
                    )
                    log.warning("user data %s moved to %s: %s", path, moved, problem)
            if conn is None:
                path.parent.mkdir(parents=True, exist_ok=True)
                conn = _connect(path)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")  # WAL: durable at checkpoints
            conn.execute("PRAGMA foreign_keys = ON")
            _migrate(conn)
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            if isinstance(exc, sqlite3.DatabaseError) and is_corrupt(exc):
                raise UserDataError(f"Your notes database ({path}) is damaged: {exc}") from exc
            raise busy_error(path, exc) from exc
        return cls(path, conn, notices)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> UserData:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transaction(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """One write transaction for a caller that writes many rows at once (a merge)."""
        return self._write()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) so two writers queue.

        A writer that stays locked past the busy timeout is a :class:`UserDataBusyError`
        (a message and a retry), never a raw SQLite error.
        """
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise busy_error(self.path, exc) from exc
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
            raise busy_error(self.path, exc) from exc

    # -- notes and highlights ------------------------------------------------------------

    def _snapshot(self, conn: sqlite3.Connection, brief: Brief) -> None:
        conn.execute(
            "INSERT OR IGNORE INTO snapshots (sha256, text) VALUES (?, ?)",
            (brief.sha256, brief.text),
        )

    def add_note(self, brief: Brief, body: str) -> Note:
        """A note on the whole brief, anchored to this version of it."""
        if not body.strip():
            raise UserDataError("the note is empty")
        stamp = now()
        with self._write() as conn:
            self._snapshot(conn, brief)
            cur = conn.execute(
                "INSERT INTO notes (brief_id, sha256, body, created, updated) VALUES (?,?,?,?,?)",
                (brief.id, brief.sha256, body, stamp, stamp),
            )
        return self.note(int(cur.lastrowid or 0))

    def add_highlight(
        self, brief: Brief, section: str, start: int, end: int, body: str = ""
    ) -> Note:
        """A highlight of ``brief.text[start:end]``, which must lie inside ``section``."""
        bounds = {s: (a, a + len(t)) for s, a, t in brief.sections()}
        if section not in (ARTICLE, COMMENT):
            raise UserDataError(f"no such section: {section!r} (article or comment)")
        if section not in bounds:
            raise UserDataError(f"{brief.id} has no {section}")
        lo, hi = bounds[section]
        if not lo <= start < end <= hi:
            raise UserDataError(f"the span {start}-{end} is not inside the {section} ({lo}-{hi})")
        stamp = now()
        with self._write() as conn:
            self._snapshot(conn, brief)
            cur = conn.execute(
                'INSERT INTO notes (brief_id, sha256, section, start, "end", quote, body, created,'
                " updated) VALUES (?,?,?,?,?,?,?,?,?)",
                (brief.id, brief.sha256, section, start, end, brief.text[start:end], body,
                 stamp, stamp),
            )  # fmt: skip
        return self.note(int(cur.lastrowid or 0))

    def edit_note(self, note_id: int, body: str) -> Note:
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE notes SET body = ?, updated = ? WHERE id = ?", (body, now(), note_id)
            )
            if cur.rowcount == 0:
                raise UserDataError(f"no note {note_id}")
        return self.note(note_id)

    def delete_note(self, note_id: int) -> None:
        with self._write() as conn:
            if conn.execute("DELETE FROM notes WHERE id = ?", (note_id,)).rowcount == 0:
                raise UserDataError(f"no note {note_id}")

    def note(self, note_id: int) -> Note:
        row = self.conn.execute("SELECT * FROM notes WHERE id = ?", (note_id,)).fetchone()
        if row is None:
            raise UserDataError(f"no note {note_id}")
        return _note(row)

    def has_notes(self) -> bool:
        """Whether the user has written any note or highlight (plain searches look in them)."""
        return self.conn.execute("SELECT 1 FROM notes LIMIT 1").fetchone() is not None

    def notes(self, brief_id: str | None = None, words: str = "") -> list[Note]:
        """Notes, oldest first; of one brief, and/or containing every one of ``words``.

        Words are matched case-insensitively at the start of a word, in the note or in the
        highlighted quote: ``embass`` finds "Embassy", ``war`` does not find "toward".
        """
        where, params = [], []
        if brief_id is not None:
            where.append("brief_id = ?")
            params.append(brief_id)
        for word in words.split():
            esc = word.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            where.append("(fold(body) LIKE ? ESCAPE '\\' OR fold(quote) LIKE ? ESCAPE '\\')")
            params += [f"%{esc}%", f"%{esc}%"]
        self.conn.create_function("fold", 1, _fold, deterministic=True)
        sql = "SELECT * FROM notes" + (" WHERE " + " AND ".join(where) if where else "")
        found = [_note(r) for r in self.conn.execute(sql + " ORDER BY id", params)]
        starts = [re.compile(r"(?<!\w)" + re.escape(w.casefold())) for w in words.split()]
        if not starts:
            return found
        return [n for n in found if all(_starts_a_word(s, n) for s in starts)]

    def snapshot(self, sha256: str) -> str | None:
        """The brief's text as it was when a note with this hash was written."""
        row = self.conn.execute("SELECT text FROM snapshots WHERE sha256 = ?", (sha256,)).fetchone()
        return str(row[0]) if row else None

    # -- saved searches and the watchlist ------------------------------------------------

    def add_saved(
        self,
        name: str,
        query: str,
        *,
        kind: str = "search",
        filters: dict[str, Any] | None = None,
        sort: str = "relevance",
        seen_mark: int = 0,
    ) -> Saved:
        """Save a search (or watch an actor); ``seen_mark`` = what counts as already seen."""
        if not name.strip():
            raise UserDataError("the name is empty")
        stamp = now()
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM saved WHERE name = ?", (name,)).fetchone():
                raise UserDataError(f"a saved search or watched actor is already named {name!r}")
            conn.execute(
                "INSERT INTO saved VALUES (?,?,?,?,?,?,?,?)",
                (name, kind, query, json.dumps(filters or {}, sort_keys=True), sort, seen_mark,
                 stamp, stamp),
            )  # fmt: skip
        return self.saved(name)

    def saved(self, name: str) -> Saved:
        row = self.conn.execute("SELECT * FROM saved WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise UserDataError(f"no saved search or watched actor named {name!r}")
        return _saved(row)

    def saved_all(self, kind: str | None = None) -> list[Saved]:
        sql, params = "SELECT * FROM saved", ()
        if kind is not None:
            sql, params = sql + " WHERE kind = ?", (kind,)  # type: ignore[assignment]
        return [_saved(r) for r in self.conn.execute(sql + " ORDER BY rowid", params)]

    def delete_saved(self, name: str) -> None:
        with self._write() as conn:
            if conn.execute("DELETE FROM saved WHERE name = ?", (name,)).rowcount == 0:
                raise UserDataError(f"no saved search or watched actor named {name!r}")

    def mark_seen(self, name: str, mark: int) -> Saved:
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE saved SET seen_mark = ?, seen_at = ? WHERE name = ?", (mark, now(), name)
            )
            if cur.rowcount == 0:
                raise UserDataError(f"no saved search or watched actor named {name!r}")
        return self.saved(name)

    def record_arrivals(self, brief_ids: Iterable[str]) -> int:
        """Stamp the ids never seen before with one new sequence number; the latest number.

        Called with every id in the index before new counts are read or a search is marked
        seen, so that a mark covers exactly what had arrived by then.
        """
        ids = set(brief_ids)
        with self._write() as conn:
            known = {r[0] for r in conn.execute("SELECT brief_id FROM first_seen")}
            latest = int(conn.execute("SELECT COALESCE(MAX(seq), 0) FROM first_seen").fetchone()[0])
            fresh = sorted(ids - known)
            if fresh:
                latest += 1
                stamp = now()
                conn.executemany(
                    "INSERT INTO first_seen VALUES (?, ?, ?)", [(i, latest, stamp) for i in fresh]
                )
        return latest

    def arrivals_after(self, mark: int) -> dict[str, int]:
        """Every brief id first seen after ``mark``, with its stamp."""
        rows = self.conn.execute("SELECT brief_id, seq FROM first_seen WHERE seq > ?", (mark,))
        return {r[0]: int(r[1]) for r in rows}

    def arrived_after(self, mark: int, brief_ids: Iterable[str]) -> list[str]:
        """Those of ``brief_ids`` first seen after ``mark`` (unstamped ones count as new)."""
        ids = list(dict.fromkeys(brief_ids))
        old = {
            r[0]
            for r in self.conn.execute("SELECT brief_id FROM first_seen WHERE seq <= ?", (mark,))
        }
        return [i for i in ids if i not in old]

    # -- stars and read state ------------------------------------------------------------

    def set_star(self, brief_id: str, starred: bool = True) -> None:
        self._set_state(brief_id, "starred_at", now() if starred else None)

    def set_read(self, brief_id: str, read: bool = True) -> None:
        self._set_state(brief_id, "read_at", now() if read else None)

    def _set_state(self, brief_id: str, column: str, value: str | None) -> None:
        assert column in ("starred_at", "read_at")
        with self._write() as conn:
            conn.execute(
                f"INSERT INTO brief_state (brief_id, {column}) VALUES (?, ?)"
                f" ON CONFLICT (brief_id) DO UPDATE SET {column} = excluded.{column}",
                (brief_id, value),
            )

    def starred(self) -> list[str]:
        rows = self.conn.execute(
            "SELECT brief_id FROM brief_state WHERE starred_at IS NOT NULL"
            " ORDER BY starred_at, rowid"
        )
        return [r[0] for r in rows]

    def set_star_many(self, brief_ids: Iterable[str], starred: bool = True) -> None:
        """Star (or unstar) many briefs in one transaction: one selection, one write."""
        value = now() if starred else None
        with self._write() as conn:
            conn.executemany(
                "INSERT INTO brief_state (brief_id, starred_at) VALUES (?, ?)"
                " ON CONFLICT (brief_id) DO UPDATE SET starred_at = excluded.starred_at",
                [(i, value) for i in dict.fromkeys(brief_ids)],
            )

    def read_ids(self) -> set[str]:
        rows = self.conn.execute("SELECT brief_id FROM brief_state WHERE read_at IS NOT NULL")
        return {r[0] for r in rows}

    def latest_arrival(self) -> int:
        """The newest arrival stamp (0: none yet); no saved search marked at it has news."""
        return int(self.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM first_seen").fetchone()[0])

    def is_read(self, brief_id: str) -> bool:
        row = self.conn.execute(
            "SELECT read_at FROM brief_state WHERE brief_id = ?", (brief_id,)
        ).fetchone()
        return bool(row and row[0])

    # -- labels ----------------------------------------------------------------------------

    def add_label(self, brief_ids: Iterable[str], label: str) -> str:
        """Put ``label`` on every one of ``brief_ids`` (one transaction); the label as kept
        (lower case, spaces joined)."""
        name = normal_label(label)
        stamp = now()
        with self._write() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO labels (brief_id, label, added) VALUES (?, ?, ?)",
                [(i, name, stamp) for i in dict.fromkeys(brief_ids)],
            )
        return name

    def remove_label(self, brief_ids: Iterable[str], label: str) -> None:
        name = normal_label(label)
        with self._write() as conn:
            conn.executemany(
                "DELETE FROM labels WHERE brief_id = ? AND label = ?",
                [(i, name) for i in dict.fromkeys(brief_ids)],
            )

    def labels(self) -> dict[str, int]:
        """Every label in use, with how many briefs carry it, most used first."""
        rows = self.conn.execute(
            "SELECT label, COUNT(*) FROM labels GROUP BY label ORDER BY COUNT(*) DESC, label"
        )
        return {r[0]: int(r[1]) for r in rows}

    def labels_by_brief(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for brief_id, label in self.conn.execute(
            "SELECT brief_id, label FROM labels ORDER BY label"
        ):
            out.setdefault(brief_id, []).append(label)
        return out

    def labelled(self, label: str) -> set[str]:
        rows = self.conn.execute(
            "SELECT brief_id FROM labels WHERE label = ?", (normal_label(label),)
        )
        return {r[0] for r in rows}

    # -- backup and restore --------------------------------------------------------------

    def backup(self, target: Path) -> None:
        """Copy the whole database to one file, consistently, while others may write.

        Written to a temporary name beside ``target`` and renamed, so a failed backup never
        leaves a half file where a good one was.
        """
        target = Path(target)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        try:
            dst = sqlite3.connect(str(tmp))
            try:
                self.conn.backup(dst)
                # One self-contained file: no -wal or -shm files to carry along with it.
                dst.execute("PRAGMA journal_mode = DELETE")
            finally:
                dst.close()
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def restore(self, source: Path) -> Path:
        """Replace the database's contents with a backup; the current ones are kept aside.

        The backup is checked first (integrity, a schema this briefreader knows); returns the
        file the replaced database was copied to.
        """
        source = Path(source)
        if not source.is_file():
            raise UserDataError(f"no such backup: {source}")
        try:
            src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
            try:
                problem = _check(src)
                if problem is None and not _version(src):
                    problem = "not a briefreader backup"
            except sqlite3.DatabaseError as exc:
                problem = f"not a database ({exc})"
            if problem is not None:
                src.close()
                raise UserDataError(f"cannot restore {source}: {problem}")
            kept = _set_aside_name(self.path, "before-restore")
            keep = sqlite3.connect(str(kept))
            try:
                self.conn.backup(keep)
            finally:
                keep.close()
            src.backup(self.conn)
            src.close()
        except sqlite3.Error as exc:
            raise UserDataError(f"cannot restore {source}: {exc}") from exc
        _migrate(self.conn)
        return kept


def normal_label(label: str) -> str:
    """A label as kept: lower case, inner spaces joined; never empty."""
    name = "-".join(label.casefold().split())
    if not name:
        raise UserDataError("the label is empty")
    return name


def _starts_a_word(pattern: re.Pattern[str], note: Note) -> bool:
    """Whether ``pattern`` (a case-folded word) starts a word of the note or its quote."""
    return any(pattern.search(t.casefold()) for t in (note.body, note.quote or ""))


def _fold(text: str | None) -> str | None:
    return text.casefold() if text is not None else None


def _note(row: sqlite3.Row) -> Note:
    return Note(
        id=row["id"],
        brief_id=row["brief_id"],
        sha256=row["sha256"],
        body=row["body"],
        created=row["created"],
        updated=row["updated"],
        section=row["section"],
        start=row["start"],
        end=row["end"],
        quote=row["quote"],
    )


def _saved(row: sqlite3.Row) -> Saved:
    return Saved(
        name=row["name"],
        kind=row["kind"],
        query=row["query"],
        filters=json.loads(row["filters"] or "{}"),
        sort=row["sort"],
        seen_mark=row["seen_mark"],
        seen_at=row["seen_at"],
        created=row["created"],
    )


#: The state of a note against the brief as the index has it now.
CURRENT, CHANGED, MISSING = "current", "changed", "missing"


def note_state(note: Note, current_hashes: dict[str, str]) -> str:
    """``current``, ``changed`` (the brief changed since this note) or ``missing``."""
    sha = current_hashes.get(note.brief_id)
    if sha is None:
        return MISSING
    return CURRENT if sha == note.sha256 else CHANGED


__all__ = [
    "CHANGED",
    "CURRENT",
    "MISSING",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Note",
    "Saved",
    "UserData",
    "UserDataError",
    "note_state",
]
