"""Fast paths that read Whoosh-Reloaded 2.7.5's private structures (one place, versioned).

Each falls back to Whoosh's public (slower) path for anything it does not recognise.
"""

from __future__ import annotations

import io
import logging
import pickle
import struct
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import whoosh
from whoosh import columns
from whoosh.codec.whoosh3 import LENGTHS_COLUMN as _LENGTHS_COLUMN
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC as _W3_HEADER
from whoosh.codec.whoosh3 import W3TermsReader as _W3Terms
from whoosh.filedb.filetables import OrderedHashReader as _OrderedHash
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

log = logging.getLogger(__name__)


def leaf_facet_values(reader: Any, name: str) -> list[Any]:
    """Every document's value of facet column ``name`` in a leaf reader, in document order,
    read Whoosh's way (a seek and a read a value: seconds at 100,000 briefs): a tuple of
    strings for the comma lists (``actor_list``, ``tag_list``), else a string. The fallback
    of :func:`facet_blob`, which reads a segment's values in one go."""
    listed = name in ("actor_list", "tag_list")
    same: dict[Any, Any] = {}  # one object per distinct value: a few hundred, not 100,000

    def value(raw: Any) -> Any:
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8")
        raw = raw or ""
        if listed:
            parts = tuple(p for p in raw.split(",") if p) if raw else ()
            return same.setdefault(parts, parts)
        return same.setdefault(raw, raw)

    if not reader.has_column(name):
        return [value("")] * int(reader.doc_count_all())
    translate = reader.schema[name].from_column_value
    return [value(translate(v)) for v in reader.column_reader(name, translate=False)]


def facet_blob(reader: Any, name: str) -> tuple[list[bytes], Any] | None:
    """Every document's raw value of a variable-length column, as bytes in document order,
    and the column's translation to a value; None where the fast path does not apply (then
    :func:`leaf_facet_values` reads it Whoosh's way).

    Whoosh-Reloaded 2.7.5's reader keeps the values' lengths in an array, so a segment's
    values are one read, sliced here."""
    if not FAST_PATHS or not reader.has_column(name):
        return None
    raw = reader.column_reader(name, translate=False)
    lengths = getattr(raw, "_lengths", None)
    if not isinstance(raw, columns.VarBytesColumn.Reader) or lengths is None:
        return None
    blob = raw._dbfile.get(raw._basepos, sum(lengths))
    ends = np.cumsum(np.asarray(lengths, dtype=np.int64)).tolist()
    starts = [0, *ends[:-1]]
    return [blob[a:b] for a, b in zip(starts, ends, strict=True)], reader.schema[
        name
    ].from_column_value


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
        extra = sum(map(len, self.values)) + 33 * len(self.values) if self.values else 0
        return int(self.ids.nbytes + self.weights.nbytes) + extra + 200


def read_postings(reader: Any, fieldname: str, btext: bytes, values: bool = False) -> TermPostings:
    """A term's postings in a leaf reader, read whole (empty when the term is absent).

    Whoosh's matcher hands out one posting per Python call. Whoosh-Reloaded 2.7.5 stores a
    posting list as blocks of 128: a length, a pickled info tuple, then the pickled (maybe
    zlib-compressed) tuple of delta-coded ids, weights and values; the blocks are decoded in
    C (zlib, pickle) and the deltas summed by numpy. Anything else goes Whoosh's way.
    """
    none = TermPostings(np.empty(0, np.int32), np.empty(0, np.float32), [] if values else None)
    terms = getattr(reader, "_terms", None)
    if FAST_PATHS and isinstance(terms, _W3Terms):
        # The term's entry (one lookup in the segment's hash table), then its extent read
        # whole: no matcher is built (Whoosh's reads the header and first block on creation),
        # which is most of the cost of a short list in each of a dozen segments.
        try:
            info = terms.term_info(fieldname, btext)
        except TermNotFound:
            return none
        except Exception:  # noqa: BLE001 - an unexpected layout: the public path below
            info = None
        got = None
        if info is not None and info.is_inlined():
            ids, weights, vals = info.inlined_postings()
            got = _read_inlined(ids, weights, vals, values)
        elif info is not None:
            offset, length = info.extent()
            # Whoosh-Reloaded 2.7.5's W3TermInfo.from_bytes keeps the extent's length as a
            # 1-tuple (unpack_int(...) without [0]); its own matcher never reads it.
            length = length[0] if isinstance(length, tuple) else length
            got = _read_w3(terms._postfile.get(offset, int(length)), values)
        if got is not None:
            return got
    if (fieldname, btext) not in reader:
        return none
    return _read_public(reader, fieldname, btext, values)


def _read_inlined(ids: Any, weights: Any, vals: Any, values: bool) -> TermPostings | None:
    """A short posting list kept inside the term's entry (Whoosh inlines rare terms'):
    already in memory as tuples, read as arrays here."""
    id_arr = np.asarray(ids, dtype=np.int32)
    weight_arr = (
        np.asarray(weights, dtype=np.float32) if weights else np.ones(len(id_arr), np.float32)
    )
    out_vals = None
    if values:
        if vals is None or any(not isinstance(v, bytes) for v in vals):
            return None  # no values, or lists of them to combine: Whoosh's way
        out_vals = list(vals)
    if len(weight_arr) != len(id_arr) or (out_vals is not None and len(out_vals) != len(id_arr)):
        return None
    return TermPostings(id_arr, weight_arr, out_vals)


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


def _read_w3(buf: bytes, values: bool) -> TermPostings | None:
    """A posting list's extent in the postings file, decoded block by block."""
    if buf[:4] != _W3_MAGIC:
        return None
    stream = io.BytesIO(buf)
    pos, end_all = 4, len(buf)
    deltas: list[np.ndarray] = []
    ndeltas = 0
    weights: list[Any] = []
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
        got = None
        if not values:
            # The ids and weights lead the block; the positions that follow are most of it
            # and cost most of the unpickling (a call per posting): only the head is read.
            head = _HEAD_BYTES(count)
            part = zlib.decompressobj().decompress(raw, head) if comp else raw[:head]
            got = _ids_and_weights(part, count, maxid)
        if got is None:
            ids_d, ws, vs = pickle.loads(zlib.decompress(raw) if comp else raw)
            if values:
                if not isinstance(vs, tuple):
                    return None  # fixed-size values: not what phrases need; Whoosh's way
                vals.extend(vs)
        else:
            ids_d, ws = got
        starts.append(ndeltas)
        maxids.append(maxid)
        deltas.append(np.asarray(ids_d, dtype=np.int64))
        ndeltas += count
        if ws is None:
            weights.append(np.ones(count, np.float32))
        elif isinstance(ws, float):
            weights.append(np.full(count, ws, np.float32))
        else:
            weights.append(np.asarray(ws, np.float32))
        pos = end
        if last:
            break
    arr = np.concatenate(deltas) if deltas else np.empty(0, np.int64)
    if len(starts) > 1:
        # Each block's deltas start from zero: continue the running sum across blocks.
        arr[np.array(starts[1:])] -= np.array(maxids[:-1], dtype=np.int64)
    ids = np.cumsum(arr).astype(np.int32)
    ws_all = np.concatenate(weights) if weights else np.empty(0, np.float32)
    if len(ws_all) != len(ids):
        return None
    return TermPostings(ids, ws_all, vals if values else None)


def _HEAD_BYTES(count: int) -> int:
    """At most how many bytes a block's pickled ids and weights take (protocol 2 or 3)."""
    return 3 + 5 * count + 6 + 9 * count + 6


_FLOATS = np.dtype([("op", "u1"), ("v", ">f8")])


def _ids_and_weights(raw: bytes, count: int, maxid: int) -> tuple[Any, Any] | None:
    """The delta-coded ids and the weights from the head of a block's pickle, or None.

    A block is ``pickle.dumps((ids, weights, values), 2)`` as Whoosh writes it, or the same
    with protocol 3 as ours does (postenc.Encoding: the same opcodes up to the values): PROTO,
    then the ids as a MARK-ed tuple of BININT1/BININT2/BININT, a memo put, then the weights
    (NONE, one BINFLOAT, or a MARK-ed tuple of BINFLOAT). Anything else (tiny blocks pickle
    their tuples without MARK) returns None and is unpickled whole.
    """
    if count <= 3 or len(raw) < 4 or raw[0] != 0x80 or raw[2] != 0x28:
        return None
    pos = 3
    ids: Any = [0] * count
    # The ids tuple is the pickle's first memoised object, so it ends with TUPLE, BINPUT 0
    # ("tq\x00"). Inside it those three bytes can only occur in a BININT delta of at least
    # 7,500,000 (segments hold far fewer documents), so the first occurrence ends the ids,
    # which are then unpickled in C; a count that does not add up takes the plain loop.
    end = raw.find(b"tq\x00", 3) if maxid < 7_000_000 else -1
    if end > 0:
        try:
            got = pickle.loads(raw[: end + 1] + b".")
        except Exception:  # noqa: BLE001 - not what it looked like: the plain loop
            got = None
        if isinstance(got, tuple) and len(got) == count:
            ids = got
            pos = end
    try:
        for i in range(count if pos == 3 else 0):
            op = raw[pos]
            if op == 0x4B:  # BININT1
                ids[i] = raw[pos + 1]
                pos += 2
            elif op == 0x4D:  # BININT2
                ids[i] = raw[pos + 1] | raw[pos + 2] << 8
                pos += 3
            elif op == 0x4A:  # BININT
                ids[i] = int.from_bytes(raw[pos + 1 : pos + 5], "little", signed=True)
                pos += 5
            else:
                return None
        if raw[pos] != 0x74:  # TUPLE
            return None
        op = raw[pos + 1]
        pos += 3 if op == 0x71 else 6 if op == 0x72 else 0  # BINPUT, LONG_BINPUT
        if op not in (0x71, 0x72):
            return None
        op = raw[pos]
        if op == 0x4E:  # NONE: every weight 1
            return ids, None
        if op == 0x47:  # one BINFLOAT: every weight the same
            return ids, float(np.frombuffer(raw, ">f8", 1, pos + 1)[0])
        end = pos + 1 + 9 * count
        if op != 0x28 or len(raw) <= end or raw[end] != 0x74:
            return None
        floats = np.frombuffer(raw, _FLOATS, count, pos + 1)
        if not (floats["op"] == 0x47).all():
            return None
        return ids, floats["v"]
    except IndexError:
        return None


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
        except Exception:
            log.debug("field lengths of %s the slow way", fieldname, exc_info=True)
    return np.array(
        [reader.doc_field_length(d, fieldname, 1) or 1 for d in range(n)], dtype=np.float32
    )


def numeric_column(reader: Any, name: str) -> np.ndarray:
    """A numeric column's raw (sortable) values for every document of a leaf reader."""
    n = int(reader.doc_count_all())
    if not reader.has_column(name):
        return np.zeros(n, dtype=np.uint64)
    raw = reader.column_reader(name, translate=False)
    if FAST_PATHS and isinstance(raw, columns.NumericColumn.Reader) and raw._typecode in "qQiIlL":
        # Unsigned columns stay unsigned: a DATETIME column's "no value" is 2**64 - 1.
        kind = np.uint64 if raw._typecode.isupper() else np.int64
        count = min(raw._count, n)
        data = np.frombuffer(
            raw._dbfile.get(raw._basepos, count * raw._fixedlen), dtype=">" + raw._typecode
        ).astype(kind)
        if count < n:
            data = np.concatenate([data, np.full(n - count, raw._default, dtype=kind)])
        return data
    values = [raw[d] for d in range(n)]
    unsigned = any(v > np.iinfo(np.int64).max for v in values)
    return np.array(values, dtype=np.uint64 if unsigned else np.int64)


def deleted_mask(reader: Any) -> np.ndarray | None:
    """True for each deleted document of a leaf reader; None when it has none."""
    if not reader.has_deletions():
        return None
    mask = np.zeros(int(reader.doc_count_all()), dtype=bool)
    deleted = np.fromiter(reader.deleted_docs_set, dtype=np.int64)
    mask[deleted[deleted < len(mask)]] = True
    return mask


@dataclass(slots=True)
class SegmentTerms:
    """A leaf segment's terms (``field NUL term`` keys, in the segment's key order) and all
    their postings back to back: term ``i`` owns ``counts[i]`` entries of ``ids`` (local
    document numbers, ascending, deleted documents included) and ``weights``."""

    fields: list[str]
    keys: list[bytes]
    counts: np.ndarray  # int64
    ids: np.ndarray  # int32
    weights: np.ndarray  # float32


_RECORD = struct.Struct("!ii")
_INFO_SIZE = struct.calcsize("!BfIBBfII")
_EXTENT = struct.Struct("!qi")


def read_segment_terms(reader: Any, fields: set[str]) -> SegmentTerms | None:
    """Every term of ``fields`` in a leaf segment with its postings, read in one pass over
    the segment's files; None where the fast path does not apply.

    Whoosh-Reloaded 2.7.5 writes a segment's terms as a hash file whose records (an 8-byte
    pair of lengths, the key: a 2-byte field number and the term, the value: the term's
    info) lie in key order before its hash tables; a posting list not inlined in its info is
    a chain of blocks in the postings file (see :func:`_read_w3`). The delta-coded ids of all
    the terms are summed by one numpy call at the end."""
    terms = getattr(reader, "_terms", None)
    if not FAST_PATHS or not isinstance(terms, _W3Terms):
        return None
    tindex = terms._tindex
    if type(tindex) is not _OrderedHash:
        return None
    unmap = terms._fieldunmap
    wanted = [name in fields for name in unmap]
    start, end = int(tindex.startofdata), int(tindex.endofdata)
    trm = tindex.dbfile.get(start, end - start)
    postfile = terms._postfile
    out_fields: list[str] = []
    keys: list[bytes] = []
    counts: list[int] = []
    deltas: list[int] = []
    w_parts: list[Any] = []
    pos, n = 0, len(trm)
    unpack_record, unpack_extent = _RECORD.unpack_from, _EXTENT.unpack_from
    while pos < n:
        klen, vlen = unpack_record(trm, pos)
        pos += 8
        fnum = trm[pos] << 8 | trm[pos + 1]
        if fnum >= len(wanted) or not wanted[fnum]:
            pos += klen + vlen
            continue
        name = unmap[fnum]
        key = name.encode("utf-8") + b"\x00" + trm[pos + 2 : pos + klen]
        pos += klen
        value = trm[pos : pos + vlen]
        pos += vlen
        out_fields.append(name)
        keys.append(key)
        counts.append(0)
        if value[0]:  # inlined: (ids, weights, values) pickled after the info
            ids, weights, _vals = pickle.loads(value[_INFO_SIZE:])
            counts[-1] = len(ids)
            if ids:
                # Absolute ids: as deltas from the term's start they sum to the same.
                deltas.append(ids[0])
                deltas.extend(b - a for a, b in zip(ids, ids[1:], strict=False))
                w_parts.append(
                    np.asarray(weights, np.float32) if weights else np.ones(len(ids), np.float32)
                )
        else:
            offset, length = unpack_extent(value, _INFO_SIZE)
            got = _blocks(postfile.get(offset, length), deltas, w_parts)
            if got is None:
                return None
            counts[-1] = got
    if pos != n or len(deltas) != sum(counts):
        return None
    count_arr = np.array(counts, dtype=np.int64)
    summed = np.cumsum(np.array(deltas, dtype=np.int64))
    ends = np.cumsum(count_arr)
    starts = ends - count_arr
    base = np.zeros(len(counts), np.int64)
    has = starts > 0
    base[has] = summed[starts[has] - 1]
    ids_all = (summed - np.repeat(base, count_arr)).astype(np.int32)
    weights_all = np.concatenate(w_parts) if w_parts else np.empty(0, np.float32)
    if len(weights_all) != len(ids_all):
        return None
    return SegmentTerms(out_fields, keys, count_arr, ids_all, weights_all.astype(np.float32))


def _blocks(buf: bytes, deltas: list[int], w_parts: list[Any]) -> int | None:
    """Decode one posting list's blocks: extend ``deltas`` (each block's first id made a
    delta from the block before) and ``w_parts``; the number of postings, or None."""
    if buf[:4] != _W3_MAGIC:
        return None
    stream = io.BytesIO(buf)
    pos, end_all = 4, len(buf)
    total = 0
    prev_max = 0
    while pos < end_all:
        length = int.from_bytes(buf[pos : pos + 4], "big", signed=True)
        pos += 4
        end = pos + abs(length)
        stream.seek(pos)
        count, maxid, _maxweight, comp = pickle.load(stream)[:4]
        raw = buf[stream.tell() : end]
        head = _HEAD_BYTES(count)
        part = zlib.decompressobj().decompress(raw, head) if comp else raw[:head]
        got = _ids_and_weights(part, count, maxid)
        if got is None:
            ids_d, ws, _vs = pickle.loads(zlib.decompress(raw) if comp else raw)
        else:
            ids_d, ws = got
        if len(ids_d) != count:
            return None
        first = len(deltas)
        deltas.extend(ids_d)
        deltas[first] -= prev_max
        prev_max = maxid
        if ws is None:
            w_parts.append(np.ones(count, np.float32))
        elif isinstance(ws, float):
            w_parts.append(np.full(count, ws, np.float32))
        else:
            w_parts.append(np.asarray(ws, np.float32))
        total += count
        pos = end
        if length < 0:
            break
    return total
