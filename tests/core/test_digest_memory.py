"""A text made of very many tiny paragraphs or lines costs memory in proportion to its
size, a small multiple of it, not a few hundred bytes a line (a 20 MB text of one-letter
paragraphs took 2.5 GB and a minute); a real round-up of as many items is still split.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from briefreader.core import digest, parse
from briefreader.core.parse import parse_text


def _peak(fn: Callable[[], Any]) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        got = fn()
        return got, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _brief(text: str) -> Any:
    return parse_text(text, brief_id="x.txt", path=Path("x.txt"))


def test_one_letter_paragraphs_are_kept_whole_in_a_small_multiple_of_their_size() -> None:
    text = "a\n\n" * 300_000
    brief = _brief(text)
    briefs, peak = _peak(lambda: digest.split_digest(brief))
    assert briefs == [brief]
    assert peak < 12 * len(text), peak / len(text)  # 130 times before


def test_a_paragraph_of_a_million_lines_is_parsed_in_a_small_multiple_of_its_size() -> None:
    text = "a\n" * 500_000
    brief, peak = _peak(lambda: _brief(text))
    assert brief.title == parse.shorten("a " * parse.TITLE_LENGTH)
    assert peak < 6 * len(text), peak / len(text)  # 40 times before (a string a line)
    briefs, peak = _peak(lambda: digest.split_digest(brief))
    assert len(briefs) == 1
    assert peak < 6 * len(text), peak / len(text)


def test_a_round_up_of_more_paragraphs_than_the_guard_counts_is_still_split() -> None:
    body = "The council met on Tuesday to discuss the budget and the salaries of fighters."
    items = [
        f"Item number {n} makes news\nRudaw, 12 March 2019\n\n{body}\n\nComment: Expected {n}.\n"
        for n in range(1, 9_001)
    ]
    text = "Daily round-up\n\n" + "\n".join(items)
    assert text.count("\n\n") > digest._MANY_BLOCKS  # the guard is reached, and holds
    briefs = digest.split_digest(_brief(text))
    assert len(briefs) == 9_000
    assert briefs[-1].title == "Item number 9000 makes news"
    assert briefs[-1].comment.strip() == "Expected 9000."


def _first_sentence_whole(text: str) -> str:
    """parse.first_sentence as it was: the whole first paragraph read."""
    saved = parse.FIRST_SENTENCE_CHARS
    parse.FIRST_SENTENCE_CHARS = 10**9
    try:
        return parse.first_sentence(text)
    finally:
        parse.FIRST_SENTENCE_CHARS = saved


@given(
    st.lists(
        st.sampled_from(["U.S.", "Mr.", "word", "Word.", "a", "The", "end.", "\n"]),
        min_size=0,
        max_size=3_000,
    ),  # fmt: skip
    st.sampled_from([" ", "\n", "  "]),
)
@settings(max_examples=150, deadline=None)
def test_a_title_from_the_first_sentence_is_the_same_read_in_part(
    words: list[str], space: str
) -> None:
    """Titles are the first sentence shortened: reading a long paragraph's first
    characters only gives every title it gave."""
    text = space.join(words)
    assert parse.shorten(parse.first_sentence(text)) == parse.shorten(_first_sentence_whole(text))
