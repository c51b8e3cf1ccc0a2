"""Related briefs ("more like this"), over the whole index by arrays."""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

from whoosh import query

from briefreader.core.index.evaluate import TimeUp
from briefreader.core.index.schema import TEXT_FIELDS
from briefreader.core.index.searching import (
    RELATED_WORDS,
    TIME_LIMIT_S,
    _filter_query,
    _hit_from,
    _order,
)
from briefreader.core.index.snippets import _lead_snippet
from briefreader.core.index.store import BriefIndex
from briefreader.core.records import Filters, Hit

log = logging.getLogger(__name__)


def related_query(searcher: Any, stored: dict[str, Any]) -> Any | None:
    """The scoring query of a brief's likeness: its key words (Bo1) in the article and the
    comment, and its actors; None when the brief has neither."""
    text = " ".join(str(stored.get(f) or "") for f in TEXT_FIELDS)
    subqueries: list[Any] = []
    with contextlib.suppress(Exception):  # a brief with no indexable words has no key terms
        for word, weight in searcher.key_terms_from_text(
            "article", text, numterms=RELATED_WORDS, normalize=True
        ):
            subqueries.append(query.Term("article", word, boost=weight))
            subqueries.append(query.Term("comment", word, boost=weight * 0.8))
    for actor in (stored.get("actors") or "").split(","):
        if actor:
            subqueries.append(query.Term("actors", actor, boost=0.6))
    return query.Or(subqueries) if subqueries else None


def related(
    idx: BriefIndex, key: str, *, limit: int = 10, filters: Filters | None = None
) -> list[Hit]:
    """Briefs most like this one, ranked over every brief of the index (not a sample)."""
    s = idx.searcher()
    docnum = s.document_number(key=key)
    if docnum is None:
        return []
    stored = s.stored_fields(docnum)
    q = related_query(s, stored)
    if q is None:
        return []
    ev = idx.evaluator()
    filt = _filter_query(filters or Filters())
    try:
        found = ev.run(q, deadline=time.perf_counter() + TIME_LIMIT_S)
        if filt is not None:
            found = found.restrict(ev.run(filt, scored=False).ids)
    except TimeUp:
        log.info("related briefs of %s: stopped after %g s", key, TIME_LIMIT_S)
        return []
    keep = found.ids != docnum
    ids, scores = found.ids[keep], found.scores[keep]
    out = []
    for j in _order(ids, -scores, limit):
        fields_ = s.stored_fields(int(ids[j]))
        out.append(_hit_from(fields_, float(scores[j]), _lead_snippet(fields_), 1))
    return out
