"""What the user marks on briefs in the user's database: stars, read state and labels."""

from __future__ import annotations

from collections.abc import Iterable

from briefreader.core.userdata_db import Database, UserDataError, now


class MarksStore(Database):
    """Stars and read marks (one row a brief) and labels (many a brief)."""

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


def normal_label(label: str) -> str:
    """A label as kept: lower case, inner spaces joined; never empty."""
    name = "-".join(label.casefold().split())
    if not name:
        raise UserDataError("the label is empty")
    return name
