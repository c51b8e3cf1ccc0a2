"""A hit's snippet and its marks, for both stores: the query's words re-found in text.

The local index and the team archive each say where a text matches the query (its words,
the actors it named); everything after that is written once here: which section and which
stretch of it to show, how the rarest words are preferred, how tags and Markdown emphasis
are taken out, the marks kept on their words.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import ahocorasick

from briefreader.core.records import Snippet
from briefreader.core.search.words import MIN_WORD, STOP_WORDS, stem

#: A snippet's length in characters (about two lines of a result list).
SNIPPET_CHARS = 220


def _prefix(term: str) -> str:
    """The first letters every written form of a stem starts with: all but its last letter,
    at most four (stemming rewrites only the end of a word: "happy" -> "happi"); of a stem of
    three letters or fewer, its first two, or its first alone when its second is an i or a y,
    which Snowball's exceptions may have changed ("dying" -> "die", "lying" -> "lie").
    tests/core/test_search_words.py checks the rule on every word of the sample corpus and
    the relevance collections."""
    if len(term) <= 3:
        return term[:1] if term[1:2] in ("i", "y", "") else term[:2]
    return term[: min(4, len(term) - 1)]


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


def term_positions(
    text: str, terms: frozenset[str], prefixes: tuple[str, ...] = ()
) -> list[tuple[int, int]]:
    """(start, end) of each word of ``text`` whose index word is in ``terms`` or starts
    with one of ``prefixes`` (a wildcard's letters, on a store that keeps it unexpanded).

    Snippets run this on every section of every hit on a page, so it must be quick: the
    first letters of the stems are found in one C pass, and only tokens that start with
    them are cut out and stemmed (a stem keeps its word's first letters).
    """
    if not terms and not prefixes:
        return []
    heads = terms | frozenset(prefixes)
    low = text.lower()
    if len(low) != len(text):
        # Lower-casing changed the length (a dotted capital I, say): offsets would drift.
        return _term_positions_slow(text, terms, prefixes)
    out = []
    token_end = -1
    for end, length in _prefix_automaton(heads).iter(low):
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
        if len(word) < MIN_WORD or word in STOP_WORDS:
            continue
        s = stem(word)
        if s in terms or (prefixes and s.startswith(prefixes)):
            out.append(m.span())
    return out


def _term_positions_slow(
    text: str, terms: frozenset[str], prefixes: tuple[str, ...] = ()
) -> list[tuple[int, int]]:
    """:func:`term_positions` by stemming every token: the reference the fast path must
    equal, and the path for a text whose lower case is longer than it (a dotted capital I:
    "İstanbul" lower-cased is nine characters, so offsets into it would drift)."""
    out = []
    for m in _TOKEN_AT.finditer(text):
        word = m.group().lower()
        if len(word) < MIN_WORD or word in STOP_WORDS:
            continue
        s = stem(word)
        if s in terms or (prefixes and s.startswith(prefixes)):
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
        key = stem(word)
        if weights is None:
            out.append((word, 1.0))
        elif key in weights:
            out.append((key, weights[key]))
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


def beside_mentions(
    words: Iterable[tuple[int, int]], mentions: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The actor mentions, and the word marks that overlap none of them, sorted and each
    once: where a word lies inside a mention ("Forces" in "Popular Mobilization Forces"),
    the mention is kept whole.

    A long brief has thousands of each: with the mentions sorted by start and the furthest
    end reached so far, a mark (s, e) overlaps a mention exactly when the mentions starting
    before e reach past s, one binary search per mark instead of a pass over every mention.
    """
    if not mentions:
        return sorted(set(words))
    ordered = sorted(mentions)
    starts = [a for a, _b in ordered]
    reach = list(itertools.accumulate((b for _a, b in ordered), max))
    kept = set(ordered)
    for s, e in words:
        before = bisect.bisect_left(starts, e)
        if before == 0 or reach[before - 1] <= s:
            kept.add((s, e))
    return sorted(kept)


def best_snippet(
    stored: Mapping[str, Any],
    spans: Callable[[str], list[tuple[int, int]]],
    weights: Weights | None = None,
    chars: int = SNIPPET_CHARS,
) -> Snippet | None:
    """The best passage for a query, preferring the article, saying which section it is.

    ``spans(text)``: where a section's text matches the query (its words, the actors it
    named), sorted. ``weights``: each index word's rarity (its idf; ACTOR_KEY for the named
    actors), so that the passage shows the query's rarest words; without them every word
    counts the same. None when no section has a match (see :func:`lead_snippet`).
    """
    best: tuple[float, str, str, list[tuple[int, int]]] | None = None
    for section in ("article", "comment", "title"):
        text = stored.get(section) or ""
        if not text:
            continue
        found = _outside(spans(text), _tag_ranges(text))
        if not found:
            continue
        score = _distinct_weight(_span_keys(text, found, weights)) * 10 + min(len(found), 9)
        if section == "title":
            score -= 5  # a title hit is already visible in the result's title
        if best is None or score > best[0]:
            best = (score, section, text, found)
    if best is None:
        return None
    _, section, text, found = best
    if section == "title":
        return Snippet(section, text, tuple(found))
    return _make_snippet(section, text, found, chars, weights)


def lead_snippet(stored: Mapping[str, Any], chars: int = SNIPPET_CHARS) -> Snippet | None:
    """The article's opening words as a snippet, for a hit that no query word marks."""
    text = " ".join(_TAG.sub(" ", stored.get("article") or "").split())
    if not text:
        return None
    if len(text) > chars:
        cut = text.rfind(" ", 0, chars)
        text = text[: cut if cut > 0 else chars] + " …"
    return Snippet("article", text, ())
