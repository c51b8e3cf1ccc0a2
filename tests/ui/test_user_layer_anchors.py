"""Highlights between the Markdown source and the rendered text (ui/userlayer/anchors.py):
pure string work, checked against the real renderer too."""

from __future__ import annotations

import time

from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtGui import QTextDocument

from briefreader.core.render import render_markdown
from briefreader.ui.userlayer.anchors import Alignment

SOURCE = (
    "The **Popular Mobilization Forces** said on [Monday](https://example.org/said/Monday)"
    " that &amp; the <b>strike</b> hit Baghdad.\n\n- one item\n- two items\n"
)


def shown_of(md: str) -> str:
    doc = QTextDocument()
    doc.setHtml(render_markdown(md, None))
    return doc.toPlainText()


def test_spans_map_through_markdown_both_ways() -> None:
    shown = shown_of(SOURCE)
    align = Alignment(shown, SOURCE)
    for text in ("Mobilization Forces said", "Monday that", "strike hit Baghdad", "two items"):
        at = shown.index(text)
        span = align.to_source(at, at + len(text))
        assert span is not None
        back = align.to_shown(*span)
        assert back is not None and shown[back[0] : back[1]] == text
    # A link's address is never where a highlight lands.
    at = shown.index("Monday that")
    lo, hi = align.to_source(at, at + len("Monday that"))  # type: ignore[misc]
    assert SOURCE[lo : lo + 6] == "Monday" and "that" in SOURCE[lo:hi]


def test_text_on_one_side_only_is_stepped_over() -> None:
    body = "The militia said on Monday that the strike hit Baghdad."
    notice = "This text is shown without formatting: it is too deeply nested. "
    align = Alignment(notice + body, body)
    at = len(notice) + body.index("strike")
    assert align.to_source(at, at + 6) == (body.index("strike"), body.index("strike") + 6)
    assert align.to_source(0, len("This text")) is None  # the notice has no source


def test_long_briefs_of_few_distinct_words_align_in_linear_time() -> None:
    words = ["the", "militia", "said", "on", "Monday", "strike"] * 4000
    source = " ".join(f"**{w}**" if n % 50 == 0 else w for n, w in enumerate(words))
    t0 = time.perf_counter()
    align = Alignment(" ".join(words), source)
    assert time.perf_counter() - t0 < 2.0
    assert align.to_shown(*align.to_source(100, 200)) == (100, 200)  # type: ignore[misc]


@given(st.lists(st.sampled_from(["a", "bb", "Iran", "PMF", "the", "9"]), max_size=60))
def test_the_same_text_maps_onto_itself(words: list[str]) -> None:
    text = " ".join(words)
    align = Alignment(text, text)
    for start in range(0, len(text), 7):
        span = align.to_source(start, min(len(text), start + 5))
        if span is not None:
            assert start <= span[0] < span[1] <= start + 5
