"""Rendering stays bounded: with marks or without, a text too complex to lay out is shown
as plain text, and putting the marks in is linear in the mentions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from workcount import (  # same folder: pytest puts it on the path
    grows_linearly,
)

from briefreader.core import render_bounds, render_marks
from briefreader.core.render import PLAIN_NOTICE, complexity, render_section
from briefreader.core.render_bounds import Lines


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

    assert grows_linearly(bangs, 600) < 2.5


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
    counting = _CountingPattern(render_bounds._RULE_CHARS)
    monkeypatch.setattr(render_bounds, "_RULE_CHARS", counting)
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


def test_every_mention_of_a_long_brief_is_marked() -> None:
    """A placeholder a boundary ran out at 131,068 boundaries: the marks of a brief of
    66,000 mentions stopped two thirds of the way (and the render did less work the longer
    the brief). A placeholder now stands for a marking."""
    text = "PMF a " * 66_000
    mentions = [_Mention("pmf", 6 * i, 6 * i + 3) for i in range(66_000)]
    out = render_section(text, 0, mentions, [], None)
    assert out.count('data-actor="pmf"') == 66_000
    assert out.count(">PMF</span>") == 66_000
