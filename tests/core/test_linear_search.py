"""Hit positions, the matcher's stretches and candidate names stay linear in a brief.

A 2 MB brief of many actor mentions stalled the search for most of a minute (every mention
looked at for each word; the whole text handed to the matcher for each stretch read), a
run of 40,000 names never finished the candidate-names count. The tests count the work
done (how often the mentions are read, how many characters the matcher is handed) and
compare each fast path with the plain loop it replaced, on random input.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from workcount import (  # same folder: pytest puts it on the path
    CountedList,
)

from briefreader.core.index import make_schema
from briefreader.core.index.candidates import JOINERS, NAME_WORD, NamePieces
from briefreader.core.index.querying import ParsedQuery, QueryBuilder
from briefreader.core.index.snippets import SpanIndex, term_positions
from briefreader.core.match import Matcher, reading_start
from briefreader.core.records import Candidate
from briefreader.core.sentences import sentence_spans


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
    return sorted(set(out))  # a place marked once, however often it was found


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
    mentions = CountedList((16 * i, 16 * i + 3) for i in range(3000))
    parsed = ParsedQuery(
        "pmf baghdad", None, None, frozenset({"pmf", "baghdad"}), actors=frozenset({"pmf"})
    )
    CountedList.reads = 0
    spans = _builder(mentions).spans(text, parsed)
    assert len(spans) == 6000
    assert CountedList.reads <= 4 * len(mentions), CountedList.reads


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
    assert reading_start(found, at) == _unspanned_by_loop(found, at)


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


def _split_by_loop(run: str, blocked: list[tuple[int, int]]) -> list[tuple[int, tuple[str, ...]]]:
    """The pieces of a run the glossary does not name, one name checked at a time."""
    out: list[tuple[int, tuple[str, ...]]] = []
    words: list[tuple[int, str]] = []

    def flush() -> None:
        while words and words[-1][1].lower() in JOINERS:
            words.pop()
        if words:
            out.append((words[0][0], tuple(w for _s, w in words)))
        words.clear()

    for m in NAME_WORD.finditer(run):
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
    assert NamePieces(lambda _run: blocked)(run) == _split_by_loop(run, blocked)


def test_a_run_of_names_reads_each_name_a_few_times() -> None:
    """A run of "Erbil" 4,000 times, each word a glossary name: each word looked at every
    name (8 million reads; 400,000 words never finished indexing)."""
    run = " ".join(["Erbil"] * 4000)
    names = CountedList((6 * i, 6 * i + 5) for i in range(4000))
    CountedList.reads = 0
    assert NamePieces(lambda _run: names)(run) == []
    assert CountedList.reads <= 4 * len(names), CountedList.reads


#: The module, not the function the index package names after it.
candidates_module = sys.modules["briefreader.core.index.candidates"]


def _with_example_one_by_one(searcher: Any, t: Any) -> Candidate:
    """candidates._with_example as it was: each candidate's brief read and cut on its own."""
    stored = searcher.stored_fields(t.example_doc)
    if t.example_at == candidates_module._UNKNOWN:
        article = stored.get("article") or ""
        section = "article" if t.name in article else "comment"
        at = max(0, (stored.get(section) or "").find(t.name))
    elif t.example_at >= 0:
        section, at = "article", t.example_at
    else:
        section, at = "comment", -1 - t.example_at
    text = stored.get(section) or ""
    sentence = next(
        (text[a:b] for a, b in sentence_spans(text) if a <= at < b), text[at : at + len(t.name)]
    )
    return Candidate(t.name, t.briefs, t.mentions, str(stored.get("id", "")), sentence)


class _Stored:
    """A searcher's stored fields, counting the reads."""

    def __init__(self, docs: list[dict[str, str]]) -> None:
        self.docs = docs
        self.reads = 0

    def stored_fields(self, doc: int) -> dict[str, str]:
        self.reads += 1
        return self.docs[doc]


_SENTENCES = ["Kaveh Rad met them.", "The U.S. envoy left.", "Gen. Ali Zand said so!", "\n\n",
              "Yes. ", "  ", "Omar"]  # fmt: skip


@given(
    st.lists(st.lists(st.sampled_from(_SENTENCES), max_size=6), min_size=1, max_size=3),
    st.lists(st.tuples(st.integers(0, 2), st.integers(-40, 60), st.sampled_from(["Omar", "Rad"])),
             max_size=8),
)  # fmt: skip
@settings(max_examples=300, deadline=None)
def test_each_candidates_example_sentence_is_the_one_it_was(
    texts: list[list[str]], asked: list[tuple[int, int, str]]
) -> None:
    docs = [
        {"id": f"b{i}", "article": " ".join(t), "comment": "Omar Rad. " + " ".join(t[::-1])}
        for i, t in enumerate(texts)
    ]
    found = []
    for doc, at, name in asked:
        doc %= len(docs)
        tally = candidates_module._Tally(name, briefs=1, mentions=1, example_doc=doc)
        tally.example_at = candidates_module._UNKNOWN if at == -40 else at
        found.append(tally)
    searcher = _Stored(docs)
    expected = [_with_example_one_by_one(searcher, t) for t in found]
    assert candidates_module._with_examples(searcher, found) == expected


def test_a_brief_giving_many_candidates_their_example_is_read_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """2,000 candidates first named in one 2 MB brief: each read the brief's stored fields
    again and cut all of it into sentences (37 s)."""
    cuts = []

    def counted(text: str) -> list[tuple[int, int]]:
        cuts.append(len(text))
        return sentence_spans(text)

    monkeypatch.setattr(candidates_module, "sentence_spans", counted)
    text = "".join(f"Yesterday the council met Name{i} in the north. " for i in range(2000))
    searcher = _Stored([{"id": "big", "article": text, "comment": ""}])
    found = []
    for i in range(2000):
        tally = candidates_module._Tally(f"Name{i}", briefs=1, mentions=1, example_doc=0)
        tally.example_at = text.index(f"Name{i} ")
        found.append(tally)
    out = candidates_module._with_examples(searcher, found)
    assert [c.example for c in out[:2]] == [
        "Yesterday the council met Name0 in the north.",
        "Yesterday the council met Name1 in the north.",
    ]
    assert searcher.reads == 1 and len(cuts) == 1
