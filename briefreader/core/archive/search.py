"""A user's search over the archive: tiers, BM25 ranking, snippets, facets (related briefs:
``core.archive.related``, which ranks with the same BM25F).

PostgreSQL finds and counts the matches (GIN index over tsvectors); the order is BM25F as
the local index has it, computed in SQL from each match's tsvector and the archive's word
statistics (``ts_rank`` knows no idf: a common word weighs as much as a rare one).

What grows with the number of matches is bounded: counts stop at COUNT_CAP (then the
results say "at least", ``exact`` False), and the facets are those of the briefs counted; a
first page over more than LISTS_ABOVE matches is ranked from each common word's best briefs
(core.archive.best) and every match of the rarer words, not from every match; date sorts
read the date index in order and stop at the page's end; a phrase of common words is
checked on a bounded set of candidates (``partial``). Deep pages (past BEST_PAGE) keep the
exhaustive path: past RANK_ALL matches the RANK_DEPTH best by ``ts_rank`` are re-ranked.
A count that ``term_stats`` already shows past the cap is not taken when no facets are asked.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import psycopg

from briefreader.core.archive import analysis, best
from briefreader.core.archive.query import Column, Compiled, Node, Op, Text, to_sql
from briefreader.core.archive.scoring import (
    BM25_SQL,
    COLUMNS_SQL,
    GROUPS_SQL,
    SCORED,
    average_lengths,
    columns_table,
    groups_table,
    positional,
    weights_table,
)
from briefreader.core.archive.snippets import ACTOR_KEY, ActorSpans, snippet
from briefreader.core.archive.stats import WordStats
from briefreader.core.querytext import groups_notice, stop_words_only
from briefreader.core.records import Filters, Hit, SearchResults
from briefreader.core.search.fields import fold_field
from briefreader.core.search.ranking import (
    FEEDBACK_DEPTH,
    FEEDBACK_DOCS,
    FEEDBACK_MIN_WORDS,
    feedback_scale,
    feedback_shares,
    feedback_words,
    idf,
    repeat_weight,
)
from briefreader.core.search.snippets import lead_snippet

RANK_ALL = 20_000
RANK_DEPTH = 2_000
#: Matches are counted up to this many; past it the totals are lower bounds (for plain
#: words, the most briefs holding one of them in one section: term_stats knows it).
COUNT_CAP = 1_000
#: Past this many matches a page within BEST_PAGE is ranked from the best-briefs lists.
LISTS_ABOVE = best.MIN_BRIEFS
BEST_PAGE = 100
#: The best briefs taken from each word's list (a list keeps up to 400).
LIST_TAKE = 100
#: Matches read besides the lists' when filters leave too few of those for the page (each
#: is scored from its tsvector: 1,000 took 50 ms at a million briefs, 300 about 15).
SCAN_MORE = 300
#: A phrase (or words in one section) whose words are all in more briefs than this is
#: checked on a bounded set of candidates (``_bounded``).
RECHECK_MAX = 500
#: A wildcard stands for at most this many index words (the commonest) in the ranking.
MAX_EXPANSION = 64

#: A search the server has not answered in this long is cancelled (an error, one line).
STATEMENT_TIMEOUT_MS = 30_000


def filters_sql(filters: Filters, params: list[object]) -> str:
    parts = ["TRUE"]
    if filters.actors:
        parts.append("b.actors @> %s::text[]")
        params.append(list(filters.actors))
    if filters.sources:
        parts.append("b.source_key = ANY(%s)")
        params.append([fold_field(s) for s in filters.sources])
    if filters.tags:
        parts.append("b.tag_keys @> %s::text[]")
        params.append([fold_field(t) for t in filters.tags])
    if filters.years:
        parts.append("extract(year FROM b.date)::int = ANY(%s)")
        params.append(list(filters.years))
    if filters.since:
        parts.append("b.date >= %s")
        params.append(filters.since)
    if filters.until:
        parts.append("b.date <= %s")
        params.append(filters.until)
    return " AND ".join(parts)


def _stats(cur: Any, stats: WordStats, prefixes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The words each prefix stands for (as extra (word, weights) terms), their
    statistics read into ``stats``."""
    extra: list[tuple[str, str]] = []
    for prefix, weights in prefixes:
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        cur.execute(
            """SELECT lexeme FROM term_stats WHERE lexeme LIKE %s
               GROUP BY lexeme ORDER BY sum(ndoc) DESC LIMIT %s""",
            (pattern, MAX_EXPANSION),
        )
        extra.extend((row[0], weights) for row in cur.fetchall())
    stats.need(w for w, _ in extra)
    return extra


def run(
    conn: psycopg.Connection[Any],
    compiled: Compiled,
    text: str,
    *,
    limit: int,
    offset: int,
    sort: str,
    filters: Filters,
    facets: bool,
    snippets: bool,
    actors: frozenset[str],
    actor_spans: ActorSpans,
    source_url: str,
) -> SearchResults:
    t0 = time.perf_counter()
    empty = not text.strip()
    notices = list(compiled.notices)
    if not empty and compiled.strict is None:
        notices.extend(stop_words_only(text))
        return SearchResults(text, [], 0, 0, offset, sort, notices=notices)
    sort_by = "newest" if empty and sort == "relevance" else sort
    p_strict: list[object] = []
    p_loose: list[object] = []
    p_filt: list[object] = []
    strict = to_sql(compiled.strict, p_strict)
    loose = to_sql(compiled.loose, p_loose)
    filt = filters_sql(filters, p_filt)
    # One read transaction: the counts, the page and the facets see the same briefs, and a
    # runaway query is stopped by the server (the local search's safety net, more lenient).
    with conn.transaction(), conn.cursor() as cur:
        # No sequential scans of the briefs: counts are taken on the GIN index's bitmap (a
        # sequential scan would read every brief's tsvector until enough match), rankings
        # read candidates by key. Each statement planned for its own values: psycopg
        # prepares a statement run five times, and the server's generic plan of a date
        # sort (values unknown) read every match's date, 120 ms against 3 at a million
        # briefs. One statement: each is a round trip.
        cur.execute(
            "SELECT set_config('statement_timeout', %s, true), "
            "set_config('enable_seqscan', 'off', true), "
            "set_config('plan_cache_mode', 'force_custom_plan', true)",
            (str(STATEMENT_TIMEOUT_MS),),
        )
        stats = WordStats(cur, (w for w, _ in compiled.terms))
        bounded = _bounded(cur, compiled, stats)
        if bounded is not None:
            filt = f"{bounded[0]} AND {filt}"
            p_filt = [*bounded[1], *p_filt]
            # The candidates are read by key and each checked: the operator's function
            # cannot use the GIN index (the planner ANDed the candidates with the bitmap of
            # every brief holding the phrase's words, 180,000 at a million briefs).
            strict, loose = (x.replace(_MATCH, _MATCH_BY_KEY) for x in (strict, loose))
        where = f"({loose}) AND {filt}"
        p_where = [*p_loose, *p_filt]
        one_tier = strict == loose and p_strict == p_loose
        at_least = _at_least(stats, compiled.loose) if filt == "TRUE" else 0
        # The count's pass also gives the ids it read when they may serve the ranking:
        # every match when they are few, else the first matches found, which a page takes
        # when filters leave too few of the lists' briefs.
        found = None
        if at_least > COUNT_CAP and not facets:
            # term_stats already shows more matches than are counted: the count would
            # change nothing (the facets, when asked for, still need the pass).
            facet_out: dict[str, dict[str, int]] = {}
            total = COUNT_CAP + 1
        else:
            # With the facets of the same briefs in the same pass.
            want_ids = sort_by == "relevance" and (filt != "TRUE" or at_least <= COUNT_CAP)
            total, facet_out, found = _count(cur, where, p_where, facets, want_ids)
        if one_tier or not total:
            total1 = total
        else:
            total1, _, _ = _count(cur, f"({strict}) AND {filt}", [*p_strict, *p_filt], False)
        exact = total <= COUNT_CAP and bounded is None
        total, total1 = min(total, COUNT_CAP), min(total1, COUNT_CAP)
        if not exact and filt == "TRUE":
            total = max(total, at_least)
            total1 = total if one_tier else total1
        want = offset + limit
        if not total:
            rows: list[tuple[str, float, bool]] = []
        elif sort_by == "relevance":
            rows = _ranked(
                cur, compiled, stats, strict, p_strict, where, p_where, filt, p_filt, total,
                total1, want, found,
            )  # fmt: skip
        else:
            # Each tier in date order, read from the date index until the page is full.
            order = "DESC" if sort_by == "newest" else "ASC"
            tiers = [(f"({strict}) AND {filt}", [*p_strict, *p_filt], True)]
            if not one_tier:
                tiers.append((f"{where} AND NOT ({strict})", [*p_where, *p_strict], False))
            rows = []
            for cond, params, t1 in tiers:
                if len(rows) >= want or (t1 and not total1):
                    continue
                cur.execute(
                    f"""SELECT b.id FROM briefs b WHERE {cond}
                        ORDER BY b.date {order} NULLS LAST, b.id LIMIT %s""",
                    [*params, want - len(rows)],
                )
                rows += [(r[0], 0.0, t1) for r in cur.fetchall()]
        page = rows[offset:want]
        hits = hits_of(cur, page, compiled, actors, actor_spans, snippets, stats=stats)
    if total > total1 and compiled.operators:
        notices.append(groups_notice(bool(total1)))
    if not total and not empty:
        notices.extend(stop_words_only(text))
    return SearchResults(
        query=text,
        hits=hits,
        total=total,
        total_all_words=total1,
        offset=offset,
        sort=sort,
        facets=facet_out,
        notices=notices,
        seconds=time.perf_counter() - t0,
        exact=exact,
        partial=bounded is not None,
    )


def _at_least(stats: WordStats, node: Node | None) -> int:
    """A lower bound of the briefs a plain word (or an OR of plain words) matches: the most
    briefs holding one of them in one section, as term_stats counts them; 0 otherwise. An
    actor's name asked as a word is an OR of the word and the actor's column: the column
    only adds matches, so the word's count is a lower bound of the OR's too."""
    either = isinstance(node, Op) and node.op == "or"
    children = list(node.children) if isinstance(node, Op) and either else [node]
    words: list[str] = []
    while children:
        child = children.pop()
        if either and isinstance(child, Op) and child.op == "or":
            children.extend(child.children)  # an actor's name among other words
            continue
        if either and isinstance(child, Column):
            continue
        if not isinstance(child, Text) or child.kind != "word" or child.weights != "ABC":
            return 0
        words.extend(child.words)
    if not words:
        return 0
    stats.need(words)
    return max(stats.most(w) for w in words)


def _ranked(
    cur: Any,
    compiled: Compiled,
    stats: WordStats,
    strict: str,
    p_strict: list[object],
    where: str,
    p_where: list[object],
    filt: str,
    p_filt: list[object],
    total: int,
    total1: int,
    want: int,
    found: list[str] | None,
) -> list[tuple[str, float, bool]]:
    """(id, score, all words) of the best ``want`` matches, all-words matches first
    (``found``: the first matches, if the count read them)."""
    extra = _stats(cur, stats, compiled.prefixes)
    df, totals = stats.df, stats.totals
    terms = [*compiled.plain, *extra]
    words, fields, wts = weights_table(terms, df, totals)
    avg = average_lengths(totals)
    named = {"words": words, "fields": fields, "wts": wts, "avg_a": avg[0], "avg_b": avg[1],
             "avg_c": avg[2]}  # fmt: skip
    score_sql = BM25_SQL
    if compiled.groups:
        named.update(groups_table(compiled.groups, df, totals))
        score_sql = f"{score_sql} + {GROUPS_SQL}"
        # The lists below are of words: a group's words bring their best briefs too.
        words = [*words, *(w for _k, ws, _s in compiled.groups for w in ws)]
    if compiled.columns:
        named.update(columns_table(stats, compiled.columns))
        score_sql = f"{score_sql} + {COLUMNS_SQL}"
    # psycopg takes one style of placeholder a query: the named values are put in as
    # positional ones, in the order the text uses them.
    bm25, bm25_params = positional(score_sql, named)
    feedback = _feedback_wanted(compiled)
    rows = None
    every_section = all(w == "ABC" for _, w in terms) and all(
        g[2] == "ABC" for g in compiled.groups
    )
    if total > LISTS_ABOVE and want <= BEST_PAGE and words and every_section:
        depth = 2 * FEEDBACK_DEPTH if feedback else want
        rows = _from_lists(
            cur, stats, sorted(set(words)), strict, p_strict, where, p_where, filt, p_filt,
            total1, bm25, bm25_params, depth, want, found,
        )  # fmt: skip
    if rows is None:
        if found is not None and len(found) <= COUNT_CAP:
            # The count read every match: they are ranked by key, not found again.
            where, p_where = "b.id = ANY(%s)", [found]
        candidates = f"SELECT {SCORED}, {strict} AS t1 FROM briefs b WHERE {where}"
        params: list[object] = [*p_strict, *p_where]
        if total > RANK_ALL and words:
            # Too many to score each: the best by ts_rank (all-words first) are re-ranked.
            rank_q = " | ".join(analysis.quote(w) for w in sorted(set(words)))
            candidates += " ORDER BY t1 DESC, ts_rank(b.tsv, %s::tsquery) DESC LIMIT %s"
            params += [rank_q, RANK_DEPTH]
        # With feedback, each tier's best FEEDBACK_DEPTH are re-scored: fetch that many of both.
        depth = max(want, total if feedback and total <= RANK_ALL else want)
        cur.execute(
            f"""SELECT m.id, {bm25} AS score, m.t1 FROM ({candidates}) m
                ORDER BY m.t1 DESC, score DESC, m.id LIMIT %s""",
            [*bm25_params, *params, depth],
        )
        rows = [(r[0], float(r[1]), bool(r[2])) for r in cur.fetchall()]
    if feedback and len(rows) > 1:
        # The typed words' weight: each once, or more if typed again.
        typed = Counter(compiled.loose.children)  # type: ignore[union-attr]
        weight = sum(repeat_weight(times) for times in typed.values())
        rows = _feedback(cur, rows, totals, avg, weight)
    return rows[:want]


def _from_lists(
    cur: Any,
    stats: WordStats,
    words: list[str],
    strict: str,
    p_strict: list[object],
    where: str,
    p_where: list[object],
    filt: str,
    p_filt: list[object],
    total1: int,
    bm25: str,
    bm25_params: list[object],
    depth: int,
    want: int,
    found: list[str] | None,
) -> list[tuple[str, float, bool]]:
    """The best ``depth`` of the candidates: each listed word's best briefs, every match of
    the query's other words, and every all-words match when they are few. When filters
    leave fewer than ``want`` of them, the first SCAN_MORE matches found are added (bounded
    work, a page that may miss a better brief, as any ranking of a sample): ``found``, when
    the count read them (the same first matches), else read here."""
    stats.need(words)
    listed = stats.listed & set(words)
    parts = [
        """SELECT x.id FROM unnest(%s::text[]) w(lexeme), LATERAL (
               SELECT id FROM best_briefs l WHERE l.lexeme = w.lexeme
               ORDER BY l.score DESC LIMIT %s) x"""
    ]
    params: list[object] = [sorted(listed), LIST_TAKE]
    others = [w for w in words if w not in listed]
    if others:
        parts.append("SELECT b.id FROM briefs b WHERE b.tsv @@ %s::tsquery")
        params.append(" | ".join(analysis.quote(w) for w in others))
    if total1 <= LISTS_ABOVE:
        parts.append(f"SELECT b.id FROM briefs b WHERE ({strict}) AND {filt}")
        params += [*p_strict, *p_filt]
    rows: list[tuple[str, float, bool]] = []
    for more in (False, True):
        if more:
            parts = [f"SELECT b.id FROM briefs b WHERE {where} LIMIT %s"]
            params = [*p_where, SCAN_MORE]
        # The candidates' ids first, then the ranking reads them by their key.
        if more and found is not None:
            ids = found[:SCAN_MORE]
        else:
            cur.execute(" UNION ".join(f"({part})" for part in parts), params)
            ids = [r[0] for r in cur.fetchall()]
        candidates = (
            f"SELECT {SCORED}, {strict} AS t1 FROM briefs b WHERE b.id = ANY(%s) AND {where}"
        )
        cur.execute(
            f"""SELECT m.id, {bm25} AS score, m.t1 FROM ({candidates}) m
                ORDER BY m.t1 DESC, score DESC, m.id LIMIT %s""",
            [*bm25_params, *p_strict, ids + [r[0] for r in rows], *p_where, depth],
        )
        rows = [(r[0], float(r[1]), bool(r[2])) for r in cur.fetchall()]
        if len(rows) >= want:
            break
    return rows


def _feedback_wanted(compiled: Compiled) -> bool:
    """A plain question of FEEDBACK_MIN_WORDS words or more (as the local search has it):
    no phrase, field, wildcard, minus word or explicit operator the user spelled out."""
    loose = compiled.loose
    if not isinstance(loose, Op) or loose.op != "or" or loose is compiled.strict:
        return False
    if compiled.operators:
        return False  # an explicit AND or OR: the user spelled the query out
    if len(loose.children) < FEEDBACK_MIN_WORDS or compiled.prefixes:
        return False
    for child in loose.children:
        leaves = child.children if isinstance(child, Op) and child.op == "or" else (child,)
        for leaf in leaves:
            if isinstance(leaf, Text) and leaf.kind in ("word", "all") and leaf.weights == "ABC":
                continue
            if isinstance(leaf, Column) and leaf.column == "actors" and leaves != (leaf,):
                continue
            return False
    return True


def _feedback(
    cur: Any,
    rows: list[tuple[str, float, bool]],
    totals: dict[str, float],
    avg: list[float],
    n_words: float,
) -> list[tuple[str, float, bool]]:
    """RM3-like pseudo-relevance feedback, as the local search does it: the best
    FEEDBACK_DOCS briefs (by score, either tier) lend their words, each weighted by
    P(word | brief) summed with the briefs' softmax shares; the top FEEDBACK_TERMS weigh
    FEEDBACK_WEIGHT of the query and their BM25F scores are added to each tier's best."""
    best_rows = sorted(rows, key=lambda r: (-r[1], r[0]))[:FEEDBACK_DOCS]
    if len(best_rows) < 2:
        return rows
    shares = dict(
        zip((r[0] for r in best_rows), feedback_shares([r[1] for r in best_rows]), strict=True)
    )
    cur.execute(
        """SELECT b.id, u.lexeme, array_length(u.positions, 1)
           FROM briefs b, unnest(b.tsv) u WHERE b.id = ANY(%s)""",
        (list(shares),),
    )
    counts: dict[str, list[tuple[str, float]]] = {i: [] for i in shares}
    for brief_id, word, tf in cur.fetchall():
        counts[brief_id].append((word, float(tf or 0)))
    chosen = feedback_words((shares[i], counts[i]) for i in shares)
    norm = sum(w for _t, w in chosen)
    if not chosen or norm <= 0:
        return rows
    scale = feedback_scale(n_words, norm)
    cur.execute(
        "SELECT lexeme, field::text, ndoc FROM term_stats WHERE lexeme = ANY(%s)",
        ([w for w, _ in chosen],),
    )
    df = {(w, f): int(x) for w, f, x in cur.fetchall()}
    words, fields, wts = weights_table([(w, "ABC") for w, _ in chosen], df, totals)
    boost = {w: x * scale for w, x in chosen}
    wts = [x * boost[w] for x, w in zip(wts, words, strict=True)]
    named = {"words": words, "fields": fields, "wts": wts, "avg_a": avg[0], "avg_b": avg[1],
             "avg_c": avg[2]}  # fmt: skip
    bm25, bm25_params = positional(BM25_SQL, named)
    # The best FEEDBACK_DEPTH of each tier get the feedback's score added.
    tier1 = [r for r in rows if r[2]][:FEEDBACK_DEPTH]
    tier2 = [r for r in rows if not r[2]][:FEEDBACK_DEPTH]
    ids = [r[0] for r in (*tier1, *tier2)]
    cur.execute(
        f"""SELECT m.id, {bm25} FROM (SELECT b.id, b.tsv, b.words_a, b.words_b, b.words_c
            FROM briefs b WHERE b.id = ANY(%s)) m""",
        [*bm25_params, ids],
    )
    extra = {i: float(x) for i, x in cur.fetchall()}
    out = [(i, x + extra.get(i, 0.0), t1) for i, x, t1 in rows]
    out.sort(key=lambda r: (not r[2], -r[1], r[0]))
    return out


_PAGE = """SELECT id, title, date, source, tags, actors, article, comment
           FROM briefs WHERE id = ANY(%s)"""


def hits_of(
    cur: Any,
    page: list[tuple[str, float, bool]],
    compiled: Compiled,
    actors: frozenset[str],
    actor_spans: ActorSpans,
    snippets: bool,
    *,
    stats: WordStats | None = None,
    lead: bool = False,
) -> list[Hit]:
    """The page's hits from their stored rows, with snippets when asked (the search's own
    routine, as the local index makes them: ``stats`` gives the words' rarity), or with the
    article's opening words when ``lead`` (related briefs, as the local index shows them)."""
    if not page:
        return []
    cur.execute(_PAGE, ([r[0] for r in page],))
    stored = {row[0]: row for row in cur.fetchall()}
    terms = frozenset(w for w, _ in compiled.terms)
    prefixes = tuple(p for p, _ in compiled.prefixes)
    weights = None
    if snippets and stats is not None:
        if prefixes:
            # A wildcard marks the words it stands for in the ranking, as the local index
            # marks its expansion (the commonest MAX_EXPANSION), each by its own rarity.
            terms |= {w for w, _ in _stats(cur, stats, compiled.prefixes)}
            prefixes = ()
        weights = rarity(stats, terms, actors)
    hits = []
    for brief_id, score, t1 in page:
        row = stored.get(brief_id)
        if row is None:
            continue
        _id, title, date, source, tags, brief_actors, article, comment = row
        snip = None
        fields_ = {"title": title, "article": article, "comment": comment}
        if snippets:
            snip = snippet(fields_, terms, prefixes, actors, actor_spans, weights)
        elif lead:
            snip = lead_snippet(fields_)
        hits.append(
            Hit(
                key=f"archive:{brief_id}",
                id=brief_id,
                title=title,
                date=date,
                source=source or "",
                tags=tuple(tags),
                actors=tuple(brief_actors),
                score=score,
                snippet=snip,
                tier=1 if t1 else 2,
            )
        )
    return hits


def rarity(stats: WordStats, terms: frozenset[str], actors: frozenset[str]) -> dict[str, float]:
    """How telling each query word is (its idf among the articles) and, under ACTOR_KEY, the
    rarest named actor: what the snippet routine prefers, as on the local index."""
    docs = max(stats.totals.get("briefs", 0.0), 1.0)
    stats.need(sorted(terms))
    out = {t: idf(docs, stats.df.get((t, "B"), 0)) for t in terms}
    if actors:
        out[ACTOR_KEY] = max(idf(docs, n) for n in stats.actor_briefs(actors).values())
    return out


def _count(
    cur: Any, where: str, params: list[object], facets: bool, ids: bool = False
) -> tuple[int, dict[str, dict[str, int]], list[str] | None]:
    """(matches up to COUNT_CAP + 1, facets of those matches or {}, with ``ids`` their
    ids): one pass over them.

    Past COUNT_CAP the facets are those of the first matches found, lower bounds as the
    total is."""
    parts = ["SELECT 'n', '', count(*) FROM m"]
    if ids:
        parts.append("SELECT 'id', id, 0 FROM m")
    if facets:
        parts += [
            "SELECT 'actors', a, count(*) FROM m, unnest(m.actors) a GROUP BY a",
            "SELECT 'source', source, count(*) FROM m WHERE source <> '' GROUP BY 2",
            """SELECT 'year', extract(year FROM date)::int::text, count(*) FROM m
               WHERE date IS NOT NULL GROUP BY 2""",
            "SELECT 'tags', t, count(*) FROM m, unnest(m.tag_keys) t GROUP BY t",
        ]
    cur.execute(
        f"""WITH m AS MATERIALIZED (SELECT b.id, b.actors, b.source, b.date, b.tag_keys
                                     FROM briefs b WHERE {where} LIMIT %s)
            {" UNION ALL ".join(parts)}""",
        [*params, COUNT_CAP + 1],
    )
    total = 0
    found: list[str] | None = [] if ids else None
    out: dict[str, dict[str, int]] = {"actors": {}, "source": {}, "year": {}, "tags": {}}
    for facet, value, n in cur.fetchall():
        if facet == "n":
            total = int(n)
        elif facet == "id":
            found.append(value)  # type: ignore[union-attr]
        else:
            out[facet][value] = int(n)
    if not facets or not total:
        return total, {}, found
    return (
        total,
        {k: dict(sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))) for k, v in out.items()},
        found,
    )


_MATCH = "b.tsv @@ %s::tsquery"
_MATCH_BY_KEY = "ts_match_vq(b.tsv, %s::tsquery)"


def _bounded(cur: Any, compiled: Compiled, stats: WordStats) -> tuple[str, list[object]] | None:
    """The candidates of a search that would recheck too many tsvectors, else None.

    A phrase, or words asked in one section, is found by the GIN index only as "these words
    somewhere": each brief holding them all is then read to check. When the rarest of a
    phrase's words is in more than RECHECK_MAX briefs, only a bounded set is checked: the
    best briefs of its listed words and the first RECHECK_MAX briefs holding them all. The
    results then say so (``partial``: hits found so far, counts at least)."""
    costly = _costly_texts(compiled.loose)
    if not costly:
        return None
    words = sorted({w for t in costly for w in t.words})
    stats.need(words)
    big = [t for t in costly if min(stats.anywhere(w) for w in t.words) > RECHECK_MAX]
    if not big:
        return None
    relaxed = [Text("all", t.words) for t in big]
    p: list[object] = []
    anywhere = " OR ".join(to_sql(t, p) for t in relaxed)
    listed = sorted(stats.listed & {w for t in big for w in t.words})
    # The sample costs the GIN bitmap of every brief holding the words (30-50 ms at a
    # million briefs for two common words) but finds what the lists miss: of the benchmark
    # log's 50 phrases at 1M, the lists alone found 265 matches and none for 22 phrases,
    # with the sample 526 and none for 8.
    cur.execute(
        "SELECT id FROM best_briefs WHERE lexeme = ANY(%s) "
        f"UNION (SELECT b.id FROM briefs b WHERE {anywhere} LIMIT %s)",
        [listed, *p, RECHECK_MAX],
    )
    # Fetched first, then given as an array: the plans read these briefs by their key (an
    # IN (subquery) let the planner check the phrase on every brief holding its words).
    return "b.id = ANY(%s)", [[r[0] for r in cur.fetchall()]]


def _costly_texts(node: Node | None) -> list[Text]:
    """The phrases and one-section words of a tree; [] when one of them is inside a NOT
    (bounding it there would narrow what the NOT takes away: every brief is checked)."""
    found: list[Text] = []

    def walk(n: Node | None, negated: bool) -> bool:
        if isinstance(n, Text) and (n.kind == "phrase" or n.weights != "ABC"):
            if negated:
                return False
            found.append(n)
        elif isinstance(n, Op):
            return all(walk(c, negated or n.op == "not") for c in n.children)
        return True

    return found if walk(node, False) else []
