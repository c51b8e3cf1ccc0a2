"""What keeps a big archive's first page fast: each common word's best-briefs
list kept by the push, counts that stop at a cap, facets on a sample, date sorts by index.

The thresholds are made tiny so that the 32 sample briefs exercise the paths a million
briefs take; every answer is checked against the exhaustive one.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from briefreader.core.archive import best, search
from briefreader.core.library import Library

QUERIES = ["Iran", "militia", "Iraq", "Iran militia", "PMF", "Popular Mobilization Forces"]


@pytest.fixture
def small_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lists from 4 briefs on, 8 kept (cut back past 16), a search takes the best 6 of
    each; pushes of 5 briefs a batch."""
    monkeypatch.setattr(best, "MIN_BRIEFS", 4)
    monkeypatch.setattr(best, "KEEP", 8)
    monkeypatch.setattr(search, "LISTS_ABOVE", 4)
    monkeypatch.setattr(search, "LIST_TAKE", 6)
    monkeypatch.setenv("BRIEFREADER_ARCHIVE_BATCH", "5")


def _invariants(url: str, *, only_common: bool = True) -> None:
    """Every listed brief holds its word, each count kept is the list's length, and every
    word found in MIN_BRIEFS briefs (in one section) or more has a list (a word that has
    become rarer since keeps its list: ``only_common`` False)."""
    with psycopg.connect(url) as conn:
        stray = conn.execute(
            """SELECT count(*) FROM best_briefs x JOIN briefs b USING (id)
               WHERE NOT x.lexeme = ANY(tsvector_to_array(b.tsv))"""
        ).fetchone()
        assert stray == (0,)
        orphans = conn.execute(
            "SELECT count(*) FROM best_briefs x WHERE NOT EXISTS "
            "(SELECT 1 FROM briefs b WHERE b.id = x.id)"
        ).fetchone()
        assert orphans == (0,)
        wrong = conn.execute(
            """SELECT w.lexeme, w.kept, count(x.id) FROM best_words w
               LEFT JOIN best_briefs x USING (lexeme) GROUP BY 1, 2
               HAVING w.kept <> count(x.id) OR count(x.id) > 2 * %s""",
            (best.KEEP,),
        ).fetchall()
        assert wrong == []
        listed = {r[0] for r in conn.execute("SELECT lexeme FROM best_words")}
        common = {
            r[0]
            for r in conn.execute(
                "SELECT lexeme FROM term_stats GROUP BY 1 HAVING max(ndoc) >= %s",
                (best.MIN_BRIEFS,),
            )
        }
        assert listed >= common
        if only_common:
            assert listed == common
        assert listed  # the sample corpus has common words at these thresholds


def _exhaustive(arc: Library, monkeypatch: pytest.MonkeyPatch, query: str, **kw):  # type: ignore[no-untyped-def]
    with monkeypatch.context() as m:
        m.setattr(search, "LISTS_ABOVE", 10**9)
        m.setattr(search, "COUNT_CAP", 10**9)
        m.setattr(search, "RECHECK_MAX", 10**9)
        return arc.search(query, **kw)


def test_the_push_keeps_the_lists(
    small_lists: None, corpus: Path, archive_url: str, tmp_path: Path
) -> None:
    arc = Library.open_archive(archive_url, [corpus], data_dir=tmp_path)
    arc.update()
    _invariants(archive_url)
    # A changed brief loses the words it no longer has; its old rows leave the lists.
    victim = sorted(corpus.rglob("*.md"))[0]
    victim.write_text("Title: Nothing much\n\nA short note on the weather.\n", "utf-8")
    arc.update()
    _invariants(archive_url, only_common=False)
    # A bulk load's rebuild gives lists that keep the same invariants.
    with psycopg.connect(archive_url, autocommit=True) as conn:
        assert best.rebuild(conn) > 0
    _invariants(archive_url)
    arc.close()


def test_first_page_from_the_lists_is_the_exhaustive_one(
    small_lists: None,
    corpus: Path,
    archive_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    arc = Library.open_archive(archive_url, [corpus], data_dir=tmp_path)
    arc.update()
    used = []
    real = search._from_lists

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        used.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(search, "_from_lists", spy)
    for query in QUERIES:
        got = arc.search(query, limit=3)
        want = _exhaustive(arc, monkeypatch, query, limit=3)
        assert [h.id for h in got.hits] == [h.id for h in want.hits], query
        assert [h.tier for h in got.hits] == [h.tier for h in want.hits], query
    assert used, "no query took its first page from the lists"
    # Filters that leave too few of the lists' briefs: the matches read besides them (all
    # of them here, fewer than SCAN_MORE) give the exhaustive page again.
    for years in ((2017,), (2019, 2020), (2023,)):
        got = arc.search("Iran", limit=3, years=years)
        want = _exhaustive(arc, monkeypatch, "Iran", limit=3, years=years)
        assert [h.id for h in got.hits] == [h.id for h in want.hits], years
    arc.close()


def test_counts_past_the_cap_are_lower_bounds(
    corpus: Path, archive_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    arc = Library.open_archive(archive_url, [corpus], data_dir=tmp_path)
    arc.update()
    full = arc.search("Iran", limit=5, sort="newest")
    assert full.exact and full.total > 5
    monkeypatch.setattr(search, "COUNT_CAP", 5)
    capped = arc.search("Iran", limit=5, sort="newest")
    assert not capped.exact
    # An actor's name also matches the briefs naming it by another alias: at least the
    # briefs holding the word in one section (term_stats), never more than all matches.
    with psycopg.connect(archive_url) as conn:
        most = conn.execute("SELECT max(ndoc) FROM term_stats WHERE lexeme = 'iran'").fetchone()
    assert most is not None and most[0] > 5
    assert capped.total == most[0] <= full.total
    # An actor's name among other words: at least the most briefs holding one of the words.
    mixed = arc.search("Iran said", limit=5, facets=False)
    with psycopg.connect(archive_url) as conn:
        said = conn.execute("SELECT max(ndoc) FROM term_stats WHERE lexeme = 'said'").fetchone()
    assert said is not None and not mixed.exact
    assert mixed.total == max(most[0], said[0])
    assert mixed.total <= _exhaustive(arc, monkeypatch, "Iran said").total
    # A plain word: at least the most briefs holding it in one section (term_stats).
    word = arc.search("said", limit=5)
    assert not word.exact
    assert 5 < word.total <= _exhaustive(arc, monkeypatch, "said").total
    assert capped.total_all_words <= full.total_all_words
    # Date order is read from the index, tier by tier: the same page either way.
    assert [h.id for h in capped.hits] == [h.id for h in full.hits]
    for facet, counts in capped.facets.items():
        for value, n in counts.items():
            assert n <= full.facets[facet][value], (facet, value)
    assert sum(capped.facets["year"].values()) <= 6  # of the briefs counted
    # Under the cap nothing changes: exact counts.
    small = arc.search('"foreign plot"')
    assert small.exact and small.total == _exhaustive(arc, monkeypatch, '"foreign plot"').total
    arc.close()


def test_date_sort_puts_all_words_first(
    corpus: Path, archive_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    arc = Library.open_archive(archive_url, [corpus], data_dir=tmp_path)
    arc.update()
    for sort in ("newest", "oldest"):
        res = arc.search("Iran militia", limit=50, sort=sort)
        tiers = [h.tier for h in res.hits]
        assert tiers == sorted(tiers), sort
        assert len(res.hits) == res.total
        for tier in (1, 2):
            dates = [h.date for h in res.hits if h.tier == tier and h.date is not None]
            assert dates == sorted(dates, reverse=sort == "newest"), (sort, tier)
    arc.close()


def test_a_phrase_of_common_words_is_checked_on_bounded_candidates(
    small_lists: None,
    corpus: Path,
    archive_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    arc = Library.open_archive(archive_url, [corpus], data_dir=tmp_path)
    arc.update()
    monkeypatch.setattr(search, "RECHECK_MAX", 2)
    for query in ('"Popular Mobilization"', "title:Iraq", '"Popular Mobilization" Iraq'):
        got = arc.search(query, limit=50)
        full = _exhaustive(arc, monkeypatch, query, limit=50)
        assert full.exact and not full.partial and full.total > 2, query
        assert got.partial and not got.exact, query
        # What is found is found rightly; what is not looked at is missing, no more.
        assert 0 < got.total <= full.total, query
        assert {h.id for h in got.hits} <= {h.id for h in full.hits}, query
    # Inside a NOT a bounded phrase would keep briefs it should take away: all are checked.
    got = arc.search('Iraq -"Popular Mobilization"', limit=50)
    full = _exhaustive(arc, monkeypatch, 'Iraq -"Popular Mobilization"', limit=50)
    assert not got.partial
    assert [h.id for h in got.hits] == [h.id for h in full.hits]
    arc.close()
