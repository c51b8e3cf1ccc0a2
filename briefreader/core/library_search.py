"""The local index as a search backend: a brief by id or path, searches, hit spans, related
briefs, copies (:class:`briefreader.core.search.backend.SearchBackend`).

Every read of the index goes through :meth:`LocalBase._reading`, so damage found while
reading marks the index for a rebuild and is said in plain words.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from briefreader.core import index as ix
from briefreader.core.brief import Brief, BriefError
from briefreader.core.briefdocs import briefs_of_file, is_readable, rel_id
from briefreader.core.library_base import LocalBase


class LocalSearch(LocalBase):
    """What the local index answers from itself and its files (briefs, searches, spans)."""

    def brief(self, ref: str) -> Brief:
        """A brief by id (relative path, or ``file#n`` for an item of a digest or a
        mailbox) or by file path (a file of several briefs gives its first), read from disk."""
        candidate = Path(ref).expanduser()
        if candidate.is_file():
            if not is_readable(candidate):
                raise BriefError(ref, f"not a brief (briefreader reads {', '.join(self.suffixes)})")
            real = candidate.resolve()
            root = next((r for r in self.corpora if real.is_relative_to(r)), real.parent)
            return self._briefs_of(real, root)[0]
        for root in self.corpora:
            path = root / ref
            if path.is_file() and is_readable(path):
                return self._briefs_of(path, root)[0]
        with self._reading():
            keys = self.index.keys_for_id(ref)
        for key in keys:
            path = Path(key)
            if path.is_file():
                root = next((r for r in self.corpora if path.is_relative_to(r)), path.parent)
                for brief in self._briefs_of(path, root):
                    if brief.id == ref:
                        return brief
        raise BriefError(ref, "no such brief in the library")

    def _briefs_of(self, path: Path, root: Path) -> list[Brief]:
        """Every brief of one file, the last file read kept (a digest's items are opened one
        after the other, and a PDF or a mailbox is not read again for each)."""
        try:
            st = path.stat()
        except OSError as exc:
            raise BriefError(path, f"cannot read the file ({exc.strerror or exc})") from None
        stamp = (str(path), st.st_size, st.st_mtime_ns)
        if self._last_read is not None and self._last_read[0] == stamp:
            return self._last_read[1]
        briefs, _warnings = briefs_of_file(path, rel_id(path, root))
        self._last_read = (stamp, briefs)
        return briefs

    def search(
        self,
        text: str,
        filters: ix.Filters,
        *,
        limit: int = 20,
        offset: int = 0,
        sort: str = "relevance",
        facets: bool = True,
        snippets: bool = True,
        time_limit: float | None = ix.TIME_LIMIT_S,
    ) -> ix.SearchResults:
        """Search the index (``text`` already tamed); copies of one article say so."""
        with self._reading():
            results = ix.search(
                self.index,
                self.builder,
                text,
                limit=limit,
                offset=offset,
                sort=sort,
                filters=filters,
                facets=facets,
                snippets=snippets,
                time_limit=time_limit,
            )
            groups = self.index.copy_groups()
        if groups.of:
            results.hits = [
                dataclasses.replace(h, copies=groups.others(h.id)) if h.id in groups.of else h
                for h in results.hits
            ]
        reason = self.index.pending_rebuild()
        if reason:  # rebuilt, and not yet filled by an update
            results.notices.append(
                f"{reason[:1].upper()}{reason[1:]}; results are incomplete until indexing has"
                " finished."
            )
        return results

    def found_among(self, text: str, ids: Sequence[str], filters: ix.Filters) -> list[str]:
        """Which of the brief ``ids`` :meth:`search` with these words and filters finds (any
        tier, any order): its matches counted once, nothing listed."""
        with self._reading():
            return ix.found_among(self.index, self.builder, text, ids, filters)

    def stored_of(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The index's stored fields of each brief id it holds (no file read)."""
        with self._reading():
            s = self.index.searcher()
            return {
                brief_id: dict(s.stored_fields(docnum))
                for brief_id, docnum in ix.docnums_of(self.index, ids).items()
            }

    def hit_spans(self, brief: Brief, text: str) -> list[tuple[int, int]]:
        """Offsets in ``brief.text`` of the words the query ``text`` (as searched) matches."""
        with self._reading():
            parsed = self.builder.parse(text, self.index.searcher().reader())
        out: list[tuple[int, int]] = []
        for _section, start, body in brief.sections():
            out.extend((start + a, start + b) for a, b in ix.hit_spans(self.builder, body, parsed))
        return out

    def related(self, brief_id: str, limit: int = 10) -> list[ix.Hit]:
        """Briefs like this one; its copies (the same article elsewhere) are not among them."""
        with self._reading():
            others = self._copies_of(brief_id)
            return ix.related(self.index, brief_id, limit=limit, filters=ix.Filters(exclude=others))

    def copies_of(self, brief_id: str) -> tuple[str, ...]:
        """The other briefs holding the same article as ``brief_id`` (its other places)."""
        with self._reading():
            return self._copies_of(brief_id)

    def _copies_of(self, brief_id: str) -> tuple[str, ...]:
        return self.index.copy_groups().others(brief_id)

    def actor_document_counts(self) -> dict[str, int]:
        """Briefs naming each actor among their main actors."""
        with self._reading():
            return self.index.actor_document_counts()
