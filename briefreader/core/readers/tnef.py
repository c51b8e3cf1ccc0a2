"""Outlook's rich-text wrapper (TNEF, the ``winmail.dat`` attachment): its body and attachments.

Exchange sends Outlook's rich-text mail to other mail programs as a plain part (often short or
empty) and a ``winmail.dat`` part holding the real message ([MS-OXTNEF]): a stream of
attributes, some of them MAPI property lists. What a brief needs is read from it: the HTML body
(``PidTagHtml``), else the compressed RTF body (decompressed, then read by the RTF reader's
rules by the caller), else the plain body; and each attachment's file name and bytes.

Every length is checked against what is left of the stream, so a damaged or hostile part is a
``ValueError`` (the caller's warning), never a read past its end; the work is linear in its size.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from briefreader.core.readers.common import codec_of

SIGNATURE = 0x223E9F78
_MESSAGE, _ATTACHMENT = 0x01, 0x02

# Attributes (type << 16 | id).
_ATT_BODY = 0x0002800C
_ATT_MAPI_PROPS = 0x00069003
_ATT_ATTACH_RENDDATA = 0x00069002
_ATT_ATTACH_TITLE = 0x00018010
_ATT_ATTACH_DATA = 0x0006800F
_ATT_ATTACHMENT = 0x00069005
_ATT_OEM_CODEPAGE = 0x00069007

# MAPI property ids and types.
_PR_BODY, _PR_RTF_COMPRESSED, _PR_HTML = 0x1000, 0x1009, 0x1013
_PR_ATTACH_DATA, _PR_ATTACH_LONG_FILENAME, _PR_ATTACH_FILENAME = 0x3701, 0x3707, 0x3704
_PR_INTERNET_CPID = 0x3FDE
_STRING8, _UNICODE, _BINARY, _OBJECT = 0x001E, 0x001F, 0x0102, 0x000D
_VARIABLE = {_STRING8, _UNICODE, _BINARY, _OBJECT}
_FIXED = {
    0x0001: 4,  # null
    0x0002: 4,  # short, padded
    0x0003: 4,  # long
    0x0004: 4,  # float
    0x0005: 8,  # double
    0x0006: 8,  # currency
    0x0007: 8,  # application time
    0x000A: 4,  # error
    0x000B: 4,  # boolean, padded
    0x0014: 8,  # 64-bit integer
    0x0040: 8,  # time
    0x0048: 16,  # class id
}
_MULTIPLE = 0x1000
#: Values one property may hold, and properties one list, at most.
_MAX_COUNT = 100_000


@dataclass
class Tnef:
    """What a TNEF stream holds for a brief."""

    html: bytes | None = None
    rtf: bytes | None = None
    body: str = ""
    codepage: int | None = None
    attachments: list[tuple[str, bytes]] = field(default_factory=list)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def take(self, size: int) -> bytes:
        if size < 0 or self.at + size > len(self.data):
            raise ValueError("TNEF stream cut short")
        chunk = self.data[self.at : self.at + size]
        self.at += size
        return chunk

    def u16(self) -> int:
        return int(struct.unpack("<H", self.take(2))[0])

    def u32(self) -> int:
        return int(struct.unpack("<I", self.take(4))[0])


def read_tnef(data: bytes) -> Tnef:
    """The bodies and attachments of a TNEF stream; ValueError when it is none or damaged."""
    stream = _Reader(data)
    if stream.u32() != SIGNATURE:
        raise ValueError("not a TNEF stream")
    stream.u16()  # the legacy key
    out = Tnef()
    oem: int | None = None  # the code page of the 8-bit attributes
    body: bytes | None = None
    attachment: dict[str, object] | None = None
    attachments: list[dict[str, object]] = []
    while stream.at < len(data):
        level = stream.take(1)[0]
        attribute = stream.u32()
        value = stream.take(stream.u32())
        stream.u16()  # the checksum: not checked (a wrong one still has the data)
        if level == _MESSAGE:
            if attribute == _ATT_BODY:
                body = value.split(b"\0", 1)[0]
            elif attribute == _ATT_OEM_CODEPAGE and len(value) >= 4:
                oem = int(struct.unpack_from("<I", value)[0])
            elif attribute == _ATT_MAPI_PROPS:
                props = _properties(value)
                html = props.get(_PR_HTML)
                out.html = html if isinstance(html, bytes) else out.html
                rtf = props.get(_PR_RTF_COMPRESSED)
                out.rtf = rtf if isinstance(rtf, bytes) else out.rtf
                plain = props.get(_PR_BODY)
                if isinstance(plain, bytes):
                    out.body = text_of(plain, codec_of(oem) or "cp1252")
                cpid = props.get(_PR_INTERNET_CPID)
                out.codepage = cpid if isinstance(cpid, int) else out.codepage
        elif level == _ATTACHMENT:
            if attribute == _ATT_ATTACH_RENDDATA or attachment is None:
                attachment = {}
                attachments.append(attachment)
            if attribute == _ATT_ATTACH_TITLE:
                attachment["title"] = value.split(b"\0", 1)[0].decode("cp1252", "replace")
            elif attribute == _ATT_ATTACH_DATA:
                attachment["data"] = value
            elif attribute == _ATT_ATTACHMENT:
                props = _properties(value)
                for prop in (_PR_ATTACH_LONG_FILENAME, _PR_ATTACH_FILENAME):
                    name = props.get(prop)
                    if isinstance(name, bytes) and "long" not in attachment:
                        attachment["long"] = text_of(name, "cp1252")
                blob = props.get(_PR_ATTACH_DATA)
                if isinstance(blob, bytes) and "data" not in attachment:
                    attachment["data"] = blob
    if body is not None and not out.body:
        out.body = body.decode(codec_of(oem) or "cp1252", "replace")
    out.codepage = out.codepage or oem
    for item in attachments:
        title, content = item.get("long") or item.get("title"), item.get("data")
        if isinstance(title, str) and isinstance(content, bytes) and title.strip():
            out.attachments.append((title.strip(), content))
    return out


def _properties(value: bytes) -> dict[int, bytes | int]:
    """A MAPI property list's values by property id: strings and binaries as bytes (a
    Unicode string as UTF-8 behind :data:`_UTF8_MARK`, an 8-bit one as it is: decode them
    with :func:`text_of`), longs as ints. Read until its end, or until a type whose size is
    unknown (what follows cannot be told apart)."""
    stream = _Reader(value)
    out: dict[int, bytes | int] = {}
    count = stream.u32()
    if count > _MAX_COUNT:
        raise ValueError("TNEF property list too long")
    for _ in range(count):
        kind, prop = stream.u16(), stream.u16()
        if prop >= 0x8000:  # a named property: its name, then its value
            stream.take(16)
            if stream.u32() == 0:
                stream.take(4)
            else:
                size = stream.u32()
                stream.take(size + (-size) % 4)
        base = kind & ~_MULTIPLE
        if base in _VARIABLE:
            values = stream.u32()
            if values > _MAX_COUNT:
                raise ValueError("TNEF property with too many values")
            first: bytes | None = None
            for _n in range(values):
                size = stream.u32()
                raw = stream.take(size)
                stream.take((-size) % 4)
                if first is None:
                    first = raw
            if first is None:
                continue
            if base == _OBJECT:
                first = first[16:]  # the interface's id, then the object's bytes
            elif base == _UNICODE:
                first = first.decode("utf-16-le", "replace").split("\0", 1)[0].encode("utf-8")
                first = _UTF8_MARK + first
            elif base == _STRING8:
                first = first.split(b"\0", 1)[0]
            out[prop] = first
        elif base in _FIXED:
            values = stream.u32() if kind & _MULTIPLE else 1
            if values > _MAX_COUNT:
                raise ValueError("TNEF property with too many values")
            raw = stream.take(_FIXED[base] * values)
            if base == 0x0003 and values == 1:
                out[prop] = int(struct.unpack_from("<I", raw)[0])
        else:
            break  # a type of unknown size: the rest cannot be told apart
    return out


#: Put before a Unicode string property's UTF-8 bytes, so that a caller decodes it as UTF-8
#: (an 8-bit one is in the message's code page).
_UTF8_MARK = b"\xef\xbb\xbf"


def text_of(value: bytes, codepage: str) -> str:
    """A string property's bytes as text: UTF-8 when marked so, else in ``codepage``."""
    if value.startswith(_UTF8_MARK):
        return value[len(_UTF8_MARK) :].decode("utf-8", "replace")
    return value.decode(codepage, "replace")
