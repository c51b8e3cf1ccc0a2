"""A forwarded message is a brief of the message it forwards, not of the forwarding.

A newsletter reaches an analyst forwarded as often as sent to them: "Fwd: Daily round-up"
from a colleague, a short note ("FYI, see below"), then the forwarded message's header lines
as the colleague's mail program wrote them, and its text:

- Gmail: "---------- Forwarded message ---------", then From:, Date:, Subject:, To:;
- Outlook: a rule of underscores or "-----Original Message-----" (or nothing), then From:,
  Sent:, To:, Cc:, Subject:;
- Apple Mail: "Begin forwarded message:", then From:, Subject:, Date:, To:.

Such a header (a From line with a Subject, Date or Sent line, near the top of the text)
gives the brief its title (Subject, without "Fwd:"), its date and its source (the sender's
name), and the brief's text is what follows it. A note of a few lines above the header is
the forwarding's, not the brief's, and is left out; a longer one is kept where it stands (it
may be the analyst's own words). A forward of a forward is followed to the innermost message.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re

from briefreader.core.datelines import read_dateline
from briefreader.core.readers.common import Extracted

#: How far into the text a forwarded header may start: the note above it is short.
SEARCH_CHARS = 4_000
#: Notes of at most this many lines (and characters) above the header are left out.
NOTE_LINES = 3
NOTE_CHARS = 300
#: Forwards within forwards followed at most this deep.
MAX_DEPTH = 5

_SEPARATOR = re.compile(
    r"[ \t>*_]*(?:-{2,}[ \t]*(?:forwarded message|original message)[ \t]*-{2,}"
    r"|begin forwarded message:?|_{10,}|-{10,})[ \t*_]*",
    re.IGNORECASE,
)
_FIELD = re.compile(
    r"[ \t>*_]*(from|sent|date|to|cc|bcc|subject|reply-to)[ \t*_]*:[ \t*_]*(.*?)[ \t*_]*",
    re.IGNORECASE,
)
#: A character the HTML reader's Markdown escaped ("\\<news@example.org>").
_ESCAPED = re.compile(r"\\([^\w\s])")
_PREFIX = re.compile(r"[ \t]*(?:(?:fwd?|fw|tr|wg|rv)[ \t]*:[ \t]*)+", re.IGNORECASE)
_MAILTO = re.compile(r"\s*[\[<(](?:mailto:)?[^\]>)]*@[^\]>)]*[\]>)]\s*", re.IGNORECASE)


def without_prefix(subject: str) -> str:
    """A subject without its "Fwd:" / "FW:" prefixes (and their translations)."""
    m = _PREFIX.match(subject)
    return subject[m.end() :] if m else subject


def take_forwarded(extracted: Extracted, plain: str = "") -> bool:
    """Make ``extracted`` the message it forwards, if its text holds a forwarded header near
    the top; whether it did. ``plain``, the message's plain part, is asked for the header
    when the text (an HTML part's main text) lost it: its fields are taken, and its note
    is left out of the text when the text opens with it."""
    found = False
    for _ in range(MAX_DEPTH):
        header = _header(extracted.text)
        if header is None:
            break
        fields, body_start, note_end = header
        note = extracted.text[:note_end].strip()
        body = extracted.text[body_start:].lstrip("\n")
        if not body.strip():
            break
        short = _short(note)
        extracted.text = body if short else f"{note}\n\n{body}"
        _take_fields(extracted, fields)
        found = True
        if not short:
            break  # a kept note stands first: nothing under it is at the top any more
    if found or not plain:
        return found
    plain = plain.replace("\r\n", "\n").replace("\r", "\n")
    header = _header(plain)
    if header is None:
        return False
    fields, _body_start, note_end = header
    _take_fields(extracted, fields)
    note = plain[:note_end].strip()
    if note and _short(note):
        # The note's words at the text's start, however the HTML spaced them.
        opening = re.match(r"\s*" + r"\s+".join(map(re.escape, note.split())), extracted.text)
        if opening is not None and extracted.text[opening.end() :].strip():
            extracted.text = extracted.text[opening.end() :].lstrip()
    return True


def _short(note: str) -> bool:
    return len(note) <= NOTE_CHARS and note.count("\n") < NOTE_LINES


def _take_fields(extracted: Extracted, fields: dict[str, str]) -> None:
    subject = without_prefix(fields.get("subject", "")).strip()
    if subject:
        extracted.title = subject
    day = _date(fields.get("date") or fields.get("sent") or "")
    if day is not None:
        extracted.date = day
    source = _sender(fields.get("from", ""))
    if source:
        extracted.source = source


def _header(text: str) -> tuple[dict[str, str], int, int] | None:
    """(fields, where the text after them starts, where the note above them ends) of the
    first forwarded header near the top of ``text``."""
    pos = 0
    limit = min(len(text), SEARCH_CHARS)
    while pos < limit:
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        line = text[pos:end]
        if _SEPARATOR.fullmatch(line):
            got = _fields(text, end + 1)
            if got is not None:
                return got[0], got[1], pos
        else:
            m = _FIELD.fullmatch(line)
            if m is not None and m.group(1).lower() == "from":
                got = _fields(text, pos)
                if got is not None:
                    return got[0], got[1], pos
        pos = end + 1
    return None


def _fields(text: str, pos: int) -> tuple[dict[str, str], int] | None:
    """The header lines from ``pos`` (blank lines before them skipped): their fields and
    where the text after them starts; None unless From and a Subject, Date or Sent are
    there."""
    fields: dict[str, str] = {}
    n = len(text)
    lines = 0
    while pos < n and lines < 16:
        end = text.find("\n", pos)
        end = n if end < 0 else end
        line = text[pos:end]
        lines += 1
        if not line.strip():
            pos = end + 1  # HTML made each field a paragraph of its own
            continue
        m = _FIELD.fullmatch(line)
        if m is None:
            break
        fields.setdefault(m.group(1).lower(), _ESCAPED.sub(r"\1", m.group(2)))
        pos = end + 1
    if "from" not in fields or not ({"subject", "date", "sent"} & set(fields)):
        return None
    return fields, min(pos, n)


def _date(value: str) -> dt.date | None:
    if not value:
        return None
    found = read_dateline(value.replace(" at ", " "))
    if found is not None and found.date is not None:
        return found.date
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _sender(value: str) -> str | None:
    """The sender's name ("Iraq Watch <news@...>", "Iraq Watch [mailto:news@...]"), else
    their address."""
    value = value.strip()
    if not value:
        return None
    named = _MAILTO.sub(" ", value).strip().strip("\"'")
    if named and "@" not in named:
        return " ".join(named.split())
    name, address = email.utils.parseaddr(value)
    return name.strip().strip("\"'") or address or None
