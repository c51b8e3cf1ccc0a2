"""Related briefs ("more like this"), over the whole index by arrays."""

from __future__ import annotations

import logging
import math
import time
from typing import Any

import numpy as np
from whoosh import query

from briefreader.core.index.evaluate import Evaluator, TimeUp
from briefreader.core.index.schema import term_counts
from briefreader.core.index.searching import (
    RELATED_WORDS,
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

log = logging.getLogger(__name__)


#: Key words are chosen among this many of a brief's most frequent words: each candidate
#: costs a term lookup in every segment (Whoosh's own key_terms_from_text looked up all of
#: them: 190 ms a brief at 100,000 briefs).
KEY_WORD_CANDIDATES = 120


def key_terms(
    ev: Evaluator, text: str, number: int, counts: dict[str, float] | None = None
) -> list[tuple[str, float]]:
    """The ``number`` most telling index words of ``text`` with their Bo1 weights,
    normalised as Whoosh's Bo1 expansion normalises them (the best near 1). ``counts``: the
    text's word counts when they are known already (a brief's, from its term file)."""
    if counts is None:
        counts = dict(term_counts(text))
    if not counts:
        return []
    candidates = sorted(counts.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))
    candidates = candidates[:KEY_WORD_CANDIDATES]
    n = max(1, ev.n)
    scored: list[tuple[float, str]] = []
    frequencies = ev.terms.collection_frequencies("article", [w for w, _tf in candidates])
    for (word, tf), cf in zip(candidates, frequencies, strict=True):
        if cf <= 0:
            continue
        f = cf / n
        scored.append((tf * math.log2((1.0 + f) / f) + math.log2(1.0 + f), word))
    if not scored:
        return []
    scored.sort(key=lambda sw: (-sw[0], sw[1]))
    best = scored[0][0]
    f = best / n
    norm = (best * math.log((1.0 + f) / f) + math.log(1.0 + f)) / math.log(2.0) if best else 1.0
    return [(word, score / norm) for score, word in scored[:number]]


def related_query(ev: Evaluator, stored: dict[str, Any], docnum: int | None = None) -> Any | None:
    """The scoring query of a brief's likeness: its key words (Bo1) in the article and the
    comment, and its actors; None when the brief has neither."""
    text = " ".join(str(stored.get(f) or "") for f in TEXT_FIELDS)
    counts = ev.terms.doc_term_counts(docnum) if docnum is not None else None
    if counts is not None:
        counts = {w: float(round(c)) for w, c in counts.items()}
    subqueries: list[Any] = []
    for word, weight in key_terms(ev, text, RELATED_WORDS, counts):
        subqueries.append(query.Term("article", word, boost=weight))
        subqueries.append(query.Term("comment", word, boost=weight * 0.8))
    for actor in (stored.get("actors") or "").split(","):
        if actor:
            subqueries.append(query.Term("actors", actor, boost=0.6))
    return query.Or(subqueries) if subqueries else None


def related(
    idx: BriefIndex, brief_id: str, *, limit: int = 10, filters: Filters | None = None
) -> list[Hit]:
    """Briefs most like this one, ranked over every brief of the index (not a sample).

    ``brief_id`` is the brief's id (an item of a digest has its own); ``filters.exclude``
    leaves briefs out (its copies: the same article is not "more like this").
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
    out = []
    for j in smallest_first(ids, -scores, limit):
        fields_ = s.stored_fields(int(ids[j]))
        out.append(hit_from(fields_, float(scores[j]), lead_snippet(fields_), 1))
    return out
