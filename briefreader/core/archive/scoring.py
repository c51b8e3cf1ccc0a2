"""How the archive scores a match, in SQL, as the local index scores it: BM25F over the
match's tsvector with the search's constants (core/search/ranking), a section's count
weighted by its boost before it is saturated, a phrase's words only where the phrase stands,
the named actors by BM25 over the brief's actors, sources and tags by 1. ``core.archive.search``
and ``core.archive.related`` rank with it."""

from __future__ import annotations

import re
from collections import Counter

from briefreader.core.archive import analysis
from briefreader.core.archive.stats import WordStats
from briefreader.core.search.ranking import BM25_B, BM25_K1, FIELD_BOOSTS, idf, repeat_weight

K1 = BM25_K1
B = BM25_B
#: BM25F section weights by tsvector weight (A title, B article, C comment).
BOOSTS = {weight: FIELD_BOOSTS[section] for section, weight in analysis.WEIGHTS.items()}


def weights_table(
    terms: list[tuple[str, str]], df: dict[tuple[str, str], int], totals: dict[str, float]
) -> tuple[list[str], list[str], list[float]]:
    """(words, sections, weight) rows: idf x the weight of a word typed again, x the
    section's boost when the word is searched in every section (as the local index's
    parser weighs its sections; a word's count in a section is weighted in BM25_SQL)."""
    n = max(totals.get("briefs", 0.0), 1.0)
    acc: dict[tuple[str, str], float] = {}
    for (word, weights), times in Counter(terms).items():
        for section in weights:
            d = df.get((word, section), 0)
            if not d:
                continue
            boost = BOOSTS[section] if len(weights) > 1 else 1.0
            weight = boost * idf(n, d) * repeat_weight(times)
            acc[(word, section)] = acc.get((word, section), 0.0) + weight
    keys = sorted(acc)
    return [k[0] for k in keys], [k[1] for k in keys], [acc[k] for k in keys]


def average_lengths(totals: dict[str, float]) -> list[float]:
    """Each section's average length in words (title, article, comment), at least 1."""
    n = max(totals.get("briefs", 0.0), 1.0)
    return [max(totals.get(f"words_{s}", 0.0) / n, 1.0) for s in "abc"]


#: A word's count in a section, weighted by the section's boost before it is saturated (the
#: local index keeps its postings' weights so: Whoosh's field boost).
_TF = (
    f"(t.tf * CASE t.f WHEN 'A' THEN {BOOSTS['A']} WHEN 'B' THEN {BOOSTS['B']} "
    f"ELSE {BOOSTS['C']} END)"
)


#: BM25F over one match's tsvector: each query word's count per section, saturated. Only
#: the query's words are unpacked: setweight marks their positions D (a weight no section
#: uses) and ts_filter keeps just those, both in C; a position tells its section again
#: (title, then the article after SECTION_GAP, then the comment; core.archive.analysis).
def _bm25_sql(gated: bool) -> str:
    """BM25_SQL; ``gated``: over the GROUPS' rows (``g``-prefixed values), each of which
    counts only where the brief matches its gate, a tsquery (see :func:`groups_table`)."""
    p = "g" if gated else ""
    gate = " AND m.tsv @@ q.gate::tsquery" if gated else ""
    gates = f", %({p}gates)s::text[]" if gated else ""
    gate_col = ", gate" if gated else ""
    return f"""
    coalesce((SELECT sum(q.w * {_TF} * {K1 + 1} / ({_TF} + {K1} * (1 - {B} + {B} *
                CASE t.f WHEN 'A' THEN m.words_a::float8 / %(avg_a)s
                         WHEN 'B' THEN m.words_b::float8 / %(avg_b)s
                         ELSE m.words_c::float8 / %(avg_c)s END)))
              FROM (SELECT u.lexeme,
                           CASE WHEN p <= m.words_a THEN 'A'
                                WHEN p <= m.words_a + {analysis.SECTION_GAP} + m.words_b
                                THEN 'B' ELSE 'C' END AS f,
                           count(*)::float8 AS tf
                    FROM unnest(ts_filter(setweight(m.tsv, 'D', %({p}words)s::text[]),
                                          '{{d}}')) u, unnest(u.positions) p
                    GROUP BY 1, 2) t
              JOIN unnest(%({p}words)s::text[], %({p}fields)s::text[], %({p}wts)s::float8[]{gates})
                   AS q(lexeme, f, w{gate_col}) ON q.lexeme = t.lexeme AND q.f = t.f{gate}), 0)
"""


BM25_SQL = _bm25_sql(False)
#: A phrase's words (or a typed word that is several index words, "high-speed") score in a
#: section only where the phrase stands in it, as the local index's phrase in each field.
GROUPS_SQL = _bm25_sql(True)


def groups_table(
    groups: list[tuple[str, tuple[str, ...], str]],
    df: dict[tuple[str, str], int],
    totals: dict[str, float],
) -> dict[str, object]:
    """GROUPS_SQL's values: for each (kind, words, sections) group and each section, its
    words' rows (weighted as :func:`weights_table` weighs words) gated by the group in that
    section (a phrase: the words in order there; "all": each of them there)."""
    n = max(totals.get("briefs", 0.0), 1.0)
    rows: list[tuple[str, str, float, str]] = []
    for (kind, words, sections), times in Counter(groups).items():
        joiner = " <-> " if kind == "phrase" else " & "
        for section in sections:
            boost = BOOSTS[section] if len(sections) > 1 else 1.0
            gate = joiner.join(f"{analysis.quote(w)}:{section}" for w in words)
            for word in words:
                d = df.get((word, section), 0)
                if d:
                    rows.append((word, section, boost * idf(n, d) * repeat_weight(times), gate))
    return {
        "gwords": [r[0] for r in rows],
        "gfields": [r[1] for r in rows],
        "gwts": [r[2] for r in rows],
        "ggates": [r[3] for r in rows],
    }


#: The metadata the query names, scored as the local index scores its keyword fields: an
#: actor by BM25 over the brief's list of actors (each named once, the list's length its
#: length), a source, a tag or a section's actor by a constant 1 when the brief has it.
COLUMNS_SQL = f"""
    coalesce((SELECT sum(CASE WHEN q.col = 'actors' THEN q.w * {K1 + 1} / (1 + {K1} *
                (1 - {B} + {B} * cardinality(m.actors)::float8 / %(avg_actors)s)) ELSE q.w END)
              FROM unnest(%(cols)s::text[], %(vals)s::text[], %(cwts)s::float8[])
                   AS q(col, val, w)
              WHERE CASE q.col WHEN 'actors' THEN m.actors @> ARRAY[q.val]
                               WHEN 'actors_article' THEN m.actors_article @> ARRAY[q.val]
                               WHEN 'actors_comment' THEN m.actors_comment @> ARRAY[q.val]
                               WHEN 'source' THEN m.source_key = q.val
                               WHEN 'tags' THEN m.tag_keys @> ARRAY[q.val]
                               ELSE false END), 0)
"""
#: What a match's score is read from (the candidates' columns).
SCORED = (
    "b.id, b.tsv, b.words_a, b.words_b, b.words_c, b.actors, b.actors_article, "
    "b.actors_comment, b.source_key, b.tag_keys"
)


def columns_table(stats: WordStats, columns: list[tuple[str, str]]) -> dict[str, object]:
    """COLUMNS_SQL's values: each named column value once, weighted as the local index
    weighs it (an actor: its idf among the briefs; the others 1), more if named again."""
    n = max(stats.totals.get("briefs", 0.0), 1.0)
    counted = Counter(columns)
    df = stats.actor_briefs(v for c, v in counted if c == "actors")
    keys = sorted(counted)
    weights = [
        (idf(n, df.get(v, 0)) if c == "actors" else 1.0) * repeat_weight(counted[(c, v)])
        for c, v in keys
    ]
    return {
        "cols": [c for c, _v in keys],
        "vals": [v for _c, v in keys],
        "cwts": weights,
        "avg_actors": max(stats.totals.get("actors", 0.0) / n, 1.0),
    }


def positional(sql: str, named: dict[str, object]) -> tuple[str, list[object]]:
    """``sql``'s ``%(name)s`` parameters as positional ``%s`` ones, in the order the text
    uses them, with their values."""
    out: list[object] = []

    def sub(m: re.Match[str]) -> str:
        out.append(named[m.group(1)])
        return "%s"

    return re.sub(r"%\((\w+)\)s", sub, sql), out
