"""Every stage from a brief to its marks stays linear in its input.

Long briefs (2 MB, hundreds of thousands of actor mentions) once stalled the search, the
reading pane and the candidate-names count for minutes: loops that looked at every mention
for each word, or handed the whole text to the matcher for every stretch read. These tests
count the work done (never a time): how often the mentions are read, how many characters
the matcher is handed; and compare each fast path with the plain loop it replaced, on
random input.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from briefreader.core.index import make_schema
from briefreader.core.index.candidates import _JOINERS, _NAME_WORD, _Pieces
from briefreader.core.index.querying import ParsedQuery, QueryBuilder
from briefreader.core.index.snippets import SpanIndex, term_positions
from briefreader.core.match import Matcher, _unspanned

# -- hit positions ---------------------------------------------------------------------------


def _meets_by_loop(spans: list[tuple[int, int]], a: int, b: int) -> bool:
    """The rule hit positions used, one span at a time."""
    return any(ma <= a and b <= mb or a < mb and ma < b for ma, mb in spans)


_span = st.tuples(st.integers(0, 60), st.integers(0, 12)).map(lambda t: (t[0], t[0] + t[1]))


@given(st.lists(_span, max_size=30), st.lists(_span, max_size=30))
@settings(max_examples=400, deadline=None)
def test_a_span_index_answers_as_the_loop_over_every_span(
    spans: list[tuple[int, int]], asked: list[tuple[int, int]]
) -> None:
    index = SpanIndex(spans)
    for a, b in asked:
        assert index.meets(a, b) == _meets_by_loop(spans, a, b), (spans, a, b)


def _spans_by_loop(
    words: list[tuple[int, int]], mentions: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    out = list(mentions)
    for a, b in words:
        if not _meets_by_loop(mentions, a, b):
            out.append((a, b))
    return sorted(out)


class _CountedList(list[tuple[int, int]]):
    """A list that counts the items read from it by iteration."""

    reads = 0

    def __iter__(self) -> Iterator[tuple[int, int]]:
        for item in super().__iter__():
            _CountedList.reads += 1
            yield item


def _builder(mentions: list[tuple[int, int]]) -> QueryBuilder:
    return QueryBuilder(make_schema(), lambda _name: None, lambda _text, _ids: mentions)


_WORDS = ["pmf", "baghdad", "the", "forces", "said", "PMF", "Baghdad"]


@given(
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=40),
    st.lists(_span, max_size=12),
)
@settings(max_examples=200, deadline=None)
def test_hit_positions_keep_a_mention_whole_as_before(
    words: list[str], mentions: list[tuple[int, int]]
) -> None:
    text = " ".join(words)
    terms = frozenset({"pmf", "baghdad"})
    parsed = ParsedQuery("pmf baghdad", None, None, terms, actors=frozenset({"pmf"}))
    found = _builder(mentions).spans(text, parsed)
    expected = _spans_by_loop(term_positions(text, terms), mentions) if mentions else None
    assert found == (expected if mentions else term_positions(text, terms))


def test_hit_positions_read_each_mention_a_few_times_however_many_words() -> None:
    """A brief naming the PMF 3,000 times between 3,000 Baghdads: each mention was compared
    with each word (millions of reads); now the mentions are read a few times in all."""
    text = "PMF in Baghdad. " * 3000
    mentions = _CountedList((16 * i, 16 * i + 3) for i in range(3000))
    parsed = ParsedQuery(
        "pmf baghdad", None, None, frozenset({"pmf", "baghdad"}), actors=frozenset({"pmf"})
    )
    _CountedList.reads = 0
    spans = _builder(mentions).spans(text, parsed)
    assert len(spans) == 6000
    assert _CountedList.reads <= 4 * len(mentions), _CountedList.reads


# -- the matcher's stretches -----------------------------------------------------------------


def _unspanned_by_loop(found: list[tuple[int, int, str, int, int]], at: int) -> int:
    """The rule spans_of used: move back while a name spans the place."""
    begin = at
    moved = True
    while moved:
        moved = False
        for r in found:
            if r[3] < begin < r[4]:
                begin, moved = r[3], True
    return begin


@given(st.lists(_span.filter(lambda s: s[1] > s[0]), max_size=25), st.integers(0, 75))
@settings(max_examples=400, deadline=None)
def test_the_place_a_reading_starts_from_is_found_as_before(
    names: list[tuple[int, int]], at: int
) -> None:
    found = [(a, -b, "x", a, b) for a, b in names]
    assert _unspanned(found, at) == _unspanned_by_loop(found, at)


class _CountingAutomaton:
    """Hands every call on to a real automaton, counting the characters it is given."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.chars = 0

    def iter(self, text: str, *args: int) -> Any:
        self.chars += len(text)
        return self.real.iter(text, *args)


def test_the_matcher_reads_stretches_of_a_long_text_without_handing_it_all_over() -> None:
    """The asked actor named once every 400 characters of a 200,000-character text: 500
    stretches, each read with the whole glossary. pyahocorasick converts the whole string
    it is given at every call, so the text was handed over 500 times."""
    entries = [("Popular Mobilization Forces", "pmf", False), ("PMF", "pmf", True)]
    entries += [(f"Brigade {n}", f"b{n}", False) for n in range(50)]
    whole = Matcher(entries)
    own = Matcher(e for e in entries if e[1] == "pmf")
    filler = "the talks went on and on without any agreement from either side "
    text = "".join(f"PMF {filler * 6}Brigade {i % 50} said. " for i in range(500))
    counting = _CountingAutomaton(whole._automaton)
    whole._automaton = counting
    spans = whole.spans_of(text, frozenset({"pmf"}), own)
    assert len(spans) == 500
    assert spans == [(m.start, m.end) for m in Matcher(entries).find(text) if m.actor_id == "pmf"]
    assert counting.chars <= 2 * len(text), counting.chars / len(text)


# -- candidate names -------------------------------------------------------------------------


def _split_by_loop(run: str, blocked: list[tuple[int, int]]) -> list[tuple[int, tuple[str, ...]]]:
    """The pieces of a run the glossary does not name, one name checked at a time."""
    out: list[tuple[int, tuple[str, ...]]] = []
    words: list[tuple[int, str]] = []

    def flush() -> None:
        while words and words[-1][1].lower() in _JOINERS:
            words.pop()
        if words:
            out.append((words[0][0], tuple(w for _s, w in words)))
        words.clear()

    for m in _NAME_WORD.finditer(run):
        s, e, w = m.start(), m.end(), m.group()
        if any(bs < e and be > s for bs, be in blocked):
            flush()
            continue
        if not words and not w[:1].isupper():
            continue
        words.append((s, w))
    flush()
    return out


_RUN_WORDS = ["Erbil", "Kirkuk", "of", "al-Sadr", "Abu", "P.M.F.", "the", "Mosul", "al"]


@given(
    st.lists(st.sampled_from(_RUN_WORDS), min_size=1, max_size=30),
    st.lists(_span.filter(lambda s: s[1] > s[0]), max_size=8),
)
@settings(max_examples=300, deadline=None)
def test_a_runs_pieces_are_cut_where_they_were(
    words: list[str], blocked: list[tuple[int, int]]
) -> None:
    run = " ".join(words)
    assert _Pieces(lambda _run: blocked)(run) == _split_by_loop(run, blocked)


def test_a_run_of_names_reads_each_name_a_few_times() -> None:
    """A run of "Erbil" 4,000 times, each word a glossary name: each word looked at every
    name (8 million reads; 400,000 words never finished indexing)."""
    run = " ".join(["Erbil"] * 4000)
    names = _CountedList((6 * i, 6 * i + 5) for i in range(4000))
    _CountedList.reads = 0
    assert _Pieces(lambda _run: names)(run) == []
    assert _CountedList.reads <= 4 * len(names), _CountedList.reads
