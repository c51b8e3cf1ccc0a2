"""Word files (.docx): the reader's entry point, which opens the package and finds in it what a
brief needs; the text of the document's body is read by core.readers.word_body.

A .docx is a zip: before anything in it is read, the sizes its entries unpack to are added up
and their compression ratios checked, so a zip bomb posing as a Word file is refused unopened.

Only the parts a brief needs are unpacked and parsed (lxml, core.readers.opc): the main
document, found through the package's relationships as Word finds it, its styles (the names
that mark headings, titles and lists) and the core properties, which give the title and date
when the text names none.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from briefreader.core import formats
from briefreader.core.brief import BriefError
from briefreader.core.readers.common import Extracted
from briefreader.core.readers.opc import PARSER, UNEXPECTED, Package, PackageError
from briefreader.core.readers.word_body import REPEATS_MAX, Notes, W, body_blocks

FORMAT = "docx"
SUFFIXES = formats.SUFFIXES_BY_FORMAT[FORMAT]
MAX_FILE_BYTES = 100 << 20
MAX_UNPACKED = 256 << 20  # every entry unpacked
MAX_ENTRIES = 20_000
MAX_RATIO = 200  # unpacked / packed, for an entry over RATIO_FROM bytes
RATIO_FROM = 4 << 20
BOMB = "Word file too large once unpacked (zip bomb?)"

_TEMPLATE_CREATED = dt.datetime(2013, 12, 23, 23, 15, tzinfo=dt.UTC)

_BODY, _VAL, _TYPE = W + "body", W + "val", W + "type"
_STYLE_TYPES = ("paragraph", "character", "table", "numbering")

_CORE = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
_DC, _DCTERMS = "{http://purl.org/dc/elements/1.1/}", "{http://purl.org/dc/terms/}"
_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_DOCUMENT_REL, _STYLES_REL = _OFFICE + "officeDocument", _OFFICE + "styles"
_NOTES_RELS = {"footnote": _OFFICE + "footnotes", "endnote": _OFFICE + "endnotes"}
_CORE_REL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
_DOCUMENT_TYPE, _STYLES_TYPE = _WML + "document.main+xml", _WML + "styles+xml"
#: A Word document's main part: a .docx's, or a .docm's (the same XML, with macros beside it
#: that are never run, nor even read).
_DOCUMENT_TYPES = (_DOCUMENT_TYPE, "application/vnd.ms-word.document.macroEnabled.main+xml")
_NOTES_TYPES = {"footnote": _WML + "footnotes+xml", "endnote": _WML + "endnotes+xml"}
_CORE_TYPE = "application/vnd.openxmlformats-package.core-properties+xml"


def check_zip(
    zf: zipfile.ZipFile,
    path: Path,
    *,
    main: str | None = "word/document.xml",
    kind: str = "Word document",
    bomb: str = BOMB,
) -> None:
    """Refuse a .docx (or another zipped document: an OpenDocument text) that would unpack to
    too much (by its directory's sizes), with ``bomb`` as the reason, or holds no ``main``
    part (when one is named).

    Python's zipfile never gives more bytes for an entry than the directory says, so checking
    the directory bounds what opening the file can cost.
    """
    entries = zf.infolist()
    if len(entries) > MAX_ENTRIES:
        raise BriefError(path, bomb)
    total = 0
    for entry in entries:
        total += entry.file_size
        packed = max(entry.compress_size, 1)
        if entry.file_size > RATIO_FROM and entry.file_size / packed > MAX_RATIO:
            raise BriefError(path, bomb)
    if total > MAX_UNPACKED:
        raise BriefError(path, bomb)
    if main is not None and not any(entry.filename == main for entry in entries):
        raise BriefError(path, f"not a {kind} (no {main} inside)")


def open_package(source: Path | bytes, path: Path, what: str, suffix: str) -> zipfile.ZipFile:
    """A zipped document (a .docx, an .odt; or its bytes) opened, its size checked first:
    BriefError naming ``what`` it is when too large or no zip."""
    if isinstance(source, Path):
        try:
            size = source.stat().st_size
        except OSError as exc:
            raise BriefError(path, f"cannot read the file ({exc.strerror or exc})") from None
        if size > MAX_FILE_BYTES:
            raise BriefError(path, f"{what} too large ({size >> 20} MB)")
    try:
        return zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise BriefError(path, f"damaged {what} (not a valid {suffix})") from None


def extract_docx(source: Path | bytes, path: Path) -> Extracted:
    """The text of a .docx file (or of its bytes, for an email attachment)."""
    zf = open_package(source, path, "Word file", ".docx")
    try:
        with zf:
            check_zip(zf, path)
            blocks, core = _read(Package(zf))
    except (KeyError, ValueError, zipfile.BadZipFile, etree.LxmlError) as exc:
        raise BriefError(path, f"damaged Word file ({type(exc).__name__})") from None
    except PackageError as exc:
        raise BriefError(path, f"damaged Word file ({exc})") from None
    text = "\n\n".join(block for block in blocks if block.strip())
    if not text.strip():
        raise BriefError(path, "no text in the Word file")
    title = _core_text(core, _DC + "title").strip() or None
    author = _core_text(core, _DC + "creator").strip() or None
    created = _created(core)
    date = created.date() if created is not None else None
    if date is not None and (date.year < 1990 or created == _TEMPLATE_CREATED):
        date = None  # tools leave 1899/1970 here, and python-docx its template's date
    return Extracted(text=text + "\n", title=title, date=date, author=author)


def _read(package: Package) -> tuple[list[str], Any]:
    """The document's blocks of text, and its core properties' root element (or None)."""
    document = package.related("/", _DOCUMENT_REL)
    if document is None:
        raise KeyError("no main document in the package")
    if package.content_type(document) not in _DOCUMENT_TYPES:
        raise ValueError(f"not a Word document: {package.content_type(document)}")
    root = package.parse(document)
    styles = _style_names(package, document)
    core = _core_properties(package)
    body = root.find(_BODY) if root.tag == W + "document" else None
    if body is None:
        raise PackageError(UNEXPECTED)
    notes = _notes(package, document, styles.name)
    # REPEATS_MAX read from this module at each call: the reader's limits are set here.
    return body_blocks(body, styles.name, REPEATS_MAX, notes), core


def _notes(package: Package, document: str, style_name: Any) -> Notes:
    """The document's footnotes and endnotes, each as one line of text, by kind and id (the
    separators Word keeps among them left out); none when their parts cannot be found."""
    notes: Notes = {}
    for kind, rel in _NOTES_RELS.items():
        try:
            part = package.related(document, rel)
        except ValueError:
            continue
        if part is None or package.content_type(part) != _NOTES_TYPES[kind]:
            continue
        root = package.parse(part)
        for note in root.iterchildren(W + kind):
            if note.get(W + "type", "normal") != "normal":
                continue  # the separator lines and continuation notices
            blocks = body_blocks(note, style_name, REPEATS_MAX)
            text = " ".join(" ".join(blocks).split())
            if text:
                notes[(kind, note.get(W + "id", ""))] = text
    return notes


def _core_properties(package: Package) -> Any:
    """The core properties' root element; None when the package has none."""
    part = package.related("/", _CORE_REL)
    if part is None:
        return None
    if package.content_type(part) != _CORE_TYPE:
        raise PackageError(UNEXPECTED)
    root = package.parse(part)
    if root.tag != _CORE + "coreProperties":
        raise PackageError(UNEXPECTED)
    return root


# --------------------------------------------------------------------------------------------
# Styles


@dataclass(frozen=True, slots=True)
class _StyleNames:
    """What a styles part says of paragraph styles: their names by id, and the default's.

    A paragraph with no style, or one whose style is not a paragraph style or is nowhere,
    has the default paragraph style (the last one marked default); an id whose first style
    has a type Word does not know names nothing, and such a style anywhere leaves the default
    unknown (as python-docx read them).
    """

    names: dict[str, str]
    unknown: frozenset[str]
    default: str

    def name(self, style_id: str | None) -> str:
        if style_id:
            if style_id in self.names:
                return self.names[style_id]
            if style_id in self.unknown:
                return ""
        return self.default


_NO_STYLES = _StyleNames({}, frozenset(), "")
# Styles parts by their bytes' digest: files made from one template share theirs, and a large
# one (python-docx's own is 350 kB) costs more to parse than the rest of the document.
_STYLES_SEEN: dict[bytes, _StyleNames] = {}
_STYLES_KEPT = 32


def _style_names(package: Package, document: str) -> _StyleNames:
    """The document's paragraph style names; none when its styles part cannot be found."""
    try:
        part = package.related(document, _STYLES_REL)
    except ValueError:
        return _NO_STYLES
    if part is None or package.content_type(part) != _STYLES_TYPE:
        return _NO_STYLES
    data = package.read(part)
    key = hashlib.sha256(data).digest()
    got = _STYLES_SEEN.get(key)
    if got is None:
        got = _read_styles(etree.fromstring(data, PARSER))
        if len(_STYLES_SEEN) >= _STYLES_KEPT:
            _STYLES_SEEN.clear()
        _STYLES_SEEN[key] = got
    return got


def _read_styles(root: Any) -> _StyleNames:
    if root.tag != W + "styles":
        return _NO_STYLES
    names: dict[str, str] = {}
    unknown: set[str] = set()
    seen: set[str] = set()
    default = None
    default_known = True
    for style in root.iterchildren(W + "style"):
        kind = style.get(_TYPE)
        known = kind is None or kind in _STYLE_TYPES
        default_known = default_known and known
        style_id = style.get(W + "styleId")
        if style_id is not None and style_id not in seen:
            seen.add(style_id)
            if not known:
                unknown.add(style_id)
            elif kind == "paragraph":
                names[style_id] = _style_name(style)
        if kind == "paragraph" and style.get(W + "default") in ("1", "true", "on"):
            default = style
    default_name = _style_name(default) if default is not None and default_known else ""
    return _StyleNames(names, frozenset(unknown), default_name)


def _style_name(style: Any) -> str:
    name = style.find(W + "name")
    return (name.get(_VAL) or "") if name is not None else ""


# --------------------------------------------------------------------------------------------
# Core properties


def _core_text(core: Any, tag: str) -> str:
    element = core.find(tag) if core is not None else None
    return (element.text or "") if element is not None else ""


_W3CDTF_FORMS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%Y-%m", "%Y")
_OFFSET = re.compile(r"([+-])(\d\d):(\d\d)")


def _created(core: Any) -> dt.datetime | None:
    """When the document was created (UTC), from a W3CDTF date; None if unreadable."""
    element = core.find(_DCTERMS + "created") if core is not None else None
    value = element.text if element is not None else None
    if value is None:
        return None
    # The first 19 characters are the date and time; an offset such as "+03:00" follows.
    head, offset = value[:19], value[19:]
    for form in _W3CDTF_FORMS:
        try:
            created = dt.datetime.strptime(head, form)
        except ValueError:
            continue
        break
    else:
        return None
    if len(offset) == 6:
        m = _OFFSET.match(offset)
        if m is None:
            return None
        sign = -1 if m.group(1) == "+" else 1
        try:
            created += sign * dt.timedelta(hours=int(m.group(2)), minutes=int(m.group(3)))
        except OverflowError:
            return None
    return created.replace(tzinfo=dt.UTC)
