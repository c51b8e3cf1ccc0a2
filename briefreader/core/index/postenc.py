"""Whoosh-Reloaded 2.7.5's posting blocks and term infos, encoded a field at a time.

What ``W3PostingsWriter`` does a posting at a time (``add_posting``, ``_write_block``,
``finish_postings``) and ``W3TermInfo`` a block at a time, done here for a whole field's
terms at once: each term's blocks of up to ``blocklimit`` postings (delta-coded ids, float32
weights, values, pickled: see :class:`Encoding`), each block's info, and the term's packed
statistics. A field's postings come out as one run of bytes whose term offsets are relative
to its start, so that fields can be encoded apart (one in a helper process, see
:func:`encode_text_in_child`) and laid end to end by the writer (``segwriter.py``).

A text field's postings are grouped from its token arrays with numpy (:func:`text_postings`):
the Positions format's values, the weights Whoosh gives them, and each document's last
posting value, which Whoosh's writer gives to the document's spelling postings.
"""

from __future__ import annotations

import array
import contextlib
import zlib
from dataclasses import dataclass, field
from operator import sub
from pickle import dumps
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC as _W3_MAGIC
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.system import _INT_SIZE, pack_int, pack_long, pack_uint
from whoosh.util.numeric import length_to_byte

from briefreader.core import processes
from briefreader.core.index.positions import CompactPositions, encode_runs

#: A term's postings: document numbers (ascending), weights and values, side by side.
Postings = tuple[list[int], list[Any], list[bytes]]
#: A one-position posting's value starts with its count, 1 (``Positions.encode``).
_ONE = pack_uint(1)
#: Weights as float32 gives them back (Whoosh keeps a block's weights in an array of "f"), by
#: weight as given: a field's weights are a few small numbers, each converted once.
_float32: dict[Any, float] = {}
#: A block's (least, greatest) length bytes when no document of it has a length.
_NO_LENGTHS = (length_to_byte(None), length_to_byte(0))
#: W3TermInfo's packed statistics (flags, total weight, document frequency, shortest and
#: longest length bytes, highest weight, first and last document).
_TERMINFO = W3TermInfo._struct
#: A term info's extent (offset, length) is this many bytes at its end.
_EXTENT = 12


@dataclass(slots=True)
class Encoding:
    """How blocks are made: postings a block, zlib's level, the pickled size from which a
    block is compressed, the format's fixed value size, and the pickle protocol of a
    block's postings (its head is always pickled as Whoosh pickles it, protocol 2).

    Whoosh pickles the postings with protocol 2, which has no opcode for bytes: each posting's
    value (its positions) is written as a call to ``codecs.encode`` of a latin-1 string, and
    read back by one. Protocol 3 writes bytes as bytes, the ids and weights with the same
    opcodes as protocol 2 (so ``fast.py`` still reads them from a block's head), and any
    Whoosh reads it: a block of 128 postings pickles in a tenth of the time, is unpickled
    nine times as fast and is a third of the size."""

    limit: int
    level: int
    small: int
    fixed: int | None
    protocol: int = 3


@dataclass(slots=True)
class EncodedField:
    """A field's postings as bytes (``blob``) and each term's row for the terms table:
    (term bytes, term info without its extent, offset in ``blob``, size). With ``keep``,
    also each term's postings for the term file (termfile.py): counts, ids, weights."""

    blob: bytes = b""
    rows: list[tuple[bytes, bytes, int, int]] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    ids: array.array[int] = field(default_factory=lambda: array.array("i"))
    weights: array.array[float] = field(default_factory=lambda: array.array("f"))

    def extend(self, more: EncodedField, pieces: list[bytes], size: int) -> int:
        """Append ``more``'s rows (its bytes go to ``pieces``, after ``size`` bytes); the
        new size."""
        self.rows.extend((b, h, size + o, n) for b, h, o, n in more.rows)
        self.counts.extend(more.counts)
        self.ids.extend(more.ids)
        self.weights.extend(more.weights)
        pieces.append(more.blob)
        return size + len(more.blob)

    def infos(self, base: int) -> list[bytes]:
        """Every row's term info in order, the field's postings ``base`` bytes into the
        postings file."""
        return [
            head + pack_long(base + offset) + pack_int(size)
            for _btext, head, offset, size in self.rows
        ]


def encode_field(items: list[tuple[bytes, Postings]], lengths: dict[int, int], how: Encoding,
                 keep: bool) -> EncodedField:  # fmt: skip
    """Encode a field's terms (by bytes, each with its postings) as Whoosh writes them;
    ``lengths``: each document's field length as the lengths column gives it back."""
    limit, level, small, fixed, protocol = how.limit, how.level, how.small, how.fixed, how.protocol
    out = EncodedField()
    rows = out.rows
    pieces: list[bytes] = []
    offset = 0
    f32 = _float32
    for btext, (ids_all, weights_all, values_all) in items:
        n = len(ids_all)
        if keep:
            out.counts.append(n)
        if n == 1:
            # One posting (58 % of the benchmark folder's terms: every spelling word and
            # copy key, most dates): the block below with every count and sum done by hand.
            doc = ids_all[0]
            weight = f32.get(weights_all[0])
            if weight is None:
                weight = array.array("f", weights_all)[0]
                if len(f32) < 4096:
                    f32[weights_all[0]] = weight
            value = values_all[0]
            if keep:
                out.ids.append(doc)
                out.weights.append(weight)
            known = lengths.get(doc) if lengths else None
            if known:
                minbyte = maxbyte = length_to_byte(known)
            else:
                minbyte, maxbyte = _NO_LENGTHS
            one_v: Any
            if fixed is None or fixed < 0:
                one_v = (value,) if value else ()
            elif fixed == 0:
                one_v = None
            else:
                one_v = value or b""
            data = dumps(((doc,), None if weight == 1.0 else weight, one_v), protocol)
            comp = level if level and len(data) >= small else 0
            if comp:
                data = zlib.compress(data, comp)
            top = weights_all[0]  # as given, not as float32: Whoosh's max() of the list
            maxweight = top if top > 0 else 0
            head = dumps((1, doc, maxweight, comp, minbyte, maxbyte), 2)
            piece = _W3_MAGIC + pack_int(-(len(head) + len(data))) + head + data
            pieces.append(piece)
            size = len(piece)
            info = _TERMINFO.pack(0, 0 + weight, 1, minbyte, maxbyte, maxweight, doc, doc)
            rows.append((btext, info, offset, size))
            offset += size
            continue
        if n <= limit:
            # One block, the common case, without the objects Whoosh's writer goes
            # through: the same block and the same term info, packed here.
            warr = array.array("f", weights_all)
            if keep:
                out.ids.extend(ids_all)
                out.weights.extend(warr)
            top = max(weights_all)
            maxweight = top if top > 0 else 0
            minlength: int | None = None
            maxlength = 0
            if lengths:
                got = list(filter(None, map(lengths.get, ids_all)))
                if got:
                    minlength = min(got)
                    maxlength = max(got)
            if warr.count(1.0) == n:
                mini_w: Any = None
            elif warr.count(warr[0]) == n:
                mini_w = warr[0]
            else:
                mini_w = tuple(warr)
            if fixed is None or fixed < 0:
                mini_v: Any = tuple(filter(None, values_all))
            elif fixed == 0:
                mini_v = None
            else:
                mini_v = b"".join(filter(None, values_all))
            data = dumps(((ids_all[0], *map(sub, ids_all[1:], ids_all)), mini_w, mini_v), protocol)
            comp = level if level and len(data) >= small else 0
            if comp:
                data = zlib.compress(data, comp)
            minbyte = length_to_byte(minlength)
            maxbyte = length_to_byte(maxlength)
            head = dumps((n, ids_all[-1], maxweight, comp, minbyte, maxbyte), 2)
            piece = _W3_MAGIC + pack_int(-(len(head) + len(data))) + head + data
            pieces.append(piece)
            size = len(piece)
            info = _TERMINFO.pack(
                0, 0 + sum(warr), n, minbyte, maxbyte, maxweight, ids_all[0], ids_all[-1]
            )
            rows.append((btext, info, offset, size))
            offset += size
            continue
        tinfo = W3TermInfo()
        size = len(_W3_MAGIC)
        pieces.append(_W3_MAGIC)
        for start in range(0, n, limit):
            end = start + limit
            block = _Block(
                ids_all[start:end], weights_all[start:end], values_all[start:end], lengths
            )
            tinfo.add_block(block)
            if keep:
                out.ids.extend(block.ids)
                out.weights.extend(block._weights)
            data = dumps(
                (block.mini_ids(), block.mini_weights(), block.mini_values(fixed)), protocol
            )
            comp = level if level and len(data) >= small else 0
            if comp:
                data = zlib.compress(data, comp)
            head = dumps(block.info(comp), 2)
            blocklength = len(head) + len(data)
            if start + limit >= n:
                blocklength = -blocklength  # the last block
            pieces += (pack_int(blocklength), head, data)
            size += 4 + len(head) + len(data)
        tinfo.set_extent(0, size)
        rows.append((btext, tinfo.to_bytes()[:-_EXTENT], offset, size))
        offset += size
    out.blob = b"".join(pieces)
    return out


class _Block:
    """One block of a term's postings, with what ``W3TermInfo.add_block`` and the block's
    info ask of Whoosh's buffer (``add_posting``'s rules: float32 weights, the first
    highest weight, only non-empty values, only non-zero lengths)."""

    __slots__ = ("_weights", "ids", "maxlength", "maxweight", "minlength", "values")

    def __init__(self, ids: list[int], weights: list[Any], values: list[bytes],
                 lengths: dict[int, int]) -> None:  # fmt: skip
        self.ids = ids
        self._weights = array.array("f", weights)
        self.values = list(filter(None, values))
        top = max(weights)
        self.maxweight = top if top > 0 else 0
        self.minlength: int | None = None
        self.maxlength = 0
        if lengths:
            got = list(filter(None, map(lengths.get, ids)))
            if got:
                self.minlength = min(got)
                self.maxlength = max(got)

    def __len__(self) -> int:
        return len(self.ids)

    def min_id(self) -> int:
        return self.ids[0]

    def max_id(self) -> int:
        return self.ids[-1]

    def min_length(self) -> int | None:
        return self.minlength

    def max_length(self) -> int:
        return self.maxlength

    def max_weight(self) -> Any:
        return self.maxweight

    def mini_ids(self) -> tuple[int, ...]:
        ids = self.ids
        return (ids[0], *map(sub, ids[1:], ids))

    def mini_weights(self) -> Any:
        weights = self._weights
        n = len(weights)
        if weights.count(1.0) == n:
            return None
        first = weights[0]
        if weights.count(first) == n:
            return first
        return tuple(weights)

    def mini_values(self, fixed: int | None) -> Any:
        if fixed is None or fixed < 0:
            return tuple(self.values)
        if fixed == 0:
            return None
        return b"".join(self.values)

    def info(self, comp: int) -> tuple[Any, ...]:
        return (
            len(self.ids), self.ids[-1], self.maxweight, comp,
            length_to_byte(self.minlength), length_to_byte(self.maxlength),
        )  # fmt: skip


# -- text fields ------------------------------------------------------------------------------


#: A text field's postings by word, and each document's last posting value.
TextPostings = tuple[dict[str, Postings], dict[int, bytes]]


def text_postings(tid: np.ndarray, doc: np.ndarray, pos: np.ndarray, words: list[str],
                  fmt: Any, ones: dict[int, bytes]) -> TextPostings:  # fmt: skip
    """A text field's postings from its tokens (index word number into ``words``, document,
    position; documents ascending, positions ascending in each) and each document's last
    posting value in Whoosh's order (the word first met last). ``ones`` caches the values
    of one-position postings' tails."""
    order = np.argsort(tid, kind="stable")  # documents and positions stay ascending
    t = tid[order]
    d = doc[order]
    p = pos[order]
    cut = np.flatnonzero((t[1:] != t[:-1]) | (d[1:] != d[:-1])) + 1
    starts = np.concatenate(([0], cut))
    ends = np.concatenate((cut, [len(t)]))
    freq = ends - starts
    post_t, post_d, post_p = t[starts], d[starts], p[starts]
    values = _values(fmt, ones, freq, post_p, p, starts, ends)
    # Whoosh multiplies the frequency by the format's boost, then by the field's (1.0).
    weights = (freq.astype(np.float64) * fmt.field_boost * 1.0).tolist()
    ids = post_d.tolist()
    by_doc = np.lexsort((post_p, post_d))
    docs_sorted = post_d[by_doc]
    last = np.flatnonzero(np.concatenate((docs_sorted[1:] != docs_sorted[:-1], [True])))
    last_values = {
        d_: values[i]
        for d_, i in zip(docs_sorted[last].tolist(), by_doc[last].tolist(), strict=True)
    }
    tcut = np.flatnonzero(post_t[1:] != post_t[:-1]) + 1
    tstarts = np.concatenate(([0], tcut)).tolist()
    tends = np.concatenate((tcut, [len(post_t)])).tolist()
    terms: dict[str, Postings] = {}
    for term, a, b in zip(post_t[tstarts].tolist(), tstarts, tends, strict=True):
        terms[words[term]] = (ids[a:b], weights[a:b], values[a:b])
    return terms, last_values


def last_values(tid: np.ndarray, doc: np.ndarray, pos: np.ndarray, fmt: Any) -> dict[int, bytes]:
    """Each document's last posting value of a text field, from its tokens, as
    :func:`text_postings` gives it: the positions of the word first met last, encoded."""
    order = np.lexsort((pos, tid, doc))  # by document, word, position
    d, t, p = doc[order], tid[order], pos[order]
    cut = np.flatnonzero((d[1:] != d[:-1]) | (t[1:] != t[:-1])) + 1
    starts = np.concatenate(([0], cut))
    ends = np.concatenate((cut, [len(d)]))
    run_doc, run_first = d[starts], p[starts]
    by_first = np.lexsort((run_first, run_doc))
    docs_sorted = run_doc[by_first]
    last = by_first[np.flatnonzero(np.concatenate((docs_sorted[1:] != docs_sorted[:-1], [True])))]
    plist = p.tolist()
    encode = fmt.encode
    return {
        doc_: encode(plist[a:b])
        for doc_, a, b in zip(
            run_doc[last].tolist(), starts[last].tolist(), ends[last].tolist(), strict=True
        )
    }


def distinct_numbers(numbers: np.ndarray) -> np.ndarray:
    """The distinct values of an array of word numbers, ascending: counted, not sorted (a
    segment's words are a few hundred thousand at most, its tokens millions)."""
    return np.flatnonzero(np.bincount(numbers)) if len(numbers) else np.empty(0, np.int64)


def stable_order(values: np.ndarray, bound: int) -> np.ndarray:
    """``np.argsort(values, kind="stable")`` of non-negative integers below ``bound``, sorted
    as the narrowest type that holds them: numpy sorts 16-bit integers by radix, in one pass
    a byte (a segment's 1.7 million article tokens by their 21,000 words: 0.27 -> 0.05 s)."""
    if bound <= 1 << 16:
        return np.argsort(values.astype(np.uint16, copy=False), kind="stable")
    if bound <= 1 << 31:
        return np.argsort(values.astype(np.int32, copy=False), kind="stable")
    return np.argsort(values, kind="stable")


#: Postings made into Python objects at a time when a text field is encoded (bounds the
#: memory of a commit: a posting as Python objects is a hundred bytes and more).
CHUNK_POSTINGS = 200_000


def encode_text_field(tid: np.ndarray, doc: np.ndarray, pos: np.ndarray, words: list[str],
                      fmt: Any, lengths: dict[int, int], how: Encoding, keep: bool,
                      ones: dict[int, bytes] | None = None) -> EncodedField:  # fmt: skip
    """A text field's postings encoded straight from its tokens (what :func:`text_postings`
    then :func:`encode_field` give), a chunk of words at a time: the tokens sorted by their
    word's bytes, so that each chunk is one run of them, made into postings, encoded and let
    go before the next."""
    ones = {} if ones is None else ones
    chunk = CHUNK_POSTINGS
    present = distinct_numbers(tid)
    keys = [words[i].encode("utf-8") for i in present.tolist()]
    by_bytes = sorted(range(len(keys)), key=keys.__getitem__)
    rank = np.zeros(int(present[-1]) + 1 if len(present) else 0, dtype=np.int64)
    rank[present[by_bytes]] = np.arange(len(by_bytes))
    ranked = rank[tid]
    order = stable_order(ranked, len(by_bytes))  # documents and positions stay ascending
    r, d, p = ranked[order], doc[order], pos[order]
    del ranked
    cut = np.flatnonzero((r[1:] != r[:-1]) | (d[1:] != d[:-1])) + 1
    starts = np.concatenate(([0], cut))
    ends = np.concatenate((cut, [len(r)]))
    post_r = r[starts]
    tcut = np.flatnonzero(post_r[1:] != post_r[:-1]) + 1
    tstarts = np.concatenate(([0], tcut))
    tends = np.concatenate((tcut, [len(post_r)]))
    sorted_keys = [keys[i] for i in by_bytes]
    out = EncodedField()
    pieces: list[bytes] = []
    size = 0
    first_term = 0
    n_terms = len(tstarts)
    while first_term < n_terms:
        # Whole words only, at least one, up to ``chunk`` postings.
        last_term = int(np.searchsorted(tstarts, tstarts[first_term] + chunk, side="right"))
        last_term = max(last_term, first_term + 1)
        a, b = int(tstarts[first_term]), int(tends[last_term - 1])
        ta, tb = int(starts[a]), int(ends[b - 1])
        part_starts, part_ends = starts[a:b] - ta, ends[a:b] - ta
        freq = part_ends - part_starts
        part_p = p[ta:tb]
        values = _values(fmt, ones, freq, part_p[part_starts], part_p, part_starts, part_ends)
        weights = (freq.astype(np.float64) * fmt.field_boost * 1.0).tolist()
        ids = d[starts[a:b]].tolist()
        items: list[tuple[bytes, Postings]] = []
        for t in range(first_term, last_term):
            x, y = int(tstarts[t]) - a, int(tends[t]) - a
            items.append((sorted_keys[t], (ids[x:y], weights[x:y], values[x:y])))
        size = out.extend(encode_field(items, lengths, how, keep), pieces, size)
        first_term = last_term
    out.blob = b"".join(pieces)
    return out


def _values(fmt: Any, ones: dict[int, bytes], freq: np.ndarray, first: np.ndarray,
            pos: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> list[bytes]:  # fmt: skip
    """Each posting's value: ``fmt.encode`` of its positions (a new bytes object each, as
    Whoosh encodes each posting anew: pickle writes an object met twice in a block as a
    reference). The compact format's are made all at once (``positions.encode_runs``)."""
    if isinstance(fmt, CompactPositions):
        return encode_runs(pos, starts, ends)
    encode = fmt.encode
    values: list[bytes] = [b""] * len(freq)
    single = freq == 1
    firsts = first[single].tolist()
    for p in set(firsts).difference(ones):
        ones[p] = encode([p])[_INT_SIZE:]
    one = _ONE
    for i, p in zip(np.flatnonzero(single).tolist(), firsts, strict=True):
        values[i] = one + ones[p]
    many = np.flatnonzero(~single)
    if len(many):
        plist = pos.tolist()
        for i, a, b in zip(many.tolist(), starts[many].tolist(), ends[many].tolist(),
                           strict=True):  # fmt: skip
            values[i] = encode(plist[a:b])
    return values


@dataclass(slots=True)
class TextJob:
    """A text field to group and encode elsewhere: its tokens' arrays, its
    words, its format, its documents' lengths, how to encode, whether the term file wants
    it, and the key prefix of its terms."""

    tid: np.ndarray
    doc: np.ndarray
    pos: np.ndarray
    words: list[str]
    fmt: Any
    lengths: dict[int, int]
    how: Encoding
    keep: bool


def encode_text(job: TextJob) -> EncodedField:
    """The field's encoded postings (:func:`encode_text_field`)."""
    return encode_text_field(
        job.tid,
        job.doc,
        job.pos,
        job.words,
        job.fmt,
        job.lengths,
        job.how,
        job.keep,
    )


def encode_text_in_child(conn: Any, job: TextJob) -> None:
    """A helper process's life: encode ``job`` and send back what :func:`encode_text`
    gives, or the exception (the writer then encodes the field itself)."""
    processes.die_with_parent()
    try:
        got: Any = encode_text(job)
    except Exception as exc:  # noqa: BLE001 - sent back, the parent decides
        got = exc
    with contextlib.suppress(OSError):
        conn.send(got)
        conn.close()
