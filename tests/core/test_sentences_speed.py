"""The sentence rule stays linear in a text's length (it searched from the text's start for
the word before every full stop: a 4,000-character brief took 45 ms, a long one seconds)."""

from __future__ import annotations

import time

from briefreader.core.sentences import sentence_spans


def test_a_long_text_is_split_in_linear_time() -> None:
    sentence = "The P.M.F. commander met Gen. Smith in Baghdad on Monday. "
    short = sentence * 200
    long = sentence * 4000
    t = time.perf_counter()
    spans_short = sentence_spans(short)
    t_short = time.perf_counter() - t
    t = time.perf_counter()
    spans_long = sentence_spans(long)
    t_long = time.perf_counter() - t
    assert len(spans_short) == 200 and len(spans_long) == 4000
    assert long[spans_long[-1][0] : spans_long[-1][1]] == sentence.strip()
    # 20 times the text: well under 20 x 20 the time (quadratic would be 400 times).
    assert t_long < max(0.5, 60 * t_short), (t_short, t_long)
