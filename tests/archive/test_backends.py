"""The same behaviour on both backends: the local index and a team archive.

Each test runs twice through the ``backend`` fixture; what it asserts is what the README
promises of a search, whichever backend answers it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from briefreader.core.library import Library

SHAMKHANI = "2017-11-24_shamkhani-foreign-plot.txt"


def ids(lib: Library, query: str, **kw: object) -> list[str]:
    return [h.id for h in lib.search(query, limit=100, **kw).hits]  # type: ignore[arg-type]


def test_phrase_finds_the_exact_words(backend: Library) -> None:
    res = backend.search('"foreign plot"')
    assert [h.id for h in res.hits] == [SHAMKHANI]
    snip = res.hits[0].snippet
    assert snip is not None
    marked = [snip.text[a:b].lower() for a, b in snip.marks]
    assert "foreign" in marked and "plot" in marked


def test_all_words_first_then_some(backend: Library) -> None:
    res = backend.search("militia disarm", limit=50)
    assert res.total > res.total_all_words >= 1
    tiers = [h.tier for h in res.hits]
    assert tiers == sorted(tiers)  # every all-words hit before any some-words hit


def test_boolean_not_and_minus(backend: Library) -> None:
    with_syria = set(ids(backend, "Syria"))
    iran = set(ids(backend, "Iran"))
    assert set(ids(backend, "Iran NOT Syria")) == iran - with_syria
    assert set(ids(backend, "Iran -Syria")) == iran - with_syria
    assert set(ids(backend, "Iran OR Syria")) == iran | with_syria


def test_actor_alias_expansion(backend: Library) -> None:
    """PMF finds briefs that only say "Popular Mobilization Forces" (and the reverse)."""
    by_alias = set(ids(backend, "PMF"))
    by_name = set(ids(backend, '"Popular Mobilization Forces"'))
    by_field = set(ids(backend, "actor:PMF"))
    assert by_alias == by_name == by_field
    assert len(by_alias) > 10


def test_fields_and_filters(backend: Library) -> None:
    for hit in backend.search("title:election", limit=50).hits:
        assert "elect" in hit.title.lower()
    assert {h.source for h in backend.search("source:Rudaw", limit=50).hits} == {"Rudaw"}
    for hit in backend.search("Iran", sources=["rudaw"], limit=50).hits:
        assert hit.source == "Rudaw"
    hits = backend.search("date:[2017-01 to 2017-06]", limit=50).hits
    assert hits and all(
        h.date and dt.date(2017, 1, 1) <= h.date <= dt.date(2017, 6, 30) for h in hits
    )
    hits = backend.search("Iran", since=dt.date(2021, 1, 1), limit=50).hits
    assert hits and all(h.date and h.date >= dt.date(2021, 1, 1) for h in hits)
    assert all("pmf" in h.tags for h in backend.search("tag:pmf", limit=50).hits)


def test_wildcard_is_a_prefix(backend: Library) -> None:
    found = set(ids(backend, "milit*"))
    assert set(ids(backend, "military")) <= found
    assert set(ids(backend, "militia")) <= found


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_date_sorts(backend: Library, sort: str) -> None:
    dates = [h.date for h in backend.search("Iraq", sort=sort, limit=50).hits if h.date]
    assert dates == sorted(dates, reverse=sort == "newest")


def test_facets_count_the_matches(backend: Library) -> None:
    res = backend.search("Iran", limit=5)
    assert sum(res.facets["year"].values()) <= res.total
    assert res.facets["actors"]["iran"] == res.total


def test_related_and_show(backend: Library) -> None:
    related = backend.related(SHAMKHANI, limit=5)
    assert related and SHAMKHANI not in [h.id for h in related]
    brief = backend.brief(SHAMKHANI)
    assert brief.text[brief.article_start : brief.article_end] == brief.article
    assert brief.comment and brief.comment_start is not None
    assert brief.text[brief.comment_start :].startswith(brief.comment)
    spans = backend.hit_spans(brief, "foreign plot")
    assert {brief.text[a:b].lower() for a, b in spans} >= {"foreign", "plot"}


def test_actor_counts_and_doc_count(backend: Library) -> None:
    assert backend.doc_count() == 32
    counts = backend.actor_counts()
    assert counts["popular-mobilization-forces"] == len(ids(backend, "actor:PMF"))


def test_empty_and_odd_queries_never_fail(backend: Library) -> None:
    assert backend.search("").total == 32
    for text in ['"', "(((", "AND", "date:[2017 to", "*", "x:y", "'; DROP TABLE briefs; --"]:
        backend.search(text)


def test_dates_given_end_first_are_searched_the_right_way_round(backend: Library) -> None:
    import datetime as dt

    early, late = dt.date(2018, 1, 1), dt.date(2019, 12, 31)
    right = backend.search("Iran", since=early, until=late, limit=100)
    backwards = backend.search("Iran", since=late, until=early, limit=100)
    assert right.total > 0
    assert [h.id for h in backwards.hits] == [h.id for h in right.hits]
    assert any("dates run backwards" in n for n in backwards.notices)
