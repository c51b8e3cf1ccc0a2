"""Old Word files (.doc, Word 97 to 2003): the main document's text, from its piece table.

Years of archived briefs predate .docx. A .doc is an OLE compound file (read with olefile);
its ``WordDocument`` stream opens with the File Information Block ([MS-DOC] 2.5), which says
which table stream holds the piece table (the CLX) and how many characters the main document
has. The piece table maps the document's characters to runs of bytes in ``WordDocument``, each
either 8-bit (Windows-1252) or UTF-16. Only the main document is read (not headers, footers,
footnotes or comments, as for .docx headers and comments); formatting and styles are not.

Word's marks in the text become what the other readers give: a paragraph's end a blank line, a
line break a line's end, a table cell's end a line's end, a field its shown result (not its
code), a non-breaking hyphen a hyphen; pictures' and notes' anchors are dropped. The title,
author and date come from the file's summary information.

Word 6 and Word 95 files (another layout), encrypted files and files that are no Word
document are refused with a reason.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import struct
from pathlib import Path

from briefreader.core import formats
from briefreader.core.brief import BriefError
from briefreader.core.readers.common import (
    MAX_TEXT_CHARS,
    Extracted,
    bytes_within,
    compound_file,
)

log = logging.getLogger(__name__)

FORMAT = "doc"
SUFFIXES = formats.SUFFIXES_BY_FORMAT[FORMAT]
MAX_FILE_BYTES = 100 << 20

_MAGIC = 0xA5EC
_WORD_97 = 0x00C0  # FibBase.nFib from Word 97 on; Word 6 and 95 wrote 101 to 105
_ENCRYPTED, _WHICH_TABLE = 1 << 8, 1 << 9
_CLX_PAIR = 33  # fcClx / lcbClx: the 34th (fc, lcb) pair of FibRgFcLcb97
_PRC, _PCDT = 0x01, 0x02

#: Word's marks in the main document's text, and what they become.
_MARKS = str.maketrans(
    {
        "\r": "\n\n",  # a paragraph's end
        "\x0b": "\n",  # a line break
        "\x0c": "\n\n",  # a page or section break
        "\x07": " | ",  # a table cell's end (a row's end: see _plain)
        "\x1e": "-",  # a non-breaking hyphen
        "\x1f": None,  # an optional hyphen
        "\x01": None,  # a picture's anchor
        "\x02": None,  # a footnote's reference
        "\x05": None,  # a comment's anchor
        "\x08": None,  # a drawn object's anchor
    }
)
_FIELD_BEGIN, _FIELD_SEPARATOR, _FIELD_END = "\x13", "\x14", "\x15"
_FIELD_MARK = re.compile("[\x13\x14\x15]")
_BLANK_LINES = re.compile(r"\n{3,}")
_ROW_END = re.compile("\x07\x07")


def extract_doc(source: Path | bytes, where: Path) -> Extracted:
    """The text and summary information of a .doc file (or its bytes)."""
    data = bytes_within(source, where, "Word file", MAX_FILE_BYTES)
    with compound_file(data, where, "an old Word file (.doc)", "damaged Word file") as ole:
        if not ole.exists("WordDocument"):
            raise BriefError(where, "not a Word document (no WordDocument stream in it)")
        document = bytes(ole.openstream("WordDocument").read())
        text = _main_text(ole, document, where)
        title = author = None
        date = None
        try:
            meta = ole.get_metadata()
            title = _meta_text(meta.title)
            author = _meta_text(meta.author)
            created = meta.create_time
            if isinstance(created, dt.datetime) and created.year >= 1990:
                date = created.date()
        except Exception:  # summary information is a nicety: the text stands without it
            log.debug("no summary information in %s", where, exc_info=True)
    if not text.strip():
        raise BriefError(where, "no text in the Word file")
    return Extracted(text=text, title=title, date=date, author=author)


def _meta_text(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("cp1252", "replace")
    if not isinstance(value, str):
        return None
    value = " ".join(value.replace("\x00", " ").split())
    return value or None


def _main_text(ole: object, document: bytes, where: Path) -> str:
    """The main document's characters, through the piece table, with Word's marks turned into
    plain text."""
    if len(document) < 0x200:
        raise BriefError(where, "damaged Word file (its header is cut short)")
    ident, version = struct.unpack_from("<HH", document, 0)
    if ident != _MAGIC:
        raise BriefError(where, "not a Word document (its header is of another kind)")
    if version < _WORD_97:
        raise BriefError(where, "Word 6 or Word 95 file, not read: save it as .docx")
    (flags,) = struct.unpack_from("<H", document, 0x0A)
    if flags & _ENCRYPTED:
        raise BriefError(where, "encrypted Word file: no password")
    table_name = "1Table" if flags & _WHICH_TABLE else "0Table"
    if not ole.exists(table_name):  # type: ignore[attr-defined]
        raise BriefError(where, f"damaged Word file (no {table_name} stream)")
    table = bytes(ole.openstream(table_name).read())  # type: ignore[attr-defined]
    # FibBase (32 bytes), then counted arrays of 16-bit and 32-bit values, then (fc, lcb) pairs.
    at = 32
    (csw,) = struct.unpack_from("<H", document, at)
    at += 2 + 2 * csw
    (cslw,) = struct.unpack_from("<H", document, at)
    lw = at + 2
    (ccp_text,) = struct.unpack_from("<I", document, lw + 3 * 4)  # FibRgLw97.ccpText
    at = lw + 4 * cslw
    (pairs,) = struct.unpack_from("<H", document, at)
    if pairs <= _CLX_PAIR:
        raise BriefError(where, "damaged Word file (no piece table named in its header)")
    fc_clx, lcb_clx = struct.unpack_from("<II", document, at + 2 + 8 * _CLX_PAIR)
    pieces = _pieces(table[fc_clx : fc_clx + lcb_clx], where)
    return _plain(_characters(document, pieces, min(ccp_text, MAX_TEXT_CHARS)))


def _pieces(clx: bytes, where: Path) -> list[tuple[int, int, int, bool]]:
    """The piece table: (first character, last character + 1, byte offset, 8-bit) a piece."""
    at = 0
    while at < len(clx) and clx[at] == _PRC:  # formatting runs: passed over
        (size,) = struct.unpack_from("<h", clx, at + 1)
        at += 3 + max(0, size)
    if at >= len(clx) or clx[at] != _PCDT:
        raise BriefError(where, "damaged Word file (no piece table)")
    (size,) = struct.unpack_from("<I", clx, at + 1)
    plc = clx[at + 5 : at + 5 + size]
    count = (len(plc) - 4) // 12
    if count <= 0:
        raise BriefError(where, "damaged Word file (an empty piece table)")
    cps = struct.unpack_from(f"<{count + 1}I", plc, 0)
    out = []
    for n in range(count):
        (fc,) = struct.unpack_from("<I", plc, 4 * (count + 1) + 8 * n + 2)
        compressed = bool(fc & 0x40000000)
        offset = (fc & 0x3FFFFFFF) // 2 if compressed else fc & 0x3FFFFFFF
        out.append((cps[n], cps[n + 1], offset, compressed))
    return out


def _characters(document: bytes, pieces: list[tuple[int, int, int, bool]], wanted: int) -> str:
    """The first ``wanted`` characters the pieces give, in character order."""
    parts: list[str] = []
    got = 0
    for first, end, offset, compressed in sorted(pieces):
        if got >= wanted:
            break
        count = min(end, wanted) - max(first, got)
        if count <= 0:
            continue
        skip = max(first, got) - first
        if compressed:
            raw = document[offset + skip : offset + skip + count]
            parts.append(raw.decode("cp1252", "replace"))
        else:
            start = offset + 2 * skip
            raw = document[start : start + 2 * count]
            parts.append(raw[: len(raw) - len(raw) % 2].decode("utf-16-le", "replace"))
        got += count
    return "".join(parts)


def _plain(text: str) -> str:
    """Word's text with its fields shown as their results and its marks as plain text."""
    if _FIELD_BEGIN in text:
        text = _field_results(text)
    # A row ends with its last cell's mark and its own: the row a line, its cells joined as
    # the .docx reader joins them. (An empty cell's mark beside another reads as a row's end:
    # the text is all there, the row split in two.)
    text = _ROW_END.sub("\n\n", text).translate(_MARKS)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip() + "\n"


def _field_results(text: str) -> str:
    """Each field (begin, code, separator, result, end; nested) as its result alone: a
    hyperlink's text, not its HYPERLINK code. One pass, a stack of open fields."""
    out: list[str] = []
    hidden = 0  # open fields whose code (before the separator) is being read
    stack: list[bool] = []  # each open field: still in its code?
    at = 0
    for mark in _FIELD_MARK.finditer(text):
        if not hidden:
            out.append(text[at : mark.start()])
        at = mark.end()
        char = mark.group()
        if char == _FIELD_BEGIN:
            stack.append(True)
            hidden += 1
        elif char == _FIELD_SEPARATOR and stack and stack[-1]:
            stack[-1] = False
            hidden -= 1
        elif char == _FIELD_END and stack and stack.pop():
            hidden -= 1
    if not hidden:
        out.append(text[at:])
    return "".join(out)
