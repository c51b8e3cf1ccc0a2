"""Query trees answered with arrays: which briefs match, and their BM25F scores.

Whoosh's matchers walk the postings one Python call at a time. Here each term's postings in
a segment are read once into arrays (:mod:`postings`, cached), and the tree is evaluated a
segment at a time with numpy: OR is a union, AND an intersection, NOT a difference, field
restrictions and filters are the postings of their fields, date ranges a mask over the date
column. Scores are Whoosh's BM25F as our weighting defines it (RSJ idf, per-field lengths,
the field weights stored in the postings, query boosts), summed as Whoosh's union and
intersection matchers sum them, so the order is Whoosh's own. Anything the evaluator does not
know is asked of Whoosh's matcher for that segment (slow, exact).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import query

from briefreader.core.index.postings import ArrayCache, SegmentArrays
from briefreader.core.index.schema import BM25_B, BM25_K1

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
        keep = _member(self.ids, allowed)
        return Matches(self.ids[keep], self.scores[keep])

    def without(self, other: Matches) -> Matches:
        keep = ~_member(self.ids, other.ids)
        return Matches(self.ids[keep], self.scores[keep])


def _member(ids: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
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
    """Evaluates query trees on one searcher's segments (made again when the searcher is).

    ``deadline`` (a ``time.perf_counter`` value) is a safety net: evaluation raises
    :class:`TimeUp` past it. Ordinary queries finish in milliseconds.
    """

    #: Bound of the scored-term arrays one evaluator keeps (its searcher's lifetime).
    SCORED_BYTES = 64 * 2**20

    def __init__(self, searcher: Any, cache: ArrayCache) -> None:
        self.searcher = searcher
        self.schema = searcher.schema
        self.cache = cache
        leaves = searcher.leaf_searchers()
        self.leaves = [(leaf, SegmentArrays(leaf.reader(), offset, cache)) for leaf, offset in leaves]
        self.doc_count_all = int(searcher.doc_count_all())
        self._avgfl: dict[str, float] = {}
        self._idf: dict[tuple[str, bytes], float] = {}
        self.deadline = float("inf")
        self.fallbacks = 0  # nodes answered by Whoosh's matchers (tests look at this)
        self._scored: dict[tuple[Any, ...], tuple[np.ndarray, np.ndarray]] = {}
        self._scored_bytes = 0

    # -- the public face ------------------------------------------------------------------

    def run(self, q: Any, scored: bool = True, deadline: float | None = None) -> Matches:
        """Every live document ``q`` matches, with its score (zeros when not ``scored``)."""
        self.deadline = float("inf") if deadline is None else deadline
        ids_out: list[np.ndarray] = []
        scores_out: list[np.ndarray] = []
        for leaf, seg in self.leaves:
            part = self._eval(q, leaf, seg, scored)
            if not len(part):
                continue
            keep = seg.drop_deleted(part.ids)
            ids = part.ids[keep].astype(np.int64) + seg.offset
            ids_out.append(ids)
            if scored and part.scores is not None:
                scores_out.append(part.scores[keep].astype(np.float64))
            else:
                scores_out.append(np.zeros(len(ids), dtype=np.float64))
        if not ids_out:
            return Matches(np.empty(0, np.int64), np.empty(0, np.float64))
        return Matches(np.concatenate(ids_out), np.concatenate(scores_out))

    def every(self) -> np.ndarray:
        """Every live global document number."""
        parts = [seg.live().astype(np.int64) + seg.offset for _leaf, seg in self.leaves]
        return np.concatenate(parts) if parts else np.empty(0, np.int64)

    def scores_at(self, q: Any, ids: np.ndarray) -> np.ndarray:
        """``q``'s score for each of ``ids`` (global, ascending); 0 where it does not match.

        For a scoring-only query (the feedback step): only the given documents are scored.
        """
        out = np.zeros(len(ids), dtype=np.float64)
        for leaf, seg in self.leaves:
            lo, hi = np.searchsorted(ids, [seg.offset, seg.offset + seg.n])
            if lo == hi:
                continue
            local = (ids[lo:hi] - seg.offset).astype(np.int32)
            part = self._eval(q, leaf, seg, True, within=local)
            if len(part) and part.scores is not None:
                ia, ib = _intersect(local, part.ids)
                out[lo + ia] += part.scores[ib]
        return out

    # -- statistics as Whoosh's BM25F takes them ----------------------------------------

    def _avg_length(self, fieldname: str) -> float:
        got = self._avgfl.get(fieldname)
        if got is None:
            got = self._avgfl[fieldname] = float(self.searcher.avg_field_length(fieldname) or 1)
        return got

    def _term_idf(self, fieldname: str, btext: bytes) -> float:
        key = (fieldname, btext)
        got = self._idf.get(key)
        if got is None:
            got = self._idf[key] = float(self.searcher.idf(fieldname, btext))
        return got

    # -- evaluation -------------------------------------------------------------------------

    def _eval(
        self, q: Any, leaf: Any, seg: SegmentArrays, scored: bool, within: np.ndarray | None = None
    ) -> Part:
        if time.perf_counter() > self.deadline:
            raise TimeUp
        kind = type(q)
        if kind in (query.Or, query.And) and len(q.subqueries) == 1:
            # As Whoosh's compound matcher does: a lone subquery stands alone (boost and all).
            return self._eval(q.subqueries[0], leaf, seg, scored, within)
        if kind is query.Term:
            return self._term(q, seg, scored, within)
        if kind is query.Or:
            return self._or(q, leaf, seg, scored, within)
        if kind is query.And:
            return self._and(q, leaf, seg, scored)
        if kind is query.AndNot:
            a = self._eval(q.a, leaf, seg, scored, within)
            if not len(a):
                return _NONE
            b = self._eval(q.b, leaf, seg, False)
            keep = ~_member(a.ids, b.ids)
            return Part(a.ids[keep], a.scores[keep] if a.scores is not None else None)
        if kind is query.AndMaybe:
            a = self._eval(q.a, leaf, seg, scored, within)
            if not scored or not len(a):
                return a
            b = self._eval(q.b, leaf, seg, True, a.ids)
            if len(b) and a.scores is not None and b.scores is not None:
                scores = a.scores.copy()
                ia, ib = _intersect(a.ids, b.ids)
                scores[ia] += b.scores[ib]
                return Part(a.ids, scores)
            return a
        if kind is query.Require:
            a = self._eval(q.a, leaf, seg, scored, within)
            b = self._eval(q.b, leaf, seg, False)
            ia, _ib = _intersect(a.ids, b.ids)
            return Part(a.ids[ia], a.scores[ia] if a.scores is not None else None)
        if kind is query.Phrase:
            return self._phrase(q, seg, scored)
        if kind in (query.DateRange, query.NumericRange) and q.fieldname == "date":
            return self._date_range(q, seg, scored)
        if kind is query.Every and not q.fieldname:
            ids = np.arange(seg.n, dtype=np.int32)
            return Part(ids, np.full(seg.n, float(q.boost)) if scored else None)
        if q is query.NullQuery or kind is type(query.NullQuery):
            return _NONE
        if kind is query.Not:
            # Alone (an And lifts its NOT parts out): every brief but those, scored as
            # Whoosh's inverse matcher scores them (its boost).
            inner = self._eval(q.query, leaf, seg, False)
            keep = ~_member(np.arange(seg.n, dtype=np.int32), inner.ids)
            ids = np.flatnonzero(keep).astype(np.int32)
            return Part(ids, np.full(len(ids), float(q.boost)) if scored else None)
        return self._whoosh(q, leaf, scored)

    def _term(self, q: Any, seg: SegmentArrays, scored: bool, within: np.ndarray | None) -> Part:
        fieldname = q.fieldname
        field = self.schema[fieldname] if fieldname in self.schema else None
        if field is None:
            return _NONE
        try:
            btext = field.to_bytes(q.text)
        except ValueError:
            return _NONE
        if not scored:
            ids = seg.postings(fieldname, btext).ids
            if within is not None and len(ids):
                ids = ids[_intersect(ids, within)[0]]
            return Part(ids, None) if len(ids) else _NONE
        ids, scores = self._term_scores(seg, field, fieldname, btext)
        if not len(ids):
            return _NONE
        if within is not None:
            ia, _ib = _intersect(ids, within)
            ids, scores = ids[ia], scores[ia]
        if q.boost != 1.0:
            scores = scores * q.boost
        return Part(ids, scores)

    def _term_scores(
        self, seg: SegmentArrays, field: Any, fieldname: str, btext: bytes
    ) -> tuple[np.ndarray, np.ndarray]:
        """A term's postings in a segment and their unboosted BM25F scores.

        Kept for the life of this evaluator (its searcher's statistics): the all-words tier,
        the some-words tier and the feedback step of one search score the same terms.
        """
        key = (seg.key, id(seg), fieldname, btext)
        got = self._scored.get(key)
        if got is not None:
            return got
        post = seg.postings(fieldname, btext)
        ids, weights = post.ids, post.weights
        if field.scorable and len(ids):
            idf = self._term_idf(fieldname, btext)
            avgfl = self._avg_length(fieldname)
            lengths = seg.lengths(fieldname)[ids]
            w = weights.astype(np.float64)
            k1, b = BM25_K1, BM25_B
            scores = idf * (w * (k1 + 1.0)) / (w + k1 * ((1.0 - b) + b * lengths / avgfl))
        else:
            scores = weights.astype(np.float64)
        got = (ids, scores)
        size = int(ids.nbytes + scores.nbytes) + 100
        if self._scored_bytes + size > self.SCORED_BYTES:
            self._scored.clear()
            self._scored_bytes = 0
        self._scored[key] = got
        self._scored_bytes += size
        return got

    def _or(
        self, q: Any, leaf: Any, seg: SegmentArrays, scored: bool, within: np.ndarray | None
    ) -> Part:
        if q.scale:
            return self._whoosh(q, leaf, scored)
        parts = [self._eval(sub, leaf, seg, scored, within) for sub in q.subqueries]
        parts = [p for p in parts if len(p)]
        if not parts:
            return _NONE
        minmatch = int(q.minmatch or 0)
        if len(parts) == 1 and minmatch <= 1:
            got = parts[0]
        else:
            total = sum(len(p) for p in parts)
            if total * 4 > seg.n:
                # Dense: one pass over a score array the size of the segment.
                hits = np.zeros(seg.n, dtype=np.int32)
                acc = np.zeros(seg.n, dtype=np.float64) if scored else None
                for p in parts:
                    hits[p.ids] += 1
                    if acc is not None and p.scores is not None:
                        acc[p.ids] += p.scores
                ids = np.flatnonzero(hits >= max(1, minmatch)).astype(np.int32)
                got = Part(ids, acc[ids] if acc is not None else None)
            else:
                all_ids = np.concatenate([p.ids for p in parts])
                uniq, inverse = np.unique(all_ids, return_inverse=True)
                scores = None
                if scored:
                    all_scores = np.concatenate(
                        [p.scores if p.scores is not None else np.zeros(len(p)) for p in parts]
                    )
                    scores = np.bincount(inverse, weights=all_scores, minlength=len(uniq))
                if minmatch > 1:
                    keep = np.bincount(inverse, minlength=len(uniq)) >= minmatch
                    uniq = uniq[keep]
                    scores = scores[keep] if scores is not None else None
                got = Part(uniq.astype(np.int32), scores)
        if scored and q.boost != 1.0 and got.scores is not None:
            got = Part(got.ids, got.scores * q.boost)
        return got

    def _and(self, q: Any, leaf: Any, seg: SegmentArrays, scored: bool) -> Part:
        positive = [sub for sub in q.subqueries if not isinstance(sub, query.Not)]
        negative = [sub.query for sub in q.subqueries if isinstance(sub, query.Not)]
        if not positive:
            return self._whoosh(q, leaf, scored)
        parts: list[Part] = []
        for sub in positive:
            part = self._eval(sub, leaf, seg, scored)
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
            out = self._eval(sub, leaf, seg, False)
            keep = ~_member(ids, out.ids)
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

    def _phrase(self, q: Any, seg: SegmentArrays, scored: bool) -> Part:
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
        reader = seg.reader
        if any((fieldname, w) not in reader for w in words):
            return _NONE
        terms = [self._term(query.Term(fieldname, w), seg, scored, None) for w in words]
        # Candidates: briefs with every word, then their positions compared.
        ids = terms[0].ids
        for t in terms[1:]:
            ia, _ib = _intersect(ids, t.ids)
            ids = ids[ia]
            if not len(ids):
                return _NONE
        if len(words) > 1:
            ids = self._verified(seg, fieldname, words, ids, int(q.slop))
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
        self, seg: SegmentArrays, fieldname: str, words: Sequence[bytes], cand: np.ndarray, slop: int
    ) -> np.ndarray:
        """The candidates whose positions hold the words in order, each within ``slop``."""
        key = (seg.key, "phrase", fieldname, tuple(words), slop)

        def make() -> tuple[Any, int]:
            decode = self.schema[fieldname].format.decode_positions
            lists = []
            for w in words:
                post = seg.positions(fieldname, w)
                _ia, ib = _intersect(cand, post.ids)
                assert post.values is not None
                lists.append([post.values[i] for i in ib])
            keep = np.zeros(len(cand), dtype=bool)
            for i in range(len(cand)):
                reach = set(decode(lists[0][i]))
                for j in range(1, len(words)):
                    here = decode(lists[j][i])
                    if slop <= 1:
                        reach = {p for p in here if p - 1 in reach}
                    else:
                        reach = {p for p in here if any(1 <= p - r <= slop for r in reach)}
                    if not reach:
                        break
                keep[i] = bool(reach)
            got = cand[keep]
            return got, int(got.nbytes) + 100

        return self.cache.get_or_make(key, make)  # type: ignore[no-any-return]

    def _date_range(self, q: Any, seg: SegmentArrays, scored: bool) -> Part:
        """Dates from the date column; briefs without a date never match a range."""
        # The range's ends are in the column's own numbers (DATETIME's long ticks).
        dates = seg.numbers("date")
        keep = self.has_date(seg).copy()
        if q.start is not None:
            keep &= dates > q.start if q.startexcl else dates >= q.start
        if q.end is not None:
            keep &= dates < q.end if q.endexcl else dates <= q.end
        ids = np.flatnonzero(keep).astype(np.int32)
        return Part(ids, np.full(len(ids), float(q.boost)) if scored else None)

    def has_date(self, seg: SegmentArrays) -> np.ndarray:
        """True for each document of the segment that has a date (it has a year term)."""

        def make() -> tuple[Any, int]:
            mask = np.zeros(seg.n, dtype=bool)
            for btext in seg.reader.lexicon("year"):
                mask[seg.postings("year", btext).ids] = True
            return mask, int(mask.nbytes)

        return self.cache.get_or_make((seg.key, "has_date"), make)  # type: ignore[no-any-return]

    def _whoosh(self, q: Any, leaf: Any, scored: bool) -> Part:
        """Whoosh's own matcher on one segment: slow, exact, for what is not known here."""
        self.fallbacks += 1
        try:
            context = leaf.context() if scored else leaf.boolean_context()
            m = q.matcher(leaf, context)
        except Exception:  # noqa: BLE001 - a query Whoosh itself cannot run matches nothing
            log.debug("no matcher for %r", q, exc_info=True)
            return _NONE
        ids: list[int] = []
        scores: list[float] = []
        deadline = self.deadline
        while m.is_active():
            ids.append(m.id())
            if scored:
                scores.append(m.score())
            m.next()
            if not len(ids) & 1023 and time.perf_counter() > deadline:
                raise TimeUp
        arr = np.array(ids, dtype=np.int32)
        order = np.argsort(arr, kind="stable")
        return Part(arr[order], np.array(scores, dtype=np.float64)[order] if scored else None)

