"""Every stage from a brief to its marks stays linear in its input.

Long briefs (2 MB, hundreds of thousands of actor mentions) once stalled the search, the
reading pane and the candidate-names count for minutes: loops that looked at every mention
for each word, or handed the whole text to the matcher for every stretch read. These tests
count the work done (never a time): how often the mentions are read, how many characters
the matcher is handed; and compare each fast path with the plain loop it replaced, on
random input.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import briefreader
from briefreader.core import glossary_file, parse, render_marks
from briefreader.core.glossary import Glossary
from briefreader.core.index import make_schema
from briefreader.core.index.candidates import JOINERS, NAME_WORD, NamePieces
from briefreader.core.index.querying import ParsedQuery, QueryBuilder
from briefreader.core.index.snippets import SpanIndex, term_positions
from briefreader.core.match import Matcher, reading_start
from briefreader.core.records import Candidate
from briefreader.core.render import PLAIN_NOTICE, complexity, render_section
from briefreader.core.render_marks import Lines
from briefreader.core.sentences import sentence_spans

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


# -- candidate names -------------------------------------------------------------------------


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
    names = _CountedList((6 * i, 6 * i + 5) for i in range(4000))
    _CountedList.reads = 0
    assert NamePieces(lambda _run: names)(run) == []
    assert _CountedList.reads <= 4 * len(names), _CountedList.reads


# -- glossary files --------------------------------------------------------------------------


def _find_line_by_loop(
    lines: list[str], start: int, end: int, needles: list[str], default: int | None
) -> int | None:
    """The rule glossary files were read by: every line, every needle's pattern."""
    patterns = []
    for needle in needles:
        if re.fullmatch(r"[A-Za-z0-9_-]+", needle):
            patterns.append(re.compile(rf"^\s*(?:{re.escape(needle)}\s*=|\[+\s*{needle}\b)"))
        else:
            patterns.append(re.compile(re.escape(needle)))
    for i in range(start, min(end, len(lines))):
        if any(p.search(lines[i]) for p in patterns):
            return i + 1
    return default


class _LineFinderByLoop:
    """glossary_file._LineFinder's answers, found the old way."""

    def __init__(self, lines: list[str], start: int, end: int, needles: Iterable[str]) -> None:
        self.where = (lines, start, end)
        self.needles = set(needles)

    def asked(self, needles: Iterable[str]) -> bool:
        return self.needles.issuperset(needles)

    def first(self, needles: Iterable[str], default: int | None) -> int | None:
        return _find_line_by_loop(*self.where, list(needles), default)


_TOML_LINES = [
    "[[actor]]",
    "  [[ actor ]]",
    "[actor-x]",
    "[actors]",
    "[ name.x ]",
    'name = "Iran"',
    'name = "Iraq"',
    "name = 'Persia'",
    'aliases = ["Persia", "Iran", "H"]',
    "aliases = [",
    '  "Persia",',
    "  'Iraq',",
    '  "Tehran", "Iran",',
    '  "H",',
    '  "",',
    "  4,",
    "]",
    'kind = "militia"',
    "kind = 3",
    "  kind= 3",
    'alias = "x"',
    "names = 1",
    "name-x = 1",
    '"quoted key" = 1',
    "description = 4",
    'match_case = "yes"',
    "version = 2",
    '"" = 1',
    "# aliases = and name = in a comment",
]


@given(st.lists(st.sampled_from(_TOML_LINES), max_size=25))
@settings(max_examples=300, deadline=None)
def test_a_glossarys_problems_are_placed_on_the_lines_they_were(
    tmp_path_factory: Any, picked: list[str]
) -> None:
    path = tmp_path_factory.mktemp("g") / "g.toml"
    path.write_text("\n".join(picked) + "\n", "utf-8")
    found = Glossary.load([path]).problems
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(glossary_file, "_LineFinder", _LineFinderByLoop)
        expected = Glossary.load([path]).problems
    assert found == expected


@given(
    st.lists(st.sampled_from(_TOML_LINES + ["x-y = 1", "[a-b-c]", "[[a-]]"]), max_size=20),
    st.lists(
        st.sampled_from(
            [
                "name",
                "aliases",
                "actor",
                "a",
                "a-",
                "a-b",
                "x-y",
                '"Iran"',
                "'Iraq'",
                "quoted key",
                "",
                "Ira",
                '"H",',
                "e]",
            ]
        ),
        max_size=6,
    ),
    st.integers(0, 6),
    st.integers(0, 25),
)
@settings(max_examples=400, deadline=None)
def test_a_line_finder_answers_as_the_search_per_needle(
    lines: list[str], needles: list[str], start: int, end: int
) -> None:
    finder = glossary_file._LineFinder(lines, start, end, needles)
    for needle in needles:
        assert finder.first([needle], -1) == _find_line_by_loop(lines, start, end, [needle], -1)
    assert finder.first(needles, None) == _find_line_by_loop(lines, start, end, needles, None)


def _lines_run(work: Callable[[], object]) -> int:
    """How many lines of Python the app (and Python-Markdown) runs for ``work``: a count
    of the work done that does not move with the machine's load."""
    roots = (str(Path(briefreader.__file__).parent), str(Path(markdown.__file__).parent))
    count = 0

    def local(_frame: Any, event: str, _arg: Any) -> Any:
        nonlocal count
        count += event == "line"
        return local

    def enter(frame: Any, _event: str, _arg: Any) -> Any:
        return local if frame.f_code.co_filename.startswith(roots) else None

    sys.settrace(enter)
    try:
        work()
    finally:
        sys.settrace(None)
    return count


def _grows_linearly(make: Callable[[int], Callable[[], object]], n: int) -> float:
    """The work for 2n over the work for n (2 when linear, 4 when quadratic)."""
    return _lines_run(make(2 * n)) / _lines_run(make(n))


def _glossary_of(tmp: Path, text: str) -> Callable[[], object]:
    path = tmp / f"g{len(text)}.toml"
    path.write_text(text, "utf-8")
    return lambda: Glossary.load([path])


def test_loading_a_glossary_grows_with_its_aliases(tmp_path: Path) -> None:
    """An actor with 50,000 aliases took 32 s to load: each alias's line was searched for
    from the aliases' first line (a pass over the entry per alias)."""

    def one_a_line(n: int) -> Callable[[], object]:
        aliases = "".join(f'  "Alias Number {i}",\n' for i in range(n))
        return _glossary_of(tmp_path, f'[[actor]]\nname = "Big"\naliases = [\n{aliases}]\n')

    assert _grows_linearly(one_a_line, 400) < 2.4


def test_unknown_keys_are_placed_in_one_pass(tmp_path: Path) -> None:
    """Each unknown key, at the top or in an entry, was searched for from its start."""

    def top(n: int) -> Callable[[], object]:
        keys = "".join(f"key{i} = {i}\n" for i in range(n))
        return _glossary_of(tmp_path, keys + '[[actor]]\nname = "Big"\n')

    def fields(n: int) -> Callable[[], object]:
        keys = "".join(f"field{i} = {i}\n" for i in range(n))
        return _glossary_of(tmp_path, '[[actor]]\nname = "Big"\n' + keys)

    assert _grows_linearly(top, 400) < 2.4
    assert _grows_linearly(fields, 400) < 2.4


# -- rendering -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Mention:
    actor_id: str
    start: int
    end: int


_PMF = [_Mention("pmf", 0, 3)]


def test_marks_take_the_plain_text_path_when_the_markdown_is_too_deep() -> None:
    """With one actor mention, 1,000 nested list levels raised RecursionError after 6 s:
    the marked path skipped the guard that sends such a text to plain text."""
    nested = "PMF said.\n\n" + "".join("  " * i + "- item\n" for i in range(1000))
    out = render_section(nested, 0, _PMF, [], None)
    assert PLAIN_NOTICE in out
    assert 'data-actor="pmf"' in out and ">PMF</span>" in out


def test_marks_take_the_plain_text_path_when_the_markdown_is_too_complex() -> None:
    """With one actor mention, 12,000 "![" took 44 s."""
    out = render_section("PMF " + "![" * 12_000, 0, _PMF, [(0, 3)], None)
    assert PLAIN_NOTICE in out
    assert '<mark class="hit">PMF</mark>' in out


_TEXTS = {
    "headings": "# a\n" * 3000,
    "rules": "***\n" * 3000,
    "underlines": "a\n===\n" * 2000,
    "definitions": "a\n: b\n" * 2000,
    "line breaks": "a  \n" * 40_000,
    "emphasis": "*a* " * 40_000,
    "inline tags": "<b>a</b> " * 20_000,
    "unclosed tags": "<a x\n\n" * 2000,
    "unclosed cdata": "<![CDATA[ a\n" * 300,
    "nested html": "<div>" * 3000 + "a" + "</div>" * 3000,
    "raw html": "<div>\na\n</div>\n\n" * 6000,
    "footnotes": "".join(f"[^{i}]: note\n\nword[^{i}] x\n\n" for i in range(3000)),
    "abbreviations": "*[A]: b\n\n" + "word A x\n\n" * 6000,
    "fences": "~~~\nx\n~~~\n\n" * 12_000,
    "paragraphs": "a\n\n" * 25_000,
}


def test_each_slow_kind_of_markdown_is_shown_as_plain_text_marks_or_not() -> None:
    """Each of these took Python-Markdown seconds to minutes at a few hundred kilobytes
    (its work grows with the square of their count); each is now seen before it starts,
    and the same decision is taken with marks and without."""
    for kind, body in _TEXTS.items():
        text = "PMF\n\n" + body
        assert complexity(text) is not None, kind
        assert PLAIN_NOTICE in render_section(text, 0, _PMF, [], None), kind
        assert PLAIN_NOTICE in render_section(text, 0, [], [], None), kind


def test_the_sample_corpus_and_a_long_ordinary_brief_keep_their_formatting() -> None:
    from briefreader import paths
    from briefreader.core.parse import iter_brief_files, parse_file

    root = paths.sample_corpus_dir()
    articles = [parse_file(p, root).article for p in sorted(iter_brief_files(root))]
    assert articles and all(complexity(a) is None for a in articles)
    long = "\n\n".join(articles * (2_000_000 // sum(map(len, articles)) + 1))
    assert len(long) > 2_000_000 and complexity(long) is None


def test_rendering_a_too_complex_text_with_marks_grows_with_the_text() -> None:
    """The marked path ran Python-Markdown on it: the work grew with the square."""

    def bangs(n: int) -> Callable[[], object]:
        return lambda: render_section("PMF " + "![" * n, 0, _PMF, [], None)

    assert _grows_linearly(bangs, 600) < 2.5


_SYNTAX_LINE = re.compile(r"[ \t]*(?:(?:`{3,}|~{3,})[^\n]*|(?:[-*_=][ \t]*){3,})")


@given(st.text(alphabet=" \t\n-*_=`~ab#>", max_size=40))
@settings(max_examples=400, deadline=None)
def test_a_lines_syntax_is_judged_as_by_the_regular_expression(text: str) -> None:
    lines = Lines(text)
    for end in range(len(text) + 1):
        line_start = text.rfind("\n", 0, end) + 1
        assert lines.start_of(end) == line_start
        expected = _SYNTAX_LINE.fullmatch(text, line_start, end) is not None
        assert lines.is_syntax(line_start, end) == expected, (text, end)


class _CountingPattern:
    def __init__(self, real: re.Pattern[str]) -> None:
        self.real = real
        self.calls = 0

    def match(self, *args: Any) -> Any:
        self.calls += 1
        return self.real.match(*args)


def test_a_long_line_of_mentions_is_looked_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each mark's end searched back to its line's start and matched the line from there:
    one long line holding 20,000 mentions was read 20,000 times over."""
    counting = _CountingPattern(render_marks._RULE_CHARS)
    monkeypatch.setattr(render_marks, "_RULE_CHARS", counting)
    text = "- - - " + "PMF and " * 20_000
    mentions = [_Mention("pmf", 6 + 8 * i, 9 + 8 * i) for i in range(20_000)]
    offsets, _states = render_marks._states(text, 0, mentions, [])
    assert len(offsets) == 40_000
    assert counting.calls == 1


def _apply_marks_tag_by_tag(fragment: str, states: list[Any], marker: Any) -> str:
    """render_marks.apply_marks as it was: every tag and text run looked at in turn."""
    out: list[str] = []
    wanted: tuple[Any, ...] = ()
    opened: list[Any] = []

    def close_to(keep: int) -> None:
        while len(opened) > keep:
            out.append(marker.close(opened.pop()))

    def emit_text(run: str) -> None:
        nonlocal wanted
        for piece in render_marks._PUA_SPLIT.split(run):
            if not piece:
                continue
            if len(piece) == 1 and render_marks._PUA_CHARS.fullmatch(piece):
                index = render_marks._piece_index(piece)
                wanted = states[index] if index < len(states) else ()
                common = 0
                while (
                    common < len(opened)
                    and common < len(wanted)
                    and opened[common] == wanted[common]
                ):
                    common += 1
                close_to(common)
                continue
            if len(opened) < len(wanted):
                visible = len(piece) - len(piece.lstrip())
                if visible == len(piece):
                    out.append(piece)
                    continue
                out.append(piece[:visible])
                for layer in wanted[len(opened) :]:
                    out.append(marker.open(layer))
                    opened.append(layer)
                piece = piece[visible:]
            out.append(piece)

    pos = 0
    for m in render_marks.TAG.finditer(fragment):
        if m.start() > pos:
            emit_text(fragment[pos : m.start()])
        close_to(0)
        out.append(render_marks._PUA_CHARS.sub("", m[0]))
        pos = m.end()
    if pos < len(fragment):
        emit_text(fragment[pos:])
    close_to(0)
    return "".join(out)


_PLACES = [render_marks._piece(i) for i in range(5)]
_PIECES = ["<p>", "</p>", "<b>", "</b>", '<a href="x">', "</a>", "<br>", "ab", " ", "\n", "c d"]
_PIECES += _PLACES + [f'<a title="{_PLACES[1]}">', f"<i {_PLACES[2]}>"]
_LAYERS = st.lists(st.sampled_from(["a", "b", None]), max_size=3, unique=True).map(tuple)


@given(st.lists(st.sampled_from(_PIECES), max_size=30), st.lists(_LAYERS, max_size=5))
@settings(max_examples=400, deadline=None)
def test_marks_are_put_in_as_tag_by_tag(pieces: list[str], states: list[Any]) -> None:
    fragment = "".join(pieces)
    marker = render_marks.Marker(None)
    expected = _apply_marks_tag_by_tag(fragment, states, marker)
    assert render_marks.apply_marks(fragment, states, marker) == expected


# -- parsing ---------------------------------------------------------------------------------


def _cpu_ratio(work: Callable[[str], object], hostile: str, plain: str, batch: int = 1) -> float:
    """CPU time for ``hostile`` over that for ``plain``, a text of the same length: a
    constant when the work grows with the text, the text's length (or worse) when it grows
    with its square. Best of three, in this process's CPU time (other processes' load moves
    both alike); used only where the slow part runs in C and no Python line can count it."""

    def best(text: str) -> float:
        times = []
        for _ in range(3):
            t = time.process_time()
            for _ in range(batch):
                work(text)
            times.append(time.process_time() - t)
        return min(times)

    assert len(hostile) == len(plain)
    return best(hostile) / max(best(plain), 1e-6)


_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")


@given(st.text(alphabet="[]()!\nab ", max_size=40))
@settings(max_examples=600, deadline=None)
def test_links_are_taken_out_of_a_title_as_by_the_regular_expression(text: str) -> None:
    assert parse._without_links(text) == _LINK.sub(r"\1", text)


def test_a_title_of_brackets_is_cleaned_in_linear_time() -> None:
    """The link pattern, tried at each "[", read on to the next "]": 80,000 "[" took 32 s
    and "[a](" repeated 40 s."""
    assert _cpu_ratio(parse.clean_title, "[" * 20_000, "a" * 20_000) < 20
    assert _cpu_ratio(parse.clean_title, "[a](" * 10_000, "a b " * 10_000) < 20


def _first_sentence_splitting(text: str) -> str:
    """parse.first_sentence as it was: the word before each stop by splitting all before."""
    paragraph = re.split(r"\n[ \t]*\n", text.strip(), maxsplit=1)[0] if text.strip() else ""
    lines = [parse._BLOCK_PREFIX.sub("", line, count=1) for line in paragraph.split("\n")]
    flat = parse.clean_title(" ".join(lines))
    for m in parse._SENTENCE_END.finditer(flat):
        following = flat[m.end() : m.end() + 1]
        if not following or not (following.isupper() or following in parse._OPENING_QUOTES):
            continue
        if flat[m.start()] == ".":
            token = flat[: m.start()].rsplit(None, 1)[-1] if flat[: m.start()].strip() else ""
            token = token.lstrip("\"'\u2018\u201c([")
            if parse._DOTTED_ABBREVIATION.fullmatch(token) and (len(token) == 1 or "." in token):
                continue
            if token.lower() in parse._TITLE_ABBREVIATIONS:
                continue
        return flat[: m.end()].rstrip()
    return flat


_SENTENCE_WORDS = [
    "A.",
    "U.S.",
    "Mr.",
    "Smith",
    "said",
    ".",
    "The",
    "\n\n",
    '"Yes."',
    "(Gen.",
    "!",
    "x?",
]


@given(st.lists(st.sampled_from(_SENTENCE_WORDS), max_size=20), st.sampled_from([" ", "  ", "\n"]))
@settings(max_examples=400, deadline=None)
def test_a_first_sentence_ends_where_it_did(words: list[str], space: str) -> None:
    text = space.join(words)
    assert parse.first_sentence(text) == _first_sentence_splitting(text)


def test_a_first_sentence_of_initials_is_found_in_linear_time() -> None:
    """The text before each full stop was split to find the word before it: "A. A. A. ..."."""
    assert _cpu_ratio(parse.first_sentence, "A. " * 100_000, "a a " * 75_000) < 30


_META_LINE_LAZY = re.compile(r"[ \t]*([A-Za-z][A-Za-z_-]*)[ \t]*:[ \t]*(.*?)[ \t]*")


def _read_header_as_it_was(text: str) -> tuple[dict[str, str], int]:
    start = parse.skip_blank_lines(text, 0)
    meta: dict[str, str] = {}
    pos = start
    while pos < len(text):
        end = text.find("\n", pos)
        line_end = len(text) if end < 0 else end
        line = text[pos:line_end]
        if not line.strip():
            break
        m = _META_LINE_LAZY.fullmatch(line)
        if m is None:
            return {}, 0
        key = parse._META_KEYS.get(m.group(1).lower())
        if key is None:
            return {}, 0
        value = (m.group(2) or "").strip()
        if key == "tags" and meta.get("tags"):
            value = f"{meta['tags']}, {value}"
        meta[key] = value
        pos = len(text) if end < 0 else end + 1
    if not meta:
        return {}, 0
    return meta, parse.skip_blank_lines(text, pos)


_HEADER_LINES = [
    "Title: a b",
    "Tags:",
    "Tags: x, y",
    "tags: X ;z",
    "Date:  2020 ",
    "Source:\tS\t",
    "Note: n",
    "  Author : A ",
    "",
    "Tags:  ",
    "Title:: t",
    "body text",
]


@given(st.lists(st.sampled_from(_HEADER_LINES), max_size=10))
@settings(max_examples=400, deadline=None)
def test_a_header_and_its_tags_are_read_as_before(lines: list[str]) -> None:
    text = "\n".join(lines) + "\n\nbody\n"
    meta, end = parse.read_header(text)
    assert (meta, end) == _read_header_as_it_was(text)
    assert list(meta) == list(_read_header_as_it_was(text)[0])  # the keys' order too
    old_tags = _read_header_as_it_was(text)[0].get("tags")
    seen: dict[str, None] = {}
    for tag in re.split(r"[,;]", old_tags or ""):
        tag = tag.strip()
        if tag and tag.casefold() not in {t.casefold() for t in seen}:
            seen[tag] = None
    assert parse.split_tags(meta.get("tags")) == tuple(seen)


def test_a_header_line_with_a_run_of_blanks_is_read_in_linear_time() -> None:
    """A lazy value before trailing blanks was tried at every length (20,000 blanks: 0.8 s)."""
    hostile = "Title: a" + " " * 20_000 + "b\n\nx"
    assert _cpu_ratio(parse.read_header, hostile, hostile.replace(" ", "c")) < 20


def test_many_tags_are_read_in_linear_time() -> None:
    """Each tag was compared with every tag kept before it (20,000 tags: 16 s)."""

    def tags(n: int) -> Callable[[], object]:
        text = "Title: t\n" + "".join(f"Tags: t{i}, T{i}\n" for i in range(n)) + "\nbody\n"
        return lambda: parse.parse_text(text, brief_id="x", path=Path("x.md"))

    assert _grows_linearly(tags, 300) < 2.4


_COMMENT_MARKER_BACKTRACKING = re.compile(
    r"[ \t]{0,3}(?:"
    rf"\#{{1,6}}[ \t]+{parse._EMPH}?{parse._COMMENT_NAME}[ \t]*:?[ \t]*{parse._EMPH}?[ \t]*:?"
    r"[ \t]*\#*[ \t]*(?=\n|$)"
    rf"|(?P<d>\*\*|__|\*|_)[ \t]*{parse._COMMENT_NAME}[ \t]*"
    r"(?::[ \t]*(?P=d)|(?P=d)[ \t]*:|(?P=d)[ \t]*(?=\n|$))"
    rf"|{parse._COMMENT_NAME}[ \t]*(?::|[\u2013\u2014]|-(?=[ \t])|(?=\n))"
    r")",
    re.IGNORECASE,
)


@given(
    st.lists(
        st.sampled_from(
            [
                "#",
                "## ",
                " ",
                "\t",
                "Comment",
                "comments",
                "Analyst ",
                ":",
                "**",
                "_",
                "*",
                "x",
                "\n",
                "–",
                "- ",
            ]
        ),
        max_size=12,
    )
)
@settings(max_examples=600, deadline=None)
def test_a_comment_marker_is_matched_as_before(pieces: list[str]) -> None:
    line = "".join(pieces)
    new, old = parse.COMMENT_MARKER.match(line), _COMMENT_MARKER_BACKTRACKING.match(line)
    assert (new and new.span()) == (old and old.span())


def test_a_comment_heading_followed_by_blanks_is_matched_at_once() -> None:
    """Five optional runs of blanks in a row were tried in every split of the blanks: a
    heading "## Comment", 200 spaces and a word took 45 s (60 spaces: 0.1 s)."""
    hostile = "## Comment" + " " * 60 + "x"
    assert _cpu_ratio(parse.COMMENT_MARKER.match, hostile, "## Comment" + "y" * 60 + "x", 200) < 50


def test_a_name_spelt_by_turns_keeps_its_spellings_in_order(tmp_path: Path) -> None:
    """Each new spelling of a name goes in front of the aliases: a deque now, since a list
    moved every alias along for each of thousands of entries."""
    spellings = ["Tehran", "TEHRAN", "tehran", "Tehran", "TeHRAN"]
    text = "".join(
        f'[[actor]]\nname = "{s}"\naliases = ["T{i}"]\n' for i, s in enumerate(spellings)
    )
    path = tmp_path / "g.toml"
    path.write_text(text, "utf-8")
    actor = Glossary.load([path]).actors["tehran"]
    assert actor.name == "TeHRAN"
    # The spellings before it, newest first (those finding the same text as the name left
    # out), then the aliases in the file's order: as when they were kept in a list.
    assert actor.aliases == ("TEHRAN", "T0", "T1", "T2", "T3", "T4")


def _toml_forms_all(value: str) -> list[str]:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return [f'"{value}"', f"'{value}'", f'"{escaped}"', f'"""{value}"""', f"'''{value}'''"]


@given(
    st.lists(st.text(alphabet="ab\"'\\ ,[]=", max_size=14), max_size=8),
    st.text(alphabet="ab\"'\\", max_size=4),
)
@settings(max_examples=500, deadline=None)
def test_an_alias_is_placed_as_with_its_triple_quoted_forms(lines: list[str], alias: str) -> None:
    """A triple-quoted form holds the basic or the literal one: leaving it out of the
    forms looked for never moves an alias's line; and quoted forms found between quotes
    are where the search per needle finds them."""
    forms = glossary_file._toml_forms(alias)
    expected = _find_line_by_loop(lines, 0, len(lines), _toml_forms_all(alias), None)
    assert _find_line_by_loop(lines, 0, len(lines), forms, None) == expected
    finder = glossary_file._LineFinder(lines, 0, len(lines), forms)
    assert finder.first(forms, None) == expected
    for form in forms:
        assert finder.first([form], None) == _find_line_by_loop(lines, 0, len(lines), [form], None)


# -- candidate names' examples ---------------------------------------------------------------

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


def test_every_mention_of_a_long_brief_is_marked() -> None:
    """A placeholder a boundary ran out at 131,068 boundaries: the marks of a brief of
    66,000 mentions stopped two thirds of the way (and the render did less work the longer
    the brief). A placeholder now stands for a marking."""
    text = "PMF a " * 66_000
    mentions = [_Mention("pmf", 6 * i, 6 * i + 3) for i in range(66_000)]
    out = render_section(text, 0, mentions, [], None)
    assert out.count('data-actor="pmf"') == 66_000
    assert out.count(">PMF</span>") == 66_000
