"""Where a highlight sits: offsets in a brief's Markdown source <-> positions on screen.

A highlight is stored as offsets into ``Brief.text`` (the core keys notes to the source, so
they survive re-rendering and re-indexing). The reading pane shows the rendered Markdown,
whose text differs from the source: syntax gone (``**``, ``[text](url)``, ``#``), entities
decoded, whitespace joined, a notice added for a brief shown as plain text. The two are
aligned word by word (the same words in the same order, difflib finds the longest common
runs), which copes with text present on one side only; inside a matched word the offsets
move together. Pure string work, testable without a window.
"""

from __future__ import annotations

import bisect
import difflib
import re

_WORD = re.compile(r"\w+")


class Alignment:
    """Maps between ``shown`` (a section as the pane shows it: position i is character i of
    the document's plain text) and ``source`` (the section's Markdown)."""

    def __init__(self, shown: str, source: str) -> None:
        shown_words = [(m.start(), m.group()) for m in _WORD.finditer(shown)]
        source_words = [(m.start(), m.group()) for m in _WORD.finditer(source)]
        matcher = difflib.SequenceMatcher(
            None, [w for _, w in shown_words], [w for _, w in source_words], autojunk=False
        )
        #: Matched words, in order: (start on screen, start in the source, length).
        self._pairs: list[tuple[int, int, int]] = []
        for block in matcher.get_matching_blocks():
            for k in range(block.size):
                a, word = shown_words[block.a + k]
                b, _ = source_words[block.b + k]
                self._pairs.append((a, b, len(word)))
        self._shown_starts = [a for a, _, _ in self._pairs]
        self._source_starts = [b for _, b, _ in self._pairs]

    def __bool__(self) -> bool:
        return bool(self._pairs)

    def to_source(self, start: int, end: int) -> tuple[int, int] | None:
        """The source span of the screen span ``[start, end)``, trimmed to whole matched
        text at its ends; None when no matched word lies in it."""
        return _map(self._pairs, self._shown_starts, start, end, 0, 1)

    def to_shown(self, start: int, end: int) -> tuple[int, int] | None:
        """The screen span of the source span ``[start, end)`` (see :meth:`to_source`)."""
        return _map(self._pairs, self._source_starts, start, end, 1, 0)


def _map(
    pairs: list[tuple[int, int, int]],
    starts: list[int],
    start: int,
    end: int,
    this: int,
    other: int,
) -> tuple[int, int] | None:
    if start >= end or not pairs:
        return None
    # The first matched word ending after ``start``; the last one starting before ``end``.
    i = bisect.bisect_right(starts, start) - 1
    if i < 0 or pairs[i][this] + pairs[i][2] <= start:
        i += 1
    j = bisect.bisect_left(starts, end) - 1
    if i >= len(pairs) or j < i:
        return None
    first, last = pairs[i], pairs[j]
    lo = first[other] + max(0, start - first[this])
    hi = last[other] + min(last[2], end - last[this])
    return (lo, hi) if lo < hi else None
