"""Fast paths that read Whoosh-Reloaded 2.7.5's private structures (one place, versioned).

Each falls back to Whoosh's public (slower) path for anything it does not recognise.
"""

from __future__ import annotations

import io
import itertools
import logging
import pickle
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import whoosh
from whoosh import columns
from whoosh.util.numeric import byte_to_length
from whoosh.codec.whoosh3 import LENGTHS_COLUMN as _LENGTHS_COLUMN
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC as _W3_HEADER
from whoosh.codec.whoosh3 import W3LeafMatcher as _W3Leaf

log = logging.getLogger(__name__)


def _column_values(s: Any, name: str) -> Iterator[Any]:
    """Every document's value of column ``name``, in document-number order.

    Whoosh reads a variable-length column one value at a time (a seek and a read each:
    about 15 us, 1.5 s for four facet columns at 100,000 briefs). Whoosh-Reloaded 2.7.5's
    reader keeps the values' lengths in an array, so a segment's values are read in one go
    and sliced here. Other column types, and segments without the column, go Whoosh's way.
    """
    for leaf, _offset in s.leaf_searchers():
        r = leaf.reader()
        if not r.has_column(name):
            yield from r.column_reader(name)  # the field's default value for each document
            continue
        raw = r.column_reader(name, translate=False)
        translate = r.schema[name].from_column_value
        lengths = getattr(raw, "_lengths", None)
        if not isinstance(raw, columns.VarBytesColumn.Reader) or lengths is None:
            yield from map(translate, raw)
            continue
        blob = raw._dbfile.get(raw._basepos, sum(lengths))
        pos = 0
        for length in lengths:
            yield translate(blob[pos : pos + length]) if length else translate(b"")
            pos += length


def _posting_ids(m: Any) -> Iterable[int]:
    """Every document number of a term's postings, a block at a time.

    Whoosh's ``all_ids()`` steps through the postings one Python call at a time (about 1.5 us
    each, 100 ms for a common word at 100,000 briefs). Whoosh-Reloaded 2.7.5's on-disk
    matcher keeps each block as a pickled, delta-coded tuple: unpickling it and summing the
    deltas with ``itertools.accumulate`` runs in C. Any other matcher (short posting lists
    are stored inline) takes Whoosh's own way.
    """
    if not isinstance(m, _W3Leaf) or not m.is_active() or m._byteids:
        return m.all_ids()  # type: ignore[no-any-return]
    out: list[int] = []
    while True:
        if m._data is None:
            m._read_data()
        deltas = m._data[0]
        if m._i == 0:
            out.extend(itertools.accumulate(deltas))
        else:  # not at the start of a block: Whoosh's own decoding, from where it stands
            if m._ids is None:
                m._read_ids()
            out.extend(m._ids[m._i :])
        if m._lastblock:
            return out
        m._next_block()


class _MemoryLengths:
    """A segment's length column of one field (a byte per document), read in one go."""

    __slots__ = ("_data",)

    def __init__(self, data: bytes) -> None:
        self._data = data

    def __getitem__(self, docnum: int) -> int:
        data = self._data
        return data[docnum] if docnum < len(data) else 0


def _lengths_in_memory(reader: Any) -> None:
    """Give a segment reader its field-length columns as bytes in memory.

    BM25 asks each scored document's field length, and Whoosh-Reloaded 2.7.5 reads it from
    the column file each time (a seek, a read and an unpack: 15 us; 188,000 lookups for 150
    queries at 35,000 briefs). The columns are a byte per document: 100 KB a field at
    100,000 briefs. Any other reader or layout is left alone.
    """
    perdoc: Any = getattr(reader, "_perdoc", None)
    cached = getattr(perdoc, "_readers", None)
    if perdoc is None or not isinstance(cached, dict):
        return
    for name, field_ in reader.schema.items():
        if not field_.scorable:
            continue
        lenfield = f"_{name}_len"
        try:
            raw = perdoc.column_reader(lenfield, _LENGTHS_COLUMN)
            if not isinstance(raw, columns.NumericColumn.Reader) or raw._fixedlen != 1:
                continue
            count = min(raw._count, perdoc._doccount)
            cached[lenfield] = _MemoryLengths(raw._dbfile.get(raw._basepos, count))
        except Exception:  # noqa: BLE001 - no such column (an empty segment): Whoosh's way
            log.debug("field lengths of %s stay on disk", name, exc_info=True)


# -- postings and columns as arrays ------------------------------------------------------

#: The Whoosh release whose private structures the fast paths below read. Any other release
#: takes Whoosh's public path (slower, same answers): tests compare the two.
FAST_PATHS = whoosh.__version__ == (2, 7, 5)
_W3_MAGIC = _W3_HEADER


@dataclass(slots=True)
class TermPostings:
    """One term's postings in one segment: ascending local document numbers (deleted
    documents included: the caller masks them), weights, and the encoded values (positions)
    when they were asked for."""

    ids: np.ndarray  # int32
    weights: np.ndarray  # float32
    values: list[bytes] | None = None

    @property
    def nbytes(self) -> int:
        extra = sum(len(v) + 33 for v in self.values) if self.values is not None else 0
        return int(self.ids.nbytes + self.weights.nbytes) + extra + 200


def read_postings(reader: Any, fieldname: str, btext: bytes, values: bool = False) -> TermPostings:
    """A term's postings in a leaf reader, read whole (empty when the term is absent).

    Whoosh's matcher hands out one posting per Python call. Whoosh-Reloaded 2.7.5 stores a
    posting list as blocks of 128: a length, a pickled info tuple, then the pickled (maybe
    zlib-compressed) tuple of delta-coded ids, weights and values; the blocks are decoded in
    C (zlib, pickle) and the deltas summed by numpy. Anything else goes Whoosh's way.
    """
    if (fieldname, btext) not in reader:
        return TermPostings(np.empty(0, np.int32), np.empty(0, np.float32), [] if values else None)
    terms = getattr(reader, "_terms", None)
    if FAST_PATHS and terms is not None and hasattr(terms, "matcher"):
        try:
            m = terms.matcher(fieldname, btext, reader.schema[fieldname].format)
        except Exception:  # noqa: BLE001 - an unexpected layout: the public path below
            m = None
        if isinstance(m, _W3Leaf) and not m._byteids:
            got = _read_w3(m, values)
            if got is not None:
                return got
    return _read_public(reader, fieldname, btext, values)


def _read_public(reader: Any, fieldname: str, btext: bytes, values: bool) -> TermPostings:
    """Whoosh's own matcher, one posting at a time (deleted documents already left out)."""
    m = reader.postings(fieldname, btext)
    ids: list[int] = []
    weights: list[float] = []
    vals: list[bytes] = []
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        if values:
            vals.append(m.value())
        m.next()
    return TermPostings(
        np.array(ids, np.int32), np.array(weights, np.float32), vals if values else None
    )


def _read_w3(m: Any, values: bool) -> TermPostings | None:
    buf = m._postfile.get(m._startoffset, m._length)
    if buf[:4] != _W3_MAGIC:
        return None
    stream = io.BytesIO(buf)
    pos, end_all = 4, len(buf)
    deltas: list[int] = []
    weights: list[float] = []
    vals: list[bytes] = []
    starts: list[int] = []
    maxids: list[int] = []
    while pos < end_all:
        length = int.from_bytes(buf[pos : pos + 4], "big", signed=True)
        last = length < 0
        pos += 4
        end = pos + abs(length)
        stream.seek(pos)
        count, maxid, _maxweight, comp = pickle.load(stream)[:4]
        raw = buf[stream.tell() : end]
        ids_d, ws, vs = pickle.loads(zlib.decompress(raw) if comp else raw)
        starts.append(len(deltas))
        maxids.append(maxid)
        deltas.extend(ids_d)
        if ws is None:
            weights.extend(itertools.repeat(1.0, count))
        elif isinstance(ws, float):
            weights.extend(itertools.repeat(ws, count))
        else:
            weights.extend(ws)
        if values:
            if isinstance(vs, tuple):
                vals.extend(vs)
            else:
                return None  # fixed-size values: not what phrases need; Whoosh's way
        pos = end
        if last:
            break
    arr = np.array(deltas, dtype=np.int64)
    if len(starts) > 1:
        # Each block's deltas start from zero: continue the running sum across blocks.
        arr[np.array(starts[1:])] -= np.array(maxids[:-1], dtype=np.int64)
    ids = np.cumsum(arr).astype(np.int32)
    return TermPostings(ids, np.array(weights, np.float32), vals if values else None)


#: A field-length byte to the length BM25 uses (Whoosh's table; a zero byte counts as 1).
_LENGTH_OF_BYTE = np.array([byte_to_length(b) or 1 for b in range(256)], dtype=np.float32)
_LENGTH_OF_BYTE[0] = 1.0


def field_lengths(reader: Any, fieldname: str) -> np.ndarray:
    """Every document's length of ``fieldname`` in a leaf reader, as BM25 reads it."""
    n = int(reader.doc_count_all())
    perdoc: Any = getattr(reader, "_perdoc", None)
    if FAST_PATHS and perdoc is not None:
        try:
            raw = perdoc.column_reader(f"_{fieldname}_len", _LENGTHS_COLUMN)
            if isinstance(raw, columns.NumericColumn.Reader) and raw._fixedlen == 1:
                count = min(raw._count, n)
                data = np.frombuffer(raw._dbfile.get(raw._basepos, count), dtype=np.uint8)
                out = np.ones(n, dtype=np.float32)
                out[:count] = _LENGTH_OF_BYTE[data]
                return out
        except Exception:  # noqa: BLE001 - no such column (an empty segment): Whoosh's way
            log.debug("field lengths of %s the slow way", fieldname, exc_info=True)
    return np.array(
        [reader.doc_field_length(d, fieldname, 1) or 1 for d in range(n)], dtype=np.float32
    )


def numeric_column(reader: Any, name: str) -> np.ndarray:
    """A numeric column's raw (sortable) values for every document of a leaf reader."""
    n = int(reader.doc_count_all())
    if not reader.has_column(name):
        return np.zeros(n, dtype=np.int64)
    raw = reader.column_reader(name, translate=False)
    if FAST_PATHS and isinstance(raw, columns.NumericColumn.Reader) and raw._typecode in "qQiIlL":
        count = min(raw._count, n)
        data = np.frombuffer(
            raw._dbfile.get(raw._basepos, count * raw._fixedlen), dtype=">" + raw._typecode
        ).astype(np.int64)
        if count < n:
            data = np.concatenate([data, np.full(n - count, raw._default, dtype=np.int64)])
        return data
    return np.array([raw[d] for d in range(n)], dtype=np.int64)


def deleted_mask(reader: Any) -> np.ndarray | None:
    """True for each deleted document of a leaf reader; None when it has none."""
    if not reader.has_deletions():
        return None
    mask = np.zeros(int(reader.doc_count_all()), dtype=bool)
    deleted = np.fromiter(reader.deleted_docs_set, dtype=np.int64)
    mask[deleted[deleted < len(mask)]] = True
    return mask
