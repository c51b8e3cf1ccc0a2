"""Brief + actor mentions + search hits -> HTML that is safe to show.

Briefs are Markdown written by many hands and may carry raw HTML, so nothing in them is
trusted: the rendered HTML is sanitised with nh3, links are limited to http/https/mailto, and
images may only come from the brief's own folder. Mentions and hits are marked at exact
offsets by slipping private-use placeholder characters into the Markdown source, rendering,
sanitising, and only then turning the placeholders into trusted ``<span>``/``<mark>`` tags.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import markdown
import nh3

from briefreader.core.brief import Brief

ActorInfo = Callable[[str], tuple[str, str, str]]

_MARKDOWN_EXTENSIONS = ["extra", "sane_lists"]

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
    "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s",
    "samp", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "u", "ul", "var",
}  # fmt: skip
# Dropped together with their content (the rest of the unknown tags keep their text).
_CLEAN_CONTENT_TAGS = {"script", "style", "iframe", "object", "embed", "noscript", "template"}
_BRIEF_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "abbr": {"title"},
    "ol": {"start"},
}
# Only our own mark-up may carry these: a brief cannot forge an actor or a hit.
_MARK_ATTRIBUTES: dict[str, set[str]] = {
    **_BRIEF_ATTRIBUTES,
    "span": {"class", "data-actor", "title"},
    "mark": {"class"},
}
_URL_SCHEMES = {"http", "https", "mailto"}

# Placeholders: supplementary private-use planes 15 and 16, never produced by Markdown.
_PUA_RANGES = ((0xF0000, 0xFFFFD), (0x100000, 0x10FFFD))
_MAX_PLACEHOLDERS = sum(high - low + 1 for low, high in _PUA_RANGES)
_PUA_CHARS = re.compile("[\U000f0000-\U000ffffd\U00100000-\U0010fffd]")
_PUA_SPLIT = re.compile(f"({_PUA_CHARS.pattern})")
# A tag in nh3's output (attribute values are always double-quoted there) or a text run.
_TAG = re.compile(r"<(?:\"[^\"]*\"|'[^']*'|[^'\">])*>")
_UNSAFE_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\U000f0000-\U0010ffff]")
_ATTRIBUTE = re.compile(r"([^\s=/>]+)(?:=\"([^\"]*)\")?")


class MentionLike(Protocol):
    """What rendering needs of a ``briefreader.core.match.Mention``."""

    @property
    def actor_id(self) -> str: ...

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


@dataclass(frozen=True, slots=True)
class RenderedBrief:
    """The three pieces a reading pane shows; ``comment_html`` is None without a comment."""

    header_html: str
    article_html: str
    comment_html: str | None


# --------------------------------------------------------------------------------------------
# Markdown and sanitising


def _sanitise(fragment: str, attributes: dict[str, set[str]]) -> str:
    return nh3.clean(
        fragment,
        tags=_TAGS,
        clean_content_tags=_CLEAN_CONTENT_TAGS,
        attributes=attributes,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def _local_image(src: str, base_dir: Path | None) -> str | None:
    """A ``file://`` URL for an image inside ``base_dir`` that exists, else None."""
    if base_dir is None or not src:
        return None
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or src.startswith(("/", "\\")):
        return None  # remote, scheme-relative or absolute
    relative = unquote(parts.path)
    if not relative or "\\" in relative or relative.startswith("/"):
        return None
    if any(part == ".." for part in relative.split("/")):
        return None
    try:
        root = base_dir.resolve()
        target = (root / relative).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            return None
    except (OSError, ValueError):
        return None
    return target.as_uri()


def _fix_images(fragment: str, base_dir: Path | None) -> str:
    """Keep only images from the brief's folder; any other image becomes its alt text."""

    def replace(m: re.Match[str]) -> str:
        tag = m[0]
        if tag[:5].lower() != "<img " and tag.lower() != "<img>":
            return tag
        attrs = {
            name.lower(): html.unescape(value or "")
            for name, value in _ATTRIBUTE.findall(tag[4:-1])
        }
        url = _local_image(attrs.get("src", ""), base_dir)
        alt = attrs.get("alt", "")
        if url is None:
            return html.escape(alt, quote=False)
        out = f'<img src="{html.escape(url)}" alt="{html.escape(alt)}"'
        if attrs.get("title"):
            out += f' title="{html.escape(attrs["title"])}"'
        return out + ">"

    return _TAG.sub(replace, fragment)


def _safe_source(md: str) -> str:
    """Replace characters that would confuse the pipeline, one for one (offsets stay put).

    Lone surrogates cannot cross into nh3; C0 controls include the STX/ETX markers
    Python-Markdown uses internally; our placeholder planes must not occur in the brief.
    """
    return _UNSAFE_CHARS.sub("\ufffd", md)


def _markdown_to_html(md: str) -> str:
    # A fresh Markdown object per call: instances keep state and are not thread-safe.
    return markdown.Markdown(extensions=_MARKDOWN_EXTENSIONS, output_format="html").convert(md)


# Python-Markdown's work grows faster than the text in many ways. Past the limits below a
# brief is shown as plain text instead (its marks kept): hand-written briefs stay far below
# them, and within them Markdown's extra work stays around a tenth of a second.

#: It recurses once per level of list or quote: 500 nested list levels raise RecursionError.
MAX_INDENT = 120
MAX_QUOTE_DEPTH = 40
#: "[" and an unclosed "<" are rescanned to their paragraph's end (10,000 "![": minutes).
MAX_INLINE_OPENERS = 400
#: Every other inline match (emphasis, code, tags, entities, line breaks) copies the rest
#: of its paragraph: their marks times its characters, per paragraph (32,000 "*a*": 1 s).
MAX_INLINE_WORK = 500_000_000
#: A block is cut at each heading, rule, underline or definition line in it and the rest
#: read again: such lines times lines, per block (8,000 one-line headings in a row: 1.4 s).
MAX_BLOCK_RESCANS = 2_000_000
#: Each fenced code block is cut out of the whole text: fences times characters (25,000
#: empty fences: 5 s).
MAX_FENCE_WORK = 300_000_000
#: Blocks are taken from the front of a list: their number squared (64,000: 2 s).
MAX_BLOCKS = 20_000
#: A tag opened and never closed ("<b" and no ">") is read up to the next ">", each time:
#: the characters so read, in all (8,000 "<a" in paragraphs of their own: 10 s); an
#: unclosed "<![CDATA[" up to the next "]]>", ten times slower (2,000 in a block: 11 s).
MAX_TAG_SCAN = 5_000_000
MAX_CDATA_SCAN = 500_000
#: Each piece of raw HTML or entity is put back by one pattern of every piece's place:
#: pieces squared ("<" and "&" counted; 12,500 raw HTML blocks: 1 s).
MAX_RAW_HTML = 10_000
#: Raw HTML nested deeper than this (16,000 nested <div>: 1 s, growing with the square).
MAX_HTML_DEPTH = 2_000
#: Each footnote reference looks for its definition in a list: definitions x references.
MAX_FOOTNOTE_WORK = 4_000_000
#: With an abbreviation defined, each element is looked for among its siblings: elements
#: squared (one abbreviation and 16,000 paragraphs: 2.9 s).
MAX_ABBREVIATION_WORK = 25_000_000
_DEEP = re.compile(r"^[ \t>]{31,}", re.MULTILINE)  # shorter prefixes are within both limits
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_SPLIT_LINE = re.compile(r"^[ \t>]*(?:#|:[ \t]|[-*_=][-*_= \t]*$)", re.MULTILINE)
_FENCE_LINE = re.compile(r"^[ \t>]*(?:`{3}|~{3})", re.MULTILINE)
_INLINE_MARKS = ("*", "_", "`", "<", "&", "\\", "  \n")
_TAG_EDGE = re.compile(r"<[A-Za-z]|>")
_CDATA_EDGE = re.compile(r"<!\[CDATA\[|\]\]>")
_TAG_NAME = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
_VOID_TAGS = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
     "track", "wbr")
)  # fmt: skip
_FOOTNOTE = re.compile(r"^[ ]{0,3}\[\^[^\]\n]+\]:", re.MULTILINE)
_ABBREVIATION = re.compile(r"^\*\[[^\]\n]*\][ ]?:", re.MULTILINE)
PLAIN_NOTICE = (
    "This text is shown without formatting: its Markdown is too deeply nested or too"
    " complex to lay out."
)


def too_complex(md: str) -> bool:
    """True when Markdown would take unbounded time or recursion to render (see above)."""
    return complexity(md) is not None


def complexity(md: str) -> str | None:
    """Which limit above laying ``md`` out would pass, or None: counted in one pass or a
    few, from the text alone."""
    for m in _DEEP.finditer(md):
        prefix = m.group(0)
        if prefix.count(">") > MAX_QUOTE_DEPTH or len(prefix.expandtabs(4)) > MAX_INDENT:
            return "nesting"
    blocks = _PARAGRAPH.split(md)
    if len(blocks) > MAX_BLOCKS:
        return "blocks"
    lines = md.count("\n") + 1
    marks = sum(md.count(c) for c in _INLINE_MARKS)
    # Each count per block only when the whole text's bound passes the limit.
    if _openers(md) > MAX_INLINE_OPENERS and any(_openers(b) > MAX_INLINE_OPENERS for b in blocks):
        return "inline openers"
    if marks * len(md) > MAX_INLINE_WORK and (
        sum(sum(b.count(c) for c in _INLINE_MARKS) * len(b) for b in blocks) > MAX_INLINE_WORK
    ):
        return "inline marks"
    splits = len(_SPLIT_LINE.findall(md))
    if splits * lines > MAX_BLOCK_RESCANS and (
        sum(len(_SPLIT_LINE.findall(b)) * (b.count("\n") + 1) for b in blocks) > MAX_BLOCK_RESCANS
    ):
        return "headings and rules"
    if ("```" in md or "~~~" in md) and len(_FENCE_LINE.findall(md)) * len(md) > MAX_FENCE_WORK:
        return "fences"
    if md.count("<") + md.count("&") > MAX_RAW_HTML:
        return "raw html"
    if "<" in md:
        if _scan_to_close(md, _TAG_EDGE, ">") > MAX_TAG_SCAN:
            return "unclosed tags"
        if "<![" in md and _scan_to_close(md, _CDATA_EDGE, "]]>") > MAX_CDATA_SCAN:
            return "unclosed tags"
        if md.count("<") > MAX_HTML_DEPTH and _html_depth(md) > MAX_HTML_DEPTH:
            return "html nesting"
    if "[^" in md and len(_FOOTNOTE.findall(md)) * md.count("[^") > MAX_FOOTNOTE_WORK:
        return "footnotes"
    if "*[" in md and _ABBREVIATION.search(md) is not None:
        elements = len(blocks) + lines + marks
        if elements * elements > MAX_ABBREVIATION_WORK:
            return "abbreviations"
    return None


def _openers(text: str) -> int:
    """Brackets and unclosed angle brackets: what the slow inline patterns rescan."""
    return max(text.count("["), text.count("<") - text.count(">"))


def _scan_to_close(md: str, edges: re.Pattern[str], close: str) -> int:
    """The characters read looking for the end of each opening that ``edges`` finds: up to
    the next ``close`` (found by ``edges`` too), or the text's end."""
    total = 0
    opened: list[int] = []
    for m in edges.finditer(md):
        if m.group() == close:
            total += len(opened) * m.start() - sum(opened)
            opened.clear()
        else:
            opened.append(m.start())
    return total + len(opened) * len(md) - sum(opened)


def _html_depth(md: str) -> int:
    """How deep raw HTML tags nest (an element never closed counts as open to the end)."""
    depth = deepest = 0
    for m in _TAG_NAME.finditer(md):
        if m.group(1):
            depth = max(0, depth - 1)
        elif m.group(2).lower() not in _VOID_TAGS:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def _plain_html(md: str) -> str:
    """The text itself, escaped, one paragraph per blank-line-separated block."""
    blocks = [b.strip("\n") for b in _PARAGRAPH.split(md)]
    body = "".join(
        "<p>" + html.escape(b, quote=False).replace("\n", "<br>\n") + "</p>\n"
        for b in blocks
        if b.strip()
    )
    return f"<p><em>{PLAIN_NOTICE}</em></p>\n{body}"


def _layout(source: str, plain: bool) -> tuple[str, bool]:
    """Markdown -> HTML, or the text as it is when ``plain`` (decided once per text, before
    any mark goes in) or when Python-Markdown recurses too deep for a nesting the limits
    above did not foresee; and whether it is the text as it is.

    The plain text is escaped here and holds no tag but ours: it is never sanitised, since
    nh3 takes time growing with the square of the "&" in a paragraph (333,000: 16 s).
    """
    if not plain:
        try:
            return _markdown_to_html(source), False
        except RecursionError:
            pass
    return _plain_html(source), True


def _safe_html(source: str, plain: bool, base_dir: Path | None) -> str:
    """Sanitised HTML for a source holding no marks (see :func:`_layout`)."""
    converted, plain = _layout(source, plain)
    if plain:
        return converted
    return _fix_images(_sanitise(converted, _BRIEF_ATTRIBUTES), base_dir)


def render_markdown(md: str, base_dir: Path | None) -> str:
    """Markdown -> sanitised HTML; images resolve only inside ``base_dir`` (None: no images)."""
    source = _safe_source(md)
    return _safe_html(source, too_complex(source), base_dir)


# --------------------------------------------------------------------------------------------
# Marks


# What is marked between two boundaries, outermost first: actor ids, then None for a hit.
_State = tuple[str | None, ...]

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


class _Lines:
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
    lines: _Lines,
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
) -> tuple[list[int], list[_State]]:
    """Boundary offsets (into ``text``) and the marking in force from each one onwards."""
    protected = [m.span() for m in _PROTECTED.finditer(text)]
    starts = [low for low, _ in protected]
    spans: list[tuple[int, int, str | None]] = []
    for mention in mentions:
        spans.append((mention.start, mention.end, str(mention.actor_id)))
    for hit_start, hit_end in hits:
        spans.append((hit_start, hit_end, None))

    events: dict[int, list[tuple[int, int, str | None]]] = {}
    lines = _Lines(text)
    for number, (start, end, actor) in enumerate(spans):
        local_start = max(0, min(len(text), start - section_start))
        local_end = max(0, min(len(text), end - section_start))
        local_start, local_end = _adjust(text, local_start, local_end, protected, starts, lines)
        if local_start >= local_end:
            continue
        events.setdefault(local_start, []).append((+1, number, actor))
        events.setdefault(local_end, []).append((-1, number, actor))

    offsets: list[int] = []
    states: list[_State] = []
    active: dict[int, str | None] = {}
    for offset in sorted(events):
        for delta, number, actor in events[offset]:
            if delta > 0:
                active[number] = actor
            else:
                active.pop(number, None)
        actors = tuple(dict.fromkeys(a for _, a in sorted(active.items()) if a is not None))
        state: _State = actors + ((None,) if None in active.values() else ())
        if states and states[-1] == state:
            continue
        if len(offsets) >= _MAX_PLACEHOLDERS:
            break
        offsets.append(offset)
        states.append(state)
    return offsets, states


def _kind_class(kind: str) -> str:
    slug = re.sub(r"[^a-z0-9-]+", "-", kind.lower()).strip("-")
    return slug or "other"


class _Marker:
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


def _apply_marks(fragment: str, states: list[_State], marker: _Marker) -> str:
    """Turn placeholders into tags, wrapping only text runs so the result nests properly.

    Marks are closed before every tag and reopened lazily before the next visible character,
    so a mention never straddles an element boundary and whitespace between table cells or
    list items is never wrapped. When the marking changes, only the layers that differ are
    closed (a hit inside a mention keeps the mention's span open). Placeholders that ended up
    inside a tag are dropped.
    """
    out: list[str] = []
    wanted: _State = ()
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
    for m in _TAG.finditer(fragment):
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


def render_section(
    text: str,
    section_start: int,
    mentions: Sequence[MentionLike],
    hits: Sequence[tuple[int, int]],
    base_dir: Path | None,
    actor_info: ActorInfo | None = None,
) -> str:
    """Render one section (article or comment) with actor mentions and search hits marked.

    Offsets of mentions and hits are into ``Brief.text``; ``section_start`` is where ``text``
    begins there. Spans outside the section are clipped or ignored.
    """
    text = _safe_source(text)
    # Decided once, on the text itself: with marks or without, a text too complex to lay
    # out is shown as it is (the marks once skipped this and ran into the slow cases).
    plain = too_complex(text)
    offsets, states = _states(text, section_start, mentions, hits)
    if not offsets:
        return _safe_html(text, plain, base_dir)
    pieces: list[str] = []
    previous = 0
    for index, at in enumerate(offsets):
        pieces.append(text[previous:at])
        pieces.append(_piece(index))
        previous = at
    pieces.append(text[previous:])
    source = "".join(pieces)
    converted, plain = _layout(source, plain)
    if plain:  # escaped text, our tags nested by construction
        return _apply_marks(converted, states, _Marker(actor_info))
    cleaned = _sanitise(converted, _BRIEF_ATTRIBUTES)
    marked = _apply_marks(cleaned, states, _Marker(actor_info))
    # A last pass with our attributes allowed: whatever slipped through is re-balanced.
    return _fix_images(_sanitise(marked, _MARK_ATTRIBUTES), base_dir)


# --------------------------------------------------------------------------------------------
# Whole brief

_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


def _format_date(brief: Brief) -> str | None:
    """ "14 November 2017"; a metadata date given as a month or a year is shown as such."""
    if brief.date is None:
        return None
    month = _MONTH_NAMES[brief.date.month - 1]
    raw = brief.metadata.get("date", "").strip()
    if re.fullmatch(r"\d{4}", raw):
        return str(brief.date.year)
    if re.fullmatch(r"\d{4}-\d{1,2}|[A-Za-z]+\.?\s+\d{4}", raw):
        return f"{month} {brief.date.year}"
    return f"{brief.date.day} {month} {brief.date.year}"


def render_header(brief: Brief) -> str:
    """Title, date, source, author and tags, every value escaped."""
    parts = [f'<h1 class="brief-title">{html.escape(brief.title)}</h1>']
    meta: list[str] = []
    date = _format_date(brief)
    if date is not None:
        iso = brief.date.isoformat() if brief.date else ""
        meta.append(f'<span class="brief-date" title="{iso}">{html.escape(date)}</span>')
    if brief.source:
        meta.append(f'<span class="brief-source">{html.escape(brief.source)}</span>')
    if brief.author:
        meta.append(f'<span class="brief-author">{html.escape(brief.author)}</span>')
    if meta:
        parts.append('<p class="brief-meta">' + " \u00b7 ".join(meta) + "</p>")
    if brief.tags:
        tags = " ".join(f'<span class="tag">{html.escape(tag)}</span>' for tag in brief.tags)
        parts.append(f'<p class="brief-tags">{tags}</p>')
    return "\n".join(parts)


def render_brief(
    brief: Brief,
    mentions: Sequence[MentionLike],
    hits: Sequence[tuple[int, int]],
    actor_info: ActorInfo | None = None,
) -> RenderedBrief:
    """Render a brief for the reading pane: header, article and (if any) comment."""
    # Images only from the brief's own folder, and none for a brief that is not a file here.
    base_dir = brief.path.parent if brief.on_disk else None

    def within(start: int, end: int) -> tuple[list[MentionLike], list[tuple[int, int]]]:
        return (
            [m for m in mentions if m.start < end and m.end > start],
            [h for h in hits if h[0] < end and h[1] > start],
        )

    article_mentions, article_hits = within(brief.article_start, brief.article_end)
    article_html = render_section(
        brief.article, brief.article_start, article_mentions, article_hits, base_dir, actor_info
    )
    comment_html: str | None = None
    if brief.comment is not None and brief.comment_start is not None:
        comment_end = brief.comment_start + len(brief.comment)
        comment_mentions, comment_hits = within(brief.comment_start, comment_end)
        comment_html = render_section(
            brief.comment, brief.comment_start, comment_mentions, comment_hits, base_dir, actor_info
        )
    return RenderedBrief(render_header(brief), article_html, comment_html)
