"""Typed queries left open are closed, with a notice (issue 14): never a silent guess."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefreader.core.glossary import Glossary
from briefreader.core.library import Library
from briefreader.core.querytext import repair_query


@pytest.mark.parametrize(
    ("typed", "searched", "says"),
    [
        ('"foreign plot', " foreign plot", "searched for the words after it"),
        ('"unclosed AND (', "unclosed", "quotation mark"),
        ("date:[2017 to", "date:[2017 to]", "range “[2017 to” was not closed"),
        ("(Iran OR Iraq", "(Iran OR Iraq)", "“(” was not closed"),
        ("Iran) Iraq", "Iran Iraq", "has no “(”"),
        ("Iran AND", "Iran", "nothing follows AND"),
        ("Iran AND ()", "Iran", "nothing follows AND"),
    ],
)
def test_what_was_left_open_is_closed_and_said(typed: str, searched: str, says: str) -> None:
    repaired, notices = repair_query(typed)
    assert repaired == searched
    assert says in notices[0]


@pytest.mark.parametrize(
    "typed", ["militia disarm", '"foreign plot"', "date:[2017-01 to 2017-06]", "(a OR b) NOT c"]
)
def test_a_well_formed_query_is_left_alone(typed: str) -> None:
    assert repair_query(typed) == (typed, [])


@given(st.text(alphabet='ab "()[]ANDORT:', max_size=30))
def test_any_text_comes_back_balanced(text: str) -> None:
    repaired, _notices = repair_query(text)
    assert repaired.count('"') % 2 == 0
    assert repair_query(repaired) == (repaired, [])  # nothing left to repair


def test_library_search_says_what_it_closed(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.md").write_text("Title: A\nDate: 2018-02-01\n\nA foreign plot.\n", "utf-8")
    (corpus / "b.md").write_text("Title: B\nDate: 2016-02-01\n\nA plot.\n", "utf-8")
    lib = Library([corpus], tmp_path / "d", Glossary.load([]))
    try:
        lib.update()
        res = lib.search("date:[2017 to")
        assert [h.id for h in res.hits] == ["a.md"]  # found nothing, silently, before
        assert any("was not closed" in n for n in res.notices)
        res = lib.search('"unclosed AND (')
        assert any("quotation mark" in n for n in res.notices)
        assert res.suggestion is None or repair_query(res.suggestion)[1] == []
    finally:
        lib.close()


@pytest.mark.parametrize(
    ("typed", "searched"),
    [
        ("date:[2017-01 to 2016-01]", "date:[2016-01 to 2017-01]"),
        ("Iran date:[2019 TO 2017-06-30]", "Iran date:[2017-06-30 TO 2019]"),
    ],
)
def test_a_date_range_written_end_first_is_turned_round_and_said(typed: str, searched: str) -> None:
    repaired, notices = repair_query(typed)
    assert repaired == searched
    assert len(notices) == 1 and "ends before it starts" in notices[0]


@pytest.mark.parametrize("typed", ["date:[2017 to 2017-06]", "date:[2017-06 to 2017]"])
def test_a_range_within_one_period_is_not_turned(typed: str) -> None:
    assert repair_query(typed) == (typed, [])


def test_library_search_finds_a_backwards_range_and_says_so(tmp_path: Path) -> None:
    import datetime as dt

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.md").write_text("Title: A\nDate: 2016-06-01\n\nA foreign plot.\n", "utf-8")
    (corpus / "b.md").write_text("Title: B\nDate: 2019-02-01\n\nA plot.\n", "utf-8")
    lib = Library([corpus], tmp_path / "d", Glossary.load([]))
    try:
        lib.update()
        res = lib.search("plot date:[2017-01 to 2016-01]")
        assert [h.id for h in res.hits] == ["a.md"]  # nothing, and no word, before
        assert any("ends before it starts" in n for n in res.notices)
        res = lib.search("plot", since=dt.date(2020, 1, 1), until=dt.date(2018, 1, 1))
        assert [h.id for h in res.hits] == ["b.md"]
        assert any("dates run backwards" in n for n in res.notices)
    finally:
        lib.close()
