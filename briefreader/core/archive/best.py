"""Each common word's best briefs, kept at push time, so a first page need not read every match.

A word found in MIN_BRIEFS briefs or more gets a list (``best_briefs``) of the briefs where
it weighs most: its BM25F weight in the brief with the idf left out (a word's idf is the
same for all its briefs, so it does not change their order), from the brief's own section
lengths and the archive's average ones when the brief was pushed. The list holds every brief
of the word whose weight is above the word's ``floor`` (``best_words``), about KEEP of them
(up to twice as many): a pushed brief above the floor joins; when a list passes twice KEEP
it is cut back to the best KEEP and the floor raised to the best weight cut. A search whose
matches are too many to score each takes its candidates from these lists (and every match of
its rarer words) and ranks them with the full BM25F (core.archive.search): the champion
lists of the IR textbooks.
"""

from __future__ import annotations

from typing import Any

from briefreader.core.archive import analysis
from briefreader.core.search.ranking import BM25_B, BM25_K1, FIELD_BOOSTS

#: A word's list is started once this many briefs hold it (in one section at least).
MIN_BRIEFS = 500
#: Up to this many words, a list is started from the briefs the GIN index finds for them.
FEW = 64
#: Briefs a list keeps at least; it is cut back to this many when it passes twice as many.
KEEP = 200

K1 = BM25_K1
B = BM25_B
#: BM25F section weights by tsvector weight (A title, B article, C comment).
BOOSTS = {weight: FIELD_BOOSTS[section] for section, weight in analysis.WEIGHTS.items()}


def _impact(brief: str, lexeme: str) -> str:
    """SQL: the weight of the word of ``lexeme`` (a row of ``unnest(tsv)``) in ``brief``.

    Its count per section is the number of its positions with the section's weight; the
    average section lengths are parameters %s (A, B, C) used in that order."""
    parts = []
    for weight, column in (("A", "words_a"), ("B", "words_b"), ("C", "words_c")):
        tf = f"coalesce(cardinality(array_positions({lexeme}.weights, '{weight}')), 0)"
        parts.append(
            f"{BOOSTS[weight]} * {tf} * {K1 + 1} / ({tf} + {K1} * (1 - {B} + {B} * "
            f"{brief}.{column}::float8 / %s))"
        )
    return "(" + " + ".join(parts) + ")"


def averages(cur: Any) -> list[float]:
    """The archive's average section lengths (title, article, comment), at least 1."""
    cur.execute("SELECT name, value FROM totals")
    totals = {k: float(v) for k, v in cur.fetchall()}
    n = max(totals.get("briefs", 0.0), 1.0)
    return [max(totals.get(f"words_{s}", 0.0) / n, 1.0) for s in "abc"]


def add_briefs(cur: Any, source: str) -> None:
    """After a push's merge: the lists forget the replaced briefs, take in the briefs of
    ``source`` (a table of pushed rows, aliased ``s``) above their words' floors, and are
    cut back where they grew too long; words now common enough get a list of their own."""
    avg = averages(cur)
    cur.execute(
        f"""WITH gone AS (DELETE FROM best_briefs WHERE id IN (SELECT s.id FROM {source})
                          RETURNING lexeme)
            UPDATE best_words w SET kept = w.kept - g.n
            FROM (SELECT lexeme, count(*) AS n FROM gone GROUP BY 1) g
            WHERE w.lexeme = g.lexeme"""
    )
    cur.execute(
        f"""WITH added AS (
                INSERT INTO best_briefs (lexeme, id, score)
                SELECT lexeme, id, score FROM (
                    SELECT u.lexeme, s.id, {_impact("s", "u")} AS score, w.floor
                    FROM {source}, unnest(s.tsv) u JOIN best_words w ON w.lexeme = u.lexeme
                ) x WHERE score > floor
                ON CONFLICT (lexeme, id) DO UPDATE SET score = EXCLUDED.score
                RETURNING lexeme)
            UPDATE best_words w SET kept = w.kept + a.n
            FROM (SELECT lexeme, count(*) AS n FROM added GROUP BY 1) a
            WHERE w.lexeme = a.lexeme""",
        avg,
    )
    trim(cur)
    cur.execute(
        """SELECT lexeme FROM term_stats t WHERE ndoc >= %s
           AND NOT EXISTS (SELECT 1 FROM best_words w WHERE w.lexeme = t.lexeme)
           GROUP BY lexeme""",
        (MIN_BRIEFS,),
    )
    fresh = [r[0] for r in cur.fetchall()]
    if fresh:
        start(cur, fresh, avg)


def trim(cur: Any) -> None:
    """Cut every list longer than twice KEEP back to its best KEEP; its floor becomes the
    best weight cut (every brief above it is still in the list)."""
    cur.execute(
        """WITH over AS (SELECT lexeme FROM best_words WHERE kept > %s),
                ranked AS (
                    SELECT b.lexeme, b.id, b.score,
                           row_number() OVER (PARTITION BY b.lexeme
                                              ORDER BY b.score DESC, b.id) AS r
                    FROM best_briefs b JOIN over USING (lexeme)),
                cut AS (
                    DELETE FROM best_briefs x USING ranked k
                    WHERE x.lexeme = k.lexeme AND x.id = k.id AND k.r > %s
                    RETURNING x.lexeme, x.score)
           UPDATE best_words w SET kept = %s, floor = greatest(w.floor, c.top)
           FROM (SELECT lexeme, max(score) AS top FROM cut GROUP BY 1) c
           WHERE w.lexeme = c.lexeme""",
        (2 * KEEP, KEEP, KEEP),
    )


def start(cur: Any, words: list[str], avg: list[float] | None = None) -> int:
    """Start the lists of ``words`` from every brief holding them; how many were started.

    One pass over the briefs holding any of them (found by the GIN index when they are a
    few): each brief's weight for each of these words, the best KEEP a word kept, the next
    one its floor."""
    if avg is None:
        avg = averages(cur)
    cur.execute(
        "CREATE TEMP TABLE IF NOT EXISTS best_fresh (lexeme text, id text, score real, r bigint)"
    )
    cur.execute("TRUNCATE best_fresh")
    where, params = "TRUE", []
    if len(words) <= FEW:
        where = "b.tsv @@ %s::tsquery"
        params = [" | ".join(analysis.quote(w) for w in words)]
    cur.execute(
        f"""INSERT INTO best_fresh
            SELECT lexeme, id, score, r FROM (
                SELECT lexeme, id, score, row_number() OVER (PARTITION BY lexeme
                                                             ORDER BY score DESC, id) AS r
                FROM (SELECT u.lexeme, b.id, {_impact("b", "u")} AS score
                      FROM briefs b, unnest(b.tsv) u
                      JOIN unnest(%s::text[]) q(lexeme) ON q.lexeme = u.lexeme
                      WHERE {where}) y) x
            WHERE r <= %s""",
        [*avg, words, *params, KEEP + 1],
    )
    cur.execute(
        """INSERT INTO best_briefs (lexeme, id, score)
           SELECT lexeme, id, score FROM best_fresh WHERE r <= %s
           ON CONFLICT (lexeme, id) DO UPDATE SET score = EXCLUDED.score""",
        (KEEP,),
    )
    cur.execute(
        """INSERT INTO best_words (lexeme, floor, kept)
           SELECT lexeme, coalesce(max(score) FILTER (WHERE r > %s), 0),
                  count(*) FILTER (WHERE r <= %s)
           FROM best_fresh GROUP BY lexeme
           ON CONFLICT (lexeme) DO UPDATE SET floor = EXCLUDED.floor, kept = EXCLUDED.kept""",
        (KEEP, KEEP),
    )
    return int(cur.rowcount or 0)


def rebuild(conn: Any, sample: float = 2.0) -> int:
    """Every list started afresh (a bulk load's last step); how many words have one.

    ``conn`` is in autocommit mode. A window over every (brief, word) weight of a big
    archive sorts more than its disk holds (910,000 briefs: past 32 GB of temporary files),
    so each word's floor is first estimated on a ``sample`` per cent of the briefs: the
    weight of its SAMPLE_RANK-th best there, about the 400th best of all. One pass then
    keeps only the weights at or above their word's estimate, a few hundred a word; each
    list is its best KEEP of them and its floor the next one (or the estimate where fewer
    passed it: every brief above a list's floor is in it, which is all a search needs)."""
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("TRUNCATE best_briefs, best_words")
        cur.execute(
            "SELECT lexeme FROM term_stats GROUP BY lexeme HAVING max(ndoc) >= %s",
            (MIN_BRIEFS,),
        )
        words = [r[0] for r in cur.fetchall()]
        avg = averages(cur)
        cur.execute("CREATE TEMP TABLE best_estimate (lexeme text PRIMARY KEY, floor real)")
        # The k-th best of a sample of p% stands for about the (100 k / p)-th best of all.
        rank = max(1, round(2 * KEEP * sample / 100))
        cur.execute(
            f"""INSERT INTO best_estimate
                SELECT q.lexeme, coalesce(min(score) FILTER (WHERE r = %s), 0)
                FROM unnest(%s::text[]) q(lexeme) LEFT JOIN (
                    SELECT u.lexeme, {_impact("b", "u")} AS score,
                           row_number() OVER (PARTITION BY u.lexeme
                                              ORDER BY {_impact("b", "u")} DESC) AS r
                    FROM briefs b TABLESAMPLE SYSTEM (%s), unnest(b.tsv) u) x
                ON x.lexeme = q.lexeme
                GROUP BY q.lexeme""",
            [rank, words, *avg, *avg, sample],
        )
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS best_fresh "
            "(lexeme text, id text, score real, r bigint)"
        )
        cur.execute("TRUNCATE best_fresh")
        cur.execute(
            f"""INSERT INTO best_fresh
                SELECT lexeme, id, score, row_number() OVER (PARTITION BY lexeme
                                                          ORDER BY score DESC, id)
                FROM (SELECT u.lexeme, b.id, {_impact("b", "u")} AS score, e.floor
                      FROM briefs b, unnest(b.tsv) u
                      JOIN best_estimate e ON e.lexeme = u.lexeme) y
                WHERE score >= floor""",
            avg,
        )
        cur.execute(
            """INSERT INTO best_briefs (lexeme, id, score)
               SELECT lexeme, id, score FROM best_fresh WHERE r <= %s""",
            (KEEP,),
        )
        cur.execute(
            """INSERT INTO best_words (lexeme, floor, kept)
               SELECT e.lexeme,
                      coalesce(max(f.score) FILTER (WHERE f.r > %s), e.floor),
                      count(f.id) FILTER (WHERE f.r <= %s)
               FROM best_estimate e LEFT JOIN best_fresh f USING (lexeme)
               GROUP BY e.lexeme, e.floor""",
            (KEEP, KEEP),
        )
        cur.execute("DROP TABLE best_estimate")
    return len(words)


def lists(cur: Any, words: list[str]) -> set[str]:
    """Which of ``words`` have a list."""
    if not words:
        return set()
    cur.execute("SELECT lexeme FROM best_words WHERE lexeme = ANY(%s)", (words,))
    return {r[0] for r in cur.fetchall()}
