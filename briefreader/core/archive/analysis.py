"""Text to index words exactly as the local index makes them, with positions, as tsvectors.

The archive does its own analysis instead of PostgreSQL's ``english`` configuration so that
a query finds the same briefs on both backends: the same tokens (dotted acronyms whole), the
same stop words, the same Porter stems. Positions count kept words only (stop words removed
and the rest renumbered, as the local analyzer does), so a phrase matches alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from briefreader.core.search.snippets import term_positions
from briefreader.core.search.words import TOKEN, index_word

#: tsvector limits: positions above 16,383 are not kept, nor lexemes of 2 KB or more.
MAX_POSITION = 16383
MAX_LEXEME_BYTES = 2000
#: Sections by tsvector weight: A title, B article, C comment.
WEIGHTS = {"title": "A", "article": "B", "comment": "C"}
#: A gap between sections, so that no phrase runs from the title into the article.
SECTION_GAP = 8

#: The index word of one lower-cased token, or None for a stop word or a short one.
stem = index_word


def words(text: str) -> list[str]:
    """The index words of ``text`` in order (what a phrase is made of).

    Tokens are found in one C call and each stemmed through the stem cache; a token is
    lower-cased by itself, as the local analyzer does (never the whole text at once).
    """
    return [s for s in map(index_word, map(str.lower, TOKEN.findall(text))) if s]


def spans(
    text: str, terms: frozenset[str], prefixes: tuple[str, ...] = ()
) -> Iterator[tuple[int, int]]:
    """Where ``text`` has a word whose index word is in ``terms`` (or starts a prefix): the
    search's own routine, the local index's (core.search.snippets.term_positions)."""
    yield from term_positions(text, terms, prefixes)


def quote(lexeme: str) -> str:
    """A lexeme as tsvector and tsquery input spell it (quoted, quotes and backslashes doubled)."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


_QUOTED: dict[str, str] = {}


def _quoted(lexeme: str) -> str:
    q = _QUOTED.get(lexeme)
    if q is None:
        if len(_QUOTED) > 500_000:
            _QUOTED.clear()
        q = _QUOTED[lexeme] = quote(lexeme)
    return q


def tsvector(
    sections: Iterable[tuple[str, str]],
) -> tuple[str, dict[str, int], dict[str, set[str]]]:
    """(tsvector literal, words per section weight, distinct words per section weight).

    ``sections`` are (section name, text) pairs in order: title, article, comment. The
    distinct words of a section are those the tsvector keeps a position of in it (what the
    push counts from the tsvector itself: a word past its first 256 positions is not there).
    """
    positions: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    pos = 0
    for name, text in sections:
        weight = WEIGHTS[name]
        ws = words(text)
        counts[weight] = len(ws)
        for word in ws:
            pos += 1
            if pos > MAX_POSITION:
                break
            if len(word) * 4 > MAX_LEXEME_BYTES and len(word.encode("utf-8")) > MAX_LEXEME_BYTES:
                continue
            where = positions.get(word)
            if where is None:
                positions[word] = [f"{pos}{weight}"]
            else:
                where.append(f"{pos}{weight}")
        else:
            pos += SECTION_GAP
            continue
        pos = MAX_POSITION + 1  # past the last position kept: later sections keep none
    distinct: dict[str, set[str]] = {w: set() for w in WEIGHTS.values()}
    parts = []
    for word, where in positions.items():
        kept = where[:256]
        parts.append(f"{_quoted(word)}:{','.join(kept)}")
        for p in kept:
            distinct[p[-1]].add(word)
    return " ".join(parts), counts, distinct
