"""Briefs like one brief, as the local index finds them: the shared likeness query
(core.search.related: key words by Bo1, each in the article and the comment, and the brief's
actors) scored with the archive's BM25F and its actors' BM25.

The key words are chosen from the brief's word counts (its tsvector) and each word's
occurrences in the articles (``term_stats.cf``). When the briefs holding a key word in the
article or the comment, or one of the brief's actors, are at most EXHAUSTIVE_MAX, every one
of them is ranked: the local index's ranking over every brief, the same briefs in the same
order. On a bigger archive scoring each would read thousands of tsvectors (a telling word is
often a common one), so the candidates are bounded the way a first page is: a listed word
brings its list's best LIST_TAKE briefs (core.archive.best), any other word and each actor
its first PER_WORD briefs from the GIN index. Each candidate gets a rough score from what
these lookups already know (the word's weight and idf, times the listed weight for a listed
word), and only the DEPTH best of them, with up to PAIR_TAKE briefs holding two or more of
the rarer key words (``_pairs``), are ranked with the full score. ``exhaustive`` ranks every
brief holding a key word or an actor: the reference the tests and the benchmark compare with.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import psycopg

from briefreader.core.archive import analysis
from briefreader.core.archive.query import Compiled
from briefreader.core.archive.scoring import (
    BM25_SQL,
    COLUMNS_SQL,
    SCORED,
    average_lengths,
    columns_table,
    positional,
)
from briefreader.core.archive.search import hits_of
from briefreader.core.archive.stats import WordStats
from briefreader.core.records import Hit
from briefreader.core.search.ranking import idf as word_idf
from briefreader.core.search.related import (
    FREQUENCY_SECTION,
    key_word_candidates,
    key_words,
    related_terms,
)

#: A listed word's best briefs taken as candidates.
LIST_TAKE = 200
#: Briefs taken from the GIN index for a word without a list, and for an actor.
PER_WORD = 500
#: Candidates read and ranked with the full score (besides the pairs' below).
DEPTH = 300
#: The rarer key words asked in pairs: as many as are held by this many briefs in all.
PAIR_POSTINGS = 60_000
#: Briefs taken holding a pair of them.
PAIR_TAKE = 400
#: Up to this many briefs holding a key word or an actor, every one is ranked (no more
#: than the bounded path reads: DEPTH and the pairs').
EXHAUSTIVE_MAX = DEPTH + PAIR_TAKE

_ARTICLE = analysis.WEIGHTS["article"]
_COMMENT = analysis.WEIGHTS["comment"]
_CF_SECTION = analysis.WEIGHTS[FREQUENCY_SECTION]


@dataclass
class _Likeness:
    """A brief's likeness query as the archive scores it."""

    #: Key words with their Bo1 weights, best first.
    words: list[tuple[str, float]]
    actors: list[str]
    stats: WordStats
    #: The score's SQL (over a row ``m`` of SCORED columns) and its parameters.
    score: str
    params: list[object]
    #: Each actor's weight in the score (its idf times the shared actor weight).
    actor_weights: dict[str, float]

    @property
    def briefs(self) -> float:
        return max(self.stats.totals.get("briefs", 0.0), 1.0)

    def matching(self) -> tuple[str, list[object]]:
        """The condition (on ``b``) of a brief holding a key word in its article or comment,
        or one of the actors: every brief the score is above 0 for."""
        parts: list[str] = []
        params: list[object] = []
        if self.words:
            sections = _ARTICLE + _COMMENT
            parts.append("b.tsv @@ %s::tsquery")
            params.append(" | ".join(f"{analysis.quote(w)}:{sections}" for w, _ in self.words))
        if self.actors:
            parts.append("b.actors && %s::text[]")
            params.append(self.actors)
        return "(" + " OR ".join(parts) + ")", params


def _likeness(cur: Any, brief_id: str) -> _Likeness | None:
    """The brief's key words, actors and the score of their likeness; None when the brief
    is not there or has neither key words nor actors."""
    cur.execute(
        """SELECT b.actors, u.lexeme, array_length(u.positions, 1)
           FROM briefs b LEFT JOIN LATERAL unnest(b.tsv) u ON true WHERE b.id = %s""",
        (brief_id,),
    )
    rows = cur.fetchall()
    if not rows:
        return None
    actors = list(dict.fromkeys(a for a in rows[0][0] if a))
    counts = {word: float(n) for _a, word, n in rows if word is not None}
    stats = WordStats(cur, key_word_candidates(counts))
    briefs = max(stats.totals.get("briefs", 0.0), 1.0)
    words = key_words(
        counts, lambda ws: [float(stats.cf.get((w, _CF_SECTION), 0)) for w in ws], briefs
    )
    if not words and not actors:
        return None
    # The shared query's parts: a word's row per section (its weight times its idf there;
    # the section's boost weighs its count inside BM25_SQL), an actor by COLUMNS_SQL.
    sections = {"article": _ARTICLE, "comment": _COMMENT}
    rows_: list[tuple[str, str, float]] = []
    boosts: dict[str, float] = {}
    for term in related_terms(words, actors):
        if term.field == "actors":
            boosts[term.text] = boosts.get(term.text, 0.0) + term.boost
            continue
        section = sections[term.field]
        d = stats.df.get((term.text, section), 0)
        if d:
            rows_.append((term.text, section, term.boost * word_idf(briefs, d)))
    cols = columns_table(stats, [("actors", a) for a in boosts])
    vals = cast(list[str], cols["vals"])
    cwts = [w * boosts[v] for w, v in zip(cast(list[float], cols["cwts"]), vals, strict=True)]
    avg = average_lengths(stats.totals)
    named = {**cols, "cwts": cwts, "words": [r[0] for r in rows_],
             "fields": [r[1] for r in rows_], "wts": [r[2] for r in rows_],
             "avg_a": avg[0], "avg_b": avg[1], "avg_c": avg[2]}  # fmt: skip
    score, params = positional(f"({BM25_SQL}) + ({COLUMNS_SQL})", named)
    actor_weights = dict(zip(vals, cwts, strict=True))
    return _Likeness(words, actors, stats, score, params, actor_weights)


def _rank(
    cur: Any,
    like: _Likeness,
    candidates: str,
    params: list[object],
    excluded: list[str],
    limit: int,
) -> list[Hit]:
    """The ``limit`` best of the briefs ``candidates`` (a condition on ``b``) selects, by
    the full score; the ``excluded`` briefs and those scoring nothing left out."""
    cur.execute(
        f"""SELECT s.id, s.score FROM (
                SELECT m.id, {like.score} AS score FROM (
                    SELECT {SCORED} FROM briefs b
                    WHERE {candidates} AND b.id <> ALL(%s)) m) s
            WHERE s.score > 0 ORDER BY s.score DESC, s.id LIMIT %s""",
        [*like.params, *params, excluded, limit],
    )
    page = [(r[0], float(r[1]), True) for r in cur.fetchall()]
    compiled = Compiled(None, None, terms=[(w, _ARTICLE + _COMMENT) for w, _ in like.words])
    return hits_of(cur, page, compiled, frozenset(), lambda _t, _a: [], snippets=False, lead=True)


def _pairs(cur: Any, like: _Likeness, excluded: list[str]) -> list[str]:
    """Up to PAIR_TAKE briefs holding two or more of the brief's rarer key words.

    The briefs most like one hold several of its words, each a few times: seldom one
    word's best briefs (at a million briefs the lists alone shared 3 of the ten best with
    ranking every match). The rarest words, up to PAIR_POSTINGS briefs holding them in all,
    are asked as an OR of their pairs: one GIN scan over their short posting lists."""
    stats = like.stats
    rare: list[str] = []
    held = 0
    for word in sorted((w for w, _ in like.words), key=lambda w: (stats.most(w), w)):
        if len(rare) >= 2 and held + stats.most(word) > PAIR_POSTINGS:
            break
        rare.append(word)
        held += stats.most(word)
    if len(rare) < 2:
        return []
    query = " | ".join(
        f"({analysis.quote(a)} & {analysis.quote(b)})" for a, b in itertools.combinations(rare, 2)
    )
    cur.execute(
        "SELECT b.id FROM briefs b WHERE b.tsv @@ %s::tsquery AND b.id <> ALL(%s) LIMIT %s",
        (query, excluded, PAIR_TAKE),
    )
    return [r[0] for r in cur.fetchall()]


def _all_if_few(cur: Any, like: _Likeness, excluded: list[str]) -> list[str] | None:
    """Every brief holding a key word (article or comment) or an actor, when they are at
    most EXHAUSTIVE_MAX; else None. term_stats bounds the words' briefs first, so a common
    word's matches are never gathered only to be found too many."""
    held = sum(
        like.stats.df.get((w, _ARTICLE), 0) + like.stats.df.get((w, _COMMENT), 0)
        for w, _ in like.words
    )
    if held > EXHAUSTIVE_MAX:
        return None
    condition, params = like.matching()
    cur.execute(
        f"SELECT b.id FROM briefs b WHERE {condition} AND b.id <> ALL(%s) LIMIT %s",
        [*params, excluded, EXHAUSTIVE_MAX + 1],
    )
    ids = [r[0] for r in cur.fetchall()]
    return ids if len(ids) <= EXHAUSTIVE_MAX else None


def _bounded(cur: Any, like: _Likeness, excluded: list[str]) -> list[str]:
    """The candidates of a big archive: each word's list or first matches and each actor's
    first briefs, the DEPTH best by a rough score, and the pairs' briefs."""
    stats = like.stats
    words = [w for w, _ in like.words]
    rough = [weight * word_idf(like.briefs, stats.most(w)) for w, weight in like.words]
    flags = [w in stats.listed for w in words]
    actors = list(like.actor_weights)
    # Fetched first and given as an array: the ranking then reads these briefs by key.
    cur.execute(
        """WITH q AS (SELECT * FROM unnest(%s::text[], %s::tsquery[], %s::float8[],
                                           %s::bool[]) AS q(lexeme, tsq, w, listed)),
                c AS (
                    SELECT l.id, q.w * l.score AS s FROM q, LATERAL (
                        SELECT id, score FROM best_briefs l WHERE l.lexeme = q.lexeme
                        ORDER BY l.score DESC LIMIT %s) l
                    WHERE q.listed
                    UNION ALL
                    SELECT b.id, q.w FROM q, LATERAL (
                        SELECT id FROM briefs b WHERE b.tsv @@ q.tsq LIMIT %s) b
                    WHERE NOT q.listed
                    UNION ALL
                    SELECT b.id, a.w FROM unnest(%s::text[], %s::float8[]) AS a(actor, w),
                        LATERAL (SELECT id FROM briefs b WHERE b.actors @> ARRAY[a.actor]
                                 LIMIT %s) b)
           SELECT id FROM c WHERE id <> ALL(%s) GROUP BY id ORDER BY sum(s) DESC, id LIMIT %s""",
        (words, [analysis.quote(w) for w in words], rough, flags, LIST_TAKE, PER_WORD,
         actors, [like.actor_weights[a] for a in actors], PER_WORD, excluded, DEPTH),
    )  # fmt: skip
    ids = [r[0] for r in cur.fetchall()]
    seen = set(ids)
    ids += [i for i in _pairs(cur, like, excluded) if i not in seen]
    return ids


def related(
    conn: psycopg.Connection[Any], brief_id: str, limit: int = 10, exclude: Sequence[str] = ()
) -> list[Hit]:
    """The ``limit`` briefs most like ``brief_id``, neither it nor ``exclude`` (its copies)
    among them: every brief holding a key word or an actor ranked when they are few, else
    a bounded set of candidates."""
    with conn.transaction(), conn.cursor() as cur:
        # Planned for its own values (as a search is: core.archive.search.run).
        cur.execute("SELECT set_config('plan_cache_mode', 'force_custom_plan', true)")
        like = _likeness(cur, brief_id)
        if like is None:
            return []
        excluded = [brief_id, *exclude]
        ids = _all_if_few(cur, like, excluded)
        if ids is None:
            ids = _bounded(cur, like, excluded)
        if not ids:
            return []
        return _rank(cur, like, "b.id = ANY(%s)", [ids], excluded, limit)


def exhaustive(
    conn: psycopg.Connection[Any], brief_id: str, limit: int = 10, exclude: Sequence[str] = ()
) -> list[Hit]:
    """The same likeness ranked over every brief holding a key word or an actor (the
    reference)."""
    with conn.cursor() as cur:
        like = _likeness(cur, brief_id)
        if like is None:
            return []
        condition, params = like.matching()
        return _rank(cur, like, condition, params, [brief_id, *exclude], limit)
