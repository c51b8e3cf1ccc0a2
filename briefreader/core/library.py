"""A library: corpus folders + their index + the actor glossary, as front ends see them.

The command line and the window talk to a :class:`Library` only. It finds brief files,
decides what changed, parses and matches what must be (re)indexed, and hands plain records
to the index; searches come back as plain records too.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import pickle
import shutil
import struct
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefreader import paths
from briefreader.core import extract
from briefreader.core import index as ix
from briefreader.core.brief import ARTICLE, Brief, BriefError
from briefreader.core.briefdocs import (
    FileJob,
    FileOutcome,
    Todo,
    briefs_of_file,
    is_saved_page_folder,
    not_read_reason,
    readable_suffixes,
    rel_id,
    to_doc,
)
from briefreader.core.glossary import Actor, Glossary
from briefreader.core.index.actors import actor_comments
from briefreader.core.index.candidates import last_candidates
from briefreader.core.match import Matcher, Mention, NameSpans
from briefreader.core.parse import (
    iter_brief_files,
)
from briefreader.core.prefs import Preferences
from briefreader.core.querytext import prepare_query
from briefreader.core.report import Problem, UpdateReport

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int, str], None]
#: What reading a damaged index raises (a bug in briefreader raises other kinds, and is not
#: mistaken for damage): truncated or overwritten Whoosh files fail to unpack or decode.
DAMAGE_ERRORS = (
    OSError, EOFError, struct.error, zlib.error, pickle.UnpicklingError, UnicodeDecodeError,
    ValueError, IndexError, KeyError, OverflowError,
)  # fmt: skip


def is_damage(exc: BaseException) -> bool:
    """Whether reading the index failed because its files are damaged (Whoosh also raises
    a bare Exception, "Block tag error", for an overwritten postings block)."""
    return isinstance(exc, DAMAGE_ERRORS) or type(exc) is Exception


#: The index's update lock; it outlives a rebuild (another process may be waiting on it).
LOCK_FILE = "update.lock"

#: Above this many new briefs an update uses the multi-process bulk writer.
BULK_THRESHOLD = 500
#: The bulk writer commits after this many briefs, then after twice as many, and so on up to
#: BULK_BATCH_MAX: a crash loses at most one batch, and a 100,000-brief build ends in 12
#: segments instead of 41 (fewer segments, faster searches).
BULK_BATCH = 5_000
BULK_BATCH_MAX = 25_000


def _glossary_state(glossary: Glossary) -> dict[str, Any]:
    """What matching depends on: each actor's names and case rule, as JSON-ready data."""
    return {
        "actors": {
            a.id: [a.match_case, *a.names]
            for a in sorted(glossary.actors.values(), key=lambda a: a.id)
        }
    }


@dataclass(slots=True)
class _Plan:
    """What an update found to do: the manifest it keeps, files to read, keys to remove."""

    manifest: dict[str, ix.ManifestEntry]
    todo: list[Todo] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    #: Files skipped as unreadable, by key: (size, mtime_ns, reason), kept for the next run.
    problems: dict[str, tuple[int, int, str]] = field(default_factory=dict)


class Library:
    """Corpus folders, their index and the glossary, behind one small API."""

    def __init__(self, corpora: Sequence[Path], data_dir: Path, glossary: Glossary) -> None:
        self.corpora = [Path(c).expanduser().resolve() for c in corpora]
        self.data_dir = Path(data_dir)
        self.glossary = glossary
        prefs = Preferences.load(self.data_dir)
        self.index = ix.BriefIndex(
            paths.index_dir(self.data_dir, self.corpora), cache_mb=prefs.cache_mb
        )
        #: Follow links that lead out of a corpus folder (preferences.json; off by default).
        self.follow_outside_links = prefs.follow_outside_links
        #: The file suffixes read as briefs (text, and each format reader's).
        self.suffixes: tuple[str, ...] = readable_suffixes()
        self._last_read: tuple[tuple[str, int, int], list[Brief]] | None = None
        self.problems: list[Problem] = []
        self._builder: ix.QueryBuilder | None = None
        self._opened = False
        self._read_only = False
        #: Extra glossary files beyond the bundled and user ones (an indexer child reloads them).
        self.glossary_files: list[Path] = []

    @classmethod
    def open(
        cls,
        corpora: Sequence[Path] | None = None,
        *,
        data_dir: str | os.PathLike[str] | None = None,
        glossary_files: Sequence[Path] = (),
    ) -> Library:
        """The library the front ends use: bundled + user + extra glossaries merged.

        Without ``corpora``, the folders last remembered (by either front end, see
        :meth:`remember_corpora`) that still exist, else the bundled sample corpus.
        """
        data = paths.data_dir(data_dir)
        glossary = Glossary.load(
            [paths.bundled_glossary(), paths.user_glossary(data), *map(Path, glossary_files)]
        )
        if not corpora:
            corpora = Preferences.load(data).existing_corpora() or [paths.sample_corpus_dir()]
        lib = cls(list(corpora), data, glossary)
        lib.glossary_files = [Path(g) for g in glossary_files]
        return lib

    def remember_corpora(self) -> None:
        """Open these corpus folders next time, whichever front end starts (preferences.json)."""
        Preferences.load(self.data_dir).remember_corpora(self.corpora)

    def reader(self) -> Library:
        """A second library on the same index that only reads, for searching during updates.

        It never creates, rebuilds or moves the index: if there is no usable index it raises
        :class:`briefreader.core.index.IndexDamagedError`.
        """
        other = Library(self.corpora, self.data_dir, self.glossary)
        other.index.open(create=False)
        other._opened = True
        other._read_only = True
        return other

    # -- the index -----------------------------------------------------------------------

    def _ensure_open(self) -> None:
        """Open the index to read it; creating or rebuilding it happens under the lock only.

        Without the lock a second process could wipe the files a first one is writing.
        """
        if self._opened:
            return
        try:
            self.index.open(create=False)
        except ix.IndexDamagedError:
            if self._read_only:
                raise
            with self.index.locked(5.0):
                self.index.open()
        self._opened = True

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        """Read the index; damage found while reading marks it for a rebuild, in plain words."""
        self._ensure_open()
        try:
            yield
        except Exception as exc:
            if not is_damage(exc):
                raise
            log.warning("the index is damaged", exc_info=True)
            self.index.mark_damaged(f"{type(exc).__name__}: {exc}")
            self.close()
            raise ix.IndexDamagedError(
                "The index is damaged; it will be rebuilt at the next update."
            ) from exc

    def _open_for_update(self) -> set[str]:
        """Under the lock: open the index (rebuilding it if damaged); the keys it holds."""
        for attempt in range(2):
            if not self._opened or self.index.damage_path.exists():
                self.index.close()
                self.index.open()
                self._opened = True
            try:
                return self.index.indexed_keys()
            except Exception as exc:
                if attempt or not is_damage(exc):
                    raise
                log.warning("the index is damaged", exc_info=True)
                self.index.mark_damaged(f"{type(exc).__name__}: {exc}")
        raise AssertionError("unreachable")

    @property
    def builder(self) -> ix.QueryBuilder:
        if self._builder is None:
            g = self.glossary

            def resolve(name: str) -> str | None:
                actor = g.lookup(name)
                return actor.id if actor else None

            # The asked-for actors' names alone, per set of actors: a section that holds none
            # of them needs no run of the whole glossary (most titles and many comments).
            narrow: dict[str, Any] = {"of": None, "by_ids": {}}

            def actor_spans(text: str, actor_ids: frozenset[str]) -> list[tuple[int, int]]:
                whole = g.matcher()
                if narrow["of"] is not whole:
                    narrow["of"], narrow["by_ids"] = whole, {}
                own = narrow["by_ids"].get(actor_ids)
                if own is None:
                    if len(narrow["by_ids"]) > 64:
                        narrow["by_ids"].clear()
                    own = narrow["by_ids"][actor_ids] = Matcher(
                        e for e in whole.entries if e[1] in actor_ids
                    )
                # Where the asked actors' names stand, read with the whole glossary (which
                # may keep a longer name there): only a stretch around each place.
                return whole.spans_of(text, actor_ids, own)

            def strict(name: str) -> bool:
                # Written in capitals in the glossary (US, IRGC) or a match_case actor.
                actor = g.lookup(name)
                if actor is None:
                    return False
                if actor.match_case:
                    return True
                # Typed in lower case, a capitals-only alias still counts from three letters
                # on ("pmf", "irgc"): the short ones ("us", "kh") are everyday words.
                letters = [c for c in name if c.isalpha()]
                capitals = any(
                    _norm(alias) == _norm(name) and alias.upper() == alias for alias in actor.names
                )
                return capitals and len(letters) <= 2

            self._builder = ix.QueryBuilder(
                ix.make_schema(), resolve, actor_spans, alias_is_strict=strict
            )
        return self._builder

    def _scan(self) -> Iterator[tuple[Path, Path]]:
        for root in self.corpora:
            if not root.is_dir():
                self.problems.append(Problem(str(root), "corpus folder not found"))
                continue
            for path in iter_brief_files(
                root,
                skipped=self._skipped,
                outside_links=self.follow_outside_links,
                suffixes=self.suffixes,
                others=self._not_read,
                folder_is_part=is_saved_page_folder,
            ):
                yield root, path

    def _skipped(self, path: Path, reason: str) -> None:
        """An entry of a corpus folder the walk passed over: one line in the report."""
        self.problems.append(Problem(str(path), reason))

    def _not_read(self, path: Path) -> None:
        """A file of a type briefreader does not read: said, with what to do if we know."""
        self.problems.append(Problem(str(path), not_read_reason(path)))

    def update(
        self,
        progress: ProgressFn | None = None,
        cancel: Callable[[], bool] | None = None,
        *,
        lock_timeout: float | None = None,
        bulk: bool | None = None,
    ) -> UpdateReport:
        """Bring the index in line with the corpus folders: add, re-index, remove.

        Unchanged files (same size and mtime, or same content hash) are not re-read.
        ``bulk`` chooses Whoosh's multi-process writer (default: from BULK_THRESHOLD new
        briefs on); its helper processes start as :mod:`briefreader.core.processes`
        chooses (spawn wherever a fork would be unsafe or is refused).
        Raises :class:`briefreader.core.index.IndexBusyError` if another process is writing
        (after waiting ``lock_timeout`` seconds; default: BRIEFREADER_LOCK_TIMEOUT or 5).
        """
        if self._read_only:
            raise RuntimeError("this library was opened read-only")
        if lock_timeout is None:
            lock_timeout = default_lock_timeout()
        t0 = time.perf_counter()
        self.problems = []
        report = UpdateReport()
        with self.index.locked(lock_timeout):
            indexed = self._open_for_update()
            report.rebuilt_reason = self.index.rebuilt_reason
            plan = self._plan(indexed, report)
            self._apply(plan, report, progress, cancel, bulk)
        report.problems = list(self.problems)
        report.seconds = time.perf_counter() - t0
        return report

    def _plan(self, indexed: set[str], report: UpdateReport) -> _Plan:
        """Under the lock: which files to (re)index, which keys to remove, what to report."""
        manifest = self.index.read_manifest()
        # A key in the manifest but not in the index (crash before commit) is redone.
        for key in list(manifest):
            if key not in indexed:
                del manifest[key]
        known_problems = self.index.read_problems()
        forced = self._rematch_keys(indexed)
        plan = _Plan(manifest)
        seen: set[str] = set()
        for root, path in self._scan():
            key = str(path)
            if key in seen:
                continue
            seen.add(key)
            try:
                st = path.stat()
            except OSError as exc:
                self.problems.append(Problem(key, f"cannot read: {exc.strerror or exc}"))
                continue
            old = manifest.get(key)
            same = old is not None and (old.size, old.mtime_ns) == (st.st_size, st.st_mtime_ns)
            force = forced is None or key in forced
            if old is not None and same and not force:
                report.unchanged += old.items
                self.problems.extend(Problem(key, w, "warning") for w in old.warnings)
                continue
            skipped = known_problems.get(key)
            if skipped is not None and (skipped[0], skipped[1]) == (st.st_size, st.st_mtime_ns):
                # Skipped before and not changed since: report it again without re-reading.
                self.problems.append(Problem(key, skipped[2]))
                plan.problems[key] = skipped
                continue
            # In the index but not the manifest (a crash between a commit and the manifest
            # write) also counts as existing: the bulk writer must delete it before adding.
            existed = old is not None or key in indexed
            plan.todo.append(Todo(root, path, key, st, existed, force and same))
        plan.removed = sorted({k for k in manifest if k not in seen} | (indexed - seen))
        report.removed = len(plan.removed)
        return plan

    def _apply(
        self,
        plan: _Plan,
        report: UpdateReport,
        progress: ProgressFn | None,
        cancel: Callable[[], bool] | None,
        bulk: bool | None,
    ) -> None:
        """Under the lock: write what :meth:`_plan` found, then the bookkeeping files."""
        todo, removed, manifest = plan.todo, plan.removed, plan.manifest
        total = len(todo)
        replaced: list[str] = []
        if bulk is None:
            bulk = total >= BULK_THRESHOLD
        if bulk:
            # The bulk writer only adds: what it replaces is deleted first.
            existing = [t.key for t in todo if t.existed]
            if existing or removed:
                self.index.write([], existing + removed, manifest=manifest)
                removed = []

        def job(item: Todo) -> FileJob:
            # What the index holds of it, to skip reading a touched but unchanged file.
            old = manifest.get(item.key)
            known = old.sha256 if old is not None and not item.rematch else ""
            return FileJob(item.path, rel_id(item.path, item.root), known)

        # Read in worker processes ahead of the writer when there are enough files to pay
        # for them (core/extract.py), and given back in this order: what is written,
        # committed and put in the manifest is the same as reading them here one by one.
        with extract.outcomes([job(item) for item in todo]) as outcomes:

            def docs() -> Iterator[ix.IndexDoc]:
                for n, item in enumerate(todo, start=1):
                    if cancel is not None and cancel():
                        return
                    if progress is not None:
                        progress(n, total, str(item.path))
                    got = next(outcomes)  # a text brief is read now, after its progress
                    yield from self._prepare(item, got, manifest, report, plan.problems, replaced)

            # Nothing new, changed or gone: no writer, no commit, no manifest written again.
            if todo or removed:
                self.index.write(
                    docs(),
                    removed,
                    manifest=manifest,
                    bulk=bulk,
                    batch=BULK_BATCH if bulk else 0,
                    batch_max=BULK_BATCH_MAX,
                )
        if replaced:
            # Indexed before, unreadable now: the old version goes, the problem is shown.
            self.index.write([], replaced, manifest=manifest)
            report.removed += len(replaced)
        self.index.save_problems(plan.problems)
        if cancel is None or not cancel():
            # Each new segment's terms laid out as mapped arrays (termfile.py): a search then
            # reads a term as a slice. Seconds per 100,000 briefs, nothing when none is new.
            procs = min(2, os.cpu_count() or 1) if bulk else 1
            self.index.write_term_files(procs=procs)
            # Each new segment's candidate names read while its texts are fresh (issue 15):
            # the candidates list is then a sum of kept counts, not a read of every brief.
            try:
                ix.prepare_candidates(
                    self.index,
                    self._name_finder(),
                    self._glossary_key(),
                    procs=procs,
                    cancel=cancel,
                )
            except Exception:  # a cache only: counted on demand without it
                log.exception("candidate names not read after indexing")
            self.index.save_glossary_state(_glossary_state(self.glossary))
            self.index.clear_rebuilt()

    def rebuild(self, *, lock_timeout: float | None = None) -> None:
        """Throw the index away, so that the next :meth:`update` builds it anew.

        Done under the update lock (another instance's writer is never wiped from under
        it); the lock file itself stays. Raises IndexBusyError like :meth:`update`.
        """
        if self._read_only:
            raise RuntimeError("this library was opened read-only")
        if lock_timeout is None:
            lock_timeout = default_lock_timeout()
        self.close()
        folder = self.index.folder
        if not folder.is_dir():
            return
        with self.index.locked(lock_timeout):
            for child in folder.iterdir():
                if child.name == LOCK_FILE:
                    continue
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
        log.info("index %s thrown away for a rebuild", folder)

    def _prepare(
        self,
        item: Todo,
        got: FileOutcome,
        manifest: dict[str, ix.ManifestEntry],
        report: UpdateReport,
        problems: dict[str, tuple[int, int, str]],
        replaced: list[str],
    ) -> list[ix.IndexDoc]:
        """Match one file's briefs as read (``got``): their docs (several for a digest or a
        mailbox), none if it needs no indexing or could not be read."""
        key, st = item.key, item.st
        if got.refused is not None:
            self.problems.append(Problem(key, got.refused))
            problems[key] = (st.st_size, st.st_mtime_ns, got.refused)
            if item.existed:
                replaced.append(key)  # indexed before, unreadable now: the old one goes
            return []
        if got.failed is not None or got.briefs is None and key not in manifest:
            self.problems.append(Problem(key, got.failed or "cannot read"))
            if got.gone and item.existed:
                replaced.append(key)  # the old version must not outlive the file
            return []
        digest = got.sha256
        if got.briefs is None:
            # Touched but not changed: remember the new mtime, skip the work.
            old = manifest[key]
            manifest[key] = ix.ManifestEntry(
                st.st_size, st.st_mtime_ns, digest, old.id, old.warnings, old.items
            )
            report.unchanged += old.items
            self.problems.extend(Problem(key, w, "warning") for w in old.warnings)
            return []
        briefs, warnings = got.briefs, got.warnings
        file_id = rel_id(item.path, item.root)
        self.problems.extend(Problem(key, w, "warning") for w in warnings)
        docs = []
        for brief in briefs:
            mentions = self.glossary.mentions(brief)
            docs.append(
                to_doc(
                    brief, key, st.st_size, st.st_mtime_ns, mentions,
                    file_id=file_id, file_sha256=digest, items=len(briefs),
                    warnings=warnings,
                )  # fmt: skip
            )
        if item.rematch:
            report.rematched += len(docs)
        elif item.existed:
            report.updated += len(docs)
        else:
            report.added += len(docs)
        report.count_format(item.path.suffix)
        return docs

    def _rematch_keys(self, indexed: set[str]) -> set[str] | None:
        """Briefs whose actors may differ under the current glossary (None: all of them)."""
        state = self.index.glossary_state()
        current = _glossary_state(self.glossary)
        if state == current:
            return set()
        if not indexed:
            return set()
        if not state or "actors" not in state:
            return None
        old, new = state["actors"], current["actors"]
        changed = {a for a in set(old) | set(new) if old.get(a) != new.get(a)}
        names = {n for a in changed for n in new.get(a, [False])[1:]}
        return self.index.keys_for_names(names, changed)

    # -- reading -------------------------------------------------------------------------

    def brief(self, ref: str) -> Brief:
        """A brief by id (relative path, or ``file#n`` for an item of a digest or a
        mailbox) or by file path (a file of several briefs gives its first), read from disk."""
        candidate = Path(ref).expanduser()
        if candidate.is_file():
            if candidate.suffix.lower() not in self.suffixes:
                raise BriefError(
                    ref, f"not a brief (briefreader reads {', '.join(self.suffixes)})"
                )
            real = candidate.resolve()
            root = next((r for r in self.corpora if real.is_relative_to(r)), real.parent)
            return self._briefs_of(real, root)[0]
        for root in self.corpora:
            path = root / ref
            if path.is_file() and path.suffix.lower() in self.suffixes:
                return self._briefs_of(path, root)[0]
        with self._reading():
            keys = self.index.keys_for_id(ref)
        for key in keys:
            path = Path(key)
            if path.is_file():
                root = next((r for r in self.corpora if path.is_relative_to(r)), path.parent)
                for brief in self._briefs_of(path, root):
                    if brief.id == ref:
                        return brief
        raise BriefError(ref, "no such brief in the library")

    def _briefs_of(self, path: Path, root: Path) -> list[Brief]:
        """Every brief of one file, the last file read kept (a digest's items are opened one
        after the other, and a PDF or a mailbox is not read again for each)."""
        try:
            st = path.stat()
        except OSError as exc:
            raise BriefError(path, f"cannot read the file ({exc.strerror or exc})") from None
        stamp = (str(path), st.st_size, st.st_mtime_ns)
        if self._last_read is not None and self._last_read[0] == stamp:
            return self._last_read[1]
        briefs, _warnings = briefs_of_file(path, rel_id(path, root))
        self._last_read = (stamp, briefs)
        return briefs

    def mentions(self, brief: Brief) -> list[Mention]:
        return self.glossary.mentions(brief)

    def search(
        self,
        text: str,
        *,
        limit: int = 20,
        offset: int = 0,
        sort: str = "relevance",
        actors: Sequence[str] = (),
        sources: Sequence[str] = (),
        tags: Sequence[str] = (),
        since: dt.date | None = None,
        until: dt.date | None = None,
        years: Sequence[int] = (),
        facets: bool = True,
        snippets: bool = True,
        time_limit: float | None = ix.TIME_LIMIT_S,
    ) -> ix.SearchResults:
        """Search the index; actor filters accept any name or alias of an actor."""
        text, tamed = prepare_query(text)
        if since is not None and until is not None and since > until:
            tamed.append(
                f"the dates run backwards ({since.isoformat()} to {until.isoformat()}): searched"
                f" from {until.isoformat()} to {since.isoformat()}"
            )
            since, until = until, since
        filters = self._filters(actors, sources, tags, since, until, years)
        with self._reading():
            results = ix.search(
                self.index,
                self.builder,
                text,
                limit=limit,
                offset=offset,
                sort=sort,
                filters=filters,
                facets=facets,
                snippets=snippets,
                time_limit=time_limit,
            )
            groups = self.index.copy_groups()
        if groups.of:
            results.hits = [
                dataclasses.replace(h, copies=groups.others(h.id)) if h.id in groups.of else h
                for h in results.hits
            ]
        results.notices[:0] = [n for n in tamed if n not in results.notices]
        reason = self.index.pending_rebuild()
        if reason:  # rebuilt, and not yet filled by an update
            results.notices.append(
                f"{reason[:1].upper()}{reason[1:]}; results are incomplete until indexing has"
                " finished."
            )
        return results

    def _filters(
        self,
        actors: Sequence[str],
        sources: Sequence[str],
        tags: Sequence[str],
        since: dt.date | None,
        until: dt.date | None,
        years: Sequence[int],
    ) -> ix.Filters:
        """The index's filters; an actor may be given by any name or alias."""
        actor_ids = []
        for a in actors:
            actor = self.glossary.lookup(a) or self.glossary.get(a)
            actor_ids.append(actor.id if actor else a)
        return ix.Filters(
            tuple(actor_ids), tuple(sources), tuple(tags), since, until, tuple(years)
        )

    def found_among(
        self,
        text: str,
        ids: Sequence[str],
        *,
        actors: Sequence[str] = (),
        sources: Sequence[str] = (),
        tags: Sequence[str] = (),
        since: dt.date | None = None,
        until: dt.date | None = None,
        years: Sequence[int] = (),
    ) -> list[str]:
        """Which of the brief ``ids`` :meth:`search` with these words and filters finds (any
        tier, any order): its matches counted once, nothing listed."""
        text, _notices = prepare_query(text)
        filters = self._filters(actors, sources, tags, since, until, years)
        with self._reading():
            return ix.found_among(self.index, self.builder, text, ids, filters)

    def stored_of(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The index's stored fields of each brief id it holds (no file read)."""
        with self._reading():
            s = self.index.searcher()
            return {
                brief_id: dict(s.stored_fields(docnum))
                for brief_id, docnum in ix.docnums_of(self.index, ids).items()
            }

    def hit_spans(self, brief: Brief, text: str) -> list[tuple[int, int]]:
        """Offsets in ``brief.text`` of the words the query ``text`` matches."""
        if not text.strip():
            return []
        text = prepare_query(text)[0]  # the query as searched
        with self._reading():
            parsed = self.builder.parse(text, self.index.searcher().reader())
        out: list[tuple[int, int]] = []
        for _section, start, body in brief.sections():
            out.extend((start + a, start + b) for a, b in ix.hit_spans(self.builder, body, parsed))
        return out

    def related(self, brief_id: str, limit: int = 10) -> list[ix.Hit]:
        """Briefs like this one; its copies (the same article elsewhere) are not among them."""
        with self._reading():
            others = self._copies_of(brief_id)
            return ix.related(
                self.index, brief_id, limit=limit, filters=ix.Filters(exclude=others)
            )

    def copies_of(self, brief_id: str) -> tuple[str, ...]:
        """The other briefs holding the same article as ``brief_id`` (its other places)."""
        with self._reading():
            return self._copies_of(brief_id)

    def _copies_of(self, brief_id: str) -> tuple[str, ...]:
        return self.index.copy_groups().others(brief_id)

    def actor_counts(self) -> dict[str, int]:
        """Briefs mentioning each actor of the glossary (0 for none)."""
        with self._reading():
            counts = self.index.actor_document_counts()
        return {actor_id: counts.get(actor_id, 0) for actor_id in self.glossary.actors}

    def actor(self, actor_id: str) -> Actor | None:
        return self.glossary.get(actor_id)

    def find_actor(self, name: str) -> Actor | None:
        """The actor going by ``name``: any of its names or aliases, or its id."""
        return self.glossary.lookup(name) or self.glossary.get(name)

    def actor_page(
        self, name: str, *, company_limit: int = 25, comment_briefs: int | None = None
    ) -> ix.ActorPage:
        """One actor across the index (the actor workbench); ``name`` is any of its names.
        The analysts' sentences come from the newest ``comment_briefs`` briefs only, when
        given (the window's first screen); :meth:`actor_comments` reads on.

        Raises KeyError for a name no actor of the glossary goes by.
        """
        actor_id, find = self._actor_finder(name)
        with self._reading():
            return ix.actor_page(
                self.index,
                actor_id,
                find,
                company_limit=company_limit,
                comment_briefs=comment_briefs,
            )

    def actor_comments(
        self, name: str, start: int, count: int | None = None
    ) -> list[ix.CommentSentence]:
        """The analysts' sentences naming an actor in its comment briefs ``start`` to
        ``start + count``, newest first (an actor page's dossier, read on)."""
        actor_id, find = self._actor_finder(name)
        with self._reading():
            return actor_comments(self.index, actor_id, find, start, count)

    def _actor_finder(self, name: str) -> tuple[str, Callable[[str], list[tuple[str, int, int]]]]:
        actor = self.find_actor(name)
        if actor is None:
            raise KeyError(name)
        matcher = self.glossary.matcher()

        def find(text: str) -> list[tuple[str, int, int]]:
            return [(m.actor_id, m.start, m.end) for m in matcher.find(text)]

        return actor.id, find

    def _name_finder(self) -> Callable[[str], list[tuple[int, int]]]:
        return NameSpans(self.glossary.matcher())  # pickles: helpers may be spawned

    def candidates(
        self, min_briefs: int = 3, cancel: Callable[[], bool] | None = None
    ) -> list[ix.Candidate]:
        """Names recurring in at least ``min_briefs`` briefs that no actor goes by; ``cancel``
        returning True stops the count early (with what was counted so far)."""
        find_names = self._name_finder()

        def is_known(name: str) -> bool:
            return self.glossary.lookup(name) is not None

        with self._reading():
            return ix.candidates(
                self.index,
                find_names,
                is_known,
                min_briefs=min_briefs,
                cancel=cancel,
                glossary_key=self._glossary_key(),
            )

    def last_candidates(self, min_briefs: int = 3) -> tuple[list[ix.Candidate], bool] | None:
        """The candidates last counted (at once), and whether the index and the glossary are
        still as they were then; None if none were kept."""
        with self._reading():
            return last_candidates(self.index, self._glossary_key(), min_briefs)

    def _glossary_key(self) -> str:
        """A short digest of what matching depends on (kept with counts made under it)."""
        state = json.dumps(_glossary_state(self.glossary), sort_keys=True)
        return hashlib.sha256(state.encode("utf-8")).hexdigest()[:24]

    def doc_count(self) -> int:
        with self._reading():
            return self.index.doc_count()

    def close(self) -> None:
        self.index.close()
        self._opened = False


def default_lock_timeout() -> float:
    """How long an update waits for another instance to finish (BRIEFREADER_LOCK_TIMEOUT)."""
    try:
        return max(0.0, float(os.environ.get("BRIEFREADER_LOCK_TIMEOUT", "5")))
    except ValueError:
        return 5.0


def _norm(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


__all__ = ["ARTICLE", "Library", "Problem", "UpdateReport"]  # Problem and UpdateReport: core.report
