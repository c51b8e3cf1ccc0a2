"""The full-text index: the only module that imports Whoosh.

Everything Whoosh-specific lives here (schema, analysis, writing, query parsing, scoring,
snippets, facets, spelling, related briefs) so that the rest of briefreader deals only in
plain records: :class:`IndexDoc` goes in, :class:`Hit` and :class:`SearchResults` come out.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import errno
import functools
import gc
import itertools
import json
import logging
import math
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import warnings
import zlib
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import collectors, columns, fields, index, qparser, query, scoring, searching, sorting
from whoosh.analysis import StemmingAnalyzer
from whoosh.codec.whoosh3 import LENGTHS_COLUMN as _LENGTHS_COLUMN
from whoosh.codec.whoosh3 import W3LeafMatcher as _W3Leaf
from whoosh.filedb.filestore import FileStorage
from whoosh.lang.porter import stem as _porter

log = logging.getLogger(__name__)

#: Bump when the schema or the analysis changes; an index of another version is rebuilt.
#: 2: the longer stop list and the new field weights. 3: facet columns.
#: 4: "*" is no longer part of a word. 5: a tags column for the tags facet.
#: 6: a month field. 7: word pairs (``<field>_pairs``): a two-word phrase is one posting list.
SCHEMA_VERSION = 7

SORTS = ("relevance", "newest", "oldest")
TITLE_BOOST = 1.0
#: BM25 parameters (benchmarks/RELEVANCE.md: k1 and b barely move Cranfield's MAP).
BM25_K1 = 1.2
BM25_B = 0.75
#: Pseudo-relevance feedback (RM3-like): a question of at least FEEDBACK_MIN_WORDS plain words
#: is re-ranked with the FEEDBACK_TERMS most telling words of its FEEDBACK_DOCS best briefs,
#: mixed in with weight FEEDBACK_WEIGHT. It only re-orders what the words found.
FEEDBACK_MIN_WORDS = 3
FEEDBACK_DOCS = 10
FEEDBACK_TERMS = 30
FEEDBACK_WEIGHT = 0.5
FEEDBACK_CHARS = 20000
#: Function words dropped at index and query time: long questions ("what is known about
#: ...") are otherwise ranked by their commonest words. Whoosh's own list is a subset.
STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing done down during each either
    else etc ever every few for from further had has have having he her here hers herself him
    himself his how however i if in into is it its itself just less let like made make many may
    me might more most much must my myself neither no nor not now of off often on once one only
    onto or other others otherwise our ours ourselves out over own per perhaps quite rather
    same several shall she should since so some such than that the their theirs them themselves
    then there thereby therefore these they this those though through thus to too under until
    up upon us very via was we were what whatever when whenever where whereas wherever whether
    which while who whom whose why will with within without would yet you your yours yourself
    yourselves tbd
    """.split()  # noqa: SIM905 - a word list reads best as text
)
TEXT_FIELDS = ("title", "article", "comment")
#: Field weights for BM25F. Measured on Cranfield (benchmarks/RELEVANCE.md), a title boost
#: above 1 lowers mean average precision: the title words are usually in the text as well,
#: so the title already counts twice.
FIELD_BOOSTS = {"title": TITLE_BOOST, "article": 1.0, "comment": 0.9}
#: User-facing field names -> index fields.
FIELD_ALIASES = {
    "title": "title",
    "article": "article",
    "comment": "comment",
    "actor": "actors",
    "actors": "actors",
    "source": "source",
    "tag": "tags",
    "tags": "tags",
    "date": "date",
}
MAX_QUERY_CHARS = 2000
MAX_QUERY_TERMS = 200


class IndexBusyError(RuntimeError):
    """Another process is writing this index; the caller should wait or work read-only."""


class IndexDamagedError(RuntimeError):
    """The index files cannot be read; the caller may move them aside and rebuild."""


@dataclass(frozen=True, slots=True)
class IndexDoc:
    """One brief as the index stores it (built by the library from a parsed Brief)."""

    key: str  # absolute path of the file: unique across corpus folders
    id: str
    title: str
    article: str
    comment: str
    actors: tuple[str, ...]
    source: str
    tags: tuple[str, ...]
    date: dt.date | None
    size: int
    mtime_ns: int
    sha256: str
    has_comment: bool = True
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Snippet:
    """A short passage around the best hits: ``marks`` are (start, end) offsets into ``text``."""

    section: str
    text: str
    marks: tuple[tuple[int, int], ...]

    def to_html(self) -> str:
        import html as _html

        out: list[str] = []
        pos = 0
        for start, end in self.marks:
            out.append(_html.escape(self.text[pos:start]))
            out.append('<b class="hit">' + _html.escape(self.text[start:end]) + "</b>")
            pos = end
        out.append(_html.escape(self.text[pos:]))
        return "".join(out)

    def to_terminal(self, bold: str = "\x1b[1m", reset: str = "\x1b[0m") -> str:
        out: list[str] = []
        pos = 0
        for start, end in self.marks:
            out.append(self.text[pos:start])
            out.append(bold + self.text[start:end] + reset)
            pos = end
        out.append(self.text[pos:])
        return "".join(out)


@dataclass(frozen=True, slots=True)
class Hit:
    key: str
    id: str
    title: str
    date: dt.date | None
    source: str
    tags: tuple[str, ...]
    actors: tuple[str, ...]
    score: float
    snippet: Snippet | None
    tier: int = 1  # 1: all the words; 2: only some of them


@dataclass(slots=True)
class SearchResults:
    query: str
    hits: list[Hit]
    total: int
    total_all_words: int
    offset: int
    sort: str
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str | None = None
    notices: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: False when ``total`` and ``total_all_words`` are estimates (large match sets are not
    #: counted on the way to the first page; a call with ``facets=True`` counts them).
    exact: bool = True
    #: True when the time limit stopped the search: the hits found so far, maybe not the best.
    partial: bool = False


@dataclass(frozen=True, slots=True)
class Filters:
    actors: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None
    years: tuple[int, ...] = ()

    def is_empty(self) -> bool:
        return not (
            self.actors or self.sources or self.tags or self.since or self.until or self.years
        )


#: Words, keeping dotted acronyms whole. Whoosh-Reloaded's default pattern also takes "*" into
#: words, which would index Markdown's "**bold**" as "**bold": ours does not.
_TOKEN = re.compile(r"\w+(?:\.?\w+)*", re.UNICODE)


def _analyzer() -> Any:
    # Whoosh's default tokenizer keeps dotted acronyms whole ("P.M.F." -> "p.m.f") and splits
    # "Iran’s" into "iran" + "s"; the minimum size of 2 then drops the stray "s".
    return StemmingAnalyzer(expression=_TOKEN, minsize=2, stoplist=STOP_WORDS)


def make_schema() -> fields.Schema:
    ana = _analyzer()
    return fields.Schema(
        key=fields.ID(stored=True, unique=True),
        id=fields.ID(stored=True),
        title=fields.TEXT(analyzer=ana, stored=True, field_boost=FIELD_BOOSTS["title"]),
        article=fields.TEXT(analyzer=ana, stored=True, spelling=True),
        comment=fields.TEXT(analyzer=ana, stored=True, field_boost=FIELD_BOOSTS["comment"]),
        actors=fields.KEYWORD(stored=True, commas=True, scorable=True),
        source=fields.KEYWORD(commas=True, lowercase=True),
        # Facets read these per-document columns instead of stored fields or postings.
        source_name=fields.ID(stored=True, sortable=True),
        actor_list=fields.COLUMN(columns.VarBytesColumn()),
        tag_list=fields.COLUMN(columns.VarBytesColumn()),
        tags=fields.KEYWORD(stored=True, commas=True, lowercase=True),
        date=fields.DATETIME(stored=True, sortable=True),
        year=fields.ID(sortable=True),
        # "2024-05": newest-first pages are found a month at a time (see _date_slices).
        month=fields.ID(),
        has_comment=fields.BOOLEAN(),
        # Each pair of neighbouring index words ("minist+defenc"), so that a two-word phrase
        # is answered by one posting list instead of comparing positions brief by brief.
        **{pairs_field(name): fields.KEYWORD() for name in TEXT_FIELDS},
    )


def pairs_field(fieldname: str) -> str:
    """The field that holds ``fieldname``'s neighbouring word pairs."""
    return fieldname + "_pairs"


def pair_term(first: str, second: str) -> str:
    """The pairs field's term for two neighbouring index words ("+" is never in a word)."""
    return first + "+" + second


def word_pairs(text: str) -> str:
    """The pairs field's value for ``text``: its neighbouring index words, as the analyzer
    numbers positions (stop words removed, so "minister of defence" pairs minist+defenc)."""
    terms = list(analysed_terms(text))
    return " ".join(pair_term(a, b) for a, b in zip(terms, terms[1:], strict=False))


def _fold(value: str) -> str:
    return " ".join(value.replace(",", " ").split()).lower()


def _to_whoosh(doc: IndexDoc) -> dict[str, Any]:
    fields_: dict[str, Any] = {
        "key": doc.key,
        "id": doc.id,
        "title": doc.title,
        "article": doc.article,
        "comment": doc.comment,
        "actors": ",".join(doc.actors),
        "source": _fold(doc.source),
        "source_name": doc.source,
        "actor_list": ",".join(doc.actors).encode("utf-8"),
        "tag_list": ",".join(_fold(t) for t in doc.tags).encode("utf-8"),
        "tags": ",".join(_fold(t) for t in doc.tags),
        "has_comment": doc.has_comment,
    }
    for name in TEXT_FIELDS:
        value = getattr(doc, name)
        if value:
            fields_[pairs_field(name)] = word_pairs(value)
    if doc.date is not None:
        fields_["date"] = dt.datetime(doc.date.year, doc.date.month, doc.date.day)
        fields_["year"] = str(doc.date.year)
        fields_["month"] = f"{doc.date.year:04d}-{doc.date.month:02d}"
    return fields_


@dataclass(slots=True)
class ManifestEntry:
    size: int
    mtime_ns: int
    sha256: str
    id: str
    warnings: tuple[str, ...] = ()


class _FileLock:
    """An exclusive advisory lock on a file, released by the OS if the process dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: Any = None

    def acquire(self, timeout: float) -> bool:
        if self._fh is not None:
            # Opening the file again would drop the handle that holds the lock, and with it
            # the lock: fail loudly instead.
            raise RuntimeError("this index already holds its update lock")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "a+")  # noqa: SIM115 - held for the lock's lifetime
        deadline = time.monotonic() + timeout
        while True:
            try:
                _lock_file(self._fh)
                _HELD_LOCKS.add(self)
                return True
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise
                if time.monotonic() >= deadline:
                    self._fh.close()
                    self._fh = None
                    return False
                time.sleep(0.05)

    def release(self) -> None:
        _HELD_LOCKS.discard(self)
        if self._fh is not None:
            with contextlib.suppress(OSError):
                _unlock_file(self._fh)
            self._fh.close()
            self._fh = None


#: Locks this process holds; a child forked meanwhile must let go of its copies.
_HELD_LOCKS: set[_FileLock] = set()


def _after_fork_in_child() -> None:
    """A process forked while an update runs (Whoosh's bulk writer helpers) is a helper.

    Its inherited copy of the update lock is closed (not unlocked: the parent still holds
    it), and it is made to die with its parent. Without this, SIGKILLing an indexer left
    its helpers blocked forever on their job queue, holding the lock (and Whoosh's own
    write lock), so every later update failed as "busy".
    """
    if not _HELD_LOCKS:
        return
    for lock in list(_HELD_LOCKS):
        if lock._fh is not None:
            with contextlib.suppress(OSError):
                lock._fh.close()
            lock._fh = None
    _HELD_LOCKS.clear()
    _die_with_parent()


def _die_with_parent() -> None:
    # The parent's pid was taken before the fork: if it is killed in between, the child is
    # already someone else's and must not wait for a death that has happened.
    parent = _forking_parent
    if _PRCTL is not None:
        with contextlib.suppress(OSError, ctypes.ArgumentError):
            _PRCTL(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
            if os.getppid() != parent:
                os._exit(1)
            return
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:  # elsewhere: poll for the parent going away
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="briefreader-parent-watch", daemon=True).start()


_forking_parent = os.getpid()


def _before_fork() -> None:
    global _forking_parent
    _forking_parent = os.getpid()


# Looked up now, not in the child: a dlsym() right after fork() could wait forever on a
# loader lock another thread of the parent held.
_PRCTL: Any = None
if sys.platform.startswith("linux"):
    with contextlib.suppress(OSError, AttributeError):
        _PRCTL = ctypes.CDLL(None, use_errno=True).prctl

if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock_file(fh: Any) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]

    def _unlock_file(fh: Any) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]

else:
    import fcntl

    def _lock_file(fh: Any) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock_file(fh: Any) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _crc32(path: Path) -> int:
    crc = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            crc = zlib.crc32(chunk, crc)
    return crc


def _write_json_atomic(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, separators=(",", ":"))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


@contextlib.contextmanager
def _leaks_collected() -> Iterator[list[str]]:
    """Close, quietly, the files Whoosh leaves open when damaged index files fail to open.

    Whoosh-Reloaded 2.7.5 opens a segment's compound file (or a table of contents) and drops
    it unclosed when reading it fails; freed later, it warns (ResourceWarning) at a random
    point. The block appends to the list it gets when something failed; the exception that
    held the files is gone when the block ends, so they are freed here.
    """
    failed: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            yield failed
        finally:
            if failed:
                gc.collect()


#: Incremental commits merge only segments smaller than this, once there are this many.
TINY_SEGMENT = 1000
TINY_SEGMENTS_TO_MERGE = 8


def _merge_tiny(writer: Any, segments: list[Any]) -> list[Any]:
    """Merge policy for incremental commits: fold the small segments updates leave behind.

    Whoosh's default (MERGE_SMALL) also merges the segments a bulk build wrote, on the first
    commit after it: minutes of Python at 100,000 briefs, inside what should be a re-check
    or an "add 100 briefs". Here only segments under TINY_SEGMENT briefs are merged.
    """
    from whoosh.reading import SegmentReader

    tiny = [seg for seg in segments if seg.doc_count_all() < TINY_SEGMENT]
    if len(tiny) < TINY_SEGMENTS_TO_MERGE:
        return segments
    for seg in tiny:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return [seg for seg in segments if seg.doc_count_all() >= TINY_SEGMENT]


def _commit_args(bulk: bool) -> dict[str, Any]:
    """The bulk writer never merges; other commits merge only tiny segments."""
    return {"merge": False} if bulk else {"mergetype": _merge_tiny}


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


class _SetCache:
    """Recent match sets of one searcher: filters and facets ask for the same sets again."""

    MAX_ITEMS = 2_000_000  # document numbers over all cached sets (about 100 MB at most)

    def __init__(self) -> None:
        self._owner: Any = None
        self._sets: OrderedDict[str, set[int]] = OrderedDict()
        self._items = 0

    def get(self, owner: Any, key: str) -> set[int] | None:
        if owner is not self._owner:
            self._owner, self._sets, self._items = owner, OrderedDict(), 0
            return None
        found = self._sets.get(key)
        if found is not None:
            self._sets.move_to_end(key)
        return found

    def put(self, owner: Any, key: str, value: set[int]) -> None:
        if owner is not self._owner or len(value) > self.MAX_ITEMS // 4:
            return
        self._sets[key] = value
        self._items += len(value)
        while self._items > self.MAX_ITEMS and self._sets:
            _key, old = self._sets.popitem(last=False)
            self._items -= len(old)


class BriefIndex:
    """A Whoosh index of briefs in one folder, with the manifest that makes updates cheap.

    The manifest (``manifest.json``) maps each indexed file to its size, mtime and hash, so an
    unchanged corpus is re-checked with ``stat`` calls alone. It is written after each commit:
    if a crash loses it, the next update only redoes work, it never loses a brief.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._ix: Any = None
        self._searcher: Any = None
        self._lock = _FileLock(self.folder / "update.lock")
        self.rebuilt_reason: str | None = None
        self._columns: dict[str, list[Any]] = {}
        self._column_owner: Any = None
        self._sets = _SetCache()

    # -- opening -------------------------------------------------------------------------

    @property
    def meta_path(self) -> Path:
        return self.folder / "meta.json"

    @property
    def manifest_path(self) -> Path:
        return self.folder / "manifest.json"

    def _read_meta(self) -> dict[str, Any] | None:
        """meta.json's content; {} if there is none, None if it cannot be read (damage)."""
        try:
            meta = json.loads(self.meta_path.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            return None
        return meta if isinstance(meta, dict) else None

    @property
    def damage_path(self) -> Path:
        """Written when a search finds the index unreadable: the next update rebuilds it."""
        return self.folder / "damaged.json"

    def mark_damaged(self, reason: str) -> None:
        with contextlib.suppress(OSError):
            _write_json_atomic(self.damage_path, {"reason": reason})

    def _has_index(self) -> bool:
        with _leaks_collected() as failed:
            try:
                return bool(index.exists_in(str(self.folder)))
            except Exception as exc:  # noqa: BLE001 - a garbled table of contents raises anything
                failed.append(type(exc).__name__)
        return True  # there is something: open_dir will say what is wrong with it

    def exists(self) -> bool:
        """Whether there is an index that opens as it is (no rebuild needed)."""
        if self._problem() is not None:
            return False
        if self._ix is not None:
            return True
        with _leaks_collected() as failed:
            try:
                trial = index.open_dir(str(self.folder))
                trial.doc_count()
                trial.close()
                return True
            except Exception as exc:  # noqa: BLE001 - damaged: the caller updates (rebuilds)
                failed.append(type(exc).__name__)
        return False

    def _problem(self) -> str | None:
        """Why the index cannot be used as it is ("new index" when there is none), or None."""
        meta = self._read_meta()
        if meta is None:
            return "its settings file (meta.json) was unreadable"
        if self.damage_path.exists():
            try:
                marked = json.loads(self.damage_path.read_text("utf-8"))["reason"]
            except (OSError, ValueError, TypeError, KeyError):
                marked = "unknown"
            return f"a search found it damaged ({marked})"
        if not self._has_index():
            if self._index_files():  # segment files but no table of contents
                return "its table of contents was missing"
            return "new index"
        if meta.get("schema") != SCHEMA_VERSION:
            return f"its format ({meta.get('schema')}) is replaced by format {SCHEMA_VERSION}"
        changed = self._changed_file()
        if changed is not None:
            log.warning("%s: %s", self.folder, changed)
            return "its files were damaged"
        return None

    # Whoosh writes each segment and table of contents once and never changes it, and keeps
    # no checksums: bytes overwritten in the middle of a segment can silently change results.
    # Each file's size, mtime and CRC-32 are recorded after every commit; at open a recorded
    # file of another size, or with another mtime and content, is damage. Only files whose
    # mtime changed are read, so a sound index opens with a stat per file.

    @property
    def checksums_path(self) -> Path:
        return self.folder / "checksums.json"

    def _index_files(self) -> list[Path]:
        """Whoosh's files: tables of contents (``_MAIN_<gen>.toc``) and segment files
        (``MAIN_<segment>.<part>``: terms, postings, stored fields, columns; or one ``.seg``
        when compound)."""
        try:
            names = os.listdir(self.folder)
        except FileNotFoundError:
            return []
        return sorted(
            self.folder / n
            for n in names
            if n.startswith(("MAIN_", "_MAIN_")) and n != "MAIN_WRITELOCK"
        )

    def _live_segments(self) -> set[str]:
        """Ids of the segments the newest table of contents lists (empty if unreadable)."""
        try:
            toc = index.TOC.read(FileStorage(str(self.folder)), index._DEF_INDEX_NAME)
            return {seg.segment_id() for seg in toc.segments}
        except Exception:  # noqa: BLE001 - an unreadable TOC is reported by open_dir itself
            return set()

    def _read_checksums(self) -> dict[str, tuple[int, int, int]]:
        try:
            raw = json.loads(self.checksums_path.read_text("utf-8"))
            return {str(k): (int(v[0]), int(v[1]), int(v[2])) for k, v in raw.items()}
        except (OSError, ValueError, TypeError, IndexError, AttributeError):
            return {}

    def _save_checksums(self) -> None:
        known = self._read_checksums()
        out: dict[str, list[int]] = {}
        for path in self._index_files():
            st = path.stat()
            old = known.get(path.name)
            if old is not None and old[:2] == (st.st_size, st.st_mtime_ns):
                out[path.name] = list(old)  # recorded before and untouched: not read again
            else:
                out[path.name] = [st.st_size, st.st_mtime_ns, _crc32(path)]
        _write_json_atomic(self.checksums_path, out)

    def _changed_file(self) -> str | None:
        """A recorded index file whose content is not what was committed, or None.

        A recorded file that is gone is damage only if it belongs to a segment the newest
        table of contents lists: after a kill between a commit and this record, the files of
        segments that commit merged away are legitimately gone.
        """
        live: set[str] | None = None
        for name, (size, mtime_ns, crc) in self._read_checksums().items():
            path = self.folder / name
            try:
                st = path.stat()
            except FileNotFoundError:
                if live is None:
                    live = self._live_segments()
                if name.split(".", 1)[0] in live:
                    return f"{name} is missing"
                continue
            except OSError as exc:
                return f"{name} cannot be read ({exc.strerror or exc})"
            if st.st_size != size:
                return f"{name} is {st.st_size} bytes, not {size}"
            if st.st_mtime_ns != mtime_ns and _crc32(path) != crc:
                return f"{name} was overwritten"
        return None

    def open(self, *, create: bool = True) -> None:
        """Open the index, creating it (or rebuilding an incompatible one) when allowed.

        Only a caller holding :meth:`locked` may pass ``create=True``: it may move a damaged
        index aside. The reason for a rebuild is kept in meta.json until an update reports
        it (:meth:`clear_rebuilt`), so a rebuild is never silent.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        with _leaks_collected() as failed:
            reason = self._problem()
            failure = None
            if reason is None:
                try:
                    self._ix = index.open_dir(str(self.folder))
                    self._ix.doc_count()
                    self.rebuilt_reason = (self._read_meta() or {}).get("rebuilt")
                    return
                except Exception as exc:  # Whoosh raises many kinds on damaged files
                    log.debug("cannot open the index", exc_info=True)
                    failure = (type(exc).__name__, str(exc))
                    failed.append(failure[0])
                if self._ix is not None:
                    with contextlib.suppress(Exception):
                        self._ix.close()
                    self._ix = None
        if failure is not None:
            if not create:
                raise IndexDamagedError(f"the index in {self.folder} is damaged: {failure[1]}")
            log.warning("%s: %s: %s", self.folder, *failure)
            reason = "its files were damaged"
        assert reason is not None
        if not create:
            raise IndexDamagedError(f"no usable index in {self.folder} ({reason})")
        if reason == "new index":
            self.rebuilt_reason = None
        elif reason.startswith("its format"):
            self.rebuilt_reason = f"the index was rebuilt: {reason}"  # not damage: no copy kept
        else:
            reason = f"the index could not be used: {reason}; it was set aside and rebuilt"
            log.warning("%s: %s", self.folder, reason)
            self._move_aside()
            self.rebuilt_reason = reason
        self._create()

    def pending_rebuild(self) -> str | None:
        """Why the index was rebuilt, while no update has filled it yet (read from disk, so a
        read-only instance sees the writer's progress)."""
        reason = (self._read_meta() or {}).get("rebuilt")
        return str(reason) if reason else None

    def clear_rebuilt(self) -> None:
        """The rebuild has been reported (after an update that completed)."""
        self.rebuilt_reason = None
        meta = self._read_meta() or {}
        if "rebuilt" in meta:
            del meta["rebuilt"]
            _write_json_atomic(self.meta_path, meta)

    def _move_aside(self) -> None:
        """Keep a damaged index for inspection, beside the folder; the lock file stays."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = Path(
            tempfile.mkdtemp(prefix=f"{self.folder.name}.damaged-{stamp}-", dir=self.folder.parent)
        )
        for child in self.folder.iterdir():
            if child.name != "update.lock":
                with contextlib.suppress(OSError):
                    shutil.move(str(child), str(target / child.name))

    def _create(self) -> None:
        for child in self.folder.iterdir():
            if child.name == "update.lock":
                continue
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)
        # meta.json first: killed before the Whoosh files exist, the folder reads as "no
        # index yet"; the other way round it read as an index of an unknown format.
        meta: dict[str, Any] = {"schema": SCHEMA_VERSION}
        if self.rebuilt_reason:
            meta["rebuilt"] = self.rebuilt_reason
        _write_json_atomic(self.meta_path, meta)
        _write_json_atomic(self.manifest_path, {})
        self._ix = index.create_in(str(self.folder), make_schema())
        self._save_checksums()

    # Files that could not be read are remembered with their size and mtime, so that they are
    # reported on every update without being read again until they change.

    def read_problems(self) -> dict[str, tuple[int, int, str]]:
        try:
            raw = json.loads((self.folder / "problems.json").read_text("utf-8"))
            return {str(k): (int(v[0]), int(v[1]), str(v[2])) for k, v in raw.items()}
        except (OSError, ValueError, TypeError, IndexError, AttributeError):
            return {}

    def save_problems(self, problems: dict[str, tuple[int, int, str]]) -> None:
        _write_json_atomic(self.folder / "problems.json", {k: list(v) for k, v in problems.items()})

    # The actors field depends on the glossary. The names it was built with are kept beside
    # the index, so that a glossary edit re-indexes only the briefs it can affect.

    @property
    def glossary_state_path(self) -> Path:
        return self.folder / "glossary.json"

    def glossary_state(self) -> dict[str, Any] | None:
        try:
            state = json.loads(self.glossary_state_path.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return state if isinstance(state, dict) else None

    def save_glossary_state(self, state: dict[str, Any]) -> None:
        _write_json_atomic(self.glossary_state_path, state)

    def keys_for_names(self, names: Iterable[str], actor_ids: Iterable[str]) -> set[str] | None:
        """Keys of briefs whose text has any of ``names`` or that list any of ``actor_ids``.

        None when a name cannot be searched (it is all stop words, like "US"): the caller
        must then look at every brief.
        """
        s = self.searcher()
        ana = _analyzer()
        subqueries: list[Any] = [query.Term("actors", a) for a in actor_ids]
        for name in names:
            words = [t.text for t in ana(name)]
            if not words:
                return None
            for fieldname in TEXT_FIELDS:
                if len(words) == 1:
                    subqueries.append(query.Term(fieldname, words[0]))
                else:
                    subqueries.append(query.Phrase(fieldname, words))
        if not subqueries:
            return set()
        return {
            str(s.stored_fields(docnum)["key"]) for docnum in s.docs_for_query(query.Or(subqueries))
        }

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        if self._ix is not None:
            self._ix.close()
            self._ix = None

    def _require(self) -> Any:
        if self._ix is None:
            raise RuntimeError("index is not open")
        return self._ix

    def searcher(self) -> Any:
        """A searcher on the latest committed state (refreshed cheaply when unchanged)."""
        ix = self._require()
        if self._searcher is None:
            self._searcher = _Searcher(ix.reader(), fromindex=ix, weighting=scoring_model())
        elif not self._searcher.up_to_date():
            # Not Searcher.refresh(): in Whoosh-Reloaded 2.7.5 it fails with a TypeError when
            # the old reader was an EmptyReader (EmptyReader.segments() returns None).
            self._searcher.close()
            self._searcher = _Searcher(ix.reader(), fromindex=ix, weighting=scoring_model())
        return self._searcher

    def doc_count(self) -> int:
        return int(self._require().doc_count())

    def column(self, name: str) -> list[Any]:
        """A column's values for every document number of the current searcher (cached).

        Facets count over thousands of briefs; indexing a Python list is many times faster
        than asking Whoosh's column reader document by document.
        """
        s = self.searcher()
        if self._column_owner is not s:
            self._columns = {}
            self._column_owner = s
        if name not in self._columns:
            values: list[Any] = []
            # One string object per distinct value: 100,000 briefs name a few hundred
            # actors, sources and years, and a copy per brief would cost tens of megabytes.
            same: dict[Any, Any] = {}
            if not s.reader().has_column(name):
                pass
            elif name in ("actor_list", "tag_list"):
                for raw in _column_values(s, name):
                    if not raw:
                        values.append(())
                        continue
                    parts = tuple(map(sys.intern, raw.decode("utf-8").split(",")))
                    values.append(same.setdefault(parts, parts))
            else:
                for value in _column_values(s, name):
                    if isinstance(value, bytes):
                        value = value.decode("utf-8")
                    if isinstance(value, str):
                        value = same.setdefault(value, value)
                    values.append(value or "")
            self._columns[name] = values
        return self._columns[name]

    def match_set(self, q: Any, deadline: float | None = None) -> set[int] | None:
        """The document numbers ``q`` matches (cached per searcher); None past ``deadline``.

        Counting walks every posting in pure Python (about a second for a common word at
        100,000 briefs), so it is cached and, with a deadline, given up rather than waited for.
        """
        s = self.searcher()
        key = repr(q)
        found = self._sets.get(s, key)
        if found is not None:
            return found
        try:
            out = self._docset(s, q, deadline)
        except collectors.TimeLimit:
            return None
        self._sets.put(s, key, out)
        return out

    def _docset(self, s: Any, q: Any, deadline: float | None) -> set[int]:
        """Set algebra over posting lists: unions and intersections run in C.

        Whoosh's ``docs_for_query`` walks a tree of Python matchers document by document
        (about 5 us a posting); reading each term's ids and combining sets is several times
        faster. Phrases and other positional queries still go through Whoosh.
        """
        if deadline is not None and time.perf_counter() > deadline:
            raise collectors.TimeLimit
        if isinstance(q, query.Term) and not isinstance(q, query.MultiTerm):
            key = f"term {q.fieldname}:{q.text!r}"
            found = self._sets.get(s, key)
            if found is None:
                found = set()
                for leaf, offset in s.leaf_searchers():
                    r = leaf.reader()
                    if (q.fieldname, q.text) in r:
                        ids = _posting_ids(r.postings(q.fieldname, q.text))
                        found.update(ids if not offset else (d + offset for d in ids))
                self._sets.put(s, key, found)
            return found
        if isinstance(q, query.Or):
            out: set[int] = set()
            for sub in q.subqueries:
                out |= self._docset(s, sub, deadline)
            return out
        if isinstance(q, query.And):
            subs = sorted(q.subqueries, key=lambda sub: _cost(sub, s.reader()))
            if not subs:
                return set()
            out = set(self._docset(s, subs[0], deadline))
            for sub in subs[1:]:
                if not out:
                    break
                out &= self._docset(s, sub, deadline)
            return out
        if isinstance(q, (query.AndMaybe,)):
            return self._docset(s, q.a, deadline)
        if isinstance(q, query.AndNot):
            return self._docset(s, q.a, deadline) - self._docset(s, q.b, deadline)
        if isinstance(q, query.Every) and not q.fieldname:
            # Every brief: ranges of document numbers less the deleted ones (Whoosh's
            # all_doc_ids() asks each document whether it is deleted: 0.7 s at 100,000).
            every: set[int] = set()
            for leaf, offset in s.leaf_searchers():
                r = leaf.reader()
                every.update(range(offset, offset + r.doc_count_all()))
                if r.has_deletions():
                    every.difference_update(d + offset for d in r._perdoc.deleted_docs())
            return every
        out = set()
        for i, docnum in enumerate(s.docs_for_query(q)):
            out.add(docnum)
            if deadline is not None and not i & 1023 and time.perf_counter() > deadline:
                raise collectors.TimeLimit
        return out

    # -- writing -------------------------------------------------------------------------

    def read_manifest(self) -> dict[str, ManifestEntry]:
        try:
            raw = json.loads(self.manifest_path.read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(raw, dict):
            return {}  # garbled: every brief is checked again, none is lost
        out: dict[str, ManifestEntry] = {}
        for key, val in raw.items():
            with contextlib.suppress(TypeError, ValueError, IndexError, KeyError):
                warnings = tuple(str(w) for w in val[4]) if len(val) > 4 else ()
                out[key] = ManifestEntry(
                    int(val[0]), int(val[1]), str(val[2]), str(val[3]), warnings
                )
        return out

    def indexed_keys(self) -> set[str]:
        """The keys actually in the index (the manifest may lag after a crash).

        A deleted document's key stays in the lexicon until its segment is merged, so with
        deletions each key is checked against the live documents.
        """
        s = self.searcher()
        keys: set[str] = set()
        for leaf, _offset in s.leaf_searchers():
            r = leaf.reader()
            found = {str(t.decode("utf-8")) for t in r.lexicon("key")}
            if r.has_deletions():
                # Only the deleted briefs' keys are checked (asking all 100,000 keys took
                # seconds): each stays if a live brief of this segment still has it.
                for docnum in r.deleted_docs_set:
                    key = (r.stored_fields(docnum) or {}).get("key")
                    if key in found and leaf.document_number(key=key) is None:
                        found.discard(key)
            keys |= found
        return keys

    @contextlib.contextmanager
    def locked(self, timeout: float = 5.0) -> Iterator[None]:
        """Hold the update lock; raise IndexBusyError if another process keeps it."""
        if not self._lock.acquire(timeout):
            raise IndexBusyError(
                "another briefreader is updating this index; try again when it has finished"
            )
        try:
            yield
        finally:
            self._lock.release()

    def write(
        self,
        docs: Iterable[IndexDoc],
        remove: Sequence[str],
        *,
        manifest: dict[str, ManifestEntry],
        bulk: bool = False,
        batch: int = 0,
        batch_max: int = 0,
        on_doc: Callable[[IndexDoc], None] | None = None,
    ) -> int:
        """Add or replace ``docs`` and delete ``remove`` keys; commit; then save ``manifest``.

        Crash order: the manifest first drops what a commit deletes or replaces, the commit
        follows, then the manifest gets the new entries (atomic replace each time).

        The caller holds :meth:`locked`. ``bulk`` uses a writer that spreads analysis over
        processes and skips the final merge. With ``batch`` > 0 the work is committed every
        ``batch`` documents, so a crash or a cancel loses at most one batch. With ``batch_max``
        above ``batch`` each batch doubles, up to ``batch_max``: every commit of the bulk
        writer adds one segment per process, and each segment costs every later search a few
        milliseconds (41 segments at 100,000 briefs with fixed batches of 5,000).
        """
        ix = self._require()
        written = 0
        # Updated in place: the caller also records touched-but-unchanged files in it while
        # ``docs`` is consumed, and all of it is saved after each commit.
        pending = manifest

        def new_writer() -> Any:
            # Not compound: Whoosh reads a compound segment's files into memory (BytesIO), so
            # a searcher on a 100,000-brief index held ~1 GB of private memory (26 MB a
            # segment); separate files are memory-mapped and shared with the page cache.
            if bulk and (os.cpu_count() or 1) > 1:
                return ix.writer(
                    procs=min(2, os.cpu_count() or 1),
                    limitmb=256,
                    multisegment=True,
                    compound=False,
                )
            return ix.writer(limitmb=128, compound=False)

        # The manifest must never claim what the index lacks: keys a commit deletes or
        # replaces leave the manifest before the commit, and come back after it.
        claimed = set(manifest)
        touched: set[str] = set()

        def commit(w: Any) -> None:
            if touched & claimed:
                self._save_manifest({k: e for k, e in pending.items() if k not in touched})
            w.commit(**_commit_args(bulk))
            self._save_checksums()
            self._save_manifest(pending)
            claimed.clear()
            claimed.update(pending)
            touched.clear()

        writer = new_writer()
        try:
            for key in remove:
                writer.delete_by_term("key", key)
                pending.pop(key, None)
                touched.add(key)
            in_batch = 0
            for doc in docs:
                if bulk:
                    writer.add_document(**_to_whoosh(doc))
                else:
                    writer.update_document(**_to_whoosh(doc))
                pending[doc.key] = ManifestEntry(
                    doc.size, doc.mtime_ns, doc.sha256, doc.id, doc.warnings
                )
                touched.add(doc.key)
                written += 1
                in_batch += 1
                if on_doc is not None:
                    on_doc(doc)
                if batch and in_batch >= batch:
                    commit(writer)
                    writer = new_writer()
                    in_batch = 0
                    batch = max(batch, min(batch * 2, batch_max))
            if written or remove:
                commit(writer)
            else:
                writer.cancel()  # nothing changed: no commit, so no merge either
                self._save_manifest(pending)  # touched-but-unchanged files' new mtimes
        except BaseException:
            with contextlib.suppress(Exception):
                writer.cancel()
            raise
        return written

    def _save_manifest(self, manifest: dict[str, ManifestEntry]) -> None:
        _write_json_atomic(
            self.manifest_path,
            {
                k: [e.size, e.mtime_ns, e.sha256, e.id, *([list(e.warnings)] if e.warnings else [])]
                for k, e in manifest.items()
            },
        )

    def optimize(self) -> None:
        """Merge segments into one: slower to write, faster to search afterwards."""
        self._require().optimize(compound=False)
        self._save_checksums()

    # -- reading -------------------------------------------------------------------------

    def stored(self, key: str) -> dict[str, Any] | None:
        s = self.searcher()
        docnum = s.document_number(key=key)
        if docnum is None:
            return None
        return dict(s.stored_fields(docnum))

    def keys_for_id(self, brief_id: str) -> list[str]:
        s = self.searcher()
        return [str(s.stored_fields(n)["key"]) for n in s.document_numbers(id=brief_id)]

    def actor_document_counts(self) -> dict[str, int]:
        """How many briefs mention each actor (from the term statistics: no scan)."""
        s = self.searcher()
        out: dict[str, int] = {}
        for term in s.lexicon("actors"):
            text = term.decode("utf-8")
            out[text] = int(s.doc_frequency("actors", text))
        return out


# -- queries -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A user query turned into Whoosh queries: strict (all words) and loose (some words)."""

    text: str
    all_words: Any
    some_words: Any
    highlight_terms: frozenset[str]
    notices: tuple[str, ...] = ()
    #: Actors the query names (as words or with actor:): their mentions are marked as hits.
    actors: frozenset[str] = frozenset()


def _base_parser(schema: fields.Schema, group: Any) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(
        list(TEXT_FIELDS), schema, fieldboosts=FIELD_BOOSTS, group=group
    )
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.GtLtPlugin())
    return parser


_MINUS = re.compile(r'(?<![\w\-:\[])-(?=[\w"(])')
_PLUS = re.compile(r'(?<![\w+:\[])\+(?=[\w"(])')
_FUZZY_BARE = re.compile(r"(?<=\w)~(?![\d\w])")
_FIELD_RE = re.compile(r'(?<![\w:])(\w+):("[^"]*"|\[[^\]]*\]|\([^)]*\)|[^\s()"]+)')
_WORD_RE = re.compile(r"\w+(?:[.'’-]\w+)*\.?", re.UNICODE)


class QueryBuilder:
    """Turns what a user typed into Whoosh queries; never raises on odd input.

    ``resolve_actor`` maps a name or alias to an actor id (or None); ``actor_spans`` finds
    where a text mentions given actors, so that a brief found through another name of an
    actor the query named shows that name marked (whole, as the glossary matches it).
    """

    def __init__(
        self,
        schema: fields.Schema,
        resolve_actor: Callable[[str], str | None],
        actor_spans: Callable[[str, frozenset[str]], list[tuple[int, int]]] | None = None,
        *,
        alias_is_strict: Callable[[str], bool] | None = None,
    ) -> None:
        self.schema = schema
        self.resolve_actor = resolve_actor
        self.actor_spans = actor_spans or (lambda _text, _ids: [])
        self.alias_is_strict = alias_is_strict or (lambda _s: False)
        self._and = _base_parser(schema, qparser.AndGroup)
        self._plain = qparser.MultifieldParser(
            list(TEXT_FIELDS), schema, fieldboosts=FIELD_BOOSTS, group=qparser.AndGroup
        )

    # The rewrite happens on the query text, before Whoosh parses it: user field names become
    # index field names, actor names become actor ids, and a word or phrase that names an
    # actor is widened to "(the words OR actors:ID)".

    def rewrite(self, text: str) -> tuple[str, set[str], list[str]]:
        actors: set[str] = set()
        notices: list[str] = []
        text = _FUZZY_BARE.sub("~1", text)
        # "-word" and "+word": Whoosh's plus/minus plugin fails inside parentheses, so they
        # become the operators it handles everywhere.
        text = _MINUS.sub("NOT ", text)
        text = _PLUS.sub("", text)

        out: list[str] = []
        pos = 0
        for m in _FIELD_RE.finditer(text):
            name, value = m.group(1), m.group(2)
            target = FIELD_ALIASES.get(name.lower())
            if target is None:
                continue
            out.append(self._expand_free(text[pos : m.start()], actors))
            pos = m.end()
            if target == "actors":
                raw = value.strip('"()')
                actor_id = self.resolve_actor(raw)
                if actor_id is None:
                    notices.append(f"no actor called “{raw}” in the glossary")
                    actor_id = _slug(raw) or "-"
                actors.add(actor_id)
                out.append(f"actors:{_quote_term(actor_id)}")
            elif target in ("source", "tags"):
                raw = _fold(value.strip('"()'))
                out.append(f"{target}:{_quote_term(raw)}")
            else:
                out.append(f"{target}:{value}")
        out.append(self._expand_free(text[pos:], actors))
        return "".join(out), actors, notices

    def _expand_free(self, segment: str, actors: set[str]) -> str:
        """Widen actor names in a stretch of query text that has no field prefix."""
        if not segment.strip():
            return segment
        pieces: list[str] = []
        pos = 0
        # Quoted phrases are taken whole: "Popular Mobilization Forces" names the PMF.
        for m in re.finditer(r'"([^"]*)"(~\d+)?', segment):
            pieces.append(self._expand_words(segment[pos : m.start()], actors))
            phrase = m.group(1)
            actor_id = self.resolve_actor(phrase) if phrase.strip() else None
            if actor_id and not m.group(2):
                actors.add(actor_id)
                pieces.append(f'("{phrase}" OR actors:{_quote_term(actor_id)})')
            else:
                pieces.append(m.group(0))
            pos = m.end()
        pieces.append(self._expand_words(segment[pos:], actors))
        return "".join(pieces)

    def _expand_words(self, segment: str, actors: set[str]) -> str:
        words = list(_WORD_RE.finditer(segment))
        if not words:
            return segment
        out: list[str] = []
        pos = 0
        i = 0
        while i < len(words):
            found = None
            for n in range(min(6, len(words) - i), 0, -1):
                group = words[i : i + n]
                # Only words separated by plain spaces form a name; operators never do.
                between = [
                    segment[a.end() : b.start()] for a, b in zip(group, group[1:], strict=False)
                ]
                if any(s.strip() for s in between):
                    continue
                if any(w.group(0) in ("AND", "OR", "NOT", "TO") for w in group):
                    continue
                start, end = group[0].start(), group[-1].end()
                if start > 0 and segment[start - 1] in "-+*:~":
                    continue
                if end < len(segment) and segment[end] in "*?~:":
                    continue
                name = segment[start:end]
                actor_id = self._resolve_typed(name)
                if actor_id:
                    found = (start, end, actor_id, n)
                    break
            if found is None:
                i += 1
                continue
            start, end, actor_id, n = found
            actors.add(actor_id)
            name = segment[start:end]
            words_part = f'"{name}"' if n > 1 else name
            out.append(segment[pos:start])
            out.append(f"({words_part} OR actors:{_quote_term(actor_id)})")
            pos = end
            i += n
        out.append(segment[pos:])
        return "".join(out)

    def _resolve_typed(self, name: str) -> str | None:
        actor_id = self.resolve_actor(name)
        if actor_id is None:
            return None
        # An alias that only counts in capitals ("US") must be typed in capitals, so that a
        # query for "told us" stays a query about words.
        if self.alias_is_strict(name) and name != name.upper():
            return None
        return actor_id

    def parse(self, text: str, reader: Any = None) -> ParsedQuery:
        notices: list[str] = []
        text = text.replace("\x00", " ")
        if len(text) > MAX_QUERY_CHARS:
            text = text[:MAX_QUERY_CHARS]
            notices.append(f"the query was cut to its first {MAX_QUERY_CHARS} characters")
        rewritten, actors, rw_notices = self.rewrite(text)
        notices.extend(rw_notices)
        try:
            strict = self._and.parse(rewritten)
        except Exception:  # noqa: BLE001 - any parser failure falls back to plain words
            strict = None
        if (strict is None or strict is query.NullQuery) and text.strip():
            words = " ".join(w.group(0) for w in _WORD_RE.finditer(text))
            if strict is None:
                notices.append("the query could not be read as written; searched for its words")
            strict = self._plain.parse(_escape_words(words))
        # An explicit AND means all of them: only implicit word lists get a some-words tier.
        loose = strict if re.search(r"\bAND\b", rewritten) else _loosen(strict)
        strict, n1 = _limit_terms(strict)
        loose, _ = _limit_terms(loose)
        if n1:
            notices.append(n1)
        if reader is not None:
            capped: list[str] = []
            same = loose is strict
            until = time.perf_counter() + EXPANSION_SCAN_S
            strict = _cap_expansions(strict, reader, capped, until)
            # One expansion when both tiers are the same query (a single word, explicit AND).
            loose = strict if same else _cap_expansions(loose, reader, [], until)
            if capped:
                notices.append(
                    f"{', '.join(sorted(set(capped)))} matched too many words: searched for the "
                    f"{MAX_EXPANSION} most common of them"
                )
        terms = self._highlight_terms(strict, reader)
        return ParsedQuery(text, strict, loose, terms, tuple(notices), frozenset(actors))

    def _highlight_terms(self, q: Any, reader: Any = None) -> frozenset[str]:
        """The analysed words to mark in text: what the query looks for, not what it excludes."""
        terms: set[str] = set()
        patterns: list[Any] = []

        def walk(node: Any) -> None:
            if isinstance(node, query.Not):
                return
            if node.is_leaf() and isinstance(node, query.PatternQuery | query.FuzzyTerm):
                patterns.append(node)
                return
            if node.is_leaf():
                with contextlib.suppress(Exception):
                    for fieldname, value in node.iter_all_terms(phrases=True):
                        if fieldname in TEXT_FIELDS:
                            terms.add(value.decode("utf-8") if isinstance(value, bytes) else value)
                return
            for child in node.children():
                walk(child)

        walk(q)
        if patterns and reader is not None:
            # Wildcards and fuzzy words: mark the words of the index they stand for.
            for node in patterns:
                with contextlib.suppress(Exception):
                    for fieldname, value in node.existing_terms(reader, expand=True):
                        if fieldname in TEXT_FIELDS:
                            terms.add(value.decode("utf-8") if isinstance(value, bytes) else value)
        return frozenset(terms)

    def spans(self, text: str, parsed: ParsedQuery) -> list[tuple[int, int]]:
        """Where ``text`` matches the query: its words, and mentions of the actors it named.

        Sorted; where a word lies inside an actor mention, the mention is kept whole.
        """
        words = term_positions(text, parsed.highlight_terms)
        if not parsed.actors:
            return words
        mentions = self.actor_spans(text, parsed.actors)
        if not mentions:
            return words
        out = list(mentions)
        for a, b in words:
            if not any(ma <= a and b <= mb or a < mb and ma < b for ma, mb in mentions):
                out.append((a, b))
        return sorted(out)


_FREE_FIELDS = frozenset((*TEXT_FIELDS, "actors"))


def _is_free(q: Any) -> bool:
    """A plain word or phrase (possibly widened to an actor), not a constraint."""
    if isinstance(q, query.Not):
        return False
    try:
        leaves = list(q.leaves()) if q.is_leaf() is False else [q]
    except Exception:  # noqa: BLE001
        return False
    if not leaves:
        return False
    for leaf in leaves:
        if isinstance(leaf, query.Not) or not hasattr(leaf, "fieldname"):
            return False
        if leaf.fieldname not in _FREE_FIELDS or isinstance(leaf, query.ranges.RangeMixin):
            return False
    # An Or over the text fields (and perhaps the actors) is one word typed by the user.
    return isinstance(q, query.Or | query.Term | query.Phrase | query.Wildcard | query.FuzzyTerm)


def _loosen(q: Any) -> Any:
    """The some-words form of a strict query: the free words ORed, constraints kept."""
    if not isinstance(q, query.And):
        return q
    words = [sub for sub in q.subqueries if _is_free(sub)]
    fixed = [sub for sub in q.subqueries if not _is_free(sub)]
    if len(words) < 2:
        return q
    either = query.Or(words)
    return query.And([*fixed, either]) if fixed else either


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _quote_term(term: str) -> str:
    if re.fullmatch(r"[\w.-]+", term):
        return term
    return "'" + term.replace("'", "") + "'"


def _escape_words(words: str) -> str:
    return " ".join(w for w in words.split() if w.upper() not in ("AND", "OR", "NOT", "TO"))


#: A wildcard or fuzzy word stands for at most this many index words (the most common).
MAX_EXPANSION = 64
#: Expanding a wildcard or fuzzy word looks at most at this many candidates, for at most
#: this long per query (``word~2`` on 10,000 briefs: 52 s before, under a second now).
EXPANSION_SCAN_WORDS = 5000
EXPANSION_SCAN_S = 0.3


def _candidates_of(node: Any, reader: Any) -> Iterator[Any]:
    """The index words a wildcard or fuzzy word stands for, one at a time.

    Whoosh's own fuzzy expansion scans each segment whole before it yields anything, so a
    time limit could not stop it; here the merged lexicon is walked once, lazily, and the
    edit distance (Whoosh's) computed per candidate.
    """
    if not isinstance(node, query.FuzzyTerm):
        yield from node._btexts(reader)  # noqa: SLF001
        return
    from whoosh.support.levenshtein import damerau_levenshtein

    text = str(node.text)
    maxdist = int(node.maxdist)
    letters = set(text)
    prefix = text[: node.prefixlength]
    seen: set[Any] = set()
    # Segment by segment, not through the merged lexicon: merging in Python is the slow part.
    leaves = reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]
    for leaf, _offset in leaves:
        for btext in leaf.expand_prefix(node.fieldname, prefix):
            if btext in seen:
                continue
            seen.add(btext)
            word = btext.decode("utf-8") if isinstance(btext, bytes) else str(btext)
            # Cheap necessary conditions first: one edit changes the length by at most one
            # and the set of letters by at most two.
            if (
                abs(len(word) - len(text)) <= maxdist
                and len(letters.symmetric_difference(word)) <= 2 * maxdist
                and damerau_levenshtein(word, text, maxdist + 1) <= maxdist
            ):
                yield word  # text, as Whoosh's own fuzzy expansion gives it
            else:
                yield None  # lets the caller check its clock between misses


def _cap_expansions(q: Any, reader: Any, capped: list[str], deadline: float) -> Any:
    """Replace wildcards and fuzzy words that stand for too many words by their commonest.

    An unbounded "*a*" over a large index becomes an OR of tens of thousands of terms and
    takes minutes in Whoosh; capped, it takes milliseconds and the user is told.
    """

    # ``deadline``: one budget for the whole query. Whoosh scans the lexicon in Python (a
    # fuzzy word runs an edit distance per candidate, per segment): seconds on a large index.

    # A fuzzy word is expanded once, over the article's words (the largest vocabulary), and
    # the result reused for the title and the comment: three scans cost three times the time.
    fuzzy: dict[tuple[str, int, int], tuple[list[Any], bool]] = {}

    def expand(node: Any) -> tuple[list[Any], bool]:
        words: list[Any] = []
        for word in _candidates_of(node, reader):
            if word is not None:
                words.append(word)
            # Checked at every word: a fuzzy word's candidates come slowly.
            if len(words) >= EXPANSION_SCAN_WORDS or time.perf_counter() > deadline:
                return words, True
        return words, False

    def visit(node: Any) -> Any:
        if not isinstance(node, query.PatternQuery | query.FuzzyTerm):
            return node
        field = node.fieldname
        try:
            if isinstance(node, query.FuzzyTerm) and field in TEXT_FIELDS:
                key = (str(node.text), int(node.maxdist), int(node.prefixlength))
                if key not in fuzzy:
                    base = query.FuzzyTerm(
                        "article", node.text, maxdist=node.maxdist, prefixlength=node.prefixlength
                    )
                    fuzzy[key] = expand(base)
                found, cut = fuzzy[key]
                words = [w for w in found if field == "article" or (field, w) in reader]
            else:
                words, cut = expand(node)
        except Exception:  # noqa: BLE001 - leave the node alone if Whoosh cannot expand it
            return node
        if len(words) > MAX_EXPANSION:
            freq: dict[Any, int] = {}
            for i, word in enumerate(words):
                if not i & 31 and time.perf_counter() > deadline + EXPANSION_SCAN_S / 3:
                    break  # the rest count as rare
                freq[word] = reader.doc_frequency(field, word)
            words.sort(key=lambda w: -freq.get(w, 0))
            cut = True
        if cut:
            capped.append(str(node.text))
        # Expanded once, here: left as a pattern, Whoosh would expand it again for every
        # size estimate and every segment's matcher.
        return query.Or([query.Term(field, w, boost=node.boost) for w in words[:MAX_EXPANSION]])

    try:
        return q.accept(visit)
    except Exception:  # noqa: BLE001
        return q


def _limit_terms(q: Any) -> tuple[Any, str | None]:
    """Cap the number of leaf queries so that a pasted page cannot stall the search."""
    try:
        leaves = list(q.leaves())
    except Exception:  # noqa: BLE001
        return q, None
    if len(leaves) <= MAX_QUERY_TERMS or not isinstance(q, query.compound.CompoundQuery):
        return q, None
    kept = list(q.subqueries)[:MAX_QUERY_TERMS]
    return (
        type(q)(kept),
        f"the query was cut to its first {MAX_QUERY_TERMS} terms",
    )


# -- searching -----------------------------------------------------------------------------


# Snippets and marks re-find the query's words in stored text. Whoosh's highlighter runs the
# whole analysis chain token by token; this does the same tokenising, lower-casing, stop-word
# and stemming steps with a compiled pattern and a stem cache, several times faster.
_STEMS: dict[str, str] = {}


def _stem_of(word: str) -> str:
    stem = _STEMS.get(word)
    if stem is None:
        if len(_STEMS) > 200_000:
            _STEMS.clear()
        stem = _STEMS[word] = _porter(word)
        return stem
    return stem


def analysed_terms(text: str) -> Iterator[str]:
    """The index terms of ``text``, as the analyzer makes them (fast path, no positions)."""
    for m in _TOKEN.finditer(text):
        word = m.group().lower()
        if len(word) >= 2 and word not in STOP_WORDS:
            yield _stem_of(word)


@functools.lru_cache(maxsize=64)
def _candidates(terms: frozenset[str]) -> re.Pattern[str]:
    """Whole tokens that start like one of the stems: a cheap scan before stemming.

    Stemming only rewrites the end of a word, so a token whose stem is in ``terms`` starts
    with that stem's first letters (all but the last, at most four).
    """
    prefixes = sorted({re.escape(t[: max(1, min(4, len(t) - 1))]) for t in terms}, key=len)
    return re.compile(
        r"(?<!\w)(?<!\w\.)(?:" + "|".join(reversed(prefixes)) + r")\w*(?:\.?\w+)*",
        re.IGNORECASE | re.UNICODE,
    )


def term_positions(text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    """(start, end) of each word of ``text`` whose analysed form is in ``terms``."""
    if not terms:
        return []
    out = []
    for m in _candidates(terms).finditer(text):
        word = m.group().lower()
        if len(word) < 2 or word in STOP_WORDS:
            continue
        if _stem_of(word) in terms:
            out.append(m.span())
    return out


def _window(
    text: str, spans: list[tuple[int, int]], chars: int
) -> tuple[int, int, list[tuple[int, int]]]:
    """The stretch of about ``chars`` characters holding the most distinct matched words."""
    best = (-1, 0, 0)
    j = 0
    for i, (start, _end) in enumerate(spans):
        while j < len(spans) and spans[j][1] - start <= chars:
            j += 1
        distinct = len({text[a:b].lower() for a, b in spans[i:j]})
        score = distinct * 100 + (j - i)
        if score > best[0]:
            best = (score, i, j)
    _, i, j = best
    first, last = spans[i][0], spans[j - 1][1]
    slack = max(0, chars - (last - first))
    begin = max(0, first - slack // 3)
    end = min(len(text), last + slack - (first - begin))
    # Widen to word boundaries.
    while begin > 0 and not text[begin - 1].isspace() and first - begin < chars:
        begin -= 1
    while end < len(text) and not text[end].isspace() and end - last < chars:
        end += 1
    return begin, end, spans[i:j]


def _make_snippet(section: str, text: str, spans: list[tuple[int, int]], chars: int) -> Snippet:
    begin, end, inside = _window(text, spans, chars)
    lead = "… " if begin > 0 else ""
    tail = " …" if end < len(text) else ""
    body = text[begin:end]
    # One line: newlines become spaces (same length, so offsets hold).
    body = body.replace("\n", " ")
    marks = [(len(lead) + a - begin, len(lead) + b - begin) for a, b in inside]
    return Snippet(section, *_plain(lead + body + tail, marks))


_MARKUP = frozenset("*`")


def _plain(text: str, marks: list[tuple[int, int]]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Drop Markdown emphasis characters from a snippet, keeping the marks on their words."""
    if not any(c in _MARKUP for c in text):
        return text, tuple(marks)
    new_pos: list[int] = []
    kept: list[str] = []
    for c in text:
        new_pos.append(len(kept))
        if c not in _MARKUP:
            kept.append(c)
    new_pos.append(len(kept))
    moved = tuple((new_pos[a], new_pos[b]) for a, b in marks if new_pos[a] < new_pos[b])
    return "".join(kept), moved


def _snippet_for(
    stored: dict[str, Any], parsed: ParsedQuery, builder: QueryBuilder, chars: int = 220
) -> Snippet | None:
    """The best passage for the query, preferring the article, saying which section it is."""
    best: tuple[int, str, str, list[tuple[int, int]]] | None = None
    for section in ("article", "comment", "title"):
        text = stored.get(section) or ""
        if not text:
            continue
        spans = builder.spans(text, parsed)
        if not spans:
            continue
        distinct = len({text[a:b].lower() for a, b in spans})
        score = distinct * 10 + min(len(spans), 9)
        if section == "title":
            score -= 5  # a title hit is already visible in the result's title
        if best is None or score > best[0]:
            best = (score, section, text, spans)
    if best is None:
        return None
    _, section, text, spans = best
    if section == "title":
        return Snippet(section, text, tuple(spans))
    return _make_snippet(section, text, spans, chars)


def _lead_snippet(stored: dict[str, Any], chars: int = 220) -> Snippet | None:
    text = " ".join((stored.get("article") or "").split())
    if not text:
        return None
    if len(text) > chars:
        cut = text.rfind(" ", 0, chars)
        text = text[: cut if cut > 0 else chars] + " …"
    return Snippet("article", text, ())


def _date_of(stored: dict[str, Any]) -> dt.date | None:
    value = stored.get("date")
    if isinstance(value, dt.datetime):
        return value.date()
    return None


def _hit_from(stored: dict[str, Any], score: float, snippet: Snippet | None, tier: int) -> Hit:
    actors = tuple(a for a in (stored.get("actors") or "").split(",") if a)
    tags = tuple(t for t in (stored.get("tags") or "").split(",") if t)
    return Hit(
        key=str(stored.get("key")),
        id=str(stored.get("id")),
        title=str(stored.get("title") or ""),
        date=_date_of(stored),
        source=str(stored.get("source_name") or ""),
        tags=tags,
        actors=actors,
        score=float(score or 0.0),
        snippet=snippet,
        tier=tier,
    )


def _filter_query(filters: Filters) -> Any | None:
    parts: list[Any] = []
    for actor in filters.actors:
        parts.append(query.Term("actors", actor))
    if filters.sources:
        parts.append(query.Or([query.Term("source", _fold(s)) for s in filters.sources]))
    if filters.tags:
        parts.extend(query.Term("tags", _fold(t)) for t in filters.tags)
    if filters.years:
        parts.append(query.Or([query.Term("year", str(y)) for y in filters.years]))
    if filters.since or filters.until:
        start = (
            dt.datetime(filters.since.year, filters.since.month, filters.since.day)
            if filters.since
            else None
        )
        end = (
            dt.datetime(filters.until.year, filters.until.month, filters.until.day, 23, 59, 59)
            if filters.until
            else None
        )
        parts.append(query.DateRange("date", start, end))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else query.And(parts)


def _facets(idx: BriefIndex, docnums: set[int]) -> dict[str, dict[str, int]]:
    """Counts of actors, sources and years over ``docnums``, from cached per-brief columns."""
    out: dict[str, dict[str, int]] = {}
    for name, column in (
        ("actors", "actor_list"),
        ("source", "source_name"),
        ("year", "year"),
        ("tags", "tag_list"),
    ):
        values = idx.column(column)
        counts: Counter[str] = Counter()
        if values:
            if name in ("actors", "tags"):
                counts.update(itertools.chain.from_iterable(values[d] for d in docnums))
            else:
                counts.update(values[d] for d in docnums)
        counts.pop("", None)
        out[name] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return out


#: Match sets estimated at up to this many postings are counted exactly on the way to the
#: first page; bigger ones are estimated there and counted only when facets are asked for.
EXACT_LIMIT = 6000
#: Ranking stops after this long and returns what it found, marked partial: a query such as
#: ``*a*`` or ``word~2`` over 100,000 briefs would otherwise take seconds.
TIME_LIMIT_S = 0.5
#: Related briefs ("more like this") are ranked for at most this long.
RELATED_LIMIT_S = 0.3
#: Its key words: each adds a posting list to walk in two fields.
RELATED_WORDS = 12
#: Counting every match for the totals and the facets gives up after this long.
COUNT_LIMIT_S = 1.5


class _Deadline(collectors.WrappingCollector):  # type: ignore[misc]
    """Stops a collection at ``deadline`` (a ``time.perf_counter`` value) by polling.

    Whoosh's TimeLimitCollector starts a timer thread or a SIGALRM handler; polling needs
    neither, which suits a library that runs inside a Qt worker.
    """

    def __init__(self, child: Any, deadline: float) -> None:
        super().__init__(child)
        self.deadline = deadline

    def set_subsearcher(self, subsearcher: Any, offset: int) -> None:
        if time.perf_counter() > self.deadline:
            raise collectors.TimeLimit
        self.child.set_subsearcher(subsearcher, offset)
        self.subsearcher = subsearcher
        # FilterCollector reads these from its child.
        self.matcher, self.offset = self.child.matcher, self.child.offset

    def matches(self) -> Iterator[int]:
        for i, sub_docnum in enumerate(self.child.matches()):
            if not i & 63 and time.perf_counter() > self.deadline:
                raise collectors.TimeLimit
            yield sub_docnum


def _top(
    s: Any,
    q: Any,
    *,
    limit: int,
    restrict: set[int] | None,
    mask: set[int] | None,
    sortedby: Any,
    deadline: float,
) -> tuple[list[tuple[float, int]], bool]:
    """The best ``limit`` (score, docnum) for ``q`` and whether the time limit cut it short.

    Ranked by relevance with no sort, Whoosh skips posting blocks that cannot reach the top
    (block-max); nothing here counts the matches.
    """
    timed = _Deadline(s.collector(limit=limit, sortedby=sortedby), deadline)
    # The filter wraps the time limit, as Searcher.collector wraps its own collectors.
    c = collectors.FilterCollector(timed, restrict, mask) if restrict or mask else timed
    partial = False
    try:
        s.search_with_collector(q, c)
    except collectors.TimeLimit:
        partial = True
    try:
        return list(c.results().top_n), partial
    except Exception:  # noqa: BLE001 - a collector stopped before it began has no results
        return [], True


def _date_counts(s: _Searcher) -> dict[str, int]:
    """Briefs per year ("2024") and per month ("2024-05"), counted once per searcher."""
    if s._date_counts is None:
        s._date_counts = {
            t.decode("utf-8"): int(s.doc_frequency(fieldname, t))
            for fieldname in ("year", "month")
            for t in s.lexicon(fieldname)
        }
    return s._date_counts


def _date_slices(
    s: Any, q: Any, limit: int, oldest: bool, n_docs: int
) -> list[tuple[str, ...] | None]:
    """Groups of year or month terms ("2024", "2024-05"), newest first, each expected to hold
    a page of matches of ``q``; None at the end stands for the briefs without a date.

    The expectation comes from term statistics only: ``q``'s estimated share of the corpus
    times the number of briefs in the slice. A common word is then sorted a month at a time,
    a rare one in a few passes over several years.
    """
    share = min(1.0, _estimate(q, s.reader(), n_docs) / max(n_docs, 1)) if n_docs else 1.0
    want = 2 * limit
    counts = _date_counts(s)
    years = sorted((t for t in counts if "-" not in t), reverse=not oldest)
    months: dict[str, list[str]] = {}
    for m in counts:
        if "-" in m:
            months.setdefault(m[:4], []).append(m)
    slices: list[tuple[str, ...] | None] = []
    group: list[str] = []
    expected = 0.0
    for year in years:
        in_year = share * counts[year]
        if in_year >= 4 * want and months.get(year):
            if group:
                slices.append(tuple(group))
                group, expected = [], 0.0
            for month in sorted(months[year], reverse=not oldest):
                group.append(month)
                expected += share * counts[month]
                if expected >= want:
                    slices.append(tuple(group))
                    group, expected = [], 0.0
            continue
        group.append(year)
        expected += in_year
        if expected >= want:
            slices.append(tuple(group))
            group, expected = [], 0.0
    if group:
        slices.append(tuple(group))
    slices.append(None)
    return slices


def _newest_first(
    s: Any,
    q: Any,
    *,
    limit: int,
    restrict: set[int] | None,
    mask: set[int] | None,
    oldest: bool,
    deadline: float,
) -> tuple[list[tuple[float, int]], bool]:
    """Date-sorted top ``limit``, a slice of dates at a time, stopping once the page is full.

    Sorting every match of a common word by date means visiting all of them; the newest
    month holds about a hundredth of them, and the intersection with its term skips the
    rest. Briefs without a date come last, as in a full sort.
    """
    n_docs = int(s.doc_count())
    years = [t for t in _date_counts(s) if "-" not in t]
    facet = sorting.FieldFacet("date", reverse=not oldest)
    out: list[tuple[float, int]] = []
    partial = False
    for terms in _date_slices(s, q, limit, oldest, n_docs):
        if len(out) >= limit or partial:
            break
        if terms is None:
            part = query.AndNot(q, query.Or([query.Term("year", y) for y in years]))
        else:
            slice_q = [query.Term("month" if "-" in t else "year", t) for t in terms]
            dates = slice_q[0] if len(slice_q) == 1 else query.Or(slice_q)
            # Every brief of the slice: its terms alone (Whoosh's Every lists each segment's
            # documents, asking each whether it is deleted).
            part = dates if isinstance(q, query.Every) else query.And([q, dates])
        got, partial = _top(
            s,
            part,
            limit=limit - len(out),
            restrict=restrict,
            mask=mask,
            sortedby=facet,
            deadline=deadline,
        )
        out.extend(got)
    return out[:limit], partial


def _unions(q: Any) -> Any:
    """Make every Or in ``q`` a tree of union matchers; returns ``q``.

    Whoosh picks a matcher per segment: in a segment of fewer than 5,000 briefs (what a bulk
    build writes) an Or of three or more parts preloads every posting of every part into
    arrays, which both reads whole posting lists of common words and defeats skipping in
    intersections and block-max ranking. Same index, 10,000 briefs: 113 -> 83 ms median.
    """
    if isinstance(q, query.Or):
        q.matcher_type = query.Or.DEFAULT_MATCHER
    if not q.is_leaf():
        for child in q.children():
            _unions(child)
    return q


def _estimate(q: Any, reader: Any, n: int) -> int:
    """Roughly how many briefs ``q`` matches, from term statistics alone (no postings read).

    A word searched in several fields is counted by its commonest field; all the words
    together as if independent. The window shows "about" before the real count arrives.
    """
    if isinstance(q, query.Term):
        return int(reader.doc_frequency(q.fieldname, q.text)) if q.text is not None else 0
    if isinstance(q, query.AndMaybe):
        return _estimate(q.a, reader, n)
    if isinstance(q, query.AndNot):
        return _estimate(q.a, reader, n)
    if isinstance(q, query.And):
        est = float(n)
        for sub in q.subqueries:
            est *= _estimate(sub, reader, n) / max(n, 1)
        return int(est)
    if isinstance(q, query.Or):
        sizes = sorted((_estimate(sub, reader, n) for sub in q.subqueries), reverse=True)
        if not sizes:
            return 0
        same_word = len({getattr(sub, "text", None) for sub in q.subqueries}) == 1
        if same_word:
            return sizes[0]
        return min(n, int(n - n * math.prod(1 - x / max(n, 1) for x in sizes)))
    try:
        return min(n, int(q.estimate_size(reader)))
    except Exception:  # noqa: BLE001 - a query type without statistics
        return n


def _cost(q: Any, reader: Any) -> int:
    """How many postings counting ``q`` would walk (Whoosh's own upper estimate)."""
    try:
        return int(q.estimate_size(reader))
    except Exception:  # noqa: BLE001
        return EXACT_LIMIT + 1


def search(
    idx: BriefIndex,
    builder: QueryBuilder,
    text: str,
    *,
    limit: int = 20,
    offset: int = 0,
    sort: str = "relevance",
    filters: Filters | None = None,
    facets: bool | str = True,
    snippets: bool = True,
    time_limit: float | None = TIME_LIMIT_S,
) -> SearchResults:
    """Run a user query: all-words matches first, then some-words matches, then filters.

    With ``facets=False`` (the first page the window shows) large match sets are not
    counted: ``total`` is then an estimate and ``exact`` is False. With ``facets=True`` the
    sets are counted, within :data:`COUNT_LIMIT_S`; ``facets="if-counted"`` adds facets
    only when the sets were small enough to count anyway. ``time_limit=None`` ranks every match
    however long it takes (relevance measurements need the whole list).
    """
    t0 = time.perf_counter()
    deadline = t0 + time_limit if time_limit is not None else math.inf
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}")
    filters = filters or Filters()
    s = idx.searcher()
    reader = s.reader()
    n_docs = int(s.doc_count())
    parsed = builder.parse(text, reader)
    filt = _filter_query(filters)
    notices = list(parsed.notices)
    empty_query = not text.strip()
    sort_by_date = sort != "relevance" or empty_query
    oldest = sort == "oldest"

    want = offset + limit
    restrict = None if filt is None else idx.match_set(filt)
    share = 1.0 if restrict is None else len(restrict) / max(n_docs, 1)

    if empty_query:
        strict_q = loose_q = query.Every()
        strict_match: Any = query.Every()
        loose_match: Any = None
    else:
        strict_q, loose_q = parsed.all_words, parsed.some_words
        strict_match, loose_match = parsed.all_words, parsed.some_words
        if sort == "relevance":
            feedback = _feedback_query(s, parsed, filt)
            if feedback is not None:
                # Scores only: the briefs found, their tiers and the totals stay the same.
                strict_q = query.AndMaybe(strict_q, feedback)
                if loose_q is not None:
                    loose_q = query.AndMaybe(loose_q, feedback)
    two_tiers = not empty_query and loose_match is not None and loose_match != strict_match

    # Which briefs match: counted when cheap (or when facets need the sets), else estimated.
    if facets not in (True, False, "if-counted"):
        raise ValueError("facets must be True, False or 'if-counted'")
    cheap_facets = facets == "if-counted"
    facets = facets is True
    count_deadline = t0 + COUNT_LIMIT_S if facets else None
    exact = True

    def counted(q: Any) -> set[int] | None:
        nonlocal exact
        if empty_query:
            # Every brief: one set per searcher, cached, so browsing by date stays cheap.
            every = idx.match_set(query.Every())
            return every if restrict is None or every is None else every & restrict
        if not facets and _cost(q, reader) > EXACT_LIMIT:
            return None
        found = idx.match_set(q, count_deadline)
        if found is None:
            notices.append("too many matches to count in time: the totals are estimates")
            return None
        return found if restrict is None else found & restrict

    strict_docs = counted(strict_match)
    loose_docs: set[int] | None = strict_docs
    if two_tiers:
        some = counted(loose_match)
        loose_docs = None if some is None or strict_docs is None else some | strict_docs

    page: list[tuple[int, float, int, int]] = []  # (position, score, docnum, tier)
    partial = False

    def rank(q: Any, lim: int, mask: set[int] | None) -> list[tuple[float, int]]:
        nonlocal partial
        if sort_by_date:
            got, cut = _newest_first(
                s, q, limit=lim, restrict=restrict, mask=mask, oldest=oldest, deadline=deadline
            )
        else:
            got, cut = _top(
                s, q, limit=lim, restrict=restrict, mask=mask, sortedby=None, deadline=deadline
            )
        partial = partial or cut
        return got

    strict_q = _unions(strict_q)
    loose_q = _unions(loose_q) if loose_q is not None else None
    tier1 = [] if strict_docs is not None and not strict_docs else rank(strict_q, want, None)
    page.extend((i, score, docnum, 1) for i, (score, docnum) in enumerate(tier1))
    if strict_docs is not None:
        total1 = len(strict_docs)
    elif len(tier1) < want and not partial:
        total1 = len(tier1)  # fewer than a page: every match was collected
        strict_docs = {d for _score, d in tier1}
    else:
        total1 = max(len(tier1), int(_estimate(strict_match, reader, n_docs) * share))
        exact = False
    if two_tiers and want > total1 and loose_docs != strict_docs:
        # The some-words tier: every brief the loose query finds that the strict one did not.
        mask = strict_docs if strict_docs is not None else {d for _score, d in tier1}
        rest = rank(loose_q, want - total1, mask)
        page.extend((total1 + i, score, docnum, 2) for i, (score, docnum) in enumerate(rest))
        if loose_docs is None and len(rest) < want - total1 and not partial:
            loose_docs = mask | {d for _score, d in rest}
    if loose_docs is not None:
        total = len(loose_docs)
    elif two_tiers:
        guess = int(_estimate(loose_match, reader, n_docs) * share)
        total = max(total1 + sum(1 for p in page if p[3] == 2), guess)
        exact = False
    else:
        total = total1
    if partial:
        exact = False
        notices.append(
            f"stopped after {time_limit:g} s: these are the best matches found so far, "
            "maybe not all of them"
        )

    hits: list[Hit] = []
    for position, score, docnum, tier in page:
        if position < offset or position >= want:
            continue
        stored = s.stored_fields(docnum)
        snip = None
        if snippets:
            if parsed.highlight_terms or parsed.actors:
                snip = _snippet_for(stored, parsed, builder)
            if snip is None:
                snip = _lead_snippet(stored)
        hits.append(_hit_from(stored, score, snip, tier))

    facet_counts: dict[str, dict[str, int]] = {}
    if (
        total
        and loose_docs is not None
        and (facets or (cheap_facets and len(loose_docs) <= EXACT_LIMIT))
    ):
        # "if-counted": the facets of a few thousand briefs cost little; those of the
        # whole corpus (browsing by date) come with the second request.
        facet_counts = _facets(idx, loose_docs)

    suggestion = None
    if total == 0 and not empty_query:
        suggestion = _suggest(s, text)

    return SearchResults(
        query=text,
        hits=hits,
        total=total,
        total_all_words=total1,
        offset=offset,
        sort=sort,
        facets=facet_counts,
        suggestion=suggestion,
        notices=notices,
        seconds=time.perf_counter() - t0,
        exact=exact,
        partial=partial,
    )


def _feedback_words(q: Any) -> list[Any] | None:
    """The words of a plain many-word question, or None for anything a user spelled out.

    Feedback suits questions typed as prose. Quotes, fields, wildcards, fuzzy words, minus
    words, an explicit AND or OR: the user said exactly what they want, so it is left alone.
    """
    if q is None:
        return None
    words = list(q.subqueries) if isinstance(q, query.Or) else [q]
    if len(words) < FEEDBACK_MIN_WORDS:
        return None
    for word in words:
        if not _is_free(word):
            return None
        for leaf in word.leaves() if not word.is_leaf() else [word]:
            if not isinstance(leaf, query.Term) or isinstance(leaf, query.FuzzyTerm):
                return None
    return words


def _feedback_query(searcher: Any, parsed: ParsedQuery, filt: Any) -> Any | None:
    """Pseudo-relevance feedback: the telling words of the best briefs, as a scoring query.

    The best FEEDBACK_DOCS briefs for the words are re-read (their stored text, analysed as
    the index does), and each word gets sum over briefs of P(word | brief) x the brief's
    share of the feedback, the shares a softmax of the scores. The top FEEDBACK_TERMS words
    are weighted so that together they count FEEDBACK_WEIGHT of the query (the typed words
    the rest), as in RM3.
    """
    if parsed.some_words is None or parsed.some_words == parsed.all_words:
        return None  # one word, explicit AND, or constraints: nothing to loosen
    words = _feedback_words(parsed.some_words)
    if words is None:
        return None
    try:
        top = searcher.search(parsed.some_words, filter=filt, limit=FEEDBACK_DOCS)
        scored = [(float(score), docnum) for score, docnum in top.top_n]
    except Exception:  # noqa: BLE001 - feedback is a refinement, never an error
        log.debug("no feedback for %r", parsed.text, exc_info=True)
        return None
    if len(scored) < 2:
        return None
    best = max(score for score, _ in scored)
    shares = [math.exp(score - best) for score, _ in scored]
    total_share = sum(shares)
    weights: dict[str, float] = {}
    for (_score, docnum), share in zip(scored, shares, strict=True):
        stored = searcher.stored_fields(docnum)
        text = " ".join(str(stored.get(f) or "") for f in TEXT_FIELDS)[:FEEDBACK_CHARS]
        counts: dict[str, int] = {}
        for term in analysed_terms(text):
            counts[term] = counts.get(term, 0) + 1
        length = sum(counts.values())
        if not length:
            continue
        for term, tf in counts.items():
            weights[term] = weights.get(term, 0.0) + (share / total_share) * tf / length
    chosen = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:FEEDBACK_TERMS]
    norm = sum(w for _t, w in chosen)
    if not chosen or norm <= 0:
        return None
    # The typed words weigh 1 each, (1 - FEEDBACK_WEIGHT) of the query between them.
    scale = len(words) * FEEDBACK_WEIGHT / (1.0 - FEEDBACK_WEIGHT) / norm
    subqueries = [
        query.Term(fieldname, term, boost=w * scale * FIELD_BOOSTS[fieldname])
        for term, w in chosen
        for fieldname in TEXT_FIELDS
    ]
    return query.Or(subqueries)


def _suggest(searcher: Any, text: str) -> str | None:
    """A corrected query string, if correcting its words finds something ("did you mean").

    Words are corrected against the unstemmed spelling list of the article field, so the
    suggestion reads as a user would write it; field names, operators and quotes are kept.
    """
    try:
        corrector = searcher.corrector("article")
        out: list[str] = []
        pos = 0
        changed = False
        for m in re.finditer(r"(?<![\w:])[^\W\d_]{3,}(?![\w:*?~])", text):
            word = m.group(0)
            if word in ("AND", "OR", "NOT", "TO"):
                continue
            lower = word.lower()
            if searcher.doc_frequency("spell_article", lower) or searcher.doc_frequency(
                "title", lower
            ):
                continue
            found = corrector.suggest(lower, limit=1, maxdist=2)
            if not found:
                continue
            fixed = found[0]
            if word[0].isupper():
                fixed = fixed[0].upper() + fixed[1:]
            out.append(text[pos : m.start()] + fixed)
            pos = m.end()
            changed = True
        if not changed:
            return None
        out.append(text[pos:])
        return "".join(out)
    except Exception:  # noqa: BLE001 - spelling is a nicety, never an error
        log.debug("no suggestion for %r", text, exc_info=True)
        return None


def hit_spans(builder: QueryBuilder, text: str, parsed: ParsedQuery) -> list[tuple[int, int]]:
    """Offsets in ``text`` of what the query matched: words as written, actor mentions."""
    return builder.spans(text, parsed)


def related(
    idx: BriefIndex, key: str, *, limit: int = 10, filters: Filters | None = None
) -> list[Hit]:
    """Briefs most like this one: its key words (Bo1 weighting) and its actors."""
    s = idx.searcher()
    docnum = s.document_number(key=key)
    if docnum is None:
        return []
    stored = s.stored_fields(docnum)
    text = " ".join(str(stored.get(f) or "") for f in TEXT_FIELDS)
    subqueries: list[Any] = []
    with contextlib.suppress(Exception):
        for word, weight in s.key_terms_from_text(
            "article", text, numterms=RELATED_WORDS, normalize=True
        ):
            subqueries.append(query.Term("article", word, boost=weight))
            subqueries.append(query.Term("comment", word, boost=weight * 0.8))
    for actor in (stored.get("actors") or "").split(","):
        if actor:
            subqueries.append(query.Term("actors", actor, boost=0.6))
    if not subqueries:
        return []
    # Ranked like a search's first page (a union tree, block-max top-k, a time limit): a
    # plain Whoosh search for these 50-odd words took 7 s a brief at 100,000 briefs, and
    # kept the worker from the reader's next request all that time.
    filt = _filter_query(filters or Filters())
    # Newest segments first: when time runs out, the briefs found are the recent ones
    # (segments are written in the order briefs arrive).
    s.newest_first = True
    try:
        got, partial = _top(
            s,
            _unions(query.Or(subqueries)),
            limit=limit,
            restrict=None if filt is None else idx.match_set(filt),
            mask={docnum},
            sortedby=None,
            deadline=time.perf_counter() + RELATED_LIMIT_S,
        )
    finally:
        s.newest_first = False
    if partial:
        log.info("related briefs of %s: stopped after %g s", key, RELATED_LIMIT_S)
    out = []
    for score, found in got:
        fields_ = s.stored_fields(found)
        out.append(_hit_from(fields_, score, _lead_snippet(fields_), 1))
    return out


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


class _Searcher(searching.Searcher):  # type: ignore[misc]
    """A searcher that remembers each field's total length.

    Every BM25 term matcher, in every segment, asks the top searcher for the field's average
    length, and Whoosh sums it over all segments each time: with 41 segments (a 100,000-brief
    bulk build) that was 1.1 million calls for 150 queries, 9 ms a query. The lengths cannot
    change under a searcher (a commit brings a new one).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lengths: dict[str, int] = {}
        self._date_counts: dict[str, int] | None = None  # see _date_counts()
        if not self.has_parent():
            for reader, _offset in self.leafreaders or [(self.ixreader, 0)]:
                _lengths_in_memory(reader)

    #: While True, collectors visit the segments newest first (see :func:`related`).
    newest_first = False

    def leaf_searchers(self) -> Any:
        leaves = super().leaf_searchers()
        return leaves[::-1] if self.newest_first else leaves

    def field_length(self, fieldname: str) -> int:
        if self.has_parent():
            return int(self.get_parent().field_length(fieldname))
        got = self._lengths.get(fieldname)
        if got is None:
            got = self._lengths[fieldname] = int(self.reader().field_length(fieldname))
        return got


class _BM25(scoring.BM25F):
    """BM25F with the Robertson-Sparck Jones idf instead of Whoosh's ``log(N/(df+1)) + 1``.

    Whoosh's "+ 1" keeps common words worth at least one rare word's third or so; the textbook
    idf lets the rare words of a long question decide the order.
    """

    def idf(self, searcher: Any, fieldname: str, text: Any) -> float:
        parent = searcher.get_parent()
        df = parent.doc_frequency(fieldname, text)
        n = parent.doc_count_all()
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def scoring_model() -> Any:
    return _BM25(B=BM25_B, K1=BM25_K1)
