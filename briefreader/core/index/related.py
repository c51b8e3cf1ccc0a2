"""Related briefs ("more like this")."""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

from whoosh import query

from briefreader.core.index.schema import TEXT_FIELDS
from briefreader.core.index.searching import (
    RELATED_LIMIT_S,
    RELATED_WORDS,
    _filter_query,
    _hit_from,
    _top,
    _unions,
)
from briefreader.core.index.snippets import _lead_snippet
from briefreader.core.index.store import BriefIndex
from briefreader.core.records import Filters, Hit

log = logging.getLogger(__name__)


def related(
    idx: BriefIndex, key: str, *, limit: int = 10, filters: Filters | None = None
) -> list[Hit]:
    """Briefs most like this one: its key words (Bo1 weighting) and its actors."""
    s = idx.searcher()
    docnum = s.document_number(key=key)
    if docnum is None:
        return []
    stored = s.stored_fields(docnum)
    text = " ".join(str(stored.get(f) or "") for f in TEXT_FIELDS)
    subqueries: list[Any] = []
    with contextlib.suppress(Exception):
        for word, weight in s.key_terms_from_text(
            "article", text, numterms=RELATED_WORDS, normalize=True
        ):
            subqueries.append(query.Term("article", word, boost=weight))
            subqueries.append(query.Term("comment", word, boost=weight * 0.8))
    for actor in (stored.get("actors") or "").split(","):
        if actor:
            subqueries.append(query.Term("actors", actor, boost=0.6))
    if not subqueries:
        return []
    # Ranked like a search's first page (a union tree, block-max top-k, a time limit): a
    # plain Whoosh search for these 50-odd words took 7 s a brief at 100,000 briefs, and
    # kept the worker from the reader's next request all that time.
    filt = _filter_query(filters or Filters())
    # Newest segments first: when time runs out, the briefs found are the recent ones
    # (segments are written in the order briefs arrive).
    s.newest_first = True
    try:
        got, partial = _top(
            s,
            _unions(query.Or(subqueries)),
            limit=limit,
            restrict=None if filt is None else idx.match_set(filt),
            mask={docnum},
            sortedby=None,
            deadline=time.perf_counter() + RELATED_LIMIT_S,
        )
    finally:
        s.newest_first = False
    if partial:
        log.info("related briefs of %s: stopped after %g s", key, RELATED_LIMIT_S)
    out = []
    for score, found in got:
        fields_ = s.stored_fields(found)
        out.append(_hit_from(fields_, score, _lead_snippet(fields_), 1))
    return out
