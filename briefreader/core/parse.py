"""Turn a brief file into a :class:`Brief`: decoding, metadata header, title/date, comment split.

Briefs are written by hand in many editors over many years, so the parser is forgiving about
encodings and layout but strict about one thing: every offset it reports is a code-point offset
into the decoded, LF-normalised ``Brief.text``, and the article and comment are exact slices of
it. Matching, search hits and rendering all rely on that.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path

from briefreader.core.brief import Brief, BriefError
from briefreader.core.walk import SkipFn, walk_corpus

log = logging.getLogger(__name__)

BRIEF_SUFFIXES = (".md", ".markdown", ".txt")
MAX_BYTES = 20 * 1024 * 1024
MAX_MB = MAX_BYTES // (1024 * 1024)
TITLE_LENGTH = 90

# Keys a metadata header may use; anything else means the first block is article text.
_META_KEYS = {
    "title": "title",
    "date": "date",
    "source": "source",
    "author": "author",
    "tags": "tags",
    "id": "id",
    "language": "language",
    "classification": "classification",
    "url": "url",
    "link": "url",
    "region": "region",
    "summary": "summary",
}

# --------------------------------------------------------------------------------------------
# Decoding


def _cp1252_table() -> dict[int, str]:
    """Map the bytes 0x80-0x9F (read as latin-1) to cp1252; undefined ones stay latin-1."""
    table: dict[int, str] = {}
    for byte in range(0x80, 0xA0):
        try:
            table[byte] = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            continue  # 0x81, 0x8D, 0x8F, 0x90, 0x9D: keep the latin-1 code point
    return table


_CP1252 = _cp1252_table()
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
NEWLINES = re.compile(r"\r\n?")


def _utf16_without_bom(data: bytes) -> str | None:
    """Name the UTF-16 byte order if NULs sit in every other byte, as in mostly-Latin UTF-16."""
    sample = data[:65536]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even = sample[0 : pairs * 2 : 2].count(0)
    odd = sample[1 : pairs * 2 : 2].count(0)
    # One side clearly dominates: letters such as U+0100 put a NUL on the other side too.
    if odd >= 0.3 * pairs and odd >= 4 * even:
        return "utf-16-le"
    if even >= 0.3 * pairs and even >= 4 * odd:
        return "utf-16-be"
    return None


_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


_REPLACEMENT_RUN = re.compile("\ufffd+")


def _mostly_utf8(data: bytes) -> bool:
    """True for UTF-8 text with a few broken bytes (a bad paste, a cut-off write).

    Reading such a file as cp1252 would garble every accented letter in it, so it stays
    UTF-8 when its valid multi-byte sequences outnumber the bytes that fit no sequence.
    A cp1252 file almost never forms a valid multi-byte sequence by chance. Bad bytes are
    counted as runs: one damaged spot is one run, however many bytes it spans.
    """
    valid = len(_UTF8_MULTIBYTE.findall(data))
    if not valid:
        return False
    replaced = data.decode("utf-8", errors="replace")
    bad = len(_REPLACEMENT_RUN.findall(replaced)) - len(
        _REPLACEMENT_RUN.findall(data.decode("utf-8", errors="ignore"))
    )
    return bad < valid


def _decode_utf16(data: bytes, encoding: str, warnings: list[str]) -> str:
    if len(data) % 2:
        data = data[:-1]
        warnings.append("UTF-16 file has an odd number of bytes; the last byte was dropped")
    text = data.decode(encoding, errors="replace")
    if "\ufffd" in text:
        warnings.append("some UTF-16 characters could not be decoded and were replaced")
    return text


#: The single-byte code pages a file that is not UTF-8 is read in, and how a warning names
#: them. Windows-1252 (Western European) unless the text is in another script.
SINGLE_BYTE_NAMES = {
    "cp1252": "Windows-1252 (cp1252)",
    "cp1256": "Windows-1256 (cp1256, Arabic)",
    "cp1251": "Windows-1251 (cp1251, Cyrillic)",
    "koi8_r": "KOI8-R (Cyrillic)",
    "cp1253": "Windows-1253 (cp1253, Greek)",
    "cp1255": "Windows-1255 (cp1255, Hebrew)",
}
#: How much of a file tells its code page.
_SNIFF = 1 << 16
_ASCII = bytes(range(128))
#: Three bytes or more from the upper half in a row: a word of another script. In Western
#: European text such bytes stand alone (an accent, a curly quote) or in pairs ("ção").
_HIGH_RUN = re.compile(rb"[\x80-\xff]{3,}")


def single_byte_encoding(data: bytes) -> str:
    """The code page of text that is not UTF-8: Windows-1252 for Latin-script text, else the
    one of :data:`SINGLE_BYTE_NAMES` whose letters read as a language.

    Text is taken for another script when most of its upper-half bytes (and at least a few
    words' worth) come in runs of three or more; the code page is then charset-normalizer's
    character-frequency judgement, on the first 64 KB. Asked of every text, that judgement
    takes English with curly quotes for Cyrillic: hence the gate.
    """
    sample = data[:_SNIFF]
    high = len(sample.translate(None, _ASCII))  # the upper-half bytes: ASCII deleted
    in_runs = sum(m.end() - m.start() for m in _HIGH_RUN.finditer(sample))
    if in_runs < 12 or in_runs * 2 < high:
        return "cp1252"
    try:
        import charset_normalizer  # only for such files: most briefs never need it

        best = charset_normalizer.from_bytes(sample, cp_isolation=list(SINGLE_BYTE_NAMES)).best()
    except Exception:  # a judgement only: the Western reading stands
        log.debug("charset-normalizer failed", exc_info=True)
        return "cp1252"
    found = best.encoding if best is not None else ""
    return found if found in SINGLE_BYTE_NAMES else "cp1252"


def decode(data: bytes) -> tuple[str, str, list[str]]:
    """Decode a brief's bytes to text, never failing on an unexpected encoding.

    Returns ``(text, encoding, warnings)``. The text has its BOM stripped and CRLF/CR turned
    into LF. UTF-8 is expected; UTF-16 (with a BOM, or recognised by its NUL pattern) and
    anything else (read as cp1252, undefined bytes as latin-1, or as the Arabic, Cyrillic,
    Greek or Hebrew code page its letters tell: :func:`single_byte_encoding`) are decoded
    with a warning.
    Raises :class:`BriefError` (path ``<data>``) only for data that looks binary.
    """
    warnings: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        body, encoding = data[3:], "utf-8-sig"
    else:
        body, encoding = data, "utf-8"

    text: str
    if not encoding.endswith("sig") and data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
        text = _decode_utf16(data[2:], encoding, warnings)
        warnings.append(f"decoded as UTF-16 ({encoding[-2:].upper()}); UTF-8 is preferred")
    elif b"\x00" in body and (guess := _utf16_without_bom(body)) is not None:
        encoding = guess
        text = _decode_utf16(body, encoding, warnings)
        warnings.append(
            f"decoded as UTF-16 ({encoding[-2:].upper()}, no byte order mark); UTF-8 is preferred"
        )
    else:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            if _mostly_utf8(body):
                text = body.decode("utf-8", errors="replace")
                warnings.append(
                    f"invalid UTF-8 from byte {exc.start + len(data) - len(body)}; "
                    "the bad bytes were replaced"
                )
            else:
                encoding = single_byte_encoding(body)
                if encoding == "cp1252":
                    text = body.decode("latin-1").translate(_CP1252)
                else:
                    text = body.decode(encoding, errors="replace")
                warnings.append(f"not valid UTF-8; read as {SINGLE_BYTE_NAMES[encoding]}")

    text = text.removeprefix("\ufeff")
    if text:
        nuls = text.count("\x00")
        controls = len(_CONTROL.findall(text))
        if nuls > 0.01 * len(text) or controls > 0.1 * len(text):
            raise BriefError("<data>", "looks like a binary file, not text")
        if nuls:
            text = text.replace("\x00", "\ufffd")
            warnings.append("contains NUL bytes (replaced)")
    return NEWLINES.sub("\n", text), encoding, warnings


# --------------------------------------------------------------------------------------------
# Metadata header

# The value is taken whole and stripped: a lazy value before trailing blanks was tried at
# every length, each try running over the blanks after it (quadratic in a run of blanks).
_META_LINE = re.compile(r"[ \t]*([A-Za-z][A-Za-z_-]*)[ \t]*:(.*)")


def skip_blank_lines(text: str, pos: int) -> int:
    """Move ``pos`` (a line start) past whitespace-only lines."""
    while pos < len(text):
        end = text.find("\n", pos)
        line_end = len(text) if end < 0 else end
        if text[pos:line_end].strip():
            return pos
        if end < 0:
            return len(text)
        pos = end + 1
    return pos


#: A line at least this long was not wrapped, by hand or by a mail program (they wrap at 72 to
#: 80 characters, a few at 132): it is a whole paragraph.
UNWRAPPED_LINE = 160


def lines_as_paragraphs(text: str) -> str:
    """``text`` with a blank line between any two lines, when its layout is a paragraph a line.

    Word's and LibreOffice's "plain text" export, Notepad and many mail programs write each
    paragraph as one line, with no blank line between paragraphs; the parser's markers,
    headlines and date lines are read at a paragraph's start. Such a text is told by its
    lines: at least a quarter of them too long to have been wrapped, and blank lines between
    fewer than a quarter. A text wrapped by hand (no line that long) or with its paragraphs
    already apart comes back unchanged.
    """
    filled = blank = long = 0
    for line in text.strip().split("\n"):  # the blank lines between paragraphs
        if len(line) >= UNWRAPPED_LINE:
            long += 1
            filled += 1
        elif line.strip():
            filled += 1
        else:
            blank += 1
    if not long or long * 4 < filled or blank * 4 >= filled:
        return text
    out: list[str] = []
    before_filled = False
    for line in text.split("\n"):
        filled_now = bool(line.strip())
        if filled_now and before_filled:
            out.append("")
        out.append(line)
        before_filled = filled_now
    return "\n".join(out)


def read_header(text: str) -> tuple[dict[str, str], int]:
    """Return (metadata, offset after the header); ({}, 0) when the first block is prose.

    The header counts only if every line of the first block is a known ``Key: value`` line,
    so a first sentence such as ``Note: Iran said ...`` is never mistaken for metadata.
    """
    start = skip_blank_lines(text, 0)
    meta: dict[str, str] = {}
    tags: list[str] = []  # every Tags line's value, joined once at the end
    pos = start
    while pos < len(text):
        end = text.find("\n", pos)
        line_end = len(text) if end < 0 else end
        line = text[pos:line_end]
        if not line.strip():
            break
        m = _META_LINE.fullmatch(line)
        if m is None:
            return {}, 0
        key = _META_KEYS.get(m.group(1).lower())
        if key is None:
            return {}, 0
        value = (m.group(2) or "").strip()
        if key == "tags":
            # Lines after the first one with a value add to it (blank ones too).
            if tags and tags[0]:
                tags.append(value)
            else:
                tags = [value]
        meta[key] = value
        pos = len(text) if end < 0 else end + 1
    if not meta:
        return {}, 0
    if tags:
        meta["tags"] = ", ".join(tags)
    return meta, skip_blank_lines(text, pos)


def split_tags(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    seen: dict[str, None] = {}
    folded: set[str] = set()
    for tag in re.split(r"[,;]", value):
        tag = tag.strip()
        if tag and tag.casefold() not in folded:
            folded.add(tag.casefold())
            seen[tag] = None
    return tuple(seen)


# --------------------------------------------------------------------------------------------
# Dates

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_DATE_FORMS = [
    re.compile(rf"{_YEAR}-(?P<mnum>\d{{1,2}})-{_DAY}(?:[T ][0-9:.+\-Z ]*)?", re.I),
    re.compile(rf"{_YEAR}-(?P<mnum>\d{{1,2}})"),
    re.compile(_YEAR),
    re.compile(rf"{_DAY}[ \t]+{_MONTH},?[ \t]+{_YEAR}", re.I),
    re.compile(rf"{_MONTH}[ \t]+{_DAY},?[ \t]+{_YEAR}", re.I),
    re.compile(rf"{_MONTH}[ \t]+{_YEAR}", re.I),
    re.compile(rf"{_DAY}(?P<sep>[/.-])(?P<mnum>\d{{1,2}})(?P=sep){_YEAR}"),
]


class _BadDate(ValueError):
    """A date in a recognised form that does not exist (2017-02-30)."""


def parse_date(value: str) -> dt.date | None:
    """Read a metadata date in one of the forms briefs use; None if the form is unknown.

    Month-only and year-only dates become the first day. Raises ``ValueError`` for a date
    written in a known form that does not exist, so the caller can warn about it.
    """
    value = value.strip()
    for form in _DATE_FORMS:
        m = form.fullmatch(value)
        if m is None:
            continue
        groups = m.groupdict()
        year = int(groups["year"])
        if groups.get("mnum"):
            month = int(groups["mnum"])
        elif groups.get("month"):
            month_number = _MONTHS.get(groups["month"].lower())
            if month_number is None:
                continue
            month = month_number
        else:
            month = 1
        day = int(groups["day"]) if groups.get("day") else 1
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise _BadDate(value) from None
    return None


_NAME_DATE = re.compile(r"(?<![0-9])((?:19|20)\d\d)([-_.]?)(\d\d)\2(\d\d)(?![0-9])")


def date_from_name(name: str) -> dt.date | None:
    """A date written in a file name (2017-11-14, 20171114, 2017_11_14), if any."""
    for m in _NAME_DATE.finditer(name):
        try:
            return dt.date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        except ValueError:
            continue
    return None


# --------------------------------------------------------------------------------------------
# Article / comment split

#: A comment marker's name ("Comment", "Analyst's comments") and what may follow it before
#: the comment's text (a colon, a dash), as patterns: the web reader finds markers set in
#: emphasis by them too.
COMMENT_NAME = r"(?:analyst(?:'s|\u2019s)?[ \t]+)?comments?"
COMMENT_SEPARATOR = r"(?::|[\u2013\u2014]|-(?=[ \t]))"
_EMPH = r"(?:\*\*|__|\*|_)"
COMMENT_MARKER = re.compile(
    r"[ \t]{0,3}(?:"
    # Heading: "## Comment", "### Analyst comment:", "## **Comment**"
    # (Blanks taken possessively: five optional runs in a row were tried in every split of
    # the blanks before the line's end, 45 s for a heading followed by 200 spaces and a word.)
    rf"\#{{1,6}}[ \t]++{_EMPH}?{COMMENT_NAME}"
    rf"[ \t]*+:?[ \t]*+{_EMPH}?[ \t]*+:?[ \t]*+\#*[ \t]*+(?=\n|$)"
    # Emphasised: "**Comment:**", "**Comment**:", "**Comment** \u2013", "__Comment:__",
    # "*Comment*" alone on a line
    rf"|(?P<d>\*\*|__|\*|_)[ \t]*{COMMENT_NAME}[ \t]*"
    rf"(?::[ \t]*(?P=d)|(?P=d)[ \t]*{COMMENT_SEPARATOR}|(?P=d)[ \t]*(?=\n|$))"
    # Plain: "Comment:", "Analyst comment:", "COMMENT - ", or "Comment" alone on its line
    # (as a bold or heading "Comment" reaches us from a PDF; not "Comments", which heads a
    # web page's readers' comments)
    rf"|{COMMENT_NAME}[ \t]*{COMMENT_SEPARATOR}"
    r"|(?:analyst(?:'s|\u2019s)?[ \t]+)?comment[ \t]*+(?=\n|$)"
    r")",
    re.IGNORECASE,
)
_HEADING_MARKER = re.compile(r"[ \t]{0,3}#")


#: Every comment marker has this word in it: the lines to try are found by it.
_COMMENT_WORD = re.compile("comment", re.IGNORECASE)


def find_comment(text: str, start: int) -> tuple[int, int] | None:
    """Find the comment marker: (paragraph start, end of marker), or None.

    A marker counts at the start of a paragraph (the body start, or after a blank line); a
    ``## Comment`` heading also counts at any line start, since Markdown headings need no blank
    line before them. A marker in the middle of a paragraph is ordinary text.

    Only the lines with the word "comment" in them are looked at (each once: a line holding
    it many times is passed at its first), not every line of the text: a text of a million
    short lines took seconds.
    """
    look = start
    n = len(text)
    while (hit := _COMMENT_WORD.search(text, look)) is not None:
        pos = max(text.rfind("\n", 0, hit.start()) + 1, start)
        end = text.find("\n", hit.end())
        line_end = n if end < 0 else end
        if pos == start:
            previous_blank = True
        else:
            previous = max(text.rfind("\n", 0, pos - 1) + 1, start)
            previous_blank = not text[previous : pos - 1].strip()
        if previous_blank or _HEADING_MARKER.match(text, pos, line_end):
            m = COMMENT_MARKER.match(text, pos, line_end)
            if m is not None and (previous_blank or m.group(0).lstrip().startswith("#")):
                return pos, m.end()
        if end < 0:
            break
        look = end + 1
    return None


def _rstrip_len(text: str, start: int, end: int) -> int:
    """Length of ``text[start:end]`` once trailing whitespace is trimmed."""
    return len(text[start:end].rstrip())


# --------------------------------------------------------------------------------------------
# Titles

_LEADING_H1 = re.compile(r"[ \t]{0,3}#[ \t]+(?P<title>[^\n]*?)[ \t]*#*[ \t]*(?:\n|$)")
_TITLE_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "gen", "lt", "col", "maj", "capt",
    "cpt", "sgt", "cmdr", "adm", "brig", "gov", "sen", "rep", "pres", "rev", "hon", "amb",
    "no", "vs", "mt", "ft", "messrs", "mme", "mlle",
}  # fmt: skip
_DOTTED_ABBREVIATION = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?][\"'\u2019\u201d)\]]*\s+")
_OPENING_QUOTES = "\"'\u2018\u201c"
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>\n]*>")
_EMPHASIS = re.compile(r"\*+|~~|`+|(?<![^\W_])_+|_+(?![^\W_])")
_BLOCK_PREFIX = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+)*")


_LINK_TEXT_END = re.compile(r"[\]\n]")
_LINK_TARGET_END = re.compile(r"[)\n]")


def _without_links(text: str) -> str:
    """Markdown links and images replaced by their text, as ``re.sub`` with the pattern
    ``!?\\[([^\\]\\n]*)\\]\\([^)\\n]*\\)`` would do, in one pass: the pattern, tried at each
    "[", read on to the next "]" every time ("[[[[..." or "[a](" repeated: quadratic). All
    the "[" before one "]" share its fate, and the next ")" is looked for once a stretch."""
    out: list[str] = []
    pos = look = 0
    target_from = target_end = -1  # no ")" or newline in text[target_from:target_end]
    n = len(text)
    while (s := text.find("[", look)) >= 0:
        m = _LINK_TEXT_END.search(text, s + 1)
        if m is None:
            break
        j = m.start()
        look = j + 1
        if text[j] != "]" or text[j + 1 : j + 2] != "(":
            continue
        if not target_from <= j + 2 <= target_end:
            found = _LINK_TARGET_END.search(text, j + 2)
            target_from, target_end = j + 2, found.start() if found else n
        k = target_end
        if k == n or text[k] != ")":
            continue
        start = s - 1 if s > pos and text[s - 1] == "!" else s
        out += (text[pos:start], text[s + 1 : j])
        pos = look = k + 1
    out.append(text[pos:])
    return "".join(out)


def clean_title(title: str) -> str:
    """Plain text for a title: no Markdown links, tags or emphasis characters."""
    title = _without_links(title)
    title = _HTML_TAG.sub("", title)
    title = _EMPHASIS.sub("", title)
    return " ".join(title.split())


#: Characters of a paragraph :func:`first_sentence` reads: its sentence becomes a title of
#: TITLE_LENGTH characters at most, and a paragraph of a million lines was a million strings.
FIRST_SENTENCE_CHARS = 4000


def first_sentence(text: str) -> str:
    """The first sentence of the first paragraph, without splitting "U.S." or "Mr." apart
    (read from the paragraph's first :data:`FIRST_SENTENCE_CHARS` characters)."""
    head = text.lstrip()[: 2 * FIRST_SENTENCE_CHARS]
    paragraph = re.split(r"\n[ \t]*\n", head.rstrip(), maxsplit=1)[0][:FIRST_SENTENCE_CHARS]
    lines = [_BLOCK_PREFIX.sub("", line, count=1) for line in paragraph.split("\n")]
    flat = clean_title(" ".join(lines))
    for m in _SENTENCE_END.finditer(flat):
        following = flat[m.end() : m.end() + 1]
        if not following or not (following.isupper() or following in _OPENING_QUOTES):
            continue
        if flat[m.start()] == ".":
            # The word before the stop (``flat`` is single-spaced): found from the stop back,
            # not by splitting all the text before it (quadratic for "A. B. C. ...").
            end = m.start() - (flat[m.start() - 1 : m.start()] == " ")
            token = flat[flat.rfind(" ", 0, end) + 1 : end]
            token = token.lstrip("\"'\u2018\u201c([")
            if _DOTTED_ABBREVIATION.fullmatch(token) and (len(token) == 1 or "." in token):
                continue  # "U.S." / "P.M.F." / an initial "J."
            if token.lower() in _TITLE_ABBREVIATIONS:
                continue
        return flat[: m.end()].rstrip()
    return flat


def shorten(text: str, limit: int = TITLE_LENGTH) -> str:
    """Cut ``text`` at a word boundary to about ``limit`` characters, ending with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-\u2013\u2014") + "\u2026"


# --------------------------------------------------------------------------------------------
# Parsing


def parse_text(
    text: str,
    *,
    brief_id: str,
    path: Path,
    sha256: str = "",
    encoding: str = "utf-8",
    warnings: Sequence[str] = (),
) -> Brief:
    """Build a Brief from decoded text; raises BriefError only for an empty brief.

    Newlines are normalised and a leading BOM dropped first, so offsets agree with
    ``Brief.text`` whatever the caller passed in.
    """
    text = NEWLINES.sub("\n", text).removeprefix("\ufeff")
    if not text.strip():
        raise BriefError(path, "empty file")
    notes = list(warnings)

    metadata, body_start = read_header(text)
    body = lines_as_paragraphs(text[body_start:])
    if len(body) != len(text) - body_start:
        text = text[:body_start] + body
    article_start = skip_blank_lines(text, body_start)

    title = clean_title(metadata.get("title", ""))
    if not title:
        heading = _LEADING_H1.match(text, article_start)
        if heading is not None and not COMMENT_MARKER.fullmatch(heading.group(0).rstrip("\n")):
            title = clean_title(heading.group("title"))
            if title:
                article_start = skip_blank_lines(text, heading.end())

    article, comment, comment_start = split_sections(text, article_start)

    if not title:
        title = shorten(first_sentence(article) or first_sentence(comment or ""))
    if not title:
        title = path.stem or brief_id or "(untitled)"

    date = _brief_date(metadata.get("date", ""), path, notes)

    for note in notes[len(warnings) :]:
        log.debug("%s: %s", brief_id, note)
    return Brief(
        id=brief_id,
        path=path,
        text=text,
        title=title,
        date=date,
        source=metadata.get("source") or None,
        author=metadata.get("author") or None,
        tags=split_tags(metadata.get("tags")),
        article=article,
        article_start=article_start,
        comment=comment,
        comment_start=comment_start,
        sha256=sha256,
        encoding=encoding,
        metadata=metadata,
        warnings=tuple(notes),
    )


def split_sections(text: str, article_start: int) -> tuple[str, str | None, int | None]:
    """(article, comment, comment's offset): the comment starts at its marker, if any."""
    found = find_comment(text, article_start)
    if found is None:
        end = article_start + _rstrip_len(text, article_start, len(text))
        return text[article_start:end], None, None
    paragraph_start, marker_end = found
    end = article_start + _rstrip_len(text, article_start, paragraph_start)
    article = text[article_start:end]
    comment_start = marker_end
    while comment_start < len(text) and text[comment_start].isspace():
        comment_start += 1
    return article, text[comment_start:].rstrip(), comment_start


def _brief_date(raw_date: str, path: Path, notes: list[str]) -> dt.date | None:
    """The header's date, else one in the file name; a date that cannot be read is noted."""
    date: dt.date | None = None
    if raw_date:
        try:
            date = parse_date(raw_date)
        except ValueError:
            notes.append(f"the date {raw_date!r} does not exist; ignored")
        else:
            if date is None:
                notes.append(f"could not read the date {raw_date!r}; ignored")
    return date if date is not None else date_from_name(path.name)


def too_large(size: int) -> str:
    """The one-line reason a brief over MAX_BYTES is skipped."""
    return f"too large ({size / (1024 * 1024):.1f} MB; the limit is {MAX_MB} MB)"


def parse_bytes(data: bytes, *, brief_id: str, path: Path) -> Brief:
    """Decode and parse one brief's raw bytes (sha256 is taken of exactly these bytes)."""
    if len(data) > MAX_BYTES:
        raise BriefError(path, too_large(len(data)))
    try:
        text, encoding, warnings = decode(data)
    except BriefError as exc:
        raise BriefError(path, exc.reason) from None
    return parse_text(
        text,
        brief_id=brief_id,
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
        warnings=warnings,
    )


def brief_id_for(path: Path, corpus_root: Path) -> str:
    """A brief's stable id: its path relative to the corpus folder, with forward slashes."""
    try:
        return path.relative_to(corpus_root).as_posix()
    except ValueError:
        pass
    try:
        return path.resolve().relative_to(corpus_root.resolve()).as_posix()
    except (ValueError, OSError):
        return path.name


def read_limited(path: Path) -> bytes:
    """A file's bytes, refusing (BriefError) one over the size limit before reading it.

    The size is checked on the open file, so a brief that grew after the scan is still
    caught, and at most one byte over the limit is ever read. OSError passes through: the
    caller knows whether a file that went away matters.
    """
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > MAX_BYTES:
            raise BriefError(path, too_large(size))
        # Asked for its size, not the limit: a read of the limit sets aside 20 MB for any
        # file, three times the cost of reading a brief of a few kilobytes.
        data = handle.read(min(size, MAX_BYTES) + 1)
        if len(data) > size:  # it grew since
            data += handle.read(MAX_BYTES + 1 - len(data))
    if len(data) > MAX_BYTES:
        raise BriefError(path, too_large(len(data)))
    return data


def read_brief_bytes(path: Path) -> bytes:
    """:func:`read_limited`, with an unreadable file a BriefError with a one-line reason."""
    try:
        return read_limited(path)
    except OSError as exc:
        raise BriefError(path, f"cannot read the file ({exc.strerror or exc})") from None


def parse_file(path: Path, corpus_root: Path) -> Brief:
    """Read and parse one brief file; any problem becomes a BriefError with a one-line reason."""
    data = read_brief_bytes(path)
    return parse_bytes(data, brief_id=brief_id_for(path, corpus_root), path=path)


def iter_brief_files(
    root: Path,
    *,
    skipped: SkipFn | None = None,
    outside_links: bool = False,
    suffixes: Collection[str] = BRIEF_SUFFIXES,
    others: Callable[[Path], None] | None = None,
    folder_is_part: Callable[[Path], bool] | None = None,
    by_content: Callable[[Path], bool] | None = None,
) -> Iterator[Path]:
    """Every brief file under ``root``, in sorted order (see :func:`walk.walk_corpus`).

    Hidden files and folders are passed over; links out of the folder, pipes, devices,
    unreadable folders and files reached twice are reported through ``skipped``.
    """
    yield from walk_corpus(
        root,
        suffixes,
        skipped=skipped,
        outside_links=outside_links,
        others=others,
        folder_is_part=folder_is_part,
        by_content=by_content,
    )
