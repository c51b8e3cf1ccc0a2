"""What a typed or pasted query may cost: over-long words cut, fuzzy distances lowered.

Front ends pass the user's text through :func:`tame_query` (the library does) and show the
notices it returns, so the user learns what was changed and why.
"""

from __future__ import annotations

import re

#: Longer "words" are cut: spelling suggestions for a 2,000-letter word took minutes.
MAX_WORD_CHARS = 64
#: Fuzzy terms further apart than this enumerate most of the lexicon ("word~9").
MAX_FUZZY_EDITS = 2
_LONG_WORD = re.compile(rf"[^\s()\"]{{{MAX_WORD_CHARS + 1},}}")
_FUZZY = re.compile(r'(?<=[^\s"~])~(\d+(?:\.\d*)?)')


def tame_query(text: str) -> tuple[str, list[str]]:
    """Bound what a typed or pasted query can cost, saying what was changed.

    Word count, length and wildcard expansion are capped by the query builder; this cuts
    over-long words and lowers fuzzy edit distances, which the builder cannot see cheaply.
    """
    notices: list[str] = []
    if _LONG_WORD.search(text):
        text = _LONG_WORD.sub(lambda m: m.group(0)[:MAX_WORD_CHARS], text)
        notices.append(f"words longer than {MAX_WORD_CHARS} characters were cut")

    def lower(m: re.Match[str]) -> str:
        try:
            edits = float(m.group(1))
        except ValueError:
            return m.group(0)
        if edits <= MAX_FUZZY_EDITS:
            return m.group(0)
        if not notices or not notices[-1].startswith("fuzzy"):
            notices.append(f"fuzzy matching was limited to {MAX_FUZZY_EDITS} differences")
        return f"~{MAX_FUZZY_EDITS}"

    return _FUZZY.sub(lower, text), notices
