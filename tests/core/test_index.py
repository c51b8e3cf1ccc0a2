"""Library + index: incremental updates, the query language, ranking tiers, filters, facets."""

from __future__ import annotations

import datetime as dt
import os
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefreader.core import index as bix
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library

GLOSSARY = """
[[actor]]
name = "Popular Mobilization Forces"
kind = "militia"
aliases = ["PMF", "P.M.F.", "Hashd al-Shaabi"]
description = "Umbrella of armed groups."

[[actor]]
name = "Iran"
kind = "state"
aliases = ["Islamic Republic"]

[[actor]]
name = "United States"
kind = "state"
aliases = ["US", "U.S.", "America"]

[[actor]]
name = "Muqtada al-Sadr"
kind = "person"
aliases = ["Sadr", "Moqtada al-Sadr"]
"""

BRIEFS = {
    "2017/2017-11-24_plot.txt": (
        "Ali Shamkhani said a “new foreign plot” aims to dismantle the P.M.F. in Iraq.\n\n"
        "Comment: Tehran sees the P.M.F. as a tool of influence.\n"
    ),
    "2018/hashd.md": (
        "Title: Hashd leaders reject disarmament\nDate: 2018-05-02\nSource: Rudaw\n"
        "Tags: iraq, pmf\n\n"
        "Commanders of the Popular Mobilization Forces rejected calls for disarmament.\n\n"
        "Comment: The plot thickens for the militias; foreign pressure is growing.\n"
    ),
    "2019/sadr.md": (
        "Title: Sadr calls for US withdrawal\nDate: 2019-03-01\nSource: Reuters\n"
        "Tags: iraq, sadr\n\n"
        "Muqtada al-Sadr demanded that US troops leave Iraq, and told us nothing more.\n\n"
        "Comment: Sadr positions himself against both Iran and the United States.\n"
    ),
    "2020/drones.md": (
        "Title: Drone strike near the airport\nDate: 2020-01-03\nSource: Reuters\n"
        "Tags: iraq, strike\n\n"
        "A drone strike hit a convoy near Baghdad airport, killing several commanders.\n\n"
        "Comment: The Islamic Republic vowed revenge.\n"
    ),
    "2021/nocomment.md": (
        "Title: Elections announced\nDate: 2021-10-10\nSource: Rudaw\nTags: elections\n\n"
        "Iraq will hold early elections; the militias are preparing lists.\n"
    ),
}


def write_corpus(root: Path, briefs: dict[str, str] = BRIEFS) -> Path:
    for rel, text in briefs.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, "utf-8")
    return root


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus")


@pytest.fixture
def glossary(tmp_path: Path) -> Glossary:
    g = tmp_path / "g.toml"
    g.write_text(GLOSSARY, "utf-8")
    return Glossary.load([g])


@pytest.fixture
def lib(corpus: Path, glossary: Glossary, tmp_path: Path) -> Library:
    library = Library([corpus], tmp_path / "data", glossary)
    report = library.update()
    assert report.added == len(BRIEFS)
    yield library
    library.close()


def ids(results: bix.SearchResults) -> list[str]:
    return [h.id for h in results.hits]


# -- incremental indexing ------------------------------------------------------------------


def test_unchanged_corpus_is_not_reread(lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(self: Path) -> bytes:
        raise AssertionError(f"re-read {self}")

    monkeypatch.setattr(Path, "read_bytes", boom)
    report = lib.update()
    assert (report.added, report.updated, report.removed) == (0, 0, 0)
    assert report.unchanged == len(BRIEFS)


def test_touched_file_with_same_content_is_not_reindexed(lib: Library, corpus: Path) -> None:
    p = corpus / "2019/sadr.md"
    st_ = p.stat()
    os.utime(p, ns=(st_.st_atime_ns, st_.st_mtime_ns + 5_000_000_000))
    report = lib.update()
    assert report.updated == 0 and report.unchanged == len(BRIEFS)
    # and the new mtime is remembered: the next check does not even hash it
    assert lib.index.read_manifest()[str(p)].mtime_ns == p.stat().st_mtime_ns


def test_an_unchanged_index_folder_is_not_listed_before_each_search(
    lib: Library, corpus: Path, glossary: Glossary, tmp_path: Path
) -> None:
    """While the index folder keeps its (old enough) time, a search takes the searcher it
    has without Whoosh's look at the folder; another process's commit changes the folder's
    time, and the next search sees the new brief."""
    folder = lib.index.folder
    old = folder.stat().st_mtime_ns - 60_000_000_000
    os.utime(folder, ns=(old, old))
    lib.search("plot")  # a full look; the folder's time is kept
    looks = []
    s = lib.index.searcher()
    real = s.up_to_date
    s.up_to_date = lambda: looks.append(1) or real()  # type: ignore[method-assign]
    for _ in range(3):
        assert ids(lib.search("plot"))
    assert looks == []
    other = Library([corpus], tmp_path / "data", glossary)  # another window, same index
    (corpus / "new.md").write_text("Title: New one\n\nA quokka appeared in Basra.\n", "utf-8")
    try:
        assert other.update().added == 1
    finally:
        other.close()
    assert ids(lib.search("quokka")) == ["new.md"]
    assert looks  # the folder's time changed: Whoosh looked, and the searcher was renewed


def test_added_changed_removed(lib: Library, corpus: Path) -> None:
    (corpus / "2020/drones.md").unlink()
    (corpus / "2019/sadr.md").write_text(
        "Title: Sadr changes course\nDate: 2019-03-02\n\nSadr now courts zebras.\n", "utf-8"
    )
    (corpus / "new.md").write_text("Title: New one\n\nA quokka appeared in Basra.\n", "utf-8")
    report = lib.update()
    assert (report.added, report.updated, report.removed) == (1, 1, 1)
    assert ids(lib.search("quokka")) == ["new.md"]
    assert ids(lib.search("zebras")) == ["2019/sadr.md"]
    assert lib.search("drone convoy").total == 0
    assert lib.doc_count() == len(BRIEFS)


def test_broken_brief_is_reported_and_the_rest_loads(
    corpus: Path, glossary: Glossary, tmp_path: Path
) -> None:
    (corpus / "empty.md").write_bytes(b"")
    (corpus / "binary.md").write_bytes(bytes(range(256)) * 40)
    library = Library([corpus], tmp_path / "d2", glossary)
    report = library.update()
    skipped = {Path(p.path).name for p in report.skipped}
    assert skipped == {"empty.md", "binary.md"}
    assert report.added == len(BRIEFS)
    assert all(p.reason for p in report.skipped)
    library.close()


def test_cp1252_brief_is_read_with_a_warning(
    corpus: Path, glossary: Glossary, tmp_path: Path
) -> None:
    (corpus / "old.txt").write_bytes(b"Caf\xe9 owners in Najaf met \x93quietly\x94.")
    library = Library([corpus], tmp_path / "d3", glossary)
    report = library.update()
    assert [Path(p.path).name for p in report.warnings] == ["old.txt"]
    assert ids(library.search("café")) == ["old.txt"]
    library.close()


def test_schema_change_rebuilds(lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    lib.close()
    monkeypatch.setattr(bix.schema, "SCHEMA_VERSION", bix.SCHEMA_VERSION + 1)
    again = Library(lib.corpora, lib.data_dir, lib.glossary)
    report = again.update()
    assert report.rebuilt_reason and "format" in report.rebuilt_reason
    assert report.added == len(BRIEFS)
    again.close()


def test_second_writer_waits_then_fails_clearly(lib: Library) -> None:
    other = bix.BriefIndex(lib.index.folder)
    with (
        lib.index.locked(),
        pytest.raises(bix.IndexBusyError, match="another briefreader"),
        other.locked(timeout=0.2),
    ):
        pass


def test_index_lives_in_data_dir_not_corpus(lib: Library, corpus: Path, tmp_path: Path) -> None:
    assert lib.index.folder.is_relative_to(tmp_path / "data")
    names = {p.name for p in corpus.rglob("*")}
    assert not any(n.endswith((".toc", ".seg", ".json", ".lock")) for n in names)


# -- query language ------------------------------------------------------------------------


def test_phrase_and_snippet_marks_words_as_written(lib: Library) -> None:
    res = lib.search('"foreign plot"')
    assert ids(res) == ["2017/2017-11-24_plot.txt"]
    snip = res.hits[0].snippet
    assert snip is not None and snip.section == "article"
    marked = [snip.text[a:b] for a, b in snip.marks]
    assert marked == ["foreign", "plot"]


def test_all_words_first_then_some(lib: Library) -> None:
    res = lib.search("foreign plot")
    # both words: the seed-like brief and the Hashd brief (comment); then none with one only
    assert res.total_all_words == 2
    assert {h.tier for h in res.hits[:2]} == {1}
    res = lib.search("quokka foreign")
    assert res.total_all_words == 0 and res.total >= 2
    assert all(h.tier == 2 for h in res.hits)


def test_stemming_finds_other_forms_and_marks_them_as_written(lib: Library) -> None:
    res = lib.search("militia")
    assert set(ids(res)) >= {"2018/hashd.md", "2021/nocomment.md"}
    for hit in res.hits:
        assert hit.snippet is not None
        assert all(
            hit.snippet.text[a:b].lower().startswith("militia") for a, b in hit.snippet.marks
        )


def test_boolean_and_minus(lib: Library) -> None:
    with_iraq = {"2017/2017-11-24_plot.txt", "2019/sadr.md", "2021/nocomment.md"}
    assert set(ids(lib.search("Iraq"))) == with_iraq
    assert set(ids(lib.search("Iraq -Sadr"))) == with_iraq - {"2019/sadr.md"}
    assert "2019/sadr.md" not in ids(lib.search("Iraq NOT troops"))
    assert set(ids(lib.search("quokka OR drone"))) == {"2020/drones.md"}
    assert ids(lib.search("(drone OR elections) AND airport")) == ["2020/drones.md"]


def test_fields(lib: Library) -> None:
    assert ids(lib.search("comment:revenge")) == ["2020/drones.md"]
    assert lib.search("article:revenge").total == 0
    assert ids(lib.search("title:disarmament")) == ["2018/hashd.md"]
    assert set(ids(lib.search("source:reuters"))) == {"2019/sadr.md", "2020/drones.md"}
    assert set(ids(lib.search("tag:pmf"))) == {"2018/hashd.md"}


def test_dates(lib: Library) -> None:
    assert ids(lib.search("date:2019")) == ["2019/sadr.md"]
    assert set(ids(lib.search("date:[2018-01 to 2019-06]"))) == {"2018/hashd.md", "2019/sadr.md"}
    assert ids(lib.search("iraq date:2021")) == ["2021/nocomment.md"]


def test_wildcard_and_fuzzy(lib: Library) -> None:
    assert "2018/hashd.md" in ids(lib.search("disarm*"))
    assert "2020/drones.md" in ids(lib.search("airpot~"))


def test_actor_expansion(lib: Library) -> None:
    # "PMF" appears in no text: the brief saying "Popular Mobilization Forces" is found
    res = lib.search("PMF")
    assert {"2018/hashd.md", "2017/2017-11-24_plot.txt"} <= set(ids(res))
    hashd = next(h for h in res.hits if h.id == "2018/hashd.md")
    assert hashd.snippet is not None
    marked = [hashd.snippet.text[a:b] for a, b in hashd.snippet.marks]
    assert "Popular Mobilization Forces" in marked  # the whole name, as the glossary matches
    for hit in res.hits:  # and nothing but names of the actor (no stray "al" or "forces")
        assert hit.snippet is not None
        for a, b in hit.snippet.marks:
            assert hit.snippet.text[a:b] in ("PMF", "P.M.F.", "Popular Mobilization Forces")
    assert ids(lib.search("actor:PMF date:2018")) == ["2018/hashd.md"]
    assert set(ids(lib.search('actor:"Islamic Republic"'))) == {"2019/sadr.md", "2020/drones.md"}


def test_lowercase_us_is_not_the_united_states(lib: Library) -> None:
    parsed = lib.builder.parse("told us")
    assert "actors" not in str(parsed.all_words)
    assert "actors:united-states" in str(lib.builder.parse("US troops").all_words)


PLOT, HASHD, SADR = "2017/2017-11-24_plot.txt", "2018/hashd.md", "2019/sadr.md"
DRONES, NOCOMMENT = "2020/drones.md", "2021/nocomment.md"


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('"unclosed plot', {PLOT, HASHD}),  # the words of an unclosed phrase
        ("((iraq", {PLOT, SADR, NOCOMMENT}),
        ("title: drone", {DRONES}),
        ("***", set(BRIEFS)),  # nothing but wildcards: every brief
        ("AND OR NOT", set()),
        ("((", set()),
        ("title:", set()),
        ("~~", set()),
        ("a:b:c", set()),
        (":", set()),
    ],
)
def test_bad_queries_still_search(lib: Library, q: str, expected: set[str]) -> None:
    res = lib.search(q)
    assert set(ids(res)) == expected
    assert res.total == len(expected)


def test_bad_query_searches_its_words(lib: Library) -> None:
    res = lib.search('"foreign plot')
    assert "2017/2017-11-24_plot.txt" in ids(res)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(alphabet=string.printable + "“”’éİ", max_size=60))
def test_any_query_never_raises(lib: Library, q: str) -> None:
    res = lib.search(q, limit=5)
    assert not res.partial
    assert len(res.hits) == min(5, res.total)  # a page holds what it can of every match
    assert len(set(ids(res))) == len(res.hits) and set(ids(res)) <= set(BRIEFS)


# -- results, filters, facets, suggestions, related ---------------------------------------


def test_result_fields(lib: Library) -> None:
    hit = lib.search("revenge").hits[0]
    assert (hit.id, hit.title, hit.source) == (
        "2020/drones.md",
        "Drone strike near the airport",
        "Reuters",
    )
    assert hit.date == dt.date(2020, 1, 3)
    assert "iran" in hit.actors
    assert hit.snippet is not None and hit.snippet.section == "comment"


def test_sorting(lib: Library) -> None:
    newest = lib.search("Iraq", sort="newest")
    dates = [h.date for h in newest.hits if h.date]
    assert dates == sorted(dates, reverse=True)
    oldest = lib.search("Iraq", sort="oldest")
    dates = [h.date for h in oldest.hits if h.date]
    assert dates == sorted(dates)


def test_filters(lib: Library) -> None:
    assert ids(lib.search("Iraq", actors=["Sadr"])) == ["2019/sadr.md"]
    assert set(ids(lib.search("", sources=["Rudaw"]))) == {"2018/hashd.md", "2021/nocomment.md"}
    assert ids(lib.search("drone", tags=["strike"])) == ["2020/drones.md"]
    assert lib.search("drone", tags=["pmf"]).total == 0
    got = lib.search("", since=dt.date(2019, 1, 1), until=dt.date(2020, 12, 31))
    assert set(ids(got)) == {"2019/sadr.md", "2020/drones.md"}


def test_facets(lib: Library) -> None:
    res = lib.search("")
    assert res.facets["source"] == {"Reuters": 2, "Rudaw": 2}
    assert res.facets["year"] == {"2017": 1, "2018": 1, "2019": 1, "2020": 1, "2021": 1}
    assert res.facets["actors"]["popular-mobilization-forces"] == 2
    assert res.facets["tags"] == {"iraq": 3, "elections": 1, "pmf": 1, "sadr": 1, "strike": 1}
    res = lib.search("Sadr")
    assert res.facets["source"] == {"Reuters": 1}


def test_empty_query_lists_newest_first(lib: Library) -> None:
    res = lib.search("", limit=3)
    assert res.total == len(BRIEFS)
    assert [h.id for h in res.hits][0] == "2021/nocomment.md"


def test_did_you_mean(lib: Library) -> None:
    res = lib.search("commandrs")
    assert res.total == 0
    assert res.suggestion == "commanders"


def test_related(lib: Library) -> None:
    rel = lib.related("2018/hashd.md")
    # The plot brief shares the actor (the PMF) and the words "foreign" and "plot".
    assert rel[0].id == PLOT
    assert "2018/hashd.md" not in [h.id for h in rel]
    assert [h.score for h in rel] == sorted((h.score for h in rel), reverse=True)


def test_hit_spans_are_offsets_into_brief_text(lib: Library) -> None:
    brief = lib.brief("2017/2017-11-24_plot.txt")
    spans = lib.hit_spans(brief, '"foreign plot"')
    assert [brief.text[a:b] for a, b in spans] == ["foreign", "plot"]


def test_actor_counts(lib: Library) -> None:
    counts = lib.actor_counts()
    assert counts["popular-mobilization-forces"] == 2
    assert counts["muqtada-al-sadr"] == 1


# -- glossary edits, remembered problems, bulk rewrites -------------------------------------


def test_glossary_edit_rematches_only_affected_briefs(lib: Library, tmp_path: Path) -> None:
    assert "2020/drones.md" not in ids(lib.search("actor:Convoy"))
    user = tmp_path / "user.toml"
    user.write_text('[[actor]]\nname = "Convoy Command"\nkind = "militia"\naliases = ["convoy"]\n')
    g = Glossary.load([tmp_path / "g.toml", user])
    again = Library(lib.corpora, lib.data_dir, g)
    lib.close()
    report = again.update()
    assert report.rematched == 1  # only the brief that says "convoy"
    assert (report.added, report.updated) == (0, 0)
    assert ids(again.search('actor:"Convoy Command"')) == ["2020/drones.md"]
    assert again.update().rematched == 0
    again.close()


def test_skipped_files_and_warnings_are_reported_on_every_update(
    corpus: Path, glossary: Glossary, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (corpus / "empty.md").write_bytes(b"   \n")
    (corpus / "old.txt").write_bytes(b"Caf\xe9 owners in Najaf.")
    library = Library([corpus], tmp_path / "d4", glossary)
    first = library.update()
    assert {Path(p.path).name for p in first.skipped} == {"empty.md"}
    assert {Path(p.path).name for p in first.warnings} == {"old.txt"}
    reads: list[str] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self.name) or real(self))
    second = library.update()
    assert reads == []
    assert [(Path(p.path).name, p.reason) for p in second.problems] == [
        (Path(p.path).name, p.reason) for p in first.problems
    ]
    library.close()


def test_bulk_update_of_existing_briefs_leaves_no_duplicates(
    lib: Library, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import briefreader.core.library as libmod

    monkeypatch.setattr(libmod, "BULK_THRESHOLD", 2)
    for rel in BRIEFS:
        p = corpus / rel
        p.write_text(p.read_text("utf-8") + "\nA platypus was seen.\n", "utf-8")
    report = lib.update()
    assert report.updated == len(BRIEFS)
    assert lib.doc_count() == len(BRIEFS)
    assert lib.search("platypus").total == len(BRIEFS)


def test_markdown_emphasis_does_not_hide_words(
    corpus: Path, glossary: Glossary, tmp_path: Path
) -> None:
    # Whoosh-Reloaded's default tokenizer takes "*" into words: "**bold**" was unsearchable.
    (corpus / "bold.md").write_text("Title: Bold\n\nThe **wombat** crossed *quietly*.\n", "utf-8")
    library = Library([corpus], tmp_path / "d5", glossary)
    library.update()
    res = library.search("wombat quietly")
    assert ids(res) == ["bold.md"]
    snip = res.hits[0].snippet
    assert snip is not None
    assert [snip.text[a:b] for a, b in snip.marks] == ["wombat", "quietly"]
    library.close()


def test_term_positions_agree_with_the_analyzer(seed_path: Path) -> None:
    """The fast marking path finds exactly the tokens the index analyzer makes."""
    text = seed_path.read_text("utf-8") + " To **drapoun** x.militia U.S.-backed militias’"
    toks = [(t.text, t.startchar, t.endchar) for t in bix.schema.analyzer()(text, chars=True)]
    assert [t for t, _, _ in toks] == list(bix.analysed_terms(text))
    for terms in ({"militia"}, {"p.m.f", "iran"}, {"drapoun", "back"}, {"x.militia"}):
        expected = [(a, b) for t, a, b in toks if t in terms]
        assert bix.term_positions(text, frozenset(terms)) == expected


def test_a_word_in_the_title_ranks_above_the_same_word_in_the_body(
    tmp_path: Path, glossary: Glossary
) -> None:
    body = " ".join(["Talks went on in Baghdad about budgets and salaries."] * 8)
    corpus = write_corpus(
        tmp_path / "c6",
        {
            "a.md": f"Title: Budget talks\n\n{body} The ceasefire held.\n",
            "b.md": f"Title: Ceasefire holds\n\n{body} It held.\n",
        },
    )
    library = Library([corpus], tmp_path / "d6", glossary)
    library.update()
    assert ids(library.search("ceasefire")) == ["b.md", "a.md"]
    library.close()


def test_year_filter_takes_exactly_the_chosen_years(lib: Library) -> None:
    got = lib.search("", years=[2017, 2020])
    assert set(ids(got)) == {"2017/2017-11-24_plot.txt", "2020/drones.md"}


def test_snippets_drop_markdown_emphasis(corpus: Path, glossary: Glossary, tmp_path: Path) -> None:
    (corpus / "em.md").write_text(
        "Title: E\n\nThe **Hashd al-Shaabi** met the *quokka*.\n", "utf-8"
    )
    library = Library([corpus], tmp_path / "d7", glossary)
    library.update()
    snip = library.search("quokka").hits[0].snippet
    assert snip is not None and "*" not in snip.text
    assert [snip.text[a:b] for a, b in snip.marks] == ["quokka"]
    library.close()


def test_wildcards_standing_for_too_many_words_are_capped_with_a_notice(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bix.querying, "MAX_EXPANSION", 2)
    res = lib.search("*a*")
    assert any("matched too many words" in n for n in res.notices)
    assert res.total >= 1
    # a wildcard within the cap is not touched
    monkeypatch.setattr(bix.querying, "MAX_EXPANSION", 10_000)
    res = lib.search("disarm*")
    assert not res.notices and "2018/hashd.md" in ids(res)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    text=st.lists(
        st.sampled_from([*"abcdeİıßſ._- \n'’é", "the", "ab.cd", "Strike", "ABC"]), max_size=40
    ).map("".join),
    terms=st.sets(
        st.sampled_from(["ab", "abc", "strike", "the", "cd", "b", "dé", "ss"]), max_size=4
    ),
)
def test_fast_term_positions_equal_the_plain_scan(text: str, terms: set[str]) -> None:
    """The one-pass prefix search finds exactly the words the plain regex scan finds, the
    words of a prefix (a wildcard the team archive keeps unexpanded) too."""
    from briefreader.core.search import snippets

    fs = frozenset(terms)
    assert snippets.term_positions(text, fs) == snippets._term_positions_slow(text, fs)
    heads = tuple(sorted(t[:2] for t in terms))
    assert snippets.term_positions(text, frozenset(), heads) == snippets._term_positions_slow(
        text, frozenset(), heads
    )


def test_rebuild_throws_the_index_away_and_the_next_update_builds_it_anew(lib: Library) -> None:
    """Both front ends rebuild through Library.rebuild; the lock file stays."""
    lib.rebuild()
    assert [p.name for p in lib.index.folder.iterdir()] == ["update.lock"]
    report = lib.update()
    assert (report.added, report.unchanged, report.removed) == (len(BRIEFS), 0, 0)
    assert lib.doc_count() == len(BRIEFS)


def test_rebuild_waits_for_no_other_writer(lib: Library) -> None:
    other = Library(lib.corpora, lib.data_dir, lib.glossary)  # another instance, say
    with other.index.locked(1.0), pytest.raises(bix.IndexBusyError):
        lib.rebuild(lock_timeout=0.0)
    assert lib.doc_count() == len(BRIEFS)  # nothing was thrown away
