"""One actor seen across the whole index: when, with whom, and what the analysts said.

Everything comes from the index (postings of the actor fields, the date and actor columns,
stored comments), never from the brief files: the counts are those a search gives
(``actor:NAME`` for the total, ``actor:A actor:B`` for a pair). The glossary stays outside
the index package: the caller passes the matcher in as a function.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from whoosh import query

from briefreader.core.index.evaluate import Evaluator
from briefreader.core.index.store import BriefIndex
from briefreader.core.records import ActorPage, CommentSentence, Company, MonthCount
from briefreader.core.sentences import sentence_spans

#: (actor id, start, end) of each actor named in a text.
FindActors = Callable[[str], list[tuple[str, int, int]]]

#: How many companions an actor page lists by default.
COMPANY_LIMIT = 25
#: How many leading companions the page's graph links with one another.
GRAPH_SIZE = 8


def _docs(ev: Evaluator, field: str, actor_id: str) -> np.ndarray:
    """Live documents with ``actor_id`` in ``field``, ascending."""
    return ev.run(query.Term(field, actor_id), scored=False).ids


#: Microseconds in a day, and the day 1970-01-01 counted from ``datetime.min`` (Whoosh
#: stores a date as microseconds since ``datetime.min``).
_DAY_US = 86_400_000_000
_EPOCH_DAY = dt.date(1970, 1, 1).toordinal() - 1


def _months(ev: Evaluator, docs: np.ndarray) -> np.ndarray:
    """Each document's month as year * 12 + month - 1; -1 for an undated brief (by numpy's
    calendar: one Python call per distinct date took 8 ms at 3,000 dates)."""
    values, has = ev.dates()
    out = np.full(len(docs), -1, dtype=np.int64)
    if not len(docs):
        return out
    dated = has[docs]
    days = (values[docs][dated] // _DAY_US).astype(np.int64) - _EPOCH_DAY
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    out[dated] = months + 1970 * 12
    return out


def timeline(
    ev: Evaluator, docs: np.ndarray, article: np.ndarray, comment: np.ndarray
) -> list[MonthCount]:
    """Briefs a month (oldest first, undated last), and how many name the actor in each
    section. Months without a brief are left out."""
    months = _months(ev, docs)
    in_article = np.isin(docs, article, assume_unique=True)
    in_comment = np.isin(docs, comment, assume_unique=True)
    out: list[MonthCount] = []
    keys, inverse, counts = np.unique(months, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    articles = np.bincount(inverse, weights=in_article, minlength=len(keys)).astype(np.int64)
    comments = np.bincount(inverse, weights=in_comment, minlength=len(keys)).astype(np.int64)
    for key, n, a, c in zip(
        keys.tolist(), counts.tolist(), articles.tolist(), comments.tolist(), strict=True
    ):
        label = None if key < 0 else f"{key // 12:04d}-{key % 12 + 1:02d}"
        out.append(MonthCount(label, int(n), int(a), int(c)))
    out.sort(key=lambda m: (m.month is None, m.month or ""))
    return out


def company(ev: Evaluator, actor_id: str, docs: np.ndarray, limit: int) -> list[Company]:
    """The actors sharing briefs with ``actor_id``, best first.

    The score is shared x ln(lift), lift being shared / expected, expected = a x b / N for
    actors in a and b of N briefs: an actor in every brief meets everyone about as often as
    expected (lift 1, score 0) and sinks, and a pair meeting once ranks below one meeting
    often at the same lift.
    """
    column = ev.facet("actor_list")
    shared = column.count(docs.astype(np.int32), ev.n)
    shared.pop(actor_id, None)
    if not shared:
        return []
    every = ev.every()
    totals = column.count(every.astype(np.int32), ev.n)
    n = max(1, len(every))
    a = max(1, len(docs))
    out: list[Company] = []
    for other, k in shared.items():
        expected = a * max(1, totals.get(other, k)) / n
        score = k * math.log(k / expected)
        out.append(Company(other, k, round(score, 3)))
    out.sort(key=lambda c: (-c.score, -c.briefs, c.actor_id))
    return out[:limit]


def links(ev: Evaluator, docs: np.ndarray, leading: list[Company]) -> list[tuple[str, str, int]]:
    """For each two of the ``leading`` companions, the actor's briefs that name both."""
    if not leading or not len(docs):
        return []
    # One row a companion: which of the actor's briefs name it; a pair's count is then the
    # product of two rows (one matrix product for all of them).
    rows = np.stack(
        [np.isin(docs, _docs(ev, "actors", c.actor_id), assume_unique=True) for c in leading]
    ).astype(np.int32)
    both = rows @ rows.T
    out: list[tuple[str, str, int]] = []
    for i, a in enumerate(leading):
        for j in range(i + 1, len(leading)):
            n = int(both[i, j])
            if n:
                out.append((a.actor_id, leading[j].actor_id, n))
    return out


def _date_of(stored: dict[str, Any]) -> dt.date | None:
    value = stored.get("date")
    return value.date() if isinstance(value, dt.datetime) else None


def newest_first(ev: Evaluator, docs: np.ndarray) -> np.ndarray:
    """``docs`` newest brief first, undated last; briefs of one day in index order."""
    if not len(docs):
        return docs
    values, has = ev.dates()
    dated = has[docs]
    # lexsort's last key is the primary one: dated before undated, then the date descending.
    ticks = np.where(dated, values[docs], 0).astype(np.uint64)
    order = np.lexsort((docs, np.iinfo(np.uint64).max - ticks, ~dated))
    return docs[order]


def comment_sentences(
    ev: Evaluator,
    actor_id: str,
    docs: np.ndarray,
    find: FindActors,
    start: int = 0,
    count: int | None = None,
) -> list[CommentSentence]:
    """Every sentence of a stored comment naming ``actor_id``, newest brief first.

    Only the briefs ``start`` to ``start + count`` of that order are read (each costs its
    stored fields, the matcher and the sentence rule, about a millisecond): a page shows the
    newest and asks for more as the reader scrolls.
    """
    ordered = newest_first(ev, docs)
    chosen = ordered[start:] if count is None else ordered[start : start + count]
    out: list[CommentSentence] = []
    searcher = ev.searcher
    for doc in chosen.tolist():
        stored = searcher.stored_fields(int(doc))
        text = stored.get("comment") or ""
        base = stored.get("comment_start")
        if not text or base is None:
            continue
        named = [(s, e) for a, s, e in find(text) if a == actor_id]
        if not named:
            continue
        date = _date_of(stored)
        for s0, e0 in sentence_spans(text):
            marks = tuple((max(s, s0) - s0, min(e, e0) - s0) for s, e in named if s < e0 and e > s0)
            if marks:
                out.append(
                    CommentSentence(
                        str(stored.get("id", "")),
                        date,
                        str(stored.get("title", "")),
                        text[s0:e0],
                        int(base) + s0,
                        int(base) + e0,
                        marks,
                    )
                )
    return out


def actor_page(
    index: BriefIndex,
    actor_id: str,
    find: FindActors,
    company_limit: int = COMPANY_LIMIT,
    comment_briefs: int | None = None,
) -> ActorPage:
    """Everything the actor workbench shows for one actor id; the analysts' sentences of the
    newest ``comment_briefs`` briefs only, when given (the rest: :func:`actor_comments`)."""
    ev = index.evaluator()
    docs = _docs(ev, "actors", actor_id)
    article = _docs(ev, "actors_article", actor_id)
    comment = _docs(ev, "actors_comment", actor_id)
    companions = company(ev, actor_id, docs, company_limit)
    return ActorPage(
        actor_id=actor_id,
        briefs=len(docs),
        timeline=timeline(ev, docs, article, comment),
        company=companions,
        comments=comment_sentences(ev, actor_id, comment, find, 0, comment_briefs),
        comment_only=int(np.isin(comment, article, assume_unique=True, invert=True).sum()),
        article_only=int(np.isin(article, comment, assume_unique=True, invert=True).sum()),
        links=links(ev, docs, companions[:GRAPH_SIZE]),
    )


def actor_comments(
    index: BriefIndex, actor_id: str, find: FindActors, start: int, count: int | None
) -> list[CommentSentence]:
    """The analysts' sentences naming ``actor_id`` in the briefs ``start`` to
    ``start + count`` of :func:`newest_first` order (an actor page's next rows)."""
    ev = index.evaluator()
    comment = _docs(ev, "actors_comment", actor_id)
    return comment_sentences(ev, actor_id, comment, find, start, count)
