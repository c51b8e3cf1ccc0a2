"""An actor's dossier: every sentence the analysts wrote naming it, newest first, to keep.

Written as Markdown (and as HTML for a PDF): one heading a brief, each sentence quoted as it
stands in the brief, the actor's mentions in bold. Before each quote an HTML comment (hidden
when the Markdown is rendered) gives the sentence's code-point offsets in the brief's decoded
text, so a tool, or a test, can check every quote against its source: the quote's lines
without their "> ", joined by newlines, without the "**" marks and with their HTML entities
read back (``html.unescape``), are ``text[start:end]``. Every text from a brief or the
glossary has its ``&``, ``<`` and ``>`` written as entities: no HTML in it is rendered.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from briefreader.core.atomic import write_text_atomic
from briefreader.core.records import ActorPage, CommentSentence
from briefreader.core.safetext import markdown_code, markdown_text
from briefreader.core.wording import counted


@dataclass(frozen=True, slots=True)
class DossierHead:
    """Who the dossier is about, and the page's figures it opens with."""

    name: str
    kind: str
    briefs: int
    comment_briefs: int
    comment_only: int
    article_only: int

    @classmethod
    def of(cls, name: str, kind: str, page: ActorPage) -> DossierHead:
        comment_briefs = sum(m.comment for m in page.timeline)
        return cls(name, kind, page.briefs, comment_briefs, page.comment_only, page.article_only)

    def summary(self) -> str:
        return (
            f"{counted(self.briefs, 'brief')} name {self.name}; the analyst's comment names it"
            f" in {self.comment_briefs}, in {self.comment_only} of them although the article"
            f" does not; the article alone names it in {self.article_only}."
        )


def _merged(marks: Sequence[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted((max(0, s), min(length, e)) for s, e in marks):
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def marked(
    text: str,
    marks: Sequence[tuple[int, int]],
    before: str,
    after: str,
    escape: Callable[[str], str] | None = None,
) -> str:
    """``text`` with each mention between ``before`` and ``after`` (overlaps merged), the
    text's pieces through ``escape`` when given (the marks are not)."""
    esc = escape or (lambda piece: piece)
    out: list[str] = []
    pos = 0
    for s, e in _merged(marks, len(text)):
        out += [esc(text[pos:s]), before, esc(text[s:e]), after]
        pos = e
    out.append(esc(text[pos:]))
    return "".join(out)


def _day(date: dt.date | None) -> str:
    return date.isoformat() if date else "undated"


def dossier_markdown(
    head: DossierHead, comments: Sequence[CommentSentence], *, today: dt.date | None = None
) -> str:
    """The dossier as Markdown (see the module's note on how each quote maps to its brief)."""
    today = today or dt.date.today()
    lines = [
        f"# {markdown_text(head.name)}: what the analysts wrote",
        "",
        f"{markdown_text(head.kind.title())}. {markdown_text(head.summary())}",
        "",
        f"{counted(len(comments), 'sentence')} from the analysts' comments, newest first;"
        f" exported by briefreader on {today.isoformat()}.",
        "",
    ]
    for (brief_id, date, title), group in groupby(comments, key=lambda c: (c.id, c.date, c.title)):
        heading = markdown_text(" ".join((title or brief_id).split()))
        lines += [f"## {_day(date)} · {heading}", "", markdown_code(brief_id), ""]
        for c in group:
            lines.append(f"<!-- sentence {c.start} {c.end} -->")
            quoted = marked(c.text, c.marks, "**", "**", markdown_text)
            lines += [f"> {line}" if line else ">" for line in quoted.split("\n")]
            lines.append("")
    return "\n".join(lines)


def dossier_html(head: DossierHead, comments: Sequence[CommentSentence]) -> str:
    """The dossier as simple HTML (for a PDF): the same headings and quotes as the Markdown."""
    parts = [
        f"<h1>{html.escape(head.name)}: what the analysts wrote</h1>",
        f"<p>{html.escape(head.kind.title())}. {html.escape(head.summary())}</p>",
        f"<p><i>{counted(len(comments), 'sentence')} from the analysts' comments, newest"
        " first.</i></p>",
    ]
    for (brief_id, date, title), group in groupby(comments, key=lambda c: (c.id, c.date, c.title)):
        parts.append(
            f"<h3>{_day(date)} · {html.escape(title or brief_id)}</h3>"
            f"<p style='color:#6b737b'>{html.escape(brief_id)}</p>"
        )
        for c in group:
            body = marked(c.text, c.marks, "<b>", "</b>", html.escape)
            parts.append(f"<blockquote>{body}</blockquote>")
    return "\n".join(parts)


def write_dossier(path: Path, head: DossierHead, comments: Sequence[CommentSentence]) -> None:
    """Save the Markdown dossier at ``path`` (atomically: a reader never sees half of it)."""
    write_text_atomic(Path(path), dossier_markdown(head, comments))
