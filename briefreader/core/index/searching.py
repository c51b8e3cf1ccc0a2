"""Running a user query: tiers, filters, sorts, totals, facets, feedback, suggestions."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import math
import re
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

from whoosh import collectors, query, sorting

from briefreader.core.index.querying import ParsedQuery, QueryBuilder, _is_free
from briefreader.core.index.schema import (
    FEEDBACK_CHARS,
    FEEDBACK_DOCS,
    FEEDBACK_MIN_WORDS,
    FEEDBACK_TERMS,
    FEEDBACK_WEIGHT,
    FIELD_BOOSTS,
    SORTS,
    TEXT_FIELDS,
    _fold,
    analysed_terms,
)
from briefreader.core.index.snippets import _lead_snippet, _snippet_for
from briefreader.core.index.store import BriefIndex, _Searcher
from briefreader.core.records import Filters, Hit, SearchResults, Snippet

log = logging.getLogger(__name__)


def _date_of(stored: dict[str, Any]) -> dt.date | None:
    value = stored.get("date")
    if isinstance(value, dt.datetime):
        return value.date()
    return None


def _hit_from(stored: dict[str, Any], score: float, snippet: Snippet | None, tier: int) -> Hit:
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


def _filter_query(filters: Filters) -> Any | None:
    parts: list[Any] = []
    for actor in filters.actors:
        parts.append(query.Term("actors", actor))
    if filters.sources:
        parts.append(query.Or([query.Term("source", _fold(s)) for s in filters.sources]))
    if filters.tags:
        parts.extend(query.Term("tags", _fold(t)) for t in filters.tags)
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


def _facets(idx: BriefIndex, docnums: set[int]) -> dict[str, dict[str, int]]:
    """Counts of actors, sources and years over ``docnums``, from cached per-brief columns."""
    out: dict[str, dict[str, int]] = {}
    for name, column in (
        ("actors", "actor_list"),
        ("source", "source_name"),
        ("year", "year"),
        ("tags", "tag_list"),
    ):
        values = idx.column(column)
        counts: Counter[str] = Counter()
        if values:
            if name in ("actors", "tags"):
                counts.update(itertools.chain.from_iterable(values[d] for d in docnums))
            else:
                counts.update(values[d] for d in docnums)
        counts.pop("", None)
        out[name] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return out


#: Match sets estimated at up to this many postings are counted exactly on the way to the
#: first page; bigger ones are estimated there and counted only when facets are asked for.
EXACT_LIMIT = 6000
#: Ranking stops after this long and returns what it found, marked partial: a query such as
#: ``*a*`` or ``word~2`` over 100,000 briefs would otherwise take seconds.
TIME_LIMIT_S = 0.5
#: Related briefs ("more like this") are ranked for at most this long.
RELATED_LIMIT_S = 0.3
#: Its key words: each adds a posting list to walk in two fields.
RELATED_WORDS = 12
#: Counting every match for the totals and the facets gives up after this long.
COUNT_LIMIT_S = 1.5


class _Deadline(collectors.WrappingCollector):  # type: ignore[misc]
    """Stops a collection at ``deadline`` (a ``time.perf_counter`` value) by polling.

    Whoosh's TimeLimitCollector starts a timer thread or a SIGALRM handler; polling needs
    neither, which suits a library that runs inside a Qt worker.
    """

    def __init__(self, child: Any, deadline: float) -> None:
        super().__init__(child)
        self.deadline = deadline

    def set_subsearcher(self, subsearcher: Any, offset: int) -> None:
        if time.perf_counter() > self.deadline:
            raise collectors.TimeLimit
        self.child.set_subsearcher(subsearcher, offset)
        self.subsearcher = subsearcher
        # FilterCollector reads these from its child.
        self.matcher, self.offset = self.child.matcher, self.child.offset

    def matches(self) -> Iterator[int]:
        for i, sub_docnum in enumerate(self.child.matches()):
            if not i & 63 and time.perf_counter() > self.deadline:
                raise collectors.TimeLimit
            yield sub_docnum


def _top(
    s: Any,
    q: Any,
    *,
    limit: int,
    restrict: set[int] | None,
    mask: set[int] | None,
    sortedby: Any,
    deadline: float,
) -> tuple[list[tuple[float, int]], bool]:
    """The best ``limit`` (score, docnum) for ``q`` and whether the time limit cut it short.

    Ranked by relevance with no sort, Whoosh skips posting blocks that cannot reach the top
    (block-max); nothing here counts the matches.
    """
    timed = _Deadline(s.collector(limit=limit, sortedby=sortedby), deadline)
    # The filter wraps the time limit, as Searcher.collector wraps its own collectors.
    c = collectors.FilterCollector(timed, restrict, mask) if restrict or mask else timed
    partial = False
    try:
        s.search_with_collector(q, c)
    except collectors.TimeLimit:
        partial = True
    try:
        return list(c.results().top_n), partial
    except Exception:  # noqa: BLE001 - a collector stopped before it began has no results
        return [], True


def _date_counts(s: _Searcher) -> dict[str, int]:
    """Briefs per year ("2024") and per month ("2024-05"), counted once per searcher."""
    if s._date_counts is None:
        s._date_counts = {
            t.decode("utf-8"): int(s.doc_frequency(fieldname, t))
            for fieldname in ("year", "month")
            for t in s.lexicon(fieldname)
        }
    return s._date_counts


def _date_slices(
    s: Any, q: Any, limit: int, oldest: bool, n_docs: int
) -> list[tuple[str, ...] | None]:
    """Groups of year or month terms ("2024", "2024-05"), newest first, each expected to hold
    a page of matches of ``q``; None at the end stands for the briefs without a date.

    The expectation comes from term statistics only: ``q``'s estimated share of the corpus
    times the number of briefs in the slice. A common word is then sorted a month at a time,
    a rare one in a few passes over several years.
    """
    share = min(1.0, _estimate(q, s.reader(), n_docs) / max(n_docs, 1)) if n_docs else 1.0
    want = 2 * limit
    counts = _date_counts(s)
    years = sorted((t for t in counts if "-" not in t), reverse=not oldest)
    months: dict[str, list[str]] = {}
    for m in counts:
        if "-" in m:
            months.setdefault(m[:4], []).append(m)
    slices: list[tuple[str, ...] | None] = []
    group: list[str] = []
    expected = 0.0
    for year in years:
        in_year = share * counts[year]
        if in_year >= 4 * want and months.get(year):
            if group:
                slices.append(tuple(group))
                group, expected = [], 0.0
            for month in sorted(months[year], reverse=not oldest):
                group.append(month)
                expected += share * counts[month]
                if expected >= want:
                    slices.append(tuple(group))
                    group, expected = [], 0.0
            continue
        group.append(year)
        expected += in_year
        if expected >= want:
            slices.append(tuple(group))
            group, expected = [], 0.0
    if group:
        slices.append(tuple(group))
    slices.append(None)
    return slices


def _newest_first(
    s: Any,
    q: Any,
    *,
    limit: int,
    restrict: set[int] | None,
    mask: set[int] | None,
    oldest: bool,
    deadline: float,
) -> tuple[list[tuple[float, int]], bool]:
    """Date-sorted top ``limit``, a slice of dates at a time, stopping once the page is full.

    Sorting every match of a common word by date means visiting all of them; the newest
    month holds about a hundredth of them, and the intersection with its term skips the
    rest. Briefs without a date come last, as in a full sort.
    """
    n_docs = int(s.doc_count())
    years = [t for t in _date_counts(s) if "-" not in t]
    facet = sorting.FieldFacet("date", reverse=not oldest)
    out: list[tuple[float, int]] = []
    partial = False
    for terms in _date_slices(s, q, limit, oldest, n_docs):
        if len(out) >= limit or partial:
            break
        if terms is None:
            part = query.AndNot(q, query.Or([query.Term("year", y) for y in years]))
        else:
            slice_q = [query.Term("month" if "-" in t else "year", t) for t in terms]
            dates = slice_q[0] if len(slice_q) == 1 else query.Or(slice_q)
            # Every brief of the slice: its terms alone (Whoosh's Every lists each segment's
            # documents, asking each whether it is deleted).
            part = dates if isinstance(q, query.Every) else query.And([q, dates])
        got, partial = _top(
            s,
            part,
            limit=limit - len(out),
            restrict=restrict,
            mask=mask,
            sortedby=facet,
            deadline=deadline,
        )
        out.extend(got)
    return out[:limit], partial


def _unions(q: Any) -> Any:
    """Make every Or in ``q`` a tree of union matchers; returns ``q``.

    Whoosh picks a matcher per segment: in a segment of fewer than 5,000 briefs (what a bulk
    build writes) an Or of three or more parts preloads every posting of every part into
    arrays, which both reads whole posting lists of common words and defeats skipping in
    intersections and block-max ranking. Same index, 10,000 briefs: 113 -> 83 ms median.
    """
    if isinstance(q, query.Or):
        q.matcher_type = query.Or.DEFAULT_MATCHER
    if not q.is_leaf():
        for child in q.children():
            _unions(child)
    return q


def _estimate(q: Any, reader: Any, n: int) -> int:
    """Roughly how many briefs ``q`` matches, from term statistics alone (no postings read).

    A word searched in several fields is counted by its commonest field; all the words
    together as if independent. The window shows "about" before the real count arrives.
    """
    if isinstance(q, query.Term):
        return int(reader.doc_frequency(q.fieldname, q.text)) if q.text is not None else 0
    if isinstance(q, query.AndMaybe):
        return _estimate(q.a, reader, n)
    if isinstance(q, query.AndNot):
        return _estimate(q.a, reader, n)
    if isinstance(q, query.And):
        est = float(n)
        for sub in q.subqueries:
            est *= _estimate(sub, reader, n) / max(n, 1)
        return int(est)
    if isinstance(q, query.Or):
        sizes = sorted((_estimate(sub, reader, n) for sub in q.subqueries), reverse=True)
        if not sizes:
            return 0
        same_word = len({getattr(sub, "text", None) for sub in q.subqueries}) == 1
        if same_word:
            return sizes[0]
        return min(n, int(n - n * math.prod(1 - x / max(n, 1) for x in sizes)))
    try:
        return min(n, int(q.estimate_size(reader)))
    except Exception:  # noqa: BLE001 - a query type without statistics
        return n


def _cost(q: Any, reader: Any) -> int:
    """How many postings counting ``q`` would walk (Whoosh's own upper estimate)."""
    try:
        return int(q.estimate_size(reader))
    except Exception:  # noqa: BLE001
        return EXACT_LIMIT + 1


def search(
    idx: BriefIndex,
    builder: QueryBuilder,
    text: str,
    *,
    limit: int = 20,
    offset: int = 0,
    sort: str = "relevance",
    filters: Filters | None = None,
    facets: bool | str = True,
    snippets: bool = True,
    time_limit: float | None = TIME_LIMIT_S,
) -> SearchResults:
    """Run a user query: all-words matches first, then some-words matches, then filters.

    With ``facets=False`` (the first page the window shows) large match sets are not
    counted: ``total`` is then an estimate and ``exact`` is False. With ``facets=True`` the
    sets are counted, within :data:`COUNT_LIMIT_S`; ``facets="if-counted"`` adds facets
    only when the sets were small enough to count anyway. ``time_limit=None`` ranks every match
    however long it takes (relevance measurements need the whole list).
    """
    t0 = time.perf_counter()
    deadline = t0 + time_limit if time_limit is not None else math.inf
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}")
    filters = filters or Filters()
    s = idx.searcher()
    reader = s.reader()
    n_docs = int(s.doc_count())
    parsed = builder.parse(text, reader)
    filt = _filter_query(filters)
    notices = list(parsed.notices)
    empty_query = not text.strip()
    sort_by_date = sort != "relevance" or empty_query
    oldest = sort == "oldest"

    want = offset + limit
    restrict = None if filt is None else idx.match_set(filt)
    share = 1.0 if restrict is None else len(restrict) / max(n_docs, 1)

    if empty_query:
        strict_q = loose_q = query.Every()
        strict_match: Any = query.Every()
        loose_match: Any = None
    else:
        strict_q, loose_q = parsed.all_words, parsed.some_words
        strict_match, loose_match = parsed.all_words, parsed.some_words
        if sort == "relevance":
            feedback = _feedback_query(s, parsed, filt)
            if feedback is not None:
                # Scores only: the briefs found, their tiers and the totals stay the same.
                strict_q = query.AndMaybe(strict_q, feedback)
                if loose_q is not None:
                    loose_q = query.AndMaybe(loose_q, feedback)
    two_tiers = not empty_query and loose_match is not None and loose_match != strict_match

    # Which briefs match: counted when cheap (or when facets need the sets), else estimated.
    if facets not in (True, False, "if-counted"):
        raise ValueError("facets must be True, False or 'if-counted'")
    cheap_facets = facets == "if-counted"
    facets = facets is True
    count_deadline = t0 + COUNT_LIMIT_S if facets else None
    exact = True

    def counted(q: Any) -> set[int] | None:
        nonlocal exact
        if empty_query:
            # Every brief: one set per searcher, cached, so browsing by date stays cheap.
            every = idx.match_set(query.Every())
            return every if restrict is None or every is None else every & restrict
        if not facets and _cost(q, reader) > EXACT_LIMIT:
            return None
        found = idx.match_set(q, count_deadline)
        if found is None:
            notices.append("too many matches to count in time: the totals are estimates")
            return None
        return found if restrict is None else found & restrict

    strict_docs = counted(strict_match)
    loose_docs: set[int] | None = strict_docs
    if two_tiers:
        some = counted(loose_match)
        loose_docs = None if some is None or strict_docs is None else some | strict_docs

    page: list[tuple[int, float, int, int]] = []  # (position, score, docnum, tier)
    partial = False

    def rank(q: Any, lim: int, mask: set[int] | None) -> list[tuple[float, int]]:
        nonlocal partial
        if sort_by_date:
            got, cut = _newest_first(
                s, q, limit=lim, restrict=restrict, mask=mask, oldest=oldest, deadline=deadline
            )
        else:
            got, cut = _top(
                s, q, limit=lim, restrict=restrict, mask=mask, sortedby=None, deadline=deadline
            )
        partial = partial or cut
        return got

    strict_q = _unions(strict_q)
    loose_q = _unions(loose_q) if loose_q is not None else None
    tier1 = [] if strict_docs is not None and not strict_docs else rank(strict_q, want, None)
    page.extend((i, score, docnum, 1) for i, (score, docnum) in enumerate(tier1))
    if strict_docs is not None:
        total1 = len(strict_docs)
    elif len(tier1) < want and not partial:
        total1 = len(tier1)  # fewer than a page: every match was collected
        strict_docs = {d for _score, d in tier1}
    else:
        total1 = max(len(tier1), int(_estimate(strict_match, reader, n_docs) * share))
        exact = False
    if two_tiers and want > total1 and loose_docs != strict_docs:
        # The some-words tier: every brief the loose query finds that the strict one did not.
        mask = strict_docs if strict_docs is not None else {d for _score, d in tier1}
        rest = rank(loose_q, want - total1, mask)
        page.extend((total1 + i, score, docnum, 2) for i, (score, docnum) in enumerate(rest))
        if loose_docs is None and len(rest) < want - total1 and not partial:
            loose_docs = mask | {d for _score, d in rest}
    if loose_docs is not None:
        total = len(loose_docs)
    elif two_tiers:
        guess = int(_estimate(loose_match, reader, n_docs) * share)
        total = max(total1 + sum(1 for p in page if p[3] == 2), guess)
        exact = False
    else:
        total = total1
    if partial:
        exact = False
        notices.append(
            f"stopped after {time_limit:g} s: these are the best matches found so far, "
            "maybe not all of them"
        )

    hits: list[Hit] = []
    for position, score, docnum, tier in page:
        if position < offset or position >= want:
            continue
        stored = s.stored_fields(docnum)
        snip = None
        if snippets:
            if parsed.highlight_terms or parsed.actors:
                snip = _snippet_for(stored, parsed, builder)
            if snip is None:
                snip = _lead_snippet(stored)
        hits.append(_hit_from(stored, score, snip, tier))

    facet_counts: dict[str, dict[str, int]] = {}
    if (
        total
        and loose_docs is not None
        and (facets or (cheap_facets and len(loose_docs) <= EXACT_LIMIT))
    ):
        # "if-counted": the facets of a few thousand briefs cost little; those of the
        # whole corpus (browsing by date) come with the second request.
        facet_counts = _facets(idx, loose_docs)

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
        facets=facet_counts,
        suggestion=suggestion,
        notices=notices,
        seconds=time.perf_counter() - t0,
        exact=exact,
        partial=partial,
    )


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
        if not _is_free(word):
            return None
        for leaf in word.leaves() if not word.is_leaf() else [word]:
            if not isinstance(leaf, query.Term) or isinstance(leaf, query.FuzzyTerm):
                return None
    return words


def _feedback_query(searcher: Any, parsed: ParsedQuery, filt: Any) -> Any | None:
    """Pseudo-relevance feedback: the telling words of the best briefs, as a scoring query.

    The best FEEDBACK_DOCS briefs for the words are re-read (their stored text, analysed as
    the index does), and each word gets sum over briefs of P(word | brief) x the brief's
    share of the feedback, the shares a softmax of the scores. The top FEEDBACK_TERMS words
    are weighted so that together they count FEEDBACK_WEIGHT of the query (the typed words
    the rest), as in RM3.
    """
    if parsed.some_words is None or parsed.some_words == parsed.all_words:
        return None  # one word, explicit AND, or constraints: nothing to loosen
    words = _feedback_words(parsed.some_words)
    if words is None:
        return None
    try:
        top = searcher.search(parsed.some_words, filter=filt, limit=FEEDBACK_DOCS)
        scored = [(float(score), docnum) for score, docnum in top.top_n]
    except Exception:  # noqa: BLE001 - feedback is a refinement, never an error
        log.debug("no feedback for %r", parsed.text, exc_info=True)
        return None
    if len(scored) < 2:
        return None
    best = max(score for score, _ in scored)
    shares = [math.exp(score - best) for score, _ in scored]
    total_share = sum(shares)
    weights: dict[str, float] = {}
    for (_score, docnum), share in zip(scored, shares, strict=True):
        stored = searcher.stored_fields(docnum)
        text = " ".join(str(stored.get(f) or "") for f in TEXT_FIELDS)[:FEEDBACK_CHARS]
        counts: dict[str, int] = {}
        for term in analysed_terms(text):
            counts[term] = counts.get(term, 0) + 1
        length = sum(counts.values())
        if not length:
            continue
        for term, tf in counts.items():
            weights[term] = weights.get(term, 0.0) + (share / total_share) * tf / length
    chosen = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:FEEDBACK_TERMS]
    norm = sum(w for _t, w in chosen)
    if not chosen or norm <= 0:
        return None
    # The typed words weigh 1 each, (1 - FEEDBACK_WEIGHT) of the query between them.
    scale = len(words) * FEEDBACK_WEIGHT / (1.0 - FEEDBACK_WEIGHT) / norm
    subqueries = [
        query.Term(fieldname, term, boost=w * scale * FIELD_BOOSTS[fieldname])
        for term, w in chosen
        for fieldname in TEXT_FIELDS
    ]
    return query.Or(subqueries)


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
    except Exception:  # noqa: BLE001 - spelling is a nicety, never an error
        log.debug("no suggestion for %r", text, exc_info=True)
        return None
