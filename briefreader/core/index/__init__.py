"""The full-text index: the only package that imports Whoosh.

Whoosh stays the index (its writer, segments, analyzers, stored fields and query parser);
queries are evaluated here with arrays. One job a module: ``schema`` (fields and analysis),
``store`` (the index on disk: opening, its searcher), ``manifest`` (what each indexed file
was), ``damage`` (checksums, an index set aside), ``writing`` (the writer and its merge
policy), ``lock`` (the update lock), ``querying`` (typed text to query trees), ``postings`` and
``evaluate`` (query trees answered with numpy arrays), ``phrases`` (positions compared by
arrays), ``fast`` (the Whoosh-private fast paths, version-checked), ``snippets``,
``searching`` (a user's search), ``related``, ``actors`` (an actor's page) and ``candidates``
(names no glossary has). The plain records that cross to the front ends live in
:mod:`briefreader.core.records`.
"""

from __future__ import annotations

from briefreader.core.index.actors import actor_page
from briefreader.core.index.candidates import candidates, prepare_candidates
from briefreader.core.index.manifest import ManifestEntry
from briefreader.core.index.querying import ParsedQuery, QueryBuilder
from briefreader.core.index.related import related
from briefreader.core.index.schema import SCHEMA_VERSION, analysed_terms, make_schema
from briefreader.core.index.searching import (
    TIME_LIMIT_S,
    docnums_of,
    found_among,
    search,
)
from briefreader.core.index.snippets import hit_spans, term_positions
from briefreader.core.index.store import BriefIndex
from briefreader.core.records import (
    SORTS,
    ActorPage,
    Candidate,
    CommentSentence,
    Company,
    Filters,
    Hit,
    IndexBusyError,
    IndexDamagedError,
    IndexDoc,
    MonthCount,
    SearchResults,
    Snippet,
)
from briefreader.core.search.fields import FIELD_ALIASES  # the query's field names
from briefreader.core.search.ranking import TEXT_FIELDS

__all__ = [
    "ActorPage",
    "Candidate",
    "CommentSentence",
    "Company",
    "MonthCount",
    "actor_page",
    "candidates",
    "docnums_of",
    "found_among",
    "prepare_candidates",
    "FIELD_ALIASES",
    "SCHEMA_VERSION",
    "SORTS",
    "TEXT_FIELDS",
    "TIME_LIMIT_S",
    "BriefIndex",
    "Filters",
    "Hit",
    "IndexBusyError",
    "IndexDamagedError",
    "IndexDoc",
    "ManifestEntry",
    "ParsedQuery",
    "QueryBuilder",
    "SearchResults",
    "Snippet",
    "analysed_terms",
    "hit_spans",
    "make_schema",
    "related",
    "search",
    "term_positions",
]
