"""The local query builder's tiers and weights: the groups an operator joins, a word typed
again, the question mark that ends a question, and what counts as a term."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import query

from briefreader.core.glossary import Glossary
from briefreader.core.index.querying import QueryBuilder
from briefreader.core.index.schema import make_schema
from briefreader.core.library import Library
from briefreader.core.querytext import prepare_query
from briefreader.core.search.limits import MAX_QUERY_TERMS


@pytest.fixture(scope="module")
def builder() -> QueryBuilder:
    return QueryBuilder(make_schema(), lambda _name: None)


def _word(q: object) -> str:
    return next(iter(q.leaves())).text  # type: ignore[attr-defined, no-any-return]


def test_a_word_typed_again_weighs_more(builder: QueryBuilder) -> None:
    parsed = builder.parse("retrieval systems retrieval")
    assert isinstance(parsed.some_words, query.Or)
    weights = {_word(w): w.boost for w in parsed.some_words.subqueries}
    assert weights == {"retriev": 2.0, "system": 1.0}
    # The all-words tier wants each word once, weighted the same.
    assert {_word(w): w.boost for w in parsed.all_words.subqueries} == weights


def test_each_group_an_operator_joins_has_its_tiers(builder: QueryBuilder) -> None:
    parsed = builder.parse("iraq militia zzzz AND tehran")
    strict, loose = parsed.all_words, parsed.some_words
    assert isinstance(strict, query.And) and isinstance(loose, query.And)
    assert sorted(_word(leaf) for leaf in loose.leaves() if leaf.fieldname == "article") == [
        "iraq", "militia", "tehran", "zzzz",
    ]  # fmt: skip
    group = next(sub for sub in loose.subqueries if isinstance(sub, query.Or) and len(sub) == 3)
    assert sorted(_word(w) for w in group.subqueries) == ["iraq", "militia", "zzzz"]
    assert parsed.operators


def test_a_word_of_several_index_words_wants_them_all_in_both_tiers(
    builder: QueryBuilder,
) -> None:
    parsed = builder.parse("shock-sound wave interaction")
    compound = [
        sub
        for sub in parsed.some_words.subqueries
        if {leaf.text for leaf in sub.leaves()} == {"shock", "sound"}
    ]
    assert len(compound) == 1
    # In each text field both parts (as the team archive reads "shock-sound"), not either.
    assert all(isinstance(part, query.And) for part in compound[0].subqueries)


def test_what_a_not_takes_away_stays_as_typed(builder: QueryBuilder) -> None:
    parsed = builder.parse("(iraq militia) AND NOT (tehran baghdad)")
    negated = [sub for sub in parsed.some_words.subqueries if isinstance(sub, query.Not)]
    assert len(negated) == 1 and isinstance(negated[0].query, query.And)


@pytest.mark.parametrize(
    ("typed", "searched"),
    [
        ("How does MEDLARS operate?", "How does MEDLARS operate "),
        ("(MEDLARS)? What", "(MEDLARS)  What"),
        ("what ? now", "what   now"),
        ("Sulei?ani", "Sulei?ani"),  # a wildcard inside a word stays one
        ("milit?*", "milit?*"),
    ],
)
def test_a_question_mark_ends_a_question(typed: str, searched: str) -> None:
    assert prepare_query(typed)[0] == searched


def test_a_long_question_is_not_said_to_be_cut_when_it_is_not(builder: QueryBuilder) -> None:
    words = " ".join(f"word{i}x" for i in range(MAX_QUERY_TERMS - 10))
    parsed = builder.parse(words)
    assert not any("cut" in n for n in parsed.notices)
    assert len(parsed.some_words.subqueries) == MAX_QUERY_TERMS - 10
    longer = builder.parse(words + " " + " ".join(f"more{i}x" for i in range(20)))
    assert any("first 200 terms" in n for n in longer.notices)
    assert len(longer.some_words.subqueries) == MAX_QUERY_TERMS


def test_the_repeated_word_decides_the_order(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.md").write_text("# Beta note\n\nThe beta report.\n", "utf-8")
    (corpus / "b.md").write_text("# Gamma note\n\nThe gamma report.\n", "utf-8")
    (corpus / "c.md").write_text("# Other note\n\nNothing else report.\n", "utf-8")
    lib = Library([corpus], tmp_path / "d", Glossary.load([]))
    try:
        lib.update()
        assert [h.id for h in lib.search("gamma beta beta").hits] == ["a.md", "b.md"]
        assert [h.id for h in lib.search("beta gamma gamma").hits] == ["b.md", "a.md"]
    finally:
        lib.close()
