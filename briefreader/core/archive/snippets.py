"""A hit's snippet: the passage of the article or comment with the most query words, the
hits (and the actors asked for) marked, as the local index's snippets are made."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from itertools import accumulate

from briefreader.core.archive import analysis
from briefreader.core.records import Snippet

SNIPPET_CHARS = 220

ActorSpans = Callable[[str, frozenset[str]], list[tuple[int, int]]]


def snippet(
    article: str,
    comment: str | None,
    terms: frozenset[str],
    prefixes: tuple[str, ...],
    actors: frozenset[str],
    actor_spans: ActorSpans,
) -> Snippet | None:
    """The passage of the article or comment with the most query words, hits marked."""
    best: tuple[int, str, str, list[tuple[int, int]]] | None = None
    for section, body in (("article", article), ("comment", comment or "")):
        if not body:
            continue
        marks = sorted(set(analysis.spans(body, terms, prefixes)))
        if actors:
            marks = beside_mentions(marks, actor_spans(body, actors))
        if not marks:
            continue
        start, inside = _window(body, marks)
        distinct = len({body[a:b].lower() for a, b in inside})
        if best is None or distinct > best[0]:
            best = (distinct, section, body, marks)
    if best is None:
        if not article:
            return None
        text = _cut(article, 0)
        return Snippet("article", text, ())
    _n, section, body, marks = best
    start, inside = _window(body, marks)
    text = _cut(body, start)
    out = [(a - start, b - start) for a, b in inside if b - start <= len(text)]
    return Snippet(section, *_squeeze(text, out))


def beside_mentions(
    marks: Iterable[tuple[int, int]], mentions: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The mentions, and the word marks that overlap none of them, in order and each once.

    A long brief has thousands of each: with the mentions sorted by start and the furthest
    end reached so far, a mark (s, e) overlaps a mention exactly when the mentions starting
    before e reach past s, one binary search per mark instead of a pass over every mention.
    """
    ordered = sorted(mentions)
    starts = [a for a, _b in ordered]
    reach = list(accumulate((b for _a, b in ordered), max))
    kept = set(ordered)
    for s, e in marks:
        before = bisect_left(starts, e)
        if before == 0 or reach[before - 1] <= s:
            kept.add((s, e))
    return sorted(kept)


def _squeeze(text: str, marks: list[tuple[int, int]]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Runs of white space (paragraph breaks) as one space, the marks moved along."""
    keep: list[str] = []
    where: list[int] = []  # new offset of each old offset
    for c in text:
        where.append(len(keep))
        if c.isspace():
            if keep and keep[-1] != " ":
                keep.append(" ")
        else:
            keep.append(c)
    where.append(len(keep))
    return "".join(keep), tuple((where[a], where[b]) for a, b in marks)


def _window(body: str, marks: list[tuple[int, int]]) -> tuple[int, list[tuple[int, int]]]:
    """Where a SNIPPET_CHARS window holds the most marks; (start, the marks in it)."""
    best_i, best_n = 0, 0
    j = 0
    for i, (a, _b) in enumerate(marks):
        while j < len(marks) and marks[j][1] - a <= SNIPPET_CHARS - 40:
            j += 1
        if j - i > best_n:
            best_i, best_n = i, j - i
    first = marks[best_i][0]
    start = max(0, first - 40)
    if start:
        space = body.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 and first - space < 80 else start
    inside = [m for m in marks if m[0] >= start and m[1] <= start + SNIPPET_CHARS]
    return start, inside


def _cut(body: str, start: int) -> str:
    end = start + SNIPPET_CHARS
    if end >= len(body):
        return body[start:]
    space = body.rfind(" ", start, end)
    return body[start : space if space > start else end]
