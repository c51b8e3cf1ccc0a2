"""What every format reader shares: the result type, limits, and extracted text -> briefs.

A reader extracts the text that is indexed and shown (Markdown-like: paragraphs separated by
blank lines, headings as ``#`` lines, so the comment marker and the digest splitter see the
same shapes as in a text brief), plus what the file's own metadata says (title, date, source).
:func:`briefs_from_text` then runs the text parser and the digest splitter over it, so every
format gets the same title/date/source/article/comment rules.
"""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import datetime as dt
import hashlib
import io
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from briefreader.core.brief import Brief, BriefError
from briefreader.core.digest import split_digest, text_sha256
from briefreader.core.parse import parse_date, parse_text, read_header, skip_blank_lines

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` (pages, or bytes of a mailbox) while a file is read."""

MAX_TEXT_CHARS = 50_000_000  # extracted text kept from one file; the rest is dropped, with a note
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


@dataclass(slots=True)
class FileRead:
    """What one file gave: its briefs (at least one) and notes about the file as a whole.

    ``sha256`` is of the file's bytes as they are on disk (whether the file changed); each
    brief's own ``sha256`` is of its text, except a whole text file's, which is of its bytes.
    """

    briefs: list[Brief]
    warnings: list[str] = field(default_factory=list)
    format: str = "text"
    sha256: str = ""


@dataclass(slots=True)
class Extracted:
    """A reader's text for one brief (or digest) and what the file's metadata says."""

    text: str
    title: str | None = None
    date: dt.date | None = None
    source: str | None = None
    author: str | None = None
    page: int | None = None
    page_breaks: tuple[int, ...] = ()
    warnings: list[str] = field(default_factory=list)
    #: Files attached to the document (a PDF's embedded files), by name: briefs of their own.
    files: list[tuple[str, bytes]] = field(default_factory=list)


def clean_text(text: str) -> str:
    """Newlines as LF, no control characters (a PDF's or a Word file's stray bytes)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(" ", text)


def date_from_metadata(value: str | None) -> dt.date | None:
    """A date from metadata: ISO 8601 with a time, a PDF ``D:YYYYMMDD...``, or a brief's forms."""
    if not value:
        return None
    value = value.strip()
    m = re.match(r"(?:D:)?((?:19|20)\d\d)-?(\d\d)-?(\d\d)", value)
    if m is not None:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    try:
        return parse_date(value)
    except ValueError:
        return None


def _text_has_title(text: str) -> bool:
    """Whether the text names its title itself (a ``Title:`` header or a leading ``#``)."""
    meta, body = read_header(text)
    if meta.get("title"):
        return True
    start = skip_blank_lines(text, body)
    return re.match(r"[ \t]{0,3}#[ \t]+\S", text[start : start + 400]) is not None


def briefs_from_text(
    extracted: Extracted,
    *,
    brief_id: str,
    file_id: str,
    path: Path,
    fmt: str,
    sha256: str | None = None,
    parent: str | None = None,
    prefer_title: bool = False,
) -> list[Brief]:
    """Parse extracted text as a brief, fill in the file's metadata, then split a digest.

    The text's own header (``Title:``, ``Date:``...) and leading heading come first; the
    file's metadata fills what they leave empty (``prefer_title``: the file's title wins, as
    an email's Subject does); a date in the file name comes last. Raises
    BriefError for a text with nothing in it.
    """
    text = extracted.text
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS]
        extracted.warnings.append("very long text: only the first 50 million characters kept")
    brief = parse_text(text, brief_id=brief_id, path=path, warnings=extracted.warnings)
    meta = brief.metadata
    title = brief.title
    if extracted.title and (prefer_title or not _text_has_title(brief.text)):
        title = extracted.title
    date = brief.date
    if not meta.get("date") and extracted.date is not None:
        date = extracted.date
    breaks = tuple(b for b in extracted.page_breaks if 0 < b < len(brief.text))
    brief = dataclasses.replace(
        brief,
        title=title,
        date=date,
        source=meta.get("source") or extracted.source or None,
        author=meta.get("author") or extracted.author or None,
        sha256=sha256 if sha256 is not None else text_sha256(brief.text),
        file_id="" if brief_id == file_id else file_id,
        page=extracted.page,
        page_breaks=breaks,
        format=fmt,
        parent=parent,
    )
    return split_digest(brief)


def sha256_of_file(handle: BinaryIO, chunk: int = 1 << 20) -> str:
    """The SHA-256 of an open file from where it is, read in chunks (bounded memory)."""
    digest = hashlib.sha256()
    while block := handle.read(chunk):
        digest.update(block)
    return digest.hexdigest()


def bytes_within(source: Path | bytes, where: Path, what: str, limit: int) -> bytes:
    """A file's bytes (or an attachment's, as given), refused past ``limit`` bytes with a
    reason that names ``what`` it is ("web page") and the size."""
    if isinstance(source, Path):
        try:
            size = source.stat().st_size
            if size > limit:
                raise BriefError(where, too_large(what, size, limit))
            return source.read_bytes()
        except OSError as exc:
            raise BriefError(where, f"cannot read the file ({exc.strerror or exc})") from None
    if len(source) > limit:
        raise BriefError(where, too_large(what, len(source), limit))
    return source


def too_large(what: str, size: int, limit: int) -> str:
    return f"{what} too large ({size / (1 << 20):.1f} MB; the limit is {limit >> 20} MB)"


@contextlib.contextmanager
def compound_file(data: bytes, where: Path, kind: str, damaged: str) -> Iterator[Any]:
    """An OLE compound file (an Outlook .msg, a Word 97-2003 .doc) open from its bytes, with
    olefile, closed after: BriefError "not ``kind``" when its bytes are of another kind, and
    "``damaged`` (error)" for any error of olefile's or the reader's in the block (a
    BriefError raised there passes as it is)."""
    import olefile  # only .msg and .doc files need it

    if not data.startswith(olefile.MAGIC):
        raise BriefError(where, f"not {kind}: its content is of another kind")
    log = logging.getLogger(__name__)
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:  # olefile raises many kinds on a damaged file
        log.debug("cannot open %s", where, exc_info=True)
        raise BriefError(where, f"{damaged} ({type(exc).__name__})") from None
    try:
        yield ole
    except BriefError:
        raise
    except Exception as exc:  # a damaged structure, met while reading it
        log.debug("cannot read %s", where, exc_info=True)
        raise BriefError(where, f"{damaged} ({type(exc).__name__})") from None
    finally:
        ole.close()


#: Windows code page numbers whose Python name is not "cp" and the number.
_CODEPAGES = {
    65001: "utf-8",
    20127: "ascii",
    1200: "utf-16-le",
    1201: "utf-16-be",
    28591: "iso-8859-1",
    28592: "iso-8859-2",
    28595: "iso-8859-5",
    28596: "iso-8859-6",
    28597: "iso-8859-7",
    28598: "iso-8859-8",
    28599: "iso-8859-9",
    38598: "iso-8859-8",
    20866: "koi8-r",
    21866: "koi8-u",
    50220: "iso2022_jp",
    51932: "euc_jp",
    51949: "euc_kr",
    54936: "gb18030",
    936: "gb18030",
}


def codec_of(number: int | None) -> str | None:
    """Python's name for a Windows code page number, or None."""
    if not number:
        return None
    name = _CODEPAGES.get(number, f"cp{number}")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None
