"""Parsing a brief stays linear in its text: the comment marker, the header, the tags,
the title's links and the first sentence (each once quadratic or worse on some input).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from workcount import (  # same folder: pytest puts it on the path
    cpu_ratio,
    grows_linearly,
)

from briefreader.core import parse

_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")


@given(st.text(alphabet="[]()!\nab ", max_size=40))
@settings(max_examples=600, deadline=None)
def test_links_are_taken_out_of_a_title_as_by_the_regular_expression(text: str) -> None:
    assert parse._without_links(text) == _LINK.sub(r"\1", text)


def test_a_title_of_brackets_is_cleaned_in_linear_time() -> None:
    """The link pattern, tried at each "[", read on to the next "]": 80,000 "[" took 32 s
    and "[a](" repeated 40 s."""
    assert cpu_ratio(parse.clean_title, "[" * 20_000, "a" * 20_000) < 20
    assert cpu_ratio(parse.clean_title, "[a](" * 10_000, "a b " * 10_000) < 20


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
    assert cpu_ratio(parse.first_sentence, "A. " * 100_000, "a a " * 75_000) < 30


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
    assert cpu_ratio(parse.read_header, hostile, hostile.replace(" ", "c")) < 20


def test_many_tags_are_read_in_linear_time() -> None:
    """Each tag was compared with every tag kept before it (20,000 tags: 16 s)."""

    def tags(n: int) -> Callable[[], object]:
        text = "Title: t\n" + "".join(f"Tags: t{i}, T{i}\n" for i in range(n)) + "\nbody\n"
        return lambda: parse.parse_text(text, brief_id="x", path=Path("x.md"))

    assert grows_linearly(tags, 300) < 2.4


_COMMENT_MARKER_BACKTRACKING = re.compile(
    r"[ \t]{0,3}(?:"
    rf"\#{{1,6}}[ \t]+{parse._EMPH}?{parse.COMMENT_NAME}[ \t]*:?[ \t]*{parse._EMPH}?[ \t]*:?"
    r"[ \t]*\#*[ \t]*(?=\n|$)"
    rf"|(?P<d>\*\*|__|\*|_)[ \t]*{parse.COMMENT_NAME}[ \t]*"
    r"(?::[ \t]*(?P=d)|(?P=d)[ \t]*:|(?P=d)[ \t]*(?=\n|$))"
    rf"|{parse.COMMENT_NAME}[ \t]*(?::|[\u2013\u2014]|-(?=[ \t]))"
    r"|(?:analyst(?:'s|\u2019s)?[ \t]+)?comment[ \t]*(?=\n|$)"
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
    assert cpu_ratio(parse.COMMENT_MARKER.match, hostile, "## Comment" + "y" * 60 + "x", 200) < 50


def test_rule_lines_after_a_digests_last_item_are_left_in_linear_time() -> None:
    """Each rule line left out of an item's end copied the item's text back to its start:
    a copy the length of the text for each line."""
    from briefreader.core.digest import split_digest

    items = "".join(
        f"## Headline {n}\n\nRudaw, {n} March 2019\n\nText of item {n}.\n\nComment: Note {n}.\n\n"
        for n in range(1, 4)
    )

    def split(tail: str) -> object:
        return split_digest(parse.parse_text(items + tail, brief_id="d.md", path=Path("d.md")))

    # Measured: 0.72 as written, 2.79 with the copies (80,000 lines).
    hostile = "-----\n\n" * 80_000
    assert cpu_ratio(split, hostile, "xxxxx\n\n" * 80_000) < 1.8


def _find_comment_line_by_line(text: str, start: int) -> tuple[int, int] | None:
    """parse.find_comment as it was: every line from ``start`` looked at in turn."""
    pos = start
    previous_blank = True
    while pos < len(text):
        end = text.find("\n", pos)
        line_end = len(text) if end < 0 else end
        line = text[pos:line_end]
        if line.strip():
            if previous_blank or parse._HEADING_MARKER.match(line):
                m = parse.COMMENT_MARKER.match(text, pos, line_end)
                if m is not None and (previous_blank or m.group(0).lstrip().startswith("#")):
                    return pos, m.end()
            previous_blank = False
        else:
            previous_blank = True
        if end < 0:
            break
        pos = end + 1
    return None


@given(
    st.lists(
        st.sampled_from(
            [
                "\n",
                "\n\n",
                " ",
                "\t",
                "\x0c",
                "## ",
                "#",
                "**",
                "Comment",
                "COMMENT",
                "comments",
                "Analyst ",
                ":",
                " - ",
                "x",
                "Text.",
                "comment comment",
            ]
        ),
        max_size=30,
    ),
    st.integers(min_value=0, max_value=40),
)
@settings(max_examples=1500, deadline=None)
def test_the_comment_marker_is_found_where_a_line_by_line_reading_finds_it(
    pieces: list[str], start: int
) -> None:
    text = "".join(pieces)
    start = min(start, len(text))
    assert parse.find_comment(text, start) == _find_comment_line_by_line(text, start)


def test_a_text_of_many_comment_words_on_one_line_is_read_in_linear_time() -> None:
    """Each line holding the word is looked at once, however often it holds it."""
    hostile = ("x comment " * 2_000 + "\n") * 25
    plain = ("x another " * 2_000 + "\n") * 25
    assert cpu_ratio(lambda t: parse.find_comment(t, 0), hostile, plain) < 20
