"""Where a mark may begin and end in a Markdown source: off whitespace and off syntax.

A placeholder standing inside Markdown syntax changes what the Markdown lays out (one between
the stars of "**" makes them text) or is lost with a tag, and the change of marking with it,
so the mark runs on. :class:`Boundaries` moves each boundary inwards, off the syntax, for
:mod:`briefreader.core.render_marks` to put its placeholders there; :class:`Lines` finds a
line's block syntax once however many boundaries fall on it.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterable

from briefreader.core.render_layout import CLEAN_CONTENT_TAGS

# Inline syntax a placeholder must not land inside (at its edges it may), found where one
# overlaps another too: link targets and reference names, tags (over lines too) and
# autolinks, entities, backslash escapes, an image's "![", footnote references, and runs of
# backticks (one between two "`" makes them two, and the code span they began is gone).
_INLINE = re.compile(
    r"(?=[\]<&\\!\[`])(?=(\]\((?:[^()\n]|\n(?![ \t]*\n)|\([^()\n]*\))*\)"
    r"|\]\s?\[[^\]\n]*\]"
    r"|</?[A-Za-z][^\s\"'<>]*(?:\"[^\"<]*\"|'[^'<]*'|[^\"'<>])*>"
    r"|<[^<>\n]*>"
    r"|&#?[A-Za-z0-9]+;"
    r"|\\[\\`*_{}\[\]()>#+\-.!|]"
    r"|!\["
    r"|\[\^[^\]\n]*\]"
    r"|(?<!`)`{2,}))"
)
# Runs of emphasis markers: what a run does is read from the characters either side of it,
# so a placeholder must not touch one, on either side, nor land inside it. Underscores inside
# a word are text, and a placeholder beside one (on either side) would let it begin or end
# emphasis: the letters either side go with them. So too a backslash at a line's end: a
# placeholder after it is read as what it escapes.
_DELIMITERS = re.compile(r"[*_]+|\\(?=\n|\Z)")
_WORD_CHAR = re.compile(r"[^\W_]")
_WORD = re.compile(r"\w+")
# What may come before a definition on its line: a quote's or a list item's markers.
IN_BLOCK = r"^(?:[ \t]*(?:>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+))*[ ]{0,3}"
# Definitions a placeholder must not touch, not even at their edges: one at a definition's
# start keeps it from being one, one at its end is read into it (a reference's address, an
# abbreviation's title). A reference's address or title may be on the next line; of a
# footnote, the label only: its text is text.
_DEFINITIONS = re.compile(
    IN_BLOCK + r"(?P<definition>\[\^[^\]\n]+\]:"
    r"|\[(?P<name>[^\]\n]+)\]:(?:[ \t]*\n)?[^\n]*"
    r"(?:\n[ \t]*(?:\"[^\n]*\"|'[^\n]*'|\([^\n]*\))[ \t]*(?=\n|$))?"
    r"|\*\[(?P<abbreviation>[^\\\n]*?)\][ ]?:[^\n]*)",
    re.MULTILINE,
)
# Where text the reader never sees begins: an HTML comment, or an element the sanitiser
# drops with its content (to its end tag, or to the end of the text).
_HIDDEN = re.compile(
    r"<!--|<(" + "|".join(sorted(CLEAN_CONTENT_TAGS)) + r")(?=[\s/>])", re.IGNORECASE
)
# Text in brackets: a shortcut reference ("[name]" alone) when a reference defines the name.
_BRACKETS = re.compile(r"\[([^\[\]\n]*)\]")
# Block syntax at a line's start: a placeholder inside it, or in front of it, breaks it (a
# footnote's label begins a block too). A fence or a rule is the whole line.
_BLOCK_START = re.compile(
    r"[ \t]*(?:(?:`{3,}|~{3,})[^\n]*|(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})(?=\n|$)"
    r"|(?:#{1,6}[ \t]*|>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+|:[ \t]+|\|[ \t]*"
    r"|\[\^[^\]\n]+\]:[ \t]*)*)"
)
_SPACES = re.compile(r"\s*")
_FENCE_OPENS = re.compile(r"[ \t]*(?:`{3}|~{3})")
_RULE_CHARS = re.compile(r"[ \t*_=-]*")
_TABLE_RULE_CHARS = re.compile(r"[ \t|:-]*")
_QUOTE_MARKS = re.compile(r"[ \t]*(?:>[ \t]*)*")
_RULE = re.compile(r"(?:-[ \t]*){3,}$|(?:\*[ \t]*){3,}$|(?:_[ \t]*){3,}$")
_UNDERLINE = re.compile(r"[=-]+[ \t]*")
# An HTML tag or comment in the source (not an autolink: that is text a reader sees).
_LINE_TAG = re.compile(r"<(?![^<>\n]*(?:://|@))[/!?A-Za-z][^<>\n]*>[ \t]*")


def _past(pattern: re.Pattern[str], text: str, place: int) -> int:
    """Where ``pattern``, one that may match nothing, stops matching from ``place``."""
    found = pattern.match(text, place)
    return found.end() if found else place


class Lines:
    """Where each line of a text starts, and the block syntax at its start and end: found
    once per line, by bisect, however many spans begin or end there (a search back to the
    line's start per span was a pass over a long line per mention)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._newlines = [m.start() for m in re.finditer("\n", text)]
        # Per line start: fence end, third rule character, rule end, head end, tail start.
        self._syntax: dict[int, tuple[int, int, int, int, int]] = {}

    def start_of(self, end: int) -> int:
        """The start of the line holding the character before ``end``."""
        k = bisect.bisect_left(self._newlines, end)
        return self._newlines[k - 1] + 1 if k else 0

    def end_of(self, line_start: int) -> int:
        """The end of the line starting at ``line_start`` (its newline, or the text's end)."""
        k = bisect.bisect_left(self._newlines, line_start)
        return self._newlines[k] if k < len(self._newlines) else len(self.text)

    def _found(self, line_start: int) -> tuple[int, int, int, int, int]:
        found = self._syntax.get(line_start)
        if found is None:
            text = self.text
            fence = _FENCE_OPENS.match(text, line_start)
            rule = _RULE_CHARS.match(text, line_start)
            rule_end = rule.end() if rule else line_start
            third = -1  # just past the third rule character
            count = 0
            for i in range(line_start, rule_end):
                if text[i] in "*_=-":
                    count += 1
                    if count == 3:
                        third = i + 1
                        break
            head, tail = self._head_and_tail(line_start)
            found = (fence.end() if fence else -1, third, rule_end, head, tail)
            self._syntax[line_start] = found
        return found

    def _head_and_tail(self, line_start: int) -> tuple[int, int]:
        text = self.text
        line_end = self.end_of(line_start)
        start = _BLOCK_START.match(text, line_start)
        head = start.end() if start else line_start
        if head < line_end and (
            ("#" not in text[line_start:head] and _RULE.match(text, head, line_end))  # "> ---"
            or self._is_underline(line_start, line_end)
            or self._is_table_rule(line_start, line_end)
        ):
            return line_end, line_end
        # Tags that begin or end a line: one may open or close a block of raw HTML.
        while tag := _LINE_TAG.match(text, head):
            head = tag.end()
        # At the end: tags, a heading's closing hashes (any run of them: "# C#" is a heading
        # "C"), or a table row's last "|".
        end = line_end
        while end > head and text[end - 1] in " \t":
            end -= 1
        tail = end
        while tail > head and text[tail - 1] == ">":
            opening = text.rfind("<", head, tail)
            if opening < 0 or not _LINE_TAG.fullmatch(text, opening, tail):
                break
            tail = opening
        if tail < end:
            return head, tail
        if "#" in text[line_start:head]:
            while tail > head and text[tail - 1] == "#":
                tail -= 1
        elif end > head and text[end - 1] == "|":
            tail = end - 1
        if tail == end or (tail > head and text[tail - 1] == "\\"):
            return head, line_end
        return head, tail

    def _is_underline(self, line_start: int, line_end: int) -> bool:
        """Whether the line underlines a heading: "=" or "-", one or more, under text."""
        quoted = _past(_QUOTE_MARKS, self.text, line_start)
        if line_start == 0 or not _UNDERLINE.fullmatch(self.text, quoted, line_end):
            return False
        return not self._blank(self.start_of(line_start - 1))

    def _is_table_rule(self, line_start: int, line_end: int) -> bool:
        """Whether the line is a table's rule: "|" and "-" (and ":") under a table's head, the
        first line of a block (under a row, such a line is a row of dashes a reader sees)."""
        quoted = _past(_QUOTE_MARKS, self.text, line_start)
        if _past(_TABLE_RULE_CHARS, self.text, quoted) != line_end or line_start == 0:
            return False
        row = self.text[quoted:line_end]
        if "|" not in row or "-" not in row:
            return False
        head = self.start_of(line_start - 1)
        if head == 0:
            return True
        before = self.start_of(head - 1)
        quoted = _past(_QUOTE_MARKS, self.text, before)
        return (
            quoted >= head - 1  # a blank line
            or self.text.startswith("#", quoted)
            or _RULE.match(self.text, quoted, head - 1) is not None
        )

    def _blank(self, line_start: int) -> bool:
        return _past(_QUOTE_MARKS, self.text, line_start) >= self.end_of(line_start)

    def is_syntax(self, line_start: int, end: int) -> bool:
        """Whether ``text[line_start:end]`` is a whole line of block syntax a placeholder must
        not follow: a fence's opening and what follows it, or a rule or a setext underline
        (three or more of ``- * _ =`` among spaces and tabs)."""
        fence_end, third, rule_end, _head, _tail = self._found(line_start)
        return 0 <= fence_end <= end or 0 <= third <= end <= rule_end

    def syntax(self, line_start: int) -> tuple[int, int]:
        """Where the block syntax at the start of a line ends (its markers and indent; the
        line's end for a fence, a rule, an underline or a table's rule), and where the syntax
        at its end begins (a heading's closing hashes; else the line's end)."""
        _fence, _third, _rule, head, tail = self._found(line_start)
        return head, tail


class _Regions:
    """Spans of a text, in order (spans that overlap are taken as one): which one holds a
    place, by bisect. With ``edges``, a boundary may not sit at either edge of a span either."""

    def __init__(self, spans: Iterable[tuple[int, int]], edges: bool = False) -> None:
        self._spans: list[tuple[int, int]] = []
        for low, high in spans:
            if self._spans and low < self._spans[-1][1]:  # overlapping: one span
                before, after = self._spans.pop()
                low, high = before, max(high, after)
            if high > low:
                self._spans.append((low, high))
        self._starts = [low for low, _ in self._spans]
        self.edges = edges

    def _at(self, place: int) -> tuple[int, int] | None:
        i = bisect.bisect_right(self._starts, place) - 1
        if i >= 0 and place < self._spans[i][1]:
            return self._spans[i]
        return None

    def start_past(self, place: int) -> int:
        """Where a mark beginning at ``place`` may begin instead: past the span it is in."""
        span = self._at(place)
        if span is None or not (self.edges or span[0] < place):
            return place
        return span[1]

    def end_before(self, place: int) -> int:
        """Where a mark ending at ``place`` may end instead: before the span it is in."""
        span = self._at(place - 1) if self.edges else self._at(place)
        if span is None or not (self.edges or span[0] < place):
            return place
        return span[0]


def _hidden(text: str) -> Iterable[tuple[int, int]]:
    """Where the text holds what the reader never sees: a placeholder there is dropped with
    it (an HTML comment, a script's content), and the change of marking with it."""
    at = 0
    while (opening := _HIDDEN.search(text, at)) is not None:
        if opening[1] is None:  # a comment; one never closed is shown as text
            end = text.find("-->", opening.end())
            if end < 0:
                return
            end += 3
        else:
            closing = re.compile(rf"</{opening[1]}\s*>", re.IGNORECASE).search(text, opening.end())
            end = closing.end() if closing else len(text)
        yield opening.start(), end
        at = end


def _delimiters(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The runs of emphasis markers (and backslashes at a line's end), and the underscores
    inside words with a letter either side."""
    runs: list[tuple[int, int]] = []
    inner: list[tuple[int, int]] = []
    for m in _DELIMITERS.finditer(text):
        start, end = m.span()
        if start and text[start - 1] == "\\" and m[0] != "\\":  # its first is escaped
            start += 1
        if start < end:
            runs.append((start, end))
        if (
            m[0][0] == "_"
            and m[0].strip("_") == ""
            and start
            and _WORD_CHAR.match(text, start - 1)
            and _WORD_CHAR.match(text, end)
        ):
            inner.append((start - 1, end + 1))
    return runs, inner


def _reference_name(name: str) -> str:
    return " ".join(name.split()).lower()


def _abbreviations(text: str, names: set[str]) -> Iterable[tuple[int, int]]:
    """Where the abbreviations ``names`` occur in ``text``, as Python-Markdown finds them
    (whole words), and the words that begin or end with one (a placeholder inside would make
    it whole). A word is looked up at a time, so the work does not grow with their number;
    those that are not one word, few, by one pattern of them all."""
    if not names:
        return
    words = {name for name in names if _WORD.fullmatch(name)}
    sizes = sorted({len(word) for word in words})
    for m in _WORD.finditer(text) if words else ():
        word = m[0]
        if any(word[:size] in words or word[-size:] in words for size in sizes):
            yield m.span()
    others = sorted(names - words, key=len, reverse=True)
    if others:
        pattern = re.compile(rf"\b(?:{'|'.join(map(re.escape, others))})\b")
        yield from (m.span() for m in pattern.finditer(text))


class Boundaries:
    """Where a mark may begin and end in a Markdown source: on text, not on whitespace, and
    never inside syntax, where a placeholder changes what the Markdown lays out (a hit ending
    in an image's "![" put its end in the image's alt text, where it was lost and the mark ran
    on; one ending between the stars of "**" made them text). A boundary is moved inwards
    off the syntax: a mark may cover less than its span, never more.

    A place is looked at once however many spans begin or end there: each place passed on
    the way is remembered with where it led. A text shown as it is (not ``laid_out``) has no
    syntax: there a boundary is only moved off whitespace.
    """

    def __init__(self, text: str, laid_out: bool = True) -> None:
        self.text = text
        self.lines = Lines(text)
        self.laid_out = laid_out
        self._starts: dict[int, int] = {}
        self._ends: dict[int, int] = {}
        if not laid_out:
            self._inside = self._touching = _Regions(())
            return
        definitions = list(_DEFINITIONS.finditer(text))
        names = {_reference_name(m["name"]) for m in definitions if m["name"]}
        abbreviations = {m["abbreviation"] for m in definitions if m["abbreviation"]}
        shortcuts = _BRACKETS.finditer(text) if names else ()
        runs, inner = _delimiters(text)
        # Syntax a boundary may touch, and syntax it may not (in spans that may overlap).
        self._inside = _Regions(
            sorted(
                itertools.chain(
                    (m.span(1) for m in _INLINE.finditer(text)),
                    _hidden(text),
                    inner,
                    (m.span() for m in shortcuts if _reference_name(m[1]) in names),
                    _abbreviations(text, abbreviations),
                )
            )
        )
        self._touching = _Regions(
            sorted(
                itertools.chain(
                    runs,
                    (m.span("definition") for m in definitions),
                )
            ),
            edges=True,
        )

    def start(self, place: int) -> int:
        """The first place at or after ``place`` where a mark may begin."""
        return self._walk(place, self._starts, self._start_step)

    def end(self, place: int) -> int:
        """The last place at or before ``place`` where a mark may end."""
        return self._walk(place, self._ends, self._end_step)

    @staticmethod
    def _walk(place: int, known: dict[int, int], step: Callable[[int], int]) -> int:
        passed: list[int] = []
        while place not in known:
            passed.append(place)
            after = step(place)
            if after == place:
                break
            place = after
        else:
            place = known[place]
        for before in passed:
            known[before] = place
        return place

    def _start_step(self, place: int) -> int:
        text = self.text
        place = _past(_SPACES, text, place)
        if place >= len(text) or not self.laid_out:
            return place
        line_start = self.lines.start_of(place + 1)
        head, tail = self.lines.syntax(line_start)
        if place < head:
            return head
        if place >= tail:
            return self.lines.end_of(line_start)
        after = self._inside.start_past(place)
        return after if after != place else self._touching.start_past(place)

    def _end_step(self, place: int) -> int:
        if place == 0:
            return place
        if self.text[place - 1].isspace():  # a step a character: each is remembered
            return place - 1
        if not self.laid_out:
            return place
        line_start = self.lines.start_of(place)
        head, tail = self.lines.syntax(line_start)
        if place <= head or self.lines.is_syntax(line_start, place):
            return line_start
        if place > tail:
            return tail
        before = self._inside.end_before(place)
        return before if before != place else self._touching.end_before(place)
