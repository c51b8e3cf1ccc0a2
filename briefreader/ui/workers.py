"""Background work: the only module that starts threads (QThreadPool + QRunnable) and
processes (the indexer child, a QProcess).

Indexing, searching and preparing a brief for display all touch the library's Whoosh
searcher, which is not safe to share between threads (``BriefIndex.searcher`` closes and
replaces it when the index changed). Every job therefore runs under one lock held by
:class:`Workers`: jobs never overlap, the GUI thread never waits on the lock, and results
come back through queued signals. Searches carry a generation number so that the window can
drop answers to queries the user has already typed past.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QProcess, QRunnable, QThreadPool, QTimer, Signal, Slot

from briefreader.core.brief import BriefError
from briefreader.core.extract import Part
from briefreader.core.library import Library
from briefreader.core.reading import BriefView, prepare_brief, related_briefs
from briefreader.core.records import IndexBusyError, SearchResults
from briefreader.core.report import UpdateReport
from briefreader.ui.qtcompat import emit

log = logging.getLogger(__name__)

#: Briefs kept ready to show: the last few opened (back and forward) and the next result.
VIEW_CACHE = 8


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """What the window asks of a search; plain data, built on the GUI thread."""

    text: str
    sort: str = "relevance"
    actors: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()
    offset: int = 0
    limit: int = 60
    #: Narrowed by the user's own marks (starred, unread, new first): the ``answer`` given
    #: with it to :meth:`Workers.search` answers it. Opaque here; None for a plain search.
    narrow: Any = None


class _JobSignals(QObject):
    """Signals of one job.

    progress(done, total, path, part): indexing progress (see Workers.indexProgress).
    finished(result): the job's return value.
    failed(message): a one-line message for the user.
    """

    progress = Signal(int, int, str, object)
    finished = Signal(object)
    failed = Signal(str)


class _Job(QRunnable):
    """Runs ``fn(progress)`` (under ``lock`` if given) and reports through ``signals``."""

    def __init__(
        self,
        fn: Callable[[Callable[[int, int, str], None]], Any],
        lock: threading.Lock | None,
        signals: _JobSignals,
    ) -> None:
        super().__init__()
        self._fn = fn
        self._lock = lock
        self.signals = signals
        self._last_progress = 0.0
        self._last_part = False
        self.setAutoDelete(True)

    def _progress(self, done: int, total: int, path: str, part: Part | None = None) -> None:
        # At most ~20 updates a second reach the GUI thread, however fast briefs go by; the
        # file after a long one's parts always does (its parts shown would outlive it).
        now = time.monotonic()
        after_part = self._last_part and part is None
        if done < total and now - self._last_progress < 0.05 and not after_part:
            return
        self._last_progress = now
        self._last_part = part is not None
        emit(self.signals.progress, done, total, path, part)

    def run(self) -> None:
        try:
            if self._lock is not None:
                with self._lock:
                    result = self._fn(self._progress)
            else:
                result = self._fn(self._progress)
        except IndexBusyError:
            emit(
                self.signals.failed,
                "Another briefreader is updating this index; try again in a moment.",
            )
        except BriefError as exc:
            emit(self.signals.failed, f"Cannot read this brief: {exc.reason}")
        except Exception as exc:  # a worker must never die silently (logged below)
            log.exception("background job failed")
            emit(self.signals.failed, f"Something went wrong: {exc}")
        else:
            emit(self.signals.finished, result)


@dataclass(slots=True)
class _Pending:
    kind: str
    fn: Callable[[Callable[[int, int, str], None]], Any]
    on_done: Callable[[Any], None]
    on_fail: Callable[[str], None]
    on_progress: Callable[[int, int, str], None] | None
    needs_lock: Callable[[], bool]


class _Lane:
    """A first-in first-out queue of jobs run one at a time on the global pool.

    A newer job of a kind that coalesces replaces the one still waiting (a search typed
    over, a brief clicked past), so a burst of requests costs one run.
    """

    def __init__(
        self,
        pool: QThreadPool,
        lock: threading.Lock,
        alive: set[_JobSignals],
        stopped: threading.Event,
    ) -> None:
        self._stopped = stopped
        self._pool = pool
        self._lock = lock
        self._alive = alive
        self._queue: deque[_Pending] = deque()
        self.running = False

    def submit(self, job: _Pending, *, coalesce: bool = False) -> None:
        if coalesce:
            self._queue = deque(p for p in self._queue if p.kind != job.kind)
        self._queue.append(job)
        self._pump()

    def _next(self) -> _Pending:
        """The oldest job, a prefetch only when nothing the user asked for is waiting."""
        for job in self._queue:
            if job.kind != "prefetch":
                self._queue.remove(job)
                return job
        return self._queue.popleft()

    @property
    def idle(self) -> bool:
        return not self.running and not self._queue

    def _pump(self) -> None:
        if self.running or not self._queue:
            return
        if self._stopped.is_set():
            self._queue.clear()
            return
        job = self._next()
        self.running = True
        signals = _JobSignals()
        self._alive.add(signals)

        def done(result: object) -> None:
            self._alive.discard(signals)
            self.running = False
            try:
                job.on_done(result)
            finally:
                self._pump()

        def fail(message: str) -> None:
            self._alive.discard(signals)
            self.running = False
            try:
                job.on_fail(message)
            finally:
                self._pump()

        signals.finished.connect(done)
        signals.failed.connect(fail)
        if job.on_progress is not None:
            signals.progress.connect(job.on_progress)
        self._pool.start(_Job(job.fn, self._lock if job.needs_lock() else None, signals))


def _search(library: Library, request: SearchRequest, facets: bool) -> SearchResults:
    return library.search(
        request.text,
        limit=request.limit,
        offset=request.offset,
        sort=request.sort,
        actors=request.actors,
        sources=request.sources,
        tags=request.tags,
        years=request.years,
        facets=facets,
    )


def child_progress(data: dict[str, Any]) -> tuple[int, int, str, Part | None] | None:
    """A progress line of the indexer child (``index --progress-json``) as indexProgress
    carries it; None for a line it cannot read."""
    try:
        done, total, path = int(data["done"]), int(data["total"]), str(data.get("path", ""))
        for unit in ("page", "byte"):
            if unit in data:
                return done, total, path, Part(int(data[unit]), int(data[f"{unit}s"]), unit)
    except (KeyError, TypeError, ValueError):
        log.debug("progress line not read: %r", data)
        return None
    return done, total, path, None


class Workers(QObject):
    """Runs background jobs for one library and delivers their results as signals.

    Two lanes: the write lane updates the index; the read lane searches and prepares briefs.
    Once an index exists, reads go through a second, read-only :class:`Library` on the same
    folder (its own Whoosh searcher), so searching goes on while the index is updated;
    before that, reads wait for the writer.

    indexProgress(done, total, path, part): while the index is being brought up to date:
        file ``done`` of ``total`` (``path``) is being read; ``part`` None, or how far into
        that file its reader is (a :class:`~briefreader.core.extract.Part`: a long PDF's
        pages), a few times a second while a long file is read. A slot of three arguments
        gets the first three.
    indexFinished(report): an :class:`UpdateReport` once indexing is done.
    indexFailed(message): indexing could not run.
    searchFinished(generation, request, results): a search's answer: the page with exact
        totals, and the facets when it is the first page.
    searchFailed(generation, message): a search could not run.
    briefReady(token, view): a :class:`BriefView` for :meth:`load_brief`.
    relatedReady(token, hits): briefs like the one asked for with :meth:`load_related`.
    briefFailed(token, message): the brief could not be opened.
    """

    indexProgress = Signal(int, int, str, object)
    indexFinished = Signal(object)
    indexFailed = Signal(str)
    searchFinished = Signal(int, object, object)
    searchFailed = Signal(int, str)
    briefReady = Signal(int, object)
    relatedReady = Signal(int, object)
    briefFailed = Signal(int, str)

    def __init__(
        self, library: Library, parent: QObject | None = None, *, index_in_child: bool = False
    ) -> None:
        super().__init__(parent)
        self._library = library
        #: Index in a child process (``briefreader index --progress-json``) rather than a
        #: thread: parsing, matching and Whoosh's writer hold the GIL for long stretches, and
        #: a thread doing them stalls the window (1 s gaps while indexing 1,000 briefs).
        self.index_in_child = index_in_child
        self._child: QProcess | None = None
        self._child_report: dict[str, Any] | None = None
        self.reader: Library | None = None
        self._write_lock = threading.Lock()
        self._pool = QThreadPool.globalInstance()
        self._alive: set[_JobSignals] = set()
        self._cancel = threading.Event()
        self._writes = _Lane(self._pool, self._write_lock, self._alive, self._cancel)
        self._reads = _Lane(self._pool, self._write_lock, self._alive, self._cancel)
        self.indexing = False
        #: Briefs prepared for display, by (reference, query): recently shown or prefetched.
        self._views: OrderedDict[tuple[str, str], BriefView] = OrderedDict()
        self._views_generation = 0
        #: Prefetches running (added by the worker as it starts one), and the token of a
        #: request for the same brief that waits for one to finish.
        self._prefetching: set[tuple[str, str]] = set()
        self._waiting: dict[tuple[str, str], int] = {}
        #: Long reads (candidate actors) on a pool of their own, each on a reader of its own:
        #: searches never queue behind them for the lock or for a pool thread.
        self._long_pool = QThreadPool(self)
        self._long_pool.setMaxThreadCount(1)
        self._longs = _Lane(self._long_pool, self._write_lock, self._alive, self._cancel)

    @property
    def library(self) -> Library:
        return self._library

    @library.setter
    def library(self, library: Library) -> None:
        """A new set of corpus folders: a new index, so no reader until it is built."""
        self._library = library
        self.reader = None

    # -- plumbing ------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """True while any job is running or waiting."""
        return (
            bool(self._alive)
            or self._child is not None
            or not (self._writes.idle and self._reads.idle and self._longs.idle)
        )

    def shutdown(self, timeout_ms: int = 10000) -> bool:
        """Ask running work to stop and wait for it (window closing)."""
        self._cancel.set()
        self._stop_child()
        done = self._long_pool.waitForDone(timeout_ms)
        return self._pool.waitForDone(timeout_ms) and done

    def _stop_child(self) -> None:
        child = self._child
        if child is None:
            return
        # Whatever the child committed stays: it writes in batches, as a crash would leave it.
        child.terminate()
        if not child.waitForFinished(3000):
            child.kill()
            child.waitForFinished(3000)

    def _read_library(self) -> Library:
        return self.reader or self._library

    def _read(
        self,
        kind: str,
        fn: Callable[[Library], Any],
        on_done: Callable[[Any], None],
        on_fail: Callable[[str], None],
    ) -> None:
        # Which library (and whether the writer's lock is needed) is decided when the job
        # starts, on the GUI thread, so a reader that appears meanwhile is used at once.
        chosen: dict[str, Library] = {}

        def needs_lock() -> bool:
            chosen["lib"] = self._read_library()
            return chosen["lib"] is self._library

        self._reads.submit(
            _Pending(kind, lambda _p: fn(chosen["lib"]), on_done, on_fail, None, needs_lock),
            coalesce=kind in ("search", "brief", "related", "prefetch"),
        )

    def _write(
        self,
        kind: str,
        fn: Callable[[Callable[[int, int, str], None]], Any],
        on_done: Callable[[Any], None],
        on_fail: Callable[[str], None],
        on_progress: Callable[[int, int, str], None] | None = None,
    ) -> None:
        self._writes.submit(_Pending(kind, fn, on_done, on_fail, on_progress, lambda: True))

    # -- the reader ----------------------------------------------------------------------

    def _open_reader(self) -> None:
        """Open the read-only library on the index the writer keeps up to date."""
        lib = self._library

        def work(_p: Callable[[int, int, str], None]) -> Library:
            return lib.reader()

        def done(reader: Library) -> None:
            if lib is self._library:
                self.reader = reader

        self._writes.submit(_Pending("reader", work, done, lambda _m: None, None, lambda: True))

    # -- jobs ----------------------------------------------------------------------------

    def update_index(self) -> None:
        """Bring the index up to date in the background."""
        self.indexing = True
        if self.index_in_child:
            self._index_in_child()
            return
        library = self._library
        cancel = self._cancel.is_set

        def work(progress: Callable[[int, int, str], None]) -> UpdateReport:
            # Not the multi-process bulk writer: here its helpers would be spawned from the
            # window's process (core/processes.py never forks a process running other
            # threads: a fork beside Qt's threads hung a first index of 10,000 briefs for
            # good), and the window indexes in a child process (index_in_child) anyway.
            return library.update(progress=progress, cancel=cancel, bulk=False)

        def done(report: object) -> None:
            self.indexing = False
            if self.reader is None and library is self._library:
                self._open_reader()
            emit(self.indexFinished, report)

        def fail(message: str) -> None:
            self.indexing = False
            emit(self.indexFailed, message)

        if self.reader is None and library.index.exists():
            # An index from an earlier run: search it while the update runs.
            self._open_reader()
        self._write("index", work, done, fail, lambda *a: emit(self.indexProgress, *a))

    def _child_command(self) -> list[str]:
        lib = self._library
        # A frozen build is its own interpreter: the executable takes the CLI's arguments.
        base = [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m"]
        if not getattr(sys, "frozen", False):
            base.append("briefreader")
        args = [*base, "index", *(str(c) for c in lib.corpora), "--data-dir", str(lib.data_dir)]
        for extra in lib.glossary_files:
            args += ["--glossary", str(extra)]
        return [*args, "--progress-json", "--quiet"]

    def _index_in_child(self) -> None:
        library = self._library
        if self.reader is None and library.index.exists():
            self._open_reader()
        cmd = self._child_command()
        # Parented to the workers and never deleted early: deleting a QProcess from its own
        # finished() handler, or twice (deleteLater, then with its parent), crashes.
        child = QProcess(self)
        child.setProgram(cmd[0])
        child.setArguments(cmd[1:])
        self._child = child
        self._child_report = None

        def read() -> None:
            while child.canReadLine():
                line = bytes(child.readLine().data()).decode("utf-8", "replace").strip()
                try:
                    data = json.loads(line)
                except ValueError:
                    continue
                if "report" in data:
                    self._child_report = data["report"]
                elif "done" in data:
                    progress = child_progress(data)
                    if progress is not None:
                        emit(self.indexProgress, *progress)

        def finished(code: int, _status: QProcess.ExitStatus) -> None:
            read()
            self._child = None
            self.indexing = False
            report = self._child_report
            if report is None:
                err = bytes(child.readAllStandardError().data()).decode("utf-8", "replace")
                lines = [x for x in err.strip().splitlines() if x.strip()]
                why = lines[-1] if lines else f"exit code {code}"
                if not self._cancel.is_set():
                    emit(self.indexFailed, f"Indexing stopped: {why}")
                return
            if self.reader is None and library is self._library:
                self._open_reader()
            emit(self.indexFinished, UpdateReport.from_json(report))

        child.readyReadStandardOutput.connect(read)
        child.finished.connect(finished)
        child.start()

    def search(
        self,
        generation: int,
        request: SearchRequest,
        answer: Callable[[Library, SearchRequest], SearchResults] | None = None,
    ) -> None:
        """Search in the background; a request with ``narrow`` set is answered by ``answer``
        (the user's own lists, which the index knows nothing of)."""
        narrowed = answer if request.narrow is not None else None
        self._read(
            "search" if request.offset == 0 else "page",
            lambda lib: (
                narrowed(lib, request) if narrowed else _search(lib, request, request.offset == 0)
            ),
            lambda res: emit(self.searchFinished, generation, request, res),
            lambda msg: emit(self.searchFailed, generation, msg),
        )

    def load_brief(self, token: int, ref: str, query: str) -> None:
        """Parse, match and render a brief; its related briefs come from :meth:`load_related`.

        "More like this" is a search of its own (tens of milliseconds on a large index): the
        reader should not wait for it, nor should painting the brief compete with it. A brief
        prepared ahead (:meth:`prefetch_brief`) or recently shown is answered from memory.
        """
        key = (ref, query)
        view = self._views.get(key)
        if view is not None:
            self._views.move_to_end(key)
            # Still through the event loop: the caller gets its answer after it returns.
            QTimer.singleShot(0, self, lambda: emit(self.briefReady, token, view))
            return
        if key in self._prefetching:
            self._waiting[key] = token  # the prefetch under way answers this request
            return

        def done(view: BriefView) -> None:
            self._remember(key, view)
            emit(self.briefReady, token, view)

        self._read(
            "brief",
            lambda lib: self._views.get(key) or prepare_brief(lib, ref, query, related=False),
            done,
            lambda msg: emit(self.briefFailed, token, msg),
        )

    def prefetch_brief(self, ref: str, query: str) -> None:
        """Prepare a brief the reader will likely open next (the next result) when idle.

        It waits behind every search and brief the user asks for, and a newer prefetch
        replaces one still waiting: it never delays what the user asked for by more than the
        one brief it may be preparing.
        """
        key = (ref, query)
        if key in self._views or key in self._prefetching:
            return
        generation = self._views_generation

        def run(lib: Library) -> BriefView:
            self._prefetching.add(key)  # from here on a request for it waits for it
            return self._views.get(key) or prepare_brief(lib, ref, query, related=False)

        def done(view: BriefView) -> None:
            self._prefetching.discard(key)
            waiting = self._waiting.pop(key, None)
            if generation == self._views_generation:
                self._remember(key, view)
            if waiting is not None:
                emit(self.briefReady, waiting, view)

        def fail(msg: str) -> None:
            self._prefetching.discard(key)
            waiting = self._waiting.pop(key, None)
            if waiting is not None:
                emit(self.briefFailed, waiting, msg)

        self._read("prefetch", run, done, fail)

    def _remember(self, key: tuple[str, str], view: BriefView) -> None:
        self._views[key] = view
        self._views.move_to_end(key)
        while len(self._views) > VIEW_CACHE:
            self._views.popitem(last=False)

    def forget_views(self) -> None:
        """Prepared briefs are stale (the glossary or the index changed)."""
        self._views.clear()
        self._views_generation += 1

    def load_related(self, token: int, brief_id: str) -> None:
        self._read(
            "related",
            lambda lib: related_briefs(lib, brief_id),
            lambda hits: emit(self.relatedReady, token, hits),
            lambda _msg: None,
        )

    def read(
        self,
        fn: Callable[[Library], Any],
        on_done: Callable[[Any], None],
        on_fail: Callable[[str], None] | None = None,
    ) -> None:
        """Any other read of the library (the user layer's new counts, exports) in turn
        with searches; ``fn`` gets the library to read."""
        self._read("read", fn, on_done, on_fail or (lambda _m: None))

    def read_long(
        self,
        fn: Callable[[Library, Callable[[], bool]], Any],
        on_done: Callable[[Any], None],
        on_fail: Callable[[str], None],
    ) -> None:
        """A read of many seconds (candidate actors): ``fn(library, cancelled)`` runs on a
        read-only library of its own, beside searches; ``cancelled()`` turns true when the
        window closes. Fails (``on_fail``) while there is no index to read yet."""
        lib = self._library
        cancelled = self._cancel.is_set

        def work(_p: Callable[[int, int, str], None]) -> Any:
            reader = lib.reader()
            try:
                return fn(reader, cancelled)
            finally:
                reader.close()

        self._longs.submit(_Pending("long", work, on_done, on_fail, None, lambda: False))

    def call(self, fn: Callable[[], Any], on_done: Callable[[Any], None]) -> None:
        """A read-only chore off the GUI thread (listing corpus folders for the watcher)."""
        self._writes.submit(
            _Pending("chore", lambda _p: fn(), on_done, lambda _m: None, None, lambda: False)
        )

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], None]) -> None:
        """Any other library change (rebuild) on the write lane."""
        self.reader = None
        self._write("other", lambda _p: fn(), on_done, lambda msg: emit(self.indexFailed, msg))

    @Slot()
    def cancel(self) -> None:
        self._cancel.set()
        self._stop_child()
