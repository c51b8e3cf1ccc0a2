"""Questions that must not come back empty, on both backends alike: a question in capitals,
a word no brief has beside an operator, stop words (the local index and a team archive read
them with the same rules, from core/querytext.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefreader.core.library import Library

CAPITALS = "I WOULD BE INTERESTED IN MILITIAS AND WHY THEY DISARM"

#: Their totals (both tiers), notices and first pages must agree between the backends.
QUESTIONS = [
    CAPITALS, CAPITALS.lower(), "Iraq militia Baghdad zzzz AND Tehran",
    "militia disarm OR Tehran protest", "(militia disarm) AND (Iran OR Tehran)",
    "Iran Iraq AND NOT Syria", "militia AND the", "(the militia) AND (why they)",
    "militia NOT the", "the", "TO BE OR NOT TO BE", "IRAN AND IRAQ", "x (militia disarm AND Iran)",
    "Why do militias disarm?", "WHO ARMS THE MILITIAS (PMF) AND WHY?", "Sulei?ani",
    "militia militia disarm", "?", "al-Sadr pro-Iran militias",
]  # fmt: skip


def test_both_backends_read_the_questions_alike(pair: tuple[Library, Library]) -> None:
    local, arc = pair
    for question in QUESTIONS:
        a, b = local.search(question, limit=100), arc.search(question, limit=100)
        assert (a.total, a.total_all_words) == (b.total, b.total_all_words), question
        assert a.notices == b.notices, question
        # The same briefs in each tier (the order within a tier may differ by rounding).
        for tier in (1, 2):
            assert {h.id for h in a.hits if h.tier == tier} == {
                h.id for h in b.hits if h.tier == tier
            }, question


def test_a_question_in_capitals_finds_what_the_lower_case_one_finds(backend: Library) -> None:
    shouted = backend.search(CAPITALS, limit=100)
    plain = backend.search(CAPITALS.lower(), limit=100)
    assert plain.total == 8
    assert {h.id for h in shouted.hits} == {h.id for h in plain.hits}
    assert any("between words in capitals" in n for n in shouted.notices)


def test_a_word_no_brief_has_empties_nothing_beside_an_operator(backend: Library) -> None:
    res = backend.search("Iraq militia Baghdad zzzz AND Tehran", limit=100)
    assert res.total > 0 and res.total_all_words == 0
    assert any("some of the words of each group" in n for n in res.notices)
    tehran = {h.id for h in backend.search("Tehran", limit=100).hits}
    assert {h.id for h in res.hits} <= tehran


def test_each_side_of_an_operator_keeps_its_tiers(backend: Library) -> None:
    res = backend.search("militia disarm OR Tehran protest", limit=100)
    both = backend.search("(militia AND disarm) OR (Tehran AND protest)", limit=100)
    assert res.total_all_words == both.total == both.total_all_words
    assert res.total > res.total_all_words
    assert [h.tier for h in res.hits] == sorted(h.tier for h in res.hits)


@pytest.mark.parametrize(
    "typed", ["militia AND the", "(the militia) AND (why they)", "the OR militia"]
)
def test_a_stop_word_operand_drops_out(backend: Library, typed: str) -> None:
    assert backend.search(typed).total == backend.search("militia").total


@pytest.mark.parametrize("typed", ["the", "TO BE OR NOT TO BE", "(the OR a)"])
def test_a_question_of_stop_words_says_why_it_found_nothing(backend: Library, typed: str) -> None:
    res = backend.search(typed)
    assert res.total == 0
    assert any("stop word" in n for n in res.notices), res.notices


def test_a_repeated_word_decides_the_order_on_both_backends(
    archive_url: str, tmp_path: Path
) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.md").write_text("# Beta note\n\nThe beta report.\n", "utf-8")
    (corpus / "b.md").write_text("# Gamma note\n\nThe gamma report.\n", "utf-8")
    (corpus / "c.md").write_text("# Other note\n\nNothing else report.\n", "utf-8")
    local = Library.open([corpus], data_dir=tmp_path / "local")
    arc = Library.open_archive(archive_url, [corpus], data_dir=tmp_path / "arc")
    try:
        for lib in (local, arc):
            lib.update()
            assert [h.id for h in lib.search("gamma beta beta").hits] == ["a.md", "b.md"]
            assert [h.id for h in lib.search("beta gamma gamma").hits] == ["b.md", "a.md"]
    finally:
        local.close()
        arc.close()
