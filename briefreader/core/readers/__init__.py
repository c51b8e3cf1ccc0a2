"""Every file format briefreader reads, behind one call: :func:`read_file` -> :class:`FileRead`.

One module per format (text, webpage, pdf, word, rtf, mail) extracts the text that is indexed and
shown, with what the file's own metadata says; every format then goes through the text parser's
title/date/source/article/comment rules and the digest splitter (core.digest), so a brief reads
the same whatever it came from and every offset is exact in its ``text``.

Brief ids, ``file`` being the id the caller gives the file (its path in the corpus):

- a file that is one brief: ``file``;
- item n (1-based, in text order) of a digest: ``file#n``;
- message k of a mailbox: ``file#k``, its items ``file#k/n``;
- an attachment: ``file#k/name.pdf`` (``file#name.pdf`` for an .eml), its items
  ``file#k/name.pdf/n``.

Parts after the ``#`` are joined by ``/`` (core.digest.child_id). Ids stay the same while the
file does not change (and an mbox's earlier messages keep theirs when messages are appended).
Every brief's ``file_id`` names its file, ``item`` its place among the file's items, ``page``
and ``page_breaks`` its pages (PDF), ``format`` its format and ``parent`` an attachment's
message.

Readers hold bounded memory: PDFs are read a page at a time, mailboxes (compressed ones too) a
message at a time, a Word file's and a zip's unpacked size is checked before it is opened, and
text, web pages and a compressed file's content have a size limit. PDFium is not thread-safe:
read PDFs from one thread per process (worker processes).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from briefreader.core import formats
from briefreader.core.brief import Brief, BriefError
from briefreader.core.readers import (
    gzipped,
    mail,
    odt,
    outlook,
    pdf,
    rtf,
    text,
    webpage,
    word,
    worddoc,
    zipped,
)
from briefreader.core.readers.common import (
    Extracted,
    FileRead,
    Progress,
    briefs_from_text,
    bytes_within,
    sha256_of_file,
)
from briefreader.core.walk import is_saved_page_folder

__all__ = [
    "NOT_READ",
    "SUFFIXES",
    "BriefError",
    "FileRead",
    "Progress",
    "format_of",
    "is_saved_page_folder",
    "read_file",
]

_FORMATS: dict[str, str] = formats.FORMAT_OF_SUFFIX

SUFFIXES: tuple[str, ...] = tuple(_FORMATS)
"""Every file name suffix (lower case, with the dot) that :func:`read_file` reads; a file with
another suffix (or none) is read when its content tells its format (core.formats.sniff)."""

NOT_READ = formats.NOT_READ


def format_of(path: Path) -> str | None:
    """The format :func:`read_file` reads ``path`` as ("text", "html", "pdf", ...), or None."""
    return formats.format_of(path)


def read_file(
    path: Path,
    *,
    file_id: str,
    progress: Progress | None = None,
    sink: Callable[[list[Brief]], None] | None = None,
) -> FileRead:
    """Read one file of any format in SUFFIXES into its briefs (at least one). A mailbox's
    briefs go to ``sink``, when given, a message at a time, and are not in the answer (see
    ``mail.read_mbox``); other formats ignore it.

    A file that cannot be read at all raises BriefError with a reason a user understands
    ("encrypted PDF: no password", "no text layer: scanned?"); a problem with part of it
    (a page, a message, an attachment) is one of ``FileRead.warnings``. ``progress`` is
    told pages done of a PDF and bytes done of a mailbox; an attachment's pages are not told.
    """
    suffix = formats.reading_suffix(path)
    if suffix is None:
        own = path.suffix.lower()
        raise BriefError(path, NOT_READ.get(own, f"{own or 'this'} files are not read"))
    fmt = _FORMATS[suffix]
    if fmt == text.FORMAT:
        return text.read(path, file_id=file_id)
    try:
        with path.open("rb") as handle:
            file_hash = sha256_of_file(handle)
    except OSError as exc:
        raise BriefError(path, f"cannot read the file ({exc.strerror or exc})") from None
    warnings: list[str] = []
    if fmt == gzipped.FORMAT:
        reader = _attachment_reader(warnings)

        def mailbox(stream: BinaryIO, position: Callable[[], int]) -> list[Brief]:
            return mail.read_mbox_stream(
                stream,
                position,
                path.stat().st_size,
                file_id=file_id,
                path=path,
                attachments=reader,
                warnings=warnings,
                progress=progress,
                sink=sink,
            )

        briefs = gzipped.read_gzip(
            path,
            file_id=file_id,
            path=path,
            members=reader,
            read_mailbox=mailbox,
            warnings=warnings,
        )
    elif fmt == zipped.FORMAT:
        reader = _attachment_reader(warnings)
        briefs = zipped.read_zip(
            path, file_id=file_id, path=path, members=reader, warnings=warnings
        )
    elif fmt == mail.FORMAT:
        reader = _attachment_reader(warnings)
        if suffix == ".mbox":
            briefs = mail.read_mbox(
                path,
                file_id=file_id,
                path=path,
                attachments=reader,
                warnings=warnings,
                progress=progress,
                sink=sink,
            )
        elif suffix == ".msg":
            briefs = outlook.read_msg(
                path, file_id=file_id, path=path, attachments=reader, warnings=warnings
            )
        else:
            briefs = mail.read_eml(
                path, file_id=file_id, path=path, attachments=reader, warnings=warnings
            )
    else:
        extracted = _extract(path, fmt, progress, path, suffix)
        warnings += extracted.warnings
        briefs = briefs_from_text(extracted, brief_id=file_id, file_id=file_id, path=path, fmt=fmt)
        if extracted.files:  # a PDF's attached files: briefs of their own, its children
            reader = _attachment_reader(warnings)
            briefs += mail.read_attached(
                extracted.files, file_id, briefs[0].id, file_id, path, reader, warnings
            )
    return FileRead(briefs, warnings, fmt, file_hash)


def _extract(
    source: Path | bytes, fmt: str, progress: Progress | None, where: Path, suffix: str
) -> Extracted:
    """A PDF's, Word or RTF file's or web page's text, from the file or (attachments) its
    bytes."""
    if fmt == pdf.FORMAT:
        return pdf.extract_pdf(source, where, progress)
    if fmt == word.FORMAT:
        return word.extract_docx(source, where)
    if fmt == worddoc.FORMAT:
        return worddoc.extract_doc(source, where)
    if fmt == odt.FORMAT:
        return odt.extract_odt(source, where)
    if fmt == rtf.FORMAT:
        return rtf.extract_rtf(source, where)
    if fmt == webpage.FORMAT:
        archive = suffix in webpage.ARCHIVE_SUFFIXES
        limit = webpage.MAX_ARCHIVE_BYTES if archive else webpage.MAX_BYTES
        data = bytes_within(source, where, "web page", limit)
        if archive:
            data = webpage.html_of_archive(data, where)
        return webpage.extract_html(data, where)
    raise BriefError(where, f"{fmt} cannot be read here")


#: Files inside files (an attachment's attachments, a zip in a message in a zip) read this
#: many levels deep at most: a chain a hostile file nests deeper is a warning, not a stack
#: overflow.
MAX_NESTING = 12


def _attachment_reader(warnings: list[str]) -> mail.AttachmentReader:
    """Reads an email's attachments and a zip archive's members (any format but mailboxes)
    into briefs of their own, :data:`MAX_NESTING` levels deep at most."""
    depth = 0

    def read(
        data: bytes, suffix: str, brief_id: str, file_id: str, path: Path, parent: str | None
    ) -> list[Brief]:
        nonlocal depth
        if depth >= MAX_NESTING:
            raise BriefError(path, f"files inside files nested over {MAX_NESTING} deep: not read")
        depth += 1
        try:
            return read_nested(data, suffix, brief_id, file_id, path, parent)
        finally:
            depth -= 1

    def read_nested(
        data: bytes, suffix: str, brief_id: str, file_id: str, path: Path, parent: str | None
    ) -> list[Brief]:
        if suffix not in _FORMATS and suffix not in NOT_READ:
            # A name that says nothing ("ATT00001", "Report"): told by its first bytes.
            suffix = formats.sniff_bytes(data[: formats.SNIFF_BYTES]) or suffix
        fmt = _FORMATS.get(suffix)
        if fmt is None or suffix == ".mbox":
            if suffix in NOT_READ and not NOT_READ[suffix].startswith("picture"):
                raise BriefError(path, NOT_READ[suffix])
            return []
        if fmt == gzipped.FORMAT:  # a compressed attachment: the file inside
            return gzipped.read_gzip(
                data,
                file_id=file_id,
                path=path,
                members=read,
                read_mailbox=None,
                warnings=warnings,
                name_suffix="",
                base=brief_id,
                parent=parent,
            )
        if fmt == zipped.FORMAT:  # a zipped attachment: its documents, the message's children
            return zipped.read_zip(
                data,
                file_id=file_id,
                path=path,
                members=read,
                warnings=warnings,
                base=brief_id,
                parent=parent,
            )
        if fmt == text.FORMAT:
            result = text.read_text_bytes(data, brief_id=brief_id, file_id=file_id, path=path)
            return [_with_parent(b, parent) for b in result.briefs]
        if fmt == mail.FORMAT:  # a forwarded message saved as .eml or .msg
            read_message = outlook.read_msg if suffix == ".msg" else mail.read_eml
            return read_message(
                data,
                file_id=file_id,
                path=path,
                attachments=read,
                warnings=warnings,
                base=brief_id,
                parent=parent,
            )
        extracted = _extract(data, fmt, None, path, suffix)
        warnings.extend(f"{brief_id}: {w}" for w in extracted.warnings)
        briefs = briefs_from_text(
            extracted, brief_id=brief_id, file_id=file_id, path=path, fmt=fmt, parent=parent
        )
        if extracted.files:
            briefs += mail.read_attached(
                extracted.files, brief_id, briefs[0].id, file_id, path, read, warnings,
                f"{brief_id}: ",
            )  # fmt: skip
        return briefs

    return read


def _with_parent(brief: Brief, parent: str | None) -> Brief:
    return dataclasses.replace(brief, parent=parent)
