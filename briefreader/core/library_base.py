"""What the local index's parts share: its corpus folders, the library's glossary, the index
opened to read (damage found while reading marks it for a rebuild), and the query builder.

:class:`briefreader.core.library_local.LocalIndex` is this base with its three parts:
:mod:`~briefreader.core.library_update` (bringing the index in line with the folders),
:mod:`~briefreader.core.library_search` (the search backend: briefs, searches, hit spans,
related briefs) and :mod:`~briefreader.core.library_actors` (the actor workbench: actor pages,
candidate names).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import pickle
import struct
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from briefreader import paths
from briefreader.core import index as ix
from briefreader.core.brief import Brief
from briefreader.core.briefdocs import readable_suffixes
from briefreader.core.glossary import Glossary
from briefreader.core.match import Matcher, NameSpans
from briefreader.core.prefs import Preferences
from briefreader.core.report import Problem
from briefreader.core.search.rewrite import QueryRewriter

log = logging.getLogger(__name__)

#: What reading a damaged index raises (a bug in briefreader raises other kinds, and is not
#: mistaken for damage): truncated or overwritten Whoosh files fail to unpack or decode.
DAMAGE_ERRORS = (
    OSError, EOFError, struct.error, zlib.error, pickle.UnpicklingError, UnicodeDecodeError,
    ValueError, IndexError, KeyError, OverflowError,
)  # fmt: skip


def is_damage(exc: BaseException) -> bool:
    """Whether reading the index failed because its files are damaged (Whoosh also raises
    a bare Exception, "Block tag error", for an overwritten postings block)."""
    return isinstance(exc, DAMAGE_ERRORS) or type(exc) is Exception


def glossary_state(glossary: Glossary) -> dict[str, Any]:
    """What matching depends on: each actor's names and case rule, as JSON-ready data."""
    return {
        "actors": {
            a.id: [a.match_case, *a.names]
            for a in sorted(glossary.actors.values(), key=lambda a: a.id)
        }
    }


class ActorRules(NamedTuple):
    """What a query needs of the glossary: a name's actor id, where given actors are
    mentioned in a text, and whether a name counts only as typed in capitals."""

    resolve: Callable[[str], str | None]
    spans: Callable[[str, frozenset[str]], list[tuple[int, int]]]
    strict: Callable[[str], bool]


def query_builder(glossary: Glossary) -> ix.QueryBuilder:
    """The local index's query builder over ``glossary``: actor names widened to their ids,
    a brief found through another name of an actor showing that name marked."""
    rules = actor_rules(glossary)
    return ix.QueryBuilder(
        ix.make_schema(), rules.resolve, rules.spans, alias_is_strict=rules.strict
    )


def query_rewriter(glossary: Glossary) -> QueryRewriter:
    """The query rewrite over ``glossary`` alone (no index): what the team archive reads, the
    same text the local index's builder gives its parser."""
    rules = actor_rules(glossary)
    return QueryRewriter(rules.resolve, alias_is_strict=rules.strict)


def actor_rules(glossary: Glossary) -> ActorRules:
    """The glossary's answers a query needs (see :class:`ActorRules`)."""
    g = glossary

    def resolve(name: str) -> str | None:
        actor = g.lookup(name)
        return actor.id if actor else None

    # The asked-for actors' names alone, per set of actors: a section that holds none
    # of them needs no run of the whole glossary (most titles and many comments).
    narrow: dict[str, Any] = {"of": None, "by_ids": {}}

    def actor_spans(text: str, actor_ids: frozenset[str]) -> list[tuple[int, int]]:
        whole = g.matcher()
        if narrow["of"] is not whole:
            narrow["of"], narrow["by_ids"] = whole, {}
        own = narrow["by_ids"].get(actor_ids)
        if own is None:
            if len(narrow["by_ids"]) > 64:
                narrow["by_ids"].clear()
            own = narrow["by_ids"][actor_ids] = Matcher(
                e for e in whole.entries if e[1] in actor_ids
            )
        # Where the asked actors' names stand, read with the whole glossary (which
        # may keep a longer name there): only a stretch around each place.
        return whole.spans_of(text, actor_ids, own)

    def strict(name: str) -> bool:
        # Written in capitals in the glossary (US, IRGC) or a match_case actor.
        actor = g.lookup(name)
        if actor is None:
            return False
        if actor.match_case:
            return True
        # Typed in lower case, a capitals-only alias still counts from three letters
        # on ("pmf", "irgc"): the short ones ("us", "kh") are everyday words.
        letters = [c for c in name if c.isalpha()]
        capitals = any(
            _norm(alias) == _norm(name) and alias.upper() == alias for alias in actor.names
        )
        return capitals and len(letters) <= 2

    return ActorRules(resolve, actor_spans, strict)


class LocalBase:
    """The local index's state, its index opened to read and its query builder (see
    :class:`briefreader.core.library_local.LocalIndex`, which is this with its parts).

    ``glossary_of`` gives the library's glossary as it is now (a front end may give the
    library another one).
    """

    #: What the front ends call it.
    name = "the local index"
    #: Its briefs are files of the corpus folders (a team archive's are rows).
    is_archive = False

    @property
    def suffixes(self) -> tuple[str, ...]:
        """The file suffixes read as briefs (text, and each format reader's): asked when a
        folder is walked or a file opened, so that a start does not load the readers."""
        return readable_suffixes()

    def __init__(
        self, corpora: Sequence[Path], data_dir: Path, glossary_of: Callable[[], Glossary]
    ) -> None:
        self.corpora = [Path(c).expanduser().resolve() for c in corpora]
        self.data_dir = Path(data_dir)
        self._glossary_of = glossary_of
        prefs = Preferences.load(self.data_dir)
        self.index = ix.BriefIndex(
            paths.index_dir(self.data_dir, self.corpora), cache_mb=prefs.cache_mb
        )
        #: Follow links that lead out of a corpus folder (preferences.json; off by default).
        self.follow_outside_links = prefs.follow_outside_links
        self._last_read: tuple[tuple[str, int, int], list[Brief]] | None = None
        self.problems: list[Problem] = []
        self._builder: ix.QueryBuilder | None = None
        self._opened = False
        self._read_only = False

    @property
    def glossary(self) -> Glossary:
        """The library's glossary, as it is now."""
        return self._glossary_of()

    def _ensure_open(self) -> None:
        """Open the index to read it; creating or rebuilding it happens under the lock only.

        Without the lock a second process could wipe the files a first one is writing.
        """
        if self._opened:
            return
        try:
            self.index.open(create=False)
        except ix.IndexDamagedError:
            if self._read_only:
                raise
            with self.index.locked(5.0):
                self.index.open()
        self._opened = True

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        """Read the index; damage found while reading marks it for a rebuild, in plain words."""
        self._ensure_open()
        try:
            yield
        except Exception as exc:
            if not is_damage(exc):
                raise
            log.warning("the index is damaged", exc_info=True)
            self.index.mark_damaged(f"{type(exc).__name__}: {exc}")
            self.close()
            raise ix.IndexDamagedError(
                "The index is damaged; it will be rebuilt at the next update."
            ) from exc

    @property
    def builder(self) -> ix.QueryBuilder:
        """The query builder over the glossary (made on first use)."""
        if self._builder is None:
            self._builder = query_builder(self.glossary)
        return self._builder

    def name_finder(self) -> Callable[[str], list[tuple[int, int]]]:
        """Where a text names someone (capitalised runs), for the candidate names: a picklable
        object, helpers may be spawned."""
        return NameSpans(self.glossary.matcher())

    def glossary_key(self) -> str:
        """A short digest of what matching depends on (kept with counts made under it)."""
        state = json.dumps(glossary_state(self.glossary), sort_keys=True)
        return hashlib.sha256(state.encode("utf-8")).hexdigest()[:24]

    def doc_count(self) -> int:
        """How many briefs the index holds."""
        with self._reading():
            return self.index.doc_count()

    def close(self) -> None:
        """Close the index's files; the next read opens them again."""
        self.index.close()
        self._opened = False


def _norm(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())
