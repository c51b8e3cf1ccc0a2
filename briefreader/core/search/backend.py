"""What the search needs of a store, and what only the local index can do.

A :class:`~briefreader.core.library.Library` holds one :class:`SearchBackend`: the local index
(:class:`briefreader.core.library_local.LocalIndex`, Whoosh) or a team archive
(:class:`briefreader.core.archive.backend.ArchiveBackend`, PostgreSQL). The library does what
is the same for both before it asks (the query text tamed, dates put in order, actor filters
given by any alias turned into ids) and after (the taming's notices put first), so a backend
gets a prepared query and :class:`~briefreader.core.records.Filters` of ids.

What only the local index can do (an actor's page, its analysts' sentences, candidate names) is
the second protocol, :class:`ActorWorkbench`: a front end asks ``library.workbench`` for it,
which is None when the library searches a team archive, instead of calling methods that refuse.

The contract suite (``tests/archive/test_backends.py``) runs every method of
:class:`SearchBackend` on both backends with the same briefs and compares the answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from briefreader.core.brief import Brief
from briefreader.core.records import (
    ActorPage,
    Candidate,
    CommentSentence,
    Filters,
    Hit,
    SearchResults,
)

#: The stored fields :meth:`SearchBackend.stored_of` gives for every brief, on both backends:
#: ``id``, ``title``, ``article`` and ``comment`` (the texts), ``date`` (a datetime at
#: midnight, or absent), ``source_name`` (the source as written), ``tags`` (folded, joined by
#: commas) and ``actors`` (the main actors' ids, joined by commas). The local index gives its
#: other stored fields too (its file key, where the comment starts...).
STORED_FIELDS = ("id", "title", "article", "comment", "date", "source_name", "tags", "actors")

#: How a query's text is rewritten before a store reads it (user field names to index field
#: names, actor names widened to their ids): (rewritten text, actor ids named, notices).
Rewrite = Callable[[str], tuple[str, set[str], list[str]]]


@runtime_checkable
class SearchBackend(Protocol):
    """A store the search reads: the local index or a team archive."""

    #: What the front ends call it ("the local index", or the archive's host and database).
    name: str
    #: True for a team archive: its briefs are not files of the corpus folders.
    is_archive: bool

    def search(
        self,
        text: str,
        filters: Filters,
        *,
        limit: int,
        offset: int,
        sort: str,
        facets: bool,
        snippets: bool,
        time_limit: float | None,
    ) -> SearchResults:
        """One page of a search (``text`` already tamed): the all-words tier before the
        some-words one, both counted, the facets of every match when asked."""
        ...

    def found_among(self, text: str, ids: Sequence[str], filters: Filters) -> list[str]:
        """Which of ``ids`` a search for ``text`` with ``filters`` finds (either tier), in
        no particular order promised: its matches counted once, nothing listed."""
        ...

    def stored_of(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The stored fields (at least :data:`STORED_FIELDS`) of each of ``ids`` the store
        holds; an id it does not hold is left out."""
        ...

    def brief(self, ref: str) -> Brief:
        """A brief by id (the local index: a file path too). Raises
        :class:`~briefreader.core.brief.BriefError` for one it does not hold."""
        ...

    def related(self, brief_id: str, limit: int) -> list[Hit]:
        """Briefs like ``brief_id``, best first; neither it nor its copies among them."""
        ...

    def copies_of(self, brief_id: str) -> tuple[str, ...]:
        """The other briefs holding the same article as ``brief_id`` (none known: ``()``)."""
        ...

    def actor_document_counts(self) -> dict[str, int]:
        """Briefs naming each actor among their main actors (an actor of none: absent)."""
        ...

    def doc_count(self) -> int:
        """How many briefs the store holds."""
        ...

    def hit_spans(self, brief: Brief, text: str) -> list[tuple[int, int]]:
        """Offsets in ``brief.text`` of the words the query ``text`` (already tamed) matches."""
        ...

    def reader(self) -> SearchBackend:
        """Another backend on the same store for another thread (its own connection, or the
        local index opened to read only)."""
        ...

    def close(self) -> None:
        """Let go of files or connections; the next call opens them again."""
        ...


@runtime_checkable
class ActorWorkbench(Protocol):
    """What only the local index answers: one actor across the briefs, names no actor has.

    ``name`` is any name or alias of a glossary actor, or its id; a name no actor goes by
    raises KeyError.
    """

    def actor_page(
        self, name: str, *, company_limit: int = 25, comment_briefs: int | None = None
    ) -> ActorPage:
        """One actor across the briefs; the analysts' sentences from the newest
        ``comment_briefs`` briefs only, when given (:meth:`actor_comments` reads on)."""
        ...

    def actor_comments(
        self, name: str, start: int, count: int | None = None
    ) -> list[CommentSentence]:
        """The analysts' sentences naming the actor in its comment briefs ``start`` to
        ``start + count``, newest first."""
        ...

    def candidates(
        self, min_briefs: int = 3, cancel: Callable[[], bool] | None = None
    ) -> list[Candidate]:
        """Names recurring in at least ``min_briefs`` briefs that no actor goes by."""
        ...

    def last_candidates(self, min_briefs: int = 3) -> tuple[list[Candidate], bool] | None:
        """The candidates last counted, and whether the index and glossary are unchanged
        since; None if none were kept."""
        ...


__all__ = ["STORED_FIELDS", "ActorWorkbench", "Rewrite", "SearchBackend"]
