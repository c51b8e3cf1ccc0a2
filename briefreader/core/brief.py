"""The Brief record: what one brief file is once parsed, shared by every front end."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

ARTICLE = "article"
COMMENT = "comment"


@dataclass(frozen=True, slots=True)
class Brief:
    """One parsed brief.

    ``text`` is the whole decoded file (BOM stripped, newlines normalised to LF), or for a
    brief read from another format (a web page, a PDF, an email) or cut from a digest, the
    text extracted for it. The article and the comment are slices of it, so every offset
    reported anywhere (mentions, hits) is a code-point offset into ``text``:
    ``text[article_start:article_end] == article``.

    The fields after ``warnings`` say where the brief came from (see core/readers): the id of
    its file, its item number and first page within it, where later pages begin in ``text``,
    the format it was read from, and for an email attachment the id of its message's brief.
    """

    id: str  # path relative to its corpus folder, with forward slashes
    path: Path
    text: str
    title: str
    date: dt.date | None
    source: str | None
    author: str | None
    tags: tuple[str, ...]
    article: str
    article_start: int
    comment: str | None  # None when the brief has no comment marker
    comment_start: int | None
    sha256: str  # of the raw bytes on disk
    encoding: str = "utf-8"
    metadata: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    file_id: str = ""  # the id of the file it was read from; "" means the same as ``id``
    item: int | None = None  # 1-based place within its file; None for a whole-file brief
    page: int | None = None  # the page ``text`` starts on (PDFs); None when pages are unknown
    page_breaks: tuple[int, ...] = ()  # offsets in ``text`` where the pages after it begin
    format: str = "text"  # "text", "html", "pdf", "docx", "doc", "odt", "rtf", "email"
    parent: str | None = None  # for an email attachment: the id of its message's brief
    #: Whether ``path`` is a file on this machine. False for a brief from the team archive,
    #: whose path is only its id: never a place to read images or open "the original" from.
    on_disk: bool = True

    @property
    def article_end(self) -> int:
        return self.article_start + len(self.article)

    @property
    def comment_end(self) -> int | None:
        if self.comment is None or self.comment_start is None:
            return None
        return self.comment_start + len(self.comment)

    @property
    def source_file_id(self) -> str:
        """The id of the file this brief was read from (its own id for a whole-file brief)."""
        return self.file_id or self.id

    def page_at(self, offset: int) -> int | None:
        """The page number holding ``offset`` in ``text``, or None when pages are unknown."""
        if self.page is None:
            return None
        return self.page + bisect_right(self.page_breaks, offset)

    def sections(self) -> list[tuple[str, int, str]]:
        """(section name, start offset, text) for the article and, if present, the comment."""
        out = [(ARTICLE, self.article_start, self.article)]
        if self.comment is not None and self.comment_start is not None:
            out.append((COMMENT, self.comment_start, self.comment))
        return out


class BriefError(Exception):
    """A file that cannot be read as a brief; ``reason`` is one line a user understands."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = Path(path)
        self.reason = reason


_FORMAT_NAMES = {
    "html": "web page",
    "pdf": "PDF",
    "docx": "Word file",
    "doc": "Word 97-2003 file",
    "odt": "OpenDocument text",
    "rtf": "RTF file",
    "email": "email",
}


def provenance_line(brief: Brief) -> str:
    """Where a brief came from, in a few plain words ("" for a whole text file):
    ``roundup.pdf · item 3 · pp. 12–14 · PDF``. Plain text: callers escape it for markup."""
    whole_text = brief.format == "text" and brief.item is None and brief.parent is None
    if whole_text:
        return ""
    parts = [brief.source_file_id.rsplit("/", 1)[-1]]
    if brief.item is not None:
        parts.append(f"item {brief.item}")
    if brief.page is not None:
        last = brief.page + len(brief.page_breaks)
        parts.append(f"p. {brief.page}" if last == brief.page else f"pp. {brief.page}–{last}")
    if brief.parent is not None:
        parts.append("attachment")
    name = _FORMAT_NAMES.get(brief.format)
    if name:
        parts.append(name)
    return " · ".join(parts)
