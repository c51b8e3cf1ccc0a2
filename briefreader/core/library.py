"""A library: corpus folders + the actor glossary + one search backend, as front ends see them.

The command line and the window talk to a :class:`Library` only. It holds the corpus folders,
the glossary and ONE :class:`~briefreader.core.search.backend.SearchBackend`: the local index
(:class:`~briefreader.core.library_local.LocalIndex`, :meth:`Library.open`) or a team archive
(:class:`~briefreader.core.archive.backend.ArchiveBackend`, :meth:`Library.open_archive`). What
is the same whichever answers lives here: the query text tamed, dates put in order, actors
given by any alias, the mentions of a brief (the glossary's). What only the local index can
do is :attr:`Library.workbench` (None over an archive): a front end asks for it.

Updates keep the laptop's own index in line with the corpus folders, whichever backend
searches: over an archive that pushes (the command line's ``index --archive``) they push the
folders to it instead.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefreader import paths
from briefreader.core import index as ix
from briefreader.core.brief import ARTICLE, Brief
from briefreader.core.briefdocs import readable_suffixes
from briefreader.core.glossary import Actor, Glossary
from briefreader.core.library_base import DAMAGE_ERRORS, is_damage, query_builder, query_rewriter
from briefreader.core.library_local import LocalIndex
from briefreader.core.library_update import (
    BULK_BATCH,
    BULK_BATCH_MAX,
    BULK_THRESHOLD,
    ProgressFn,
    default_lock_timeout,
)
from briefreader.core.match import Mention
from briefreader.core.prefs import Preferences
from briefreader.core.querytext import order_dates, prepare_query
from briefreader.core.records import Filters, Hit, SearchResults
from briefreader.core.report import Problem, UpdateReport
from briefreader.core.search.backend import ActorWorkbench, SearchBackend
from briefreader.core.search.rewrite import QueryRewriter

if TYPE_CHECKING:  # the archive (and its database driver) is loaded only when one is opened
    from briefreader.core.archive.backend import ArchiveBackend


class Library:
    """Corpus folders, the glossary and one search backend, behind one small API.

    ``Library(corpora, data_dir, glossary)`` searches the local index of ``corpora``;
    :meth:`open_archive` makes one that searches a team archive.
    """

    def __init__(
        self,
        corpora: Sequence[Path],
        data_dir: Path,
        glossary: Glossary,
        *,
        archive: ArchiveBackend | None = None,
        pushes: bool = False,
        local: LocalIndex | None = None,
    ) -> None:
        self.corpora = [Path(c).expanduser().resolve() for c in corpora]
        self.data_dir = Path(data_dir)
        self.glossary = glossary
        #: Extra glossary files beyond the bundled and user ones (an indexer child reloads them).
        self.glossary_files: list[Path] = []
        #: The team archive searched, with its own questions (pull, the team glossary), or None.
        self.archive = archive
        #: Over an archive, True: :meth:`update` pushes the corpus folders to it (``index
        #: --archive``); False: it keeps the local index current (the window's updates).
        self.pushes = pushes
        self._local = local
        self._builder: ix.QueryBuilder | None = None
        self._rewriter: tuple[Glossary, QueryRewriter] | None = None

    # -- opening -------------------------------------------------------------------------

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
        lib = cls(_corpora_or_remembered(corpora, data), data, glossary)
        lib.glossary_files = [Path(g) for g in glossary_files]
        return lib

    @classmethod
    def open_archive(
        cls,
        target: str,
        corpora: Sequence[Path] | None = None,
        *,
        data_dir: str | os.PathLike[str] | None = None,
        glossary_files: Sequence[Path] = (),
        pushes: bool = True,
    ) -> Library:
        """Like :meth:`open`, searching the team archive ``target`` (a libpq URL or service
        name); its team glossary merged in if the server answers (else the copy kept from
        last time). ``pushes``: whether :meth:`update` pushes the folders to the archive.

        Raises :class:`~briefreader.core.archive.errors.ArchiveError` for a bad URL.
        """
        from briefreader.core.archive.backend import ArchiveBackend, team_glossary_files

        data = paths.data_dir(data_dir)
        glossary = Glossary.load([*team_glossary_files(data, target), *map(Path, glossary_files)])
        lib = cls(_corpora_or_remembered(corpora, data), data, glossary, pushes=pushes)
        lib.archive = ArchiveBackend(target, glossary_of=lib._glossary, rewrite=lib._rewrite)
        lib.glossary_files = [Path(g) for g in glossary_files]
        return lib

    def reader(self) -> Library:
        """Another library on the same store that only reads, for another thread: the local
        index opened read-only (it raises :class:`briefreader.core.index.IndexDamagedError`
        if there is no usable index), or the archive on a connection of its own."""
        if self.archive is not None:
            other = Library(
                self.corpora,
                self.data_dir,
                self.glossary,
                archive=self.archive.reader(),
                pushes=self.pushes,
            )
        else:
            other = Library(self.corpora, self.data_dir, self.glossary, local=self.local.reader())
        other.glossary_files = self.glossary_files
        return other

    def remember_corpora(self) -> None:
        """Open these corpus folders next time, whichever front end starts (preferences.json)."""
        Preferences.load(self.data_dir).remember_corpora(self.corpora)

    def close(self) -> None:
        """Let go of the backend's files or connection (and the local index's)."""
        if self.archive is not None:
            self.archive.close()
        if self._local is not None:
            self._local.close()

    # -- what the library is made of -------------------------------------------------------

    @property
    def backend(self) -> SearchBackend:
        """What the library searches: the team archive if it has one, else the local index."""
        return self.archive if self.archive is not None else self.local

    @property
    def local(self) -> LocalIndex:
        """The laptop's own index of the corpus folders: what a local library searches, and
        what updates keep current over an archive that does not push (made on first use)."""
        if self._local is None:
            self._local = LocalIndex(self.corpora, self.data_dir, self._glossary)
        return self._local

    @property
    def index(self) -> ix.BriefIndex:
        """The local index's files (its folder, manifest, lock), whichever backend searches."""
        return self.local.index

    @property
    def workbench(self) -> ActorWorkbench | None:
        """The actor workbench (actor pages, candidate names): the local index's; None when
        the library searches a team archive, which has none."""
        return self.local if self.archive is None else None

    @property
    def is_archive(self) -> bool:
        """Whether the library searches a team archive rather than the local index."""
        return self.backend.is_archive

    @property
    def name(self) -> str:
        """What the backend is called: "the local index", or the archive's host and database."""
        return self.backend.name

    @property
    def problems(self) -> list[Problem]:
        """What the last update of the local index found wrong (files skipped, warnings)."""
        return self.local.problems if self._local is not None else []

    @property
    def follow_outside_links(self) -> bool:
        """Follow links that lead out of a corpus folder (preferences.json; off by default)."""
        return self.local.follow_outside_links

    @follow_outside_links.setter
    def follow_outside_links(self, value: bool) -> None:
        self.local.follow_outside_links = value

    @property
    def suffixes(self) -> tuple[str, ...]:
        """The file suffixes read as briefs (text, and each format reader's): asked when a
        folder is walked or a file opened, so that a start does not load the readers."""
        return readable_suffixes()

    @property
    def builder(self) -> ix.QueryBuilder:
        """The local index's query builder over the glossary."""
        if self._local is not None and self.archive is None:
            return self._local.builder
        if self._builder is None:
            self._builder = query_builder(self.glossary)
        return self._builder

    def _glossary(self) -> Glossary:
        return self.glossary

    def _rewrite(self, text: str) -> tuple[str, set[str], list[str]]:
        """The query's text rewritten over the glossary, as the archive reads it (made
        without the local index: an archive's library never opens one to search)."""
        if self._rewriter is None or self._rewriter[0] is not self.glossary:
            self._rewriter = (self.glossary, query_rewriter(self.glossary))
        return self._rewriter[1].rewrite(text)

    # -- updates -------------------------------------------------------------------------

    def update(
        self,
        progress: ProgressFn | None = None,
        cancel: Callable[[], bool] | None = None,
        *,
        lock_timeout: float | None = None,
        bulk: bool | None = None,
    ) -> UpdateReport:
        """Bring the local index in line with the corpus folders (see
        :meth:`LocalIndex.update <briefreader.core.library_update.LocalUpdate.update>`); over
        an archive that pushes, push the folders' new and changed briefs to it instead."""
        if self.archive is not None and self.pushes:
            return self.archive.push(self.corpora, self.glossary, progress)
        return self.local.update(progress, cancel, lock_timeout=lock_timeout, bulk=bulk)

    def rebuild(self, *, lock_timeout: float | None = None) -> None:
        """Throw the local index away, so that the next :meth:`update` builds it anew; a
        team archive that this library pushes to is never thrown away (ArchiveError)."""
        if self.archive is not None and self.pushes:
            self.archive.rebuild()
            return
        self.local.rebuild(lock_timeout=lock_timeout)

    # -- searching -----------------------------------------------------------------------

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
    ) -> SearchResults:
        """Search the backend; actor filters accept any name or alias of an actor."""
        text, tamed = prepare_query(text)
        since, until = order_dates(since, until, tamed)
        filters = self.filters(actors, sources, tags, since, until, years)
        results = self.backend.search(
            text,
            filters,
            limit=limit,
            offset=offset,
            sort=sort,
            facets=facets,
            snippets=snippets,
            time_limit=time_limit,
        )
        results.notices[:0] = [n for n in tamed if n not in results.notices]
        return results

    def filters(
        self,
        actors: Sequence[str] = (),
        sources: Sequence[str] = (),
        tags: Sequence[str] = (),
        since: dt.date | None = None,
        until: dt.date | None = None,
        years: Sequence[int] = (),
    ) -> Filters:
        """A search's filters; an actor may be given by any name or alias."""
        actor_ids = []
        for a in actors:
            actor = self.find_actor(a)
            actor_ids.append(actor.id if actor else a)
        return Filters(tuple(actor_ids), tuple(sources), tuple(tags), since, until, tuple(years))

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
        filters = self.filters(actors, sources, tags, since, until, years)
        return self.backend.found_among(text, ids, filters)

    def stored_of(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The backend's stored fields of each brief id it holds (no file read)."""
        return self.backend.stored_of(ids)

    def hit_spans(self, brief: Brief, text: str) -> list[tuple[int, int]]:
        """Offsets in ``brief.text`` of the words the query ``text`` matches."""
        if not text.strip():
            return []
        return self.backend.hit_spans(brief, prepare_query(text)[0])  # the query as searched

    # -- briefs --------------------------------------------------------------------------

    def brief(self, ref: str) -> Brief:
        """A brief by id (the local index: relative path, or ``file#n`` for an item of a
        digest or a mailbox; or a file path, whose first brief it gives)."""
        return self.backend.brief(ref)

    def mentions(self, brief: Brief) -> list[Mention]:
        """Where the glossary's actors are named in ``brief`` (the glossary's work, not the
        backend's: the same over an archive)."""
        return self.glossary.mentions(brief)

    def related(self, brief_id: str, limit: int = 10) -> list[Hit]:
        """Briefs like this one; its copies (the same article elsewhere) are not among them."""
        return self.backend.related(brief_id, limit)

    def copies_of(self, brief_id: str) -> tuple[str, ...]:
        """The other briefs holding the same article as ``brief_id`` (its other places)."""
        return self.backend.copies_of(brief_id)

    def doc_count(self) -> int:
        """How many briefs the backend holds."""
        return self.backend.doc_count()

    # -- actors --------------------------------------------------------------------------

    def actor_counts(self) -> dict[str, int]:
        """Briefs mentioning each actor of the glossary (0 for none)."""
        counts = self.backend.actor_document_counts()
        return {actor_id: counts.get(actor_id, 0) for actor_id in self.glossary.actors}

    def actor(self, actor_id: str) -> Actor | None:
        """The glossary's actor of this id, if any."""
        return self.glossary.get(actor_id)

    def find_actor(self, name: str) -> Actor | None:
        """The actor going by ``name``: any of its names or aliases, or its id."""
        return self.glossary.lookup(name) or self.glossary.get(name)


def _corpora_or_remembered(corpora: Sequence[Path] | None, data: Path) -> list[Path]:
    """``corpora``; else the folders remembered last that still exist, else the sample."""
    if corpora:
        return list(corpora)
    return Preferences.load(data).existing_corpora() or [paths.sample_corpus_dir()]


#: What the actor workbench's absence says (a library over a team archive has none).
NO_WORKBENCH = "the actor workbench reads the local index only, not a team archive"
#: What the candidate names' absence says.
NO_CANDIDATES = "glossary candidates are found in the local index only"

__all__ = [
    "ARTICLE",
    "BULK_BATCH",
    "BULK_BATCH_MAX",
    "BULK_THRESHOLD",
    "DAMAGE_ERRORS",
    "NO_CANDIDATES",
    "NO_WORKBENCH",
    "Library",
    "LocalIndex",
    "Problem",
    "ProgressFn",
    "UpdateReport",
    "default_lock_timeout",
    "is_damage",
]
