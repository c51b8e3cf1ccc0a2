"""Snippets and hit marks: the query's words re-found in stored text."""

from __future__ import annotations

import functools
import logging
import re
from typing import TYPE_CHECKING, Any

import ahocorasick

from briefreader.core.index.schema import STOP_WORDS, _stem_of
from briefreader.core.records import Snippet

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
        if _stem_of(word) in terms:
            out.append(m.span())
    return out


def _term_positions_slow(text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    out = []
    for m in _candidates(terms).finditer(text):
        word = m.group().lower()
        if len(word) < 2 or word in STOP_WORDS:
            continue
        if _stem_of(word) in terms:
            out.append(m.span())
    return out


def _window(
    text: str, spans: list[tuple[int, int]], chars: int
) -> tuple[int, int, list[tuple[int, int]]]:
    """The stretch of about ``chars`` characters holding the most distinct matched words."""
    best = (-1, 0, 0)
    j = 0
    for i, (start, _end) in enumerate(spans):
        while j < len(spans) and spans[j][1] - start <= chars:
            j += 1
        distinct = len({text[a:b].lower() for a, b in spans[i:j]})
        score = distinct * 100 + (j - i)
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
    return begin, end, spans[i:j]


def _make_snippet(section: str, text: str, spans: list[tuple[int, int]], chars: int) -> Snippet:
    begin, end, inside = _window(text, spans, chars)
    lead = "… " if begin > 0 else ""
    tail = " …" if end < len(text) else ""
    body = text[begin:end]
    # One line: newlines become spaces (same length, so offsets hold).
    body = body.replace("\n", " ")
    marks = [(len(lead) + a - begin, len(lead) + b - begin) for a, b in inside]
    return Snippet(section, *_plain(lead + body + tail, marks))


_MARKUP = frozenset("*`")  # also spelled out in _plain's quick test


def _plain(text: str, marks: list[tuple[int, int]]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Drop Markdown emphasis characters from a snippet, keeping the marks on their words."""
    if "*" not in text and "`" not in text:
        return text, tuple(marks)
    new_pos: list[int] = []
    kept: list[str] = []
    for c in text:
        new_pos.append(len(kept))
        if c not in _MARKUP:
            kept.append(c)
    new_pos.append(len(kept))
    moved = tuple((new_pos[a], new_pos[b]) for a, b in marks if new_pos[a] < new_pos[b])
    return "".join(kept), moved


def _snippet_for(
    stored: dict[str, Any], parsed: ParsedQuery, builder: QueryBuilder, chars: int = 220
) -> Snippet | None:
    """The best passage for the query, preferring the article, saying which section it is."""
    best: tuple[int, str, str, list[tuple[int, int]]] | None = None
    for section in ("article", "comment", "title"):
        text = stored.get(section) or ""
        if not text:
            continue
        spans = builder.spans(text, parsed)
        if not spans:
            continue
        distinct = len({text[a:b].lower() for a, b in spans})
        score = distinct * 10 + min(len(spans), 9)
        if section == "title":
            score -= 5  # a title hit is already visible in the result's title
        if best is None or score > best[0]:
            best = (score, section, text, spans)
    if best is None:
        return None
    _, section, text, spans = best
    if section == "title":
        return Snippet(section, text, tuple(spans))
    return _make_snippet(section, text, spans, chars)


def _lead_snippet(stored: dict[str, Any], chars: int = 220) -> Snippet | None:
    text = " ".join((stored.get("article") or "").split())
    if not text:
        return None
    if len(text) > chars:
        cut = text.rfind(" ", 0, chars)
        text = text[: cut if cut > 0 else chars] + " …"
    return Snippet("article", text, ())


def hit_spans(builder: QueryBuilder, text: str, parsed: ParsedQuery) -> list[tuple[int, int]]:
    """Offsets in ``text`` of what the query matched: words as written, actor mentions."""
    return builder.spans(text, parsed)
