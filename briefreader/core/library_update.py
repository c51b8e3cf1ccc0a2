"""Bringing the local index in line with the corpus folders: what changed, read and written.

Under the update lock, :meth:`LocalUpdate._plan` finds what to do (the manifest's sizes and
times, the files skipped last time and not changed since, the briefs a glossary edit may
change), :meth:`LocalUpdate._apply` has the files read (in worker processes when it pays:
:mod:`briefreader.core.extract`), their briefs matched and written in batches, then lays out
the new segments' term files and candidate names and records the glossary the index was
matched with.
"""

from __future__ import annotations

import inspect
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from briefreader.core import extract, formats
from briefreader.core import index as ix
from briefreader.core.briefdocs import (
    FileJob,
    FileOutcome,
    Todo,
    not_read_reason,
    rel_id,
    to_doc,
)
from briefreader.core.extract import Part
from briefreader.core.index.damage import LOCK_NAME
from briefreader.core.library_base import LocalBase, glossary_state, is_damage
from briefreader.core.parse import iter_brief_files
from briefreader.core.records import IndexDoc, WrittenFile
from briefreader.core.report import Problem, UpdateReport
from briefreader.core.walk import is_saved_page_folder

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int, str], None]
"""Called as ``progress(files_done, files_total, path)`` as each file's reading begins (the
first is 1). A callback that takes a fourth argument (``part=None``) is also called as
``progress(files_done, files_total, path, part)`` while a long file is read: how far into
it its reader is (an :class:`~briefreader.core.extract.Part`: pages of a PDF, bytes of a
mailbox), at most five times a second and never for a quick file; one of three arguments
(every caller's before) is called as before (see :func:`takes_part`)."""


def takes_part(progress: Callable[..., Any]) -> bool:
    """Whether ``progress`` may be called with a fourth argument, a :class:`Part`."""
    try:
        inspect.signature(progress).bind(0, 0, "", None)
    except (TypeError, ValueError):  # three arguments only; or a builtin it cannot read
        return False
    return True


#: From this many files to read an update is a bulk build (commits in growing batches, never
#: merging; the reading workers write what they read, see core/extract.py). 200: the email
#: sub-folder of the ingest benchmark (343 files) took 6.5 s written by the updating process,
#: 5.0 s by two reading workers.
BULK_THRESHOLD = 200
#: The bulk writer commits after this many briefs, then after twice as many, and so on up to
#: BULK_BATCH_MAX: a crash loses at most one batch, and a 100,000-brief build ends in 12
#: segments instead of 41 (fewer segments, faster searches).
BULK_BATCH = 5_000
BULK_BATCH_MAX = 25_000
#: A mailbox this large makes an update a bulk build, so that its messages are written by a
#: reading worker as they are read (core/extract.py), never all held at once.
STREAM_FROM = 64 << 20


@dataclass(slots=True)
class _Plan:
    """What an update found to do: the manifest it keeps, files to read, keys to remove."""

    manifest: dict[str, ix.ManifestEntry]
    todo: list[Todo] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    #: Files skipped as unreadable, by key: (size, mtime_ns, reason, reader versions), kept
    #: for the next run.
    problems: dict[str, tuple[int, int, str, str]] = field(default_factory=dict)


class LocalUpdate(LocalBase):
    """The local index's updates: :meth:`update` and :meth:`rebuild`."""

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

    def _scan(self, sniffed: dict[str, str] | None = None) -> Iterator[tuple[Path, Path]]:
        """Every file of the corpus folders to read, with its folder; ``sniffed`` is given
        the suffix each file whose own suffix says nothing is read as (told by its content
        once, in the walk)."""

        def by_content(path: Path) -> bool:
            suffix = formats.reading_suffix(path)
            if suffix is not None and sniffed is not None:
                sniffed[str(path)] = suffix
            return suffix is not None

        ours = os.path.realpath(self.data_dir)

        def not_entered(folder: Path) -> bool:
            # A saved page's folder belongs to its page; this app's own data folder, chosen
            # inside a corpus folder, holds the index, notes and settings, not briefs.
            return is_saved_page_folder(folder) or os.path.realpath(folder) == ours

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
                folder_is_part=not_entered,
                by_content=by_content,
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
        ``bulk`` makes it a bulk build (default: from BULK_THRESHOLD files to read on): batches
        that grow, no merge; every helper process (the reading workers, the segment writer's
        helper) starts as :mod:`briefreader.core.processes` chooses (spawn wherever a fork
        would be unsafe or is refused).
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
        sniffed: dict[str, str] = {}
        for root, path in self._scan(sniffed):
            key = str(path)
            if key in seen:
                continue
            seen.add(key)
            try:
                st = path.stat()
            except OSError as exc:
                self.problems.append(Problem(key, f"cannot read: {exc.strerror or exc}"))
                continue
            fmt = formats.FORMAT_OF_SUFFIX.get(sniffed.get(key) or path.suffix.lower())
            stamp = formats.reader_stamp(fmt) if fmt is not None else ""
            old = manifest.get(key)
            same = old is not None and (old.size, old.mtime_ns) == (st.st_size, st.st_mtime_ns)
            force = forced is None or key in forced
            # Read by older readers than this version's (or before they were recorded).
            stale = old is not None and same and old.reader != stamp
            if old is not None and same and not force and not stale:
                report.unchanged += old.items
                self.problems.extend(Problem(key, w, "warning") for w in old.warnings)
                continue
            skipped = known_problems.get(key)
            if skipped is not None and (skipped[0], skipped[1], skipped[3]) == (
                st.st_size,
                st.st_mtime_ns,
                stamp,
            ):
                # Skipped before, by these readers, and not changed since: report it again
                # without re-reading.
                self.problems.append(Problem(key, skipped[2]))
                plan.problems[key] = skipped
                continue
            # In the index but not the manifest (a crash between a commit and the manifest
            # write) also counts as existing: the bulk writer must delete it before adding.
            existed = old is not None or key in indexed
            rematch = force and same
            plan.todo.append(
                Todo(root, path, key, st, existed, rematch, stamp, stale and not rematch)
            )
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
        streamed = any(t.st.st_size >= STREAM_FROM and is_mailbox(t.path) for t in todo)
        if bulk is None:
            bulk = total >= BULK_THRESHOLD or streamed
        if bulk:
            # The bulk writer only adds: what it replaces is deleted first.
            existing = [t.key for t in todo if t.existed]
            if existing or removed:
                self.index.write([], existing + removed, manifest=manifest)
                removed = []

        def job(item: Todo) -> FileJob:
            # What the index holds of it, to skip reading a touched but unchanged file.
            old = manifest.get(item.key)
            again = item.rematch or item.reread
            known = old.sha256 if old is not None and not again else ""
            st = item.st
            return FileJob(
                item.path, rel_id(item.path, item.root), known, item.key, st.st_size,
                st.st_mtime_ns,
            )  # fmt: skip

        # Read in worker processes ahead of the writer when there are enough files to pay
        # for them (core/extract.py), and given back in this order: what is put in the
        # manifest is the same as reading them here one by one. A bulk build's workers
        # write what they read into segments of their own, which each commit adopts.
        spec = None
        if bulk:
            spec = extract.WriteSpec(
                self.index.folder, self.glossary.matcher(), self.name_finder(),
                self.glossary_key(),
            )  # fmt: skip
        least = 1 if streamed and bulk else extract.MIN_POOL_FILES
        jobs = [job(item) for item in todo]
        told: extract.PartFn | None = None
        if progress is not None and takes_part(progress):
            parts = cast(Callable[[int, int, str, Part], None], progress)

            def told(i: int, part: Part) -> None:
                # How far into the file waited for (job i is todo[i]), as the update counts.
                parts(i + 1, total, str(todo[i].path), part)

        with extract.outcomes(jobs, min_files=least, write=spec, part=told) as outcomes:

            def docs() -> Iterator[IndexDoc | WrittenFile]:
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
                    adopt=outcomes.flush if outcomes.writing else None,
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
            # Each new segment's candidate names read while its texts are fresh: the
            # candidates list is then a sum of kept counts, not a read of every brief.
            try:
                ix.prepare_candidates(
                    self.index,
                    self.name_finder(),
                    self.glossary_key(),
                    procs=procs,
                    cancel=cancel,
                )
            except Exception:  # a cache only: counted on demand without it
                log.exception("candidate names not read after indexing")
            self.index.save_glossary_state(glossary_state(self.glossary))
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
                if child.name == LOCK_NAME:
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
        problems: dict[str, tuple[int, int, str, str]],
        replaced: list[str],
    ) -> list[IndexDoc | WrittenFile]:
        """Match one file's briefs as read (``got``): their docs (several for a digest or a
        mailbox; one record if a worker wrote them), none if it needs no indexing or could
        not be read."""
        key, st = item.key, item.st
        if got.refused is not None:
            self.problems.append(Problem(key, got.refused))
            problems[key] = (st.st_size, st.st_mtime_ns, got.refused, item.reader)
            if item.existed:
                replaced.append(key)  # indexed before, unreadable now: the old one goes
            return []
        if got.written:  # a worker wrote its briefs (a bulk build)
            self.problems.extend(Problem(key, w, "warning") for w in got.warnings)
            self._count(item, got.written, report)
            file_id = rel_id(item.path, item.root)
            digest = got.sha256
            return [
                WrittenFile(
                    key,
                    st.st_size,
                    st.st_mtime_ns,
                    digest,
                    file_id,
                    got.warnings,
                    got.written,
                    item.reader,
                )
            ]
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
                st.st_size, st.st_mtime_ns, digest, old.id, old.warnings, old.items, old.reader
            )
            report.unchanged += old.items
            self.problems.extend(Problem(key, w, "warning") for w in old.warnings)
            return []
        file_id = rel_id(item.path, item.root)
        briefs, warnings = got.briefs, got.warnings
        self.problems.extend(Problem(key, w, "warning") for w in warnings)
        docs: list[IndexDoc | WrittenFile] = []
        found = self.glossary.matcher().actors_in_brief
        for brief in briefs:
            docs.append(
                to_doc(
                    brief,
                    key,
                    st.st_size,
                    st.st_mtime_ns,
                    found(brief),
                    file_id=file_id,
                    file_sha256=digest,
                    items=len(briefs),
                    warnings=warnings,
                    reader=item.reader,
                )  # fmt: skip
            )
        self._count(item, len(docs), report)
        return docs

    @staticmethod
    def _count(item: Todo, briefs: int, report: UpdateReport) -> None:
        if item.rematch:
            report.rematched += briefs
        elif item.existed:
            report.updated += briefs
        else:
            report.added += briefs
        if item.reread:
            report.reread += 1
        report.count_format(formats.reading_suffix(item.path) or item.path.suffix)

    def _rematch_keys(self, indexed: set[str]) -> set[str] | None:
        """Briefs whose actors may differ under the current glossary (None: all of them)."""
        state = self.index.glossary_state()
        current = glossary_state(self.glossary)
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


def is_mailbox(path: Path) -> bool:
    """Whether ``path`` is read as a stream of messages: a mailbox, or a compressed file
    (which may hold one)."""
    return formats.reading_suffix(path) in formats.STREAMED


def default_lock_timeout() -> float:
    """How long an update waits for another instance to finish (BRIEFREADER_LOCK_TIMEOUT)."""
    try:
        return max(0.0, float(os.environ.get("BRIEFREADER_LOCK_TIMEOUT", "5")))
    except ValueError:
        return 5.0
