"""Articles exported from a news archive: one file of many articles, each between its
archive's header lines and footer lines.

Analysts keep such exports beside their briefs: Nexis Uni's Word and PDF downloads, the older
LexisNexis text files, Factiva's article exports. Their layout is the archive's, not an
editor's, so they are read by the archive's own markers rather than by a digest's headlines
(:mod:`briefreader.core.digest` asks here first):

- **Where articles part**: a line "End of Document" (Nexis Uni) or "Document <code>"
  (Factiva) closes each article; a line "3 of 100 DOCUMENTS" (LexisNexis) opens each. Two or
  more of one kind are needed.
- **An article's header** runs up to its first field line ("Copyright ...", "Section:",
  "Length: 412 words", "Byline:", "412 words"). Its date line gives the date; the lines
  around it the title and the publication: title, publication, date (Nexis Uni);
  publication, date, title (LexisNexis); title first when the date follows the fields
  (Factiva: title, "412 words", date, publication).
- **Its text** starts after a line "Body" (Nexis Uni), else after the last of the short field
  lines under the header (LexisNexis, Factiva), and ends before the footer's first field
  ("Load-Date:", "Classification", "Language:", "Publication-Type:", "Graphic:").

Every article must show a field line near its start, or the text is no export (and the
digest's own layouts are tried). What precedes the first article (an export's cover: user,
job number, the list of documents, the search terms) belongs to no article.

Linear in the text: lines are listed once, each article's header and fields are looked for
in a bounded number of its first lines, and its footer in one pass over its lines.
"""

from __future__ import annotations

import datetime as dt
import re

from briefreader.core.datelines import Item, read_dateline
from briefreader.core.parse import clean_title

#: Lines from an article's start within which its first field line must stand.
HEAD_LINES = 12
#: Header lines (above the first field) that can hold the title, publication and date.
HEADER_LINES = 5
#: Lines under the first field that may still be fields (Factiva: date, publication, code,
#: language, copyright).
FIELD_LINES = 10
#: A line longer than this is text, not a field's value.
MAX_FIELD_LINE = 100

_MARKUP = " \t*_#>"
_END = re.compile(r"end of document|document[ \t]+[a-z0-9]{20,40}", re.IGNORECASE)
_START = re.compile(r"\d{1,6}[ \t]+of[ \t]+\d{1,6}[ \t]+documents?", re.IGNORECASE)
_FIELD = re.compile(
    r"(?:section|length|byline|dateline|highlight|edition|copyright|author)[ \t]*:"
    r"|copyright\b|\u00a9|\(c\)[ \t]*\d{4}|\d[\d,.]*[ \t]+words\b",
    re.IGNORECASE,
)
_BODY = re.compile(r"body", re.IGNORECASE)
_FOOT = re.compile(
    r"(?:load-date|language|publication-type|graphic|classification|subject|geographic)"
    r"[ \t]*:|classification\Z",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"by[ \t]+\S", re.IGNORECASE)
_TIME_ONLY = re.compile(r"\d{1,2}[:.]\d{2}(?:[ \t]*(?:am|pm))?(?:[ \t]+[a-z]{2,4})?", re.I)

#: A line's (start, end) offsets, blank lines left out.
_Line = tuple[int, int]


def is_marker(line: str) -> bool:
    """Whether ``line`` parts a news-archive export's articles ("End of Document", "3 of
    100 DOCUMENTS"): never a page's running head or foot, though it may end every page."""
    plain = line.strip(_MARKUP)
    return _END.fullmatch(plain) is not None or _START.fullmatch(plain) is not None


def export_items(text: str, start: int = 0) -> list[Item]:
    """The articles of a news-archive export in ``text`` from ``start``; [] for any other
    text (most texts are turned away by a substring test)."""
    if "ocument" not in text and "OCUMENT" not in text:
        return []
    lines = _lines(text, start)
    plain = [_plain(text, s, e) for s, e in lines]
    ends = [i for i, p in enumerate(plain) if _END.fullmatch(p)]
    opens = [i for i, p in enumerate(plain) if _START.fullmatch(p)]
    spans: list[tuple[int, int, bool]] = []  # (first line, past the last line, may hold a cover)
    if len(ends) >= 2:
        previous = 0
        for n, i in enumerate(ends):
            spans.append((previous, i, n == 0))
            previous = i + 1
        if any(plain[i] for i in range(previous, len(lines))):
            spans.append((previous, len(lines), False))  # a last article without its marker
    elif len(opens) >= 2:
        for n, i in enumerate(opens):
            spans.append((i + 1, opens[n + 1] if n + 1 < len(opens) else len(lines), False))
    else:
        return []
    items: list[Item] = []
    for a, b, cover in spans:
        item = _article(text, lines, plain, a, b, cover)
        if item is None:
            if a == spans[-1][0] and len(items) >= 2:
                break  # the text after the last marker is no article: left out
            return []
        items.append(item)
    return items if len(items) >= 2 else []


def _lines(text: str, start: int) -> list[_Line]:
    out: list[_Line] = []
    pos = start
    n = len(text)
    while pos < n:
        end = text.find("\n", pos)
        if end < 0:
            end = n
        if not text[pos:end].isspace() and end > pos:
            out.append((pos, end))
        pos = end + 1
    return out


def _plain(text: str, s: int, e: int) -> str:
    """A line without its Markdown (a Word file's bold "**Body**", a heading's "#")."""
    return text[s:e].strip(_MARKUP) if e - s <= 2 * MAX_FIELD_LINE else ""


def _is_field(p: str) -> bool:
    return bool(p) and len(p) <= MAX_FIELD_LINE and _FIELD.match(p) is not None


def _article(
    text: str, lines: list[_Line], plain: list[str], a: int, b: int, cover: bool
) -> Item | None:
    """The article in lines ``[a, b)``: None when no field line stands near its start (or,
    with ``cover``, near the start of its last lines: an export's cover comes first)."""
    reach = b if cover else min(b, a + HEAD_LINES)
    first = next((i for i in range(a, reach) if _is_field(plain[i])), None)
    if first is None:
        return None
    head = range(max(a, first - HEADER_LINES) if cover or first - a > HEADER_LINES else a, first)
    title_at, source_at, date_at, date = _header(plain, head)
    if date is None:  # Factiva: the date among the fields, the publication under it
        title_at = _title_above(plain, head)
        source_at, date_at, date = _date_below(plain, first, b)
    body = _body_start(plain, first, b)
    foot = next((i for i in range(body, b) if _FOOT.match(plain[i])), b)
    item_start = lines[title_at if title_at is not None else head.start if head else first][0]
    if cover and title_at is None:
        return None  # with a cover before it, an article must name its title
    end = lines[foot - 1][1] if foot > body else lines[body - 1][1]
    return Item(
        start=item_start,
        end=end,
        title=clean_title(plain[title_at]) if title_at is not None else "",
        body_start=lines[body][0] if body < b else end,
        date=date,
        source=clean_title(plain[source_at]) or None if source_at is not None else None,
    )


def _header(
    plain: list[str], head: range
) -> tuple[int | None, int | None, int | None, dt.date | None]:
    """(title line, publication line, date line, date) of the header lines ``head``, by
    the date line nearest the fields (a cover above may hold a date of its own)."""
    for d in reversed(head):
        found = read_dateline(plain[d]) if len(plain[d]) <= MAX_FIELD_LINE else None
        if found is None or found.date is None:
            continue
        if d == head[-1]:  # title, publication, date (Nexis Uni)
            if d - 2 >= head.start:
                return d - 2, d - 1, d, found.date
            return (d - 1 if d - 1 >= head.start else None), None, d, found.date
        # publication, date, title (LexisNexis): the title is the header's last line
        return head[-1], (d - 1 if d - 1 >= head.start else None), d, found.date
    return None, None, None, None


def _title_above(plain: list[str], head: range) -> int | None:
    """The title over the fields when no date stands above them: the last header line,
    or the one over it when the last is a byline ("By ...")."""
    if not head:
        return None
    last = head[-1]
    if _BYLINE.match(plain[last]) and last - 1 >= head.start:
        return last - 1
    return last


def _date_below(
    plain: list[str], first: int, b: int
) -> tuple[int | None, int | None, dt.date | None]:
    """(publication line, date line, date) among the field lines from ``first``: the
    publication is the line under the date (a time of day skipped)."""
    for d in range(first, min(b, first + FIELD_LINES)):
        if len(plain[d]) > MAX_FIELD_LINE:
            break
        found = read_dateline(plain[d])
        if found is None or found.date is None:
            continue
        s = d + 1
        if s < b and _TIME_ONLY.fullmatch(plain[s]):
            s += 1
        if s < b and len(plain[s]) <= MAX_FIELD_LINE and not _is_field(plain[s]):
            return s, d, found.date
        return None, d, found.date
    return None, None, None


def _body_start(plain: list[str], first: int, b: int) -> int:
    """The line the article's text starts on: after "Body", else after the last field of
    the short lines under the header."""
    for i in range(first, min(b, first + 3 * FIELD_LINES)):
        if _BODY.fullmatch(plain[i]):
            return i + 1
    last = first
    for i in range(first, min(b, first + FIELD_LINES)):
        if len(plain[i]) > MAX_FIELD_LINE or not plain[i]:
            break
        if _is_field(plain[i]):
            last = i
    return last + 1
