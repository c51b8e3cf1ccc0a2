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


#: Python-Markdown recurses once per level of list or quote nesting and scans some inline
#: syntax ("[", an unclosed "<") quadratically within a paragraph: 500 nested list levels raise
#: RecursionError after seconds, 10,000 "![" take minutes. Past these limits a brief is shown
#: as plain text instead. Hand-written briefs stay far below them.
MAX_INDENT = 120
MAX_QUOTE_DEPTH = 40
MAX_INLINE_OPENERS = 400
_INDENT = re.compile(r"^[ \t>]*", re.MULTILINE)
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
PLAIN_NOTICE = (
    "This text is shown without formatting: its Markdown is too deeply nested or too"
    " complex to lay out."
)


def too_complex(md: str) -> bool:
    """True when Markdown would take unbounded time or recursion to render (see above)."""
    for m in _INDENT.finditer(md):
        prefix = m.group(0)
        if prefix.count(">") > MAX_QUOTE_DEPTH or len(prefix.expandtabs(4)) > MAX_INDENT:
            return True
    if _openers(md) <= MAX_INLINE_OPENERS:
        return False
    return any(_openers(block) > MAX_INLINE_OPENERS for block in _PARAGRAPH.split(md))


def _openers(text: str) -> int:
    """Brackets and unclosed angle brackets: what the slow inline patterns rescan."""
    return max(text.count("["), text.count("<") - text.count(">"))


def _plain_html(md: str) -> str:
    """The text itself, escaped, one paragraph per blank-line-separated block."""
    blocks = [b.strip("\n") for b in _PARAGRAPH.split(md)]
    body = "".join(
        "<p>" + html.escape(b, quote=False).replace("\n", "<br>\n") + "</p>\n"
        for b in blocks
        if b.strip()
    )
    return f"<p><em>{PLAIN_NOTICE}</em></p>\n{body}"


def render_markdown(md: str, base_dir: Path | None) -> str:
    """Markdown -> sanitised HTML; images resolve only inside ``base_dir`` (None: no images)."""
    source = _safe_source(md)
    if too_complex(source):
        return _sanitise(_plain_html(source), _BRIEF_ATTRIBUTES)
    try:
        converted = _markdown_to_html(source)
    except RecursionError:  # a nesting the limits above did not foresee
        return _sanitise(_plain_html(source), _BRIEF_ATTRIBUTES)
    cleaned = _sanitise(converted, _BRIEF_ATTRIBUTES)
    return _fix_images(cleaned, base_dir)


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
# A whole line of block syntax (fence, rule, setext underline) a placeholder must not follow.
_SYNTAX_LINE = re.compile(r"[ \t]*(?:(?:`{3,}|~{3,})[^\n]*|(?:[-*_=][ \t]*){3,})")


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


def _adjust(
    text: str, start: int, end: int, protected: list[tuple[int, int]], starts: list[int]
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
        line_start = text.rfind("\n", 0, end) + 1
        if end > start and _SYNTAX_LINE.fullmatch(text, line_start, end):
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
    for number, (start, end, actor) in enumerate(spans):
        local_start = max(0, min(len(text), start - section_start))
        local_end = max(0, min(len(text), end - section_start))
        local_start, local_end = _adjust(text, local_start, local_end, protected, starts)
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

    pos = 0
    for m in _TAG.finditer(fragment):
        if m.start() > pos:
            emit_text(fragment[pos : m.start()])
        close_to(0)
        out.append(_PUA_CHARS.sub("", m[0]))
        pos = m.end()
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
    offsets, states = _states(text, section_start, mentions, hits)
    if not offsets:
        return render_markdown(text, base_dir)
    pieces: list[str] = []
    previous = 0
    for index, at in enumerate(offsets):
        pieces.append(text[previous:at])
        pieces.append(_piece(index))
        previous = at
    pieces.append(text[previous:])
    source = "".join(pieces)
    cleaned = _sanitise(_markdown_to_html(source), _BRIEF_ATTRIBUTES)
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
