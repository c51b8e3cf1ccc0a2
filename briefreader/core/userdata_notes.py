"""Notes and highlights in the user's database, anchored to the brief's text they were
written on (see :mod:`briefreader.core.userdata`)."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from briefreader.core.brief import ARTICLE, COMMENT, Brief
from briefreader.core.userdata_db import Database, UserDataError, now


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


#: The state of a note against the brief as the index has it now.
CURRENT, CHANGED, MISSING = "current", "changed", "missing"


def note_state(note: Note, current_hashes: dict[str, str]) -> str:
    """``current``, ``changed`` (the brief changed since this note) or ``missing``."""
    sha = current_hashes.get(note.brief_id)
    if sha is None:
        return MISSING
    return CURRENT if sha == note.sha256 else CHANGED


class NotesStore(Database):
    """Notes on whole briefs and highlights of spans, and the texts they were written on."""

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
