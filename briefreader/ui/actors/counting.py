"""Counting the candidate actors for the window: in the background, once per index state.

The count reads every brief (a minute on a large corpus), so it runs on the workers' long
lane; the last count kept beside the index shows at once meanwhile. Adding a candidate goes
through the glossary editor's own dialogs, and the name leaves the list at once.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from briefreader.core.library import NO_CANDIDATES, Library
from briefreader.core.records import Candidate
from briefreader.ui.actors.candidates import CandidatesPanel
from briefreader.ui.host import WindowHost
from briefreader.ui.qtcompat import emit

#: What the candidates tab says over a team archive, which has no actor workbench.
NO_COUNT = f"{NO_CANDIDATES.capitalize()}: close the team archive (File menu) to count them."

#: Candidates recur in at least this many briefs (as ``briefreader candidates``).
MIN_BRIEFS = 3


class CandidateCounter(QObject):
    """Fills ``panel`` with the candidate actors of the library the window searches.

    shown(count): the panel lists ``count`` candidates.
    """

    shown = Signal(int)

    def __init__(self, host: WindowHost, panel: CandidatesPanel) -> None:
        super().__init__(host)
        self.host = host
        self.panel = panel
        self.found: list[Candidate] | None = None
        self.stale = True
        self.counting = False
        panel.addActorRequested.connect(self._add_actor)
        panel.addAliasRequested.connect(self._add_alias)
        panel.refreshRequested.connect(lambda: self.count(force=True))

    def count(self, *, force: bool = False) -> None:
        """Show the candidates: those counted since the index last changed at once; else the
        last count kept (if any) while they are counted again in the background."""
        if self.host.library.workbench is None:
            self.panel.show_busy(NO_COUNT)
            return
        if self.found is not None and not self.stale and not force:
            self._show()
            return
        if self.counting:
            return
        self.counting = True
        if self.found is None and not force:
            self.host.workers.read(
                _last_count,
                self._on_last_count,
                lambda _message: self._count_now(),
            )
            return
        self._count_now()

    def _on_last_count(self, last: tuple[list[Candidate], bool] | None) -> None:
        if last is not None:
            self.found, current = last
            self._show()
            if current:
                self.counting = False
                self.stale = False
                return
        self._count_now()

    def _count_now(self) -> None:
        if self.found is not None:
            self._show()
        self.panel.show_busy(
            "Counting the names that recur in the briefs but are in no glossary… "
            "(this reads every brief once; you can keep reading meanwhile"
            + ("; the list below is from the last count)" if self.found else ")")
        )

        def work(reader: Library, cancelled: Any) -> list[Candidate]:
            workbench = reader.workbench
            if workbench is None:  # a team archive opened meanwhile: counted when it closes
                return []
            return workbench.candidates(min_briefs=MIN_BRIEFS, cancel=cancelled)

        def done(found: list[Candidate]) -> None:
            self.counting = False
            self.found = found
            self.stale = False
            self._show()

        def fail(message: str) -> None:
            self.counting = False
            if not self.host.index_done:
                # No index to read yet (a first start): counted when indexing has finished.
                self.stale = True
                message = "The candidates are counted once the briefs are indexed."
            self.panel.show_busy(message)

        self.host.workers.read_long(work, done, fail)

    def _show(self) -> None:
        glossary = self.host.library.glossary
        found = [c for c in self.found or [] if glossary.lookup(c.name) is None]
        self.panel.set_candidates(found, MIN_BRIEFS)
        emit(self.shown, len(found))

    @Slot(str)
    def _add_actor(self, name: str) -> None:
        self.host.glossary_editor.ask_add_actor(name)
        self._drop_known()

    @Slot(str)
    def _add_alias(self, name: str) -> None:
        self.host.glossary_editor.ask_add_alias(name)
        self._drop_known()

    def _drop_known(self) -> None:
        glossary = self.host.library.glossary
        self.panel.model.drop(lambda c: glossary.lookup(c.name) is None)


def _last_count(reader: Library) -> tuple[list[Candidate], bool] | None:
    """The candidates last counted in the reader's index (none kept over a team archive)."""
    workbench = reader.workbench
    return None if workbench is None else workbench.last_candidates(MIN_BRIEFS)
