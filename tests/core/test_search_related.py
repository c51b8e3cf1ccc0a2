"""Related briefs' shared part (core.search.related): the key words by Bo1, weighted and
normalised as Whoosh's Bo1 expansion weighs them, and the likeness query's make-up."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh.classify import Bo1Model

from briefreader.core.search.related import (
    ACTOR_WEIGHT,
    COMMENT_SHARE,
    KEY_WORD_CANDIDATES,
    RelatedTerm,
    key_word_candidates,
    key_words,
    related_terms,
)


def _frequencies(cf: dict[str, float]):  # type: ignore[no-untyped-def]
    asked: list[list[str]] = []

    def look_up(words: list[str]) -> list[float]:
        asked.append(list(words))
        return [cf.get(w, 0.0) for w in words]

    return look_up, asked


def test_key_words_are_whooshs_bo1_weights_normalised_as_whoosh_does() -> None:
    counts = {"iran": 5.0, "militia": 2.0, "said": 6.0, "drone": 1.0, "nowher": 3.0}
    cf = {"iran": 90.0, "militia": 4.0, "said": 400.0, "drone": 2.0}  # nowher: no article has it
    n = 100
    look_up, _asked = _frequencies(cf)
    got = key_words(counts, look_up, n, number=3)

    model = Bo1Model.__new__(Bo1Model)
    model.N = n
    scores = {w: model.score(counts[w], cf[w], 0) for w in cf}
    norm = model.normalizer(max(scores.values()), 0)
    want = sorted(((w, s / norm) for w, s in scores.items()), key=lambda ws: (-ws[1], ws[0]))
    assert [w for w, _ in got] == [w for w, _ in want[:3]]
    assert [x for _, x in got] == pytest.approx([x for _, x in want[:3]])
    assert "nowher" not in dict(key_words(counts, look_up, n, number=10))


def test_a_rare_word_outweighs_a_more_frequent_common_one() -> None:
    look_up, _ = _frequencies({"said": 500.0, "militia": 3.0})
    got = key_words({"said": 8.0, "militia": 2.0}, look_up, 100)
    assert [w for w, _ in got] == ["militia", "said"]
    assert got[0][1] > got[1][1] > 0


def test_only_the_most_frequent_candidates_are_looked_up() -> None:
    counts = {f"w{i:04d}": float(1 + i % 7) for i in range(KEY_WORD_CANDIDATES * 3)}
    look_up, asked = _frequencies({w: 10.0 for w in counts})
    key_words(counts, look_up, 1000)
    assert len(asked) == 1 and asked[0] == key_word_candidates(counts)
    assert len(asked[0]) == KEY_WORD_CANDIDATES
    # The most frequent first; among equals the longer word, then the word.
    assert key_word_candidates({"ab": 2.0, "abc": 2.0, "zz": 2.0, "x": 3.0}) == [
        "x", "abc", "ab", "zz"
    ]  # fmt: skip


def test_no_words_no_frequencies_no_key_words() -> None:
    look_up, asked = _frequencies({})
    assert key_words({}, look_up, 10) == []
    assert asked == []
    assert key_words({"iran": 3.0}, look_up, 10) == []


@given(
    st.dictionaries(st.text("abcdef", min_size=1, max_size=5), st.integers(1, 50), max_size=40),
    st.integers(1, 10_000),
)
def test_weights_are_finite_positive_and_best_first(counts: dict[str, int], n: int) -> None:
    cf = {w: float(1 + (len(w) * 37 + c) % 200) for w, c in counts.items()}
    got = key_words({w: float(c) for w, c in counts.items()}, lambda ws: [cf[w] for w in ws], n)
    weights = [x for _w, x in got]
    assert all(math.isfinite(x) and x > 0 for x in weights)
    assert weights == sorted(weights, reverse=True)


def test_the_related_query_asks_article_comment_and_actors() -> None:
    terms = related_terms([("iran", 1.0), ("militia", 0.5)], ["pmf", "", "iran"])
    assert terms == [
        RelatedTerm("article", "iran", 1.0),
        RelatedTerm("comment", "iran", COMMENT_SHARE),
        RelatedTerm("article", "militia", 0.5),
        RelatedTerm("comment", "militia", 0.5 * COMMENT_SHARE),
        RelatedTerm("actors", "pmf", ACTOR_WEIGHT),
        RelatedTerm("actors", "iran", ACTOR_WEIGHT),
    ]
    assert not any(t.field == "title" for t in terms)
