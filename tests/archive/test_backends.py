"""The same behaviour on both backends: the local index and a team archive.

Two halves. The tests taking ``backend`` run twice, once on each backend; what they assert
is what the README promises of a search, whichever backend answers it. The contract suite
(the tests taking ``pair``) runs every method of
:class:`~briefreader.core.search.backend.SearchBackend` on both backends holding the same
briefs and compares the answers: the first page, the counts, the facets, the stored fields,
the briefs by id, related briefs, the document count, copies, actor counts, hit spans and
the snippets, so that the two stores cannot drift apart unseen.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from briefreader.core.brief import BriefError
from briefreader.core.library import Library
from briefreader.core.search.backend import STORED_FIELDS, ActorWorkbench, SearchBackend

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


# -- the contract suite: both backends, the same briefs, the same answers ---------------------

#: Queries of every kind the search reads: words, phrases, tiers, operators, fields, actors
#: by alias, wildcards, dates, stop words only, nothing.
QUERIES = [
    "Iran",
    "militia disarm",
    '"foreign plot"',
    "PMF",
    "Iran -Syria",
    "Iran OR Syria",
    "title:election",
    "source:Rudaw",
    "tag:pmf",
    "milit*",
    "date:[2017-01 to 2017-06]",
    "Popular Mobilization Forces Baghdad",
    "actor:Badr",
    "the of and",
    "",
]


def every_id(lib: Library) -> list[str]:
    return sorted(h.id for h in lib.search("", limit=1000, facets=False).hits)


def page_of(results: Any) -> list[tuple[str, int]]:
    return [(h.id, h.tier) for h in results.hits]


def test_each_library_holds_one_backend_and_says_which(pair: tuple[Library, Library]) -> None:
    local, arc = pair
    # Each backend has every method of the protocol (checked by name; mypy checks the rest).
    assert isinstance(local.backend, SearchBackend) and isinstance(arc.backend, SearchBackend)
    assert isinstance(local.workbench, ActorWorkbench)
    assert not local.is_archive and arc.is_archive
    assert local.name == "the local index"
    assert arc.name == arc.backend.name and arc.name != local.name
    assert arc.archive is arc.backend and local.archive is None
    # What only the local index can do is asked for, not refused.
    assert local.workbench is not None and arc.workbench is None
    workbench: ActorWorkbench = local.workbench
    assert workbench.actor_page("PMF").briefs == local.actor_counts()["popular-mobilization-forces"]


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_the_same_counts_notices_and_matches(pair: tuple[Library, Library], sort: str) -> None:
    local, arc = pair
    for query in QUERIES:
        a, b = local.search(query, sort=sort, limit=100), arc.search(query, sort=sort, limit=100)
        assert (a.total, a.total_all_words) == (b.total, b.total_all_words), query
        assert a.notices == b.notices, query
        for tier in (1, 2):  # the same briefs in each tier
            assert {h.id for h in a.hits if h.tier == tier} == {
                h.id for h in b.hits if h.tier == tier
            }, (query, tier)


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_the_same_first_page_in_date_order(pair: tuple[Library, Library], sort: str) -> None:
    local, arc = pair
    for query in QUERIES:
        assert page_of(local.search(query, sort=sort)) == page_of(arc.search(query, sort=sort))


#: Whoosh keeps a section's length in words in one byte (steps of about 3.5 %), the archive
#: exactly: two briefs whose scores are this close may trade places between the stores.
NEAR_TIE = 0.04


def _near(x: float, y: float) -> bool:
    return abs(x - y) <= NEAR_TIE * max(abs(x), abs(y), 1e-9)


def assert_same_ranking(local: Any, archive: Any, query: str) -> None:
    """The same first page in the same order, but for briefs whose scores are a near tie
    (see NEAR_TIE): they may trade places, or one of them fall past the page's end."""
    mine = {h.id: h for h in local.hits}
    theirs = {h.id: h for h in archive.hits}
    assert local.total == archive.total, query
    for page, other in ((local.hits, theirs), (archive.hits, mine)):
        last = page[-1].score if page else 0.0
        for hit in page:
            if hit.id not in other:
                assert _near(hit.score, last), (query, hit.id, "not on the other's page")
    both = [h.id for h in local.hits if h.id in theirs]
    order = {i: n for n, i in enumerate(h.id for h in archive.hits)}
    for n, first in enumerate(both):
        for second in both[n + 1 :]:
            if order[first] > order[second]:
                a, b = mine[first], mine[second]
                c, d = theirs[first], theirs[second]
                near = _near(a.score, b.score) or _near(c.score, d.score)
                assert a.tier == b.tier and near, (query, first, second)
    for brief_id in both:
        assert mine[brief_id].tier == theirs[brief_id].tier, (query, brief_id)
    # Scores themselves may differ by a constant: the local index, as Whoosh does, adds a
    # NOT part's boost to every brief an AND keeps; the order is the same.


def test_the_same_first_page_by_relevance(pair: tuple[Library, Library]) -> None:
    local, arc = pair
    more = ["actor:Badr", "Iran OR actor:Badr", "PMF source:Rudaw", "comment:PMF",
            '"Popular Mobilization Forces"', 'title:"foreign plot" OR Iran', "high-speed drone",
            "Iran Iran militia", "militia NOT (Baghdad OR Basra)"]  # fmt: skip
    for query in [*QUERIES, *more]:
        assert_same_ranking(local.search(query), arc.search(query), query)


def test_the_same_second_page(pair: tuple[Library, Library]) -> None:
    local, arc = pair
    for query in ("Iran", "militia disarm", ""):
        a = local.search(query, limit=7, offset=7, sort="newest")
        b = arc.search(query, limit=7, offset=7, sort="newest")
        assert page_of(a) == page_of(b), query


def test_the_same_facets(pair: tuple[Library, Library]) -> None:
    local, arc = pair
    for query in QUERIES:
        a, b = local.search(query, limit=1), arc.search(query, limit=1)
        for name in ("actors", "year", "tags", "source"):
            assert a.facets.get(name, {}) == b.facets.get(name, {}), (query, name)


def test_the_same_filters(pair: tuple[Library, Library]) -> None:
    local, arc = pair
    cases: list[dict[str, Any]] = [
        {"actors": ["PMF"]},
        {"sources": ["rudaw"]},
        {"tags": ["pmf"]},
        {"years": [2018, 2019]},
        {"since": dt.date(2019, 1, 1), "until": dt.date(2020, 12, 31)},
    ]
    for kw in cases:
        a, b = local.search("Iran", limit=100, **kw), arc.search("Iran", limit=100, **kw)
        assert (a.total, {h.id for h in a.hits}) == (b.total, {h.id for h in b.hits}), kw


def test_found_among_finds_what_the_search_finds(pair: tuple[Library, Library]) -> None:
    local, arc = pair
    ids = every_id(local)
    assert every_id(arc) == ids
    half = ids[::2]
    for query in QUERIES:
        want = sorted({h.id for h in local.search(query, limit=1000).hits} & set(half))
        assert sorted(local.found_among(query, half)) == want, query
        assert sorted(arc.found_among(query, half)) == want, query
    for kw in ({"actors": ["PMF"]}, {"sources": ["Rudaw"]}, {"years": [2017]}):
        assert sorted(local.found_among("Iran", ids, **kw)) == sorted(
            arc.found_among("Iran", ids, **kw)
        ), kw
    assert local.found_among("Iran", []) == arc.found_among("Iran", []) == []
    assert arc.found_among("Iran", ["no-such-brief.md"]) == []


def test_the_same_stored_fields(pair: tuple[Library, Library]) -> None:
    local, arc = pair
    ids = every_id(local)
    a, b = local.stored_of([*ids, "no-such-brief.md"]), arc.stored_of([*ids, "no-such-brief.md"])
    assert sorted(a) == sorted(b) == ids
    for brief_id in ids:
        for name in STORED_FIELDS:
            assert a[brief_id].get(name) == b[brief_id].get(name), (brief_id, name)


def test_the_same_briefs_by_id(pair: tuple[Library, Library]) -> None:
    local, arc = pair
    for brief_id in every_id(local):
        a, b = local.brief(brief_id), arc.brief(brief_id)
        assert b.id == brief_id and not b.on_disk and a.on_disk
        for name in ("text", "title", "date", "source", "author", "tags", "article",
                     "article_start", "comment", "comment_start", "sha256"):  # fmt: skip
            assert getattr(a, name) == getattr(b, name), (brief_id, name)
        assert local.mentions(a) == arc.mentions(b)  # the glossary's, the same on both
    for lib in pair:
        with pytest.raises(BriefError):
            lib.brief("no-such-brief.md")


def test_related_briefs_are_other_briefs_on_both(pair: tuple[Library, Library]) -> None:
    local, arc = pair
    ids = every_id(local)
    for brief_id in ids[::4]:
        for lib in pair:
            related = [h.id for h in lib.related(brief_id, limit=5)]
            assert len(related) == 5 and brief_id not in related, (lib.name, brief_id)
            assert set(related) <= set(ids)
            assert not set(related) & set(lib.copies_of(brief_id))


def test_the_same_related_briefs(pair: tuple[Library, Library]) -> None:
    """The same related briefs in the same order, with the same snippets (the article's
    opening words), but for near ties: both stores choose the key words by the shared Bo1
    and score the shared likeness query over every brief holding one (core.search.related)."""
    local, arc = pair
    for brief_id in every_id(local):
        a, b = local.related(brief_id, limit=5), arc.related(brief_id, limit=5)
        assert len(a) == len(b) == 5, brief_id
        # A page of hits as assert_same_ranking reads one (related briefs have no total).
        page = dataclasses.make_dataclass("Page", ["hits", "total"])
        assert_same_ranking(page(a, None), page(b, None), brief_id)
        theirs = {h.id: h for h in b}
        for hit in a:
            if hit.id in theirs:
                assert hit.snippet == theirs[hit.id].snippet, (brief_id, hit.id)
                assert _near(hit.score, theirs[hit.id].score), (brief_id, hit.id)


def test_the_same_document_count_copies_and_actor_counts(pair: tuple[Library, Library]) -> None:
    local, arc = pair
    assert local.doc_count() == arc.doc_count() == 32
    assert local.actor_counts() == arc.actor_counts()
    assert local.backend.actor_document_counts() == arc.backend.actor_document_counts()
    for brief_id in every_id(local):
        assert local.copies_of(brief_id) == arc.copies_of(brief_id), brief_id


def test_the_same_hit_spans(pair: tuple[Library, Library]) -> None:
    local, arc = pair
    for query in QUERIES:
        for hit in local.search(query, limit=3, facets=False).hits:
            a = local.hit_spans(local.brief(hit.id), query)
            b = arc.hit_spans(arc.brief(hit.id), query)
            assert a == b, (query, hit.id)


def test_a_reader_answers_as_its_library(pair: tuple[Library, Library]) -> None:
    for lib in pair:
        reader = lib.reader()
        try:
            assert reader.is_archive == lib.is_archive
            assert reader.backend is not lib.backend
            assert page_of(reader.search("Iran")) == page_of(lib.search("Iran"))
            assert reader.doc_count() == lib.doc_count()
        finally:
            reader.close()


def test_the_same_snippets(pair: tuple[Library, Library]) -> None:
    local, arc = pair
    for query in QUERIES:
        if not query:
            continue
        a = {h.id: h.snippet for h in local.search(query, limit=10).hits}
        b = {h.id: h.snippet for h in arc.search(query, limit=10).hits}
        for brief_id in a.keys() & b.keys():
            sa, sb = a[brief_id], b[brief_id]
            assert (sa and dataclasses.astuple(sa)) == (sb and dataclasses.astuple(sb)), (
                query,
                brief_id,
            )
