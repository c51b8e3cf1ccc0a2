"""The archive's hit marks: the fast path (only tokens that can stem to a query word are
stemmed) finds exactly what stemming every token finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from briefreader.core.archive import analysis
from briefreader.core.search import snippets

BASES = ["iran", "militia", "relat", "sensib", "organ", "pony", "happy", "troubl", "oper",
         "P.M.F", "US", "dying", "Ab", "x", "İstanbul", "straße", "café", "1990"]  # fmt: skip
ENDS = ["", "s", "es", "ies", "ed", "ing", "ational", "ization", "ibility", "iveness", "y",
        "ly", "'s", "’s", ".", "ness", "ful"]  # fmt: skip
SEPS = [" ", ", ", ". ", "-", "\n\n", ".", "_", "(", ") "]

words = st.builds(lambda b, e: b + e, st.sampled_from(BASES), st.sampled_from(ENDS))
texts = st.lists(st.tuples(words, st.sampled_from(SEPS)), max_size=40).map(
    lambda parts: "".join(w + s for w, s in parts)
)


@settings(max_examples=300, deadline=None)
@given(texts, st.lists(words, min_size=1, max_size=4), st.booleans())
def test_fast_marks_equal_every_token_stemmed(text: str, query: list[str], prefix: bool) -> None:
    stems = [s for s in (analysis.stem(w.lower()) for w in query) if s]
    terms = frozenset(stems)
    prefixes = tuple(s[:3] for s in stems) if prefix else ()
    fast = list(analysis.spans(text, terms, prefixes))
    every = snippets._term_positions_slow(text, terms, prefixes)
    assert fast == every
