"""Re-analysing an archive's briefs when the index words change (a schema migration's step).

The archive keeps each brief's text; its tsvector, word counts, per-word statistics and best
lists all follow from that text and :mod:`core.archive.analysis`. When the analysis changes
(schema 3: Snowball stems instead of Porter stems), they are made again from the text, in
the migration's own transaction: a crash or a cancel leaves the archive as it was. Schema 3
also counts the actors named in all briefs (``totals``: an actor's BM25, as the local index
has it, needs the average) and each word's occurrences per section (``term_stats.cf``:
related briefs' key words are weighed by their rate in the articles).
"""

from __future__ import annotations

import logging
from typing import Any

from briefreader.core.archive import analysis, best

log = logging.getLogger(__name__)

#: Briefs read and rewritten at a time (keyset pages by id: memory stays flat).
PAGE = 2000


def reanalyse(conn: Any) -> int:
    """Every brief's tsvector and word counts made again from its text, then term_stats,
    the totals and the best lists; the number of briefs. Run inside a transaction."""
    done = 0
    last = ""
    with conn.cursor() as cur:
        while True:
            cur.execute(
                "SELECT id, title, article, coalesce(comment, '') FROM briefs "
                "WHERE id > %s ORDER BY id LIMIT %s",
                (last, PAGE),
            )
            rows = cur.fetchall()
            if not rows:
                break
            ids, tsvs, wa, wb, wc = [], [], [], [], []
            for brief_id, title, article, comment in rows:
                literal, counts, _distinct = analysis.tsvector(
                    [("title", title), ("article", article), ("comment", comment)]
                )
                ids.append(brief_id)
                tsvs.append(literal)
                wa.append(counts.get("A", 0))
                wb.append(counts.get("B", 0))
                wc.append(counts.get("C", 0))
            cur.execute(
                """UPDATE briefs b SET tsv = n.tsv::tsvector, words_a = n.a, words_b = n.b,
                          words_c = n.c
                   FROM unnest(%s::text[], %s::text[], %s::int[], %s::int[], %s::int[])
                        AS n(id, tsv, a, b, c)
                   WHERE b.id = n.id""",
                (ids, tsvs, wa, wb, wc),
            )
            done += len(rows)
            last = ids[-1]
            log.info("re-analysed %d briefs", done)
        recount_words(cur)
        # The actors named in all briefs (schema 3: the local index's BM25 of an actor).
        cur.execute("INSERT INTO totals VALUES ('actors', 0) ON CONFLICT (name) DO NOTHING")
        cur.execute(
            """UPDATE totals SET value = s.value FROM (
                   SELECT 'briefs' AS name, count(*) AS value FROM briefs
                   UNION ALL SELECT 'words_a', coalesce(sum(words_a), 0) FROM briefs
                   UNION ALL SELECT 'words_b', coalesce(sum(words_b), 0) FROM briefs
                   UNION ALL SELECT 'words_c', coalesce(sum(words_c), 0) FROM briefs
                   UNION ALL SELECT 'actors', coalesce(sum(cardinality(actors)), 0)
                             FROM briefs) s
               WHERE totals.name = s.name"""
        )
    best.rebuild(conn)
    return done


def recount_words(cur: Any) -> None:
    """term_stats made again from every brief's tsvector: the briefs holding each word in
    each section (``ndoc``) and its occurrences there (``cf``), as the push counts them."""
    cur.execute("TRUNCATE term_stats")
    parts = " UNION ALL ".join(
        f"""SELECT u.lexeme, '{w.upper()}'::"char" AS field, array_length(u.positions, 1) AS tf
            FROM briefs b, unnest(ts_filter(b.tsv, '{{{w}}}')) u"""
        for w in "abc"
    )
    cur.execute(
        f"""INSERT INTO term_stats (lexeme, field, ndoc, cf)
            SELECT lexeme, field, count(*), sum(tf) FROM ({parts}) x GROUP BY 1, 2"""
    )
