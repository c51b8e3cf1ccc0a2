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
    _all: np.ndarray | None = None  # every document's counts, once asked for

    def __post_init__(self) -> None:
        n = len(self.indptr) - 1
        if n > 0 and len(self.codes) and int(np.diff(self.indptr).max()) <= 1:
            single = np.full(n, -1, dtype=np.int32)
            has = np.flatnonzero(np.diff(self.indptr) == 1)
            single[has] = self.codes[self.indptr[has]]
            self.single = single

    @property
    def nbytes(self) -> int:
        extra = int(self.single.nbytes) if self.single is not None else 0
        return (
            int(self.codes.nbytes + self.indptr.nbytes)
            + extra
            + sum(len(n) + 60 for n in self.names)
        )

    def count(self, docs: np.ndarray, n: int) -> dict[str, int]:
        """How many of ``docs`` (local numbers) have each value."""
        if not len(docs) or not len(self.codes):
            return {}
        if self.single is not None:
            got = self.single[docs]
            counts = np.bincount(got[got >= 0], minlength=len(self.names))
        elif len(docs) * 2 > n:
            # Most of the index (a long question's matches): every document's counts less
            # those of the few left out (deleted ones among them), gathered slice by slice.
            if self._all is None:
                self._all = np.bincount(self.codes, minlength=len(self.names))
            left = np.ones(n, dtype=bool)
            left[docs] = False
            counts = self._all - self._gathered(np.flatnonzero(left))
        else:
            counts = self._gathered(docs)
        nz = np.flatnonzero(counts)
        return {self.names[i]: int(counts[i]) for i in nz}

    def _gathered(self, docs: np.ndarray) -> np.ndarray:
        """Counts over some documents, from their slices of the codes."""
        starts, ends = self.indptr[docs], self.indptr[docs + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        if not total:
            return np.zeros(len(self.names), dtype=np.int64)
        idx = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        return np.bincount(self.codes[idx], minlength=len(self.names))


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
        def make() -> tuple[Any, int]:
            got = fast.field_lengths(self.reader, fieldname)
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
