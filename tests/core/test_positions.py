"""The compact positions format (core/index/positions.py): one posting at a time as Whoosh's
writer and readers use it, all postings at once as ours do, and both alike."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index
from whoosh.formats import Positions
from whoosh.query import Phrase

from briefreader.core.index import phrases, positions
from briefreader.core.index.positions import CompactPositions, encode_runs, position_keys
from briefreader.core.index.schema import make_schema

#: A posting's positions: ascending, distinct, from small gaps to the largest an int32 holds.
_GAPS = st.one_of(
    st.integers(1, 10), st.integers(200, 300), st.integers(65_000, 66_000),
    st.integers(1, 2**31 // 64),
)  # fmt: skip
_POSTING = st.lists(_GAPS, min_size=1, max_size=40).map(
    lambda gaps: np.cumsum([g - 1 if i == 0 else g for i, g in enumerate(gaps)]).tolist()
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_POSTING, min_size=1, max_size=30), st.data())
def test_postings_encoded_at_once_are_each_encoded_alone(
    postings: list[list[int]], data: st.DataObject
) -> None:
    fmt = CompactPositions()
    alone = [fmt.encode(p) for p in postings]
    flat = np.array([x for p in postings for x in p], dtype=np.int64)
    lengths = np.array([len(p) for p in postings])
    ends = np.cumsum(lengths)
    starts = ends - lengths
    assert encode_runs(flat, starts, ends) == alone
    # Some of them, not side by side (as a segment's last values are picked).
    some = sorted(data.draw(st.sets(st.integers(0, len(postings) - 1), min_size=1)))
    assert encode_runs(flat, starts[some], ends[some]) == [alone[i] for i in some]
    for p, value in zip(postings, alone, strict=True):
        assert fmt.decode_positions(value) == p
        assert fmt.decode_frequency(value) == len(p)
        assert fmt.decode_weight(value) == len(p)
    expected = sorted((i << 32) | x for i, p in enumerate(postings) for x in p)
    assert position_keys(alone).tolist() == expected
    assert phrases.position_keys(alone).tolist() == expected
    # Whoosh's own values (an index written before) are read as they were.
    whooshs = [Positions().encode(p) for p in postings]
    assert phrases.position_keys(whooshs).tolist() == expected


def test_each_posting_takes_the_narrowest_width_of_its_largest_delta() -> None:
    fmt = CompactPositions()
    for first, width in ((0, 1), (255, 1), (256, 2), (65_535, 2), (65_536, 4), (2**31 - 1, 4)):
        value = fmt.encode([3, 3 + first])
        assert value[positions.HEAD - 1] == width, first
        assert len(value) == positions.HEAD + 2 * width
        assert fmt.decode_positions(value) == [3, 3 + first]


def test_an_articles_positions_take_half_the_bytes_of_whooshs() -> None:
    rng = np.random.default_rng(5)
    words = rng.zipf(1.3, size=2_000) % 500  # a long article's words, numbered
    by_word = [np.flatnonzero(words == w).tolist() for w in np.unique(words)]
    ours = sum(len(CompactPositions().encode(p)) for p in by_word)
    whooshs = sum(len(Positions().encode(p)) for p in by_word)
    assert ours < 0.6 * whooshs


def test_the_index_keeps_compact_positions_and_whooshs_phrases_read_them(tmp_path: Path) -> None:
    schema = make_schema()
    for name in ("title", "article", "comment"):
        assert type(schema[name].format) is CompactPositions
    ix = index.create_in(str(tmp_path), schema)
    texts = {
        "a": "The militia left the city at dawn. " + "Filler words here. " * 40 + "the city",
        "b": "The city was left by the militia.",
        "c": "Left the city? " + "filler " * 70_000 + "the militia left the city again",
    }
    with ix.writer() as w:
        for key, text in texts.items():
            w.add_document(key=key, id=key, article=text)
    with ix.searcher() as s:
        found = {hit["key"] for hit in s.search(Phrase("article", ["left", "citi"]), limit=None)}
        assert found == {"a", "c"}  # "left the city" (stop word between), not "city was left"
        # The 70,000 words between "c"'s two "left"s: a delta four bytes wide.
        reader = s.reader()
        postings = reader.postings("article", "left")
        got = {}
        while postings.is_active():
            got[s.stored_fields(postings.id())["key"]] = postings.value_as("positions")
            postings.next()
        assert got["c"][-1] - got["c"][0] > 70_000
        assert len(got["c"]) == 2
