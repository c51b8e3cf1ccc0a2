"""What a typed or pasted query may cost: over-long words cut, fuzzy distances lowered.

Front ends pass the user's text through :func:`prepare_query` (both stores' libraries do)
and show the notices it returns, so the user learns what was changed and why. The rest of
this module is what both stores' query readers share, so that a question is read the same
way whichever store answers it: the groups an explicit AND or OR joins
(:func:`group_operands`), and what a search that found nothing says about its stop words.
"""

from __future__ import annotations

import datetime as dt
import re

from briefreader.core.search.words import MIN_WORD, STOP_WORDS, TOKEN

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


#: A "?" that ends a word (or stands alone) ends a question: punctuation, not the one-letter
#: wildcard it is inside a word ("Sulei?ani"). Read as a wildcard, "How does MEDLARS
#: operate?" lost its last word in one store (no index word is "operate" and one letter)
#: and searched "operat*" in the other.
_QUESTION_MARK = re.compile(r"(?<=[\w.)\]\"'’])\?+(?![\w*?])|(?<!\S)\?+(?!\S)")


def prepare_query(text: str) -> tuple[str, list[str]]:
    """A typed query as both stores search it, and the notices saying what was changed:
    its cost bounded (:func:`tame_query`), a question in capitals read as words
    (:func:`read_capitals`), what it left open closed (:func:`repair_query`)."""
    text, notices = tame_query(text)
    text = _QUESTION_MARK.sub(" ", text)
    text, capitals = read_capitals(text)
    text, repaired = repair_query(text)
    return text, [*notices, *capitals, *repaired]


def order_dates(
    since: dt.date | None, until: dt.date | None, notices: list[str]
) -> tuple[dt.date | None, dt.date | None]:
    """A date filter given end first is searched the right way round, with a notice (as it
    stood, it could match no brief and said nothing)."""
    if since is None or until is None or since <= until:
        return since, until
    notices.append(
        f"the dates run backwards ({since.isoformat()} to {until.isoformat()}): searched"
        f" from {until.isoformat()} to {since.isoformat()}"
    )
    return until, since


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
_DATE_RANGE = re.compile(rf"(?i)\b(date:\s*\[\s*)({_DATE_END})(\s+to\s+)({_DATE_END})(\s*\])")


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


# -- questions that must not come back empty ------------------------------------------------

#: The query language's tokens, for both stores: a bracket, a field and its value (quoted,
#: a range, a bracketed list or a word), a quoted phrase with its slop, or a word.
QUERY_TOKEN = re.compile(
    r"""(?P<lp>\()|(?P<rp>\))
    |(?P<field>\w+):(?P<fval>"[^"]*"?|'[^']*'?|\[[^\]]*\]?|\([^)]*\)?|[^\s()"]+)?
    |(?P<phrase>"[^"]*"?)(?P<slop>~\d*)?
    |(?P<word>[^\s()"]+)""",
    re.VERBOSE,
)
#: The operators both stores read, as they must be typed (in capitals).
OPERATORS = ("AND", "OR", "NOT")
#: Those that join two groups (NOT only marks the group after it).
JOINING = ("AND", "OR")
#: A word with a prefix of the query language: ``-word`` (NOT), ``+word`` (required).
_SIGNED = re.compile(r"^[+-][\w\"(]")


def _says_boolean(m: re.Match[str]) -> bool:
    """Whether a token beside an operator is of the query language (a bracket, a phrase, a
    field, a minus or plus word) or a word with a lower-case letter."""
    if m.group("lp") or m.group("rp") or m.group("phrase") is not None:
        return True
    if m.group("field"):
        return bool(m.group("fval"))
    word = m.group("word") or ""
    return bool(_SIGNED.match(word)) or any(c.islower() for c in word)


def read_capitals(text: str) -> tuple[str, list[str]]:
    """Read AND, OR and NOT between words in capitals as words, saying so.

    Cables, telegrams and old reports are written in capitals, and analysts paste from them:
    "I WOULD BE INTERESTED IN MILITIAS AND WHY THEY DISARM" is a question, not a Boolean
    query that wants every word. An operator keeps its meaning where the query around it
    looks like one: beside a bracket, a quoted phrase, a field, a minus word or a lower-case
    word (or beside another operator that does: "AND NOT iran"). A pasted text in capitals
    with a bracket or a quotation somewhere ("... ANALYSIS AND RETRIEVAL SYSTEM (MEDLARS)")
    keeps its other ANDs as words.
    """
    tokens = list(QUERY_TOKEN.finditer(text))
    ops = [i for i, m in enumerate(tokens) if m.group("word") in OPERATORS]
    if not ops:
        return text, []
    counted: set[int] = set()
    changed = True
    while changed:
        changed = False
        for i in ops:
            if i in counted:
                continue
            for j in (i - 1, i + 1):
                if not 0 <= j < len(tokens):
                    continue
                beside = tokens[j]
                operator = beside.group("word") in OPERATORS
                if (j in counted) if operator else _says_boolean(beside):
                    counted.add(i)
                    changed = True
                    break
    as_words = [i for i in ops if i not in counted]
    if not as_words:
        return text, []
    out = text
    for i in reversed(as_words):
        m = tokens[i]
        out = out[: m.start()] + m.group(0).lower() + out[m.end() :]
    found = list(dict.fromkeys(tokens[i].group("word") for i in as_words))
    return out, [
        f"{_listing(found)} between words in capitals read as"
        f" {'a word, not an operator' if len(found) == 1 else 'words, not operators'} (beside"
        " a lower-case word, a bracket or quotes, an operator is one)"
    ]


def _listing(words: list[str]) -> str:
    """“a”, “b” and “c”."""
    quoted = [f"“{w}”" for w in words]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def has_operators(text: str) -> bool:
    """Whether a query joins groups with an explicit AND or OR (outside quotes)."""
    return any(m.group("word") in JOINING for m in QUERY_TOKEN.finditer(text))


def group_operands(text: str) -> str:
    """Put the words an explicit AND or OR joins in brackets, so that each side is a group.

    "Iraq militia Baghdad zzzz AND Tehran" is read as "(Iraq militia Baghdad zzzz) AND
    Tehran" by both stores (their parsers bound AND to the nearest word, and the local one
    OR too), and each group then keeps the all-words-first-then-some-words rule: a word no
    brief has empties nothing. NOT, a minus or a plus stays with the operand after it.
    Brackets are put in around the groups; the rest of the text is left as typed.
    """
    tokens = list(QUERY_TOKEN.finditer(text))
    if not any(m.group("word") in JOINING for m in tokens):
        return text
    inserts: list[tuple[int, str]] = []
    # Each open level of brackets: its operands as (start, end) spans, split at AND and OR.
    levels: list[list[list[tuple[int, int]]]] = [[[]]]
    joined = [False]
    pending: int | None = None  # where a NOT, a lone minus or plus before an operand starts
    for m in tokens:
        word = m.group("word")
        if word in JOINING:
            levels[-1].append([])
            joined[-1] = True
            pending = None
        elif word == "NOT" or word in ("-", "+"):
            pending = m.start() if pending is None else pending
        elif m.group("lp"):
            if len(levels) > MAX_QUERY_DEPTH:
                return text
            levels.append([[]])
            joined.append(False)
            levels[-2][-1].append((m.start() if pending is None else pending, -1))
            pending = None
        elif m.group("rp"):
            if len(levels) == 1:
                return text  # unbalanced: left as typed (repair_query mends these first)
            _wrap(levels.pop(), joined.pop(), inserts)
            start, _ = levels[-1][-1][-1]
            levels[-1][-1][-1] = (start, m.end())
        else:
            levels[-1][-1].append((m.start() if pending is None else pending, m.end()))
            pending = None
    if len(levels) != 1:
        return text
    _wrap(levels[0], joined[0], inserts)
    if not inserts:
        return text
    out = text
    for at, mark in sorted(inserts, key=lambda x: -x[0]):
        out = out[:at] + mark + out[at:]
    return out


def _wrap(
    groups: list[list[tuple[int, int]]], joined: bool, inserts: list[tuple[int, str]]
) -> None:
    """Brackets around each group of two operands or more, where operators joined groups."""
    if not joined:
        return
    for group in groups:
        if len(group) >= 2:
            inserts.append((group[0][0], "("))
            inserts.append((group[-1][1], ")"))


def stop_words_only(text: str) -> list[str]:
    """Why a query found nothing when every word of it is one the index leaves out.

    Stop words ("the", "to be or not") are not indexed, so no store can search them; a
    query of nothing else says so instead of answering with nothing and no word. A query
    with a filter (a date, an actor, a source, a tag) or a wildcard is not such a query.
    """
    words: list[str] = []
    for m in QUERY_TOKEN.finditer(text):
        if m.group("lp") or m.group("rp"):
            continue
        if m.group("field"):
            if m.group("field").lower() not in ("title", "article", "comment"):
                return []
            value = m.group("fval") or ""
        else:
            value = m.group("phrase") or m.group("word") or ""
            if value in OPERATORS:
                continue
        if re.search(r"[*?]", value):
            return []
        words.extend(w.lower() for w in TOKEN.findall(value))
    if not words or any(w not in STOP_WORDS and len(w) >= MIN_WORD for w in words):
        return []
    shown = list(dict.fromkeys(words))
    if len(shown) == 1:
        said = f"{_listing(shown)} is too common a word to be indexed (a stop word): a search"
        said += " for it alone"
    else:
        listed = _listing(shown) if len(shown) <= 6 else ", ".join(f"“{w}”" for w in shown[:6])
        said = f"{listed}{', ...' if len(shown) > 6 else ''} are too common to be indexed"
        said += " (stop words): a search for them alone"
    return [f"{said} finds nothing; add a word that says what you look for"]


def groups_notice(all_words_found: bool) -> str:
    """What a search whose AND or OR joined groups of words says when briefs with only
    some of a group's words are listed."""
    if all_words_found:
        return (
            "briefs with every word come first, then those with some of the words of each"
            " group that AND or OR joins"
        )
    return (
        "no brief has every word: listed are those with some of the words of each group"
        " that AND or OR joins"
    )
