"""The local index and the team archive show the same snippets: one routine chooses the
passage (core/search/snippets), each store only says where its text matches the query."""

from __future__ import annotations

import pytest

from briefreader.core.library import Library

QUERIES = [
    "militia",
    "Iran sanctions",
    "PMF",
    "Popular Mobilization Forces",
    '"oil exports"',
    "comment:election",
    "title:Iraq",
    "drone attack",
    "Hezbollah OR Houthis",
    "protests -Baghdad",
    "actor:IRGC",
    "government formation talks parliament",
]


def _page(lib: Library, text: str) -> list[tuple[str, object]]:
    res = lib.search(text, limit=20)
    return [(h.id, h.snippet) for h in res.hits]


@pytest.mark.parametrize("text", QUERIES)
def test_the_same_hits_have_the_same_snippets(pair: tuple[Library, Library], text: str) -> None:
    local, archive = pair
    mine, theirs = dict(_page(local, text)), dict(_page(archive, text))
    shared = set(mine) & set(theirs)
    assert shared or not (mine or theirs), f"{text!r}: no hit in common"
    assert all(mine[i] is not None for i in shared)
    differ = {i: (mine[i], theirs[i]) for i in shared if mine[i] != theirs[i]}
    assert not differ, f"{text!r}: {len(differ)} of {len(shared)} snippets differ: {differ}"


def test_related_briefs_show_the_same_opening_words(pair: tuple[Library, Library]) -> None:
    local, archive = pair
    first = local.search("militia", limit=1).hits[0].id
    mine = {h.id: h.snippet for h in local.related(first, limit=5)}
    theirs = {h.id: h.snippet for h in archive.related(first, limit=5)}
    shared = set(mine) & set(theirs)
    assert shared
    assert all(mine[i] == theirs[i] and mine[i] is not None for i in shared)
