"""Thin table models over the actor workbench's records: companions and candidate actors."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from briefreader.core.records import Candidate, Company
from briefreader.core.safetext import rich_text
from briefreader.ui.models import ActorIdRole

_Index = QModelIndex | QPersistentModelIndex
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CandidateRole = Qt.ItemDataRole.UserRole + 20


class CompanyModel(QAbstractTableModel):
    """An actor's companions: name | briefs together | score; the id in ActorIdRole."""

    HEADERS = ("Companion", "Briefs", "Score")
    TIPS = (
        "Actors named in the same briefs; click one to search the briefs naming both",
        "Briefs naming both actors",
        "Shared briefs × log of how much more often they meet than their frequencies predict",
    )

    def __init__(self, name_of: Callable[[str], str], parent: Any = None) -> None:
        super().__init__(parent)
        self._name_of = name_of
        self._rows: list[Company] = []

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.TIPS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section:
            return int(_RIGHT)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (self._name_of(row.actor_id), str(row.briefs), f"{row.score:.1f}")[col]
        if role == ActorIdRole:
            return row.actor_id
        if role == Qt.ItemDataRole.TextAlignmentRole and col:
            return int(_RIGHT)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Search the {row.briefs} briefs naming both"
        return None

    def set_company(self, rows: Sequence[Company]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def company(self, row: int) -> Company | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None


class CandidateModel(QAbstractTableModel):
    """Names the glossary lacks: name | briefs | mentions | an example sentence."""

    HEADERS = ("Name", "Briefs", "Mentions", "Example")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Candidate] = []

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section in (1, 2):
            return int(_RIGHT)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        c = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (c.name, str(c.briefs), str(c.mentions), " ".join(c.example.split()))[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return rich_text(f"{c.example_id}: {c.example}" if col == 3 else c.name)
        if role == CandidateRole:
            return c
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (1, 2):
            return int(_RIGHT)
        return None

    def set_candidates(self, rows: Sequence[Candidate]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def candidate(self, row: int) -> Candidate | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def drop(self, keep: Callable[[Candidate], bool]) -> None:
        """Forget the rows ``keep`` refuses (names the glossary has just learned)."""
        self.set_candidates([c for c in self._rows if keep(c)])
