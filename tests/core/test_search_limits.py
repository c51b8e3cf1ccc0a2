"""Search on a large index: exact counts, time limits and bounded expansions.

The figures live in benchmarks/RESULTS.md; these tests pin the behaviour that makes them:
the same briefs whichever way they are counted, partial results marked as such, and fuzzy
words expanded to the same index words as Whoosh's own expansion.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from test_index import BRIEFS, GLOSSARY, write_corpus  # same folder: pytest puts it on the path
from whoosh import query

from briefreader.core import index as bix
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    g = tmp_path / "g.toml"
    g.write_text(GLOSSARY, "utf-8")
    library = Library([write_corpus(tmp_path / "corpus")], tmp_path / "data", Glossary.load([g]))
    assert library.update().added == len(BRIEFS)
    yield library
    library.close()


@pytest.mark.parametrize("text", ["Iran", "Iran strike", '"drone strike"', "Iraq -Sadr", ""])
@pytest.mark.parametrize("sort", ["relevance", "newest"])
def test_first_page_matches_the_counted_search(lib: Library, text: str, sort: str) -> None:
    counted = lib.search(text, sort=sort, limit=50)
    first = lib.search(text, sort=sort, limit=50, facets=False)
    assert [h.id for h in first.hits] == [h.id for h in counted.hits]
    assert (first.total, first.total_all_words) == (counted.total, counted.total_all_words)
    assert first.exact and counted.exact and not first.partial


def test_counts_are_exact_without_facets(lib: Library) -> None:
    """Totals are counted by arrays whatever was asked for: no estimate is ever returned."""
    res = lib.search("Iran", limit=1, facets=False)
    full = lib.search("Iran", limit=100)
    assert res.exact and len(res.hits) == 1
    assert res.total == full.total == len(full.hits) >= 2
    assert res.facets == {} and full.facets["year"]


def test_time_limit_gives_partial_results_with_a_notice(lib: Library) -> None:
    res = lib.search("Iran", time_limit=0.0)
    assert res.partial and not res.exact
    assert any("stopped after" in n for n in res.notices)


def test_fuzzy_expansion_finds_what_whoosh_finds(lib: Library) -> None:
    reader = lib.index.searcher().reader()
    for text, dist in (("iran", 1), ("strik", 2), ("zzzz", 1)):
        node = query.FuzzyTerm("article", text, maxdist=dist)
        ours = {w for w in bix.querying._candidates_of(node, reader) if w is not None}
        assert ours == set(node._btexts(reader))


def test_fuzzy_and_wildcards_still_search(lib: Library) -> None:
    assert [h.id for h in lib.search("strikes~").hits] == ["2020/drones.md"]  # "strike"
    # "iraq" holds "ra": every brief that names Iraq is among the matches.
    iraq = {"2017/2017-11-24_plot.txt", "2019/sadr.md", "2021/nocomment.md"}
    assert iraq <= {h.id for h in lib.search("*ra*").hits}


@pytest.fixture(scope="module")
def decade(tmp_path_factory: pytest.TempPathFactory) -> Library:
    """400 synthetic briefs over ten years (a fifth plain text, some without a date)."""
    from benchmarks import synth
    from briefreader import paths

    root = tmp_path_factory.mktemp("decade")
    synth.generate(root / "corpus", 400, seed=5, glossary=paths.bundled_glossary())
    library = Library.open([root / "corpus"], data_dir=root / "data")
    assert library.update(bulk=False).added == 400
    yield library
    library.close()


@pytest.mark.parametrize("limit", [3, 20])
@pytest.mark.parametrize("sort", ["newest", "oldest"])
@pytest.mark.parametrize("text", ["", "minister", "Iraq security", "zzznothing"])
def test_date_sorted_page_is_the_true_head_of_the_date_order(
    decade: Library, text: str, sort: str, limit: int
) -> None:
    """Sorting a slice of months or years at a time gives what sorting every match gives."""
    every = decade.search(text, limit=1000, facets=False, time_limit=None)
    assert every.exact
    expected: list[dt.date | None] = []
    for tier in (1, 2):  # briefs with all the words come first, then those with some
        hits = [h for h in every.hits if h.tier == tier]
        expected += sorted((h.date for h in hits if h.date), reverse=sort == "newest")
        expected += [None] * sum(1 for h in hits if not h.date)
    page = decade.search(text, limit=limit, sort=sort, facets=False)
    assert [h.date for h in page.hits] == expected[:limit]
    assert not page.partial


def test_browsing_everything_leaves_out_deleted_briefs(lib: Library, tmp_path: Path) -> None:
    """The every-brief set is built from document-number ranges less the deleted ones."""
    before = lib.search("", limit=100)
    victim = sorted((tmp_path / "corpus").rglob("*.md"))[0]
    victim.unlink()
    assert lib.update().removed == 1
    after = lib.search("", limit=100)
    assert after.total == before.total - 1 == len(after.hits)
    s = lib.index.searcher()
    assert any(leaf.reader().has_deletions() for leaf, _ in s.leaf_searchers())
    every = lib.index.evaluator().every()
    assert every.tolist() == sorted(s.reader().all_doc_ids())
