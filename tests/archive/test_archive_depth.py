"""Deeply nested queries on the team archive: its reader's recursion is bounded, and a query
nested past the bound is searched as its words with the local search's notice."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefreader.core.archive.query import compile_query
from briefreader.core.library import Library
from briefreader.core.querytext import MAX_QUERY_DEPTH, UNREADABLE_QUERY


def nested(depth: int, inner: str = "iran militia") -> str:
    return "(" * depth + inner + ")" * depth


@pytest.mark.parametrize("depth", [250, 1000, 100_000])
def test_deep_brackets_are_read_as_words_with_a_notice(depth: int) -> None:
    compiled = compile_query(nested(depth))
    assert UNREADABLE_QUERY in compiled.notices


def test_brackets_within_the_bound_are_read_as_written() -> None:
    compiled = compile_query(nested(MAX_QUERY_DEPTH, "iran OR militia"))
    assert compiled.notices == []
    assert compiled.strict == compile_query("iran OR militia").strict


def test_a_long_chain_of_not_is_bounded_too() -> None:
    compiled = compile_query("NOT " * 400 + "iran")
    assert UNREADABLE_QUERY in compiled.notices


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["(", ")", "NOT ", "iran ", "OR ", "AND ", "title:x "]), max_size=600)
)
def test_any_nesting_is_read_without_an_error(parts: list[str]) -> None:
    compile_query("".join(parts))


def test_deep_queries_on_the_archive_find_the_words_with_the_local_notice(
    pair: tuple[Library, Library],
) -> None:
    local, arc = pair
    plain = arc.search("militia disarm")
    for depth in (250, 1000):
        deep = arc.search(nested(depth, "militia disarm"))
        assert UNREADABLE_QUERY in deep.notices
        assert [h.id for h in deep.hits] == [h.id for h in plain.hits]
    # The local search says the same when Whoosh cannot read a query.
    assert UNREADABLE_QUERY in local.search(nested(1000, "militia disarm")).notices
    huge = arc.search(nested(100_000, "militia disarm"))
    assert huge.total >= 0 and huge.notices
    assert arc.doc_count() == 32
