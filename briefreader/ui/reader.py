"""The reading side's controller: which brief is open, its history, its related briefs.

A brief is asked of the workers with a token; an answer for an older token (the user clicked
on) is dropped. Once a brief has painted, its related briefs and the next result are asked
for, so the reader never waits on them.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from briefreader.core.reading import BriefView
from briefreader.core.records import Hit
from briefreader.ui.models import HitListModel
from briefreader.ui.qtcompat import emit
from briefreader.ui.search.panel import SearchPanel
from briefreader.ui.widgets.glossary_panel import GlossaryPanel
from briefreader.ui.widgets.reading_pane import ReadingPane
from briefreader.ui.workers import Workers

log = logging.getLogger(__name__)

RELATED_DELAY_MS = 50


class Reader(QObject):
    """Opens briefs into ``pane``; keeps ``glossary`` and ``related`` in step with it.

    briefShown(brief_id): a brief is in the reading pane.
    titleChanged(title): the open brief's title.
    historyChanged(can_go_back, can_go_forward): for the Back and Forward actions.
    message(text, ms): something to say in the status bar for ``ms`` milliseconds.
    """

    briefShown = Signal(str)
    titleChanged = Signal(str)
    historyChanged = Signal(bool, bool)
    message = Signal(str, int)

    def __init__(
        self,
        workers: Workers,
        pane: ReadingPane,
        glossary: GlossaryPanel,
        related: HitListModel,
        search: SearchPanel,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.workers = workers
        self.pane = pane
        self.glossary = glossary
        self.related = related
        self.search = search
        self._token = 0
        self._keep_place = False
        #: A brief was asked for and has not come yet (it carries the current query).
        self._loading = False
        self._history: list[str] = []
        self._history_pos = -1
        self._record_pending = True
        self._hit_step = -1
        self._mention_step = -1
        #: (token, brief id) whose related briefs are asked for once it has painted.
        self._after_paint: tuple[int, str] | None = None
        self._paint_timer = QTimer(self, singleShot=True, interval=RELATED_DELAY_MS)
        self._paint_timer.timeout.connect(self._ask_related)
        workers.briefReady.connect(self._on_brief_ready)
        workers.briefFailed.connect(self._on_brief_failed)
        workers.relatedReady.connect(self._on_related_ready)
        search.resultsShown.connect(self._on_results_shown)
        glossary.actorSelected.connect(self._on_actor_selected)
        glossary.stepRequested.connect(self.step_mention)

    # -- opening -------------------------------------------------------------------------

    @Slot(str)
    def open_brief(self, ref: str, *, record: bool = True, keep_place: bool = False) -> None:
        """Load and show a brief (parsed and rendered in the background).

        It opens at its first search hit; ``keep_place`` (the same brief re-marked) keeps
        the reader where they were instead.
        """
        self._token += 1
        self._record_pending = record
        self._keep_place = keep_place
        self._loading = True
        self.workers.load_brief(self._token, ref, self.search.query)

    @Slot(int)
    def _on_results_shown(self, _total: int) -> None:
        """A new search: the open brief's marks follow it (the old query's hits go)."""
        view = self.pane.view
        if view is None or self._loading or view.query == self.search.query.strip():
            return
        self.open_brief(view.brief.id, record=False, keep_place=True)

    def reload(self) -> None:
        """The glossary or the file changed: prepare the open brief afresh."""
        self.workers.forget_views()
        if self.pane.view is not None:
            self.open_brief(self.pane.view.brief.id, record=False, keep_place=True)

    @Slot(int, object)
    def _on_brief_ready(self, token: int, view: BriefView) -> None:
        if token != self._token:
            return
        log.info("showing %s: %s", view.brief.id, view.brief.title)
        self._loading = False
        selected = self.glossary.current()
        same = self.pane.view is not None and self.pane.view.brief.id == view.brief.id
        keep_place = same and self._keep_place
        self.pane.show_view(view, keep_place=keep_place)
        self.glossary.set_mentions(view.mentions)
        if same and selected:
            self.glossary.select_actor(selected)
        if not keep_place:
            self.related.set_hits(view.related, len(view.related))
        self._hit_step = self._mention_step = -1
        if view.hits and not keep_place:
            self.step_hit(1, quiet=True)  # a brief opens at its first hit
        if self._record_pending:
            del self._history[self._history_pos + 1 :]
            if not self._history or self._history[-1] != view.brief.id:
                self._history.append(view.brief.id)
            self._history_pos = len(self._history) - 1
        self._history_changed()
        self.search.select(view.brief.id)
        emit(self.titleChanged, view.brief.title)
        # Related briefs, and the next result, once the brief has painted: a worker thread
        # running Python meanwhile holds the GIL the painting needs.
        self._after_paint = (token, view.brief.id)
        self._paint_timer.start()
        emit(self.briefShown, view.brief.id)

    @Slot()
    def _ask_related(self) -> None:
        if self._after_paint is None:
            return
        token, brief_id = self._after_paint
        self._after_paint = None
        if token == self._token:
            self.workers.load_related(token, brief_id)
            # Readers go down the list: the next result is prepared while this one is read.
            following = self.search.next_after(brief_id)
            if following is not None:
                self.workers.prefetch_brief(following, self.search.query)

    @Slot(int, object)
    def _on_related_ready(self, token: int, hits: list[Hit]) -> None:
        if token == self._token:
            self.related.set_hits(hits, len(hits))

    @Slot(int, str)
    def _on_brief_failed(self, token: int, message: str) -> None:
        if token == self._token:
            self._loading = False
            emit(self.message, message, 8000)

    def stop(self) -> None:
        """The window is closing: ask for nothing more."""
        self._paint_timer.stop()
        self._after_paint = None

    # -- history -------------------------------------------------------------------------

    def _history_changed(self) -> None:
        can_back = self._history_pos > 0
        can_forward = 0 <= self._history_pos < len(self._history) - 1
        emit(self.historyChanged, can_back, can_forward)

    @Slot()
    def back(self) -> None:
        if self._history_pos > 0:
            self._history_pos -= 1
            self.open_brief(self._history[self._history_pos], record=False)
            self._history_changed()

    @Slot()
    def forward(self) -> None:
        if self._history_pos < len(self._history) - 1:
            self._history_pos += 1
            self.open_brief(self._history[self._history_pos], record=False)
            self._history_changed()

    @property
    def history(self) -> list[str]:
        return list(self._history)

    # -- stepping through the open brief -------------------------------------------------

    @Slot(str)
    def _on_actor_selected(self, actor_id: str) -> None:
        self._mention_step = -1
        self.pane.set_selected(actor_id or None)
        if actor_id:
            self.step_mention(1)

    @Slot(int)
    def step_mention(self, step: int) -> None:
        """Select the selected actor's next (``step`` 1) or previous (-1) mention."""
        actor_id = self.glossary.current()
        if not actor_id:
            return
        spots = self.pane.actor_positions(actor_id)
        if not spots:
            return
        self._mention_step = (self._mention_step + step) % len(spots)
        browser, span = spots[self._mention_step]
        browser.select_span(span)

    def step_hit(self, step: int, *, quiet: bool = False) -> None:
        """Select the next (``step`` 1) or previous (-1) search hit in the open brief,
        centred in its pane; ``quiet``: without saying so in the status bar."""
        spots = self.pane.hit_positions()
        if not spots:
            if not quiet:
                emit(self.message, "No search hits in this brief.", 3000)
            return
        self._hit_step = (self._hit_step + step) % len(spots)
        browser, span = spots[self._hit_step]
        browser.select_span(span)
        if not quiet:
            emit(self.message, f"Hit {self._hit_step + 1} of {len(spots)}", 3000)
