"""The user's database as a file: its schema and migrations, opening and repairing it, one
write transaction at a time, backups and restores.

Why SQLite, how notes are anchored and how "new" is counted: :mod:`briefreader.core.userdata`.
A database that cannot be used is renamed beside itself (never deleted); one that is only
busy is left alone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Self

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


class Database:
    """The user's database; open with :meth:`open`, which also repairs what it must.

    ``notices`` holds what the user must be told (a database moved aside, and where).
    :class:`briefreader.core.userdata.UserData` is this with what the user keeps in it.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection, notices: list[str]) -> None:
        self.path = path
        self.conn = conn
        self.notices = notices

    @classmethod
    def open(cls, data_dir: Path, *, check: bool = True) -> Self:
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

    def __enter__(self) -> Self:
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
