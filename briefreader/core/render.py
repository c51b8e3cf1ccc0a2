"""Brief + actor mentions + search hits -> HTML that is safe to show.

Briefs are Markdown written by many hands and may carry raw HTML, so nothing in them is
trusted: the rendered HTML is sanitised with nh3, links are limited to http/https/mailto, and
images may only come from the brief's own folder (:mod:`briefreader.core.render_layout`).
Mentions and hits are marked at exact offsets by slipping private-use placeholder characters
into the Markdown source, rendering, sanitising, and only then turning the placeholders into
trusted ``<span>``/``<mark>`` tags (:mod:`briefreader.core.render_marks`). A text too complex
to lay out in bounded time is shown as it is (:mod:`briefreader.core.render_limits`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from briefreader.core.brief import Brief
from briefreader.core.render_layout import (
    BRIEF_ATTRIBUTES,
    MARK_ATTRIBUTES,
    PLAIN_NOTICE,
    fix_images,
    layout,
    render_markdown,
    safe_html,
    safe_source,
    sanitise,
)
from briefreader.core.render_limits import complexity, too_complex
from briefreader.core.render_marks import (
    ActorInfo,
    Marker,
    MentionLike,
    apply_marks,
    placeholders_in_text,
    with_placeholders,
)

__all__ = [
    "PLAIN_NOTICE",
    "ActorInfo",
    "MentionLike",
    "RenderedBrief",
    "complexity",
    "render_brief",
    "render_header",
    "render_markdown",
    "render_section",
    "too_complex",
]


@dataclass(frozen=True, slots=True)
class RenderedBrief:
    """The three pieces a reading pane shows; ``comment_html`` is None without a comment."""

    header_html: str
    article_html: str
    comment_html: str | None


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
    text = safe_source(text)
    # Decided once, on the text itself: with marks or without, a text too complex to lay
    # out is shown as it is (the marks once skipped this and ran into the slow cases).
    plain = too_complex(text)
    source, states = with_placeholders(text, section_start, mentions, hits, laid_out=not plain)
    if not states:
        return safe_html(text, plain, base_dir)
    converted, plain = layout(source, plain)
    if plain:  # escaped text, our tags nested by construction
        return apply_marks(converted, states, Marker(actor_info))
    cleaned = placeholders_in_text(sanitise(converted, BRIEF_ATTRIBUTES), base_dir)
    marked = apply_marks(cleaned, states, Marker(actor_info))
    # A last pass with our attributes allowed: whatever slipped through is re-balanced.
    return fix_images(sanitise(marked, MARK_ATTRIBUTES), base_dir)


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
