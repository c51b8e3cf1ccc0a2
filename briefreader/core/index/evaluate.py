"""Query trees answered with arrays: which briefs match, and their BM25F scores.

Whoosh's matchers walk the postings one Python call at a time. Here each term's postings in
a segment are read once into arrays (:mod:`postings`, cached per segment), joined into one
array over the whole index (document numbers are the searcher's: segment offset + local),
and the tree is evaluated with numpy over those: OR is a union, AND an intersection, NOT a
difference, field restrictions and filters are the postings of their fields, date ranges a
mask over the date column. One numpy call per term whatever the number of segments (a bulk
build leaves a dozen at 100,000 briefs). Scores are Whoosh's BM25F as our weighting defines
it (RSJ idf, per-field lengths, the field weights stored in the postings, query boosts),
summed as Whoosh's union and intersection matchers sum them, so the order is Whoosh's own
(tests/core/test_evaluate.py compares the two on random query trees). Anything the evaluator
does not know is asked of Whoosh's matchers, segment by segment (slow, exact).
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import query

from briefreader.core.index.phrases import phrase_documents
from briefreader.core.index.postings import ArrayCache, FacetColumn, SegmentArrays, join_facets
from briefreader.core.index.termfile import TermFile
from briefreader.core.index.terms import IndexTerms

log = logging.getLogger(__name__)

_EMPTY_IDS = np.empty(0, dtype=np.int32)
_EMPTY_SCORES = np.empty(0, dtype=np.float64)


class TimeUp(Exception):
    """The safety-net time limit passed while evaluating."""


@dataclass(slots=True)
class Part:
    """What one node matched in one segment: ascending local ids and their scores."""

    ids: np.ndarray
    scores: np.ndarray | None

    def __len__(self) -> int:
        return len(self.ids)


_NONE = Part(_EMPTY_IDS, _EMPTY_SCORES)


@dataclass(slots=True)
class Matches:
    """What a query matched in the whole index: ascending global document numbers, scores."""

    ids: np.ndarray  # int64
    scores: np.ndarray  # float64 (zeros when unscored)

    def __len__(self) -> int:
        return len(self.ids)

    def restrict(self, allowed: np.ndarray | None) -> Matches:
        if allowed is None:
            return self
        keep = member_mask(self.ids, allowed)
        return Matches(self.ids[keep], self.scores[keep])

    def without(self, other: Matches) -> Matches:
        keep = ~member_mask(self.ids, other.ids)
        return Matches(self.ids[keep], self.scores[keep])


#: An OR whose lists hold more than 1/DENSE_SHARE of the index's documents between them is
#: added up in arrays the size of the index (zeros, one scatter a list, one scan) rather
#: than sorted: at 100,000 briefs the scan costs what sorting 3,000 postings costs.
DENSE_SHARE = 32


def union_sorted(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """The ascending union of two ascending id arrays below ``n`` (one mask, one scan)."""
    if not len(a):
        return b
    if not len(b):
        return a
    if (len(a) + len(b)) * DENSE_SHARE <= n:
        return np.union1d(a, b)
    mask = np.zeros(n, dtype=bool)
    mask[a] = True
    mask[b] = True
    return np.flatnonzero(mask).astype(a.dtype, copy=False)


def member_mask(ids: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """For each of ``ids``, whether it is in ``sorted_set`` (ascending)."""
    if not len(sorted_set) or not len(ids):
        return np.zeros(len(ids), dtype=bool)
    pos = np.searchsorted(sorted_set, ids)
    pos[pos >= len(sorted_set)] = len(sorted_set) - 1
    return sorted_set[pos] == ids  # type: ignore[no-any-return]


def _intersect(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in ``a`` and in ``b`` of their common ids (both ascending, unique)."""
    if len(a) > len(b):
        ib, ia = _intersect(b, a)
        return ia, ib
    if not len(a):
        return _EMPTY_IDS, _EMPTY_IDS
    pos = np.searchsorted(b, a)
    pos[pos >= len(b)] = len(b) - 1
    hit = b[pos] == a
    return np.flatnonzero(hit), pos[hit]


class Evaluator:
    """Evaluates query trees on one searcher (made again when the searcher is).

    Document numbers are the searcher's (global). ``deadline`` (a ``time.perf_counter``
    value) is a safety net: evaluation raises :class:`TimeUp` past it. Ordinary queries
    finish in milliseconds.
    """

    def __init__(
        self,
        searcher: Any,
        cache: ArrayCache,
        term_files: Callable[[Any], TermFile | None] | None = None,
    ) -> None:
        self.searcher = searcher
        self.schema = searcher.schema
        self.cache = cache
        leaves = searcher.leaf_searchers()
        self.leaves = [
            (leaf, SegmentArrays(leaf.reader(), offset, cache, term_files))
            for leaf, offset in leaves
        ]
        self.n = int(searcher.doc_count_all())
        self.offsets = np.array([seg.offset for _leaf, seg in self.leaves], dtype=np.int64)
        deleted = [seg.deleted for _leaf, seg in self.leaves]
        self.deleted: np.ndarray | None = None
        if any(d is not None for d in deleted):
            self.deleted = np.concatenate(
                [
                    d if d is not None else np.zeros(seg.n, bool)
                    for d, (_l, seg) in zip(deleted, self.leaves, strict=True)
                ]
            )
        #: Terms over the whole index: their postings joined and scored, their statistics.
        self.terms = IndexTerms(searcher, [seg for _leaf, seg in self.leaves])
        self._dates: tuple[np.ndarray, np.ndarray] | None = None
        self._facets: dict[str, FacetColumn] = {}
        self._live: np.ndarray | None = None
        self.deadline = float("inf")
        self.fallbacks = 0  # nodes answered by Whoosh's matchers (tests look at this)

    # -- the public face ------------------------------------------------------------------

    def run(self, q: Any, scored: bool = True, deadline: float | None = None) -> Matches:
        """Every live document ``q`` matches, with its score (zeros when not ``scored``)."""
        self.deadline = float("inf") if deadline is None else deadline
        self.terms.prefetch(q)
        part = self._eval(q, scored, None)
        ids = part.ids
        scores = part.scores if scored and part.scores is not None else None
        if self.deleted is not None and len(ids):
            keep = ~self.deleted[ids]
            ids = ids[keep]
            scores = scores[keep] if scores is not None else None
        return Matches(
            ids.astype(np.int64),
            scores.astype(np.float64) if scores is not None else np.zeros(len(ids)),
        )

    def every(self) -> np.ndarray:
        """Every live document number, ascending."""
        if self._live is None:
            every = np.arange(self.n, dtype=np.int64)
            self._live = every if self.deleted is None else every[~self.deleted]
        return self._live

    def scores_at(self, q: Any, ids: np.ndarray) -> np.ndarray:
        """``q``'s score for each of ``ids`` (ascending); 0 where it does not match.

        For a scoring-only query (the feedback step): only the given documents are scored.
        """
        out = np.zeros(len(ids), dtype=np.float64)
        if not len(ids):
            return out
        within = ids.astype(np.int32)
        self.terms.prefetch(q)
        flat = self._plain_terms(q)
        if flat is not None:
            got = self.terms.scores_by_forward_runs(flat, within)
            if got is not None:
                return got * float(q.boost)  # type: ignore[no-any-return]

        part = self._eval(q, True, within)
        if len(part) and part.scores is not None:
            ia, ib = _intersect(within, part.ids)
            out[ia] += part.scores[ib]
        return out

    def _plain_terms(self, q: Any) -> list[tuple[Any, str, bytes, float]] | None:
        """An OR of plain words (the feedback query) as (field, name, bytes, boost) each;
        None for any other query."""
        if type(q) is not query.Or or q.scale or int(q.minmatch or 0) > 1:
            return None
        out: list[tuple[Any, str, bytes, float]] = []
        names = self.schema.names()
        for sub in q.subqueries:
            if type(sub) is not query.Term or sub.fieldname not in names:
                return None
            field = self.schema[sub.fieldname]
            try:
                out.append((field, sub.fieldname, field.to_bytes(sub.text), float(sub.boost)))
            except ValueError:
                return None
        return out

    def dates(self) -> tuple[np.ndarray, np.ndarray]:
        """Every document's date column value and whether it has a date."""
        if self._dates is None:
            values = [seg.numbers("date") for _leaf, seg in self.leaves]
            has = [self._has_date(seg) for _leaf, seg in self.leaves]
            self._dates = (
                np.concatenate(values).astype(np.uint64) if values else np.empty(0, np.uint64),
                np.concatenate(has) if has else np.empty(0, bool),
            )
        return self._dates

    def facet(self, column: str) -> FacetColumn:
        """A facet column (``actor_list``, ``tag_list``, ``source_name``, ``year``) over the
        whole index, joined from the segments' (which the cache keeps across refreshes)."""
        got = self._facets.get(column)
        if got is None:
            parts = [seg.facet(column) for _leaf, seg in self.leaves]
            got = self._facets[column] = join_facets(parts)
        return got

    def rarity(self, text: str, fieldname: str = "article") -> float:
        """How rare an index word (or an actor, in ``actors``) is: its idf, kept per searcher."""
        return self.terms.rarity(text, fieldname)

    def collection_frequency(self, fieldname: str, text: str) -> float:
        """How often ``text`` occurs in ``fieldname`` over the whole index."""
        return self.terms.collection_frequency(fieldname, text)

    # -- evaluation -------------------------------------------------------------------------

    def _eval(self, q: Any, scored: bool, within: np.ndarray | None = None) -> Part:
        if time.perf_counter() > self.deadline:
            raise TimeUp
        kind = type(q)
        if kind in (query.Or, query.And) and len(q.subqueries) == 1:
            # As Whoosh's compound matcher does: a lone subquery stands alone (boost and all).
            return self._eval(q.subqueries[0], scored, within)
        if kind is query.Term:
            return self._term(q, scored, within)
        if kind is query.Or:
            return self._or(q, scored, within)
        if kind is query.And:
            return self._and(q, scored)
        if kind is query.AndNot:
            a = self._eval(q.a, scored, within)
            if not len(a):
                return _NONE
            b = self._eval(q.b, False)
            keep = ~member_mask(a.ids, b.ids)
            return Part(a.ids[keep], a.scores[keep] if a.scores is not None else None)
        if kind is query.AndMaybe:
            a = self._eval(q.a, scored, within)
            if not scored or not len(a):
                return a
            b = self._eval(q.b, True, a.ids)
            if len(b) and a.scores is not None and b.scores is not None:
                scores = a.scores.copy()
                ia, ib = _intersect(a.ids, b.ids)
                scores[ia] += b.scores[ib]
                return Part(a.ids, scores)
            return a
        if kind is query.Require:
            a = self._eval(q.a, scored, within)
            b = self._eval(q.b, False)
            ia, _ib = _intersect(a.ids, b.ids)
            return Part(a.ids[ia], a.scores[ia] if a.scores is not None else None)
        if kind is query.Phrase:
            return self._phrase(q, scored)
        if kind in (query.DateRange, query.NumericRange) and q.fieldname == "date":
            return self._date_range(q, scored)
        if kind is query.Every and not q.fieldname:
            ids = self.every().astype(np.int32)
            return Part(ids, np.full(len(ids), float(q.boost)) if scored else None)
        if q is query.NullQuery or kind is type(query.NullQuery):
            return _NONE
        if kind is query.Not:
            # Alone (an And lifts its NOT parts out): every brief but those, scored as
            # Whoosh's inverse matcher scores them (its boost).
            inner = self._eval(q.query, False)
            every = self.every().astype(np.int32)
            ids = every[~member_mask(every, inner.ids)]
            return Part(ids, np.full(len(ids), float(q.boost)) if scored else None)
        return self._whoosh(q, scored)

    def _term(self, q: Any, scored: bool, within: np.ndarray | None) -> Part:
        fieldname = q.fieldname
        field = self.schema[fieldname] if fieldname in self.schema.names() else None
        if field is None:
            return _NONE
        try:
            btext = field.to_bytes(q.text)
        except ValueError:
            return _NONE
        if within is not None and scored and len(within) * 8 <= self.n:
            # A few briefs to score (the feedback step's): only their postings are scored.
            got = self.terms.scored_within(field, fieldname, btext, within)
            if got is not None:
                if not len(got[0]):
                    return _NONE
                return Part(got[0], got[1] * q.boost if q.boost != 1.0 else got[1])
        ids, scores = self.terms.joined(field, fieldname, btext, scored)
        if not len(ids):
            return _NONE
        if within is not None:
            ia, _ib = _intersect(ids, within)
            ids = ids[ia]
            scores = scores[ia] if scores is not None else None
        if scores is not None and q.boost != 1.0:
            scores = scores * q.boost
        return Part(ids, scores)

    def _or(self, q: Any, scored: bool, within: np.ndarray | None) -> Part:
        if q.scale:
            return self._whoosh(q, scored)
        if within is not None and len(within) * 8 > self.n:
            # Scoring most of the index (the feedback step over a long question's matches):
            # one dense pass over whole posting lists, then one cut, is cheaper than cutting
            # every list to ``within`` first.
            whole = self._or(q, scored, None)
            ia, _ib = _intersect(whole.ids, within)
            return Part(whole.ids[ia], whole.scores[ia] if whole.scores is not None else None)
        parts = [self._eval(sub, scored, within) for sub in q.subqueries]
        got, _counts = self._combine(parts, scored, int(q.minmatch or 0))
        if scored and q.boost != 1.0 and got.scores is not None:
            got = Part(got.ids, got.scores * q.boost)
        return got

    def _combine(
        self, parts: list[Part], scored: bool, minmatch: int
    ) -> tuple[Part, np.ndarray | None]:
        """The OR of ``parts``: the documents in at least ``minmatch`` of them with their
        summed scores, and how many parts each is in (None when there is one part)."""
        parts = [p for p in parts if len(p)]
        if not parts:
            return _NONE, None
        if len(parts) == 1 and minmatch <= 1:
            return parts[0], None
        total = sum(len(p) for p in parts)
        if total * DENSE_SHARE > self.n:
            # Dense: one pass over a score array the size of the index (a sort of the
            # joined lists, below, costs more from a few thousand postings on).
            hits = np.zeros(self.n, dtype=np.int32)
            acc = np.zeros(self.n, dtype=np.float64) if scored else None
            for p in parts:
                hits[p.ids] += 1
                if acc is not None and p.scores is not None:
                    acc[p.ids] += p.scores
            ids = np.flatnonzero(hits >= max(1, minmatch)).astype(np.int32)
            return Part(ids, acc[ids] if acc is not None else None), hits[ids]
        all_ids = np.concatenate([p.ids for p in parts])
        uniq, inverse = np.unique(all_ids, return_inverse=True)
        scores = None
        if scored:
            all_scores = np.concatenate(
                [p.scores if p.scores is not None else np.zeros(len(p)) for p in parts]
            )
            scores = np.bincount(inverse, weights=all_scores, minlength=len(uniq))
        counts = np.bincount(inverse, minlength=len(uniq))
        if minmatch > 1:
            keep = counts >= minmatch
            uniq, counts = uniq[keep], counts[keep]
            scores = scores[keep] if scores is not None else None
        return Part(uniq.astype(np.int32), scores), counts

    def run_tiers(
        self, q: Any, deadline: float | None = None
    ) -> tuple[Matches, Matches, np.ndarray]:
        """For an OR of words (a question's some-words form, boost 1): the briefs with every
        word and their scores (what running the AND of the words gives), the briefs with
        some of them, and which of those have every word; one pass over the lists for all."""
        self.deadline = float("inf") if deadline is None else deadline
        self.terms.prefetch(q)
        parts = [self._eval(sub, True, None) for sub in q.subqueries]
        nonempty = sum(1 for p in parts if len(p))
        got, counts = self._combine(parts, True, 0)
        ids, scores = got.ids, got.scores if got.scores is not None else np.zeros(len(got))
        if counts is None:
            counts = np.full(len(ids), nonempty, dtype=np.int64)
        every_word = counts >= len(q.subqueries)
        if self.deleted is not None and len(ids):
            keep = ~self.deleted[ids]
            ids, scores, every_word = ids[keep], scores[keep], every_word[keep]
        ids = ids.astype(np.int64)
        scores = scores.astype(np.float64)
        return Matches(ids[every_word], scores[every_word]), Matches(ids, scores), every_word

    def _and(self, q: Any, scored: bool) -> Part:
        positive = [sub for sub in q.subqueries if not isinstance(sub, query.Not)]
        negative = [sub.query for sub in q.subqueries if isinstance(sub, query.Not)]
        if not positive:
            return self._whoosh(q, scored)
        parts: list[Part] = []
        for sub in positive:
            part = self._eval(sub, scored)
            if not len(part):
                return _NONE
            parts.append(part)
        parts.sort(key=len)
        ids = parts[0].ids
        scores = parts[0].scores.copy() if scored and parts[0].scores is not None else None
        for part in parts[1:]:
            ia, ib = _intersect(ids, part.ids)
            ids = ids[ia]
            if scores is not None:
                scores = scores[ia] + (part.scores[ib] if part.scores is not None else 0.0)
            if not len(ids):
                return _NONE
        for sub in negative:
            out = self._eval(sub, False)
            keep = ~member_mask(ids, out.ids)
            ids = ids[keep]
            if scores is not None:
                scores = scores[keep]
        if scores is not None and negative:
            # Whoosh scores each NOT part as an inverse matcher whose score is its boost.
            scores = scores + sum(
                float(sub.boost) for sub in q.subqueries if isinstance(sub, query.Not)
            )
        if scores is not None and q.boost != 1.0:
            scores = scores * q.boost
        return Part(ids, scores)

    def _phrase(self, q: Any, scored: bool) -> Part:
        fieldname = q.fieldname
        if fieldname not in self.schema:
            return _NONE
        field = self.schema[fieldname]
        if not field.format or not field.format.supports("positions"):
            return _NONE
        try:
            words = [field.to_bytes(w) for w in q.words]
        except ValueError:
            return _NONE
        if not words:
            return _NONE
        terms = [self._term(query.Term(fieldname, w), scored, None) for w in words]
        # Candidates: briefs with every word, then their positions compared, segment by
        # segment (positions are read only for the candidates' segments).
        ids = terms[0].ids
        for t in terms[1:]:
            ia, _ib = _intersect(ids, t.ids)
            ids = ids[ia]
            if not len(ids):
                return _NONE
        adjacent = len(words) > 1 and q.slop <= 1 and self.terms.has_pairs(fieldname)
        if adjacent:
            # Each neighbouring pair of words is in the term files' pair tables: the briefs
            # holding them all are the candidates, and for two words they are the answer.
            for a, b in itertools.pairwise(q.words):
                with_pair = self.terms.pair_docs(fieldname, a, b)
                ids = ids[member_mask(ids, with_pair)]
                if not len(ids):
                    return _NONE
        if not len(ids):
            return _NONE
        if len(words) > 2 or (len(words) > 1 and not adjacent):
            kept: list[np.ndarray] = []
            which = np.searchsorted(self.offsets, ids, side="right") - 1
            for i in np.unique(which):
                _leaf, seg = self.leaves[int(i)]
                got = self._verified(seg, fieldname, tuple(words), int(q.slop))
                if len(got):
                    kept.append(got + np.int32(seg.offset))
            if not kept:
                return _NONE
            verified = np.concatenate(kept)
            ids = ids[member_mask(ids, verified)]
            if not len(ids):
                return _NONE
        scores = None
        if scored:
            scores = np.zeros(len(ids), dtype=np.float64)
            for t in terms:
                _ia, ib = _intersect(ids, t.ids)
                if t.scores is not None:
                    scores += t.scores[ib]
            if q.boost != 1.0:
                scores *= q.boost
        return Part(ids, scores)

    def _verified(
        self, seg: SegmentArrays, fieldname: str, words: tuple[bytes, ...], slop: int
    ) -> np.ndarray:
        """The documents of a segment (local numbers, deleted ones included) whose positions
        hold the words in order, each within ``slop`` of the one before. Only documents that
        have every word are looked at; the answer is kept with the segment's arrays."""
        key = (seg.key, "phrase", fieldname, words, slop)

        def make() -> tuple[Any, int]:
            got = phrase_documents([seg.positions(fieldname, w) for w in words], slop)
            return got, int(got.nbytes) + 100

        return self.cache.get_or_make(key, make)  # type: ignore[no-any-return]

    def _date_range(self, q: Any, scored: bool) -> Part:
        """Dates from the date column; briefs without a date never match a range."""
        # The range's ends are in the column's own numbers (DATETIME's long ticks).
        dates, has = self.dates()
        keep = has.copy()
        if q.start is not None:
            keep &= dates > q.start if q.startexcl else dates >= q.start
        if q.end is not None:
            keep &= dates < q.end if q.endexcl else dates <= q.end
        ids = np.flatnonzero(keep).astype(np.int32)
        return Part(ids, np.full(len(ids), float(q.boost)) if scored else None)

    def _has_date(self, seg: SegmentArrays) -> np.ndarray:
        """True for each document of a segment that has a date (it has a year term)."""

        def make() -> tuple[Any, int]:
            mask = np.zeros(seg.n, dtype=bool)
            for btext in seg.reader.lexicon("year"):
                mask[seg.postings("year", btext).ids] = True
            return mask, int(mask.nbytes)

        return self.cache.get_or_make((seg.key, "has_date"), make)  # type: ignore[no-any-return]

    def _whoosh(self, q: Any, scored: bool) -> Part:
        """Whoosh's own matchers, segment by segment: slow, exact, for what is not known here."""
        self.fallbacks += 1
        ids: list[int] = []
        scores: list[float] = []
        deadline = self.deadline
        for leaf, seg in self.leaves:
            try:
                context = leaf.context() if scored else leaf.boolean_context()
                m = q.matcher(leaf, context)
            except Exception:
                log.debug("no matcher for %r", q, exc_info=True)
                continue
            offset = seg.offset
            while m.is_active():
                ids.append(m.id() + offset)
                if scored:
                    scores.append(m.score())
                m.next()
                if not len(ids) & 1023 and time.perf_counter() > deadline:
                    raise TimeUp
        arr = np.array(ids, dtype=np.int32)
        order = np.argsort(arr, kind="stable")
        return Part(arr[order], np.array(scores, dtype=np.float64)[order] if scored else None)
