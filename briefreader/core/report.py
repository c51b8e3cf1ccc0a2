"""What an index update did: counts, the files it skipped or read with a guess, and why.

Both front ends show it, and the window gets it across a process boundary (its indexer child
prints it as JSON), so its JSON form lives here, beside it, in both directions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from briefreader.core.wording import counted


@dataclass(frozen=True, slots=True)
class Problem:
    """A file that was skipped (``skipped``) or read with a guess (``warning``), and why."""

    path: str
    reason: str
    severity: str = "skipped"

    @property
    def shown_path(self) -> str:
        """The path on one line: a newline or other control character in a name is escaped."""
        return "".join(
            c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii")
            for c in self.path
        )

    def __str__(self) -> str:
        return f"{self.shown_path}: {self.reason}"


@dataclass(slots=True)
class UpdateReport:
    """The outcome of :meth:`briefreader.core.library.Library.update`."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    rematched: int = 0
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    rebuilt_reason: str | None = None
    #: Files read (new or changed) by format, as their suffix without the dot ("pdf": 3).
    formats: dict[str, int] = field(default_factory=dict)
    #: Files read again though unchanged, because this version's readers read their format
    #: otherwise than the ones they were read with (core.formats.READER_VERSIONS).
    reread: int = 0

    def count_format(self, suffix: str) -> None:
        """One more file of this suffix read by the update."""
        name = suffix.lower().lstrip(".") or "(none)"
        self.formats[name] = self.formats.get(name, 0) + 1

    @property
    def skipped(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "skipped"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def indexed(self) -> int:
        return self.added + self.updated + self.unchanged + self.rematched

    def summary(self) -> str:
        parts = [
            f"{counted(self.indexed, 'brief')} indexed",
            f"{self.added} new",
            f"{self.updated} changed",
            f"{self.removed} removed",
            *([f"{self.rematched} re-matched to the glossary"] if self.rematched else []),
            f"{len(self.skipped)} skipped",
        ]
        if self.warnings:
            parts.append(f"{len(self.warnings)} with warnings")
        line = ", ".join(parts) + f" in {self.seconds:.1f} s"
        if self.reread:
            line += (
                f"\n{counted(self.reread, 'unchanged file')} read again by this version's readers"
            )
        if set(self.formats) - {"md", "markdown", "txt"}:
            # Files read, by format, once there is more than text among them.
            by_format = ", ".join(f"{n} {name}" for name, n in sorted(self.formats.items()))
            line += f"\nfiles read: {by_format}"
        if self.rebuilt_reason:  # said wherever the summary is shown (index, first search)
            line = f"{self.rebuilt_reason[:1].upper()}{self.rebuilt_reason[1:]}.\n{line}"
        return line

    def to_json(self) -> dict[str, Any]:
        """The report as ``briefreader index --json`` prints it (a documented interface)."""
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "indexed": self.indexed,
            "skipped": [{"path": p.path, "reason": p.reason} for p in self.skipped],
            "warnings": [{"path": p.path, "reason": p.reason} for p in self.warnings],
            "rebuilt": self.rebuilt_reason,
            "seconds": round(self.seconds, 3),
            "formats": dict(sorted(self.formats.items())),
            "reread": self.reread,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UpdateReport:
        """The report :meth:`to_json` wrote (the window reads its indexer child's this way).

        ``rematched`` is not printed on its own: it is what ``indexed`` counts beyond the
        other three.
        """
        problems = [Problem(p["path"], p["reason"]) for p in data.get("skipped", [])]
        problems += [Problem(p["path"], p["reason"], "warning") for p in data.get("warnings", [])]
        added, updated = int(data["added"]), int(data["updated"])
        unchanged = int(data["unchanged"])
        return cls(
            added=added,
            updated=updated,
            removed=int(data["removed"]),
            unchanged=unchanged,
            rematched=max(0, int(data["indexed"]) - added - updated - unchanged),
            problems=problems,
            seconds=float(data.get("seconds", 0.0)),
            rebuilt_reason=data.get("rebuilt"),
            formats={str(k): int(v) for k, v in (data.get("formats") or {}).items()},
            reread=int(data.get("reread", 0)),
        )
