"""The watchlist's quick paths give the answers of listing every match: new
counts from the arrivals' dates and actors, the cache between two looks, and the lists the
window narrows to (starred, unread, new first), and a brief exported with its notes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefreader.core.glossary import Glossary
from briefreader.core.library import Library
from briefreader.core.userdata import UserData
from briefreader.core.userexport import brief_markdown
from briefreader.core.userlayer import (
    StatusCache,
    add_saved,
    mark_seen,
    status,
    statuses,
    watch,
)
from briefreader.core.userlists import date_term, narrowed_search, search_with_notes

GLOSSARY = """
[[actor]]
name = "Popular Mobilization Forces"
kind = "militia"
aliases = ["PMF"]

[[actor]]
name = "Iran"
kind = "state"
"""


def brief(title: str, date: str | None, body: str) -> str:
    head = f"Title: {title}\n" + (f"Date: {date}\n" if date else "")
    return head + f"Source: Reuters\n\n{body}\n"


OLD = {
    f"old-{n}.md": brief(f"Old {n}", f"201{n}-03-0{n + 1}", f"The PMF and a drone, year {n}.")
    for n in range(6)
}


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in OLD.items():
        (corpus / name).write_text(text, "utf-8")
    gloss = tmp_path / "glossary.toml"
    gloss.write_text(GLOSSARY, "utf-8")
    library = Library([corpus], tmp_path / "data", Glossary.load([gloss]))
    library.update()
    yield library
    library.close()


def full_answers(lib: Library, ud: UserData) -> dict[str, tuple[int, list[str]]]:
    """What listing every match of every search says (the slow, plain path)."""
    return {
        s.name: (st.total, sorted(st.new)) for s in ud.saved_all() for st in [status(lib, ud, s)]
    }


def quick_answers(
    lib: Library, ud: UserData, cache: StatusCache | None = None
) -> dict[str, tuple[int, list[str]]]:
    return {st.saved.name: (st.total, sorted(st.new)) for st in statuses(lib, ud, cache=cache)}


def test_new_counts_from_arrivals_agree_with_listing_every_match(
    lib: Library, tmp_path: Path
) -> None:
    corpus = lib.corpora[0]
    with UserData.open(tmp_path / "user") as ud:
        add_saved(lib, ud, "drones", "drone", {})
        add_saved(lib, ud, "drones 2012", "drone", {"years": [2012]})
        add_saved(lib, ud, "pmf newest", "PMF", {}, "newest")
        watch(lib, ud, "PMF")
        watch(lib, ud, "Iran")
        cache = StatusCache()
        assert quick_answers(lib, ud, cache) == full_answers(lib, ud)
        assert all(not new for _total, new in quick_answers(lib, ud, cache).values())

        # A morning's briefs, one dated years back and one with no date at all.
        (corpus / "new-1.md").write_text(brief("New 1", "2026-12-01", "A drone over Iran."))
        (corpus / "new-2.md").write_text(brief("New 2", "2026-12-02", "The PMF march."))
        (corpus / "late.md").write_text(brief("Late", "2012-05-05", "A drone, filed late."))
        lib.update()
        quick = quick_answers(lib, ud, cache)
        assert quick == full_answers(lib, ud)
        assert quick["drones"] == (8, ["late.md", "new-1.md"])
        assert quick["drones 2012"] == (2, ["late.md"])
        assert quick["Iran"] == (1, ["new-1.md"])
        assert quick["Popular Mobilization Forces"][1] == ["new-2.md"]

        (corpus / "undated.md").write_text(brief("Undated", None, "A drone and the PMF."))
        lib.update()
        assert quick_answers(lib, ud, cache) == full_answers(lib, ud)

        mark_seen(lib, ud, "drones")
        after = quick_answers(lib, ud, cache)
        assert after["drones"] == (9, [])
        assert after == full_answers(lib, ud)


def test_the_cache_answers_again_without_searching(
    lib: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with UserData.open(tmp_path / "user") as ud:
        add_saved(lib, ud, "drones", "drone", {})
        cache = StatusCache()
        first = quick_answers(lib, ud, cache)

        def no_search(*_a: object, **_k: object) -> None:
            raise AssertionError("searched again")

        monkeypatch.setattr(lib, "search", no_search)
        assert quick_answers(lib, ud, cache) == first


def test_narrowed_lists_keep_the_search_order(lib: Library, tmp_path: Path) -> None:
    with UserData.open(tmp_path / "user") as ud:
        ud.set_star_many(["old-1.md", "old-4.md"])
        ud.set_read("old-0.md")
        res = narrowed_search(lib, ud, "drone", only="starred", sort="newest")
        assert [h.id for h in res.hits] == ["old-4.md", "old-1.md"]
        assert res.total == 2 and res.facets["year"] == {"2011": 1, "2014": 1}
        assert any("starred" in n for n in res.notices)
        res = narrowed_search(lib, ud, "drone", only="unread", sort="oldest")
        assert [h.id for h in res.hits][:2] == ["old-1.md", "old-2.md"]
        ud.add_label(["old-2.md", "old-3.md"], "Check")
        res = narrowed_search(lib, ud, "drone label:check", sort="oldest")
        assert [h.id for h in res.hits] == ["old-2.md", "old-3.md"]
        assert any("labelled check" in n for n in res.notices)
        res = narrowed_search(lib, ud, "label:check", only="starred")
        assert res.total == 0
        res = narrowed_search(lib, ud, "drone", first=["old-2.md"], sort="newest", limit=3)
        assert [h.id for h in res.hits] == ["old-2.md", "old-5.md", "old-4.md"]
        assert res.total == 6 and res.hits[0].snippet is not None


def test_a_brief_with_its_notes_as_markdown(lib: Library, tmp_path: Path) -> None:
    b = lib.brief("old-3.md")
    start = b.text.index("a drone")
    with UserData.open(tmp_path / "user") as ud:
        ud.add_highlight(b, "article", start, start + len("a drone"), "which one?")
        ud.add_note(b, "Ask the desk")
        text = brief_markdown(b, ud.notes(b.id))
    assert text.startswith("# Old 3\n")
    assert "The PMF and ==a drone==, year 3." in text
    assert "- > a drone\n  which one?" in text and "- Ask the desk" in text


@pytest.mark.parametrize(
    ("since", "until", "term"),
    [
        ("2011-03-02", "2013-03-04", "date:[2011-03-02 to 2013-03-04]"),  # both on a brief's day
        ("2011-03-03", "2013-03-03", "date:[2011-03-03 to 2013-03-03]"),  # both a day off
        ("2011-03-01", "2013-03-31", "date:[2011-03 to 2013-03]"),
        ("2011-01-01", "2013-12-31", "date:[2011 to 2013]"),
        ("2012-01-01", "2012-12-31", "date:2012"),
        ("2012-03-01", "2012-03-31", "date:2012-03"),
        ("2012-03-03", None, "date:[2012-03-03 to]"),
        ("2012-03-04", None, "date:[2012-03-04 to]"),
        (None, "2012-03-03", "date:[to 2012-03-03]"),
        (None, "2012-12-31", "date:[to 2012]"),
    ],
)
def test_a_saved_date_range_written_as_a_query_term_finds_the_same_briefs(
    lib: Library, since: str | None, until: str | None, term: str
) -> None:
    """The window writes a saved search's since/until into its query (it has no date-range
    filter): the term must find exactly what the filters find."""
    import datetime as dt

    assert date_term(since, until) == term
    day = dt.date.fromisoformat
    by_filters = lib.search(
        "drone", limit=50, since=day(since) if since else None, until=day(until) if until else None
    )
    by_term = lib.search(f"drone {term}", limit=50)
    assert by_filters.total > 0
    assert sorted(h.id for h in by_term.hits) == sorted(h.id for h in by_filters.hits)
    assert not by_term.notices


def test_briefs_found_by_notes_alone_come_page_by_page_after_the_rest(
    lib: Library, tmp_path: Path
) -> None:
    with UserData.open(tmp_path / "data") as ud:
        for n in range(5):
            ud.add_note(lib.brief(f"old-{n}.md"), f"Zarqawi, note {n}")
        ud.add_note(lib.brief("old-5.md"), "drone and Zarqawi")  # its own text has "drone"
        pages = [
            search_with_notes(lib, ud, "zarqawi", offset=offset, limit=2) for offset in (0, 2, 4)
        ]
        assert [p.total for p in pages] == [6, 6, 6]
        ids = [h.id for p in pages for h in p.hits]
        assert sorted(ids) == sorted(f"old-{n}.md" for n in range(6))
        assert all(
            h.snippet is not None and h.snippet.section == "note" for p in pages for h in p.hits
        )
        # Every brief says "drone": the index lists them all (some of the words), once each.
        both = search_with_notes(lib, ud, "drone zarqawi", limit=10)
        assert both.total == 6 and len({h.id for h in both.hits}) == 6
        assert not any("your notes" in n for n in both.notices)
        (lib.corpora[0] / "old-4.md").unlink()
        lib.update()
        after = search_with_notes(lib, ud, "zarqawi", limit=10)
        assert after.total == 5 and "old-4.md" not in {h.id for h in after.hits}


#: Pieces of queries, joined at random: the user's terms, operators, fields, stray marks.
TOKENS = [" ", "note:", "label:", "z", "Zarqawi", "drone", "AND", "OR", "-", '"', "(", ")"]
TOKENS += ["*", "date:2012", "date:[2011 to", "title:", "’", "PMF", "x-y", ":", "[", "]"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(TOKENS), max_size=8).map("".join))
def test_any_query_with_notes_lists_without_an_error(
    lib: Library, tmp_path: Path, text: str
) -> None:
    """Whatever is typed, the user's lists answer (note: and label: terms, plain words
    looked up in notes), and never list a brief twice."""
    with UserData.open(tmp_path / "data") as ud:
        if not ud.has_notes():
            ud.add_note(lib.brief("old-1.md"), "a note about z and Zarqawi")
        res = search_with_notes(lib, ud, text, limit=20)
        ids = [h.id for h in res.hits]
        assert len(ids) == len(set(ids))
        assert res.total >= len(ids)


def test_a_first_look_after_a_restart_reads_no_manifest_unless_the_index_changed(
    lib: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index files the arrivals were last stamped for are kept beside the user database:
    a new window (a fresh cache) on an unchanged index does not read the whole manifest
    again, and still gives the plain path's answers; an update is noticed."""
    corpus = lib.corpora[0]
    reads = {"n": 0}
    real = lib.index.read_manifest

    def counting() -> object:
        reads["n"] += 1
        return real()

    monkeypatch.setattr(lib.index, "read_manifest", counting)
    with UserData.open(tmp_path / "user") as ud:
        add_saved(lib, ud, "drones", "drone", {})
        watch(lib, ud, "PMF")
        quick_answers(lib, ud, StatusCache())
        reads["n"] = 0
        again = quick_answers(lib, ud, StatusCache())
        assert reads["n"] == 0
        assert again == full_answers(lib, ud)
        (corpus / "new-1.md").write_text(brief("New 1", "2026-12-01", "A drone and the PMF."))
        lib.update()
        reads["n"] = 0
        after = quick_answers(lib, ud, StatusCache())
        assert reads["n"] >= 1
        assert after["drones"][1] == ["new-1.md"]
        assert after == full_answers(lib, ud)
        # A kept stamp the database does not agree with (restored, say) is not trusted.
        (Path(ud.path).parent / "watchlist-sync.json").write_text(
            '{"stamp": [0, 0], "latest": 999}', "utf-8"
        )
        reads["n"] = 0
        assert quick_answers(lib, ud, StatusCache()) == after
        assert reads["n"] >= 1


def test_which_arrivals_a_search_finds_equals_its_listed_matches(lib: Library) -> None:
    ids = [f"old-{n}.md" for n in range(6)] + ["no-such.md"]
    for text, filters in (
        ("drone", {}),
        ("drone year", {}),
        ('"a drone"', {}),
        ("PMF", {"years": [2012, 2013]}),
        ("", {"actors": ["PMF"]}),
        ("drone -year", {}),
        ("nothing-like-this", {}),
    ):
        listed = {h.id for h in lib.search(text, limit=100, **filters).hits}
        assert lib.found_among(text, ids, **filters) == [i for i in ids if i in listed], text
