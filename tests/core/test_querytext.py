"""Typed queries left open are closed, with a notice: never a silent guess."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefreader import paths
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library
from briefreader.core.querytext import (
    group_operands,
    has_operators,
    prepare_query,
    read_capitals,
    repair_query,
    stop_words_only,
)


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


# -- questions that must not come back empty -------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "searched"),
    [
        ("I WOULD BE INTERESTED IN MILITIAS AND WHY THEY DISARM",
         "I WOULD BE INTERESTED IN MILITIAS and WHY THEY DISARM"),
        ("TO BE OR NOT TO BE", "TO BE or not TO BE"),
        ("IRAN AND IRAQ?", "IRAN and IRAQ?"),
        # A bracket elsewhere leaves the ANDs between words in capitals as words.
        ("MEDLARS (MEDICAL ANALYSIS AND RETRIEVAL SYSTEM)",
         "MEDLARS (MEDICAL ANALYSIS and RETRIEVAL SYSTEM)"),
        ("(IRAN OR IRAQ) AND MILITIA", "(IRAN or IRAQ) AND MILITIA"),
    ],
)  # fmt: skip
def test_a_question_in_capitals_reads_its_operators_as_words(typed: str, searched: str) -> None:
    read, notices = read_capitals(typed)
    assert read == searched
    assert len(notices) == 1 and "between words in capitals" in notices[0]
    assert read_capitals(read) == (read, [])  # nothing left to read


@pytest.mark.parametrize(
    "typed",
    [
        "Iran AND Iraq",  # lower-case words: a Boolean query
        "IRAN AND iraq",
        "IRAN AND (IRAQ)",  # a bracket
        "IRAN AND NOT iraq",  # beside an operator that is one
        '"FOREIGN PLOT" AND IRAN',  # quotes
        "TITLE:IRAN AND IRAQ",  # a field
        "IRAN AND -SYRIA",  # a minus word
        "NATO MILITIAS",  # no operator: nothing to read
        "ANDROID ORBIT NOTES",  # operators only as whole words
    ],
)
def test_operators_beside_the_query_language_stay_operators(typed: str) -> None:
    assert read_capitals(typed) == (typed, [])


@pytest.mark.parametrize(
    ("typed", "grouped"),
    [
        ("Iraq militia Baghdad zzzz AND Tehran", "(Iraq militia Baghdad zzzz) AND Tehran"),
        ("militia disarm OR Tehran protest", "(militia disarm) OR (Tehran protest)"),
        ("x (a b AND c) d", "x ((a b) AND c) d"),
        ("a b AND NOT c d", "(a b) AND (NOT c d)"),
        ("a -(b c) OR d", "(a -(b c)) OR d"),
        ('title:(a b) c AND date:[2017 to 2018] "d e"',
         '(title:(a b) c) AND (date:[2017 to 2018] "d e")'),
    ],
)  # fmt: skip
def test_the_groups_an_operator_joins_are_put_in_brackets(typed: str, grouped: str) -> None:
    assert group_operands(typed) == grouped
    assert has_operators(typed)


@pytest.mark.parametrize(
    "typed", ["militia disarm", "Iran AND Iraq", "(a b) OR c", "a NOT b", '"x AND y" z']
)
def test_nothing_to_group_is_left_as_typed(typed: str) -> None:
    assert group_operands(typed) == typed


@given(st.text(alphabet='ab "()[]ANDORT:-~*', max_size=40))
def test_grouping_only_adds_brackets_and_keeps_them_balanced(text: str) -> None:
    repaired, _ = repair_query(text)
    grouped = group_operands(repaired)
    assert grouped.replace("(", "").replace(")", "") == repaired.replace("(", "").replace(")", "")
    depth = 0
    quote = False
    for ch in grouped:
        quote ^= ch == '"'
        if not quote:
            depth += {"(": 1, ")": -1}.get(ch, 0)
            assert depth >= 0
    assert depth == 0 or grouped == repaired


@given(st.text(max_size=60))
def test_any_text_is_prepared_without_an_error(text: str) -> None:
    prepared, notices = prepare_query(text)
    assert isinstance(prepared, str) and all(isinstance(n, str) for n in notices)
    group_operands(prepared)
    stop_words_only(prepared)


@pytest.mark.parametrize(
    ("typed", "named"),
    [("the", "“the”"), ("to be or not to be", "“to”, “be”, “or” and “not”"),
     ("title:the", "“the”"), ('"of the"', "“of” and “the”"), ("NOT the", "“the”")],
)  # fmt: skip
def test_a_query_of_stop_words_says_why(typed: str, named: str) -> None:
    notices = stop_words_only(typed)
    assert len(notices) == 1 and named in notices[0] and "stop word" in notices[0]


@pytest.mark.parametrize("typed", ["the militia", "the date:2017", "th*", "actor:the", ""])
def test_a_query_with_something_to_search_has_no_stop_word_notice(typed: str) -> None:
    assert stop_words_only(typed) == []


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """The sample corpus (corpus/), as the issue's examples were measured on it."""
    lib = Library.open([paths.sample_corpus_dir()], data_dir=tmp_path_factory.mktemp("sample"))
    lib.update()
    yield lib
    lib.close()


def test_a_question_in_capitals_finds_what_the_lower_case_one_finds(sample: Library) -> None:
    question = "I WOULD BE INTERESTED IN MILITIAS AND WHY THEY DISARM"
    shouted = sample.search(question, limit=100)
    plain = sample.search(question.lower(), limit=100)
    assert plain.total == 8  # the figure of the issue: capitals found nothing before
    assert [h.id for h in shouted.hits] == [h.id for h in plain.hits]
    assert any("between words in capitals" in n for n in shouted.notices)


def test_a_word_no_brief_has_empties_nothing_beside_an_operator(sample: Library) -> None:
    res = sample.search("Iraq militia Baghdad zzzz AND Tehran", limit=100)
    assert res.total > 0 and res.total_all_words == 0  # nothing, and no word, before
    assert any("some of the words of each group" in n for n in res.notices)
    tehran = {h.id for h in sample.search("Tehran", limit=100).hits}
    assert {h.id for h in res.hits} <= tehran  # the AND still holds between the groups
    some = {h.id for h in sample.search("Iraq militia Baghdad zzzz", limit=100).hits}
    assert {h.id for h in res.hits} == some & tehran


def test_each_side_of_an_operator_keeps_its_tiers(sample: Library) -> None:
    res = sample.search("militia disarm OR Tehran protest", limit=100)
    both = sample.search("(militia AND disarm) OR (Tehran AND protest)", limit=100)
    assert res.total_all_words == both.total == both.total_all_words
    assert res.total > res.total_all_words
    assert [h.tier for h in res.hits] == sorted(h.tier for h in res.hits)
    assert any("come first" in n for n in res.notices)
    # Spelled out with an operator: left as typed, no feedback step.
    assert sample.search("militia AND disarm").notices == []


@pytest.mark.parametrize(
    "typed",
    ["militia AND the", "(the militia) AND (why they)", "militia NOT the", "the OR militia"],
)
def test_a_stop_word_operand_drops_out(sample: Library, typed: str) -> None:
    res = sample.search(typed, limit=100)
    alone = sample.search("militia", limit=100)
    assert (res.total, [h.id for h in res.hits]) == (alone.total, [h.id for h in alone.hits])


@pytest.mark.parametrize("typed", ["the", "TO BE OR NOT TO BE", "(the OR a)"])
def test_a_question_of_stop_words_says_why_it_found_nothing(sample: Library, typed: str) -> None:
    res = sample.search(typed)
    assert res.total == 0
    assert any("stop word" in n for n in res.notices), res.notices
