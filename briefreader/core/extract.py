"""Reading an update's files in worker processes, while this process writes the index.

PDFs, Word files, web pages and emails cost milliseconds to tens of milliseconds each to read
(text briefs a fraction of one); a folder of thousands keeps one core busy while the index
writer waits. Here they are read by a few worker processes, handed out ahead of the writer
and given back in the update's own order, so what is written, committed and recorded in the
manifest is exactly what reading them one by one gives. Outside the index package (whose
segment writer, term-file and candidate helpers are its own), the core starts processes
here only.

Spawn-safe: workers are started as :mod:`briefreader.core.processes` chooses, ``spawn``
wherever ``fork`` is not safe (Windows has none, macOS forbids it once Qt is loaded, and a
process running other threads, as the window's update does, may fork one holding a lock), so
a job is a picklable :class:`~briefreader.core.briefdocs.FileJob` and its answer a
:class:`~briefreader.core.briefdocs.FileOutcome`, and a frozen app's entry point calls
``multiprocessing.freeze_support()``. From the command line on Linux they are forked: each
then starts in milliseconds with the readers already imported, instead of importing them again
(half a second of CPU a worker, a twentieth of the ingest benchmark's wall time). No thread is
started in this process: each worker has a pipe of its own, waited on with
``multiprocessing.connection.wait`` (a process that forks later, as the segment writer's
helper does, never forks a thread holding a lock).

Kill-safety: a worker only reads files and never touches the index, whose commits stay in the
updating process; a worker ends when its pipe closes or its parent goes away (killed
included), and a worker that dies on a file costs that file only (a line in the report) and
is replaced. Text briefs are read in this process; the workers start only when enough other
files need reading to pay for them (:data:`MIN_POOL_FILES`).

In a bulk build (:class:`WriteSpec`) the workers also write what they read, text briefs
included, each into a segment of its own (``index/shard.py``): the updating process then only
records and commits, and each of the build's commits first asks every worker to close its
segment (:meth:`Outcomes.flush`). A worker that dies takes its unclosed segment with it:
the files written into it are read again by another worker before the commit, the one it
died on is reported as before.

A long file (a PDF of 2,000 pages, a mailbox of gigabytes) may take a minute: how far into it
its reader is (a :class:`Part`) comes back on the worker's pipe ahead of its outcome, at most
every :data:`PART_EVERY` seconds and only once the file has taken that long (a quick file
sends nothing), and is given to the update's ``part`` callback while the update waits for
that file; read in this process, the same is told directly.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from briefreader.core import copies, formats
from briefreader.core.brief import Brief
from briefreader.core.briefdocs import (
    FileJob,
    FileOutcome,
    is_text_brief,
    read_for_update,
    reader_failed,
    to_doc,
)
from briefreader.core.parse import BRIEF_SUFFIXES
from briefreader.core.processes import context as helper_context
from briefreader.core.processes import die_with_parent

log = logging.getLogger(__name__)

#: Fewer files for the format readers than this are read in the updating process: starting a
#: worker (an interpreter, the readers' libraries) costs about as much as reading 20 of them.
MIN_POOL_FILES = 20
#: At most this many workers by default, however many cores (each holds its files' briefs).
MAX_PROCESSES = 4
#: Files handed to one worker at a time: one being read, one waiting (no idle gap between).
PER_WORKER = 2
#: Files read ahead of the writer, per worker, at most (bounds the briefs held in memory).
AHEAD_PER_WORKER = 4
#: The same for workers that write what they read: their outcomes hold no briefs, only a
#: slow file (a mailbox, a long PDF) holds the others back when they must wait for it.
AHEAD_WRITING = 256
#: Workers that end before they are ready, after which the update reads files itself.
FALSE_STARTS = 3
#: Writing workers that may end with their segment not yet closed (its files are read and
#: written again) before the build gives up (its last batch is then not committed).
LOST_SEGMENTS = 3
#: A worker's first word: it has started and imported what reading needs.
READY = "ready"
#: Environment variable: the number of worker processes (0: read in the updating process).
PROCESSES_ENV = "BRIEFREADER_READ_PROCESSES"
#: The updating process's word to a writing worker: close your segment and give it.
FLUSH = "flush"
#: A worker's word: how far into the file it reads it is, ``(PART, done, total, unit)``.
PART = "part"
#: How far into a file its reader is, told at most this often (seconds), and only once the
#: file has taken this long: a file read in less says nothing, and the pipe carries at most
#: five words a second a worker beside the outcomes.
PART_EVERY = 0.2


@dataclass(frozen=True, slots=True)
class Part:
    """How far into one long file its reader is: ``done`` of ``total`` ``unit``s, pages of
    a PDF ("page") or bytes of a mailbox ("byte")."""

    done: int
    total: int
    unit: str = "page"

    def how_far(self) -> str:
        """In words, for a person: ``page 412 of 2000``, ``34 % read``."""
        if self.unit == "page":
            return f"page {self.done} of {self.total}"
        return f"{min(self.done, self.total) * 100 // max(self.total, 1)} % read"


#: Told as ``part(index, part)``: how far the reading of job ``index`` is.
PartFn = Callable[[int, Part], None]


@dataclass(frozen=True, slots=True)
class WriteSpec:
    """What a worker needs to write the briefs it reads (a bulk build): the index's folder
    and the glossary's matcher (their actors are found where they are read); with its name
    finder and key, each segment's candidate names are counted as it is written."""

    folder: Path
    matcher: Any
    names: Any = None
    glossary_key: str = ""


class Outcomes(Iterator[FileOutcome]):
    """Each job's outcome in the jobs' order; :meth:`flush` gives the segments the workers
    wrote (closed now), for a commit to list: [] when no worker writes."""

    def __init__(self, outcomes: Iterator[FileOutcome], pool: _Pool | None = None) -> None:
        self._outcomes = outcomes
        self._pool = pool

    def __next__(self) -> FileOutcome:
        return next(self._outcomes)

    def __iter__(self) -> Outcomes:
        return self

    @property
    def writing(self) -> bool:
        """Whether the workers write what they read (see :class:`WriteSpec`)."""
        return self._pool is not None and self._pool.spec is not None

    def flush(self) -> list[Any]:
        return self._pool.flush() if self.writing and self._pool is not None else []


def default_processes() -> int:
    """Worker processes to read with: one a CPU, at most MAX_PROCESSES;
    BRIEFREADER_READ_PROCESSES overrides (0: read in the updating process).

    Not one CPU left to the updating process any more: since the index writer works from
    postings in memory (index/segwriter.py) it waits for the readers most of a mixed
    folder's build (10 of 31 s on 2 cores), and a second worker on 2 cores took the
    folder's build from 30-34 s to 25-31 s for the same CPU time."""
    wanted = os.environ.get(PROCESSES_ENV, "").strip()
    if wanted:
        try:
            return max(0, int(wanted))
        except ValueError:
            log.warning("%s=%r is not a number; ignored", PROCESSES_ENV, wanted)
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Windows and macOS
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_PROCESSES))


def pooled(job: FileJob) -> bool:
    """Whether ``job`` is worth a worker: every format but text briefs."""
    return not is_text_brief(job.path)


@contextlib.contextmanager
def outcomes(
    jobs: Sequence[FileJob],
    processes: int | None = None,
    min_files: int = MIN_POOL_FILES,
    *,
    write: WriteSpec | None = None,
    part: PartFn | None = None,
) -> Iterator[Outcomes]:
    """Each job's outcome, in the jobs' order, read by worker processes when it pays: at
    least ``min_files`` of them for the format readers (a smoke test passes 1). With
    ``write``, the workers read every file (text briefs too) and write its briefs
    themselves (the outcome says how many: ``written``); without workers, nothing is written.
    ``part`` is told how far into a long file its reader is (:data:`PART_EVERY`), for the job
    whose outcome is being waited for only: the jobs read ahead of it say theirs when their
    turn comes.

    The workers end when the block is left, however it is left: stopping early (a cancel)
    drops the files not yet read, an exception or SystemExit (SIGTERM) ends them at once.
    """
    if processes is None:
        processes = default_processes()
    wanted = len(jobs) if write is not None else sum(1 for j in jobs if pooled(j))
    if processes < 1 or wanted < max(1, min_files):
        yield Outcomes(_read_here(job, i, part) for i, job in enumerate(jobs))
        return
    pool = _Pool(jobs, processes, write, part)
    try:
        yield Outcomes(pool.results(), pool)
    finally:
        pool.close()
        copies.forget()  # fingerprints of briefs read but never written (a cancel)


@dataclass(eq=False, slots=True)
class _Worker:
    process: Any  # multiprocessing's SpawnProcess or ForkProcess
    conn: Connection
    #: Indexes of the jobs handed to it, in the order it reads them.
    given: deque[int] = field(default_factory=deque)
    #: It has started (imported the readers): from then on, its end is its file's doing.
    ready: bool = False
    #: Jobs whose briefs are in its segment not yet closed (lost with it if it dies).
    written: list[int] = field(default_factory=list)
    #: Asked to close its segment, not answered yet.
    flushing: bool = False


class _Pool:
    """Worker processes reading ``jobs`` ahead of the consumer, answering in order."""

    def __init__(self, jobs: Sequence[FileJob], processes: int,
                 spec: WriteSpec | None = None, part: PartFn | None = None) -> None:  # fmt: skip
        self.jobs = jobs
        self.spec = spec
        #: Told how far the file waited for is read; the parts of files read ahead of it are
        #: kept (the last of each) for when it is their turn.
        self.part = part
        self.parts: dict[int, Part] = {}
        self.waiting = -1
        self.context = helper_context()  # fork where safe: the readers are imported
        self.pooled: Callable[[FileJob], bool] = pooled if spec is None else _every
        self.size = max(1, min(processes, sum(1 for j in jobs if self.pooled(j))))
        self.workers: list[_Worker] = []
        #: Job indexes for the workers, in order; retried ones (their worker died while
        #: another file was being read, or with a segment holding them) go first.
        self.todo: deque[int] = deque(i for i, j in enumerate(jobs) if self.pooled(j))
        self.retry: deque[int] = deque()
        self.done: dict[int, FileOutcome] = {}
        #: The last job whose outcome was given back (one given back and then read again, to
        #: be written again, is not given back twice).
        self.out = -1
        #: Segments the workers closed and handed over (Whoosh segment objects).
        self.segments: list[Any] = []
        #: Segments lost with their worker so far (see LOST_SEGMENTS), and the files they
        #: held, not yet written again.
        self.lost = 0
        self.rewrite: set[int] = set()
        self.ahead = self.size * AHEAD_PER_WORKER if spec is None else AHEAD_WRITING
        self.restarts = 0
        #: Workers that ended before they were ready; after a few, files are read here.
        self.false_starts = 0

    # -- the consumer's side ------------------------------------------------------------

    def results(self) -> Iterator[FileOutcome]:
        for i, job in enumerate(self.jobs):
            self._hand_out()
            if not self.pooled(job):
                self.out = i
                yield read_for_update(job)  # text: quicker here than a trip to a worker
                continue
            self._wait_for(i)
            while i not in self.done and self.false_starts < FALSE_STARTS:
                self._collect()
                self._hand_out()
            self.waiting = -1
            if i not in self.done:  # workers cannot start here: read in this process
                self.done[i] = _read_here(job, i, self.part)
            self.out = i
            yield self.done.pop(i)

    def _wait_for(self, i: int) -> None:
        """From now on the parts of job ``i`` are told (the last one read ahead first)."""
        self.waiting = i
        known = self.parts.pop(i, None)
        if known is not None and self.part is not None and i not in self.done:
            self.part(i, known)

    def _told(self, i: int, part: Part) -> None:
        if i == self.waiting:
            if self.part is not None:
                self.part(i, part)
        elif i not in self.done and i > self.out:
            self.parts[i] = part

    def flush(self) -> list[Any]:
        """Every worker's segment, closed, once every file handed out is read and written
        (files read ahead included); what a dead worker's segment held is written again by
        another first. Raises RuntimeError when that cannot be done (the workers cannot
        start any more): the build then stops before its commit."""
        while True:
            while self.retry or self._in_flight():
                if self.false_starts >= FALSE_STARTS:
                    # No worker starts any more: this process reads the files never read
                    # (results()), but cannot write again what a lost segment held.
                    if self.rewrite:
                        raise RuntimeError(
                            "the reading processes stopped; the build is not complete"
                        )
                    self.retry.clear()
                    if not self._in_flight():
                        break
                self._hand_out(retry_only=True)
                self._collect()
            asked = [w for w in self.workers if w.written]
            for w in asked:
                try:
                    w.conn.send(FLUSH)
                    w.flushing = True
                except (OSError, ValueError):  # it has died: _collect() will say so
                    pass
            while any(w.flushing for w in self.workers):
                self._collect()
            if not self.retry and not any(w.written for w in self.workers):
                segments, self.segments = self.segments, []
                return segments

    def close(self) -> None:
        """End every worker: those with nothing to do are told to stop, the others (a cancel,
        an error) are terminated; then each is waited for."""
        for w in self.workers:
            if w.given:
                w.process.terminate()
            else:
                with contextlib.suppress(OSError, ValueError):
                    w.conn.send(None)
        for w in self.workers:
            w.process.join(5)
            if w.process.is_alive():
                w.process.kill()
                w.process.join(5)
            w.conn.close()
        self.workers = []

    # -- handing out and collecting -----------------------------------------------------

    def _in_flight(self) -> int:
        return sum(len(w.given) for w in self.workers)

    def _hand_out(self, retry_only: bool = False) -> None:
        """Give idle workers their next files, within the read-ahead bound (with
        ``retry_only``, only files to read again); start workers (again) while there are
        files for them."""
        if self.false_starts >= FALSE_STARTS:
            return
        while len(self.workers) < self.size and (self.retry or self.todo and not retry_only):
            self.workers.append(self._start())
        for w in sorted(self.workers, key=lambda w: len(w.given)):
            while len(w.given) < PER_WORKER and (self.retry or self.todo and not retry_only):
                if not self.retry and len(self.done) + self._in_flight() >= self.ahead:
                    return
                i = self.retry.popleft() if self.retry else self.todo.popleft()
                try:
                    w.conn.send(self.jobs[i])
                except (OSError, ValueError):  # it has died: _collect() will say so
                    self.retry.appendleft(i)
                    break
                w.given.append(i)

    def _collect(self) -> None:
        """Wait for at least one answer or a worker's end, and file what came."""
        if all(not w.given and not w.flushing and w.process.is_alive() for w in self.workers):
            raise RuntimeError("waiting for files no worker is reading")  # a bug here
        owners: dict[Any, _Worker] = {}
        for w in self.workers:
            owners[w.conn] = w
            owners[w.process.sentinel] = w
        failed = ""
        for ready in wait(list(owners)):
            w = owners[ready]
            if w not in self.workers:
                continue  # its pipe and its sentinel were both ready: already seen to
            try:
                while w.conn.poll():
                    answer = w.conn.recv()
                    if answer == READY:
                        w.ready = True
                    elif answer[0] == PART:
                        if w.given:
                            self._told(w.given[0], Part(*answer[1:]))
                    elif answer[0] == FLUSH:
                        w.flushing = False
                        w.written.clear()
                        failed = failed or answer[2]
                        self.segments.extend(answer[1])
                    elif w.given:
                        outcome, prints = answer
                        i = w.given.popleft()
                        self.parts.pop(i, None)
                        if outcome.written:
                            w.written.append(i)
                        self.rewrite.discard(i)
                        if i <= self.out or i in self.done:
                            continue  # read again to be written again: given back already
                        copies.remember((b.article for b in outcome.briefs or ()), prints)
                        self.done[i] = outcome
            except (EOFError, OSError):
                self._died(w)
                continue
            if not w.process.is_alive():
                self._died(w)
        if failed:  # the build stops before its commit: what was committed stays
            raise OSError(f"the index could not be written: {failed}")

    def _died(self, w: _Worker) -> None:
        """A worker has ended: the file it was reading is reported, its other files go to the
        next worker, and a new worker will take its place."""
        w.process.join(5)
        if not w.ready:
            log.warning("a reading process did not start (exit code %s)", w.process.exitcode)
            self.false_starts += 1
            if self.false_starts >= FALSE_STARTS:
                log.error("reading processes cannot start: files are read in this process")
            self.retry.extendleft(reversed(w.given))
            w.given.clear()
        elif w.given:
            culprit = w.given.popleft()
            log.warning(
                "a reading process ended (exit code %s) while reading %s",
                w.process.exitcode,
                self.jobs[culprit].path,
            )
            if not (culprit <= self.out or culprit in self.done):
                self.done[culprit] = FileOutcome(failed=reader_failed())
            self.retry.extendleft(reversed(w.given))
            w.given.clear()
        if w.written:
            # Its segment, never closed, is lost: what it held is read and written again,
            # a few times at most (a worker that always ends must not loop for ever).
            self.lost += 1
            if self.lost > LOST_SEGMENTS:
                raise RuntimeError(
                    f"the reading processes ended {self.lost} times with briefs not yet "
                    "written to the index; the update stopped"
                )
            log.warning("%d files written by that process are read again", len(w.written))
            self.retry.extend(w.written)
            self.rewrite.update(w.written)
            w.written.clear()
        w.flushing = False
        w.conn.close()
        self.workers.remove(w)
        self.restarts += 1

    def _start(self) -> _Worker:
        ours, theirs = self.context.Pipe(duplex=True)
        every = PART_EVERY if self.part is not None else None  # nobody to tell: not a word
        process = self.context.Process(
            target=_serve,
            args=(theirs, read_for_update, self.spec, every),
            name="briefreader-reader",
            daemon=True,
        )
        process.start()
        theirs.close()  # only the worker holds its end: its death is an EOF here
        return _Worker(process, ours)


# -- how far into a file ----------------------------------------------------------------------


class _Teller:
    """A reader's ``progress(done, total)`` made a :class:`Part` for ``send``, at most every
    ``every`` seconds and once the file has taken that long; the last one too (all read)
    once any was sent. Costs a clock read a page."""

    __slots__ = ("_every", "_next", "_send", "_sent", "_unit")

    def __init__(self, send: Callable[[Part], None], unit: str, every: float) -> None:
        self._send = send
        self._unit = unit
        self._every = every
        self._next = time.monotonic() + every
        self._sent = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now >= self._next or (self._sent and done >= total):
            self._next = now + self._every
            self._sent = True
            self._send(Part(done, total, self._unit))


def _teller(job: FileJob, send: Callable[[Part], None], every: float) -> _Teller | None:
    """What tells ``send`` how far the format reader of ``job`` is; None for a text brief."""
    suffix = formats.reading_suffix(job.path)  # the file's first bytes read once, for both
    if suffix in BRIEF_SUFFIXES:
        return None
    # A mailbox, compressed or not, tells bytes read (as read_file tells); a PDF pages.
    unit = "byte" if suffix in formats.STREAMED else "page"
    return _Teller(send, unit, every)


def _read_here(job: FileJob, i: int, part: PartFn | None) -> FileOutcome:
    """Read job ``i`` in this process, ``part`` told how far (directly: nothing to send)."""
    if part is None:
        return read_for_update(job)
    return read_for_update(job, progress=_teller(job, lambda p: part(i, p), PART_EVERY))


# -- in the worker ---------------------------------------------------------------------------


def _serve(
    conn: Connection,
    read: Callable[[FileJob], FileOutcome],
    spec: WriteSpec | None = None,
    every: float | None = None,
) -> None:
    """A worker's life: ``read`` each job it is sent and send back the outcome (with
    ``spec``, write its briefs and say how many), close its segment when told to (FLUSH),
    until told to stop (None), its pipe closes, or its parent goes away. With ``every``,
    how far into a long file it is goes ahead of the outcome (PART, see :class:`_Teller`)."""
    _leave_ctrl_c_to_parent()
    die_with_parent()
    with contextlib.suppress(ImportError):  # imported now, before the first file's clock
        from briefreader.core import readers  # noqa: F401
    shard = None
    if spec is not None:
        from briefreader.core.index.shard import ShardWriter

        names = (spec.names, spec.glossary_key) if spec.names is not None else None
        shard = ShardWriter(spec.folder, names)
    # What is here now (the readers, the glossary's matcher) lives as long as the worker:
    # out of the collector's sight, each full collection walks only what reading adds (the
    # ingest benchmark's folder: 0.6 s of CPU less).
    gc.collect()
    gc.freeze()
    # Reading and writing make objects by the million that form no cycle; a segment's
    # postings grow to millions more, which each full collection walks. Collections fourteen
    # times rarer than Python's default for the youngest, twice for the others: 0.3 s of CPU
    # less on the ingest benchmark's folder (0.6 -> 0.35 s of collecting, two workers).
    gc.set_threshold(10_000, 20, 20)
    try:
        conn.send(READY)
    except (BrokenPipeError, OSError):
        return

    def tell(part: Part) -> None:
        # A parent gone is found at the next recv or send of the outcome.
        with contextlib.suppress(BrokenPipeError, EOFError, OSError):
            conn.send((PART, part.done, part.total, part.unit))

    try:
        while True:
            try:
                job = conn.recv()
            except (EOFError, OSError):
                return
            if job is None:
                return
            if job == FLUSH:
                answer: Any = _flush(shard)
            else:
                teller = _teller(job, tell, every) if every is not None else None
                answer = _answer(read, shard, spec, job, teller)
            try:
                conn.send(answer)
            except (BrokenPipeError, EOFError, OSError):
                return
    finally:
        if shard is not None:
            shard.close()


def _answer(
    read: Callable[..., FileOutcome],
    shard: Any,
    spec: WriteSpec | None,
    job: FileJob,
    progress: _Teller | None = None,
) -> tuple[FileOutcome, tuple[copies.Fingerprint | None, ...]]:
    """What a worker sends back for ``job``: its outcome (its briefs written, with ``spec``)
    and their copy fingerprints; ``progress`` told how far into the file the reader is."""
    if shard is not None and spec is not None and job.key:
        return (_read_and_write(read, shard, spec, job, progress), ())
    outcome = read(job, None, progress)
    return (outcome, _prints(outcome))


def _flush(shard: Any) -> tuple[str, list[Any], str]:
    """(FLUSH, the worker's segments, closed, "" or what went wrong: a full disk...)."""
    if shard is None:
        return (FLUSH, [], "")
    try:
        return (FLUSH, shard.flush(), "")
    except Exception as exc:
        log.exception("the segment could not be written")
        shard.close()
        return (FLUSH, [], f"{type(exc).__name__}: {exc}")


def _read_and_write(
    read: Callable[..., FileOutcome],
    shard: Any,
    spec: WriteSpec,
    job: FileJob,
    progress: _Teller | None = None,
) -> FileOutcome:
    """Read ``job`` and write its briefs into the worker's segment: the docs the updating
    process would have made of them (core/library_update.py); a mailbox's as they are read,
    a message at a time. The outcome says how many were written, and holds none."""
    streamed = 0

    def sink(briefs: list[Brief]) -> None:
        nonlocal streamed
        # The file's hash and brief count go to the manifest from the outcome, not the docs.
        _write(shard, spec, job, briefs, "", ())
        streamed += len(briefs)

    outcome = read(job, sink, progress)
    if streamed and (outcome.refused is not None or outcome.failed is not None):
        # Part of the mailbox is written and the rest cannot be: the segment goes with this
        # process, as when a reader stops (the updating process has the other files read
        # again, and reports this one).
        log.error("%s stopped after %d briefs: %s", job.path, streamed,
                  outcome.refused or outcome.failed)  # fmt: skip
        os._exit(70)
    if outcome.briefs:
        briefs = list(outcome.briefs)
        _write(shard, spec, job, briefs, outcome.sha256, outcome.warnings)
        return FileOutcome(outcome.sha256, None, outcome.warnings, written=len(briefs))
    if streamed:
        return FileOutcome(outcome.sha256, None, outcome.warnings, written=streamed)
    return outcome


def _write(
    shard: Any,
    spec: WriteSpec,
    job: FileJob,
    briefs: list[Brief],
    sha256: str,
    warnings: tuple[str, ...],
) -> None:
    """Write ``briefs`` (of the file of ``job``) into the worker's segment."""
    find = spec.matcher.actors_in_brief
    docs = [
        to_doc(
            brief,
            job.key,
            job.size,
            job.mtime_ns,
            find(brief),
            file_id=job.file_id,
            file_sha256=sha256,
            items=len(briefs),
            warnings=warnings,
        )
        for brief in briefs
    ]
    try:
        shard.add(docs)
    except Exception:
        # A brief the writer cannot take may have left half a document in the segment:
        # the segment goes, and the updating process has its files read again by others
        # (this one is reported as the file its reader stopped on).
        log.exception("writing the briefs of %s failed", job.path)
        os._exit(70)


def _every(_job: FileJob) -> bool:
    return True


def _prints(outcome: FileOutcome) -> tuple[copies.Fingerprint | None, ...]:
    """The copy fingerprints of the briefs a worker read, taken there (the updating process
    writes the index and is the busier; core/copies.py remembers them for it)."""
    try:
        return tuple(copies.take_fingerprint(b.article) for b in outcome.briefs or ())
    except Exception:  # a text the fingerprint cannot take: the updating process tries
        log.debug("fingerprints left to the updating process", exc_info=True)
        return ()


def _leave_ctrl_c_to_parent() -> None:
    """Ctrl+C in a terminal reaches every process of the group: the updating process stops
    its workers itself, so a worker need not print a traceback of its own."""
    with contextlib.suppress(ValueError, OSError, AttributeError):
        signal.signal(signal.SIGINT, signal.SIG_IGN)


__all__ = [
    "MIN_POOL_FILES",
    "PROCESSES_ENV",
    "Outcomes",
    "WriteSpec",
    "default_processes",
    "outcomes",
    "pooled",
]
