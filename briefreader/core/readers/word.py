"""Word files (.docx) by python-docx: paragraphs, headings and tables, in document order.

Headings (the "Heading 1".."Heading 6" and "Title" styles) become ``#`` lines and every
paragraph its own block, so the digest splitter sees a news-archive export's headlines and the
comment rule its "Comment:" paragraphs; a paragraph set wholly in bold stays bold (``**...**``),
as Word users mark a "Comment" that way. A table becomes one line per row, its cells apart by
" | ". The core properties give the title and date when the text names none.

A .docx is a zip: before python-docx opens it, the sizes its entries unpack to are added up and
their compression ratios checked, so a zip bomb posing as a Word file is refused unopened.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

from lxml import etree

from briefreader.core.brief import BriefError
from briefreader.core.readers.common import Extracted, clean_text

SUFFIXES = (".docx",)
FORMAT = "docx"
MAX_FILE_BYTES = 100 << 20
MAX_UNPACKED = 256 << 20  # every entry unpacked
MAX_ENTRIES = 20_000
MAX_RATIO = 200  # unpacked / packed, for an entry over RATIO_FROM bytes
RATIO_FROM = 4 << 20
BOMB = "Word file too large once unpacked (zip bomb?)"

_TEMPLATE_CREATED = dt.datetime(2013, 12, 23, 23, 15, tzinfo=dt.UTC)
_HEADING_STYLE = re.compile(r"heading\s*([1-6])$", re.IGNORECASE)


def check_zip(source: Path | bytes, path: Path) -> None:
    """Refuse a .docx that is no zip, or would unpack to too much (by its directory's sizes).

    Python's zipfile never gives more bytes for an entry than the directory says, so checking
    the directory bounds what opening the file can cost.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as zf:
            entries = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise BriefError(path, "damaged Word file (not a valid .docx)") from None
    if len(entries) > MAX_ENTRIES:
        raise BriefError(path, BOMB)
    total = 0
    for entry in entries:
        total += entry.file_size
        packed = max(entry.compress_size, 1)
        if entry.file_size > RATIO_FROM and entry.file_size / packed > MAX_RATIO:
            raise BriefError(path, BOMB)
    if total > MAX_UNPACKED:
        raise BriefError(path, BOMB)
    if not any(entry.filename == "word/document.xml" for entry in entries):
        raise BriefError(path, "not a Word document (no word/document.xml inside)")


def extract_docx(source: Path | bytes, path: Path) -> Extracted:
    """The text of a .docx file (or of its bytes, for an email attachment)."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if isinstance(source, Path):
        try:
            size = source.stat().st_size
        except OSError as exc:
            raise BriefError(path, f"cannot read the file ({exc.strerror or exc})") from None
        if size > MAX_FILE_BYTES:
            raise BriefError(path, f"Word file too large ({size >> 20} MB)")
    check_zip(source, path)
    try:
        document = docx.Document(io.BytesIO(source) if isinstance(source, bytes) else str(source))
        blocks = list(_blocks(document))
        props = document.core_properties
        title = (props.title or "").strip() or None
        created = props.created
        author = (props.author or "").strip() or None
    except (
        PackageNotFoundError,
        KeyError,
        ValueError,
        AttributeError,
        zipfile.BadZipFile,
        etree.LxmlError,
    ) as exc:
        raise BriefError(path, f"damaged Word file ({type(exc).__name__})") from None
    text = "\n\n".join(block for block in blocks if block.strip())
    if not text.strip():
        raise BriefError(path, "no text in the Word file")
    date = created.date() if isinstance(created, dt.datetime) else None
    if date is not None and (date.year < 1990 or created == _TEMPLATE_CREATED):
        date = None  # tools leave 1899/1970 here, and python-docx its template's date
    return Extracted(text=text + "\n", title=title, date=date, author=author)


def _blocks(document: Any) -> Any:
    from docx.table import Table

    styles: dict[str | None, str] = {}
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            yield _table(block)
        else:
            yield _paragraph(block, styles)


def _style_name(paragraph: Any, styles: dict[str | None, str]) -> str:
    """The paragraph's style name, looked up once per style id in a document: python-docx
    finds a paragraph without a style of its own the default one by scanning every style
    (``styles.default``), which was four fifths of reading a Word file."""
    style_id = getattr(paragraph._p, "style", None)
    got = styles.get(style_id)
    if got is None:
        try:
            got = paragraph.style.name if paragraph.style is not None else ""
        except (KeyError, ValueError, AttributeError):
            got = ""
        styles[style_id] = got = got or ""
    return got


def _paragraph(paragraph: Any, styles: dict[str | None, str]) -> str:
    lines = (" ".join(line.split()) for line in clean_text(paragraph.text).split("\n"))
    text = "\n".join(line for line in lines if line)
    if not text:
        return ""
    style = _style_name(paragraph, styles)
    heading = _HEADING_STYLE.match(style or "")
    if heading is not None:
        return "#" * int(heading.group(1)) + " " + " ".join(text.split())
    if style == "Title":
        return "# " + " ".join(text.split())
    if (style or "").startswith("List"):
        return "- " + text
    runs = [run for run in paragraph.runs if run.text.strip()]
    if runs and len(text) <= 160 and all(run.bold for run in runs):
        return f"**{text}**"
    return text


def _table(table: Any) -> str:
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if previous is not None and cell._tc is previous:
                continue  # a merged cell is listed once per column it spans
            previous = cell._tc
            cells.append(" ".join(clean_text(cell.text).split()))
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)
