"""The local index as the library sees it: the search backend, the actor workbench and the
updates of the laptop's own Whoosh index, over the corpus folders.

One object, three parts, one job a module: :mod:`~briefreader.core.library_search` (it is a
:class:`~briefreader.core.search.backend.SearchBackend`), :mod:`~briefreader.core.library_actors`
(it is the :class:`~briefreader.core.search.backend.ActorWorkbench`) and
:mod:`~briefreader.core.library_update` (bringing the index in line with the folders), over
:mod:`~briefreader.core.library_base` (the index read with damage caught, the query builder).
A library over a team archive still keeps one to update, never to search.
"""

from __future__ import annotations

from briefreader.core.library_actors import LocalActors
from briefreader.core.library_search import LocalSearch
from briefreader.core.library_update import LocalUpdate


class LocalIndex(LocalUpdate, LocalSearch, LocalActors):
    """The corpus folders' index on this machine: searched, updated, and the actor workbench."""

    def reader(self) -> LocalIndex:
        """Another on the same index that only reads, for searching during updates.

        It never creates, rebuilds or moves the index: if there is no usable index it raises
        :class:`briefreader.core.index.IndexDamagedError`.
        """
        other = LocalIndex(self.corpora, self.data_dir, self._glossary_of)
        other.index.open(create=False)
        other._opened = True
        other._read_only = True
        return other


__all__ = ["LocalIndex"]
