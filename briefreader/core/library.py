"""A library: corpus folders + their index + the actor glossary, as front ends see them.

The command line and the window talk to a :class:`Library` only. It finds brief files,
decides what changed, parses and matches what must be (re)indexed, and hands plain records
to the index; searches come back as plain records too.

It is made of parts, one job a module: :mod:`~briefreader.core.library_base` (the folders,
glossary and index, read with damage caught, the query builder),
:mod:`~briefreader.core.library_update` (updates and rebuilds),
:mod:`~briefreader.core.library_search` (briefs, searches, spans, related briefs) and
:mod:`~briefreader.core.library_actors` (the actor workbench's questions).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from briefreader import paths
from briefreader.core.brief import ARTICLE
from briefreader.core.glossary import Glossary
from briefreader.core.library_actors import LibraryActors
from briefreader.core.library_base import DAMAGE_ERRORS, LibraryBase, is_damage
from briefreader.core.library_search import LibrarySearch
from briefreader.core.library_update import (
    BULK_BATCH,
    BULK_BATCH_MAX,
    BULK_THRESHOLD,
    LibraryUpdate,
    ProgressFn,
    default_lock_timeout,
)
from briefreader.core.prefs import Preferences
from briefreader.core.report import Problem, UpdateReport


class Library(LibraryUpdate, LibrarySearch, LibraryActors, LibraryBase):
    """Corpus folders, their index and the glossary, behind one small API."""

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


__all__ = [
    "ARTICLE",
    "BULK_BATCH",
    "BULK_BATCH_MAX",
    "BULK_THRESHOLD",
    "DAMAGE_ERRORS",
    "Library",
    "Problem",
    "ProgressFn",
    "UpdateReport",
    "default_lock_timeout",
    "is_damage",
]  # Problem and UpdateReport: core.report
