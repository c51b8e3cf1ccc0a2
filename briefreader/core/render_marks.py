"""Actor mentions and search hits marked at exact offsets in rendered Markdown.

Marks are put in by slipping private-use placeholder characters into the Markdown source at
each boundary, rendering and sanitising (:mod:`briefreader.core.render_layout`), and only
then turning the placeholders into trusted ``<span>``/``<mark>`` tags. A boundary is first
moved off Markdown syntax (:mod:`briefreader.core.render_bounds`), where a placeholder would
change what the Markdown lays out or be lost with a tag, so a mark covers its span's text and
no more; and since Markdown moves some text and drops some anyway, each line says again what
is marked.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from briefreader.core.render_bounds import IN_BLOCK, Boundaries
from briefreader.core.render_layout import TAG, image_as_text

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

# A footnote's label, where its text begins (the text is moved to the end of the page).
_FOOTNOTE_LABEL = re.compile(IN_BLOCK + r"\[\^[^\]\n]+\]:", re.MULTILINE)
# A line with text on it.
_TEXT_LINE = re.compile(r"^(?=[ \t]*\S)", re.MULTILINE)


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


# The placeholder for nothing marked (with_placeholders gives it number 0).
_UNMARKED = _piece(0)


def _states(
    text: str,
    section_start: int,
    mentions: Sequence[MentionLike],
    hits: Sequence[tuple[int, int]],
    *,
    laid_out: bool = True,
) -> tuple[list[int], list[State]]:
    """Boundary offsets (into ``text``) and the marking in force from each one onwards;
    ``laid_out``: the text goes through Markdown (else it is shown as it is)."""
    spans: list[tuple[int, int, str | None]] = []
    for mention in mentions:
        spans.append((mention.start, mention.end, str(mention.actor_id)))
    for hit_start, hit_end in hits:
        spans.append((hit_start, hit_end, None))

    if not spans:
        return [], []
    events: dict[int, list[tuple[int, int, str | None]]] = {}
    bounds = Boundaries(text, laid_out)
    for number, (start, end, actor) in enumerate(spans):
        local_start = bounds.start(max(0, min(len(text), start - section_start)))
        local_end = bounds.end(max(0, min(len(text), end - section_start)))
        if local_start >= local_end:
            continue
        events.setdefault(local_start, []).append((+1, number, actor))
        events.setdefault(local_end, []).append((-1, number, actor))

    # Markdown moves some text (footnotes, to the end of the page) and drops some (a table
    # row's cells past its head's, a footnote defined twice), placeholders and all: from the
    # first mark on, each line with text says again what is marked there, and so does each
    # footnote's text, so a placeholder moved or lost marks nothing beyond its line.
    again: set[int] = set()
    if events and laid_out:
        for line_start in itertools.chain(
            (m.end() for m in _FOOTNOTE_LABEL.finditer(text)),
            (m.start() for m in _TEXT_LINE.finditer(text, min(events) + 1)),
        ):
            place = bounds.start(line_start)
            if place < bounds.lines.end_of(bounds.lines.start_of(line_start + 1)):
                again.add(place)

    offsets: list[int] = []
    states: list[State] = []
    active: dict[int, str | None] = {}
    state: State = ()
    for offset in sorted(events.keys() | again):
        if offset in events:
            for delta, number, actor in events[offset]:
                if delta > 0:
                    active[number] = actor
                else:
                    active.pop(number, None)
            actors = tuple(dict.fromkeys(a for _, a in sorted(active.items()) if a is not None))
            state = actors + ((None,) if None in active.values() else ())
        if states and states[-1] == state and offset not in again:
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


# In the sanitised HTML: elements without an end tag, a tag's name, a footnote's link back.
_VOID_ELEMENTS = frozenset(("area", "br", "col", "hr", "img", "wbr"))
_TAG_NAME = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)")
_BACK_LINK = re.compile(r'(?:&nbsp;|\xa0)?<a href="#fnref:')


def placeholders_in_text(fragment: str, base_dir: Path | None) -> str:
    """The sanitised HTML with every placeholder in its text, where :func:`apply_marks`
    reads them (it drops one in a tag, and the change of marking with it: a hit ending in an
    image's alt text ran on to the next text).

    An image that will not be shown becomes its alt text now, placeholders and all, so what
    a reader sees of it is marked like any text. A placeholder still in a tag moves out of it,
    the last one, whose marking is in force from there on: to just after a shown image, to
    just after the end of any other element (a link's address follows its text). The link
    back from a footnote is marked with nothing.
    """
    opened: dict[str, int] = {}  # elements open, by name
    waiting: dict[tuple[str, int], str] = {}  # (name, how deep) -> for after its end tag

    def replace(m: re.Match[str]) -> str:
        tag = m[0]
        name = _TAG_NAME.match(tag)
        if name is None:
            return tag
        element = name[2].lower()
        if name[1]:  # an end tag
            depth = opened.get(element, 0)
            opened[element] = max(depth - 1, 0)
            return tag + waiting.pop((element, depth), "")
        places = _PUA_CHARS.findall(tag)
        text = image_as_text(tag, base_dir)
        if text is not None:
            return text + (places[-1] if places else "")
        void = element in _VOID_ELEMENTS or tag.endswith("/>")
        if not void:
            opened[element] = opened.get(element, 0) + 1
        if places:
            tag = _PUA_CHARS.sub("", tag)
            if void:
                tag += places[-1]
            else:
                waiting[element, opened[element]] = places[-1]
        return tag

    if "#fnref:" in fragment:
        fragment = _BACK_LINK.sub(lambda m: _UNMARKED + m[0], fragment)
    return TAG.sub(replace, fragment)


def with_placeholders(
    text: str,
    section_start: int,
    mentions: Sequence[MentionLike],
    hits: Sequence[tuple[int, int]],
    *,
    laid_out: bool = True,
) -> tuple[str, list[State]]:
    """``text`` with a placeholder at each boundary of the marks, and the markings: a
    placeholder's number is that of the marking in force from it on, number 0 nothing marked
    (no placeholders, and no markings, when nothing is marked). ``laid_out``: the text goes
    through Markdown, not shown as it is.

    A placeholder stands for a marking, not for a boundary: the planes hold 131,068 of them,
    and a brief of 100,000 mentions has twice as many boundaries (the marks stopped there).
    """
    offsets, states = _states(text, section_start, mentions, hits, laid_out=laid_out)
    if not offsets:
        return text, states
    numbers: dict[State, int] = {(): 0}  # 0 is nothing marked (_UNMARKED)
    markings: list[State] = [()]
    pieces: list[str] = []
    previous = 0
    for at, state in zip(offsets, states, strict=True):
        number = numbers.get(state)
        if number is None:
            if len(markings) >= _MAX_PLACEHOLDERS:  # the rest unmarked
                pieces += (text[previous:at], _UNMARKED)
                previous = at
                break
            number = numbers[state] = len(markings)
            markings.append(state)
        pieces.append(text[previous:at])
        pieces.append(_piece(number))
        previous = at
    pieces.append(text[previous:])
    return "".join(pieces), markings
