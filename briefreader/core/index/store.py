"""The index on disk: opening it (or rebuilding it when it cannot be used), its searcher,
its side files, and what it holds.

One job a module below it: ``manifest`` (what each indexed file was), ``damage`` (checksums,
files set aside), ``writing`` (the writer and its merge policy), ``lock`` (the update lock).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from whoosh import index, query, searching

from briefreader.core.index import schema as _schema
from briefreader.core.index import termfile
from briefreader.core.index.copies import CopyGroups, copy_groups
from briefreader.core.index.damage import (
    LOCK_NAME,
    Checksums,
    clear_folder,
    index_files,
    leaks_collected,
    move_aside,
)
from briefreader.core.index.evaluate import Evaluator
from briefreader.core.index.lock import FileLock
from briefreader.core.index.manifest import (
    MANIFEST_NAME,
    ManifestEntry,
    read_manifest,
    write_json_atomic,
)
from briefreader.core.index.postings import ArrayCache, cache_bytes_setting, segment_key
from briefreader.core.index.schema import analyzer, make_schema, scoring_model
from briefreader.core.index.writing import write_docs
from briefreader.core.records import IndexBusyError, IndexDamagedError, IndexDoc, WrittenFile
from briefreader.core.search.ranking import TEXT_FIELDS

log = logging.getLogger(__name__)


class BriefIndex:
    """A Whoosh index of briefs in one folder, with the manifest that makes updates cheap.

    The manifest (``manifest.json``) maps each indexed file to its size, mtime and hash, so an
    unchanged corpus is re-checked with ``stat`` calls alone. It is written after each commit:
    if a crash loses it, the next update only redoes work, it never loses a brief.
    """

    def __init__(self, folder: Path, cache_mb: float | None = None) -> None:
        self.folder = Path(folder)
        self._ix: Any = None
        self._searcher: Any = None
        self._looked_at: int | None = None  # the folder's time at the last full look
        self._lock = FileLock(self.folder / LOCK_NAME)
        self.rebuilt_reason: str | None = None
        #: Postings and columns as arrays, shared by every searcher of this index (keyed by
        #: segment: a refresh keeps what unchanged segments gave).
        self.arrays = ArrayCache(cache_bytes_setting(cache_mb))
        self._evaluator: Evaluator | None = None
        self._copies: tuple[Any, CopyGroups] | None = None
        self._term_files: dict[Any, termfile.TermFile] = {}
        self._checksums = Checksums(self.folder)

    # -- opening -------------------------------------------------------------------------

    @property
    def meta_path(self) -> Path:
        return self.folder / "meta.json"

    @property
    def manifest_path(self) -> Path:
        return self.folder / MANIFEST_NAME

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
            write_json_atomic(self.damage_path, {"reason": reason})

    def _has_index(self) -> bool:
        with leaks_collected() as failed:
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
        with leaks_collected() as failed:
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
            if index_files(self.folder):  # segment files but no table of contents
                return "its table of contents was missing"
            return "new index"
        if meta.get("schema") != _schema.SCHEMA_VERSION:
            new = _schema.SCHEMA_VERSION
            return f"its format ({meta.get('schema')}) is replaced by format {new}"
        changed = self._checksums.changed_file()
        if changed is not None:
            log.warning("%s: %s", self.folder, changed)
            return "its files were damaged"
        return None

    # What each of Whoosh's files was at the last commit (damage.py): a file changed since
    # is damage, found at open with a stat per file.

    @property
    def checksums_path(self) -> Path:
        return self._checksums.path

    def open(self, *, create: bool = True) -> None:
        """Open the index, creating it (or rebuilding an incompatible one) when allowed.

        Only a caller holding :meth:`locked` may pass ``create=True``: it may move a damaged
        index aside. The reason for a rebuild is kept in meta.json until an update reports
        it (:meth:`clear_rebuilt`), so a rebuild is never silent.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        with leaks_collected() as failed:
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
            move_aside(self.folder)
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
            write_json_atomic(self.meta_path, meta)

    def _create(self) -> None:
        clear_folder(self.folder)
        # meta.json first: killed before the Whoosh files exist, the folder reads as "no
        # index yet"; the other way round it read as an index of an unknown format.
        meta: dict[str, Any] = {"schema": _schema.SCHEMA_VERSION}
        if self.rebuilt_reason:
            meta["rebuilt"] = self.rebuilt_reason
        write_json_atomic(self.meta_path, meta)
        write_json_atomic(self.manifest_path, {})
        self._ix = index.create_in(str(self.folder), make_schema())
        self._checksums.save()

    # Files that could not be read are remembered with their size and mtime, so that they are
    # reported on every update without being read again until they change.

    def read_problems(self) -> dict[str, tuple[int, int, str, str]]:
        """The files an update could not read, by key: (size, mtime_ns, why, the reader
        versions that could not: "" when written before they were kept)."""
        try:
            raw = json.loads((self.folder / "problems.json").read_text("utf-8"))
            return {
                str(k): (int(v[0]), int(v[1]), str(v[2]), str(v[3]) if len(v) > 3 else "")
                for k, v in raw.items()
            }
        except (OSError, ValueError, TypeError, IndexError, AttributeError):
            return {}

    def save_problems(self, problems: dict[str, tuple[int, int, str, str]]) -> None:
        write_json_atomic(self.folder / "problems.json", {k: list(v) for k, v in problems.items()})

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
        write_json_atomic(self.glossary_state_path, state)

    def keys_for_names(self, names: Iterable[str], actor_ids: Iterable[str]) -> set[str] | None:
        """Keys of briefs whose text has any of ``names`` or that list any of ``actor_ids``.

        None when a name cannot be searched (it is all stop words, like "US"): the caller
        must then look at every brief.
        """
        s = self.searcher()
        ana = analyzer()
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

    def _folder_unchanged(self) -> bool:
        """Whether the index folder is as the last full look found it: a commit (a new
        table of contents file) changes the folder's time, and one stat is a small part of
        Whoosh's listing of the folder, which every search paid. A time less than 3 s old
        is not trusted (coarse file system clocks): the full look is taken then."""
        try:
            mtime = os.stat(self.folder).st_mtime_ns
        except OSError:
            return False
        same = mtime == self._looked_at
        self._looked_at = mtime if time.time_ns() - mtime > 3_000_000_000 else None
        return same

    def searcher(self) -> Any:
        """A searcher on the latest committed state (refreshed cheaply when unchanged)."""
        ix = self._require()
        if self._searcher is None:
            self._searcher = _Searcher(ix.reader(), fromindex=ix, weighting=scoring_model())
        elif not self._folder_unchanged() and not self._searcher.up_to_date():
            # Not Searcher.refresh(): in Whoosh-Reloaded 2.7.5 it fails with a TypeError when
            # the old reader was an EmptyReader (EmptyReader.segments() returns None).
            self._searcher.close()
            self._searcher = _Searcher(ix.reader(), fromindex=ix, weighting=scoring_model())
        return self._searcher

    def doc_count(self) -> int:
        return int(self._require().doc_count())

    def copy_groups(self) -> CopyGroups:
        """The groups of briefs holding the same article (see copies.py), found once per
        searcher: a commit brings a new searcher, and the groups are found again."""
        ev = self.evaluator()
        s = ev.searcher
        if self._copies is None or self._copies[0] is not s:
            self._copies = (s, copy_groups(s, [seg for _leaf, seg in ev.leaves]))
        return self._copies[1]

    def evaluator(self) -> Evaluator:
        """The array evaluator of the current searcher (made again when the searcher is)."""
        s = self.searcher()
        ev = self._evaluator
        if ev is None or ev.searcher is not s:
            ev = self._evaluator = Evaluator(s, self.arrays, self._term_file)
            live = {seg.key for _leaf, seg in ev.leaves}
            self.arrays.forget_segments(live)
            for gone in set(self._term_files) - live:
                del self._term_files[gone]
        return ev

    def _term_file(self, segment_id: Any) -> termfile.TermFile | None:
        """The segment's term file, mapped once for the index's life (None until written)."""
        got = self._term_files.get(segment_id)
        if got is None:
            got = termfile.open_for(self.folder, segment_id)
            if got is not None:
                self._term_files[segment_id] = got
        return got

    def write_term_files(self, procs: int = 1) -> int:
        """Lay out each segment that lacks one as a term file (see termfile.py) and remove
        those of merged-away segments; the caller holds :meth:`locked`. A few seconds per
        100,000 briefs' worth of new segments; nothing when all are written."""
        ix = self._require()
        reader = ix.reader()
        try:
            leaves = [(segment_key(r), r) for r, _offset in reader.leaf_readers()]
            return termfile.write_missing(self.folder, leaves, procs)
        finally:
            reader.close()

    # -- writing -------------------------------------------------------------------------

    def read_manifest(self) -> dict[str, ManifestEntry]:
        """What each indexed file was when it was indexed (empty when unreadable)."""
        return read_manifest(self.manifest_path)

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
        docs: Iterable[IndexDoc | WrittenFile],
        remove: Sequence[str],
        *,
        manifest: dict[str, ManifestEntry],
        bulk: bool = False,
        batch: int = 0,
        batch_max: int = 0,
        on_doc: Callable[[IndexDoc], None] | None = None,
        adopt: Callable[[], list[Any]] | None = None,
    ) -> int:
        """Add or replace ``docs`` and delete ``remove`` keys; commit; then save ``manifest``.

        Crash order: the manifest first drops what a commit deletes or replaces, the commit
        follows, then the manifest gets the new entries (atomic replace each time).

        The caller holds :meth:`locked`. ``bulk`` only adds (what it replaces is deleted
        first) and skips the final merge; every write goes through the segment writer
        (``segwriter.py``), which writes each new segment's term file with it. With ``batch``
        > 0 the work is committed every ``batch`` documents, so a crash or a cancel loses at
        most one batch. ``docs`` may name files whose briefs reading workers wrote into
        segments of their own, which ``adopt`` hands over at each commit (a bulk build:
        shard.py). With ``batch_max`` above ``batch`` each batch doubles, up to
        ``batch_max``: every commit adds a segment, and each segment costs every later search
        a few milliseconds (41 segments at 100,000 briefs with fixed batches of 5,000 and
        Whoosh's two-process writer).
        """
        return write_docs(
            self._require(),
            self.folder,
            docs,
            remove,
            manifest=manifest,
            bulk=bulk,
            batch=batch,
            batch_max=batch_max,
            on_doc=on_doc,
            adopt=adopt,
        )

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

    def field_length(self, fieldname: str) -> int:
        if self.has_parent():
            return int(self.get_parent().field_length(fieldname))
        got = self._lengths.get(fieldname)
        if got is None:
            got = self._lengths[fieldname] = int(self.reader().field_length(fieldname))
        return got
