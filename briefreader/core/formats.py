"""Which files are read, as what, and by which version of their reader.

This is the light half of :mod:`briefreader.core.readers` (which loads PDFium, lxml and the
rest): what the walk, the update's plan, the command line and the window ask of a path before
anything is read.

- A file's format comes from its suffix (:data:`FORMAT_OF_SUFFIX`). A file whose suffix says
  nothing (none at all, or one no reader or :data:`NOT_READ` knows) is told by its first bytes
  (:func:`sniff`). That is how mail programs keep their mail:
  - Thunderbird's ``Inbox`` and ``Sent``, mailboxes without a suffix;
  - the ``mbox`` file inside Apple Mail's exported ``Name.mbox`` folder;
  - Maildir's ``cur/1700000000.M1P2.host:2,S`` and MH's ``1``, ``2``, one message a file.

  A PDF saved without its suffix is told by its signature too, and a web page a site mirror
  saved as ``article.php?id=12`` by its doctype or ``<html>``.
- Every format's reader has a number (:data:`READER_VERSIONS`). The index records, per file,
  the number its briefs were read with (:func:`reader_stamp`). When a release changes what a
  reader gives for an unchanged file, its number goes up, and the next update reads that
  format's files again, not only the files changed since.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from briefreader.core.parse import BRIEF_SUFFIXES

#: Each format's name and the suffixes (lower case, with the dot) its reader takes.
SUFFIXES_BY_FORMAT: dict[str, tuple[str, ...]] = {
    "text": BRIEF_SUFFIXES,
    "html": (".html", ".htm", ".xhtml", ".shtml", ".mht", ".mhtml", ".webarchive"),
    "pdf": (".pdf",),
    "docx": (".docx", ".docm"),
    "doc": (".doc",),
    "odt": (".odt",),
    "rtf": (".rtf",),
    "email": (".eml", ".emlx", ".msg", ".mbox"),
    "zip": (".zip",),
    "gzip": (".gz",),
}
FORMAT_OF_SUFFIX: dict[str, str] = {
    s: fmt for fmt, suffixes in SUFFIXES_BY_FORMAT.items() for s in suffixes
}

#: What each format's reader gives, numbered. Raise a format's number when a change makes its
#: reader give other briefs for a file that has not changed (other text, titles, dates, item
#: splits, warnings); raise SHARED_VERSION for a change to the text parser or the digest
#: splitter, which every format goes through. The next update then reads those files again.
SHARED_VERSION = 1
READER_VERSIONS: dict[str, int] = {
    "text": 2,  # 2: text written a paragraph a line is read in paragraphs
    "html": 1,
    "pdf": 2,  # 2: a blank page is no "little or no text" warning; attached files read
    "docx": 1,
    "doc": 1,
    "odt": 1,
    "rtf": 1,
    "email": 2,  # 2: a list's tag left out of titles; a body's "From " line splits no message
    "zip": 1,
    "gzip": 1,
}


def reader_stamp(fmt: str) -> str:
    """The versions a file of format ``fmt`` is read with, as the index records them.

    An email's stamp holds every reader's number: its HTML part goes through the web page
    reader, and its attachments through theirs; so do a zip archive's and a gzip file's.
    """
    if fmt in ("email", "zip", "gzip"):
        return f"{SHARED_VERSION}:" + ".".join(
            f"{name}{number}" for name, number in sorted(READER_VERSIONS.items())
        )
    return f"{SHARED_VERSION}:{fmt}{READER_VERSIONS.get(fmt, 0)}"


NOT_READ: dict[str, str] = {
    ".emlxpart": "an attachment Apple Mail keeps beside its message (.emlx): not read alone",
    ".msf": "Thunderbird's summary of the mailbox beside it: not needed (the mailbox is read)",
    ".dot": "Word template, not read: save it as .docx",
    ".dotx": "Word template, not read: save it as .docx",
    ".pages": "Apple Pages file, not read: export it as .docx or PDF",
    ".wpd": "WordPerfect file, not read: save it as .docx",
    ".epub": "e-book, not read",
    ".pst": "Outlook data file, not read: export the folder as .mbox",
    ".ost": "Outlook data file, not read: export the folder as .mbox",
    ".xls": "spreadsheet, not read",
    ".xlsx": "spreadsheet, not read",
    ".ods": "spreadsheet, not read",
    ".csv": "spreadsheet data, not read",
    ".ppt": "presentation, not read",
    ".pptx": "presentation, not read",
    ".odp": "presentation, not read",
    ".xps": "XPS document, not read: print it to PDF",
    ".djvu": "DjVu document, not read: convert it to PDF",
    ".7z": "archive, not read: unpack it into the folder",
    ".tar": "archive, not read: unpack it into the folder",
    ".tgz": "archive, not read: unpack it into the folder",
    ".rar": "archive, not read: unpack it into the folder",
    ".jpg": "picture: no text to read (a scan? make it a PDF with a text layer)",
    ".jpeg": "picture: no text to read (a scan? make it a PDF with a text layer)",
    ".png": "picture: no text to read (a scan? make it a PDF with a text layer)",
    ".tif": "picture: no text to read (a scan? make it a PDF with a text layer)",
    ".tiff": "picture: no text to read (a scan? make it a PDF with a text layer)",
    ".gif": "picture: no text to read",
    ".webp": "picture: no text to read",
}
"""Suffixes of formats briefreader knows but does not read, with the one-line reason. Files
with these suffixes are not sniffed."""

#: Files known by their name alone: the mail programs' own bookkeeping beside a mailbox.
NOT_READ_NAMES: dict[str, str] = {
    "table_of_contents": (
        "Apple Mail's table of contents of the mailbox beside it: not needed (the mailbox is read)"
    ),
}

#: How much of a file its sniffing reads: a message's first header lines fit in it.
SNIFF_BYTES = 4096

#: A header field's name, its colon and the start of its value (RFC 5322: printable ASCII
#: but the colon, then any blanks).
_FIELD = re.compile(rb"([!-9;-~]{1,76}):")
#: A message's own fields (lower case): two of them, one naming where it came from, tell a
#: message from a text that opens with "Title: ..." lines.
_MAIL_FIELDS = frozenset(
    (
        b"from", b"to", b"cc", b"subject", b"date", b"message-id", b"received",
        b"return-path", b"mime-version", b"delivered-to", b"reply-to", b"sender",
        b"content-type", b"list-id", b"x-mozilla-status", b"x-apple-base-url",
    )
)  # fmt: skip
_ORIGIN_FIELDS = frozenset(
    (b"from", b"received", b"return-path", b"message-id", b"delivered-to", b"sender")
)


def _mail_header(lines: list[bytes]) -> bool:
    """Whether ``lines`` open with a message's header: every line up to the first blank one
    a field or a field's folded continuation, with two fields a message has, one of them
    naming its origin."""
    names: set[bytes] = set()
    for n, line in enumerate(lines):
        line = line.rstrip(b"\r")
        if not line:
            break
        if line[:1] in (b" ", b"\t"):
            if n == 0:
                return False
            continue
        m = _FIELD.match(line)
        if m is None:
            return False
        names.add(m.group(1).lower())
    return len(names & _MAIL_FIELDS) >= 2 and bool(names & _ORIGIN_FIELDS)


#: A web page's start: an XML declaration and comments may come before its doctype or
#: ``<html>`` (what a site mirror saves as ``article.php?id=12`` or ``index``).
_HTML_START = re.compile(
    rb"(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]{0,200}>\s*)?(?:<!--.{0,400}?-->\s*){0,4}"
    rb"<(?:!doctype\s+html|html)[\s>]",
    re.IGNORECASE | re.DOTALL,
)


def sniff_bytes(head: bytes) -> str | None:
    """The suffix a file that opens with ``head`` is read as (".mbox", ".eml", ".pdf",
    ".html"), or None when its first bytes are none of those."""
    if b"%PDF-" in head[:1024]:  # the signature may follow a little junk
        return ".pdf"
    if _HTML_START.match(head[:1024]):
        return ".html"
    # The last line may be cut short by the window: it is not judged.
    lines = head.split(b"\n")
    if len(head) >= SNIFF_BYTES:
        lines = lines[:-1]
    if not lines:
        return None
    if lines[0].startswith(b"From ") and _mail_header(lines[1:]):
        return ".mbox"
    if _mail_header(lines):
        return ".eml"
    return None


def sniff(path: Path) -> str | None:
    """The suffix ``path`` is read as, told by its first :data:`SNIFF_BYTES`; None when it
    cannot be opened or is of no format read here."""
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError:
        return None
    return sniff_bytes(head)


#: Suffixes of files read as a stream of messages, their progress told in bytes: a mailbox,
#: and a compressed file (which may hold one).
STREAMED = (".mbox", ".gz")


def read_as(suffix: str, told: Callable[[], str | None]) -> str | None:
    """The suffix a file named with ``suffix`` is read as: its own when a reader takes it,
    else the one its first bytes tell (``told()``, :func:`sniff_bytes` of them, asked only
    then); None when it is not read. A ``.txt`` whose first lines are an mbox's is a mailing
    list's archive (``2019-March.txt``) and is read as the mailbox it is."""
    if suffix == ".txt":
        return ".mbox" if told() == ".mbox" else suffix
    if suffix in FORMAT_OF_SUFFIX:
        return suffix
    if suffix in NOT_READ:
        return None
    return told()


def reading_suffix(path: Path) -> str | None:
    """The suffix ``path`` is read as (:func:`read_as`, the file sniffed when asked); None
    when it is not read."""
    suffix = path.suffix.lower()
    if suffix not in FORMAT_OF_SUFFIX and path.name.lower() in NOT_READ_NAMES:
        return None
    return read_as(suffix, lambda: sniff(path))


def format_of(path: Path) -> str | None:
    """The format ``path`` is read as ("text", "html", "pdf", "docx", "rtf", "email"), or
    None."""
    suffix = reading_suffix(path)
    return None if suffix is None else FORMAT_OF_SUFFIX[suffix]


def is_read_by_content(path: Path) -> bool:
    """Whether a file with a suffix no reader takes is read after all, told by its content
    (the walk asks this of every such file)."""
    return path.suffix.lower() not in FORMAT_OF_SUFFIX and reading_suffix(path) is not None
