"""What the lines of a digest say: a date / source line under a headline, and the items
they head (:mod:`briefreader.core.digest` finds items by their layout, and
:mod:`briefreader.core.newsexport` in the exports of news archives)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from briefreader.core.parse import clean_title, parse_date

MAX_DATELINE = 110
MAX_SOURCE = 60
MAX_SOURCE_WORDS = 8

_DATE_IN_LINE = re.compile(
    r"(?<!\d)(?:\d{4}-\d{1,2}-\d{1,2}"
    r"|\d{1,2}([./-])\d{1,2}\1\d{4}"
    r"|\d{1,2}(?:st|nd|rd|th)?[ \t]+[A-Za-z]{3,9}\.?,?[ \t]+\d{4}"
    r"|[A-Za-z]{3,9}\.?[ \t]+\d{1,2}(?:st|nd|rd|th)?,?[ \t]+\d{4})(?!\d)"
)
_WEEKDAY = re.compile(
    r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|\b(?:mon|tue|wed|thu|fri|sat|sun)\b\.?",
    re.IGNORECASE,
)
_TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?(?:[ \t]*(?:am|pm|gmt|utc|cet|ast))?\b", re.I)
_LABEL = re.compile(
    r"\b(?:source|date|published|posted|updated|dated|via)\b[ \t]*:?", re.IGNORECASE
)
_SOURCE_LABEL = re.compile(r"[ \t]*(?:source|from|via)[ \t]*:[ \t]*(\S.*)", re.IGNORECASE)
_SEPARATORS = " \t,;|/\\-\u2013\u2014\u00b7\u2022()[]*_:"
#: What stands between a dateline's date and the outlet after it.
_DASHES = ("-", "\u2013", "\u2014", "|", "\u00b7", "\u2022")
#: A letter of any script.
LETTER = re.compile(r"[^\W\d_]")
# Every date _DATE_IN_LINE finds holds a four-digit year, and every source label a colon.
_YEAR_DIGITS = re.compile(r"\d{4}")


@dataclass(frozen=True, slots=True)
class DateLine:
    """What a date / source line under a headline says."""

    date: dt.date | None
    source: str | None


def read_dateline(line: str) -> DateLine | None:
    """The date and source a line such as "Rudaw, 12 March 2019" gives; None for other lines."""
    stripped = line.strip()
    if not stripped or len(stripped) > MAX_DATELINE:
        return None
    if ":" not in stripped and _YEAR_DIGITS.search(stripped) is None:
        return None  # most lines; and the PDF reader asks about every line of a page
    date: dt.date | None = None
    rest = stripped
    for m in _DATE_IN_LINE.finditer(stripped):
        try:
            found = parse_date(m.group(0).replace(",", ", ").replace("  ", " "))
        except ValueError:
            found = None
        if found is not None:
            date = found
            rest = _source_part(stripped[: m.start()], stripped[m.end() :])
            break
    if date is None:
        labelled = _SOURCE_LABEL.fullmatch(stripped)
        if labelled is None:
            return None
        rest = labelled.group(1)
    rest = _TIME.sub(" ", _WEEKDAY.sub(" ", _LABEL.sub(" ", rest)))
    source = " ".join(rest.strip(_SEPARATORS).split())
    source = clean_title(source).strip(_SEPARATORS)
    if len(source) > MAX_SOURCE or len(source.split()) > MAX_SOURCE_WORDS:
        return None
    if source and not LETTER.search(source):
        return None
    return DateLine(date, source or None)


def _source_part(before: str, after: str) -> str:
    """What names the source around a date. In "Baghdad, 13 March 2024 – Shafaq News" a
    place and a comma stand before the date, and a dash (a pipe, a bullet) and the outlet
    after it: the outlet alone is the source. Otherwise both sides are, as in "Rudaw, 12 March
    2019", "12.03.2019 | Al-Monitor" or "Rudaw - 12 March 2019 - Baghdad" (given as "Rudaw,
    Baghdad")."""
    head = _TIME.sub(" ", after).lstrip(" \t,;")  # a time may stand before the dash
    if before.rstrip().endswith(",") and head.startswith(_DASHES) and LETTER.search(head):
        return after
    return ", ".join(part for part in (before.strip(_SEPARATORS), after.strip(_SEPARATORS)) if part)


# --------------------------------------------------------------------------------------------
# Items


@dataclass(frozen=True, slots=True)
class Item:
    """One item of a digest: its span in the digest's text and what its headline says."""

    start: int
    end: int
    title: str
    body_start: int  # where the text after the headline (and its date line) starts
    date: dt.date | None
    source: str | None
