"""Briefs like one brief: its most telling words searched with the archive's BM25F.

The words are the brief's KEY_WORDS best by tf x idf (as before). Scoring every brief that
holds one of them reads the tsvector of each (a few seconds at a million briefs: a telling
word is often a common one), so the candidates are bounded the way a first page is: a
listed word brings its list's best LIST_TAKE briefs (core.archive.best), any other word its
first PER_WORD briefs from the GIN index (a word without a list is in fewer than
best.MIN_BRIEFS briefs a section, so that is usually all of them). Each candidate gets a
rough score from what these lookups already know (the listed weight times the word's idf;
idf alone for a word without a list), and only the DEPTH best of them, with up to PAIR_TAKE
briefs holding two or more of the rarer telling words (``_pairs``), are read and ranked
with the full BM25F. ``exhaustive`` ranks every brief holding a key word: the reference the
tests and the benchmark compare with.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import psycopg

from briefreader.core.archive import analysis
from briefreader.core.archive.query import Compiled
from briefreader.core.archive.search import (
    BM25_SQL,
    average_lengths,
    hits_of,
    positional,
    weights_table,
)
from briefreader.core.archive.stats import WordStats
from briefreader.core.records import Hit
from briefreader.core.search.ranking import idf as word_idf

#: The brief's most telling words searched for.
KEY_WORDS = 12
#: A listed word's best briefs taken as candidates.
LIST_TAKE = 200
#: Briefs taken from the GIN index for a word without a list.
PER_WORD = 500
#: Candidates read and ranked with the full BM25F (besides the pairs' below).
DEPTH = 300
#: The rarer telling words asked in pairs: as many as are held by this many briefs in all.
PAIR_POSTINGS = 60_000
#: Briefs taken holding a pair of them.
PAIR_TAKE = 400


def _key_words(cur: Any, brief_id: str) -> tuple[list[str], WordStats | None]:
    """The brief's KEY_WORDS most telling words (tf x idf, words of more than one brief),
    with the statistics they were chosen by."""
    cur.execute(
        """SELECT u.lexeme, array_length(u.positions, 1) FROM briefs b, unnest(b.tsv) u
           WHERE b.id = %s""",
        (brief_id,),
    )
    tf = {w: int(n) for w, n in cur.fetchall()}
    if not tf:
        return [], None
    stats = WordStats(cur, tf)
    n = max(stats.totals.get("briefs", 0.0), 1.0)
    doc_freq: dict[str, int] = {}
    for (w, _f), d in stats.df.items():
        doc_freq[w] = max(doc_freq.get(w, 0), d)
    scored = sorted(
        ((c * math.log(1 + (n - doc_freq.get(w, 0) + 0.5) / (doc_freq.get(w, 0) + 0.5)), w)
         for w, c in tf.items() if doc_freq.get(w, 0) > 1),
        reverse=True,
    )  # fmt: skip
    return [w for _s, w in scored[:KEY_WORDS]], stats


def _rank(
    cur: Any,
    brief_id: str,
    key_words: list[str],
    stats: WordStats,
    candidates: str,
    params: list[object],
    limit: int,
) -> list[Hit]:
    """The ``limit`` best of the briefs ``candidates`` (a condition on ``b``) selects, by
    the full BM25F."""
    terms = [(w, "ABC") for w in key_words]
    words, fields, wts = weights_table(terms, stats.df, stats.totals)
    avg = average_lengths(stats.totals)
    named = {"words": words, "fields": fields, "wts": wts, "avg_a": avg[0],
             "avg_b": avg[1], "avg_c": avg[2]}  # fmt: skip
    bm25, bm25_params = positional(BM25_SQL, named)
    cur.execute(
        f"""SELECT m.id, {bm25} AS score FROM (
                SELECT b.id, b.tsv, b.words_a, b.words_b, b.words_c FROM briefs b
                WHERE {candidates} AND b.id <> %s) m
            ORDER BY score DESC, m.id LIMIT %s""",
        [*bm25_params, *params, brief_id, limit],
    )
    page = [(r[0], float(r[1]), True) for r in cur.fetchall()]
    compiled = Compiled(None, None, terms=terms)
    return hits_of(
        cur, page, compiled, frozenset(), lambda _t, _a: [], snippets=False, lead=True
    )


def _pairs(cur: Any, brief_id: str, key_words: list[str], stats: WordStats) -> list[str]:
    """Up to PAIR_TAKE briefs holding two or more of the brief's rarer telling words.

    The briefs most like one hold several of its words, each a few times: seldom one
    word's best briefs (at a million briefs the lists alone shared 3 of the ten best with
    ranking every match). The rarest words, up to PAIR_POSTINGS briefs holding them in all,
    are asked as an OR of their pairs: one GIN scan over their short posting lists."""
    rare: list[str] = []
    held = 0
    for word in sorted(key_words, key=lambda w: (stats.most(w), w)):
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
        "SELECT b.id FROM briefs b WHERE b.tsv @@ %s::tsquery AND b.id <> %s LIMIT %s",
        (query, brief_id, PAIR_TAKE),
    )
    return [r[0] for r in cur.fetchall()]


def related(conn: psycopg.Connection[Any], brief_id: str, limit: int = 10) -> list[Hit]:
    """The ``limit`` briefs most like ``brief_id``, from a bounded set of candidates."""
    with conn.transaction(), conn.cursor() as cur:
        # Planned for its own values (as a search is: core.archive.search.run).
        cur.execute("SELECT set_config('plan_cache_mode', 'force_custom_plan', true)")
        key_words, stats = _key_words(cur, brief_id)
        if not key_words or stats is None:
            return []
        n = max(stats.totals.get("briefs", 0.0), 1.0)
        idf = []
        for w in key_words:
            d = stats.most(w)
            idf.append(word_idf(n, d))
        flags = [w in stats.listed for w in key_words]
        # Fetched first and given as an array: the ranking then reads these briefs by key.
        cur.execute(
            """WITH q AS (SELECT * FROM unnest(%s::text[], %s::tsquery[], %s::float8[],
                                               %s::bool[]) AS q(lexeme, tsq, idf, listed)),
                    c AS (
                        SELECT l.id, q.idf * l.score AS s FROM q, LATERAL (
                            SELECT id, score FROM best_briefs l WHERE l.lexeme = q.lexeme
                            ORDER BY l.score DESC LIMIT %s) l
                        WHERE q.listed
                        UNION ALL
                        SELECT b.id, q.idf FROM q, LATERAL (
                            SELECT id FROM briefs b WHERE b.tsv @@ q.tsq LIMIT %s) b
                        WHERE NOT q.listed)
               SELECT id FROM c WHERE id <> %s GROUP BY id ORDER BY sum(s) DESC, id LIMIT %s""",
            (key_words, [analysis.quote(w) for w in key_words], idf, flags, LIST_TAKE,
             PER_WORD, brief_id, DEPTH),
        )  # fmt: skip
        ids = [r[0] for r in cur.fetchall()]
        ids += [i for i in _pairs(cur, brief_id, key_words, stats) if i not in set(ids)]
        if not ids:
            return []
        return _rank(cur, brief_id, key_words, stats, "b.id = ANY(%s)", [ids],
                     limit)  # fmt: skip


def exhaustive(conn: psycopg.Connection[Any], brief_id: str, limit: int = 10) -> list[Hit]:
    """The same words ranked over every brief holding one of them (the reference)."""
    with conn.cursor() as cur:
        key_words, stats = _key_words(cur, brief_id)
        if not key_words or stats is None:
            return []
        query = " | ".join(analysis.quote(w) for w in key_words)
        return _rank(cur, brief_id, key_words, stats,
                     "b.tsv @@ %s::tsquery", [query], limit)  # fmt: skip
