"""Outlook messages (.msg): what Outlook writes when a message is dragged out or "Saved As".

A .msg file is an OLE compound file (read with olefile) holding the message's MAPI properties
(Microsoft's [MS-OXMSG]): its subject, sender, times, plain and HTML bodies, and each
attachment in a storage of its own, a forwarded message as a message storage inside it. The
reader turns them into the MIME message they stand for and reads that as the email reader
reads an .eml: one source of briefs, the same title, date, source, text and comment rules,
attachments and forwarded messages as briefs of their own. When the message kept its
internet headers (mail received from outside), its Date, From and List-Id are taken from them.

A message with neither a plain nor an HTML body (only Outlook's compressed RTF) gives its RTF
body, decompressed ([MS-OXRTFCP]) and read by the RTF reader.

A file that is no compound file, or a damaged one, is refused with a reason; a part that
cannot be read is a warning. Forwarded messages nest at most ``mail.MAX_FORWARDED_DEPTH``
levels, and the file at most ``mail.MAX_MESSAGE`` bytes.
"""

from __future__ import annotations

import datetime as dt
import email.header
import email.message
import email.parser
import email.policy
import email.utils
import logging
import struct
from pathlib import Path
from typing import Any

from briefreader.core.brief import Brief, BriefError
from briefreader.core.parse import decode
from briefreader.core.readers import mail
from briefreader.core.readers.common import codec_of, compound_file, too_large

log = logging.getLogger(__name__)

# Property ids ([MS-OXPROPS]).
_SUBJECT = 0x0037
_CLIENT_SUBMIT_TIME = 0x0039
_SENT_REPRESENTING_NAME = 0x0042
_TRANSPORT_HEADERS = 0x007D
_SENDER_NAME = 0x0C1A
_SENDER_ADDRESS = 0x0C1F
_DELIVERY_TIME = 0x0E06
_BODY = 0x1000
_RTF_COMPRESSED = 0x1009
_HTML = 0x1013
_MESSAGE_ID = 0x1035
_CREATION_TIME = 0x3007
_ATTACH_DATA = 0x3701
_ATTACH_FILENAME = 0x3704
_ATTACH_METHOD = 0x3705
_ATTACH_LONG_FILENAME = 0x3707
_DISPLAY_NAME = 0x3001
_INTERNET_CODEPAGE = 0x3FDE
_MESSAGE_CODEPAGE = 0x3FFD
_SENDER_SMTP = 0x5D01

_UNICODE, _STRING8, _BINARY, _OBJECT = "001F", "001E", "0102", "000D"
_PT_LONG, _PT_SYSTIME = 0x0003, 0x0040
_EMBEDDED_MESSAGE = 5  # an attachment's method: a message inside this one
_ATTACHMENT_PREFIX = "__attach_version1.0_#"
_PROPERTIES = "__properties_version1.0"
#: The properties stream's header: the message's own, a forwarded message's, an attachment's.
_HEADER_TOP, _HEADER_EMBEDDED, _HEADER_ATTACHMENT = 32, 24, 8
#: Attachments of one message read at most (a hostile file may list thousands).
MAX_ATTACHMENTS = 500


def read_msg(
    source: Path | bytes,
    *,
    file_id: str,
    path: Path,
    attachments: mail.AttachmentReader,
    warnings: list[str],
    base: str | None = None,
    parent: str | None = None,
) -> list[Brief]:
    """The briefs of one .msg file, or of a .msg attachment's bytes (``base`` its brief id,
    ``parent`` the message it came attached to), as :func:`mail.read_eml` gives them."""
    if isinstance(source, Path):
        try:
            with source.open("rb") as handle:
                data = handle.read(mail.MAX_MESSAGE + 1)
        except OSError as exc:
            raise BriefError(path, f"cannot read the file ({exc.strerror or exc})") from None
    else:
        data = source
    if len(data) > mail.MAX_MESSAGE:
        raise BriefError(path, too_large("Outlook message", len(data), mail.MAX_MESSAGE))
    message = to_email(data, path, warnings)
    return mail.read_eml(
        message.as_bytes(),
        file_id=file_id,
        path=path,
        attachments=attachments,
        warnings=warnings,
        base=base,
        parent=parent,
    )


def to_email(data: bytes, path: Path, warnings: list[str]) -> email.message.EmailMessage:
    """The MIME message an Outlook message's properties stand for."""
    kind, damaged = "an Outlook message (.msg)", "damaged Outlook message"
    with compound_file(data, path, kind, damaged) as ole:
        if not ole.exists(_PROPERTIES):
            raise BriefError(path, "not an Outlook message (.msg): no message properties in it")
        return _Storage(ole, [], _HEADER_TOP, warnings).message(0)


class _Storage:
    """One storage of a .msg: the message itself, an attachment, or a forwarded message."""

    def __init__(self, ole: Any, where: list[str], header: int, warnings: list[str]) -> None:
        self.ole = ole
        self.where = where
        self.warnings = warnings
        self.fixed = self._fixed(header)
        # 8-bit string properties are in the message's code page; the HTML body in the
        # internet code page it was sent in. Each stands in for the other when missing.
        message, internet = self.fixed.get(_MESSAGE_CODEPAGE), self.fixed.get(_INTERNET_CODEPAGE)
        self.codec = codec_of(message) or codec_of(internet) or "cp1252"
        self.html_codec = codec_of(internet) or self.codec

    def _fixed(self, header: int) -> dict[int, int]:
        """The properties kept in the properties stream (numbers and times), by id."""
        name = [*self.where, _PROPERTIES]
        if not self.ole.exists("/".join(name)):
            return {}
        raw = self.ole.openstream(name).read()
        out: dict[int, int] = {}
        for at in range(header, len(raw) - 15, 16):
            tag, _flags, value = struct.unpack_from("<IIQ", raw, at)
            kind = tag & 0xFFFF
            if kind == _PT_LONG:
                out[tag >> 16] = value & 0xFFFFFFFF
            elif kind == _PT_SYSTIME:
                out[tag >> 16] = value
        return out

    def _stream(self, name: str) -> bytes | None:
        path = [*self.where, name]
        if not self.ole.exists("/".join(path)):
            return None
        return bytes(self.ole.openstream(path).read())

    def text(self, prop: int) -> str:
        """A string property, from its Unicode stream or else its code page's one."""
        raw = self._stream(f"__substg1.0_{prop:04X}{_UNICODE}")
        if raw is not None:
            return raw.decode("utf-16-le", "replace").split("\x00", 1)[0]
        raw = self._stream(f"__substg1.0_{prop:04X}{_STRING8}")
        if raw is not None:
            return raw.decode(self.codec, "replace").split("\x00", 1)[0]
        return ""

    def binary(self, prop: int) -> bytes | None:
        return self._stream(f"__substg1.0_{prop:04X}{_BINARY}")

    def time(self, prop: int) -> dt.datetime | None:
        """A time property (a FILETIME: 100 ns steps since 1601, UTC)."""
        ticks = self.fixed.get(prop)
        if not ticks:
            return None
        try:
            return dt.datetime(1601, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=ticks // 10)
        except OverflowError:
            return None

    # ----------------------------------------------------------------------------------------

    def message(self, depth: int) -> email.message.EmailMessage:
        """This storage's message, with its attachments and forwarded messages."""
        msg = email.message.EmailMessage(policy=email.policy.default)
        sent = _internet_headers(self.text(_TRANSPORT_HEADERS))
        subject = self.text(_SUBJECT)
        _set(msg, "Subject", subject or sent.get("Subject", ""))
        _set(msg, "From", sent.get("From") or self._sender())
        when = (
            self.time(_CLIENT_SUBMIT_TIME) or self.time(_DELIVERY_TIME) or self.time(_CREATION_TIME)
        )
        _set(msg, "Date", email.utils.format_datetime(when) if when else sent.get("Date", ""))
        _set(msg, "List-Id", sent.get("List-Id", ""))
        _set(msg, "Message-ID", self.text(_MESSAGE_ID) or sent.get("Message-ID", ""))
        plain = self.text(_BODY)
        html = self._html()
        if not plain and not html:
            plain = self._rtf_text()
        if plain and html:
            msg.set_content(plain)
            msg.add_alternative(html, subtype="html")
        elif html:
            msg.set_content(html, subtype="html")
        else:
            msg.set_content(plain)
        self._attach(msg, depth)
        return msg

    def _sender(self) -> str:
        name = self.text(_SENDER_NAME) or self.text(_SENT_REPRESENTING_NAME)
        address = self.text(_SENDER_SMTP)
        if "@" not in address:
            fallback = self.text(_SENDER_ADDRESS)  # an Exchange name ("/O=...") is no address
            address = fallback if "@" in fallback else ""
        if not (name or address):
            return ""
        return email.utils.formataddr((" ".join(name.split()), address.strip()))

    def _html(self) -> str:
        raw = self.binary(_HTML)
        if raw is None:
            return self.text(_HTML)
        try:
            return raw.decode(self.html_codec)
        except UnicodeDecodeError:
            text, _encoding, _notes = decode(raw)
            return text

    def _rtf_text(self) -> str:
        """The text of Outlook's compressed RTF body, when it is the only body."""
        raw = self.binary(_RTF_COMPRESSED)
        if not raw:
            return ""
        from briefreader.core.readers.rtf import decompress_rtf, extract_rtf

        try:
            rtf = decompress_rtf(raw)
            return extract_rtf(rtf, Path("body.rtf")).text
        except (BriefError, ValueError, struct.error) as exc:
            self.warnings.append(f"the message's rich-text body could not be read ({exc})")
            return ""

    def _attach(self, msg: email.message.EmailMessage, depth: int) -> None:
        names = sorted(
            {
                entry[len(self.where)]
                for entry in self.ole.listdir(streams=True, storages=True)
                if len(entry) > len(self.where)
                and entry[: len(self.where)] == self.where
                and entry[len(self.where)].startswith(_ATTACHMENT_PREFIX)
            }
        )
        if len(names) > MAX_ATTACHMENTS:
            self.warnings.append(
                f"{len(names)} attachments: only the first {MAX_ATTACHMENTS} are read"
            )
        for storage in names[:MAX_ATTACHMENTS]:
            part = _Storage(self.ole, [*self.where, storage], _HEADER_ATTACHMENT, self.warnings)
            filename = (
                part.text(_ATTACH_LONG_FILENAME)
                or part.text(_ATTACH_FILENAME)
                or part.text(_DISPLAY_NAME)
            )
            filename = " ".join(filename.split())
            inner = [*part.where, f"__substg1.0_{_ATTACH_DATA:04X}{_OBJECT}"]
            if part.fixed.get(_ATTACH_METHOD) == _EMBEDDED_MESSAGE or self.ole.exists(
                "/".join(inner)
            ):
                if depth + 1 >= mail.MAX_FORWARDED_DEPTH:
                    self.warnings.append(
                        f"forwarded message {filename!r}: forwarded messages nested over "
                        f"{mail.MAX_FORWARDED_DEPTH} deep, not read"
                    )
                    continue
                if not self.ole.exists("/".join(inner)):
                    continue
                forwarded = _Storage(self.ole, inner, _HEADER_EMBEDDED, self.warnings)
                msg.add_attachment(forwarded.message(depth + 1))  # named by its subject
                continue
            data = part.binary(_ATTACH_DATA)
            if data is None or not filename:
                continue
            msg.add_attachment(
                data, maintype="application", subtype="octet-stream", filename=filename
            )


def _set(msg: email.message.EmailMessage, name: str, value: str) -> None:
    """A header set from a property's text: one line (a line break would end the header)."""
    value = " ".join(value.split())
    if not value:
        return
    try:
        msg[name] = value
    except (ValueError, TypeError, IndexError):  # a value the email package refuses to write
        log.debug("header %s not set from %r", name, value[:80])


def _internet_headers(text: str) -> dict[str, str]:
    """Date, From, List-Id, Subject and Message-ID of the headers a received message kept."""
    if not text.strip():
        return {}
    parsed = email.parser.HeaderParser(policy=email.policy.compat32).parsestr(text)
    out: dict[str, str] = {}
    for name in ("Date", "From", "List-Id", "Subject", "Message-ID"):
        value = parsed.get(name)
        if value is not None:
            out[name] = str(email.header.make_header(email.header.decode_header(str(value))))
    return out
