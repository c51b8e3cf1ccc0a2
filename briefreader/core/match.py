"""Find actor names in text fast enough to run over every brief while indexing.

All aliases of all actors go into one Aho-Corasick automaton (pyahocorasick) keyed by their
case-folded, typographically normalised form. One pass over a brief yields every candidate
hit in C; Python then checks the hits for case and word boundaries and keeps the
leftmost-longest ones. Most hits are acronyms inside words ("us" in "because", "kh" in
"sheikh"), so case is checked first, by one dictionary look-up, and the rest only for the
hits that pass. ``benchmarks/bench_matcher.py`` measures this against a plain alternation
regex, which is why the regex is not here.

Offsets are code-point offsets into the text given to :meth:`Matcher.find` (plus ``offset``),
so every normalisation below keeps a map back to the original positions.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ahocorasick

if TYPE_CHECKING:
    from briefreader.core.brief import Brief

# Apostrophes and quotes as typesetters write them; aliases and text are compared as if
# they were the straight ASCII ones. U+02BC is a letter to Unicode but an apostrophe in
# transliterated Arabic ("Asaʼib"), so it is treated as one everywhere, boundaries included.
APOSTROPHES = "\u2019\u2018\u02bc\u201b\u2032\uff07"
QUOTES = "\u201c\u201d\u201e\u201f\u2033\uff02"
_HYPHENS = "\u2010\u2011"
# Every whitespace character but the plain space (str.isspace, the same set re's \s uses).
_OTHER_SPACES = "".join(chr(c) for c in range(0x3001) if chr(c).isspace() and c != 0x20)

#: Typographic characters read as their plain forms, one for one (offsets stay put).
REPLACEMENTS: tuple[tuple[str, str], ...] = (
    tuple((c, "'") for c in APOSTROPHES)
    + tuple((c, '"') for c in QUOTES)
    + tuple((c, "-") for c in _HYPHENS)
    + tuple((c, " ") for c in _OTHER_SPACES)
)
_SPECIAL = re.compile("[" + re.escape("".join(old for old, _ in REPLACEMENTS)) + "]|  ")
_HAS_WORD = re.compile(r"[^\W_]")
_NOT_WORD = frozenset(APOSTROPHES)


@dataclass(frozen=True, slots=True)
class Mention:
    """One actor named in a text; ``text`` is exactly the characters between start and end."""

    actor_id: str
    start: int
    end: int
    text: str
    section: str | None = None


def is_word_char(c: str) -> bool:
    """True for characters that continue a word: letters, digits and combining marks.

    Combining marks count so that a name never matches the bare letters of a decomposed
    accented word ("Jose" inside "Jose\u0301").
    """
    if c.isalnum():
        return c not in _NOT_WORD
    return c > "\x7f" and unicodedata.category(c).startswith("M")


def is_case_sensitive_alias(alias: str, actor_match_case: bool) -> bool:
    """Whether an alias matches only as written.

    Aliases written in capitals ("US", "IRGC", "P.M.F.") are acronyms: read case-insensitively
    they would find "us" in "told us". An actor can also ask for exact case for all its names.
    """
    if actor_match_case:
        return True
    letters = [c for c in alias if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def normalise(text: str) -> str:
    """Straighten apostrophes and quotes and collapse whitespace runs to one space."""
    return normalise_mapped(text)[0]


def fold(text: str) -> str:
    """Lower-case ``text`` without ever changing its length, so offsets stay valid.

    ``str.lower`` turns "İ" into two code points; such characters are left as they are.
    Final sigma is folded to plain sigma, since ``str.lower`` picks the form by context.
    """
    low = text.lower()
    if len(low) != len(text):
        low = "".join(_fold_char(c) for c in text)
    if "\u03c2" in low:
        low = low.replace("\u03c2", "\u03c3")
    return low


def _fold_char(c: str) -> str:
    low = c.lower()
    return low if len(low) == 1 else c


def normalise_mapped(text: str) -> tuple[str, list[int] | None, list[int] | None]:
    """Normalised text plus the breakpoints that map its offsets back to ``text``.

    Replacing characters one for one keeps offsets; only collapsing whitespace runs shifts
    them. For normalised offset ``i``, the original offset is ``i + shifts[k]`` where ``k`` is
    the last breakpoint with ``starts[k] <= i`` (or ``i`` itself before the first one).
    """
    if _SPECIAL.search(text) is None:
        return text, None, None
    for old, new in REPLACEMENTS:
        if old in text:
            text = text.replace(old, new)
    if "  " not in text:
        return text, None, None
    pieces: list[str] = []
    starts: list[int] = []
    shifts: list[int] = []
    pos = 0
    removed = 0
    n = len(text)
    a = text.find("  ")  # str.find: several times quicker than a regex over the text
    while a >= 0:
        b = a + 2
        while b < n and text[b] == " ":
            b += 1
        pieces.append(text[pos : a + 1])
        starts.append(a + 1 - removed)
        removed += b - a - 1
        shifts.append(removed)
        pos = b
        a = text.find("  ", b)
    pieces.append(text[pos:])
    return "".join(pieces), starts, shifts


#: A text ready for matching: itself, normalised, the offset breakpoints back, folded.
_Prepared = tuple[str, str, "list[int] | None", "list[int] | None", str]


def _prepare(text: str) -> _Prepared:
    norm, starts, shifts = normalise_mapped(text)
    return text, norm, starts, shifts, fold(norm)


def _kept(found: list[tuple[int, int, str, int, int]]) -> list[tuple[int, int, str, int]]:
    """Of overlapping names, the one starting first, the longest of those: (start, end,
    actor id, normalised start), in order."""
    found.sort()
    out = []
    reached = 0
    for s, neg_e, actor_id, first, _end in found:
        if s >= reached:
            reached = -neg_e
            out.append((s, reached, actor_id, first))
    return out


def reading_start(found: list[tuple[int, int, str, int, int]], at: int) -> int:
    """The place at or before ``at`` where a reading can start: the start of the run of
    overlapping names (normalised starts and ends) that spans ``at``, or ``at`` itself
    when no name does (one sort and one sweep, however long the run)."""
    run_start = run_end = -1
    for _s, _e, _actor, first, end in sorted(found, key=lambda r: r[3]):
        if first < run_end:
            run_end = max(run_end, end)
        else:
            if run_start < at < run_end:
                break
            run_start, run_end = first, end
    return run_start if run_start < at < run_end else at


def alias_key(alias: str) -> str:
    """The normalised form of an alias, case kept: what case-sensitive matching compares."""
    return normalise(alias.strip()).strip()


def _keys(aliases: Iterable[str]) -> tuple[list[str], list[str]]:
    """alias_key and its fold for many aliases at once.

    Normalising one NUL-joined string instead of each alias keeps the Python work per alias
    to a split: building the matcher for 50,000 names is dominated by these steps otherwise.
    """
    items = list(aliases)
    joined = "\0".join(items)
    if joined.count("\0") != max(0, len(items) - 1):  # an alias holds a NUL: go one by one
        keys = [alias_key(a) for a in items]
        return keys, [fold(k) for k in keys]
    keys = [k.strip() for k in normalise(joined).split("\0")] if items else []
    joined = "\0".join(keys)
    low = joined.lower()
    if len(low) != len(joined):
        return keys, [fold(k) for k in keys]
    if "\u03c2" in low:
        low = low.replace("\u03c2", "\u03c3")
    return keys, low.split("\0") if items else []


class Matcher:
    """Every alias of every actor, ready to be found in text.

    ``entries`` are (alias, actor id, case sensitive). When two entries share an alias the
    first one wins, except that an exact-case entry beats a case-insensitive one on text
    written exactly like it. A matcher pickles with its automaton (pyahocorasick supports
    it): unpickling in a worker process is several times faster than building again. Send
    it once per worker (a pool initializer), not with every task.
    """

    def __init__(self, entries: Iterable[tuple[str, str, bool]]) -> None:
        self._entries = tuple(entries)
        # The first entry of a name wins: a case-insensitive name by its fold, an exact-case
        # name (kept under its fold) as written.
        folded_names: dict[str, str] = {}
        exact_names: dict[str, dict[str, str]] = {}
        variants: list[tuple[str, str, bool]] = []
        keys, folds = _keys(alias for alias, _, _ in self._entries)
        has_word = _HAS_WORD.search
        for (_, actor_id, case_sensitive), key, folded in zip(
            self._entries, keys, folds, strict=True
        ):
            if not has_word(key):
                continue
            if case_sensitive:
                exact_names.setdefault(folded, {}).setdefault(key, actor_id)
            else:
                folded_names.setdefault(folded, actor_id)
            if key[-1] == ".":
                # "P.M.F." is often written "P.M.F" (before a possessive, or carelessly).
                bare = key.rstrip(".")
                if has_word(bare):
                    variants.append((bare, actor_id, case_sensitive))
        # Variants after every written alias, so a real alias beats a variant.
        for key, actor_id, case_sensitive in variants:
            if case_sensitive:
                exact_names.setdefault(fold(key), {}).setdefault(key, actor_id)
            else:
                folded_names.setdefault(fold(key), actor_id)
        names = list(dict.fromkeys([*folded_names, *exact_names]))
        self._automaton: Any = None
        self._size = len(names)
        #: The longest name, in characters of normalised text.
        self._longest = max(map(len, names), default=0)
        if names:
            automaton = ahocorasick.Automaton()
            add_word = automaton.add_word
            for folded in names:
                # Text written as one of the exact-case names of these letters is that
                # name's, any other text the case-insensitive name's (if there is one).
                add_word(folded, (len(folded), folded_names.get(folded), exact_names.get(folded)))
            automaton.make_automaton()
            self._automaton = automaton

    def __len__(self) -> int:
        """Number of distinct (folded) names the matcher looks for."""
        return self._size

    @property
    def entries(self) -> tuple[tuple[str, str, bool], ...]:
        return self._entries

    def find(self, text: str, offset: int = 0, section: str | None = None) -> list[Mention]:
        """Actor mentions in ``text``: whole words, sorted, non-overlapping, longest first.

        ``offset`` is added to every start and end, so a section's mentions carry offsets
        into the whole brief.
        """
        if self._automaton is None or not text:
            return []
        out: list[Mention] = []
        for s, e, actor_id, _first in _kept(self._scan(_prepare(text))):
            out.append(Mention(actor_id, offset + s, offset + e, text[s:e], section))
        return out

    def spans_of(
        self, text: str, actor_ids: frozenset[str], narrow: Matcher
    ) -> list[tuple[int, int]]:
        """(start, end) of the mentions :meth:`find` keeps whose actor is one of
        ``actor_ids``; ``narrow`` is a matcher of those actors' names alone.

        Snippets ask this of every section of every hit. ``narrow`` finds where those names
        stand, and only a stretch around each place is read with this matcher: far enough
        back to start where no name of the glossary spans the place the reading starts
        from, so that what is kept there is what reading the whole text keeps.
        """
        if self._automaton is None or narrow._automaton is None or not text:
            return []
        prep = _prepare(text)
        places = sorted(r[3] for r in narrow._scan(prep))
        if not places:
            return []
        reach = self._longest
        windows: list[list[int]] = []  # [start, end, first place, last place]
        for at in places:
            if windows and at - 3 * reach <= windows[-1][1]:
                windows[-1][1], windows[-1][3] = at + 2 * reach, at
            else:
                windows.append([max(0, at - 3 * reach), at + 2 * reach, at, at])
        out: list[tuple[int, int]] = []
        for a, b, first, last in windows:
            raw = self._scan(prep, a, min(b, len(prep[1])))
            begin = reading_start(raw, first)
            if a > 0 and begin < a + reach:
                # A name that starts before the stretch could reach past its start: read
                # the whole text (names overlapping over three names' length are rare).
                whole = _kept(self._scan(prep))
                return [(s, e) for s, e, actor, _f in whole if actor in actor_ids]
            kept = _kept([r for r in raw if r[3] >= begin])
            out.extend((s, e) for s, e, actor, f in kept if actor in actor_ids and f <= last)
        return out

    def _scan(
        self, prep: _Prepared, a: int = 0, b: int | None = None
    ) -> list[tuple[int, int, str, int, int]]:
        """Every name of this matcher standing as whole words in the normalised text's
        ``[a, b)``, overlaps and all: (start, -end, actor id, normalised start, normalised
        end), start and end in the original text."""
        text, norm, starts, shifts, folded = prep
        n = len(text)
        word = is_word_char
        found: list[tuple[int, int, str, int, int]] = []
        # A stretch is handed over as a slice: pyahocorasick converts the whole string it is
        # given at every call, whatever its start and end (snippets read many stretches of
        # one long text: a pass over the text per stretch).
        if a == 0 and (b is None or b >= len(folded)):
            it = self._automaton.iter(folded)
        else:
            it = self._automaton.iter(folded[a:b])
        for last, (length, actor_id, exact) in it:
            last += a
            first = last - length + 1
            if exact is not None:
                # Case first: an acronym inside a word is turned away by this look-up alone.
                actor_id = exact.get(norm[first : last + 1], actor_id)
                if actor_id is None:
                    continue
            if starts is None or shifts is None:
                s, e = first, last + 1
            else:
                k = bisect.bisect_right(starts, first) - 1
                s = first + shifts[k] if k >= 0 else first
                k = bisect.bisect_right(starts, last) - 1
                e = (last + shifts[k] if k >= 0 else last) + 1
            # ASCII characters are word characters exactly when alphanumeric.
            if s > 0:
                c = text[s - 1]
                if c.isalnum() if c < "\x80" else word(c):
                    continue
            if e < n:
                c = text[e]
                if c.isalnum() if c < "\x80" else word(c):
                    continue
            found.append((s, -e, actor_id, first, last + 1))
        return found

    def find_in_brief(self, brief: Brief) -> list[Mention]:
        """Mentions in the article and the comment, offsets into ``brief.text``."""
        out: list[Mention] = []
        for section, start, text in brief.sections():
            out.extend(self.find(text, offset=start, section=section))
        return out

    def actors_in(self, text: str) -> list[str]:
        """The actor of each mention :meth:`find` gives, in the same order, without the
        mentions themselves: what the index keeps of a text (a third less time)."""
        if self._automaton is None or not text:
            return []
        return [found[2] for found in _kept(self._scan(_prepare(text)))]

    def name_spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of each mention :meth:`find` gives, in the same order."""
        if self._automaton is None or not text:
            return []
        return [(found[0], found[1]) for found in _kept(self._scan(_prepare(text)))]

    def actors_in_brief(self, brief: Brief) -> tuple[list[str], list[str]]:
        """:meth:`actors_in` of the brief's article and of its comment."""
        comment = brief.comment if brief.comment_start is not None else None
        return self.actors_in(brief.article), self.actors_in(comment or "")


@dataclass(frozen=True, slots=True)
class NameSpans:
    """(start, end) of every name ``matcher`` finds in a text: a function of the text that
    pickles, matcher and all, so that a helper process started with spawn can be given it."""

    matcher: Matcher

    def __call__(self, text: str) -> list[tuple[int, int]]:
        return self.matcher.name_spans(text)
