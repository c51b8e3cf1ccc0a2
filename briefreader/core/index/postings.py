"""Posting lists and per-segment columns as numpy arrays, kept in one byte-bounded LRU.

Whoosh never changes a segment once written (a commit adds segments, deletions are kept
apart), so whatever is read from a segment stays true for as long as the segment lives: the
cache is keyed by segment id and survives every searcher refresh for the segments that did
not change. Deletions are not cached here; each searcher masks them itself.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from briefreader.core.index import fast
from briefreader.core.index.termfile import TermFile, key_hash, term_key

log = logging.getLogger(__name__)

#: Default bound of the array cache (postings, lengths, dates, facet columns), in MB;
#: ``BRIEFREADER_CACHE_MB`` or :class:`ArrayCache`'s argument sets another.
DEFAULT_CACHE_MB = 256


def cache_bytes_setting(preferred_mb: float | None = None) -> int:
    """The cache bound in bytes: ``$BRIEFREADER_CACHE_MB`` if it is a number, else the
    user's preference (``cache_mb`` in preferences.json), else the default."""
    raw = os.environ.get("BRIEFREADER_CACHE_MB", "")
    fallback = DEFAULT_CACHE_MB if preferred_mb is None else preferred_mb
    try:
        mb = float(raw) if raw.strip() else fallback
    except ValueError:
        log.warning("BRIEFREADER_CACHE_MB=%r is not a number: %g MB used", raw, fallback)
        mb = fallback
    return max(0, int(mb * 2**20))


class ArrayCache:
    """A least-recently-used map whose entries say their size; the total stays bounded.

    One lock: the window reads from worker threads, one request at a time per index, but a
    prefetch and a search may overlap.
    """

    def __init__(self, max_bytes: int | None = None) -> None:
        self.max_bytes = cache_bytes_setting() if max_bytes is None else max_bytes
        self._items: OrderedDict[tuple[Any, ...], tuple[Any, int]] = OrderedDict()
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get_or_make(self, key: tuple[Any, ...], make: Callable[[], tuple[Any, int]]) -> Any:
        """The cached value for ``key``, or ``make()``'s (value, size in bytes), kept."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return found[0]
            self.misses += 1
        value, size = make()
        if key[0] is None or size > self.max_bytes // 4:
            return value  # no segment identity, or too big to keep: used once
        with self._lock:
            if key not in self._items:
                self._items[key] = (value, size)
                self.bytes += size
            while self.bytes > self.max_bytes and self._items:
                _key, (_value, old) = self._items.popitem(last=False)
                self.bytes -= old
        return value

    def forget_segments(self, live: set[Any]) -> None:
        """Drop the entries of segments that are gone (merged away)."""
        with self._lock:
            for key in [k for k in self._items if k[0] not in live]:
                _value, size = self._items.pop(key)
                self.bytes -= size


#: A facet value gets its own bitmap of documents once it is on at least one document in
#: this many: counting it for a large set of matches is then an AND and a popcount of n/64
#: words, whatever the set's size. The bitmaps of such values take at most 32 bytes per
#: listed value in all (2 MB for the actors of 100,000 briefs in the benchmark), and the
#: rarer values stay listed.
DENSE_VALUE_SHARE = 256
#: Gathering one value of one document costs about as much as ANDing and counting this
#: many bitmap words; in a column of one value a document, this many (measured with numpy
#: 2.4 on the benchmark machine).
_GATHER_PER_WORD = 4
_SINGLE_PER_WORD = 3
#: The bitmaps are made from one byte per (value, document) a few rows at a time: this much.
_FLAG_BYTES = 16 << 20


@dataclass(slots=True)
class FacetColumn:
    """One facet field of one segment, CSR-style: document ``d``'s values are
    ``codes[indptr[d]:indptr[d + 1]]``, indexes into ``names``."""

    names: list[str]
    codes: np.ndarray  # int32
    indptr: np.ndarray  # int64, length n + 1
    #: For a column with at most one value a document (source, year): each document's code,
    #: -1 for none; counting is then one gather over the documents asked about.
    single: np.ndarray | None = None
    #: For a listed column, made on its first large count: the common values' codes, their
    #: document bitmaps (one row of uint64 words each), and the rarer values kept CSR-style.
    _dense: np.ndarray | None = None
    _bits: np.ndarray | None = None
    _rare: tuple[np.ndarray, np.ndarray] | None = None

    def __post_init__(self) -> None:
        n = len(self.indptr) - 1
        if n > 0 and len(self.codes) and int(np.diff(self.indptr).max()) <= 1:
            single = np.full(n, -1, dtype=np.int32)
            has = np.flatnonzero(np.diff(self.indptr) == 1)
            single[has] = self.codes[self.indptr[has]]
            self.single = single

    @property
    def nbytes(self) -> int:
        extra = sum(
            int(a.nbytes)
            for a in (self.single, self._dense, self._bits, *(self._rare or ()))
            if a is not None
        )
        return (
            int(self.codes.nbytes + self.indptr.nbytes)
            + extra
            + sum(len(n) + 60 for n in self.names)
        )

    def count(self, docs: np.ndarray, n: int, packed: np.ndarray | None = None) -> dict[str, int]:
        """How many of ``docs`` (local numbers, ascending, unique) have each value.
        ``packed`` may give ``docs`` already as a bitmap (:func:`packed_docs`)."""
        if not len(docs) or not len(self.codes):
            return {}
        if self._by_bits(len(docs), n):
            # Many matches, each with several values: the common values by bitmap, whose
            # cost does not grow with the matches, and only the rare ones gathered.
            assert self._bits is not None and self._dense is not None and self._rare
            if packed is None:
                packed = packed_docs(docs, n)
            if len(self._rare[0]):
                counts = _gathered(*self._rare, docs, len(self.names))
            else:
                counts = np.zeros(len(self.names), dtype=np.int64)
            if len(self._dense):
                counts[self._dense] += np.bitwise_count(self._bits & packed).sum(
                    axis=1, dtype=np.int64
                )
        elif self.single is not None:
            got = self.single[docs]
            counts = np.bincount(got[got >= 0], minlength=len(self.names))
        else:
            counts = _gathered(self.codes, self.indptr, docs, len(self.names))
        nz = np.flatnonzero(counts)
        return {self.names[i]: int(counts[i]) for i in nz}

    def _by_bits(self, matched: int, n: int) -> bool:
        """Whether counting ``matched`` documents costs less by the bitmaps (made here the
        first time they would pay) than by gathering each document's values."""
        if len(self.indptr) - 1 != n or not n:
            return False
        if self.single is not None:
            gathered = matched * _SINGLE_PER_WORD  # one code a document, no slices
        else:
            gathered = matched * len(self.codes) // n * _GATHER_PER_WORD
        if self._bits is None:
            if gathered <= n // 64:
                return False  # cheaper than even one bitmap row
            self._make_bits(n)
        assert self._dense is not None
        return gathered > len(self._dense) * (n // 64)

    def _make_bits(self, n: int) -> None:
        per_value = np.bincount(self.codes, minlength=len(self.names))
        dense = np.flatnonzero(per_value * DENSE_VALUE_SHARE >= n).astype(np.int32)
        rank = np.full(len(self.names), -1, dtype=np.int32)
        rank[dense] = np.arange(len(dense), dtype=np.int32)
        owner = np.repeat(np.arange(n, dtype=np.int32), np.diff(self.indptr))
        row = rank[self.codes]
        common = row >= 0
        words = (n + 63) // 64
        bits = np.zeros((len(dense), words), dtype=np.uint64)
        if len(dense):
            # Rows a few at a time, so that the flags set per chunk stay within _FLAG_BYTES.
            # int16 rows sort by radix in numpy: linear, not n log n.
            small = row.astype(np.int16) if len(dense) < 2**15 else row
            order = np.argsort(small, kind="stable")[int((~common).sum()) :]
            rows, docs = row[order], owner[order]
            step = max(1, _FLAG_BYTES // (words * 64))
            cuts = np.searchsorted(rows, np.arange(0, len(dense) + step, step))
            for chunk, (a, b) in enumerate(zip(cuts[:-1], cuts[1:], strict=False)):
                first = chunk * step
                last = min(len(dense), first + step)
                flags = np.zeros((last - first, words * 64), dtype=bool)
                flags[rows[a:b] - first, docs[a:b]] = True
                bits[first:last] = np.packbits(flags, axis=1, bitorder="little").view(np.uint64)
        rare_owner = owner[~common]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rare_owner, minlength=n), out=indptr[1:])
        self._rare = (self.codes[~common], indptr)
        self._dense = dense
        self._bits = bits


def packed_docs(docs: np.ndarray, n: int) -> np.ndarray:
    """``docs`` (numbers below ``n``) as a bitmap of uint64 words, bit ``d % 64`` of word
    ``d // 64`` for document ``d``: what :meth:`FacetColumn.count` ANDs with its bitmaps."""
    flags = np.zeros(((n + 63) // 64) * 64, dtype=bool)
    flags[docs] = True
    return np.packbits(flags, bitorder="little").view(np.uint64)


def _gathered(codes: np.ndarray, indptr: np.ndarray, docs: np.ndarray, m: int) -> np.ndarray:
    """Counts of each of ``m`` values over some documents, from their slices of ``codes``."""
    starts, ends = indptr[docs], indptr[docs + 1]
    lengths = ends - starts
    total = int(lengths.sum())
    if not total:
        return np.zeros(m, dtype=np.int64)
    idx = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
    return np.bincount(codes[idx], minlength=m)


def join_facets(parts: list[FacetColumn]) -> FacetColumn:
    """One column over the whole index from the segments' columns, in segment order (the
    searcher's document numbers): names merged, each segment's codes mapped onto them."""
    code_of: dict[str, int] = {}
    names: list[str] = []
    codes: list[np.ndarray] = []
    lengths: list[np.ndarray] = []
    for part in parts:
        remap = np.empty(len(part.names), dtype=np.int32)
        for i, name in enumerate(part.names):
            c = code_of.get(name)
            if c is None:
                c = code_of[name] = len(names)
                names.append(name)
            remap[i] = c
        codes.append(remap[part.codes] if len(part.codes) else part.codes)
        lengths.append(np.diff(part.indptr))
    indptr = np.zeros(sum(len(n) for n in lengths) + 1, dtype=np.int64)
    if lengths:
        np.cumsum(np.concatenate(lengths), out=indptr[1:])
    return FacetColumn(
        names,
        np.concatenate(codes) if codes else np.empty(0, np.int32),
        indptr,
    )


def facet_column_of(reader: Any, name: str) -> FacetColumn:
    """A segment's facet column, read in one go (what :func:`facet_column` makes of
    :func:`fast.leaf_facet_values`, without a Python call per document: 100,000 briefs'
    four columns took seconds that way, and the first search waited for them)."""
    got = fast.facet_blob(reader, name)
    if got is None:
        return facet_column(fast.leaf_facet_values(reader, name))
    raws, translate = got
    listed = name in ("actor_list", "tag_list")
    if listed:
        parts = [raw.split(b",") if raw else [] for raw in raws]
        parts = [[p for p in ps if p] if b"" in ps else ps for ps in parts]
        lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
        flat = list(itertools.chain.from_iterable(parts))
    else:
        lengths = np.fromiter(map(bool, raws), dtype=np.int64, count=len(raws))
        flat = [raw for raw in raws if raw]
    # Distinct values in first-seen order, then each value's code; both loops run in C
    # (dict.fromkeys, map over a bound method): no Python step per document.
    distinct: list[bytes] = list(dict.fromkeys(flat))
    code_of = {v: i for i, v in enumerate(distinct)}
    codes = np.fromiter(map(code_of.__getitem__, flat), dtype=np.int32, count=len(flat))
    names = []
    for raw in distinct:  # in code order
        value = raw if listed else translate(raw)
        names.append(value.decode("utf-8") if isinstance(value, bytes) else str(value or ""))
    indptr = np.zeros(len(raws) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    return FacetColumn(names, codes, indptr)


def facet_column(values: list[Any]) -> FacetColumn:
    """Build a :class:`FacetColumn` from each document's value (a string, or a tuple)."""
    code_of: dict[str, int] = {}
    names: list[str] = []
    codes: list[int] = []
    lengths = np.zeros(len(values), dtype=np.int64)
    for d, value in enumerate(values):
        items = value if isinstance(value, tuple) else ((value,) if value else ())
        for item in items:
            if not item:
                continue
            c = code_of.get(item)
            if c is None:
                c = code_of[item] = len(names)
                names.append(item)
            codes.append(c)
            lengths[d] += 1
    indptr = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    return FacetColumn(names, np.array(codes, dtype=np.int32), indptr)


def segment_key(reader: Any) -> Any:
    """A leaf reader's segment id (stable for the segment's life), or None."""
    try:
        return reader.segment().segment_id()
    except Exception:  # noqa: BLE001 - an empty index's reader has no segment
        return None


class SegmentArrays:
    """What the evaluator reads from one leaf segment, through the shared cache."""

    def __init__(
        self,
        reader: Any,
        offset: int,
        cache: ArrayCache,
        term_files: Callable[[Any], TermFile | None] | None = None,
    ) -> None:
        self.reader = reader
        self.offset = offset
        self.n = int(reader.doc_count_all())
        self.key = segment_key(reader)
        self.cache = cache
        self.deleted = fast.deleted_mask(reader)
        #: The segment's term file (its postings as mapped arrays), if written yet.
        self.terms = term_files(self.key) if term_files is not None and self.key else None

    def postings(self, fieldname: str, btext: bytes) -> fast.TermPostings:
        tf = self.terms
        if tf is not None and fieldname in tf.fields:
            key = term_key(fieldname, btext)
            return tf.postings(tf.find(key, key_hash(key)))

        def make() -> tuple[Any, int]:
            got = fast.read_postings(self.reader, fieldname, btext)
            return got, got.nbytes

        got: Any = self.cache.get_or_make((self.key, "p", fieldname, btext), make)
        return got

    def positions(self, fieldname: str, btext: bytes) -> fast.TermPostings:
        """The postings with their encoded positions (phrases only)."""

        def make() -> tuple[Any, int]:
            got = fast.read_postings(self.reader, fieldname, btext, values=True)
            return got, got.nbytes

        got: Any = self.cache.get_or_make((self.key, "v", fieldname, btext), make)
        return got

    def lengths(self, fieldname: str) -> np.ndarray:
        """Each document's length in ``fieldname`` (its index words, its actors): exact from
        the segment's term file where there is one, else Whoosh's, which keeps a length in
        one byte (steps of about 3.5 % past ten words). Exact, a brief scores as it does on the
        team archive, which counts its words exactly."""

        def make() -> tuple[Any, int]:
            terms = self.terms
            got = terms.lengths.get(fieldname) if terms is not None else None
            if got is None or len(got) != self.n:
                got = fast.field_lengths(self.reader, fieldname)
            else:
                # A copy, not a view of the mapped file: the cache outlives the file's map.
                got = np.array(got, dtype=np.float32)
            return got, int(got.nbytes)

        got: Any = self.cache.get_or_make((self.key, "len", fieldname), make)
        return got

    def numbers(self, name: str) -> np.ndarray:
        def make() -> tuple[Any, int]:
            got = fast.numeric_column(self.reader, name)
            return got, int(got.nbytes)

        got: Any = self.cache.get_or_make((self.key, "num", name), make)
        return got

    def facet(self, name: str) -> FacetColumn:
        def make() -> tuple[Any, int]:
            got = facet_column_of(self.reader, name)
            return got, got.nbytes

        got: Any = self.cache.get_or_make((self.key, "facet", name), make)
        return got
