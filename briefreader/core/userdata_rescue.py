"""Notes databases set aside: find them, read them without touching them, merge them back.

:meth:`UserData.open` moves a damaged database (or one a newer briefreader wrote) beside
itself rather than deleting it. Those files hold the user's own words, so they are offered
back: listed with what can still be read in them, and merged into the current database on
request. The file set aside is never written: it is copied (with its WAL) to a temporary
folder and the copy is read, table by table and row by row, so that a damaged page costs the
rows on it and not the whole file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefreader.core.userdata import DB_NAME, Note, UserData, UserDataError, now

log = logging.getLogger(__name__)

#: The reasons :meth:`UserData.open` and :meth:`UserData.restore` put in a set-aside name.
SET_ASIDE_REASONS = ("damaged", "newer", "before-restore", "merged")


@dataclass(frozen=True, slots=True)
class SetAside:
    """One database set aside: where, why, when, and how much of it can be read."""

    path: Path
    reason: str  # "damaged", "newer", "before-restore" or "merged" (merged back already)
    when: str  # the stamp in its name, as "YYYY-MM-DD HH:MM:SS", or "" if none
    notes: int  # notes and highlights that could be read
    saved: int  # saved searches and watched actors that could be read
    problem: str | None = None  # why some (or all) of it could not be read


@dataclass(slots=True)
class MergeReport:
    """What a merge brought in; ``skipped`` counts rows already present (or unreadable).

    ``kept_as`` is the set-aside file's new name: renamed ``…merged-…`` once merged, so that
    it is not offered again; its contents are never changed.
    """

    notes: int = 0
    saved: int = 0
    stars: int = 0
    labels: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)
    kept_as: Path | None = None


def set_aside_databases(data_dir: Path) -> list[SetAside]:
    """Every notes database set aside in ``data_dir``, newest first."""
    out: list[SetAside] = []
    folder = Path(data_dir)
    if not folder.is_dir():
        return out
    prefix = DB_NAME + "."
    for path in folder.iterdir():
        name = path.name
        if not name.startswith(prefix) or name.endswith(("-wal", "-shm")):
            continue
        rest = name[len(prefix) :]
        reason = next((r for r in SET_ASIDE_REASONS if rest.startswith(r + "-")), None)
        if reason is None or not path.is_file():
            continue
        stamp = rest[len(reason) + 1 :]
        out.append(_describe(path, reason, _when(stamp)))
    out.sort(key=lambda s: (s.when, s.path.name), reverse=True)
    return out


def _when(stamp: str) -> str:
    try:
        moment = dt.datetime.strptime(stamp[:15], "%Y%m%d-%H%M%S")
    except ValueError:
        return ""
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _describe(path: Path, reason: str, when: str) -> SetAside:
    try:
        with _reading(path) as conn:
            rows = _Rows(conn)
            notes = sum(1 for _ in rows.of("notes"))
            saved = sum(1 for _ in rows.of("saved"))
            problem = "; ".join(rows.problems) or None
    except (sqlite3.Error, OSError) as exc:
        return SetAside(path, reason, when, 0, 0, f"cannot be read at all ({exc})")
    return SetAside(path, reason, when, notes, saved, problem)


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to a private copy of ``path`` (and its WAL, if any)."""
    with tempfile.TemporaryDirectory(prefix="briefreader-rescue-") as tmp:
        copy = Path(tmp) / "copy.sqlite"
        shutil.copyfile(path, copy)
        wal = Path(str(path) + "-wal")
        if wal.is_file():
            shutil.copyfile(wal, Path(str(copy) + "-wal"))
        conn = sqlite3.connect(str(copy), isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA query_only = ON")
            yield conn
        finally:
            conn.close()


class _Rows:
    """Rows of a possibly damaged database, read by rowid so one bad page loses little."""

    #: Give up on a table after this many unreadable stretches in a row.
    MAX_FAILURES = 64

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.problems: list[str] = []

    def of(self, table: str) -> Iterator[sqlite3.Row]:
        last = 0
        try:
            for row in self.conn.execute(f"SELECT rowid AS _rowid, * FROM {table} ORDER BY rowid"):
                last = int(row["_rowid"])
                yield row
            return
        except sqlite3.DatabaseError as exc:
            if "no such table" in str(exc):
                return
            self.problems.append(f"{table}: {exc}")
        # The straight read failed part-way: go on row by row past the last row read.
        yield from self._by_rowid(table, last)

    def _by_rowid(self, table: str, last: int) -> Iterator[sqlite3.Row]:
        failures = 0
        while failures < self.MAX_FAILURES:
            try:
                row = self.conn.execute(
                    f"SELECT rowid AS _rowid, * FROM {table} WHERE rowid > ? ORDER BY rowid"
                    " LIMIT 1",
                    (last,),
                ).fetchone()
            except sqlite3.DatabaseError:
                failures += 1
                last += 1
                continue
            if row is None:
                return
            failures = 0
            last = int(row["_rowid"])
            yield row


def read_set_aside(path: Path) -> tuple[list[Note], list[str]]:
    """The notes and highlights that can be read from a set-aside database, and problems."""
    notes: list[Note] = []
    with _reading(Path(path)) as conn:
        rows = _Rows(conn)
        for row in rows.of("notes"):
            note = _note_of(row)
            if note is not None:
                notes.append(note)
        return notes, rows.problems


def _note_of(row: sqlite3.Row) -> Note | None:
    try:
        return Note(
            id=int(row["id"]),
            brief_id=str(row["brief_id"]),
            sha256=str(row["sha256"]),
            body=str(row["body"] or ""),
            created=str(row["created"]),
            updated=str(row["updated"]),
            section=row["section"],
            start=row["start"],
            end=row["end"],
            quote=row["quote"],
        )
    except (IndexError, KeyError, TypeError, ValueError):
        return None


def merge_set_aside(ud: UserData, path: Path) -> MergeReport:
    """Bring a set-aside database's notes, saved searches, stars and labels into ``ud``.

    A note already there (same brief, version, place, text and time) is not added twice, so
    merging the same file again changes nothing. Saved searches keep the current one of the
    same name. Nothing is written to the set-aside file.
    """
    report = MergeReport()
    path = Path(path)
    if not path.is_file():
        raise UserDataError(f"no such database: {path}")
    try:
        with _reading(path) as src, ud.transaction() as dst:
            rows = _Rows(src)
            snapshots = {str(r["sha256"]): str(r["text"]) for r in rows.of("snapshots")}
            for row in rows.of("notes"):
                note = _note_of(row)
                if note is None or not _merge_note(dst, note, snapshots):
                    report.skipped += 1
                else:
                    report.notes += 1
            for row in rows.of("saved"):
                if _merge_saved(dst, row):
                    report.saved += 1
                else:
                    report.skipped += 1
            for row in rows.of("brief_state"):
                report.stars += _merge_state(dst, row)
            for row in rows.of("labels"):
                report.labels += _merge_label(dst, row)
            report.problems = rows.problems
    except (sqlite3.DatabaseError, OSError) as exc:
        raise UserDataError(f"cannot read {path.name}: {exc}") from exc
    report.kept_as = _mark_merged(path)
    log.info("merged %s: %s", path, report)
    return report


def _mark_merged(path: Path) -> Path:
    """Rename a merged file (and its WAL) ``…merged-STAMP``: kept, but no longer offered."""
    prefix = DB_NAME + "."
    rest = path.name[len(prefix) :] if path.name.startswith(prefix) else ""
    reason = next((r for r in SET_ASIDE_REASONS if rest.startswith(r + "-")), None)
    if reason is None or reason == "merged":
        return path
    target = path.with_name(f"{prefix}merged-{rest[len(reason) + 1 :]}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{prefix}merged-{rest[len(reason) + 1 :]}-{n}")
    try:
        path.rename(target)
        wal = Path(str(path) + "-wal")
        if wal.exists():
            wal.rename(Path(str(target) + "-wal"))
    except OSError as exc:
        log.warning("could not mark %s as merged: %s", path, exc)
        return path
    return target


def _merge_note(dst: sqlite3.Connection, note: Note, snapshots: dict[str, str]) -> bool:
    same = dst.execute(
        "SELECT 1 FROM notes WHERE brief_id = ? AND sha256 = ? AND section IS ? AND start IS ?"
        ' AND "end" IS ? AND body = ? AND created = ?',
        (note.brief_id, note.sha256, note.section, note.start, note.end, note.body,
         note.created),
    ).fetchone()  # fmt: skip
    if same is not None:
        return False
    text = snapshots.get(note.sha256)
    if text is None:
        have = dst.execute("SELECT 1 FROM snapshots WHERE sha256 = ?", (note.sha256,)).fetchone()
        if have is None:
            # The brief's text at the time is lost with the damaged page: keep the quote.
            text = note.quote or ""
    if text is not None:
        dst.execute("INSERT OR IGNORE INTO snapshots (sha256, text) VALUES (?, ?)",
                    (note.sha256, text))  # fmt: skip
    try:
        dst.execute(
            'INSERT INTO notes (brief_id, sha256, section, start, "end", quote, body, created,'
            " updated) VALUES (?,?,?,?,?,?,?,?,?)",
            (note.brief_id, note.sha256, note.section, note.start, note.end, note.quote,
             note.body, note.created, note.updated),
        )  # fmt: skip
    except sqlite3.IntegrityError:
        return False
    return True


def _merge_saved(dst: sqlite3.Connection, row: sqlite3.Row) -> bool:
    try:
        filters: Any = json.loads(row["filters"] or "{}")
        values = (
            str(row["name"]), str(row["kind"]), str(row["query"]),
            json.dumps(filters if isinstance(filters, dict) else {}, sort_keys=True),
            str(row["sort"] or "relevance"), 0, None, str(row["created"] or now()),
        )  # fmt: skip
        cur = dst.execute("INSERT OR IGNORE INTO saved VALUES (?,?,?,?,?,?,?,?)", values)
    except (sqlite3.IntegrityError, IndexError, KeyError, TypeError, ValueError):
        return False
    return cur.rowcount > 0


def _merge_state(dst: sqlite3.Connection, row: sqlite3.Row) -> int:
    try:
        brief_id, starred, read = str(row["brief_id"]), row["starred_at"], row["read_at"]
    except (IndexError, KeyError):
        return 0
    cur = dst.execute(
        "INSERT INTO brief_state (brief_id, starred_at, read_at) VALUES (?, ?, ?)"
        " ON CONFLICT (brief_id) DO UPDATE SET"
        " starred_at = COALESCE(brief_state.starred_at, excluded.starred_at),"
        " read_at = COALESCE(brief_state.read_at, excluded.read_at)",
        (brief_id, starred, read),
    )
    return 1 if starred and cur.rowcount else 0


def _merge_label(dst: sqlite3.Connection, row: sqlite3.Row) -> int:
    try:
        values = (str(row["brief_id"]), str(row["label"]), str(row["added"] or now()))
    except (IndexError, KeyError):
        return 0
    cur = dst.execute("INSERT OR IGNORE INTO labels VALUES (?, ?, ?)", values)
    return cur.rowcount
