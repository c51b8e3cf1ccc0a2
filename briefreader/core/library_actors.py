"""The actor workbench on the local index: an actor's page and sentences, candidate names.

What only the local index answers (:class:`briefreader.core.search.backend.ActorWorkbench`):
a library over a team archive has no workbench.
"""

from __future__ import annotations

from collections.abc import Callable

from briefreader.core import index as ix
from briefreader.core.glossary import Actor
from briefreader.core.index.actors import actor_comments
from briefreader.core.index.candidates import last_candidates
from briefreader.core.library_base import LocalBase


class LocalActors(LocalBase):
    """The actor workbench's questions, answered from the index and the glossary."""

    def _find_actor(self, name: str) -> Actor | None:
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
        actor = self._find_actor(name)
        if actor is None:
            raise KeyError(name)
        matcher = self.glossary.matcher()

        def find(text: str) -> list[tuple[str, int, int]]:
            return [(m.actor_id, m.start, m.end) for m in matcher.find(text)]

        return actor.id, find

    def candidates(
        self, min_briefs: int = 3, cancel: Callable[[], bool] | None = None
    ) -> list[ix.Candidate]:
        """Names recurring in at least ``min_briefs`` briefs that no actor goes by; ``cancel``
        returning True stops the count early (with what was counted so far)."""
        find_names = self.name_finder()

        def is_known(name: str) -> bool:
            return self.glossary.lookup(name) is not None

        with self._reading():
            return ix.candidates(
                self.index,
                find_names,
                is_known,
                min_briefs=min_briefs,
                cancel=cancel,
                glossary_key=self.glossary_key(),
            )

    def last_candidates(self, min_briefs: int = 3) -> tuple[list[ix.Candidate], bool] | None:
        """The candidates last counted (at once), and whether the index and the glossary are
        still as they were then; None if none were kept."""
        with self._reading():
            return last_candidates(self.index, self.glossary_key(), min_briefs)
