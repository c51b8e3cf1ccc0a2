"""OpenDocument text (.odt, LibreOffice's and OpenOffice's own format): paragraphs, headings,
lists and tables as text, the title and date from the document's metadata.

An .odt is a zip, checked as a .docx is before anything in it is unpacked (core.readers.word:
its entries' sizes and compression ratios, so a zip bomb is refused unopened). Its
``content.xml`` holds the text, parsed with entities never resolved nor fetched; its
``meta.xml`` the title, author and creation date.

The text reads as the Word reader's: a heading a Markdown heading line ("# Title"), a list item
a "- " line, a table a line a row with its cells joined by " | " (a table of one column is
layout: its cells' paragraphs read as paragraphs), a frame's text box in its place. Notes
(footnotes and endnotes), annotations (comments), tracked deletions and the text of fields
that only count (page numbers) are not part of the text.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

from lxml import etree

from briefreader.core import formats
from briefreader.core.brief import BriefError
from briefreader.core.readers.common import Extracted
from briefreader.core.readers.opc import PARSER
from briefreader.core.readers.word import check_zip, open_package

FORMAT = "odt"
SUFFIXES = formats.SUFFIXES_BY_FORMAT[FORMAT]
BOMB = "OpenDocument file too large once unpacked (zip bomb?)"

_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
_META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"
_DC = "{http://purl.org/dc/elements/1.1/}"

_P, _H, _LIST, _ITEM, _HEADER = (
    _TEXT + "p",
    _TEXT + "h",
    _TEXT + "list",
    _TEXT + "list-item",
    (_TEXT + "list-header"),
)
_SECTION, _TABLE_EL, _ROW, _CELL = (
    _TEXT + "section",
    _TABLE + "table",
    _TABLE + "table-row",
    (_TABLE + "table-cell"),
)
#: Elements of a table whose rows are found inside them.
_ROW_GROUPS = {_TABLE + n for n in ("table-rows", "table-header-rows", "table-row-group")}
#: Inline elements whose text is not the document's.
_SKIPPED = {
    _TEXT + "note",
    _OFFICE + "annotation",
    _OFFICE + "annotation-end",
    _TEXT + "tracked-changes",
    _TEXT + "page-number",
    _TEXT + "page-count",
    _TEXT + "bookmark-ref",
    _TEXT + "sequence-decls",
    _TEXT + "variable-decls",
    _TEXT + "user-field-decls",
}
_SPACE, _TAB, _BREAK = _TEXT + "s", _TEXT + "tab", _TEXT + "line-break"
_TEXT_BOX = _DRAW + "text-box"


def extract_odt(source: Path | bytes, path: Path) -> Extracted:
    """The text and metadata of an .odt file (or of its bytes, for an email attachment)."""
    zf = open_package(source, path, "OpenDocument file", ".odt")
    try:
        with zf:
            check_zip(zf, path, main="content.xml", kind="OpenDocument text", bomb=BOMB)
            content = etree.fromstring(zf.read("content.xml"), PARSER)
            meta = None
            if "meta.xml" in zf.namelist():
                meta = etree.fromstring(zf.read("meta.xml"), PARSER)
    except BriefError:
        raise
    except (KeyError, ValueError, zipfile.BadZipFile, etree.LxmlError, EOFError, OSError) as exc:
        raise BriefError(path, f"damaged OpenDocument file ({type(exc).__name__})") from None
    body = content.find(f"{_OFFICE}body/{_OFFICE}text")
    if body is None:
        raise BriefError(path, "not an OpenDocument text (a spreadsheet or a presentation?)")
    blocks = _blocks(body)
    text = "\n\n".join(block for block in blocks if block.strip())
    if not text.strip():
        raise BriefError(path, "no text in the OpenDocument file")
    title = author = None
    date = None
    if meta is not None:
        title = _meta_text(meta, _DC + "title")
        author = _meta_text(meta, _DC + "creator") or _meta_text(meta, _META + "initial-creator")
        date = _meta_date(_meta_text(meta, _META + "creation-date"))
    return Extracted(text=text + "\n", title=title, date=date, author=author)


def _meta_text(meta: Any, tag: str) -> str | None:
    found = meta.find(f".//{tag}")
    if found is None:
        return None
    return " ".join("".join(found.itertext()).split()) or None


def _meta_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        date = dt.datetime.fromisoformat(value.strip()[:19]).date()
    except ValueError:
        return None
    return date if date.year >= 1990 else None


def _blocks(container: Any) -> list[str]:
    """The blocks of text of a body, section, cell or text box, in document order."""
    out: list[str] = []
    for child in container:
        tag = child.tag
        if tag == _P:
            out.append(_inline(child))
        elif tag == _H:
            level = _level(child.get(_TEXT + "outline-level"))
            out.append("#" * level + " " + " ".join(_inline(child).split()))
        elif tag == _LIST:
            out.extend(_list(child))
        elif tag == _TABLE_EL:
            out.extend(_table(child))
        elif tag == _SECTION:
            out.extend(_blocks(child))
    return out


def _level(value: str | None) -> int:
    try:
        return min(6, max(1, int(value or 1)))
    except ValueError:
        return 1


def _list(element: Any) -> list[str]:
    out: list[str] = []
    for item in element:
        if item.tag not in (_ITEM, _HEADER):
            continue
        for block in _blocks(item):
            out.append(block if block.startswith(("- ", "#")) else "- " + block)
    return out


def _rows(table: Any) -> list[Any]:
    rows: list[Any] = []
    for child in table:
        if child.tag == _ROW:
            rows.append(child)
        elif child.tag in _ROW_GROUPS:
            rows.extend(_rows(child))
    return rows


def _table(table: Any) -> list[str]:
    """A table a block of lines, a row a line; a table of one column its cells' blocks."""
    rows = [[cell for cell in row if cell.tag == _CELL] for row in _rows(table)]
    if all(len(cells) <= 1 for cells in rows):
        return [block for cells in rows for cell in cells for block in _blocks(cell)]
    lines = []
    for cells in rows:
        texts = [" ".join(" ".join(_blocks(cell)).split()) for cell in cells]
        if any(texts):
            lines.append(" | ".join(texts))
    return ["\n".join(lines)] if lines else []


def _inline(paragraph: Any) -> str:
    """A paragraph's text: its spans, links and spaces, a frame's text box in its place."""
    parts: list[str] = [paragraph.text or ""]
    for child in paragraph:
        tag = child.tag
        if tag == _SPACE:
            try:
                count = int(child.get(_TEXT + "c") or 1)
            except ValueError:
                count = 1
            parts.append(" " * max(1, min(count, 100)))
        elif tag == _TAB:
            parts.append("\t")
        elif tag == _BREAK:
            parts.append("\n")
        elif tag in _SKIPPED:
            pass
        elif tag == _DRAW + "frame":
            boxes = [b for box in child.iter(_TEXT_BOX) for b in _blocks(box)]
            if boxes:
                parts.append("\n\n" + "\n\n".join(boxes) + "\n\n")
        elif isinstance(tag, str):
            parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)
