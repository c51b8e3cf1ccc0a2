"""The index words of both stores: Snowball English stems, and the rule the fast hit marks
rely on (a stem keeps its word's first letters, all but its last three at most)."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from briefreader.core.search import snippets
from briefreader.core.search.words import analysed_terms, index_word, stem, term_counts

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"

BASES = ["iran", "militia", "relat", "sensib", "organ", "pony", "happy", "troubl", "oper",
         "gener", "flex", "mobil", "capab", "condit", "activ", "sky", "dy", "ly", "ty", "id",
         "gent", "ug", "ear", "on", "sing", "news", "cri", "hop", "possib", "reason"]  # fmt: skip
ENDS = ["", "s", "es", "ies", "ied", "ed", "ing", "ational", "ization", "ibility", "iveness",
        "y", "ly", "ously", "ness", "ful", "fulness", "able", "ably", "ibly", "ator", "izer",
        "ement", "ence", "ity", "ive", "ative", "alize", "icate", "ical", "ement"]  # fmt: skip


def _real_words() -> set[str]:
    words: set[str] = set()
    for path in [*REPO.joinpath("corpus").rglob("*.txt"), *REPO.joinpath("corpus").rglob("*.md")]:
        words.update(re.findall(r"\w+", path.read_text("utf-8", "replace").lower()))
    for name in ("cranfield/cran.all.1400", "cisi/CISI.ALL"):
        if (SHARED / name).exists():
            words.update(re.findall(r"\w+", (SHARED / name).read_text("utf-8", "replace").lower()))
    return words


def test_a_stem_keeps_its_words_first_letters() -> None:
    words = _real_words() | {b + e for b in BASES for e in ENDS}
    assert len(words) > 2000
    broken = [w for w in words if not w.startswith(snippets._prefix(stem(w)))]
    assert not broken, broken[:20]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(BASES),
    st.sampled_from(ENDS),
    st.sampled_from(["", "the ", "İstanbul: ", "x. "]),
)
def test_marks_find_every_form_of_a_query_word(base: str, end: str, before: str) -> None:
    word = base + end
    text = f"{before}{word.capitalize()} and {word.upper()}."
    key = index_word(word)
    assume(key is not None)  # a stop word ("on", "only") is never marked
    assert key is not None
    fast = snippets.term_positions(text, frozenset({key}))
    assert fast == snippets._term_positions_slow(text, frozenset({key}))
    assert len(fast) == 2


def test_analysed_terms_and_term_counts_agree() -> None:
    text = "The militias' militia said: P.M.F. forces, Iran’s forces, İstanbul, a b cd."
    listed = list(analysed_terms(text))
    counts = term_counts(text)
    assert "the" not in listed and "a" not in listed and "militia" in listed
    assert "p.m.f" in listed
    assert sum(counts.values()) == len(listed)
    assert counts[stem("forces")] == 2


def test_a_question_of_stop_words_gets_no_spelling_suggestion(tmp_path: Path) -> None:
    """Each stop word was "corrected" against the whole lexicon (2.2 s at 10,000 briefs) and
    the question came back as nonsense ("a to last is said wo ..."): they are not misspelt."""
    import shutil

    from briefreader.core.glossary import Glossary
    from briefreader.core.library import Library

    shutil.copytree(REPO / "corpus", tmp_path / "corpus")
    lib = Library([tmp_path / "corpus"], tmp_path / "data", Glossary.load([]))
    try:
        lib.update()
        res = lib.search("a to most is and for of and the The")
        assert res.total == 0 and res.suggestion is None
        assert any("stop words" in n for n in res.notices)
        assert lib.search("milita").suggestion == "militia"  # a misspelling still is
    finally:
        lib.close()


@settings(max_examples=3000)
@given(st.text(alphabet="ab1_.é\u0660 -\n'", max_size=24))
def test_the_token_pattern_finds_the_spans_earlier_indexes_found(text: str) -> None:
    """Old and new segments must split a text alike: a search runs over both."""
    from briefreader.core.search.words import EARLIER_TOKENS, TOKEN

    assert len(EARLIER_TOKENS) == 2
    spans = [m.span() for m in TOKEN.finditer(text)]
    for pattern in EARLIER_TOKENS:
        assert [m.span() for m in re.compile(pattern, re.UNICODE).finditer(text)] == spans


def test_an_earlier_index_pattern_shares_the_tokens_read_for_the_fingerprint() -> None:
    """The writer of an index made before takes the tokens read ahead, not a second read."""
    from briefreader.core.index.textanalysis import TextAnalysis
    from briefreader.core.search.words import EARLIER_TOKENS, STOP_WORDS, stem

    def analysis(pattern: str, flags: int = re.UNICODE) -> TextAnalysis:
        return TextAnalysis(re.compile(pattern, flags), STOP_WORDS, 2, None, stem, frozenset())

    assert all(analysis(p).shared for p in EARLIER_TOKENS)
    assert not analysis(r"\w+").shared
    assert not analysis(r"\w+(?:\.\w+)*", re.UNICODE | re.IGNORECASE).shared
