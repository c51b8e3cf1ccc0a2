"""The archive's marks beside actor mentions: the same as checking every mention for every
word, and one pass over the mentions however many words a long brief has."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from briefreader import paths
from briefreader.core.archive.snippets import beside_mentions, snippet
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library
from briefreader.core.parse import parse_text

spans = st.lists(
    st.tuples(st.integers(0, 60), st.integers(0, 12)).map(lambda p: (p[0], p[0] + p[1])),
    max_size=25,
)


def every_mention_checked(
    marks: list[tuple[int, int]], mentions: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The reference: each mark compared with each mention."""
    return sorted(
        {*mentions, *(m for m in marks if not any(a < m[1] and m[0] < b for a, b in mentions))}
    )


@settings(max_examples=500, deadline=None)
@given(spans, spans)
def test_beside_mentions_equals_checking_every_mention(
    marks: list[tuple[int, int]], mentions: list[tuple[int, int]]
) -> None:
    assert beside_mentions(marks, mentions) == every_mention_checked(marks, mentions)


class CountedPasses(list[tuple[int, int]]):
    """A list of mentions that counts how often it is read from the start."""

    passes = 0

    def __iter__(self) -> Iterator[tuple[int, int]]:
        CountedPasses.passes += 1
        return super().__iter__()


def long_body(repeats: int) -> tuple[str, CountedPasses]:
    """``repeats`` sentences, each naming the actor once beside two query words."""
    sentence = "The PMF met in Baghdad; Baghdad answered. "
    mentions = CountedPasses((i * len(sentence) + 4, i * len(sentence) + 7) for i in range(repeats))
    return sentence * repeats, mentions


def test_snippet_reads_the_mentions_a_fixed_number_of_times() -> None:
    body, mentions = long_body(2000)
    CountedPasses.passes = 0
    snip = snippet(
        {"article": body},
        frozenset({"baghdad"}),
        (),
        frozenset({"pmf"}),
        lambda _text, _actors: mentions,
    )
    assert snip is not None and snip.marks
    assert CountedPasses.passes <= 3  # was one pass for each of the 4,000 words


def test_archive_hit_spans_read_the_mentions_a_fixed_number_of_times(tmp_path: Path) -> None:
    body, _mentions = long_body(2000)
    brief = parse_text(f"Title: t\n\n{body}\n", brief_id="x.md", path=Path("x.md"))
    glossary = Glossary.load([paths.bundled_glossary()])
    # No server answers: the team glossary is not read, and none is needed for marks.
    lib = Library.open_archive("postgresql://nobody@127.0.0.1:9/none", [], data_dir=tmp_path)
    lib.glossary = glossary
    arc = lib.archive
    assert arc is not None
    matched = arc._actor_spans
    arc._actor_spans = lambda text, ids: CountedPasses(matched(text, ids))  # type: ignore[method-assign]
    CountedPasses.passes = 0
    marks = lib.hit_spans(brief, "PMF Baghdad")
    assert len(marks) == 3 * 2000
    assert CountedPasses.passes <= 3  # was one pass for each of the 4,000 words
    lib.close()
