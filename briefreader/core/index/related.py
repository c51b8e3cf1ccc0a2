"""Related briefs ("more like this"), over the whole index by arrays."""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
from whoosh import query

from briefreader.core.index.copies import fold
from briefreader.core.index.evaluate import Evaluator, TimeUp
from briefreader.core.index.schema import term_counts
from briefreader.core.index.searching import (
    TIME_LIMIT_S,
    docnums_of,
    filter_query,
    hit_from,
    smallest_first,
)
from briefreader.core.index.snippets import lead_snippet
from briefreader.core.index.store import BriefIndex
from briefreader.core.records import Filters, Hit
from briefreader.core.search.ranking import TEXT_FIELDS
from briefreader.core.search.related import FREQUENCY_SECTION, key_words, related_terms

log = logging.getLogger(__name__)


def related_query(ev: Evaluator, stored: dict[str, Any], docnum: int | None = None) -> Any | None:
    """The scoring query of a brief's likeness (core.search.related: its key words by Bo1 in
    the article and the comment, and its actors); None when the brief has neither."""
    if docnum is not None and (counts := ev.terms.doc_term_counts(docnum)) is not None:
        counts = {w: float(round(c)) for w, c in counts.items()}
    else:
        text = " ".join(str(stored.get(f) or "") for f in TEXT_FIELDS)
        counts = {w: float(c) for w, c in term_counts(text).items()}
    words = key_words(
        counts,
        lambda candidates: ev.terms.collection_frequencies(FREQUENCY_SECTION, candidates),
        ev.n,
    )
    actors = (stored.get("actors") or "").split(",")
    subqueries = [query.Term(t.field, t.text, boost=t.boost) for t in related_terms(words, actors)]
    return query.Or(subqueries) if subqueries else None


def related(
    idx: BriefIndex, brief_id: str, *, limit: int = 10, filters: Filters | None = None
) -> list[Hit]:
    """Briefs most like this one, ranked over every brief of the index (not a sample).

    ``brief_id`` is the brief's id (an item of a digest has its own); ``filters.exclude``
    leaves briefs out (its copies: the same article is not "more like this"). Another
    article found in several places is listed once, by its best-scored copy.
    """
    s = idx.searcher()
    docnum = docnums_of(idx, [brief_id]).get(brief_id)
    if docnum is None:
        return []
    stored = s.stored_fields(docnum)
    ev = idx.evaluator()
    q = related_query(ev, stored, docnum)
    if q is None:
        return []
    filt = filter_query(filters or Filters())
    try:
        found = ev.run(q, deadline=time.perf_counter() + TIME_LIMIT_S)
        if filt is not None:
            found = found.restrict(ev.run(filt, scored=False).ids)
    except TimeUp:
        log.info("related briefs of %s: stopped after %g s", brief_id, TIME_LIMIT_S)
        return []
    keep = found.ids != docnum
    if filters is not None and filters.exclude:
        gone = list(docnums_of(idx, filters.exclude).values())
        keep &= ~np.isin(found.ids, np.array(gone, dtype=np.int64))
    ids, scores = found.ids[keep], found.scores[keep]
    # Another article in several places is listed once, as a search lists it: its best copy.
    hidden = fold(idx.copy_groups(), [(ids, scores)])
    if len(hidden):
        shown = ~np.isin(ids, hidden)
        ids, scores = ids[shown], scores[shown]
    out = []
    for j in smallest_first(ids, -scores, limit):
        fields_ = s.stored_fields(int(ids[j]))
        out.append(hit_from(fields_, float(scores[j]), lead_snippet(fields_), 1))
    return out
