"""Text to index words exactly as the local index makes them, with positions, as tsvectors.

The archive does its own analysis instead of PostgreSQL's ``english`` configuration so that
a query finds the same briefs on both backends: the same tokens (dotted acronyms whole), the
same stop words, the same Porter stems. Positions count kept words only (stop words removed
and the rest renumbered, as the local analyzer does), so a phrase matches alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from briefreader.core.index import analysed_terms
from briefreader.core.index.schema import STOP_WORDS

#: The local index's token pattern (core/index/schema.py).
TOKEN = re.compile(r"\w+(?:\.?\w+)*", re.UNICODE)
#: tsvector limits: positions above 16,383 are not kept, nor lexemes of 2 KB or more.
MAX_POSITION = 16383
MAX_LEXEME_BYTES = 2000
#: Sections by tsvector weight: A title, B article, C comment.
WEIGHTS = {"title": "A", "article": "B", "comment": "C"}
#: A gap between sections, so that no phrase runs from the title into the article.
SECTION_GAP = 8

_STEMS: dict[str, str] = {}


def stem(word: str) -> str | None:
    """The index word of one lower-cased token, or None for a stop word or a short one."""
    cached = _STEMS.get(word)
    if cached is not None:
        return cached or None
    out = "" if len(word) < 2 or word in STOP_WORDS else next(analysed_terms(word), "")
    if len(_STEMS) > 500_000:
        _STEMS.clear()
    _STEMS[word] = out
    return out or None


def words(text: str) -> list[str]:
    """The index words of ``text`` in order (what a phrase is made of)."""
    out = []
    for m in TOKEN.finditer(text):
        s = stem(m.group().lower())
        if s is not None:
            out.append(s)
    return out


def spans(
    text: str, terms: frozenset[str], prefixes: tuple[str, ...] = ()
) -> Iterator[tuple[int, int]]:
    """Where ``text`` has a word whose index word is in ``terms`` (or starts a prefix)."""
    for m in TOKEN.finditer(text):
        s = stem(m.group().lower())
        if s is not None and (s in terms or (prefixes and s.startswith(prefixes))):
            yield m.start(), m.end()


def quote(lexeme: str) -> str:
    """A lexeme as tsvector and tsquery input spell it (quoted, quotes and backslashes doubled)."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector(
    sections: Iterable[tuple[str, str]],
) -> tuple[str, dict[str, int], dict[str, set[str]]]:
    """(tsvector literal, words per section weight, distinct words per section weight).

    ``sections`` are (section name, text) pairs in order: title, article, comment.
    """
    positions: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    distinct: dict[str, set[str]] = {}
    pos = 0
    for name, text in sections:
        weight = WEIGHTS[name]
        n = 0
        seen = distinct.setdefault(weight, set())
        for word in words(text):
            n += 1
            pos += 1
            if pos > MAX_POSITION or len(word.encode("utf-8")) > MAX_LEXEME_BYTES:
                continue
            seen.add(word)
            positions.setdefault(word, []).append(f"{pos}{weight}")
        counts[weight] = n
        pos += SECTION_GAP
    literal = " ".join(
        f"{quote(word)}:{','.join(where[:256])}" for word, where in positions.items()
    )
    return literal, counts, distinct
