"""Thin Qt models over the user layer's plain records: notes and saved searches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from briefreader.core.safetext import rich_text
from briefreader.core.userdata import CHANGED, MISSING
from briefreader.core.userlayer import NoteRow, SavedStatus
from briefreader.core.userlists import saved_summary
from briefreader.core.wording import counted
from briefreader.ui.userlayer.delegates import BodyRole, HeadRole

NoteRole = Qt.ItemDataRole.UserRole + 40
SavedRole = Qt.ItemDataRole.UserRole + 41

_Index = QModelIndex | QPersistentModelIndex

CHANGED_TEXT = "The brief changed since this note"
MISSING_TEXT = "The brief is no longer in the library"


def when(iso: str) -> str:
    """A stored UTC time as the user's clock reads it ("3 Dec 2026, 09:14")."""
    try:
        moment = dt.datetime.fromisoformat(iso).astimezone()
    except ValueError:
        return iso
    return f"{moment.day} {moment:%b %Y, %H:%M}"


def _one_line(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _old_context(row: NoteRow, around: int = 240) -> str:
    """The text a changed brief's highlight was made on, with some around it."""
    note, old = row.note, row.old_text or ""
    if note.start is None or note.end is None or not old:
        return ""
    lo, hi = max(0, note.start - around), min(len(old), note.end + around)
    return (
        ("…" if lo else "")
        + old[lo : note.start]
        + "[["
        + old[note.start : note.end]
        + "]]"
        + old[note.end : hi]
        + ("…" if hi < len(old) else "")
    )


class NoteListModel(QAbstractListModel):
    """Notes, one row each: the quote (for a highlight), the note, and the brief's state.

    ``with_title``: each row also names its brief (the list of all notes).
    """

    def __init__(self, with_title: bool = False, parent: Any = None) -> None:
        super().__init__(parent)
        self.with_title = with_title
        self._rows: list[NoteRow] = []

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        note = row.note
        if role == Qt.ItemDataRole.DisplayRole:
            body = self._body(row)
            return f"▸ {_one_line(row.title, 60)}\n{body}" if self.with_title else body
        if role == HeadRole:
            return _one_line(row.title, 200) if self.with_title else None
        if role == BodyRole:
            return self._body(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = [row.title, note.body or "(no note)", f"Written {when(note.updated)}"]
            if row.state == CHANGED:
                tip.append(f"{CHANGED_TEXT}. It was written on:\n{_old_context(row)}")
            return rich_text("\n\n".join(t for t in tip if t))
        if role == NoteRole:
            return row
        return None

    @staticmethod
    def _body(row: NoteRow) -> str:
        """The quote (a highlight), the note, and what became of its brief."""
        note = row.note
        lines = []
        if note.is_highlight:
            lines.append(f"“{_one_line(note.quote or '', 120)}”")
            if note.body:
                lines.append("✎ " + _one_line(note.body, 240))
        else:
            body = _one_line(note.body, 240) or "(empty note)"
            lines.append(f"✎ {body}  (on the whole brief)")
        if row.state == CHANGED:
            lines.append(f"⚠ {CHANGED_TEXT}")
        elif row.state == MISSING:
            lines.append(f"⚠ {MISSING_TEXT}")
        return "\n".join(lines)

    def set_rows(self, rows: Sequence[NoteRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, n: int) -> NoteRow | None:
        return self._rows[n] if 0 <= n < len(self._rows) else None


def _found(st: SavedStatus) -> str:
    return counted(st.total, "brief") if st.total >= 0 else "counting…"


class SavedListModel(QAbstractListModel):
    """Saved searches and watched actors with their new counts ("3 new")."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[SavedStatus] = []

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        st = self._rows[index.row()]
        new = f"  ·  {len(st.new)} new" if st.new else ""
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{st.saved.name}  ·  {_found(st)}{new}"
        if role == HeadRole:
            return f"{st.saved.name}{new}"
        if role == BodyRole:
            return " · ".join([*saved_summary(st.saved), _found(st)])
        if role == Qt.ItemDataRole.ToolTipRole:
            seen = when(st.saved.seen_at) if st.saved.seen_at else "never"
            what = "\n".join(saved_summary(st.saved, long=True))
            return rich_text(
                f"{what}\n{_found(st)}, {len(st.new)} new since you last looked ({seen})\n"
                "Click to open it, new briefs first; right-click to export it"
            )
        if role == Qt.ItemDataRole.FontRole and st.new:
            font = QFont()
            font.setBold(True)
            return font
        if role == SavedRole:
            return st
        return None

    def set_rows(self, rows: Sequence[SavedStatus]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, n: int) -> SavedStatus | None:
        return self._rows[n] if 0 <= n < len(self._rows) else None

    def status(self, name: str) -> SavedStatus | None:
        return next((r for r in self._rows if r.saved.name == name), None)
