"""RTF files (``.rtf``): the text a reader of the document sees, and its title, author and date.

News archives export their articles as RTF (Nexis Uni, Factiva), and Word and LibreOffice
save it. An RTF file is text: groups in braces, control words (``\\par``, ``\\b``,
``\\u8217``), escaped bytes (``\\'e9``) and the document's characters. Read here, with no
library, in one pass over the file and with a stack of our own for the groups (a file of
a million nested groups costs a list, never Python's recursion):

- paragraphs (``\\par``) are apart by a blank line, line breaks (``\\line``) end a line,
  table cells are apart by a tab and rows end a line; a paragraph bold throughout is
  written ``**so**``, as the Word reader writes one, so a digest's headlines are seen;
- characters come from ``\\uN`` (Unicode, its ``\\ucN`` fallback characters skipped) or from
  bytes in the document's code page (``\\ansicpgN``, else Windows-1252);
- what a reader does not see is left out: the font, colour and style tables, pictures
  and objects (``\\binN`` data skipped by its length), headers and footers, footnotes,
  field instructions (their results kept), and every ``{\\*\\dest ...}`` group;
- the ``\\info`` group gives the title, the author and the creation date.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import struct
from pathlib import Path

from briefreader.core import formats
from briefreader.core.brief import BriefError
from briefreader.core.readers.common import Extracted, bytes_within, clean_text

FORMAT = "rtf"
SUFFIXES = formats.SUFFIXES_BY_FORMAT[FORMAT]
#: Files larger than this are not read (pictures make RTF files large; their text is small).
MAX_BYTES = 200 << 20

_TOKEN = re.compile(
    rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?"  # a control word and its number
    rb"|\\'([0-9a-fA-F]{2})"  # a byte in the code page
    rb"|\\([^a-zA-Z'])"  # a control symbol: \\ \{ \} \~ \- \_ \* \<newline>
    rb"|([{}])"
    rb"|([^\\{}\r\n]+)"  # text
    rb"|[\r\n]+"
    rb"|\\",  # a lone backslash at the end
    re.DOTALL,
)

#: Groups whose text no reader sees.
_SKIPPED = frozenset(
    b"""fonttbl colortbl listtable listoverridetable revtbl rsidtbl generator pict
    object objdata shppict nonshppict header headerl headerr headerf footer footerl footerr
    footerf footnote fldinst xmlnstbl themedata colorschememapping datastore latentstyles
    pgdsctbl filetbl mmathPr bkmkstart bkmkend private docvar xe tc annotation atnid atnauthor
    comment""".split()
)
#: Parts of \\info read as metadata.
_INFO_TEXT = frozenset((b"title", b"author", b"subject"))
_SYMBOLS = {b"~": "\u00a0", b"_": "\u2011", b"-": "", b"\\": "\\", b"{": "{", b"}": "}"}
_CHARS = {
    b"tab": "\t",
    b"emdash": "\u2014",
    b"endash": "\u2013",
    b"lquote": "\u2018",
    b"rquote": "\u2019",
    b"ldblquote": "\u201c",
    b"rdblquote": "\u201d",
    b"bullet": "\u2022",
    b"emspace": " ",
    b"enspace": " ",
    b"qmspace": " ",
}


class _Group:
    """What a group inherits and may change: skipped, bold, the \\uc count, its \\info part
    (or b"style" in the style sheet)."""

    __slots__ = ("bold", "info", "skip", "uc")

    def __init__(self, skip: bool, bold: bool, uc: int, info: bytes | None) -> None:
        self.skip = skip
        self.bold = bold
        self.uc = uc
        self.info = info

    def copy(self) -> _Group:
        return _Group(self.skip, self.bold, self.uc, self.info)


_HEADING_STYLE = re.compile(r"\s*heading\s*([1-6])\s*;?\s*", re.IGNORECASE)


class _Text:
    """The document's text as it is read: paragraphs, and whether each was bold throughout."""

    def __init__(self) -> None:
        self.paragraphs: list[str] = []
        self.pieces: list[str] = []
        self.bold_only = True
        #: The paragraph's heading level (its style's, or its \outlinelevel's), 0 if none.
        self.level = 0

    def add(self, text: str, bold: bool) -> None:
        if text:
            self.pieces.append(text)
            if not bold and not text.isspace():
                self.bold_only = False

    def end_paragraph(self) -> None:
        line = "".join(self.pieces).strip(" ")
        if line.strip():
            short = "\n" not in line and len(line) <= 200
            if self.level and short:
                line = f"{'#' * self.level} {line.strip()}"
            elif self.bold_only and short:
                line = f"**{line.strip()}**"
            self.paragraphs.append(line)
        self.pieces = []
        self.bold_only = True


def extract_rtf(source: Path | bytes, where: Path) -> Extracted:
    """The text and metadata of an RTF file (or an attachment's bytes)."""
    data = bytes_within(source, where, "RTF file", MAX_BYTES)
    if not data.lstrip()[:5] == b"{\\rtf":
        raise BriefError(where, "not an RTF file (it does not start with {\\rtf)")
    text, info = _read(data)
    body = clean_text(text.encode("utf-16", "surrogatepass").decode("utf-16", "replace"))
    if not body.strip():
        raise BriefError(where, "no text in the RTF file")
    title = " ".join(info.get(b"title", "").split()) or None
    author = " ".join(info.get(b"author", "").split()) or None
    return Extracted(text=body.strip() + "\n", title=title, author=author, date=_date(info))


def _read(data: bytes) -> tuple[str, dict[bytes, str]]:
    """The document's text and its \\info parts (title, author, subject; the creation
    date's numbers under b"yr", b"mo", b"dy")."""
    out = _Text()
    info: dict[bytes, str] = {}
    stack: list[_Group] = []
    group = _Group(False, False, 1, None)
    decoder = codecs.getincrementaldecoder("cp1252")("replace")
    pending = bytearray()  # bytes of \\'hh escapes, decoded together (multi-byte code pages)
    skip_chars = 0  # fallback characters still to skip after a \\uN
    first_in_group = False  # the next token opens the group: \\* or a destination word
    pos, n = 0, len(data)
    token = _TOKEN.match

    styles: dict[int, str] = {}  # style number -> name, from the style sheet
    defining = 0  # the style the style sheet's text names

    def emit(text: str) -> None:
        if group.skip:
            return
        if group.info == b"style":
            styles[defining] = styles.get(defining, "") + text
        elif group.info is not None:
            if group.info in _INFO_TEXT:
                info[group.info] = info.get(group.info, "") + text
        else:
            out.add(text, group.bold)

    def flush() -> None:
        if pending:
            emit(decoder.decode(bytes(pending)))
            pending.clear()

    while pos < n:
        m = token(data, pos)
        if m is None:  # cannot happen: every byte matches something
            pos += 1
            continue
        pos = m.end()
        word, number, hexbyte, symbol, brace, run = m.groups()
        opening = first_in_group
        first_in_group = False
        if hexbyte is not None:
            if skip_chars:
                skip_chars -= 1
            else:
                pending.append(int(hexbyte, 16))
            continue
        flush()
        if run is not None:
            if skip_chars:
                cut = min(skip_chars, len(run))
                skip_chars -= cut
                run = run[cut:]
            if run:
                emit(run.decode("ascii") if run.isascii() else decoder.decode(run))
            continue
        if brace is not None:
            skip_chars = 0
            if brace == b"{":
                if len(stack) < 100_000:  # deeper groups share their parent's state
                    stack.append(group)
                    group = group.copy()
                first_in_group = True
                if group.info == b"style":
                    defining = -1  # until the group's \sN says which style it names
            elif stack:
                group = stack.pop()
            continue
        if symbol is not None:
            if symbol == b"*" and opening:
                group.skip = True  # an optional destination: unknown ones are not text
                first_in_group = True
            elif symbol in (b"\n", b"\r"):
                if not group.skip and group.info is None:
                    out.end_paragraph()
            elif symbol == b"'":
                pass
            elif skip_chars:
                skip_chars -= 1
            else:
                emit(_SYMBOLS.get(symbol, ""))
            continue
        if word is None:
            continue
        arg = int(number) if number is not None else None
        if word == b"bin" and arg:
            pos += max(0, arg)  # raw data: never read as text
            continue
        if skip_chars:
            skip_chars -= 1
            continue
        if opening and word in _SKIPPED:
            group.skip = True
        elif opening and word == b"info":
            group.info = b"info"
        elif opening and word == b"stylesheet":
            group.info = b"style"
        elif group.info == b"style":
            if word == b"s":
                defining = arg or 0
        elif group.info is not None and (word in _INFO_TEXT or word == b"creatim"):
            group.info = word
        elif group.info == b"creatim" and word in (b"yr", b"mo", b"dy"):
            info[word] = str(arg or 0)
        elif word == b"u" and arg is not None:
            emit(chr(arg % 65536 if arg < 0 else min(arg, 0x10FFFF)))
            skip_chars = group.uc
        elif word == b"uc":
            group.uc = max(0, arg or 0)
        elif word == b"ansicpg" and arg:
            decoder = _decoder(arg, decoder)
        elif group.skip or group.info is not None:
            continue  # a hidden group's paragraphs and styles are not the document's
        elif word == b"pard":
            out.level = 0
        elif word == b"s" and arg is not None:
            out.level = _level(styles.get(arg, ""), out.level)
        elif word == b"outlinelevel" and arg is not None and 0 <= arg <= 5:
            out.level = arg + 1
        elif word in (b"par", b"sect", b"page"):
            out.end_paragraph()
        elif word == b"line":
            emit("\n")
        elif word == b"cell" or word == b"nestcell":
            emit("\t")
        elif word == b"row" or word == b"nestrow":
            out.end_paragraph()
        elif word == b"b":
            group.bold = arg != 0
        elif word == b"plain":
            group.bold = False
        elif word in _CHARS:
            emit(_CHARS[word])
    flush()
    out.end_paragraph()
    return "\n\n".join(out.paragraphs), info


def _level(style: str, current: int) -> int:
    """The heading level a style's name gives ("heading 2": 2), else ``current``."""
    m = _HEADING_STYLE.fullmatch(style)
    return int(m.group(1)) if m else current


def _decoder(codepage: int, current: codecs.IncrementalDecoder) -> codecs.IncrementalDecoder:
    try:
        return codecs.getincrementaldecoder(f"cp{codepage}")("replace")
    except LookupError:
        return current


def _date(info: dict[bytes, str]) -> dt.date | None:
    try:
        return dt.date(int(info[b"yr"]), int(info[b"mo"]), int(info[b"dy"]))
    except (KeyError, ValueError):
        return None


# --------------------------------------------------------------------------------------------
# Compressed RTF ([MS-OXRTFCP])

#: The dictionary a compressed RTF stream starts from.
_RTF_PREBUF = (
    b"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern "
    b"\\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0"
    b"\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx"
)
_COMPRESSED, _UNCOMPRESSED = 0x75465A4C, 0x414C454D  # "LZFu", "MELA"


def decompress_rtf(data: bytes) -> bytes:
    """Outlook's compressed RTF, decompressed. Raises ValueError for a stream of another
    kind; the output is bounded by the size the stream's header gives (and by 4 bytes of
    output for each byte of input at most)."""
    if len(data) < 16:
        raise ValueError("too short")
    comp_size, raw_size, kind, _crc = struct.unpack_from("<IIII", data, 0)
    body = data[16 : 4 + comp_size]
    if kind == _UNCOMPRESSED:
        return body[:raw_size]
    if kind != _COMPRESSED:
        raise ValueError("not compressed RTF")
    limit = min(raw_size, 16 * len(body) + 16)
    window = bytearray(4096)
    window[: len(_RTF_PREBUF)] = _RTF_PREBUF
    write = len(_RTF_PREBUF)
    out = bytearray()
    at = 0
    while at < len(body) and len(out) < limit:
        flags = body[at]
        at += 1
        for bit in range(8):
            if at >= len(body) or len(out) >= limit:
                break
            if flags & (1 << bit):
                if at + 1 >= len(body):
                    return bytes(out)
                ref = (body[at] << 8) | body[at + 1]
                at += 2
                offset, length = ref >> 4, (ref & 0xF) + 2
                if offset == write:  # the end
                    return bytes(out)
                for n in range(length):
                    byte = window[(offset + n) % 4096]
                    out.append(byte)
                    window[write] = byte
                    write = (write + 1) % 4096
            else:
                byte = body[at]
                at += 1
                out.append(byte)
                window[write] = byte
                write = (write + 1) % 4096
    return bytes(out)
