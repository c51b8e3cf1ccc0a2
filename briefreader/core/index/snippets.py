"""Snippets and hit marks: the query's words re-found in stored text."""

from __future__ import annotations

import bisect
import functools
import itertools
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import ahocorasick

from briefreader.core.index.schema import stem_of
from briefreader.core.records import Snippet
from briefreader.core.search.words import STOP_WORDS

if TYPE_CHECKING:
    from briefreader.core.index.querying import ParsedQuery, QueryBuilder

log = logging.getLogger(__name__)


def _prefix(term: str) -> str:
    """The first letters every written form of a stem starts with (all but the last, at
    most four): stemming only rewrites the end of a word."""
    return term[: max(1, min(4, len(term) - 1))]


@functools.lru_cache(maxsize=64)
def _candidates(terms: frozenset[str]) -> re.Pattern[str]:
    """Whole tokens that start like one of the stems (the slow path, see term_positions)."""
    prefixes = sorted({re.escape(_prefix(t)) for t in terms}, key=len)
    return re.compile(
        r"(?<!\w)(?<!\w\.)(?:" + "|".join(reversed(prefixes)) + r")\w*(?:\.?\w+)*",
        re.IGNORECASE | re.UNICODE,
    )


@functools.lru_cache(maxsize=64)
def _prefix_automaton(terms: frozenset[str]) -> Any:
    """An Aho-Corasick automaton of the stems' prefixes: one pass in C over the text finds
    every place a candidate word may start (a regex alternation is 3-4x slower)."""
    automaton = ahocorasick.Automaton()
    for term in terms:
        prefix = _prefix(term)
        automaton.add_word(prefix, len(prefix))
    automaton.make_automaton()
    return automaton


class SpanIndex:
    """Many (start, end) spans, sorted once, then asked which of them meet a given span.

    A bisect over the starts and a running maximum of the ends answer each question in a
    logarithm: checking every word of a long brief against every actor mention in it was
    a pass over the mentions per word (a 2 MB brief: most of a minute).
    """

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [a for a, _b in ordered]
        self._reach = list(itertools.accumulate((b for _a, b in ordered), max))

    def meets(self, start: int, end: int) -> bool:
        """Whether a span overlaps ``[start, end)`` or holds it (ends included when the
        span asked about is empty)."""
        if start < end:
            k = bisect.bisect_left(self._starts, end)  # the spans starting before the end
            return k > 0 and self._reach[k - 1] > start
        k = bisect.bisect_right(self._starts, start)
        return k > 0 and self._reach[k - 1] >= end


_TOKEN_AT = re.compile(r"\w+(?:\.?\w+)*", re.UNICODE)


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def term_positions(text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    """(start, end) of each word of ``text`` whose analysed form is in ``terms``.

    Snippets run this on every section of every hit on a page, so it must be quick: the
    prefixes of the stems are found in one C pass, and only tokens that start with one are
    cut out and stemmed.
    """
    if not terms:
        return []
    low = text.lower()
    if len(low) != len(text):
        # Lower-casing changed the length (a dotted capital I, say): offsets would drift.
        return _term_positions_slow(text, terms)
    out = []
    token_end = -1
    for end, length in _prefix_automaton(terms).iter(low):
        start = end - length + 1
        if start < token_end:
            continue  # inside the token looked at last
        if start and _is_word_char(low[start - 1]):
            continue  # not the start of a word
        if start >= 2 and low[start - 1] == "." and _is_word_char(low[start - 2]):
            continue  # inside a dotted word (P.M.F.)
        m = _TOKEN_AT.match(low, start)
        if m is None:
            continue
        token_end = m.end()
        word = m.group()
        if len(word) < 2 or word in STOP_WORDS:
            continue
        if stem_of(word) in terms:
            out.append(m.span())
    return out


def _term_positions_slow(text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    out = []
    for m in _candidates(terms).finditer(text):
        word = m.group().lower()
        if len(word) < 2 or word in STOP_WORDS:
            continue
        if stem_of(word) in terms:
            out.append(m.span())
    return out


#: An HTML tag or comment in a brief's text (some briefs are pasted from web pages): never
#: shown in a snippet, and a hit inside one (a word in a link's address) is not a hit to show.
_TAG = re.compile(r"<(?:[A-Za-z][^<>]*|/[A-Za-z][^<>]*|!--.*?--)>", re.DOTALL)


def _tag_ranges(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _TAG.finditer(text)] if "<" in text else []


def _outside(spans: list[tuple[int, int]], tags: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans that do not lie inside a tag."""
    if not tags:
        return spans
    starts = [a for a, _b in tags]
    out = []
    for a, b in spans:
        k = bisect.bisect_right(starts, a) - 1
        if k < 0 or a >= tags[k][1]:
            out.append((a, b))
    return out


Weights = Mapping[str, float]
#: The weights' key for an actor mention (any of the actor's names counts as one word).
ACTOR_KEY = "\x00actor"


def _span_keys(
    text: str, spans: list[tuple[int, int]], weights: Weights | None
) -> list[tuple[str, float]]:
    """What each matched span is (its index word, or an actor mention) and how telling:
    the word's rarity, or the named actor's (1 for each without weights)."""
    out = []
    actor = weights.get(ACTOR_KEY, 1.0) if weights else 1.0
    for a, b in spans:
        word = text[a:b].lower()
        stem = stem_of(word)
        if weights is None:
            out.append((word, 1.0))
        elif stem in weights:
            out.append((stem, weights[stem]))
        else:
            out.append((ACTOR_KEY, actor))
    return out


def _distinct_weight(keys: list[tuple[str, float]]) -> float:
    """The weight of the distinct words among some spans (a word found twice counts once)."""
    return sum(dict(keys).values())


def _window(
    text: str, spans: list[tuple[int, int]], chars: int, weights: Weights | None = None
) -> tuple[int, int, list[tuple[int, int]]]:
    """The stretch of about ``chars`` characters holding the most telling matched words:
    the distinct words, each weighted by its rarity, so that the rare word of a query
    ("disarm" in "PMF disarm") is shown rather than a third mention of the common one."""
    keys = _span_keys(text, spans, weights)
    best = (-1.0, 0, 0)
    j = 0
    for i, (start, _end) in enumerate(spans):
        while j < len(spans) and spans[j][1] - start <= chars:
            j += 1
        score = _distinct_weight(keys[i:j]) * 100 + (j - i)
        if score > best[0]:
            best = (score, i, j)
    _, i, j = best
    first, last = spans[i][0], spans[j - 1][1]
    slack = max(0, chars - (last - first))
    begin = max(0, first - slack // 3)
    end = min(len(text), last + slack - (first - begin))
    # Widen to word boundaries.
    while begin > 0 and not text[begin - 1].isspace() and first - begin < chars:
        begin -= 1
    while end < len(text) and not text[end].isspace() and end - last < chars:
        end += 1
    # Never cut a tag in two: its halves would show as text.
    for a, b in _tag_ranges(text):
        if a < begin < b:
            begin = b
        if a < end < b:
            end = a
    return begin, end, spans[i:j]


def _make_snippet(
    section: str, text: str, spans: list[tuple[int, int]], chars: int, weights: Weights | None
) -> Snippet:
    begin, end, inside = _window(text, spans, chars, weights)
    lead = "… " if begin > 0 else ""
    tail = " …" if end < len(text) else ""
    body = text[begin:end]
    # One line: newlines become spaces (same length, so offsets hold).
    body = body.replace("\n", " ")
    marks = [(len(lead) + a - begin, len(lead) + b - begin) for a, b in inside]
    return Snippet(section, *_plain(lead + body + tail, marks))


_MARKUP = frozenset("*`")  # also spelled out in _plain's quick test


def _plain(text: str, marks: list[tuple[int, int]]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Drop Markdown emphasis characters and HTML tags from a snippet, keeping the marks on
    their words (a mark left empty goes)."""
    tags = _tag_ranges(text)
    if "*" not in text and "`" not in text and not tags:
        return text, tuple(marks)
    hidden = bytearray(len(text))
    for a, b in tags:
        hidden[a:b] = b"\x01" * (b - a)
    out, moved = _keep(text, marks, lambda k, c: c not in _MARKUP and not hidden[k])
    if tags:
        # A removed tag can leave two spaces side by side: close them up, marks with them.
        spaced = out
        out, moved = _keep(spaced, moved, lambda k, c: not (c == " " and spaced[k - 1 : k] == " "))
    return out, moved


def _keep(
    text: str, marks: Sequence[tuple[int, int]], keep: Callable[[int, str], Any]
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The characters of ``text`` that ``keep(index, char)`` keeps, and the marks moved
    onto them (a mark left empty goes)."""
    new_pos: list[int] = []
    kept: list[str] = []
    for k, c in enumerate(text):
        new_pos.append(len(kept))
        if keep(k, c):
            kept.append(c)
    new_pos.append(len(kept))
    return "".join(kept), tuple(
        (new_pos[a], new_pos[b]) for a, b in marks if new_pos[a] < new_pos[b]
    )


def snippet_for(
    stored: dict[str, Any],
    parsed: ParsedQuery,
    builder: QueryBuilder,
    chars: int = 220,
    weights: Weights | None = None,
) -> Snippet | None:
    """The best passage for the query, preferring the article, saying which section it is.

    ``weights``: each index word's rarity (its idf), so that the passage shows the query's
    rarest words; without them every word counts the same.
    """
    best: tuple[float, str, str, list[tuple[int, int]]] | None = None
    for section in ("article", "comment", "title"):
        text = stored.get(section) or ""
        if not text:
            continue
        spans = _outside(builder.spans(text, parsed), _tag_ranges(text))
        if not spans:
            continue
        score = _distinct_weight(_span_keys(text, spans, weights)) * 10 + min(len(spans), 9)
        if section == "title":
            score -= 5  # a title hit is already visible in the result's title
        if best is None or score > best[0]:
            best = (score, section, text, spans)
    if best is None:
        return None
    _, section, text, spans = best
    if section == "title":
        return Snippet(section, text, tuple(spans))
    return _make_snippet(section, text, spans, chars, weights)


def lead_snippet(stored: dict[str, Any], chars: int = 220) -> Snippet | None:
    """The article's opening words as a snippet, for a hit that no query word marks."""
    text = " ".join(_TAG.sub(" ", stored.get("article") or "").split())
    if not text:
        return None
    if len(text) > chars:
        cut = text.rfind(" ", 0, chars)
        text = text[: cut if cut > 0 else chars] + " …"
    return Snippet("article", text, ())


def hit_spans(builder: QueryBuilder, text: str, parsed: ParsedQuery) -> list[tuple[int, int]]:
    """Offsets in ``text`` of what the query matched: words as written, actor mentions."""
    return builder.spans(text, parsed)
