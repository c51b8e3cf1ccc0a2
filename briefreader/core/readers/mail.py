"""Emails (.eml, .emlx) and mailboxes (.mbox): each message a source of briefs, attachments too.

A message's brief: the Subject as title, the Date header's day as date, the List-Id's name (a
newsletter) or else the sender's name as source, and as text the HTML part's main text (the web
page reader's) or else the plain part. A newsletter holding several items is split like any
digest. Attachments in a format briefreader reads become briefs of their own, ``parent`` naming
the message's (first) brief.

Ids (``file`` is the file's id): an .eml's message is ``file``, its items ``file#1``, ``file#2``;
an mbox's k-th message (1-based, in file order, so appending keeps earlier ids) is ``file#k``,
its items ``file#k/1``...; an attachment is ``file#k/name.pdf`` (``file#name.pdf`` in an
.eml), ``name`` made safe and numbered ``name~2.pdf`` if two share it, its items
``file#k/name.pdf/1``... An Apple Mail message (.emlx) is read as an .eml. A message
forwarded as an attachment (a ``message/rfc822`` part) is read as a message of its own, named
by its file name or else its Subject (``file#Subject.eml``), its own attachments its children;
forwarded messages within it are read up to :data:`MAX_FORWARDED_DEPTH` levels deep. A
message whose text is encrypted, or wrapped in Outlook's winmail.dat, gives a warning saying so.

A mailbox is read as a stream, one message at a time: a From_ line after a blank line (or at the
start) begins a message. Malformed MIME never stops the reading: the email package's defects
become warnings, and a message that cannot be read at all is a warning, the rest still read.
Messages are read with the email package's ``default`` policy, its MIME headers parsed once
(:data:`POLICY`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.errors
import email.message
import email.policy
import email.utils
import functools
import logging
import re
import struct
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from briefreader.core import formats
from briefreader.core.brief import Brief, BriefError
from briefreader.core.digest import child_id
from briefreader.core.parse import SINGLE_BYTE_NAMES, decode, single_byte_encoding
from briefreader.core.readers import tnef
from briefreader.core.readers.common import (
    Extracted,
    Progress,
    briefs_from_text,
    clean_text,
    codec_of,
)
from briefreader.core.readers.forwarded import take_forwarded, without_prefix

log = logging.getLogger(__name__)

FORMAT = "email"
SUFFIXES = formats.SUFFIXES_BY_FORMAT[FORMAT]
MAX_MESSAGE = 50 << 20  # bytes of one message, attachments included
_HEADER_ERRORS = (ValueError, IndexError, AttributeError, TypeError, LookupError, UnicodeError)
_UNSAFE = re.compile(r"[\x00-\x1f/\\#?*:|\"<>]+")
_SHARED_MAX = 500  # characters of a MIME header's value worth keeping parsed


class _Policy(email.policy.EmailPolicy):
    """``email.policy.default``, but a MIME header (Content-Type and the like) is parsed once.

    The email package parses a header into an object each time it is asked for it, and while
    it walks a message (parts, bodies, charsets, file names) it asks for each part's
    Content-Type a dozen times: a third of reading an email was parsing the same few values
    over and over. Header objects never change, so equal (name, value) pairs share one.
    """

    def header_fetch_parse(self, name: str, value: str) -> str:
        if type(value) is str and len(value) <= _SHARED_MAX and _is_mime(name):
            return _shared_header(name, value)
        return super().header_fetch_parse(name, value)


POLICY: email.policy.EmailPolicy = _Policy()
"""How messages are read: ``email.policy.default``, with each MIME header value parsed once."""


def _is_mime(name: str) -> bool:
    return name[:8].lower() == "content-"


@functools.lru_cache(maxsize=256)
def _shared_header(name: str, value: str) -> str:
    return email.policy.EmailPolicy.header_fetch_parse(POLICY, name, value)


# Reads an attachment: (data, suffix, brief id, file id, path, parent) -> its briefs ([] for a
# format that is no document, such as a picture); BriefError for one that cannot be read.
AttachmentReader = Callable[[bytes, str, str, str, Path, str | None], list[Brief]]


class AttachmentNames:
    """Attachments' file names made parts of ids: safe (:func:`safe_name`), and numbered when
    two share one, whatever their case (``name~2.pdf``)."""

    def __init__(self) -> None:
        self._used: dict[str, int] = {}

    def __call__(self, filename: str) -> str:
        name = safe_name(filename)
        count = self._used[name.casefold()] = self._used.get(name.casefold(), 0) + 1
        if count > 1:
            stem, dot, suffix = name.rpartition(".")
            name = f"{stem}~{count}.{suffix}" if dot else f"{name}~{count}"
        return name


def read_attached(
    files: list[tuple[str, bytes]],
    base: str,
    first: str,
    file_id: str,
    path: Path,
    attachments: AttachmentReader,
    warnings: list[str],
    where: str = "",
    *,
    names: AttachmentNames | None = None,
) -> list[Brief]:
    """The briefs of the files attached to a message or a document (``base`` its brief id,
    ``first`` its first brief's, their parent), each read by ``attachments``; one that cannot
    be read is a warning."""
    names = AttachmentNames() if names is None else names
    briefs: list[Brief] = []
    for filename, payload in files:
        name = names(filename)
        try:
            suffix = Path(filename).suffix.lower()
            briefs += attachments(payload, suffix, child_id(base, name), file_id, path, first)
        except BriefError as exc:
            warnings.append(f"{where}attachment {filename!r}: {exc.reason}")
    return briefs


def safe_name(filename: str) -> str:
    """An attachment's file name as a part of an id: no slashes, '#' or control characters."""
    name = PurePosixPath(filename.replace("\\", "/")).name
    name = _UNSAFE.sub("_", " ".join(name.split())).strip(" ._") or "attachment"
    if len(name) > 80:
        stem, dot, suffix = name.rpartition(".")
        name = (
            (stem[: 80 - len(suffix) - 1] + dot + suffix) if dot and len(suffix) < 10 else name[:80]
        )
    return name


def _why(exc: BaseException) -> str:
    """Why a message could not be read, in a word or two."""
    return (
        "its parts are nested too deeply" if isinstance(exc, RecursionError) else type(exc).__name__
    )


def read_eml(
    source: Path | bytes,
    *,
    file_id: str,
    path: Path,
    attachments: AttachmentReader,
    warnings: list[str],
    base: str | None = None,
    parent: str | None = None,
) -> list[Brief]:
    """The briefs of one .eml file, or of a message's bytes (``base`` its brief id, ``parent``
    the message it came attached to)."""
    if isinstance(source, Path):
        try:
            with source.open("rb") as handle:
                data = handle.read(MAX_MESSAGE + 1)
        except OSError as exc:
            raise BriefError(path, f"cannot read the file ({exc.strerror or exc})") from None
    else:
        data = source
    if len(data) > MAX_MESSAGE:
        raise BriefError(path, f"email too large (over {MAX_MESSAGE >> 20} MB)")
    data = _unframed(data)
    where = f"{base}: " if base else ""
    base = base or file_id
    before = len(warnings)
    briefs = _message_briefs(data, base, file_id, path, attachments, warnings, where, parent)
    if not briefs:
        said = [w for w in warnings[before:] if "malformed email, not read" in w]
        raise BriefError(path, said[-1] if said else "an email with no text")
    return briefs


#: Apple Mail's .emlx: the message's length in bytes on a line of its own, the message, then
#: Mail's own properties (an XML property list).
_EMLX_LENGTH = re.compile(rb"[ \t]*(\d{1,12})[ \t]*\r?\n(?=[!-9;-~]+:)")


def _unframed(data: bytes) -> bytes:
    """The message inside Apple Mail's .emlx framing (a line of digits alone, then a header
    line: no message opens so), else ``data`` as it is."""
    m = _EMLX_LENGTH.match(data)
    if m is None:
        return data
    return data[m.end() : m.end() + int(m.group(1))]


def read_mbox(
    source: Path,
    *,
    file_id: str,
    path: Path,
    attachments: AttachmentReader,
    warnings: list[str],
    progress: Progress | None = None,
    sink: Callable[[list[Brief]], None] | None = None,
) -> list[Brief]:
    """The briefs of every message of an mbox, read as a stream. With ``sink``, each
    message's briefs are handed to it as they are read and none are kept (a mailbox of
    gigabytes then costs its largest message's memory): [] is returned."""
    try:
        total = source.stat().st_size
        with source.open("rb") as handle:
            return read_mbox_stream(
                handle,
                None,
                total,
                file_id=file_id,
                path=path,
                attachments=attachments,
                warnings=warnings,
                progress=progress,
                sink=sink,
            )
    except OSError as exc:
        raise BriefError(path, f"cannot read the file ({exc.strerror or exc})") from None


def read_mbox_stream(
    handle: BinaryIO,
    position: Callable[[], int] | None,
    total: int,
    *,
    file_id: str,
    path: Path,
    attachments: AttachmentReader,
    warnings: list[str],
    progress: Progress | None = None,
    sink: Callable[[list[Brief]], None] | None = None,
) -> list[Brief]:
    """:func:`read_mbox` of a stream (an uncompressed gzip file's): ``progress`` is told
    ``position()`` of ``total`` (the compressed bytes read), or else the bytes read."""
    briefs: list[Brief] = []
    sunk = 0
    for number, data, done in split_mbox(handle):
        if progress is not None:
            progress(position() if position is not None else done, total)
        where = f"message {number}: "
        if data is None:
            warnings.append(f"{where}too large (over {MAX_MESSAGE >> 20} MB); not read")
            continue
        base = child_id(file_id, number)
        got = _message_briefs(data, base, file_id, path, attachments, warnings, where)
        if sink is None:
            briefs += got
        elif got:
            sink(got)
            sunk += len(got)
    if not briefs and not sunk:
        raise BriefError(path, "no message with text in the mailbox")
    return briefs


#: What a mailbox's separator line carries after "From " and its sender: the date of
#: delivery, as ctime writes it ("Tue Mar 12 09:30:00 2019", "Mon Mar 04 12:00:00 +0000
#: 2019") or as a Date header does ("Tue, 12 Mar 2019 09:30:00").
_MONTH = rb"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_FROM_LINE_DATE = re.compile(
    rb"\b" + _MONTH + rb" +\d{1,2} +\d{1,2}:\d\d|\b\d{1,2} +" + _MONTH + rb" +\d{4} +\d{1,2}:\d\d"
)
#: A header field's first line: a name of printable ASCII but the colon, then a colon.
_HEADER_LINE = re.compile(rb"[!-9;-~]+:")


def _separates(line: bytes, following: Callable[[], bytes]) -> bool:
    """Whether a "From " line after a blank line opens the next message: it carries a
    delivery date and the line after it is a header field. Mailing lists' archives
    (Mailman's) leave a body's own "From the start of..." unquoted: it stays in its message.
    ``following`` reads the next line (asked only when the date is there)."""
    return (
        _FROM_LINE_DATE.search(line, 5, 200) is not None
        and _HEADER_LINE.match(following()) is not None
    )


def split_mbox(handle: BinaryIO) -> Iterator[tuple[int, bytes | None, int]]:
    """(message number, its bytes or None if over MAX_MESSAGE, bytes read so far), streamed."""
    number = 0
    lines: list[bytes] = []
    size = 0
    oversized = False
    previous_blank = True
    done = 0
    started = False
    ahead: list[bytes] = []  # a line read to judge a "From " line, not yet taken

    def following() -> bytes:
        if not ahead:
            ahead.append(handle.readline(1 << 20))
        return ahead[0]

    while True:
        line = ahead.pop() if ahead else handle.readline(1 << 20)
        if not line:
            break
        done += len(line)
        if (
            line.startswith(b"From ")
            and previous_blank
            and (not started or _separates(line, following))
        ):
            if started:
                number += 1
                yield number, None if oversized else _join(lines), done - len(line)
            started, lines, size, oversized = True, [], 0, False
            previous_blank = False
            continue
        previous_blank = line in (b"\n", b"\r\n")
        if not started:
            if line.strip():
                started = True  # a file that does not start with From_: read it as one message
            else:
                continue
        if oversized:
            continue
        size += len(line)
        if size > MAX_MESSAGE:
            oversized, lines = True, []
            continue
        if line.startswith(b">") and line.lstrip(b">").startswith(b"From "):
            line = line[1:]  # mboxrd quoting of a body line that began "From "
        lines.append(line)
    if started:
        number += 1
        yield number, None if oversized else _join(lines), done


def _join(lines: list[bytes]) -> bytes:
    data = b"".join(lines)
    return data[:-1] if data.endswith(b"\n\n") else data


# --------------------------------------------------------------------------------------------
# One message


def _header(msg: email.message.EmailMessage, name: str) -> str:
    try:
        value = msg.get(name)
        text = str(value) if value is not None else ""
    except _HEADER_ERRORS:
        raw = msg.get_all(name, failobj=[])
        text = str(raw[0]) if raw else ""
    if "\ufffd" in text:
        text = _eight_bit_header(msg, name) or text
    return " ".join(text.split())


def _eight_bit_header(msg: email.message.Message, name: str) -> str | None:
    """A header written in raw 8-bit bytes, not in RFC 2047's encoded words (old mailers
    write a Subject so, in the body's code page): decoded as UTF-8, else in the charset the
    message declares, else in the code page its letters tell. None when it holds no such
    bytes."""
    wanted = name.lower()
    raw = next((v for k, v in msg.raw_items() if k.lower() == wanted), None)
    if not isinstance(raw, str):
        return None
    try:
        data = raw.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return None
    if data.isascii():
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    with contextlib.suppress(*_HEADER_ERRORS):
        charset = msg.get_content_charset() or ""
        if charset:
            return data.decode(_CHARSETS.get(charset, charset))
    encoding = single_byte_encoding(data)
    return data.decode(encoding, "replace")


def _message_briefs(
    data: bytes,
    base: str,
    file_id: str,
    path: Path,
    attachments: AttachmentReader,
    warnings: list[str],
    where: str,
    parent: str | None = None,
    *,
    msg: email.message.Message | None = None,
    depth: int = 0,
) -> list[Brief]:
    """The briefs of one message (``data``, or ``msg`` already parsed: a message forwarded
    as an attachment, ``depth`` levels inside the one in the file)."""
    try:
        if msg is None:
            msg = email.message_from_bytes(data, policy=POLICY)
        assert isinstance(msg, email.message.EmailMessage)
        defects = {type(d).__name__ for part in _parts(msg) for d in part.defects}
    except (email.errors.MessageError, *_HEADER_ERRORS, RecursionError) as exc:
        warnings.append(f"{where}malformed email, not read ({_why(exc)})")
        return []
    if defects:
        warnings.append(
            f"{where}malformed email ({', '.join(sorted(defects))}); read as well as possible"
        )
    try:
        extracted, files, forwarded, plain = _content(msg, path, where, warnings)
    except (email.errors.MessageError, *_HEADER_ERRORS, RecursionError) as exc:
        warnings.append(f"{where}malformed email, not read ({_why(exc)})")
        return []
    subject = _header(msg, "Subject")
    extracted.title = without_list_tag(without_prefix(subject), msg) or None
    extracted.date = _date(_header(msg, "Date"))
    extracted.source = _source(msg)
    take_forwarded(extracted, plain)
    names = [name for name, _data in files] + [name for name, _part in forwarded]
    if not extracted.text.strip():
        if not files and not subject:
            warnings.append(f"{where}no text; not read")
            return []
        listed = f"attachments: {', '.join(names)}" if names else "no text"
        extracted.text = f"{subject or '(no subject)'}\n\n({listed})\n"
    try:
        briefs = briefs_from_text(
            extracted,
            brief_id=base,
            file_id=file_id,
            path=path,
            fmt=FORMAT,
            parent=parent,
            prefer_title=True,
        )
    except BriefError as exc:
        warnings.append(f"{where}{exc.reason}")
        return []
    first = briefs[0].id
    unique = AttachmentNames()
    briefs += read_attached(
        files, base, first, file_id, path, attachments, warnings, where, names=unique
    )
    for filename, part in forwarded:
        inner = part.get_payload(0) if part.is_multipart() else None
        if not isinstance(inner, email.message.EmailMessage):
            warnings.append(f"{where}forwarded message {filename!r}: empty or damaged, not read")
            continue
        if depth >= MAX_FORWARDED_DEPTH:
            warnings.append(
                f"{where}forwarded message {filename!r}: forwarded messages nested over "
                f"{MAX_FORWARDED_DEPTH} deep, not read"
            )
            continue
        inner_id = child_id(base, unique(filename))
        briefs += _message_briefs(
            b"", inner_id, file_id, path, attachments, warnings, f"{inner_id}: ", first,
            msg=inner, depth=depth + 1,
        )  # fmt: skip
    return briefs


#: Content types of a message forwarded as an attachment (read as a message of its own).
_FORWARDED = frozenset({"message/rfc822"})
#: Messages forwarded inside forwarded messages are read this many levels deep.
MAX_FORWARDED_DEPTH = 8
#: Parts that hold a message's text in a form not read, and why (an email's warning).
_TNEF = "Outlook's rich-text wrapper (winmail.dat) is damaged: its text and attachments not read"
_TNEF_TYPES = frozenset({"application/ms-tnef", "application/vnd.ms-tnef"})
_PGP = "an encrypted message (PGP/MIME): its text cannot be read"
_UNREADABLE = {
    "multipart/encrypted": _PGP,
    "application/pgp-encrypted": _PGP,
}
_SMIME = frozenset({"application/pkcs7-mime", "application/x-pkcs7-mime"})


def _smime_why(smime_type: str) -> str:
    if smime_type.strip().lower() == "signed-data":
        return "a signed message wrapped whole in its S/MIME signature: its text is not read"
    return "an encrypted message (S/MIME): its text cannot be read"


def _parts(msg: email.message.Message) -> Iterator[email.message.Message]:
    """Every part of ``msg`` in order, ``msg`` first and multipart parts too, not looking
    into a message forwarded as an attachment (that part itself is given): its parts are
    its own. No recursion, so no nesting is too deep to walk."""
    stack = [msg]
    while stack:
        part = stack.pop()
        yield part
        if part is not msg and part.get_content_type() in _FORWARDED:
            continue
        if part.is_multipart():
            inner = part.get_payload()
            if isinstance(inner, list):
                stack.extend(x for x in reversed(inner) if isinstance(x, email.message.Message))


def _forwarded_name(part: email.message.Message) -> str:
    """A forwarded message's name: its file name, else its Subject, as an .eml file."""
    name = part.get_filename() or ""
    if not name:
        inner = part.get_payload(0) if part.is_multipart() else None
        subject = _header(inner, "Subject") if isinstance(inner, email.message.EmailMessage) else ""
        name = " ".join(subject.split())[:60] or "forwarded message"
    return name if name.lower().endswith(".eml") else f"{name}.eml"


#: A part with no file name, of a document type read here: named by its type (some mailers
#: and scanners send a PDF so). Text and HTML parts without a name are the message's text.
_UNNAMED = {
    "application/pdf": "attachment.pdf",
    "application/msword": "attachment.doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "attachment.docx",
    "application/vnd.oasis.opendocument.text": "attachment.odt",
    "application/rtf": "attachment.rtf",
    "application/vnd.ms-outlook": "attachment.msg",
}


def _content(
    msg: email.message.EmailMessage, path: Path, where: str, warnings: list[str]
) -> tuple[Extracted, list[tuple[str, bytes]], list[tuple[str, email.message.Message]], str]:
    """The message's own text, its attachments (name, bytes) in a format we may read, the
    messages forwarded as attachments (name, part), and its plain part's text."""
    from briefreader.core.readers.webpage import extract_html

    files: list[tuple[str, bytes]] = []
    forwarded: list[tuple[str, email.message.Message]] = []
    unreadable: set[str] = set()
    wrapped: tnef.Tnef | None = None
    for part in _parts(msg):
        kind = part.get_content_type()
        if kind in _TNEF_TYPES or str(part.get_filename() or "").lower() == "winmail.dat":
            payload = part.get_payload(decode=True)
            try:
                inner = tnef.read_tnef(payload if isinstance(payload, bytes) else b"")
            except ValueError:
                warnings.append(f"{where}{_TNEF}")  # listed below as the file it is
            else:
                wrapped = wrapped or inner
                files += inner.attachments
                continue
        why = _UNREADABLE.get(kind)
        if why is None and kind in _SMIME:
            why = _smime_why(str(part.get_param("smime-type", "")))
        if why is not None and why not in unreadable:
            unreadable.add(why)
            warnings.append(f"{where}{why}")
        if kind in _FORWARDED and part is not msg:
            forwarded.append((_forwarded_name(part), part))
            continue
        if part.is_multipart():
            continue
        filename = part.get_filename() or _UNNAMED.get(kind)
        if not filename:
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            files.append((str(filename), payload))
    html = msg.get_body(preferencelist=("html",))
    plain = msg.get_body(preferencelist=("plain",))
    plain_text = ""
    if plain is not None and not plain.get_filename():
        plain_text = _part_text(plain, warnings, where)
    if wrapped is not None:
        # Outlook's real text is in its wrapper; the plain part beside it is often a stub.
        inside = _wrapped_text(wrapped, path, where, warnings)
        if len(inside.strip()) > len(plain_text.strip()):
            plain_text, html = inside, None
    if html is not None and not html.get_filename():
        html_text = _part_text(html, warnings, where)
        if html_text.strip():
            try:
                extracted = extract_html(html_text, path)
            except BriefError as exc:
                warnings.append(f"{where}HTML part: {exc.reason}")
            else:
                # A newsletter's main text can lose items the extractor took for boilerplate:
                # the plain part wins when it holds clearly more.
                if len(extracted.text) * 2 >= len(plain_text.strip()):
                    text = without_sign_off(without_footer(extracted.text))
                    extracted = Extracted(text=text, warnings=extracted.warnings)
                    return extracted, files, forwarded, plain_text
    plain_body = without_footer(clean_text(plain_text).strip()).rstrip()
    text = without_sign_off(plain_body) + "\n" if plain_body else ""
    return Extracted(text=text), files, forwarded, plain_text


#: A closing line of a letter ("Best regards,", "Thanks", "Sincerely") standing alone.
_VALEDICTION = re.compile(
    r"(?:(?:best|kind|warm|warmest|kindest|with)\s+)?(?:regards|wishes)"
    r"|(?:many\s+)?thanks(?:\s+and\s+(?:best\s+)?regards)?|thank\s+you|cheers|best"
    r"|(?:yours\s+)?(?:sincerely|faithfully|truly)|yours",
    re.IGNORECASE,
)
#: Lines a sign-off (the closing line, a name, a title, a phone number) has at most.
SIGN_OFF_LINES = 8


#: A newsletter's footer paragraph: how to unsubscribe, why it came, the sender's copyright.
_FOOTER = re.compile(
    r"unsubscribe|(?:update|manage)\s+(?:your\s+)?(?:e-?mail\s+)?(?:preferences|subscription)"
    r"|you\s+(?:are\s+)?receiv(?:ing|ed)\s+this\s+(?:e-?mail|message|newsletter|because)"
    r"|(?:this|the)\s+(?:e-?mail|newsletter|message)\s+was\s+sent\s+to"
    r"|view\s+(?:this\s+)?(?:e-?mail\s+|newsletter\s+)?in\s+(?:your\s+)?browser"
    r"|(?:copyright\s*(?:\u00a9|\(c\))?|\u00a9|\(c\))\s*\d{4}|all\s+rights\s+reserved",
    re.IGNORECASE,
)
#: Characters a footer paragraph has at most (a longer one is some item's text).
FOOTER_PARAGRAPH_MAX = 400
#: Paragraphs at a message's end looked at for a footer.
FOOTER_PARAGRAPHS = 6


def without_footer(text: str) -> str:
    """A newsletter's text without its footer: the last few short paragraphs, while each
    says how to unsubscribe, why the mail came or whose copyright it is (they would
    otherwise end the last item's comment)."""
    paragraphs = text.rstrip().split("\n\n")
    keep = len(paragraphs)
    while keep > 1 and len(paragraphs) - keep < FOOTER_PARAGRAPHS:
        last = paragraphs[keep - 1].strip()
        if last and (len(last) > FOOTER_PARAGRAPH_MAX or not _FOOTER.search(last)):
            break
        keep -= 1
    if keep == len(paragraphs):
        return text
    return "\n\n".join(paragraphs[:keep]).rstrip() + "\n"


def without_sign_off(text: str) -> str:
    """A message's text without its sign-off: from a closing line ("Best regards,") or the
    signature mark ("-- ") among its last lines, when only a few short lines follow it (a
    name, a unit, a telephone number), which would otherwise end the last brief's comment."""
    lines = text.rstrip().split("\n")
    filled = [i for i, line in enumerate(lines) if line.strip()][-SIGN_OFF_LINES:]
    for n, i in enumerate(filled):
        line = lines[i].strip().strip("*_").rstrip(",.!").strip()
        if lines[i].rstrip() == "--" or (len(line) <= 40 and _VALEDICTION.fullmatch(line)):
            after = filled[n + 1 :]
            if all(len(lines[j].strip()) <= 80 for j in after) and i > 0:
                kept = "\n".join(lines[:i]).rstrip()
                if kept:
                    return kept + "\n"
            break
    return text


def _wrapped_text(wrapped: tnef.Tnef, path: Path, where: str, warnings: list[str]) -> str:
    """The text of the body Outlook's wrapper holds: its HTML's main text, else its rich
    text's, else its plain text."""
    from briefreader.core.readers.rtf import decompress_rtf, extract_rtf
    from briefreader.core.readers.webpage import extract_html

    codec = codec_of(wrapped.codepage) or "cp1252"
    try:
        if wrapped.html:
            return extract_html(tnef.text_of(wrapped.html, codec), path).text
        if wrapped.rtf:
            return extract_rtf(decompress_rtf(wrapped.rtf), path).text
    except (BriefError, ValueError, struct.error) as exc:
        why = exc.reason if isinstance(exc, BriefError) else str(exc)
        warnings.append(f"{where}the body in Outlook's rich-text wrapper could not be read ({why})")
    return wrapped.body


def _part_text(part: email.message.Message, warnings: list[str], where: str) -> str:
    """A text part's text, in its declared charset. A part with 8-bit bytes and no charset,
    or whose bytes do not fit the one declared (a mailer that says "us-ascii" or "utf-8" of
    Windows-1256 text), is decoded as a text brief is, its code page told by its letters,
    with a warning: never silently turned into replacement characters."""
    try:
        payload = part.get_payload(decode=True)
        charset = part.get_content_charset()
    except (*_HEADER_ERRORS, email.errors.MessageError):
        return ""
    if not isinstance(payload, bytes):
        return ""
    if charset:
        try:
            return payload.decode(_CHARSETS.get(charset, charset))
        except LookupError:
            why = f"an unknown charset ({charset[:40]})"
        except UnicodeDecodeError:
            why = f"text not in its declared charset ({charset[:40]})"
    elif payload.isascii():
        return payload.decode("ascii")
    else:
        why = "8-bit text with no charset"
    try:
        text, encoding, _notes = decode(payload)
    except BriefError:  # looks binary: what can be read of it
        text, encoding = payload.decode("utf-8", "replace"), "utf-8"
    shown = _ENCODING_NAMES.get(encoding, encoding)
    warnings.append(f"{where}{part.get_content_type()} part: {why}; read as {shown}")
    return text


#: Charsets mailers declare that Python names otherwise, or that mean a wider one in
#: practice (as web browsers read them): ISO-8859-1 text holds Windows-1252's curly quotes,
#: GB2312 text GBK's characters.
_CHARSETS = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "iso-8859-9": "cp1254",
    "iso-8859-6-i": "iso-8859-6",
    "iso-8859-6-e": "iso-8859-6",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-8-e": "iso-8859-8",
    "windows-874": "cp874",
    "tis-620": "cp874",
    "x-mac-arabic": "mac-arabic",
    "x-sjis": "shift_jis",
    "windows-31j": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
}

_ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16-le": "UTF-16 (LE)",
    "utf-16-be": "UTF-16 (BE)",
    **SINGLE_BYTE_NAMES,
}


def _date(value: str) -> dt.date | None:
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (*_HEADER_ERRORS, OverflowError):
        return None


#: A mailing list's tag before a subject ("[iraq-watch] Talks in Erbil"), after any reply
#: prefixes ("Re: [iraq-watch] ..."): the tag and the space after it.
_LIST_TAG = re.compile(r"((?:[ \t]*(?:re|aw|sv)[ \t]*:)*[ \t]*)\[([^\[\]\n]{1,60})\][ \t]*", re.I)
_NOT_ALNUM = re.compile(r"[\W_]+")


def without_list_tag(subject: str, msg: email.message.EmailMessage) -> str:
    """A list message's subject without the tag its list puts before every subject: the
    tag that names the list of the List-Id header ("Iraq Watch <iraq-watch.example.org>"),
    or any leading tag of a message from a list's archive (Mailman's archiver writes its
    senders "analyst at example.org", never with an @). Any other bracket stays: a title's
    own "[Update]" is part of it."""
    m = _LIST_TAG.match(subject)
    if m is None or not subject[m.end() :].strip():
        return subject
    list_id = _header(msg, "List-Id")
    if list_id:
        tag = _NOT_ALNUM.sub("", m.group(2)).lower()
        name, address = email.utils.parseaddr(list_id)
        label = list_id.split("<", 1)[0]
        names = {name, label, address.split(".", 1)[0], address.split("@", 1)[0]}
        if tag not in {_NOT_ALNUM.sub("", n).lower() for n in names if n}:
            return subject
    else:
        sender = _header(msg, "From")
        if "@" in sender or " at " not in sender:
            return subject
    return m.group(1) + subject[m.end() :]


#: A From header's characters looked at for a name in a comment (parseaddr's cost grows
#: with the header).
_MAX_RAW_FROM = 1000


def _source(msg: email.message.EmailMessage) -> str | None:
    """A newsletter's list name, else the sender's name, else the sender's address (the From
    header, costly to parse, is read only when the List-Id gives nothing)."""
    list_id = _header(msg, "List-Id")
    if list_id:
        name, address = email.utils.parseaddr(list_id)
        name = name.strip().strip('"')
        if name:
            return name
        label = list_id.split("<", 1)[0].strip().strip('"')
        if label:
            return label
        if address:
            return address
    sender = _header(msg, "From")
    if sender:
        name, address = email.utils.parseaddr(sender)
        if not name.strip():
            # "analyst@example.org (Iraq Watch)": the sender's name in a comment, as old mail
            # and mailing lists' archives write it; the parsed header drops comments.
            raw = next((v for k, v in msg.raw_items() if k.lower() == "from"), None)
            if isinstance(raw, str) and "(" in raw:
                name = email.utils.parseaddr(" ".join(raw.split())[:_MAX_RAW_FROM])[0]
        return name.strip() or address or None
    return None
