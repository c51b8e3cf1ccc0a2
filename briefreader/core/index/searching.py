"""Running a user query: tiers, filters, sorts, totals, facets, feedback, suggestions."""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from whoosh import query

from briefreader.core.index.copies import fold
from briefreader.core.index.evaluate import Evaluator, Matches, TimeUp, member_mask, union_sorted
from briefreader.core.index.postings import packed_docs
from briefreader.core.index.querying import ParsedQuery, QueryBuilder, is_free
from briefreader.core.index.schema import fold_field, term_counts
from briefreader.core.index.snippets import ACTOR_KEY, lead_snippet, snippet_for
from briefreader.core.index.store import BriefIndex
from briefreader.core.querytext import groups_notice, stop_words_only
from briefreader.core.records import SORTS, Filters, Hit, SearchResults, Snippet
from briefreader.core.search.limits import TIME_LIMIT_S
from briefreader.core.search.ranking import (
    FEEDBACK_CHARS,
    FEEDBACK_DEPTH,
    FEEDBACK_DOCS,
    FEEDBACK_MIN_WORDS,
    FIELD_BOOSTS,
    TEXT_FIELDS,
    feedback_scale,
    feedback_shares,
    feedback_words,
)
from briefreader.core.search.words import STOP_WORDS

log = logging.getLogger(__name__)


def _date_of(stored: dict[str, Any]) -> dt.date | None:
    value = stored.get("date")
    if isinstance(value, dt.datetime):
        return value.date()
    return None


def hit_from(stored: dict[str, Any], score: float, snippet: Snippet | None, tier: int) -> Hit:
    """A hit from a brief's stored fields (the search and related briefs make them alike)."""
    actors = tuple(a for a in (stored.get("actors") or "").split(",") if a)
    tags = tuple(t for t in (stored.get("tags") or "").split(",") if t)
    return Hit(
        key=str(stored.get("key")),
        id=str(stored.get("id")),
        title=str(stored.get("title") or ""),
        date=_date_of(stored),
        source=str(stored.get("source_name") or ""),
        tags=tags,
        actors=actors,
        score=float(score or 0.0),
        snippet=snippet,
        tier=tier,
    )


def _drop(m: Matches, gone: np.ndarray) -> Matches:
    """``m`` without the documents ``gone`` (ascending)."""
    keep = ~member_mask(m.ids, gone)
    return Matches(m.ids[keep], m.scores[keep])


def filter_query(filters: Filters) -> Any | None:
    """The filters as one Whoosh query (None when nothing is filtered)."""
    parts: list[Any] = []
    for actor in filters.actors:
        parts.append(query.Term("actors", actor))
    if filters.sources:
        parts.append(query.Or([query.Term("source", fold_field(s)) for s in filters.sources]))
    if filters.tags:
        parts.extend(query.Term("tags", fold_field(t)) for t in filters.tags)
    if filters.years:
        parts.append(query.Or([query.Term("year", str(y)) for y in filters.years]))
    if filters.since or filters.until:
        start = (
            dt.datetime(filters.since.year, filters.since.month, filters.since.day)
            if filters.since
            else None
        )
        end = (
            dt.datetime(filters.until.year, filters.until.month, filters.until.day, 23, 59, 59)
            if filters.until
            else None
        )
        parts.append(query.DateRange("date", start, end))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else query.And(parts)


_FACET_COLUMNS = (
    ("actors", "actor_list"),
    ("source", "source_name"),
    ("year", "year"),
    ("tags", "tag_list"),
)


def facet_counts(ev: Evaluator, ids: np.ndarray) -> dict[str, dict[str, int]]:
    """Counts of actors, sources, years and tags over ``ids`` (ascending), most first: one
    bincount per facet over the evaluator's joined columns."""
    out: dict[str, dict[str, int]] = {}
    # A large set's bitmap is made once for the listed columns' common values.
    packed = packed_docs(ids, ev.n) if len(ids) * 64 > ev.n else None
    for name, column in _FACET_COLUMNS:
        counts = ev.facet(column).count(ids, ev.n, packed)
        counts.pop("", None)
        out[name] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return out


def smallest_first(ids: np.ndarray, keys: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` smallest ``keys`` (ties: smaller ids first), in order."""
    n = len(ids)
    if k <= 0 or not n:
        return np.empty(0, dtype=np.int64)
    if k < n // 2:
        part = np.argpartition(keys, k - 1)[:k]
        cut = keys[part].max()
        cand = np.flatnonzero(keys <= cut)  # every tie at the cut, so the order is stable
    else:
        cand = np.arange(n)
    order = cand[np.lexsort((ids[cand], keys[cand]))]
    return order[:k]


def _sort_keys(ev: Evaluator, m: Matches, sort: str) -> np.ndarray:
    """Ascending keys: best score first, or newest (oldest) date first, undated last."""
    if sort == "relevance":
        return -m.scores
    dates, has = ev.dates()
    key = dates[m.ids].astype(np.float64)
    if sort == "newest":
        key = -key
    key[~has[m.ids]] = np.inf
    return key


def search(
    idx: BriefIndex,
    builder: QueryBuilder,
    text: str,
    *,
    limit: int = 20,
    offset: int = 0,
    sort: str = "relevance",
    filters: Filters | None = None,
    facets: bool = True,
    snippets: bool = True,
    time_limit: float | None = TIME_LIMIT_S,
) -> SearchResults:
    """Run a user query: all-words matches first, then some-words matches, then filters.

    Every match is found and counted (by arrays): ``total`` and ``total_all_words`` are
    exact and, unless ``facets`` is False, the facets too. ``time_limit`` is a safety net
    (None: none at all); past it the search returns what it has, marked ``partial``.
    """
    t0 = time.perf_counter()
    deadline = t0 + time_limit if time_limit is not None else math.inf
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}")
    filters = filters or Filters()
    s = idx.searcher()
    ev = idx.evaluator()
    parsed = builder.parse(text, s.reader())
    notices = list(parsed.notices)
    empty_query = not text.strip()
    sort_by = "newest" if empty_query and sort == "relevance" else sort
    partial = False

    filt = filter_query(filters)
    allowed = None if filt is None else ev.run(filt, scored=False).ids
    if filters.exclude:
        # Copies folded into another result (Library.search): left out of every count.
        gone = np.array(sorted(docnums_of(idx, filters.exclude).values()), dtype=np.int64)
        allowed = np.setdiff1d(ev.every() if allowed is None else allowed, gone)
    nothing = Matches(np.empty(0, np.int64), np.empty(0, np.float64))

    tier1, tier2 = nothing, nothing
    split: np.ndarray | None = None  # of the some-words matches, those with every word
    try:
        if empty_query:
            every = ev.every()
            tier1 = Matches(every, np.zeros(len(every))).restrict(allowed)
        else:
            loose_q = parsed.some_words
            if _words_only(parsed.all_words, loose_q):
                # Every word, and some of the words: both tiers from one pass over the lists.
                _every, loose, split = ev.run_tiers(loose_q, deadline=deadline)
                if allowed is not None:
                    keep = member_mask(loose.ids, allowed)
                    loose = Matches(loose.ids[keep], loose.scores[keep])
                    split = split[keep]
                tier1 = Matches(loose.ids[split], loose.scores[split])
            else:
                tier1 = ev.run(parsed.all_words, deadline=deadline).restrict(allowed)
                if loose_q is not None and loose_q != parsed.all_words:
                    loose = ev.run(loose_q, deadline=deadline).restrict(allowed)
            if loose_q is not None and loose_q != parsed.all_words:
                if split is not None:  # the some-words matches less those with every word
                    tier2 = Matches(loose.ids[~split], loose.scores[~split])
                else:
                    tier2 = loose.without(tier1)
                if sort_by == "relevance":
                    feedback = _feedback_query(ev, parsed, loose)
                    if feedback is not None:
                        _rerank(ev, feedback, (tier1, tier2))
    except TimeUp:
        partial = True
        notices.append(
            f"stopped after {time_limit:g} s: these are the matches found so far, maybe not "
            "all of them"
        )

    # The same article in several places is one result: its best-placed copy stands for it.
    hidden = fold(idx.copy_groups(), [(tier1.ids, tier1.scores), (tier2.ids, tier2.scores)])
    if len(hidden):
        tier1, tier2 = _drop(tier1, hidden), _drop(tier2, hidden)
        if split is not None:
            loose = _drop(loose, hidden)
    total1 = len(tier1)
    total = total1 + len(tier2)
    if len(tier2) and parsed.operators:
        notices.append(groups_notice(bool(total1)))
    if not total and not empty_query:
        notices.extend(stop_words_only(text))
    want = offset + limit
    page: list[tuple[int, float, int, int]] = []  # (position, score, docnum, tier)
    first = smallest_first(tier1.ids, _sort_keys(ev, tier1, sort_by), want)
    page.extend((i, float(tier1.scores[j]), int(tier1.ids[j]), 1) for i, j in enumerate(first))
    if want > total1 and len(tier2):
        rest = smallest_first(tier2.ids, _sort_keys(ev, tier2, sort_by), want - total1)
        page.extend(
            (total1 + i, float(tier2.scores[j]), int(tier2.ids[j]), 2) for i, j in enumerate(rest)
        )

    hits: list[Hit] = []
    rarity = None
    if snippets and page:
        # How telling each word of the query is, so that snippets show the rarest ones.
        rarity = {t: ev.rarity(t) for t in parsed.highlight_terms}
        if parsed.actors:
            rarity[ACTOR_KEY] = max(ev.rarity(a, "actors") for a in parsed.actors)
    for position, score, docnum, tier_no in page:
        if position < offset:
            continue
        stored = s.stored_fields(docnum)
        snip = None
        if snippets:
            if parsed.highlight_terms or parsed.actors:
                snip = snippet_for(stored, parsed, builder, weights=rarity)
            if snip is None:
                snip = lead_snippet(stored)
        hits.append(hit_from(stored, score, snip, tier_no))

    facet_out: dict[str, dict[str, int]] = {}
    if facets and total:
        # The two tiers together: the some-words matches themselves when one pass gave both.
        both = loose.ids if split is not None else union_sorted(tier1.ids, tier2.ids, ev.n)
        facet_out = facet_counts(ev, both)

    suggestion = None
    if total == 0 and not empty_query:
        suggestion = _suggest(s, text)

    return SearchResults(
        query=text,
        hits=hits,
        total=total,
        total_all_words=total1,
        offset=offset,
        sort=sort,
        facets=facet_out,
        suggestion=suggestion,
        notices=notices,
        seconds=time.perf_counter() - t0,
        exact=not partial,
        partial=partial,
        folded=len(hidden),
    )


#: A typed word with a wildcard or a fuzzy mark ("Ira*", "Iraq~", "~2"); a "?" ending a
#: sentence is punctuation, not a pattern.
_PATTERN_WORD = re.compile(r"\w[*~]|[*~]\w|\w\?\w")


def found_among(
    idx: BriefIndex,
    builder: QueryBuilder,
    text: str,
    ids: Sequence[str],
    filters: Filters | None = None,
) -> list[str]:
    """Those of the brief ``ids`` that a search for ``text`` with ``filters`` finds (in
    either tier): its matches evaluated once, no page, no snippet, no feedback step (which
    only re-orders). What a watchlist asks of each saved search about the briefs arrived
    since it was last seen."""
    s = idx.searcher()
    ev = idx.evaluator()
    wanted = {docnum: brief_id for brief_id, docnum in docnums_of(idx, ids).items()}
    if not wanted:
        return []
    filt = filter_query(filters or Filters())
    if filt is not None:
        allowed = ev.run(filt, scored=False).ids
        wanted = {d: i for d, i in wanted.items() if _contains(allowed, d)}
    if not text.strip():
        return [wanted[d] for d in sorted(wanted)]
    parsed = builder.parse(text, s.reader())
    loose_q = parsed.some_words
    if _words_only(parsed.all_words, loose_q):
        found = ev.run_tiers(loose_q)[1].ids
    else:
        found = ev.run(parsed.all_words, scored=False).ids
        if loose_q is not None and loose_q != parsed.all_words:
            found = union_sorted(found, ev.run(loose_q, scored=False).ids, ev.n)
    return [wanted[d] for d in sorted(wanted) if _contains(found, d)]


def docnums_of(idx: BriefIndex, ids: Sequence[str]) -> dict[str, int]:
    """The live document number of each brief id the index holds. Looked up through the term
    files all at once, and kept by the evaluator: a watchlist asks fifty searches about the
    same arrivals."""
    ev = idx.evaluator()
    unique = list(dict.fromkeys(ids))
    if not unique:
        return {}
    ev.terms.prefetch(query.Or([query.Term("id", i) for i in unique]))
    id_field = ev.schema["id"]
    out: dict[str, int] = {}
    for brief_id in unique:
        docs, _none = ev.terms.joined(id_field, "id", id_field.to_bytes(brief_id), False)
        if len(docs):
            out[brief_id] = int(docs[0])
    return out


def _contains(sorted_ids: np.ndarray, docnum: int) -> bool:
    i = int(np.searchsorted(sorted_ids, docnum))
    return i < len(sorted_ids) and int(sorted_ids[i]) == docnum


def _words_only(strict: Any, loose: Any) -> bool:
    """Whether a query is an AND of words and its loose form the OR of the same words (no
    constraint, no boost): then one pass gives both tiers."""
    return (
        isinstance(strict, query.And)
        and isinstance(loose, query.Or)
        and len(strict.subqueries) > 1
        and list(strict.subqueries) == list(loose.subqueries)
        and strict.boost == 1.0
        and loose.boost == 1.0
        and not loose.scale
        and not int(loose.minmatch or 0)
        and not any(isinstance(sub, query.Not) for sub in strict.subqueries)
    )


def _rerank(ev: Evaluator, feedback: Any, tiers: tuple[Matches, ...]) -> None:
    """Add the feedback query's scores to the best FEEDBACK_DEPTH briefs of each tier.

    Scores only: the briefs found, their tiers and the totals stay. Below the depth a brief
    keeps its score, which is already below every reranked one's (feedback only adds), so
    the order stays one order; a long question's some-words tier holds most of the index,
    and scoring all of it cost tens of milliseconds at 100,000 briefs for places no one reads.
    """
    chosen = [smallest_first(t.ids, -t.scores, FEEDBACK_DEPTH) for t in tiers]
    ids = np.unique(np.concatenate([t.ids[c] for t, c in zip(tiers, chosen, strict=True)]))
    if not len(ids):
        return
    extra = ev.scores_at(feedback, ids)
    for tier, c in zip(tiers, chosen, strict=True):
        tier.scores[c] += extra[np.searchsorted(ids, tier.ids[c])]


def _feedback_words(q: Any) -> list[Any] | None:
    """The words of a plain many-word question, or None for anything a user spelled out.

    Feedback suits questions typed as prose. Quotes, fields, wildcards, fuzzy words, minus
    words, an explicit AND or OR: the user said exactly what they want, so it is left alone.
    """
    if q is None:
        return None
    words = list(q.subqueries) if isinstance(q, query.Or) else [q]
    if len(words) < FEEDBACK_MIN_WORDS:
        return None
    for word in words:
        if not is_free(word):
            return None
        if isinstance(word, query.Term) and word.fieldname in TEXT_FIELDS:
            return None  # "title:Iraq": a typed word is searched in every text field
        for leaf in word.leaves() if not word.is_leaf() else [word]:
            if not isinstance(leaf, query.Term) or isinstance(leaf, query.FuzzyTerm):
                return None
    return words


def _feedback_query(ev: Evaluator, parsed: ParsedQuery, loose: Matches) -> Any | None:
    """Pseudo-relevance feedback: the telling words of the best briefs, as a scoring query.

    The best FEEDBACK_DOCS briefs for the words (``loose``: the some-words matches, filters
    applied) are read back word by word (their segment's term file lists each brief's words;
    without one, the stored text is analysed as the index does), and each word gets
    sum over briefs of P(word | brief) x the brief's share of the feedback, the shares a
    softmax of the scores. The top FEEDBACK_TERMS words are weighted so that together they
    count FEEDBACK_WEIGHT of the query (the typed words the rest), as in RM3.
    """
    if parsed.some_words is None or parsed.some_words == parsed.all_words:
        return None  # one word, explicit AND, or constraints: nothing to loosen
    if parsed.operators:
        return None  # an explicit AND or OR: the user spelled the query out
    words = _feedback_words(parsed.some_words)
    if words is None or _PATTERN_WORD.search(parsed.text):
        return None  # a wildcard or fuzzy word: expanded at parse time, so seen in the text
    top = smallest_first(loose.ids, -loose.scores, FEEDBACK_DOCS)
    scored = [(float(loose.scores[j]), int(loose.ids[j])) for j in top]
    if len(scored) < 2:
        return None
    shares = feedback_shares([score for score, _ in scored])
    docnums = [docnum for _score, docnum in scored]
    # Each brief's words from its segment's term file, else from its stored text.
    chosen = feedback_words(
        (share, (ev.terms.doc_term_counts(docnum) or _stored_counts(ev, docnum)).items())
        for docnum, share in zip(docnums, shares, strict=True)
    )
    norm = sum(w for _t, w in chosen)
    if not chosen or norm <= 0:
        return None
    # The typed words weigh 1 each (more if typed again), (1 - FEEDBACK_WEIGHT) of the query.
    scale = feedback_scale(sum(float(word.boost) for word in words), norm)
    subqueries = [
        query.Term(fieldname, term, boost=w * scale * FIELD_BOOSTS[fieldname])
        for term, w in chosen
        for fieldname in TEXT_FIELDS
    ]
    return query.Or(subqueries)


def _stored_counts(ev: Evaluator, docnum: int) -> dict[str, int]:
    """A brief's index words counted from its stored text (its first FEEDBACK_CHARS)."""
    stored = ev.searcher.stored_fields(docnum)
    return term_counts(" ".join(str(stored.get(f) or "") for f in TEXT_FIELDS)[:FEEDBACK_CHARS])


def _suggest(searcher: Any, text: str) -> str | None:
    """A corrected query string, if correcting its words finds something ("did you mean").

    Words are corrected against the unstemmed spelling list of the article field, so the
    suggestion reads as a user would write it; field names, operators and quotes are kept.
    """
    try:
        corrector = searcher.corrector("article")
        out: list[str] = []
        pos = 0
        changed = False
        for m in re.finditer(r"(?<![\w:])[^\W\d_]{3,}(?![\w:*?~])", text):
            word = m.group(0)
            if word in ("AND", "OR", "NOT", "TO"):
                continue
            lower = word.lower()
            if lower in STOP_WORDS:
                continue  # never indexed, never a misspelling ("a to most is and for of")
            if searcher.doc_frequency("spell_article", lower) or searcher.doc_frequency(
                "title", lower
            ):
                continue
            found = corrector.suggest(lower, limit=1, maxdist=2)
            if not found:
                continue
            fixed = found[0]
            if word[0].isupper():
                fixed = fixed[0].upper() + fixed[1:]
            out.append(text[pos : m.start()] + fixed)
            pos = m.end()
            changed = True
        if not changed:
            return None
        out.append(text[pos:])
        return "".join(out)
    except Exception:
        log.debug("no suggestion for %r", text, exc_info=True)
        return None
