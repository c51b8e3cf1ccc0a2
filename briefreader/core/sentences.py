"""Sentences of a text, as (start, end) offsets, for quoting an analyst's words.

A plain rule rather than a language model: a sentence ends at ".", "!" or "?" (closing quotes
and brackets included) followed by white space, or at a blank line. A full stop after an
initial or a dotted acronym ("P.M.F.", "U.S."), or after a common title ("Gen.", "Mr."),
does not end one when what follows is not a capital letter starting a new thought, which
keeps "the P.M.F. commander said" whole.
"""

from __future__ import annotations

import re

#: Abbreviations after which a full stop rarely ends a sentence.
ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr gen lt col maj capt sgt adm brig cmdr gov sen rep st no vs etc jr sr prof rev
    hon fig approx dept univ est
    """.split()  # noqa: SIM905 - a word list reads best as text
)

_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)|\n\s*\n")
_WORD_BEFORE = re.compile(r"([\w.]+)[.!?]*[\"'”’)\]]*$")
_DOTTED = re.compile(r"^(?:\w\.)+\w?$")
#: How far back from a full stop the word before it is looked for.
_WORD_REACH = 64


def _ends_here(text: str, stop: int, end: int) -> bool:
    """Whether the terminator text[stop:end] ends a sentence."""
    if text[stop] != ".":
        return True
    # Only the last few characters can hold the word: searching from 0 made a text of n
    # sentences cost n times its length (45 ms for a 4,000-character brief).
    m = _WORD_BEFORE.search(text, max(0, stop - _WORD_REACH), end)
    word = m.group(1) if m else ""
    bare = word.rstrip(".")
    nxt = text[end : end + _WORD_REACH].lstrip()[:1]
    if bare.lower() in ABBREVIATIONS:
        return False
    if len(bare) == 1 and bare.isupper() or _DOTTED.match(word):
        # An initial or a dotted acronym: a sentence goes on unless a capital follows and
        # the acronym is long enough to have ended it ("... the U.S. The next day").
        return bool(nxt) and nxt.isupper() and len(bare) > 2
    return True


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """The sentences of ``text`` as (start, end) offsets, white space trimmed, none empty."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(text):
        if not m.group().startswith("\n") and not _ends_here(text, m.start(), m.end()):
            continue
        end = m.end() if not m.group().startswith("\n") else m.start()
        _trimmed(text, start, end, out)
        start = m.end()
    _trimmed(text, start, len(text), out)
    return out


def _trimmed(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append((start, end))
