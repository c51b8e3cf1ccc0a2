"""The other fields' analysis done by the segment writer itself (textanalysis.simple_index):
for every value, exactly what Whoosh's own ``field.index`` gives, and nothing taken over for
a field of any other shape."""

from __future__ import annotations

import array
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import fields
from whoosh.analysis import IDTokenizer, LowercaseFilter, RegexTokenizer, StemmingAnalyzer

from briefreader.core.index import textanalysis
from briefreader.core.index.schema import analyzer, make_schema
from briefreader.core.index.textanalysis import TextAnalysis, simple_index

#: Fields of the two shapes taken over, as the schema and other schemas may declare them.
TAKEN = {
    "id": fields.ID(stored=True),
    "id_boosted": fields.ID(field_boost=2.5),
    "id_lower": fields.ID(analyzer=IDTokenizer() | LowercaseFilter()),
    "commas": fields.KEYWORD(commas=True),
    "commas_lower": fields.KEYWORD(commas=True, lowercase=True, scorable=True, field_boost=1.5),
    **{name: make_schema()[name] for name in ("key", "id", "actors", "source", "tags")},
}

#: Values as the index is given them: names and keys with commas, spaces around and between
#: them, empty parts, repeats, capitals and letters whose lower case is longer.
VALUES = st.text(alphabet="Aa ,\t\n\u0130\u00df\u03a3b,", max_size=30) | st.lists(
    st.sampled_from(["PMF", "pmf", " Iran ", "", "Kata'ib Hezbollah", "x:0a"]), max_size=6
).map(",".join)


@settings(max_examples=400)
@given(VALUES)
def test_each_taken_field_gives_what_whoosh_gives(value: str) -> None:
    for name, field in TAKEN.items():
        fast = simple_index(field)
        assert fast is not None, name
        assert fast(value) == list(field.index(value)), (name, value)


def test_other_shapes_are_left_to_whoosh() -> None:
    others = [
        fields.KEYWORD(),  # space separated
        fields.ID(analyzer=RegexTokenizer()),
        fields.TEXT(analyzer=StemmingAnalyzer()),
        fields.NUMERIC(),
        fields.DATETIME(),
        fields.BOOLEAN(),
        fields.KEYWORD(commas=True, scorable=True, vector=True),
    ]
    others[-1].format = fields.formats.Positions()  # a format of another kind
    for field in others:
        assert simple_index(field) is None, field


def test_the_schemas_plain_fields_are_all_taken() -> None:
    """Every ID and comma KEYWORD field of the index goes the quick way (a schema change
    that made one fall back would cost the writer again without a word)."""
    schema = make_schema()
    plain = [n for n in schema.names() if type(schema[n]) in (fields.ID, fields.KEYWORD)]
    assert len(plain) >= 8
    assert all(simple_index(schema[n]) is not None for n in plain)


def test_a_full_token_cache_is_emptied_without_losing_a_texts_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past its size the token cache is emptied; a text mixing tokens met before with new
    ones (any long build's next brief) must still be analysed whole, each word keeping its
    number. Emptying it before learning only the new tokens raised KeyError there: the
    brief, then its worker's whole segment, failed."""
    rng = random.Random(7)
    vocabulary = [f"word{n}" for n in range(60)] + ["The", "Iran", "P.M.F", "and"]
    texts = [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 25))) for _ in range(80)]
    roomy = TextAnalysis.of_analyzer(analyzer())
    assert roomy is not None
    want = [roomy.words(text) for text in texts]
    monkeypatch.setattr(textanalysis, "_TOKEN_CACHE", 8)
    tight = TextAnalysis.of_analyzer(analyzer())
    assert tight is not None
    got = [tight.words(text) for text in texts]

    def words_only(found: list[Any]) -> list[Any]:
        return [(first, [(w, iw) for w, iw, _n, _wn in kept]) for first, kept in found]

    assert words_only(got) == words_only(want)
    # Each number still names its word (numbers are the writer's postings' keys).
    for _first, kept in got:
        for word, index_word, number, word_number in kept:
            assert tight.stems[number] == index_word
            assert tight.words_by_number[word_number] == word
    assert len(tight.cache) < len(roomy.cache)  # it was emptied along the way


@settings(max_examples=200)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 70_000), st.integers(1, 40)), max_size=12)
)
def test_token_runs_give_each_tokens_document_and_position(
    runs: list[tuple[int, int, int]],
) -> None:
    """A text's tokens are kept as a run (document, first position, count): the arrays made
    of the runs at the commit are those a token at a time would have been."""
    analysis = TextAnalysis.of_analyzer(analyzer())
    assert analysis is not None
    tokens = textanalysis.TextTokens(analysis)
    want: list[tuple[int, int, int]] = []
    doc = 0
    for step, first, count in runs:
        doc += step
        numbers = array.array("i", random.sample(range(1000), count))
        tokens.add(doc, first, numbers)
        want.extend((n, doc, first + i) for i, n in enumerate(numbers))
    tid, docs, pos = tokens.arrays()
    assert {a.dtype.name for a in (tid, docs, pos)} == {"int32"}
    assert list(zip(tid.tolist(), docs.tolist(), pos.tolist(), strict=True)) == want
