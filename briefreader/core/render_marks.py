"""Actor mentions and search hits marked at exact offsets in rendered Markdown.

Marks are put in by slipping private-use placeholder characters into the Markdown source at
each boundary, rendering and sanitising (:mod:`briefreader.core.render_layout`), and only
then turning the placeholders into trusted ``<span>``/``<mark>`` tags.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Callable, Sequence
from typing import Protocol

from briefreader.core.render_layout import TAG

ActorInfo = Callable[[str], tuple[str, str, str]]

# Placeholders: supplementary private-use planes 15 and 16, never produced by Markdown.
_PUA_RANGES = ((0xF0000, 0xFFFFD), (0x100000, 0x10FFFD))
_MAX_PLACEHOLDERS = sum(high - low + 1 for low, high in _PUA_RANGES)
_PUA_CHARS = re.compile("[\U000f0000-\U000ffffd\U00100000-\U0010fffd]")
_PUA_SPLIT = re.compile(f"({_PUA_CHARS.pattern})")


class MentionLike(Protocol):
    """What rendering needs of a ``briefreader.core.match.Mention``."""

    @property
    def actor_id(self) -> str: ...

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


# What is marked between two boundaries, outermost first: actor ids, then None for a hit.
State = tuple[str | None, ...]

# Regions of Markdown source a placeholder must not land in: link targets, tags, autolinks,
# entities, backslash escapes, and reference definitions.
_PROTECTED = re.compile(
    r"\]\((?:[^()\n]|\([^()\n]*\))*\)"
    r"|<[^<>\n]*>"
    r"|&#?[A-Za-z0-9]+;"
    r"|\\[^\s]"
    r"|^[ ]{0,3}\[[^\]\n]+\]:[^\n]*",
    re.MULTILINE,
)
# Block syntax at a line start that a placeholder in front of would break.
_BLOCK_START = re.compile(
    r"[ \t]*(?:(?:`{3,}|~{3,})[^\n]*|(?:[-*_=][ \t]*){3,}(?=\n|$)"
    r"|(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+)*)"
)


def _piece(index: int) -> str:
    low, high = _PUA_RANGES[0]
    if index <= high - low:
        return chr(low + index)
    return chr(_PUA_RANGES[1][0] + index - (high - low + 1))


def _piece_index(char: str) -> int:
    code = ord(char)
    low, high = _PUA_RANGES[0]
    if code <= high:
        return code - low
    return code - _PUA_RANGES[1][0] + (high - low + 1)


_FENCE_OPENS = re.compile(r"[ \t]*(?:`{3}|~{3})")
_RULE_CHARS = re.compile(r"[ \t*_=-]*")


class Lines:
    """Where each line of a text starts, and where a span ending on it would end on a whole
    line of block syntax: found once per line, by bisect, however many spans end there (a
    search back to the line's start per span was a pass over a long line per mention)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._newlines = [m.start() for m in re.finditer("\n", text)]
        self._syntax: dict[int, tuple[int, int, int]] = {}

    def start_of(self, end: int) -> int:
        """The start of the line holding the character before ``end``."""
        k = bisect.bisect_left(self._newlines, end)
        return self._newlines[k - 1] + 1 if k else 0

    def is_syntax(self, line_start: int, end: int) -> bool:
        """Whether ``text[line_start:end]`` is a whole line of block syntax a placeholder must
        not follow: a fence's opening and what follows it, or a rule or a setext underline
        (three or more of ``- * _ =`` among spaces and tabs)."""
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
            found = (fence.end() if fence else -1, third, rule_end)
            self._syntax[line_start] = found
        fence_end, third, rule_end = found
        return 0 <= fence_end <= end or 0 <= third <= end <= rule_end


def _adjust(
    text: str,
    start: int,
    end: int,
    protected: list[tuple[int, int]],
    starts: list[int],
    lines: Lines,
) -> tuple[int, int]:
    """Shrink a span so its boundaries sit on text, not on whitespace or Markdown syntax."""
    while True:
        before = start
        while start < end and text[start].isspace():
            start += 1
        if start < end and (start == 0 or text[start - 1] == "\n"):
            m = _BLOCK_START.match(text, start)
            if m is not None and m.end() > start:
                start = min(m.end(), end)
        if start == before:
            break
    while True:
        before = end
        while end > start and text[end - 1].isspace():
            end -= 1
        line_start = lines.start_of(end)
        if end > start and lines.is_syntax(line_start, end):
            end = max(start, line_start)
        if end == before:
            break
    i = bisect.bisect_right(starts, start) - 1
    if i >= 0 and protected[i][0] < start < protected[i][1]:
        start = protected[i][1]
    j = bisect.bisect_right(starts, end) - 1
    if j >= 0 and protected[j][0] < end < protected[j][1]:
        end = protected[j][0]
    return start, end


def _states(
    text: str,
    section_start: int,
    mentions: Sequence[MentionLike],
    hits: Sequence[tuple[int, int]],
) -> tuple[list[int], list[State]]:
    """Boundary offsets (into ``text``) and the marking in force from each one onwards."""
    protected = [m.span() for m in _PROTECTED.finditer(text)]
    starts = [low for low, _ in protected]
    spans: list[tuple[int, int, str | None]] = []
    for mention in mentions:
        spans.append((mention.start, mention.end, str(mention.actor_id)))
    for hit_start, hit_end in hits:
        spans.append((hit_start, hit_end, None))

    events: dict[int, list[tuple[int, int, str | None]]] = {}
    lines = Lines(text)
    for number, (start, end, actor) in enumerate(spans):
        local_start = max(0, min(len(text), start - section_start))
        local_end = max(0, min(len(text), end - section_start))
        local_start, local_end = _adjust(text, local_start, local_end, protected, starts, lines)
        if local_start >= local_end:
            continue
        events.setdefault(local_start, []).append((+1, number, actor))
        events.setdefault(local_end, []).append((-1, number, actor))

    offsets: list[int] = []
    states: list[State] = []
    active: dict[int, str | None] = {}
    for offset in sorted(events):
        for delta, number, actor in events[offset]:
            if delta > 0:
                active[number] = actor
            else:
                active.pop(number, None)
        actors = tuple(dict.fromkeys(a for _, a in sorted(active.items()) if a is not None))
        state: State = actors + ((None,) if None in active.values() else ())
        if states and states[-1] == state:
            continue
        offsets.append(offset)
        states.append(state)
    return offsets, states


def _kind_class(kind: str) -> str:
    slug = re.sub(r"[^a-z0-9-]+", "-", kind.lower()).strip("-")
    return slug or "other"


class Marker:
    """Writes the tags for one layer of marking, using actor_info for the tooltips."""

    def __init__(self, actor_info: ActorInfo | None) -> None:
        self._actor_info = actor_info
        self._cache: dict[str, str] = {}

    def open(self, layer: str | None) -> str:
        if layer is None:
            return '<mark class="hit">'
        tag = self._cache.get(layer)
        if tag is None:
            name, kind, description = layer, "other", ""
            if self._actor_info is not None:
                name, kind, description = self._actor_info(layer)
            tooltip = f"{name} ({kind})" + (f": {description}" if description else "")
            tag = (
                f'<span class="actor actor-{_kind_class(kind)}" '
                f'data-actor="{html.escape(layer)}" title="{html.escape(tooltip)}">'
            )
            self._cache[layer] = tag
        return tag

    @staticmethod
    def close(layer: str | None) -> str:
        return "</mark>" if layer is None else "</span>"


def apply_marks(fragment: str, states: list[State], marker: Marker) -> str:
    """Turn placeholders into tags, wrapping only text runs so the result nests properly.

    Marks are closed before every tag and reopened lazily before the next visible character,
    so a mention never straddles an element boundary and whitespace between table cells or
    list items is never wrapped. When the marking changes, only the layers that differ are
    closed (a hit inside a mention keeps the mention's span open). Placeholders that ended up
    inside a tag are dropped.
    """
    out: list[str] = []
    wanted: State = ()
    opened: list[str | None] = []

    def close_to(keep: int) -> None:
        while len(opened) > keep:
            out.append(marker.close(opened.pop()))

    def emit_text(run: str) -> None:
        nonlocal wanted
        for piece in _PUA_SPLIT.split(run):
            if not piece:
                continue
            if len(piece) == 1 and _PUA_CHARS.fullmatch(piece):
                index = _piece_index(piece)
                wanted = states[index] if index < len(states) else ()
                common = 0
                while (
                    common < len(opened)
                    and common < len(wanted)
                    and opened[common] == wanted[common]
                ):
                    common += 1
                close_to(common)
                continue
            if len(opened) < len(wanted):
                visible = len(piece) - len(piece.lstrip())
                if visible == len(piece):
                    out.append(piece)
                    continue
                out.append(piece[:visible])
                for layer in wanted[len(opened) :]:
                    out.append(marker.open(layer))
                    opened.append(layer)
                piece = piece[visible:]
            out.append(piece)

    # Between the last placeholder and the next, with nothing marked, the HTML is copied as
    # it is, in one piece (a text of many short paragraphs: a million tags).
    places = [m.start() for m in _PUA_CHARS.finditer(fragment)]
    k = 0
    pos = idle = 0
    for m in TAG.finditer(fragment):
        if not wanted and not opened and (k == len(places) or m.end() <= places[k]):
            idle = m.end()
            continue
        if idle > pos:
            out.append(fragment[pos:idle])
            pos = idle
        if m.start() > pos:
            emit_text(fragment[pos : m.start()])
        close_to(0)
        out.append(_PUA_CHARS.sub("", m[0]))
        pos = m.end()
        while k < len(places) and places[k] < pos:
            k += 1
    if idle > pos:
        out.append(fragment[pos:idle])
        pos = idle
    if pos < len(fragment):
        emit_text(fragment[pos:])
    close_to(0)
    return "".join(out)


def with_placeholders(
    text: str,
    section_start: int,
    mentions: Sequence[MentionLike],
    hits: Sequence[tuple[int, int]],
) -> tuple[str, list[State]]:
    """``text`` with a placeholder at each boundary of the marks, and the markings: a
    placeholder's number is that of the marking in force from it on (no placeholders, and
    no markings, when nothing is marked).

    A placeholder stands for a marking, not for a boundary: the planes hold 131,068 of them,
    and a brief of 100,000 mentions has twice as many boundaries (the marks stopped there).
    """
    offsets, states = _states(text, section_start, mentions, hits)
    if not offsets:
        return text, states
    numbers: dict[State, int] = {}
    markings: list[State] = []
    pieces: list[str] = []
    previous = 0
    for at, state in zip(offsets, states, strict=True):
        number = numbers.get(state)
        if number is None:
            if len(markings) >= _MAX_PLACEHOLDERS:  # the rest unmarked
                if () in numbers:
                    pieces += (text[previous:at], _piece(numbers[()]))
                    previous = at
                break
            number = numbers[state] = len(markings)
            markings.append(state)
        pieces.append(text[previous:at])
        pieces.append(_piece(number))
        previous = at
    pieces.append(text[previous:])
    return "".join(pieces), markings
