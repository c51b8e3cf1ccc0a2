"""Background work: the only module that starts threads (QThreadPool + QRunnable).

Indexing, searching and preparing a brief for display all touch the library's Whoosh
searcher, which is not safe to share between threads (``BriefIndex.searcher`` closes and
replaces it when the index changed). Every job therefore runs under one lock held by
:class:`Workers`: jobs never overlap, the GUI thread never waits on the lock, and results
come back through queued signals. Searches carry a generation number so that the window can
drop answers to queries the user has already typed past.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from briefreader.core.brief import Brief, BriefError
from briefreader.core.index import Hit, IndexBusyError, SearchResults
from briefreader.core.library import Library, UpdateReport
from briefreader.core.match import Mention
from briefreader.core.render import RenderedBrief, render_brief

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """What the window asks of a search; plain data, built on the GUI thread."""

    text: str
    sort: str = "relevance"
    actors: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    offset: int = 0
    limit: int = 60


@dataclass(frozen=True, slots=True)
class BriefView:
    """A brief ready to show: parsed, matched, hit-marked and rendered off the GUI thread."""

    brief: Brief
    mentions: list[Mention]
    hits: list[tuple[int, int]]
    rendered: RenderedBrief
    related: list[Hit] = field(default_factory=list)


class _JobSignals(QObject):
    """Signals of one job.

    progress(done, total, path): indexing progress.
    finished(result): the job's return value.
    failed(message): a one-line message for the user.
    """

    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(str)


class _Job(QRunnable):
    """Runs ``fn(progress)`` under the shared lock and reports through ``signals``."""

    def __init__(
        self,
        fn: Callable[[Callable[[int, int, str], None]], Any],
        lock: threading.Lock,
        signals: _JobSignals,
    ) -> None:
        super().__init__()
        self._fn = fn
        self._lock = lock
        self.signals = signals
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            with self._lock:
                result = self._fn(self.signals.progress.emit)
        except IndexBusyError:
            self.signals.failed.emit(
                "Another briefreader is updating this index; try again in a moment."
            )
        except BriefError as exc:
            self.signals.failed.emit(f"Cannot read this brief: {exc.reason}")
        except Exception as exc:  # noqa: BLE001 - a worker must never die silently
            log.exception("background job failed")
            self.signals.failed.emit(f"Something went wrong: {exc}")
        else:
            self.signals.finished.emit(result)


def actor_info(library: Library) -> Callable[[str], tuple[str, str, str]]:
    """(name, kind, description) of an actor, for tooltips in rendered HTML."""

    def info(actor_id: str) -> tuple[str, str, str]:
        actor = library.glossary.get(actor_id)
        if actor is None:
            return actor_id, "other", ""
        return actor.name, actor.kind, actor.description

    return info


def _search(library: Library, request: SearchRequest) -> SearchResults:
    since = until = None
    if request.years:
        import datetime as dt

        since = dt.date(min(request.years), 1, 1)
        until = dt.date(max(request.years), 12, 31)
    return library.search(
        request.text,
        limit=request.limit,
        offset=request.offset,
        sort=request.sort,
        actors=request.actors,
        sources=request.sources,
        since=since,
        until=until,
        facets=request.offset == 0,
    )


def prepare_brief(library: Library, ref: str, query: str, *, related: bool = True) -> BriefView:
    """Everything the reading pane needs for one brief (runs in a worker)."""
    brief = library.brief(ref)
    mentions = library.mentions(brief)
    hits = library.hit_spans(brief, query) if query.strip() else []
    rendered = render_brief(brief, mentions, hits, actor_info(library))
    rel: list[Hit] = []
    if related:
        try:
            rel = library.related(brief.id, limit=8)
        except Exception:  # noqa: BLE001 - "more like this" is a nicety
            log.debug("no related briefs for %s", brief.id, exc_info=True)
    return BriefView(brief, mentions, hits, rendered, rel)


class Workers(QObject):
    """Starts background jobs for one library and delivers their results as signals.

    indexProgress(done, total, path): while the index is being brought up to date.
    indexFinished(report): an :class:`UpdateReport` once indexing is done.
    indexFailed(message): indexing could not run.
    searchFinished(generation, request, results): a search's answer.
    searchFailed(generation, message): a search could not run.
    briefReady(token, view): a :class:`BriefView` for :meth:`load_brief`.
    briefFailed(token, message): the brief could not be opened.
    """

    indexProgress = Signal(int, int, str)
    indexFinished = Signal(object)
    indexFailed = Signal(str)
    searchFinished = Signal(int, object, object)
    searchFailed = Signal(int, str)
    briefReady = Signal(int, object)
    briefFailed = Signal(int, str)

    def __init__(self, library: Library, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self._lock = threading.Lock()
        self._pool = QThreadPool.globalInstance()
        self._alive: set[_JobSignals] = set()
        self._cancel = threading.Event()
        self.indexing = False

    # -- plumbing ------------------------------------------------------------------------

    def _start(
        self,
        fn: Callable[[Callable[[int, int, str], None]], Any],
        on_done: Callable[[Any], None],
        on_fail: Callable[[str], None],
        on_progress: Callable[[int, int, str], None] | None = None,
    ) -> None:
        signals = _JobSignals()
        self._alive.add(signals)

        def done(result: object) -> None:
            self._alive.discard(signals)
            on_done(result)

        def fail(message: str) -> None:
            self._alive.discard(signals)
            on_fail(message)

        signals.finished.connect(done)
        signals.failed.connect(fail)
        if on_progress is not None:
            signals.progress.connect(on_progress)
        self._pool.start(_Job(fn, self._lock, signals))

    @property
    def busy(self) -> bool:
        """True while any job has not delivered its result yet."""
        return bool(self._alive)

    def shutdown(self, timeout_ms: int = 10000) -> bool:
        """Ask running work to stop and wait for it (window closing)."""
        self._cancel.set()
        return self._pool.waitForDone(timeout_ms)

    # -- jobs ----------------------------------------------------------------------------

    def update_index(self) -> None:
        """Bring the index up to date in the background."""
        self.indexing = True
        library = self.library
        cancel = self._cancel.is_set

        def work(progress: Callable[[int, int, str], None]) -> UpdateReport:
            return library.update(progress=progress, cancel=cancel)

        def done(report: object) -> None:
            self.indexing = False
            self.indexFinished.emit(report)

        def fail(message: str) -> None:
            self.indexing = False
            self.indexFailed.emit(message)

        self._start(work, done, fail, self.indexProgress.emit)

    def search(self, generation: int, request: SearchRequest) -> None:
        library = self.library

        def work(_progress: Callable[[int, int, str], None]) -> SearchResults:
            return _search(library, request)

        self._start(
            work,
            lambda res: self.searchFinished.emit(generation, request, res),
            lambda msg: self.searchFailed.emit(generation, msg),
        )

    def load_brief(self, token: int, ref: str, query: str) -> None:
        library = self.library

        def work(_progress: Callable[[int, int, str], None]) -> BriefView:
            return prepare_brief(library, ref, query)

        self._start(
            work,
            lambda view: self.briefReady.emit(token, view),
            lambda msg: self.briefFailed.emit(token, msg),
        )

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], None]) -> None:
        """Any other library call (rebuild, glossary save) off the GUI thread."""
        self._start(lambda _p: fn(), on_done, lambda msg: self.indexFailed.emit(msg))

    @Slot()
    def cancel(self) -> None:
        self._cancel.set()
