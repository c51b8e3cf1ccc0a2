"""Thin Qt models over the core's plain records (search hits, actors, facets, problems).

They hold data and answer Qt's questions about it; deciding what to show is the window's job.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel

from briefreader.core.glossary import Actor
from briefreader.core.records import Hit
from briefreader.core.safetext import rich_text

HitRole = Qt.ItemDataRole.UserRole + 1
ActorIdRole = Qt.ItemDataRole.UserRole + 2
KindRole = Qt.ItemDataRole.UserRole + 3
FacetRole = Qt.ItemDataRole.UserRole + 4
ActorNamesRole = Qt.ItemDataRole.UserRole + 5

_Index = QModelIndex | QPersistentModelIndex


class HitListModel(QAbstractListModel):
    """Search hits, fetched a page at a time: ``fetcher(offset)`` asks for the next page.

    ``actor_names`` turns actor ids into display names for the delegate.
    """

    def __init__(
        self,
        fetcher: Callable[[int], None] | None = None,
        actor_names: Callable[[Sequence[str]], list[tuple[str, str]]] | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._hits: list[Hit] = []
        self._total = 0
        self._fetcher = fetcher
        self._pending = False
        self._actor_names = actor_names or (lambda ids: [(i, "other") for i in ids])
        self.incomplete = False

    # -- Qt ----------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return hit.title
        if role == Qt.ItemDataRole.ToolTipRole:
            also = f"\nThe same article is also in: {', '.join(hit.copies)}" if hit.copies else ""
            return rich_text(hit.id + also)
        if role == HitRole:
            return hit
        if role == ActorNamesRole:
            return self._actor_names(hit.actors[:5])
        return None

    def canFetchMore(self, parent: _Index) -> bool:
        if parent.isValid() or self._fetcher is None:
            return False
        return not self._pending and len(self._hits) < self._total

    def fetchMore(self, parent: _Index) -> None:
        if self.canFetchMore(parent) and self._fetcher is not None:
            self._pending = True
            self._fetcher(len(self._hits))

    # -- the window's side ---------------------------------------------------------------

    def set_hits(self, hits: Sequence[Hit], total: int) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self._total = max(total, len(self._hits))
        self._pending = False
        self.endResetModel()

    def append_hits(self, offset: int, hits: Sequence[Hit]) -> None:
        """Add a page; ignored unless it continues where the list ends."""
        self._pending = False
        if offset != len(self._hits):
            return
        if not hits:
            # The index changed under the list (briefs removed): stop asking for more.
            self._total = len(self._hits)
            return
        first = len(self._hits)
        self.beginInsertRows(QModelIndex(), first, first + len(hits) - 1)
        self._hits.extend(hits)
        self.endInsertRows()

    def hit(self, row: int) -> Hit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def row_of(self, brief_id: str) -> int:
        return next((i for i, h in enumerate(self._hits) if h.id == brief_id), -1)

    @property
    def total(self) -> int:
        return self._total


@dataclass(frozen=True, slots=True)
class ActorRow:
    """One actor in the sidebar: mentions in the open brief's article and comment."""

    actor: Actor
    article: int
    comment: int


class ActorTreeModel(QStandardItemModel):
    """Actors grouped by kind: name | article | comment mention counts."""

    HEADERS = ("Actor", "Art.", "Com.")
    HEADER_TIPS = ("", "Mentions in the article", "Mentions in the analyst comment")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(0, len(self.HEADERS), parent)
        self._headers()

    def _headers(self) -> None:
        for col, (label, tip) in enumerate(zip(self.HEADERS, self.HEADER_TIPS, strict=True)):
            item = QStandardItem(label)
            if tip:
                item.setToolTip(tip)
            self.setHorizontalHeaderItem(col, item)

    def set_rows(
        self,
        rows: Sequence[ActorRow],
        kinds: Sequence[str],
        labels: dict[str, str],
        colours: dict[str, str] | None = None,
    ) -> None:
        self.removeRows(0, self.rowCount())
        for kind in kinds:
            members = [r for r in rows if r.actor.kind == kind]
            if not members:
                continue
            group = QStandardItem(f"{labels.get(kind, kind.title())} ({len(members)})")
            group.setData(kind, KindRole)
            group.setEditable(False)
            group.setSelectable(False)
            filler = [QStandardItem(""), QStandardItem("")]
            for f in filler:
                f.setEditable(False)
                f.setSelectable(False)
            for row in members:
                name = QStandardItem(row.actor.name)
                name.setData(row.actor.id, ActorIdRole)
                name.setData(kind, KindRole)
                if colours and kind in colours:
                    name.setForeground(QColor(colours[kind]))
                tip = row.actor.description or row.actor.name
                if row.comment and not row.article:
                    # Named by the analyst alone: the comment raised it, not the article.
                    font = name.font()
                    font.setItalic(True)
                    name.setFont(font)
                    tip += "\n(Only the analyst comment names it here.)"
                name.setToolTip(rich_text(tip))
                cells = [name]
                for n in (row.article, row.comment):
                    cell = QStandardItem(str(n) if n else "–")
                    cell.setData(row.actor.id, ActorIdRole)
                    cell.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                    cells.append(cell)
                for c in cells:
                    c.setEditable(False)
                group.appendRow(cells)
            self.appendRow([group, *filler])

    def index_of(self, actor_id: str) -> QModelIndex:
        for g in range(self.rowCount()):
            group = self.item(g)
            for r in range(group.rowCount()):
                child = group.child(r)
                if child.data(ActorIdRole) == actor_id:
                    return child.index()
        return QModelIndex()


class FacetModel(QStandardItemModel):
    """Checkable facet values ("Reuters (5)") for one filter; the value sits in FacetRole."""

    def set_counts(
        self, counts: dict[str, int], checked: Sequence[str], label: Callable[[str], str]
    ) -> None:
        self.clear()
        keep = list(counts.items())
        for value in checked:
            if value not in counts:
                keep.append((value, 0))
        for value, n in keep:
            item = QStandardItem(f"{label(value)}  ({n})")
            item.setData(value, FacetRole)
            item.setCheckable(True)
            item.setEditable(False)
            item.setCheckState(
                Qt.CheckState.Checked if value in checked else Qt.CheckState.Unchecked
            )
            self.appendRow(item)

    def checked(self) -> list[str]:
        out = []
        for r in range(self.rowCount()):
            item = self.item(r)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(str(item.data(FacetRole)))
        return out


class ProblemModel(QStandardItemModel):
    """Files that could not be read, and why."""

    def set_problems(self, problems: Sequence[tuple[str, str]]) -> None:
        self.clear()
        self.setHorizontalHeaderLabels(["File", "Problem"])
        for path, reason in problems:
            a, b = QStandardItem(path), QStandardItem(reason)
            a.setEditable(False)
            b.setEditable(False)
            self.appendRow([a, b])
