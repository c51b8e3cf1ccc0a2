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
#: Brackets (and NOTs) nested deeper than this are not read as a tree: a reader that
#: recursed into each level ran out of stack (250 brackets), and no one nests a question so.
MAX_QUERY_DEPTH = 100
#: What a user is told when a query could not be read as written (its words are searched).
UNREADABLE_QUERY = "the query could not be read as written; searched for its words"
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


_OPERATOR_AT_END = re.compile(r"(?:\s+|^)(AND|OR|NOT)\s*$")
_EMPTY_GROUP = re.compile(r"\(\s*\)")


def repair_query(text: str) -> tuple[str, list[str]]:
    """Close what a typed query left open, and say so: the notice a user is promised.

    A lone quote mark is dropped (``"foreign plot`` searches the words), an unclosed range
    or bracket is closed at the end (``date:[2017 to`` -> ``date:[2017 to]``, from 2017 on),
    a ``)`` without its ``(`` is dropped, and so are an empty ``()`` and an operator with
    nothing after it. Without this the parser guessed silently: an unclosed
    range found nothing and a spelling suggestion kept the broken syntax.
    """
    notices: list[str] = []
    if text.count('"') % 2:
        # The words after a lone quote mark are searched as words: as a phrase running to
        # the end of the query they would rarely match anything.
        at = text.rindex('"')
        text = text[:at] + " " + text[at + 1 :]
        notices.append('a quotation mark (") was not closed: searched for the words after it')
    out: list[str] = []
    quote = False
    parens = 0
    bracket_at = -1
    for ch in text:
        if ch == '"':
            quote = not quote
        elif not quote and ch == "(":
            parens += 1
        elif not quote and ch == ")":
            if parens == 0:
                if not any("has no" in n for n in notices):
                    notices.append("a “)” has no “(” before it: it was left out")
                continue
            parens -= 1
        elif not quote and ch == "[":
            bracket_at = len(out)
        elif not quote and ch == "]":
            bracket_at = -1
        out.append(ch)
    repaired = "".join(out)
    if bracket_at >= 0:
        opened = repaired[bracket_at:].strip()
        repaired = repaired.rstrip() + "]"
        notices.append(
            f"the range “{opened}” was not closed: read as “{opened}]” (no end); write"
            " for instance date:[2017 to 2019]"
        )
    if parens:
        repaired += ")" * parens
        notices.append("a “(” was not closed: read as if closed at the end")
    emptied = _EMPTY_GROUP.sub(" ", repaired)
    while True:
        m = _OPERATOR_AT_END.search(emptied)
        if not m:
            break
        notices.append(f"nothing follows {m.group(1)}: it was left out")
        emptied = emptied[: m.start()]
    if emptied != repaired:
        repaired = emptied.strip()
    if not repaired.strip():
        return text, []  # nothing but syntax: left as typed, which finds nothing
    return _order_date_ranges(repaired, notices), notices


_DATE_END = r"\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?"
_DATE_RANGE = re.compile(
    rf"(?i)\b(date:\s*\[\s*)({_DATE_END})(\s+to\s+)({_DATE_END})(\s*\])"
)


def _date_key(value: str) -> tuple[int, ...]:
    return tuple(int(part) for part in value.split("-"))


def _order_date_ranges(text: str, notices: list[str]) -> str:
    """A range written end first (``date:[2019 to 2017]``) is searched the right way round,
    with a notice: as written it could match no date and said nothing."""

    def turn(m: re.Match[str]) -> str:
        start, end = m.group(2), m.group(4)
        # Compare on the precision both ends share: 2017 and 2017-06 are not out of order.
        shared = min(len(_date_key(start)), len(_date_key(end)))
        if _date_key(start)[:shared] <= _date_key(end)[:shared]:
            return m.group(0)
        notices.append(
            f"the date range “{start} to {end}” ends before it starts: searched from {end}"
            f" to {start}"
        )
        return f"{m.group(1)}{end}{m.group(3)}{start}{m.group(5)}"

    return _DATE_RANGE.sub(turn, text)
