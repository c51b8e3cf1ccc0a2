"""PDFs: the text layer page by page (pypdfium2, the PDFium library Chrome uses), pages kept.

Each page's text comes in PDFium's order (the content's reading order for ordinary documents;
columns come one after the other). PDF text has no paragraphs, only lines, so a blank line is
put where a paragraph plainly ends: after a line clearly shorter than the page's usual line,
after a date / source line, before a headline (a line over a date / source line, a numbered
line after a sentence's end) and before a comment marker, so that the comment rule and the
digest splitter see the same shapes as in a text brief. Running heads and feet (a digest's
title on every page, "Page 3 of 12") are left out: a line at the top or the bottom of at
least half of the pages, numbers aside. Pages are read one at a time and let go of, so a
2,000-page file takes the memory of its text, not of its pages.

``Extracted.page_breaks`` holds the offsets where pages 2, 3, ... begin, so a hit's offset maps
to its page (``Brief.page_at``).
"""

from __future__ import annotations

import ctypes
import datetime as dt
import itertools
import logging
import re
from collections import Counter
from pathlib import Path, PurePosixPath

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from briefreader.core import formats
from briefreader.core.brief import BriefError
from briefreader.core.datelines import read_dateline
from briefreader.core.newsexport import is_marker
from briefreader.core.parse import COMMENT_MARKER
from briefreader.core.readers.common import (
    MAX_TEXT_CHARS,
    Extracted,
    Progress,
    clean_text,
    date_from_metadata,
)

log = logging.getLogger(__name__)

FORMAT = "pdf"
SUFFIXES = formats.SUFFIXES_BY_FORMAT[FORMAT]
MIN_PAGE_CHARS = 40  # a page with fewer letters than this, among pages with text, is "missing"
_SHORT_LINE = 0.75  # of the page's usual line length: a line this short ends its paragraph
_ENDING_LINE = 0.9  # ... and one this short if it ends a sentence and a capital follows
_SENTENCE_ENDS = (".", "!", "?", '."', ".\u201d", "?\u201d", ".)")
_JUNK_TITLE = re.compile(
    r"^(?:untitled|microsoft word - .*|.*\.(?:docx?|pdf|odt|rtf|txt|indd|qxd))$", re.I
)
_LETTERS = re.compile(r"[^\W_]")
_NUMBERS = re.compile(r"\d+")
#: Lines with text at a page's top and at its bottom that may be running heads or feet.
EDGE_LINES = 3
#: A sentence's end (after a word of two lower-case letters or more, not "U.S."), then a capital.
_SENTENCE_THEN_CAPITAL = re.compile(
    r"[^\W\d_]*[a-z\u00df-\u00ff]{2}[.!?][\"\u201d\u2019)]?\s+(?=[A-Z])"
)
#: A numbered line that may be a headline: its number, then a capital.
_NUMBERED_HEADLINE = re.compile(r"[ \t]{0,3}\d{1,3}[.)][ \t]+[^\W\d_]")
#: Words a headline cut from the line it runs on in has at most.
_HEADLINE_WORDS = 25
#: A running line of at most this many words is recognised with its numbers left out.
_NUMBERED_WORDS = 5

_LOAD_ERRORS = {
    pdfium_c.FPDF_ERR_PASSWORD: "encrypted PDF: no password",
    pdfium_c.FPDF_ERR_SECURITY: "encrypted PDF: unsupported security scheme",
    pdfium_c.FPDF_ERR_FORMAT: "damaged PDF (not a readable PDF file)",
    pdfium_c.FPDF_ERR_FILE: "cannot open the file",
}


def extract_pdf(source: Path | bytes, path: Path, progress: Progress | None = None) -> Extracted:
    """The text of a PDF file (or of its bytes, for an email attachment), page by page."""
    try:
        document = pdfium.PdfDocument(source if isinstance(source, bytes) else str(source))
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        raise BriefError(path, _LOAD_ERRORS.get(code, f"damaged PDF ({exc})")) from None
    try:
        return _extract(document, path, progress)
    finally:
        document.close()


def _extract(document: pdfium.PdfDocument, path: Path, progress: Progress | None) -> Extracted:
    total = len(document)
    if total == 0:
        raise BriefError(path, "damaged PDF (no pages)")
    pages: list[str] = []
    length = 0
    thin: list[int] = []
    failed: list[int] = []
    notes: list[str] = []
    # The page before stays open until the next is loaded: PDFium lets go of a font (its
    # glyph and Unicode maps parsed) once no open page uses it, and most pages of a
    # document share their fonts (4 % of PDFium's time on the benchmark folder's digests).
    previous: pdfium.PdfPage | None = None
    for number in range(total):
        page: pdfium.PdfPage | None = None
        try:
            page = document[number]
        except pdfium.PdfiumError as exc:
            log.debug("%s: page %d: %s", path, number + 1, exc)
            failed.append(number + 1)
            page_text = ""
        else:
            if previous is not None:
                previous.close()
            previous = page
            try:
                page_text = _page_text(page)
            except pdfium.PdfiumError as exc:
                log.debug("%s: page %d: %s", path, number + 1, exc)
                failed.append(number + 1)
                page_text = ""
        if _fewer_letters(page_text, MIN_PAGE_CHARS) and page is not None and _pictured(page):
            thin.append(number + 1)
        pages.append(page_text)
        length += len(page_text)
        if progress is not None:
            progress(number + 1, total)
        if length > MAX_TEXT_CHARS:
            notes.append(f"very long PDF: read up to page {number + 1} of {total}")
            break
    if previous is not None:
        previous.close()
    text, breaks = joined(pages)
    files = attached_files(document, notes)
    if not text.strip():
        if not files:
            if failed:
                raise BriefError(path, "damaged PDF (no page could be read)")
            raise BriefError(path, "no text layer: scanned?")
        # A portfolio (a cover page and its files): the PDF is the files' parent, as a
        # message without text is its attachments'.
        names = ", ".join(name for name, _data in files)
        text, breaks = f"{path.name}\n\n(attached: {names})\n", []
    if failed:
        notes.append(f"damaged PDF: {_pages(failed)} could not be read")
    if thin and len(thin) < total:
        notes.append(f"little or no text on {_pages(thin)} (scanned or pictures?)")
    title, date = _metadata(document)
    first_paragraph = text.lstrip().split("\n\n", 1)[0]
    return Extracted(
        text=text,
        title=title if len(first_paragraph) > 160 else None,
        date=date,
        page=1,
        page_breaks=tuple(breaks),
        warnings=notes,
        files=files,
    )


#: A PDF's attached files read as briefs of their own: this many at most, each up to
#: MAX_ATTACHED_BYTES unpacked.
MAX_ATTACHED = 100
MAX_ATTACHED_BYTES = 64 << 20


def attached_files(document: pdfium.PdfDocument, notes: list[str]) -> list[tuple[str, bytes]]:
    """The files attached to a PDF (its embedded files), by name, but pictures (nothing to
    read in them); one that cannot be had, or is too large, is a note."""
    try:
        count = document.count_attachments()
    except pdfium.PdfiumError:
        return []
    files: list[tuple[str, bytes]] = []
    for index in range(min(max(count, 0), MAX_ATTACHED)):
        try:
            attachment = document.get_attachment(index)
            name = attachment.get_name().strip() or f"attachment-{index + 1}"
        except (pdfium.PdfiumError, UnicodeDecodeError):
            notes.append(f"attached file {index + 1}: damaged, not read")
            continue
        if formats.NOT_READ.get(PurePosixPath(name).suffix.lower(), "").startswith("picture"):
            continue
        size = ctypes.c_ulong()
        pdfium_c.FPDFAttachment_GetFile(attachment, None, 0, size)
        if size.value > MAX_ATTACHED_BYTES:
            notes.append(
                f"attached file {name!r}: too large ({size.value >> 20} MB; the limit is "
                f"{MAX_ATTACHED_BYTES >> 20} MB), not read"
            )
            continue
        buffer = (ctypes.c_char * max(size.value, 1))()
        got = ctypes.c_ulong()
        if not size.value or not pdfium_c.FPDFAttachment_GetFile(
            attachment, buffer, size.value, got
        ):
            notes.append(f"attached file {name!r}: empty or damaged, not read")
            continue
        files.append((name, bytes(buffer)[: min(got.value, size.value)]))
    if count > MAX_ATTACHED:
        notes.append(f"{count - MAX_ATTACHED} more attached files not read (over {MAX_ATTACHED})")
    return files


def _pictured(page: pdfium.PdfPage) -> bool:
    """Whether a page draws an image: a scan or a photograph, where text may be that no text
    layer holds. A page with little text and no image is blank, a drawing or a table of
    figures (a word processor's empty page, a chart), and nothing of it is lost."""
    try:
        images = page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2)
        return next(images, None) is not None
    except pdfium.PdfiumError:
        return True  # what it holds cannot be told: say so, as before


def _fewer_letters(text: str, count: int) -> bool:
    """Whether ``text`` holds fewer than ``count`` letters (counted up to ``count`` only:
    listing every letter of every page was 4 % of reading a PDF)."""
    return sum(1 for _ in itertools.islice(_LETTERS.finditer(text), count)) < count


def joined(pages: list[str]) -> tuple[str, list[int]]:
    """The pages' text without their running heads and feet, in paragraphs, and the offsets
    where pages 2, 3, ... begin."""
    running = running_lines(pages)
    texts = [_without(page, running) if running else page for page in pages]
    parts: list[str] = []
    breaks: list[int] = []
    length = 0
    for number, page in enumerate(texts):
        if number:
            breaks.append(length)
        # A headline at a page's foot may have its date line at the next page's head.
        after = texts[number + 1].lstrip().split("\n", 1)[0] if number + 1 < len(texts) else ""
        page_text = paragraphs(page, dated_after=read_dateline(after.strip()) is not None)
        if page_text:
            page_text += "\n\n"
        parts.append(page_text)
        length += len(page_text)
    return "".join(parts), breaks


def _edge_key(line: str) -> str | None:
    """A line at a page's edge as its repeats are recognised: a short line with its numbers
    as "#" ("Page 3 of 12" is "page # of #"), a longer one as itself (numbered headlines,
    "Item 3: ...", differ by their numbers only); None for a date / source line, which may
    open every item of a digest ("Rudaw, 12 March 2019") and is never a running head, and
    for a news-archive export's "End of Document", which may end every page."""
    words = " ".join(line.split())
    if read_dateline(words) is not None or is_marker(words):
        return None
    if len(words.split()) <= _NUMBERED_WORDS:
        return _NUMBERS.sub("#", words).lower()
    return words.lower()


def _edges(lines: list[str]) -> list[tuple[str, int]]:
    """(zone, index) of the page's first and last few lines with text."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    top = filled[:EDGE_LINES]
    bottom = [i for i in filled[-EDGE_LINES:] if i not in top]
    return [("top", i) for i in top] + [("bottom", i) for i in bottom]


def running_lines(pages: list[str]) -> set[tuple[str, str | None]]:
    """The running heads and feet of a document: (zone, key) of the lines found at the top
    (or the bottom) of at least half of its pages, and of two at least, and shorter than a
    line of its text: a title, a "confidential" line, a page number in any wording. (A text
    whose pages repeat a paragraph, as test documents do, repeats full lines.)"""
    if len(pages) < 2:
        return set()
    lengths = sorted(len(line.strip()) for page in pages for line in page.split("\n"))
    longest = max(_SHORT_LINE * lengths[int(len(lengths) * 0.8)], 40) if lengths else 40
    counts: Counter[tuple[str, str | None]] = Counter()
    for page in pages:
        lines = page.split("\n")
        counts.update(
            {
                (zone, key)
                for zone, i in _edges(lines)
                if len(lines[i].strip()) < longest and (key := _edge_key(lines[i])) is not None
            }
        )
    need = max(2, (len(pages) + 1) // 2)
    return {key for key, count in counts.items() if count >= need}


def _without(page: str, running: set[tuple[str, str | None]]) -> str:
    """The page without its running heads and feet; the page as it is if they are all its
    text (a document of one line a page, say)."""
    lines = page.split("\n")
    drop = {i for zone, i in _edges(lines) if (zone, _edge_key(lines[i])) in running}
    kept = "\n".join(line for i, line in enumerate(lines) if i not in drop)
    return kept if _LETTERS.search(kept) else page


def _page_text(page: pdfium.PdfPage) -> str:
    textpage = page.get_textpage()
    try:
        raw = textpage.get_text_bounded()
    finally:
        textpage.close()
    return clean_text(dehyphenated(raw) if "\x02" in raw else raw)


#: A word's end before a break, and a word's start after it, looked for in this many
#: characters (bounded: a hostile page's one long "word" costs nothing more).
_NEAR = 48
_LAST_WORD = re.compile(r"\w+\Z")
_FIRST_WORD = re.compile(r"\w+")
_PAGE_WORDS = re.compile(r"\w+(?:-\w+)*")


def dehyphenated(text: str) -> str:
    """PDFium's text with its line-end hyphens resolved.

    PDFium marks a hyphen at a line's end as U+0002 and runs the two lines' word together
    ("Mobi\x02lization"). Typesetters (LaTeX, InDesign) break words so; a word processor's
    PDF breaks only at real hyphens ("al-" over "Amiri", "well-" over "known"). The hyphen is
    dropped ("Mobilization"), unless the next part opens with a capital or a digit ("al-Amiri",
    "COVID-19") or the page itself writes the word with its hyphen and never without.
    """
    pieces = text.split("\x02")
    words: set[str] | None = None
    out = [pieces[0]]
    for left, right in itertools.pairwise(pieces):
        right = right.removeprefix("\r\n").removeprefix("\n")
        head = _LAST_WORD.search(left[-_NEAR:])
        tail = _FIRST_WORD.match(right[:_NEAR])
        keep = head is None or tail is None or not tail[0][0].islower()
        if not keep and head is not None and tail is not None:
            if words is None:
                words = set(_PAGE_WORDS.findall(text.replace("\x02", " ").lower()))
            both = (head[0] + tail[0]).lower()
            keep = f"{head[0]}-{tail[0]}".lower() in words and both not in words
        out.append("-" if keep else "")
        out.append(right)
    return "".join(out)


def paragraphs(page: str, *, dated_after: bool = False) -> str:
    """The page's lines, with a blank line wherever a paragraph plainly ends;
    ``dated_after``: the next page opens with a date / source line."""
    lines = [line.rstrip() for line in page.split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    dated = [read_dateline(line.strip()) is not None for line in lines]
    if any(dated) or dated_after:
        lines, dated = _headlines_apart([*lines, ""], [*dated, dated_after])
        lines, dated = lines[:-1], dated[:-1]
    lengths = sorted(len(line.strip()) for line in lines if line.strip())
    usual = lengths[int(len(lengths) * 0.8)] if lengths else 0
    out: list[str] = []
    for i, line in enumerate(lines):
        out.append(line)
        if i + 1 == len(lines) or not line.strip() or not lines[i + 1].strip():
            continue
        following = lines[i + 1]
        stripped = line.strip()
        if (
            COMMENT_MARKER.match(following) is not None
            or dated[i]
            # a headline: a line of no sentence's end over a date / source line, after the
            # end of a sentence (or itself short)
            or (
                i + 2 < len(lines)
                and dated[i + 2]
                and not dated[i + 1]
                and not following.rstrip().endswith((".", ",", ";", ":"))
                and (
                    stripped.endswith(_SENTENCE_ENDS)
                    or len(following.strip()) < _SHORT_LINE * max(usual, 40)
                )
            )
            # a numbered headline ("3. Talks resume in Erbil") after a sentence's end
            or (
                stripped.endswith(_SENTENCE_ENDS)
                and _NUMBERED_HEADLINE.match(following) is not None
                and not following.rstrip().endswith((".", ",", ";", ":"))
            )
            or (usual >= 30 and len(stripped) < _SHORT_LINE * usual)
            or (
                usual >= 30
                and len(stripped) < _ENDING_LINE * usual
                and stripped.endswith(_SENTENCE_ENDS)
                and following.lstrip()[:1].isupper()
            )
        ):
            out.append("")
    return "\n".join(out).strip()


def _headlines_apart(lines: list[str], dated: list[bool]) -> tuple[list[str], list[bool]]:
    """Lines with a headline run on after the sentence before it, as PDFium gives some
    PDFs' text ("... the talks went on. Hezbollah Demands Talks" over "IRNA, 19 June 2022"),
    cut before the headline: the tail after the line's last sentence end, over a date /
    source line, of a few words with no sentence end in them."""
    out: list[str] = []
    out_dated: list[bool] = []
    for i, line in enumerate(lines):
        if i + 1 < len(lines) and dated[i + 1] and not dated[i]:
            cut = None
            for m in _SENTENCE_THEN_CAPITAL.finditer(line):
                cut = m
            if cut is not None:
                head, tail = line[: cut.end()].rstrip(), line[cut.end() :].strip()
                words = len(tail.split())
                # The line goes on a paragraph (not a headline with a full stop in it).
                continued = (
                    i > 0
                    and bool(lines[i - 1].strip())
                    and not (lines[i - 1].rstrip().endswith(_SENTENCE_ENDS))
                )
                if (
                    (continued or len(head.split()) >= 6)
                    and 2 <= words <= _HEADLINE_WORDS
                    and not tail.endswith((".", ",", ";", ":", "!", "?"))
                ):
                    out += [head, tail]
                    out_dated += [False, False]
                    continue
        out.append(line)
        out_dated.append(dated[i])
    return out, out_dated


def _metadata(document: pdfium.PdfDocument) -> tuple[str | None, dt.date | None]:
    try:
        meta = document.get_metadata_dict(skip_empty=True)
    except (pdfium.PdfiumError, UnicodeDecodeError, ValueError):
        return None, None
    title = " ".join(str(meta.get("Title", "")).split()) or None
    if title is not None and _JUNK_TITLE.match(title):
        title = None
    return title, date_from_metadata(meta.get("CreationDate") or meta.get("ModDate"))


def _pages(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:10])
    more = f" and {len(numbers) - 10} more" if len(numbers) > 10 else ""
    return f"page{'s' if len(numbers) > 1 else ''} {shown}{more}"
