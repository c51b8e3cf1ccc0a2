"""Terms over the whole index: postings joined across segments and scored, and the
statistics BM25F takes (idf, average lengths), as the array evaluator reads them.

A term is looked up in every segment's term file at once (one ``searchsorted`` per segment
for all of a query's terms, see termfile.py); a segment without one is read through the
postings cache (postings.py). Joined, scored arrays are kept for the searcher's life in a
bounded LRU: the tiers and the feedback step of one search, and the searches after it, share
them.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np
from whoosh import query

from briefreader.core.index import termfile
from briefreader.core.index.postings import SegmentArrays
from briefreader.core.index.termfile import FORWARD_FIELDS, key_hash, term_key
from briefreader.core.search.ranking import BM25_B, BM25_K1, TEXT_FIELDS, idf

_EMPTY_IDS = np.empty(0, dtype=np.int32)
_EMPTY_SCORES = np.empty(0, dtype=np.float64)


class IndexTerms:
    """The terms of one searcher's segments (made again with the searcher)."""

    #: Bound of the joined, scored term arrays kept (least recently used go).
    SCORED_BYTES = 64 * 2**20

    def __init__(self, searcher: Any, segs: list[SegmentArrays]) -> None:
        self.searcher = searcher
        self.schema = searcher.schema
        self.segs = segs
        self.n = int(searcher.doc_count_all())
        self._avgfl: dict[str, float] = {}
        #: Each term's row in every segment's term file (None: some segment has none).
        self._rows: dict[tuple[str, bytes], np.ndarray | None] = {}
        self._idf: dict[tuple[str, bytes], float] = {}
        self._lengths: dict[str, np.ndarray] = {}
        self._joined: OrderedDict[tuple[Any, ...], tuple[np.ndarray, np.ndarray | None]] = (
            OrderedDict()
        )
        self._joined_bytes = 0
        self._cf: dict[tuple[str, str], float] = {}
        self._offsets = np.array([seg.offset for seg in segs], dtype=np.int64)

    def avg_length(self, fieldname: str) -> float:
        got = self._avgfl.get(fieldname)
        if got is None:
            got = self._avgfl[fieldname] = float(self.searcher.avg_field_length(fieldname) or 1)
        return got

    def idf(self, fieldname: str, btext: bytes) -> float:
        key = (fieldname, btext)
        got = self._idf.get(key)
        if got is None:
            rows = self.rows(fieldname, btext)
            if rows is None:
                got = float(self.searcher.idf(fieldname, btext))
            else:
                # What schema._BM25.idf computes, from the term files' lengths: Whoosh's
                # document frequency counts deleted documents too, and so do these.
                df = sum(
                    seg.terms.doc_frequency(int(row))
                    for seg, row in zip(self.segs, rows.tolist(), strict=True)
                    if seg.terms is not None
                )
                n = self.n
                got = idf(n, df)
            self._idf[key] = got
        return got

    def rarity(self, text: str, fieldname: str = "article") -> float:
        """How rare an index word (or an actor, in ``actors``) is: its idf, kept per searcher."""
        try:
            return self.idf(fieldname, text.encode("utf-8"))
        except Exception:  # noqa: BLE001 - a word Whoosh cannot look up counts as common
            return 1.0

    def collection_frequency(self, fieldname: str, text: str) -> float:
        """How often ``text`` occurs in ``fieldname`` over the whole index (kept: related
        briefs ask for the same common words brief after brief)."""
        return self.collection_frequencies(fieldname, [text])[0]

    def collection_frequencies(self, fieldname: str, words: list[str]) -> list[float]:
        """:meth:`collection_frequency` of each word, the unknown ones looked up in every
        segment's term file at once."""
        missing = [w for w in words if (fieldname, w) not in self._cf]
        if missing:
            self._find_rows(
                [
                    (fieldname, b)
                    for b in dict.fromkeys(w.encode("utf-8") for w in missing)
                    if (fieldname, b) not in self._rows
                ]
            )
            if len(self._cf) > 200_000:
                self._cf.clear()
            for word in missing:
                self._cf[(fieldname, word)] = self._frequency(fieldname, word)
        return [self._cf[(fieldname, w)] for w in words]

    def _frequency(self, fieldname: str, text: str) -> float:
        rows = self.rows(fieldname, text.encode("utf-8"))
        if rows is None:
            try:
                return float(self.searcher.reader().frequency(fieldname, text))
            except (KeyError, ValueError):
                return 0.0
        got = 0.0
        for seg, row in zip(self.segs, rows.tolist(), strict=True):
            if seg.terms is not None and row >= 0:
                got += float(seg.terms.postings(row).weights.sum(dtype=np.float64))
        return got

    def field_lengths(self, fieldname: str) -> np.ndarray:
        got = self._lengths.get(fieldname)
        if got is None:
            parts = [seg.lengths(fieldname) for seg in self.segs]
            got = np.concatenate(parts) if parts else np.empty(0, np.float32)
            self._lengths[fieldname] = got
        return got

    def rows(self, fieldname: str, btext: bytes) -> np.ndarray | None:
        key = (fieldname, btext)
        if key not in self._rows:
            self._find_rows([key])
        return self._rows.get(key)

    def prefetch(self, q: Any) -> None:
        """Find every term of ``q`` in every segment's term file at once (one
        ``searchsorted`` per segment), before the tree is walked term by term."""
        wanted: list[tuple[str, bytes]] = []
        names = self.schema.names()
        leaves = [q] if q.is_leaf() else q.leaves()
        for leaf in leaves:
            if type(leaf) is not query.Term or leaf.fieldname not in names:
                continue
            try:
                btext = self.schema[leaf.fieldname].to_bytes(leaf.text)
            except ValueError:
                continue
            if (leaf.fieldname, btext) not in self._rows:
                wanted.append((leaf.fieldname, btext))
        if wanted:
            self._find_rows(list(dict.fromkeys(wanted)))

    def _find_rows(self, wanted: list[tuple[str, bytes]]) -> None:
        files = [seg.terms for seg in self.segs]
        if not files or any(tf is None for tf in files):
            for key in wanted:
                self._rows[key] = None
            return
        keys = [term_key(f, b) for f, b in wanted]
        hashes = np.array([key_hash(k) for k in keys], dtype=np.uint64)
        rows = np.empty((len(wanted), len(files)), dtype=np.int64)
        for j, tf in enumerate(files):
            assert tf is not None
            rows[:, j] = tf.find_many(keys, hashes)
        if len(self._rows) > 500_000:
            self._rows.clear()
        for i, (fieldname, btext) in enumerate(wanted):
            covered = all(fieldname in tf.fields for tf in files if tf is not None)
            self._rows[(fieldname, btext)] = rows[i] if covered else None

    def joined(
        self, field: Any, fieldname: str, btext: bytes, scored: bool
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """A term's postings over every segment (global ids, deleted ones left out) and,
        if ``scored``, their unboosted BM25F scores; kept for this evaluator's life (the
        tiers and the feedback step of one search, and the searches after it, share them)."""
        key = (fieldname, btext, scored)
        got = self._joined.get(key)
        if got is not None:
            self._joined.move_to_end(key)
            return got
        if not scored:
            # Scored arrays carry the ids too: use them when they are at hand.
            with_scores = self._joined.get((fieldname, btext, True))
            if with_scores is not None:
                return with_scores[0], None
        id_parts: list[np.ndarray] = []
        weight_parts: list[np.ndarray] = []
        rows = self.rows(fieldname, btext)
        for i, seg in enumerate(self.segs):
            if rows is not None and seg.terms is not None:
                post = seg.terms.postings(int(rows[i]))
            else:
                post = seg.postings(fieldname, btext)
            if not len(post.ids):
                continue
            _add_live(seg, post.ids, post.weights, id_parts, weight_parts)
        if not id_parts:
            got = (_EMPTY_IDS, _EMPTY_SCORES if scored else None)
        else:
            ids, w = _joined_parts(id_parts, weight_parts if scored else None)
            got = (ids, self._bm25(field, fieldname, btext, ids, w) if w is not None else None)
        size = int(got[0].nbytes + (got[1].nbytes if got[1] is not None else 0)) + 200
        self._joined[key] = got
        self._joined_bytes += size
        while self._joined_bytes > self.SCORED_BYTES and len(self._joined) > 1:
            _key, (old_ids, old_scores) = self._joined.popitem(last=False)
            self._joined_bytes -= (
                int(old_ids.nbytes)
                + 200
                + (int(old_scores.nbytes) if old_scores is not None else 0)
            )
        return got

    def scored_within(
        self, field: Any, fieldname: str, btext: bytes, within: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """The term's postings among ``within`` (global ids, ascending) with their unboosted
        scores, as :meth:`joined` then a cut to ``within`` gives them, but scoring only the
        postings kept: for a few thousand briefs (the feedback step's) a term's whole list
        need not be scored. None when a segment has no term file (use :meth:`joined`)."""
        cached = self._joined.get((fieldname, btext, True))
        if cached is not None:
            ids, scores = cached
            pos = np.searchsorted(ids, within)
            pos[pos >= len(ids)] = max(0, len(ids) - 1)
            hit = ids[pos] == within if len(ids) else np.zeros(len(within), bool)
            assert scores is not None
            return within[hit], scores[pos[hit]]
        rows = self.rows(fieldname, btext)
        if rows is None:
            return None
        bounds = np.searchsorted(within, self._offsets).tolist() + [len(within)]
        id_parts: list[np.ndarray] = []
        weight_parts: list[np.ndarray] = []
        for i, seg in enumerate(self.segs):
            lo, hi = bounds[i], bounds[i + 1]
            if lo == hi or seg.terms is None:
                continue
            post = seg.terms.postings(int(rows[i]))
            if not len(post.ids):
                continue
            local = within[lo:hi] - np.int32(seg.offset) if seg.offset else within[lo:hi]
            pos = np.searchsorted(post.ids, local)
            pos[pos >= len(post.ids)] = len(post.ids) - 1
            hit = post.ids[pos] == local
            if not hit.any():
                continue
            _add_live(seg, local[hit], post.weights[pos[hit]], id_parts, weight_parts)
        if not id_parts:
            return _EMPTY_IDS, _EMPTY_SCORES
        ids, w = _joined_parts(id_parts, weight_parts)
        assert w is not None
        return ids, self._bm25(field, fieldname, btext, ids, w)

    def scores_by_forward_runs(
        self, terms: list[tuple[Any, str, bytes, float]], within: np.ndarray
    ) -> np.ndarray | None:
        """The summed scores of ``terms`` ((field, field name, term bytes, boost), text
        fields only) at each of ``within`` (global ids, ascending), read from the briefs'
        forward runs: a brief's few hundred words are looked up among the terms, rather than
        every term's list searched for the briefs (the feedback step: 90 terms, 2,000
        briefs). None when a segment has no term file."""
        if any(seg.terms is None for seg in self.segs) or any(
            fieldname not in FORWARD_FIELDS for _f, fieldname, _b, _w in terms
        ):
            return None
        out = np.zeros(len(within), dtype=np.float64)
        if not len(within) or not terms:
            return out
        # A term twice (two boosts) scores twice: once, with the boosts added.
        merged: dict[tuple[str, bytes], list[Any]] = {}
        for field, fieldname, btext, term_boost in terms:
            got = merged.get((fieldname, btext))
            if got is None:
                merged[(fieldname, btext)] = [field, term_boost]
            else:
                got[1] += term_boost
        unique = [(f, fn, bt, float(w)) for (fn, bt), (f, w) in merged.items()]
        all_rows = [self.rows(fieldname, btext) for _f, fieldname, btext, _w in unique]
        if any(r is None for r in all_rows):
            return None
        k1, b = BM25_K1, BM25_B
        # Per term: what its score needs besides a brief's frequency and field length.
        idf = np.array([self.idf(fn, bt) if f.scorable else 0.0 for f, fn, bt, _w in unique])
        boost = np.array([w for _f, _fn, _bt, w in unique], dtype=np.float64)
        field_boost = np.array([FORWARD_FIELDS[fn] for _f, fn, _bt, _w in unique])
        avgfl = np.array([self.avg_length(fn) for _f, fn, _bt, _w in unique])
        scorable = np.array([bool(f.scorable) for f, _fn, _bt, _w in unique])
        names = sorted({fn for _f, fn, _bt, _w in unique})
        code = np.array([names.index(fn) for _f, fn, _bt, _w in unique])
        lengths = [self.field_lengths(fn) for fn in names]
        table = np.stack([r for r in all_rows if r is not None]).astype(np.int64)
        bounds = np.searchsorted(within, self._offsets).tolist() + [len(within)]
        for i, seg in enumerate(self.segs):
            lo, hi = bounds[i], bounds[i + 1]
            tf = seg.terms
            if lo == hi or tf is None:
                continue
            rows = table[:, i]
            present = np.flatnonzero(rows >= 0)
            if not len(present):
                continue
            local = (within[lo:hi] - seg.offset).astype(np.int64)
            if seg.deleted is not None:
                local = local[~seg.deleted[local]]
            starts = tf.fptr[local]
            counts = tf.fptr[local + 1] - starts
            total = int(counts.sum())
            if not total:
                continue
            at = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)
            # Each term row of the segment -> the term's place in ``unique`` (-1: none).
            which = np.full(len(tf.hashes), -1, dtype=np.int32)
            which[rows[present]] = present
            t_all = which[tf.frow[at]]
            hit = np.flatnonzero(t_all >= 0)
            if not len(hit):
                continue
            t = t_all[hit]
            docs = np.repeat(local, counts)[hit] + seg.offset
            freq = tf.ffreq[at[hit]].astype(np.float64)
            w = (freq * field_boost[t]).astype(np.float32).astype(np.float64)
            fl = np.empty(len(t), dtype=np.float64)
            codes = code[t]
            for k, field_lengths in enumerate(lengths):
                sel = codes == k
                fl[sel] = field_lengths[docs[sel]]
            bm = idf[t] * (w * (k1 + 1.0)) / (w + k1 * ((1.0 - b) + b * fl / avgfl[t]))
            score = np.where(scorable[t], bm, w) * boost[t]
            out[lo:hi] += np.bincount(
                np.searchsorted(within[lo:hi], docs), weights=score, minlength=hi - lo
            )
        return out

    def _bm25(
        self, field: Any, fieldname: str, btext: bytes, ids: np.ndarray, w: np.ndarray
    ) -> np.ndarray:
        if not field.scorable:
            return w
        idf = self.idf(fieldname, btext)
        avgfl = self.avg_length(fieldname)
        lengths = self.field_lengths(fieldname)[ids]
        k1, b = BM25_K1, BM25_B
        return idf * (w * (k1 + 1.0)) / (w + k1 * ((1.0 - b) + b * lengths / avgfl))  # type: ignore[no-any-return]

    def has_pairs(self, fieldname: str) -> bool:
        """Whether every segment's term file holds ``fieldname``'s word pairs (a text field,
        every segment laid out): then :meth:`pair_docs` answers for the whole index."""
        return fieldname in TEXT_FIELDS and all(seg.terms is not None for seg in self.segs)

    def pair_docs(self, fieldname: str, first: str, second: str) -> np.ndarray:
        """The briefs (global ids, ascending, deleted ones left out) where index word
        ``second`` follows ``first`` in ``fieldname``; call only if :meth:`has_pairs`."""
        key = ("pair", fieldname, first, second)
        got = self._joined.get(key)
        if got is not None:
            self._joined.move_to_end(key)
            return got[0]
        h = termfile.pair_hash(fieldname, first, second)
        parts: list[np.ndarray] = []
        for seg in self.segs:
            assert seg.terms is not None
            ids = seg.terms.pair_docs(h)
            if not len(ids):
                continue
            if seg.deleted is not None:
                ids = ids[~seg.deleted[ids]]
            parts.append(ids + np.int32(seg.offset) if seg.offset else ids)
        ids = np.concatenate(parts) if len(parts) > 1 else parts[0] if parts else _EMPTY_IDS
        self._joined[key] = (ids, None)
        self._joined_bytes += int(ids.nbytes) + 200
        return ids

    def doc_term_counts(self, docnum: int) -> dict[str, float] | None:
        """How often each index word occurs in a brief's title, article and comment
        together (what analysing its stored text gives), from its segment's term file; None
        when the segment has none."""
        got = self._doc_words(docnum)
        if got is None:
            return None
        wids, freqs = got
        words = termfile.words_of(wids)
        out: dict[str, float] = {}
        for word, freq in zip(words, freqs.tolist(), strict=True):
            out[word] = out.get(word, 0.0) + freq
        return out

    def _doc_words(self, docnum: int) -> tuple[np.ndarray, np.ndarray] | None:
        """A brief's word ids (one per word and field) and frequencies, or None."""
        k = int(np.searchsorted(self._offsets, docnum, side="right")) - 1
        if k < 0:
            return None
        seg = self.segs[k]
        if seg.terms is None:
            return None
        return seg.terms.doc_words(docnum - seg.offset)


def _add_live(
    seg: Any, ids: np.ndarray, weights: np.ndarray, id_parts: list[Any], weight_parts: list[Any]
) -> None:
    """Append one segment's postings, its deleted documents left out, in whole-index numbers."""
    if seg.deleted is not None:
        keep = ~seg.deleted[ids]
        ids, weights = ids[keep], weights[keep]
    id_parts.append(ids + np.int32(seg.offset) if seg.offset else ids)
    weight_parts.append(weights)


def _joined_parts(
    id_parts: list[np.ndarray], weight_parts: list[np.ndarray] | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """The segments' parts as one id array and (if asked for) one float64 weight array."""
    ids = np.concatenate(id_parts) if len(id_parts) > 1 else id_parts[0]
    if weight_parts is None:
        return ids, None
    w = np.concatenate(weight_parts) if len(weight_parts) > 1 else weight_parts[0]
    return ids, w.astype(np.float64)
