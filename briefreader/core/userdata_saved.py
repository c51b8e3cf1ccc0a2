"""Saved searches, watched actors and when each brief first arrived, in the user's
database: what "new since I last looked" counts (see :mod:`briefreader.core.userdata`)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from briefreader.core.userdata_db import Database, UserDataError, now


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


class SavedStore(Database):
    """Saved searches and watched actors, each with the arrival it was last marked seen at."""

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

    def latest_arrival(self) -> int:
        """The newest arrival stamp (0: none yet); no saved search marked at it has news."""
        return int(self.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM first_seen").fetchone()[0])


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
