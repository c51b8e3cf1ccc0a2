"""Where a highlight sits: offsets in a brief's Markdown source <-> positions on screen.

A highlight is stored as offsets into ``Brief.text`` (the core keys notes to the source, so
they survive re-rendering and re-indexing). The reading pane shows the rendered Markdown,
whose text differs from the source: syntax gone (``**``, ``[text](url)``, ``#``), entities
decoded, whitespace joined, a notice added for a brief shown as plain text. The two are
aligned word by word (the same words in the same order; text present on one side only is
stepped over, and the source's link addresses, tags and entities are never shown, so
their words are left out first); inside a matched word the offsets move together. Pure
string work, testable without a window.
"""

from __future__ import annotations

import bisect
import re

_WORD = re.compile(r"\w+")
#: Source text never shown as such: a link's address, an HTML tag, an entity.
_HIDDEN = re.compile(r"\]\([^)\n]*\)|<[^<>\n]*>|&#?\w+;")


#: How far ahead (in words) a word missing on one side is looked for on the other: past a
#: link's address, a notice, a footnote. Longer gaps are walked past in step.
LOOKAHEAD = 40


class Alignment:
    """Maps between ``shown`` (a section as the pane shows it: position i is character i of
    the document's plain text) and ``source`` (the section's Markdown).

    Both sides hold the same words in the same order, give or take a few: the two word
    lists are walked side by side, and a word found on one side only is skipped by looking a
    little ahead on each (linear in the brief's length; a general diff was quadratic on
    long briefs of few distinct words).
    """

    def __init__(self, shown: str, source: str) -> None:
        a_words = [(m.start(), m.group()) for m in _WORD.finditer(shown)]
        hidden = [m.span() for m in _HIDDEN.finditer(source)]
        b_words = [
            (m.start(), m.group()) for m in _WORD.finditer(source) if not _inside(hidden, m.start())
        ]
        #: Matched words, in order: (start on screen, start in the source, length).
        self._pairs: list[tuple[int, int, int]] = []
        i = j = 0
        while i < len(a_words) and j < len(b_words):
            if a_words[i][1] == b_words[j][1]:
                self._pairs.append((a_words[i][0], b_words[j][0], len(a_words[i][1])))
                i += 1
                j += 1
                continue
            skip_b = _ahead(b_words, j, a_words[i][1])  # source words absent on screen
            skip_a = _ahead(a_words, i, b_words[j][1])  # screen words absent in the source
            if skip_b is None and skip_a is None:
                i += 1
                j += 1
            elif skip_a is None or (skip_b is not None and skip_b <= skip_a):
                j += skip_b or 0
            else:
                i += skip_a
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


def _inside(spans: list[tuple[int, int]], at: int) -> bool:
    k = bisect.bisect_right(spans, (at, 1 << 62)) - 1
    return k >= 0 and spans[k][0] <= at < spans[k][1]


def _ahead(words: list[tuple[int, str]], at: int, word: str) -> int | None:
    """How many words after ``at`` the next ``word`` is (within LOOKAHEAD), or None."""
    for k in range(1, LOOKAHEAD + 1):
        if at + k >= len(words):
            return None
        if words[at + k][1] == word:
            return k
    return None


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
