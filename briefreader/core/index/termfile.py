"""A segment's terms and postings as flat arrays on disk, memory-mapped: a term is a slice.

Whoosh keeps a segment's terms in a hash file and each posting list as pickled blocks, so
reading a term costs a hash-table walk and a decode in Python, per term and per segment:
most of a long question's time at 100,000 briefs (a dozen segments, a hundred terms). A
segment never changes once written, so its terms can be laid out once more, the way the
array evaluator reads them:

- ``hashes``: a 64-bit hash of each term's key (field name, NUL, term bytes), ascending;
- ``kpos`` / ``keys``: each term's key bytes (hash collisions are settled by comparing them);
- ``ppos`` / ``ids`` / ``weights``: each term's postings (segment-local document numbers,
  ascending, deleted documents included; weights as Whoosh stores them);
- ``fptr`` / ``frow`` / ``ffreq``: each document's words (see ``_forward``);
- ``phash`` / ``pptr`` / ``pids``: each pair of neighbouring index words of a text field
  (as the analyzer numbers positions, stop words taken out) and the documents holding it,
  so that a two-word phrase is one posting list with no positions read. A pair is known by
  a 64-bit mix of its two words' key hashes (:func:`pair_hashes`), never by its bytes: the
  pairs are most of a segment's distinct terms, and Whoosh kept as a field they made the
  index seven times its size (schema 8).

A term's lookup is one ``searchsorted``; its postings are views of the mapped file (read
through the page cache, shared between processes, not counted in any private memory). The
file is written beside the index (``arrays/<segment id>.terms``, atomically) after the commit
that made the segment, and removed with it. Without one, a segment is read Whoosh's way.
"""

from __future__ import annotations

import array
import contextlib
import hashlib
import json
import logging
import mmap
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from briefreader.core import processes
from briefreader.core.index import fast
from briefreader.core.index.postenc import distinct_numbers, stable_order
from briefreader.core.index.schema import analysed_terms
from briefreader.core.search.ranking import FIELD_BOOSTS, TEXT_FIELDS

#: The fields whose words each document's forward run lists, with the boost their weights
#: carry (a posting's weight is the word's frequency times the field's boost).
FORWARD_FIELDS = {f: float(FIELD_BOOSTS.get(f, 1.0)) or 1.0 for f in TEXT_FIELDS}

log = logging.getLogger(__name__)

MAGIC = b"BRTERMS1"
#: Bumped when the layout changes: files of another version are made again.
#: 3: the word-pair table. 4: each document's exact length in the scored fields.
VERSION = 4
_EMPTY_IDS = np.empty(0, np.int32)
_EMPTY_WEIGHTS = np.empty(0, np.float32)


def term_key(fieldname: str, btext: bytes) -> bytes:
    return fieldname.encode("utf-8") + b"\x00" + btext


def key_hash(key: bytes) -> int:
    """A 64-bit hash stable across processes and runs (Python's ``hash`` is not)."""
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "little")


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def pair_hashes(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The pair (first word, second word) of each position, from the two words' key hashes
    (uint64 arrays): the first scaled, the second added, then SplitMix64's finaliser, all
    modulo 2**64. Order matters ("oil field" is not "field oil")."""
    z = first.astype(np.uint64) * _GOLDEN + second.astype(np.uint64)
    z ^= z >> np.uint64(30)
    z *= _MIX1
    z ^= z >> np.uint64(27)
    z *= _MIX2
    z ^= z >> np.uint64(31)
    return z


def pair_hash(fieldname: str, first: str, second: str) -> int:
    """The hash a two-word phrase's pair is kept under in ``fieldname``'s pair table."""
    a = key_hash(term_key(fieldname, first.encode("utf-8")))
    b = key_hash(term_key(fieldname, second.encode("utf-8")))
    return int(pair_hashes(np.array([a], np.uint64), np.array([b], np.uint64))[0])


def folder_of(index_folder: Path) -> Path:
    return Path(index_folder) / "arrays"


def path_for(index_folder: Path, segment_id: str) -> Path:
    return folder_of(index_folder) / f"{segment_id}.terms"


# -- writing ------------------------------------------------------------------------------


def fields_of(schema: Any) -> set[str]:
    """The fields a term file holds: those a query can name, not the spelling-suggestion
    fields (a quarter of the terms, never evaluated) nor numeric ones (ranges read the
    date column)."""
    from whoosh import fields as wf

    return {
        name
        for name, field in schema.items()
        if not name.startswith("spell_") and not isinstance(field, wf.NUMERIC)
    }


def write(reader: Any, path: Path) -> bool:
    """Lay out a leaf reader's terms as a term file at ``path``; False if the segment's
    format is not one the fast path reads (then there is no file, and no harm)."""
    fields = fields_of(reader.schema)
    got = fast.read_segment_terms(reader, fields)
    if got is None:
        return False
    write_terms(path, got, int(reader.doc_count_all()), _pairs(reader), fields)
    return True


def write_terms(
    path: Path, got: fast.SegmentTerms, doc_count: int, pairs: dict[str, np.ndarray],
    fields: set[str],
) -> None:  # fmt: skip
    """Lay out a segment's terms (``got``, in the segment's key order), its document count
    and its word pairs (:func:`_pairs` or :class:`PairCollector`) as a term file."""
    digest = hashlib.blake2b
    hash_arr = np.fromiter(
        (int.from_bytes(digest(k, digest_size=8).digest(), "little") for k in got.keys),
        dtype=np.uint64,
        count=len(got.keys),
    )
    order = np.argsort(hash_arr, kind="stable")
    idx = order.tolist()
    sorted_keys = [got.keys[i] for i in idx]
    kpos = np.zeros(len(idx) + 1, np.int64)
    np.cumsum([len(k) for k in sorted_keys], out=kpos[1:])
    counts = got.counts[order]
    ppos = np.zeros(len(idx) + 1, np.int64)
    np.cumsum(counts, out=ppos[1:])
    # Postings in hash order: each term's run of the key-ordered arrays, gathered at once.
    starts = (np.cumsum(got.counts) - got.counts)[order]
    gather = np.repeat(starts - ppos[:-1], counts) + np.arange(int(ppos[-1]), dtype=np.int64)
    arrays: dict[str, np.ndarray] = {
        "hashes": hash_arr[order],
        "kpos": kpos,
        "keys": np.frombuffer(b"".join(sorted_keys), dtype=np.uint8),
        "ppos": ppos,
        "ids": got.ids[gather],
        "weights": got.weights[gather],
    }
    arrays.update(_forward(doc_count, got, order, arrays["ids"], arrays["weights"], counts))
    for name in LENGTH_FIELDS:
        arrays[f"len_{name}"] = field_lengths(
            arrays["keys"], kpos, ppos, arrays["ids"], arrays["weights"], name, doc_count
        )
    arrays.update(pairs)
    _save(path, arrays, sorted(fields))


#: The fields whose documents' exact lengths a term file keeps (``len_<field>``): what BM25
#: reads. Whoosh keeps a length in one byte (steps of about 3.5 % past ten words); the team
#: archive counts words exactly, and a brief must score alike on both.
LENGTH_FIELDS = (*TEXT_FIELDS, "actors")


def field_lengths(
    keys: np.ndarray,
    kpos: np.ndarray,
    ppos: np.ndarray,
    ids: np.ndarray,
    weights: np.ndarray,
    fieldname: str,
    n: int,
) -> np.ndarray:
    """Each of ``n`` documents' length in ``fieldname``: its postings' weights summed (how
    often each word occurs, times the field's boost, taken back out)."""
    rows = len(kpos) - 1
    if rows <= 0 or not len(keys):
        return np.zeros(n, np.float32)
    head = np.frombuffer(fieldname.encode("utf-8") + b"\0", np.uint8)
    starts = kpos[:-1]
    ok = (kpos[1:] - starts) > len(head)
    last = len(keys) - 1
    for j, byte in enumerate(head.tolist()):
        ok &= keys[np.minimum(starts + j, last)] == byte
    of_field = np.repeat(ok, np.diff(ppos))
    boost = float(FIELD_BOOSTS.get(fieldname, 1.0)) or 1.0
    counts = np.rint(weights[of_field].astype(np.float64) / boost)
    return np.bincount(ids[of_field], weights=counts, minlength=n)[:n].astype(np.float32)


#: Documents analysed at a time for the pair table (bounds the writer's memory).
_PAIR_CHUNK = 2_000


def _pairs(reader: Any) -> dict[str, np.ndarray]:
    """Each text field's pairs of neighbouring words and the documents holding them, read
    from the stored text with the index's own analysis (``analysed_terms``): ``phash``
    ascending, document ``pids[pptr[i]:pptr[i + 1]]`` ascending for pair ``i``."""
    n = int(reader.doc_count_all())
    word_hash: dict[tuple[str, str], int] = {}
    parts_h: list[np.ndarray] = []
    parts_d: list[np.ndarray] = []
    for start in range(0, n, _PAIR_CHUNK):
        firsts = array.array("Q")
        seconds = array.array("Q")
        docs = array.array("i")
        for doc in range(start, min(n, start + _PAIR_CHUNK)):
            try:
                stored = reader.stored_fields(doc) or {}
            except Exception:  # noqa: BLE001 - a document Whoosh cannot give: no pairs
                continue
            for field in TEXT_FIELDS:
                text = stored.get(field)
                if not text:
                    continue
                prev = -1
                for term in analysed_terms(str(text)):
                    h = word_hash.get((field, term))
                    if h is None:
                        h = word_hash[(field, term)] = key_hash(
                            term_key(field, term.encode("utf-8"))
                        )
                    if prev >= 0:
                        firsts.append(prev)
                        seconds.append(h)
                        docs.append(doc)
                    prev = h
        if not docs:
            continue
        h_arr, d_arr = _pair_chunk(
            np.frombuffer(firsts, dtype=np.uint64),
            np.frombuffer(seconds, dtype=np.uint64),
            np.frombuffer(docs, dtype=np.int32),
        )
        parts_h.append(h_arr)
        parts_d.append(d_arr)
    return _pair_table(parts_h, parts_d)


def _pair_table(parts_h: list[np.ndarray], parts_d: list[np.ndarray]) -> dict[str, np.ndarray]:
    """The pair table from chunks of (pair hash, document), each chunk sorted by both and
    free of repeats, the chunks in document order and no document in two chunks."""
    if not parts_h:
        return {
            "phash": np.empty(0, np.uint64),
            "pptr": np.zeros(1, np.int64),
            "pids": np.empty(0, np.int32),
        }
    h_all = np.concatenate(parts_h)
    d_all = np.concatenate(parts_d)
    del parts_h[:], parts_d[:]
    # Chunks come in document order, each sorted by (pair, document): a stable sort by pair
    # leaves each pair's documents ascending.
    order = np.argsort(h_all, kind="stable")
    h_all = h_all[order]
    d_all = d_all[order]
    del order
    starts = np.flatnonzero(np.concatenate(([True], h_all[1:] != h_all[:-1])))
    pptr = np.empty(len(starts) + 1, np.int64)
    pptr[:-1] = starts
    pptr[-1] = len(h_all)
    return {"phash": h_all[starts], "pptr": pptr, "pids": d_all}


def _pair_chunk(
    firsts: np.ndarray, seconds: np.ndarray, docs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One chunk's (pair hash, document), sorted by both, repeats taken out."""
    h_arr = pair_hashes(firsts, seconds)
    order = np.lexsort((docs, h_arr))
    h_arr, d_arr = h_arr[order], docs[order]
    keep = np.ones(len(h_arr), bool)
    keep[1:] = (h_arr[1:] != h_arr[:-1]) | (d_arr[1:] != d_arr[:-1])
    return h_arr[keep], d_arr[keep]


#: Word pairs a collector holds before sorting them into a chunk (bounds its memory).
_PAIRS_HELD = 1_000_000


class PairCollector:
    """The pair table of a segment being written, from each text field's index words in
    order as the writer analyses them (what :func:`_pairs` reads back from the stored text
    otherwise). The words come as numbers into a list of words the writer keeps; each
    field's key hashes are made once a word, when a chunk is sorted."""

    def __init__(self) -> None:
        self._fields: dict[str, tuple[array.array[int], array.array[int], array.array[int]]] = {}
        self._words: dict[str, list[str]] = {}
        self._hashes: dict[str, np.ndarray] = {}
        self._held = 0
        self._known: dict[str, set[int]] = {}
        self._last_doc = -1
        self._parts_h: list[np.ndarray] = []
        self._parts_d: list[np.ndarray] = []

    def add(self, docnum: int, field: str, numbers: array.array[int], words: list[str]) -> None:
        """The index words of ``field`` in document ``docnum``, in order, as numbers into
        ``words`` (the same list every call for a field, growing)."""
        if field not in TEXT_FIELDS or len(numbers) < 2:
            return
        if docnum != self._last_doc:
            # A chunk ends between documents, never inside one (see _pair_table).
            if self._held >= _PAIRS_HELD:
                self._fold()
            self._last_doc = docnum
        got = self._fields.get(field)
        if got is None:
            got = self._fields[field] = (array.array("i"), array.array("i"), array.array("i"))
            self._words[field] = words
        firsts, seconds, docs = got
        n = len(numbers) - 1
        firsts.extend(numbers[:-1])
        seconds.extend(numbers[1:])
        docs.extend(array.array("i", (docnum,)) * n)
        self._held += n

    def _field_hashes(self, field: str, wanted: np.ndarray) -> np.ndarray:
        """Key hashes of ``field``'s words by number, made for the numbers ``wanted``."""
        words = self._words[field]
        have = self._hashes.get(field)
        if have is None or len(have) < len(words):
            grown = np.zeros(len(words), np.uint64)
            if have is not None:
                grown[: len(have)] = have
            have = self._hashes[field] = grown
        known = self._known.setdefault(field, set())
        todo = [i for i in distinct_numbers(wanted).tolist() if i not in known]
        if todo:
            prefix = field.encode("utf-8") + b"\x00"
            digest = hashlib.blake2b
            have[todo] = [
                int.from_bytes(digest(prefix + words[i].encode("utf-8"), digest_size=8).digest(),
                               "little")
                for i in todo
            ]  # fmt: skip
            known.update(todo)
        return have

    def _fold(self) -> None:
        if not self._held:
            return
        hs_first, hs_second, ds = [], [], []
        for field, (firsts, seconds, docs) in self._fields.items():
            if not len(docs):
                continue
            f = np.frombuffer(firsts, dtype=np.int32)
            g = np.frombuffer(seconds, dtype=np.int32)
            hashes = self._field_hashes(field, np.concatenate((f, g)))
            hs_first.append(hashes[f])
            hs_second.append(hashes[g])
            ds.append(np.frombuffer(docs, dtype=np.int32).copy())
        self._fields = {}
        self._held = 0
        if not ds:
            return
        h, d = _pair_chunk(np.concatenate(hs_first), np.concatenate(hs_second), np.concatenate(ds))
        self._parts_h.append(h)
        self._parts_d.append(d)

    def table(self) -> dict[str, np.ndarray]:
        """The ``phash`` / ``pptr`` / ``pids`` arrays of everything added."""
        self._fold()
        return _pair_table(self._parts_h, self._parts_d)


def _forward(
    n: int,
    got: fast.SegmentTerms,
    order: np.ndarray,
    ids: np.ndarray,
    weights: np.ndarray,
    counts: np.ndarray,
) -> dict[str, np.ndarray]:
    """The text fields' postings turned round, document by document (``fptr``: where each
    document's run starts in ``frow``, the term rows, and ``ffreq``, how often each occurs,
    the field's boost taken back out of the weight): the words of a brief without reading
    and analysing its text again (the feedback step reads ten briefs per question)."""
    boosts = np.array([FORWARD_FIELDS.get(f, 0.0) for f in got.fields], np.float64)[order]
    term_rows = np.repeat(np.arange(len(order), dtype=np.int32), counts)
    boost_of = np.repeat(boosts, counts)
    keep = boost_of > 0
    docs = ids[keep]
    by_doc = stable_order(docs, n)
    fptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(docs, minlength=n)[:n], out=fptr[1:])
    return {
        "fptr": fptr,
        "frow": term_rows[keep][by_doc],
        "ffreq": (weights[keep] / boost_of[keep]).astype(np.float32)[by_doc],
    }


def _save(path: Path, arrays: dict[str, np.ndarray], fields: list[str]) -> None:
    """Header (magic, JSON length, JSON table of arrays) then each array 8-byte aligned;
    written to a temporary name, flushed, and renamed over ``path``."""
    table: dict[str, list[Any]] = {}
    offset = 0
    for name, arr in arrays.items():
        table[name] = [arr.dtype.str, offset, len(arr)]
        offset += -(-arr.nbytes // 8) * 8
    head = json.dumps({"version": VERSION, "fields": fields, "arrays": table}).encode()
    head += b" " * (-(len(MAGIC) + 8 + len(head)) % 8)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(MAGIC + len(head).to_bytes(8, "little") + head)
            for arr in arrays.values():
                data = np.ascontiguousarray(arr).tobytes()
                fh.write(data + b"\x00" * (-len(data) % 8))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


# -- reading ------------------------------------------------------------------------------


class TermFile:
    """A mapped term file. Raises ValueError when the file is not one (a damaged or foreign
    file is then made again, never trusted)."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as fh:
            self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        buf = self._map
        if buf[: len(MAGIC)] != MAGIC:
            raise ValueError(f"{path.name}: not a term file")
        hlen = int.from_bytes(buf[len(MAGIC) : len(MAGIC) + 8], "little")
        base = len(MAGIC) + 8 + hlen
        try:
            head = json.loads(bytes(buf[len(MAGIC) + 8 : base]))
            if head.get("version") != VERSION:
                raise ValueError(f"{path.name}: term file version {head.get('version')}")
            arrays: dict[str, np.ndarray] = {}
            for name, (dtype, offset, count) in head["arrays"].items():
                arrays[name] = np.frombuffer(buf, np.dtype(dtype), int(count), base + int(offset))
            self.fields = frozenset(head.get("fields") or ())
            self.hashes = arrays["hashes"]
            self.kpos = arrays["kpos"]
            self.keys = arrays["keys"]
            self.ppos = arrays["ppos"]
            self.ids = arrays["ids"]
            self.weights = arrays["weights"]
            self.fptr = arrays["fptr"]
            self.frow = arrays["frow"]
            self.ffreq = arrays["ffreq"]
            self.phash = arrays["phash"]
            self.pptr = arrays["pptr"]
            self.pids = arrays["pids"]
            #: Each document's exact length in each of LENGTH_FIELDS.
            self.lengths = {name: arrays[f"len_{name}"] for name in LENGTH_FIELDS}
        except (KeyError, TypeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path.name}: damaged term file ({exc})") from exc
        n = len(self.hashes)
        if (
            len(self.kpos) != n + 1
            or len(self.ppos) != n + 1
            or len(self.ids) != len(self.weights)
            or (n and (self.ppos[-1] != len(self.ids) or self.kpos[-1] != len(self.keys)))
            or len(self.frow) != len(self.ffreq)
            or (len(self.fptr) and self.fptr[-1] != len(self.frow))
            or len(self.pptr) != len(self.phash) + 1
            or self.pptr[-1] != len(self.pids)
        ):
            raise ValueError(f"{path.name}: inconsistent term file")
        self._keys_bytes = memoryview(buf)[base + head["arrays"]["keys"][1] :]
        self._wid: np.ndarray | None = None  # term row -> word id, as forward runs ask

    def __len__(self) -> int:
        return len(self.hashes)

    def find(self, key: bytes, h: int) -> int:
        """The term's row, or -1."""
        hashes = self.hashes
        i = int(hashes.searchsorted(np.uint64(h)))
        n = len(hashes)
        while i < n and int(hashes[i]) == h:
            a, b = int(self.kpos[i]), int(self.kpos[i + 1])
            if self._keys_bytes[a:b] == key:
                return i
            i += 1
        return -1

    def find_many(self, keys: list[bytes], hashes: np.ndarray) -> np.ndarray:
        """Each key's row (-1 when absent): one ``searchsorted`` for all of them."""
        rows = np.full(len(keys), -1, dtype=np.int64)
        if not len(self.hashes) or not keys:
            return rows
        at = self.hashes.searchsorted(hashes)
        inside = at < len(self.hashes)
        hit = np.zeros(len(keys), bool)
        hit[inside] = self.hashes[at[inside]] == hashes[inside]
        for j in np.flatnonzero(hit).tolist():
            rows[j] = self.find(keys[j], int(hashes[j]))
        return rows

    def postings(self, row: int) -> fast.TermPostings:
        if row < 0:
            return fast.TermPostings(_EMPTY_IDS, _EMPTY_WEIGHTS)
        a, b = int(self.ppos[row]), int(self.ppos[row + 1])
        return fast.TermPostings(self.ids[a:b], self.weights[a:b])

    def pair_docs(self, h: int) -> np.ndarray:
        """The documents (local numbers, ascending) holding the word pair of hash ``h``."""
        i = int(self.phash.searchsorted(np.uint64(h)))
        if i >= len(self.phash) or int(self.phash[i]) != h:
            return _EMPTY_IDS
        return self.pids[int(self.pptr[i]) : int(self.pptr[i + 1])]

    def doc_words(self, local: int) -> tuple[np.ndarray, np.ndarray]:
        """A document's words in its text fields: their ids (see :func:`words_of`; a word
        found in two fields comes twice) and how often each occurs."""
        a, b = int(self.fptr[local]), int(self.fptr[local + 1])
        rows = self.frow[a:b]
        if self._wid is None:
            self._wid = np.full(len(self.hashes), -1, np.int64)
        wids = self._wid[rows]
        unknown = wids < 0
        if unknown.any():
            for row in np.unique(rows[unknown]).tolist():
                key = bytes(self._keys_bytes[self.kpos[row] : self.kpos[row + 1]])
                self._wid[row] = _word_id(key[key.index(0) + 1 :].decode("utf-8"))
            wids = self._wid[rows]
        return wids, self.ffreq[a:b]

    def doc_frequency(self, row: int) -> int:
        return 0 if row < 0 else int(self.ppos[row + 1] - self.ppos[row])

    def close(self) -> None:
        # Views into the map may still be alive (cached arrays): then the map stays open
        # until they go, which is what the garbage collector does anyway.
        with contextlib.suppress(BufferError):
            self._map.close()


#: Words met in forward runs, numbered once per process: a word has one id in every
#: segment, so a few briefs' words add up across segments in one bincount.
_WORD_IDS: dict[str, int] = {}
_WORDS: list[str] = []
_WORD_LOCK = threading.Lock()


def _word_id(word: str) -> int:
    got = _WORD_IDS.get(word)
    if got is None:
        with _WORD_LOCK:
            got = _WORD_IDS.get(word)
            if got is None:
                got = _WORD_IDS[word] = len(_WORDS)
                _WORDS.append(word)
    return got


def words_of(wids: np.ndarray) -> list[str]:
    return [_WORDS[i] for i in wids.tolist()]


def open_for(index_folder: Path, segment_id: Any) -> TermFile | None:
    """The segment's term file if there is a sound one."""
    if not segment_id:
        return None
    path = path_for(index_folder, str(segment_id))
    try:
        return TermFile(path)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("term file %s set aside: %s", path.name, exc)
        with contextlib.suppress(OSError):
            path.unlink()
        return None


def write_missing(index_folder: Path, readers: Iterable[tuple[Any, Any]], procs: int = 1) -> int:
    """Make the term file of each (segment id, leaf reader) that lacks one, and remove the
    files of segments that are gone. Returns how many were written.

    With ``procs`` > 1 (the bulk build) the segments are laid out by helper processes
    (started as :mod:`briefreader.core.processes` chooses), each opening the index itself."""
    folder = folder_of(index_folder)
    live: set[str] = set()
    missing: list[tuple[str, Any]] = []
    for seg_id, reader in readers:
        if not seg_id:
            continue
        live.add(str(seg_id))
        if not _is_current(path_for(index_folder, str(seg_id))):
            missing.append((str(seg_id), reader))
    if folder.is_dir():
        for old in folder.iterdir():
            if old.name.endswith(".tmp") or (old.suffix == ".terms" and old.stem not in live):
                # A temporary file is a writer's that died: one writes at a time (the lock).
                with contextlib.suppress(OSError):
                    old.unlink()
    if procs > 1 and len(missing) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(
            min(procs, len(missing)),
            mp_context=processes.context(),
            initializer=processes.die_with_parent,
        ) as pool:
            done = pool.map(_write_in_child, [(str(index_folder), sid) for sid, _r in missing])
            return sum(done)
    written = 0
    for seg_id, reader in missing:
        written += _write_logged(reader, path_for(index_folder, seg_id))
    return written


def _is_current(path: Path) -> bool:
    """A term file of this layout version is there (its header read, not its arrays)."""
    try:
        with open(path, "rb") as fh:
            start = fh.read(len(MAGIC) + 8)
            if start[: len(MAGIC)] != MAGIC:
                return False
            head = json.loads(fh.read(int.from_bytes(start[len(MAGIC) :], "little")))
        return bool(head.get("version") == VERSION)
    except (OSError, ValueError, AttributeError):
        return False


def _write_logged(reader: Any, path: Path) -> bool:
    try:
        return write(reader, path)
    except Exception as exc:  # noqa: BLE001 - an accelerator only: Whoosh's way stays
        log.warning("no term file %s: %s", path.name, exc)
        return False


def _write_in_child(job: tuple[str, str]) -> bool:
    from whoosh import index as whoosh_index

    folder, seg_id = job
    ix = whoosh_index.open_dir(folder)
    reader = ix.reader()
    try:
        for leaf, _offset in reader.leaf_readers():
            if leaf.segment().segment_id() == seg_id:
                return _write_logged(leaf, path_for(Path(folder), seg_id))
        return False
    finally:
        reader.close()
        ix.close()
