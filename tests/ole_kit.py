"""Outlook messages (.msg) and old Word files (.doc) for the tests, written from the
specifications.

No tool on a CI machine writes .msg or .doc files (Outlook and Word do), so this one does, by
the book. A .msg is an OLE
compound file ([MS-CFB], version 3: 512-byte sectors, streams under 4,096 bytes in the mini
stream) holding a message's MAPI properties ([MS-OXMSG]): string properties as
``__substg1.0_IIIITTTT`` streams, numbers and times in ``__properties_version1.0``,
attachments in ``__attach_version1.0_#n`` storages, a forwarded message in an attachment's
``__substg1.0_3701000D`` storage. A .doc ([MS-DOC]) is a ``WordDocument`` stream opening
with its File Information Block, a ``1Table`` stream holding the piece table, and the summary
information ([MS-OLEPS]) with its title and date. The readers under test use olefile, written
by others, to read what this writes.
"""

from __future__ import annotations

import datetime as dt
import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

# --------------------------------------------------------------------------------------------
# The compound file

_SECTOR, _MINI, _CUTOFF = 512, 64, 4096
_FREE, _END, _FAT_SECTOR, _NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF

Tree = dict[str, "bytes | Tree"]


@dataclass
class _Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: list[int] = field(default_factory=list)
    left: int = _NONE
    right: int = _NONE
    child: int = _NONE
    start: int = _END
    size: int = 0


def compound_file(tree: Tree) -> bytes:
    """A compound file of ``tree``: a name to bytes is a stream, a name to a dict a storage."""
    entries = [_Entry("Root Entry", 5)]

    def add(parent: int, items: Tree) -> None:
        for name, value in items.items():
            index = len(entries)
            if isinstance(value, dict):
                entries.append(_Entry(name, 1))
                add(index, value)
            else:
                entries.append(_Entry(name, 2, bytes(value)))
            entries[parent].children.append(index)

    add(0, tree)
    for entry in entries:  # each storage's children as a balanced tree, in [MS-CFB]'s order
        order = sorted(
            entry.children, key=lambda i: (len(entries[i].name), entries[i].name.upper())
        )
        entry.child = _balance(entries, order)

    # The mini stream: every stream under the cutoff, in 64-byte mini sectors.
    mini = bytearray()
    minifat: list[int] = []
    for entry in entries:
        if entry.kind == 2 and len(entry.data) < _CUTOFF:
            entry.size = len(entry.data)
            if not entry.data:
                entry.start = _END
                continue
            count = -(-len(entry.data) // _MINI)
            entry.start = len(minifat)
            minifat += [len(minifat) + n + 1 for n in range(count - 1)] + [_END]
            mini += entry.data.ljust(count * _MINI, b"\0")

    # Regular sectors: big streams, the mini stream, the mini FAT, the directory, the FAT.
    sectors: list[bytes] = []
    fat: list[int] = []

    def place(data: bytes) -> int:
        count = max(1, -(-len(data) // _SECTOR))
        start = len(sectors)
        for n in range(count):
            sectors.append(data[n * _SECTOR : (n + 1) * _SECTOR].ljust(_SECTOR, b"\0"))
            fat.append(start + n + 1 if n < count - 1 else _END)
        return start

    for entry in entries:
        if entry.kind == 2 and len(entry.data) >= _CUTOFF:
            entry.start, entry.size = place(entry.data), len(entry.data)
    root = entries[0]
    if mini:
        root.start, root.size = place(bytes(mini)), len(mini)
    minifat_start, minifat_count = _END, 0
    if minifat:
        raw = b"".join(struct.pack("<I", v) for v in minifat)
        raw = raw.ljust(-(-len(raw) // _SECTOR) * _SECTOR, b"\xff")
        minifat_start, minifat_count = place(raw), len(raw) // _SECTOR
    directory = b"".join(_directory_entry(e) for e in entries)
    directory = directory.ljust(-(-len(directory) // _SECTOR) * _SECTOR, b"\0")
    unused = _directory_entry(_Entry("", 0))
    directory = directory[: len(entries) * 128] + unused * ((len(directory) // 128) - len(entries))
    directory_start = place(directory)
    fat_count = 1
    while (len(sectors) + fat_count) > fat_count * (_SECTOR // 4):
        fat_count += 1
    fat_start = len(sectors)
    fat += [_FAT_SECTOR] * fat_count
    fat += [_FREE] * (fat_count * (_SECTOR // 4) - len(fat))
    raw_fat = b"".join(struct.pack("<I", v) for v in fat)
    for n in range(fat_count):
        sectors.append(raw_fat[n * _SECTOR : (n + 1) * _SECTOR])
    if fat_count > 109:
        raise ValueError("a test message this large needs DIFAT sectors")
    difat = [fat_start + n for n in range(fat_count)] + [_FREE] * (109 - fat_count)
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack(
            "<IIIIIIIII",
            0,
            fat_count,
            directory_start,
            0,
            _CUTOFF,
            minifat_start,
            minifat_count,
            _END,
            0,
        )  # fmt: skip
        + b"".join(struct.pack("<I", v) for v in difat)
    )
    assert len(header) == _SECTOR
    return header + b"".join(sectors)


def _balance(entries: list[_Entry], order: list[int]) -> int:
    if not order:
        return _NONE
    middle = len(order) // 2
    entry = entries[order[middle]]
    entry.left = _balance(entries, order[:middle])
    entry.right = _balance(entries, order[middle + 1 :])
    return order[middle]


def _directory_entry(entry: _Entry) -> bytes:
    name = (entry.name + "\0").encode("utf-16-le") if entry.name else b""
    return (
        name.ljust(64, b"\0")
        + struct.pack("<HBB", len(name), entry.kind, 1)
        + struct.pack("<III", entry.left, entry.right, entry.child)
        + b"\0" * 16
        + b"\0" * 4
        + b"\0" * 16
        + struct.pack("<IQ", entry.start if entry.kind else 0, entry.size)
    )


# --------------------------------------------------------------------------------------------
# The message


def _filetime(when: dt.datetime) -> int:
    return int((when - dt.datetime(1601, 1, 1, tzinfo=dt.UTC)).total_seconds() * 10_000_000)


def _properties(header: int, fixed: dict[int, tuple[int, int]]) -> bytes:
    """The properties stream: ``header`` bytes, then (id: (type, value)) entries."""
    out = b"\0" * header
    for prop, (kind, value) in fixed.items():
        out += struct.pack("<IIQ", (prop << 16) | kind, 6, value)
    return out


@dataclass
class Msg:
    """What a test message holds; ``attachments`` are (file name, bytes) or a Msg forwarded."""

    subject: str = "Badr leader warns against disarming the Hashd"
    sender_name: str = "Iraq Watch"
    sender_address: str = "news@iraqwatch.example"
    sent: dt.datetime | None = dt.datetime(2019, 3, 12, 6, 30, tzinfo=dt.UTC)
    body: str | None = None
    html: bytes | None = None
    rtf: bytes | None = None
    codepage: int | None = None  # the HTML's (PidTagInternetCodepage)
    message_codepage: int | None = None  # 8-bit strings' (PidTagMessageCodepage)
    headers: str | None = None  # internet headers a received message kept
    attachments: Sequence[tuple[str, bytes] | Msg] = ()
    unicode: bool = True  # string properties in UTF-16 (001F) or in the code page (001E)


def _string(msg: Msg, prop: int, text: str) -> tuple[str, bytes]:
    if msg.unicode:
        return f"__substg1.0_{prop:04X}001F", (text + "\0").encode("utf-16-le")
    codepage = msg.message_codepage or msg.codepage or 1252
    return f"__substg1.0_{prop:04X}001E", (text + "\0").encode(f"cp{codepage}")


def message_tree(msg: Msg, header: int = 32) -> Tree:
    tree: Tree = {}
    fixed: dict[int, tuple[int, int]] = {}
    for prop, text in (
        (0x0037, msg.subject),
        (0x0C1A, msg.sender_name),
        (0x5D01, msg.sender_address),
        (0x0C1F, msg.sender_address),
    ):
        if text:
            name, data = _string(msg, prop, text)
            tree[name] = data
    if msg.body is not None:
        name, data = _string(msg, 0x1000, msg.body)
        tree[name] = data
    if msg.html is not None:
        tree["__substg1.0_10130102"] = msg.html
    if msg.rtf is not None:
        tree["__substg1.0_10090102"] = msg.rtf
    if msg.headers is not None:
        name, data = _string(msg, 0x007D, msg.headers)
        tree[name] = data
    if msg.sent is not None:
        fixed[0x0039] = (0x0040, _filetime(msg.sent))
    if msg.codepage is not None:
        fixed[0x3FDE] = (0x0003, msg.codepage)
    if msg.message_codepage is not None:
        fixed[0x3FFD] = (0x0003, msg.message_codepage)
    for n, attachment in enumerate(msg.attachments):
        storage: Tree = {}
        if isinstance(attachment, Msg):
            storage["__substg1.0_3701000D"] = message_tree(attachment, header=24)
            storage["__substg1.0_3707001F"] = (attachment.subject + "\0").encode("utf-16-le")
            storage["__properties_version1.0"] = _properties(8, {0x3705: (0x0003, 5)})
        else:
            filename, data = attachment
            storage["__substg1.0_3707001F"] = (filename + "\0").encode("utf-16-le")
            storage["__substg1.0_37010102"] = data
            storage["__properties_version1.0"] = _properties(8, {0x3705: (0x0003, 1)})
        tree[f"__attach_version1.0_#{n:08X}"] = storage
    tree["__properties_version1.0"] = _properties(header, fixed)
    return tree


def make_msg(folder: Path, msg: Msg, name: str = "message.msg") -> Path:
    path = folder / name
    path.write_bytes(compound_file(message_tree(msg)))
    return path


def compressed_rtf(rtf: bytes) -> bytes:
    """``rtf`` in Outlook's compressed-RTF stream, compressed the simplest way ([MS-OXRTFCP]):
    every byte a literal, eight to a flag byte of zeros, then the end reference."""
    position = (207 + len(rtf)) % 4096  # the prebuffer's length, then one byte a literal
    tokens: list[tuple[bool, bytes]] = [(False, bytes([byte])) for byte in rtf]
    tokens.append((True, struct.pack(">H", position << 4)))  # the end: where writing stands
    body = bytearray()
    for at in range(0, len(tokens), 8):
        group = tokens[at : at + 8]
        body.append(sum(1 << n for n, (is_ref, _) in enumerate(group) if is_ref))
        for _is_ref, data in group:
            body += data
    size = len(body) + 12
    return struct.pack("<IIII", size, len(rtf), 0x75465A4C, 0) + bytes(body)


# --------------------------------------------------------------------------------------------
# Old Word files

_SUMMARY = uuid.UUID("f29f85e0-4ff9-1068-ab91-08002b27b3d9").bytes_le


def summary_information(title: str, created: dt.datetime | None) -> bytes:
    """A SummaryInformation property set: the code page, the title, the creation time."""
    values: list[tuple[int, bytes]] = [(1, struct.pack("<HHH", 2, 0, 1252) + b"\0\0")]
    raw = title.encode("cp1252") + b"\0"
    values.append((2, struct.pack("<II", 0x1E, len(raw)) + raw.ljust(-(-len(raw) // 4) * 4, b"\0")))
    if created is not None:
        values.append((12, struct.pack("<IQ", 0x40, _filetime(created))))
    table_size = 8 + 8 * len(values)
    offsets, body = [], b""
    for _pid, value in values:
        offsets.append(table_size + len(body))
        body += value
    section = struct.pack("<II", table_size + len(body), len(values))
    section += b"".join(
        struct.pack("<II", pid, at) for (pid, _), at in zip(values, offsets, strict=True)
    )
    header = struct.pack("<HHI", 0xFFFE, 0, 0x00020006) + b"\0" * 16 + struct.pack("<I", 1)
    header += _SUMMARY + struct.pack("<I", 48)
    return header + section + body


def word_document(
    text: str,
    *,
    unicode_from: int | None = None,
    version: int = 0x00C1,
    encrypted: bool = False,
) -> dict[str, bytes]:
    """The streams of a .doc whose main document is ``text`` (Word's marks in it: "\\r" a
    paragraph's end, "\\x07" a cell's); its characters from ``unicode_from`` on are kept as
    UTF-16, those before as 8-bit, in two pieces."""
    split = len(text) if unicode_from is None else unicode_from
    eight, wide = text[:split].encode("cp1252"), text[split:].encode("utf-16-le")
    base = 1024
    pieces = [(0, split, ((base) * 2) | 0x40000000)]
    if wide:
        pieces.append((split, len(text), base + len(eight) + (len(eight) % 2)))
    cps = [p[0] for p in pieces] + [len(text)]
    plc = b"".join(struct.pack("<I", cp) for cp in cps)
    plc += b"".join(struct.pack("<HIH", 0, fc, 0) for _first, _end, fc in pieces)
    clx = b"\x02" + struct.pack("<I", len(plc)) + plc
    table = b"\0" * 16 + clx
    flags = (1 << 9) | ((1 << 8) if encrypted else 0)
    fib = struct.pack("<HHHHHH", 0xA5EC, version, 0, 0x0409, 0, flags).ljust(32, b"\0")
    fib += struct.pack("<H", 14) + b"\0" * 28
    longs = [0] * 22
    longs[3] = len(text)
    fib += struct.pack("<H", 22) + b"".join(struct.pack("<I", v) for v in longs)
    pairs = [(0, 0)] * 93
    pairs[33] = (16, len(clx))
    fib += struct.pack("<H", 93) + b"".join(struct.pack("<II", fc, lcb) for fc, lcb in pairs)
    fib += struct.pack("<H", 0)
    document = fib.ljust(base, b"\0") + eight + b"\0" * (len(eight) % 2) + wide
    return {"WordDocument": document, "1Table": table}


def make_doc(
    folder: Path,
    text: str,
    name: str = "brief.doc",
    *,
    title: str = "",
    created: dt.datetime | None = None,
    **kwargs: object,
) -> Path:
    tree: Tree = dict(word_document(text, **kwargs))  # type: ignore[arg-type]
    if title or created is not None:
        tree["\x05SummaryInformation"] = summary_information(title, created)
    path = folder / name
    path.write_bytes(compound_file(tree))
    return path


# --------------------------------------------------------------------------------------------
# Outlook's rich-text wrapper (winmail.dat, [MS-OXTNEF])


def _attribute(level: int, attribute: int, data: bytes) -> bytes:
    return (
        struct.pack("<BII", level, attribute, len(data))
        + data
        + struct.pack("<H", sum(data) & 0xFFFF)
    )


def _padded(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


def _mapi_props(props: Sequence[tuple[int, int, bytes | int]]) -> bytes:
    """A MAPI property list: (type, id, value) each, a named property and a property of a
    type of unknown size added where ``props`` asks by id 0x8001 and type 0x0FFF."""
    out = struct.pack("<I", len(props))
    for kind, prop, value in props:
        out += struct.pack("<HH", kind, prop)
        if prop >= 0x8000:  # named: a GUID, then a numeric name
            out += b"\x11" * 16 + struct.pack("<II", 0, 0x8233)
        if isinstance(value, int):
            out += struct.pack("<I", value)
        elif kind == 0x0FFF:
            out += value  # a type whose size a reader cannot know
        else:
            out += struct.pack("<II", 1, len(value)) + _padded(value)
    return out


def tnef(
    *,
    html: bytes | None = None,
    rtf: bytes | None = None,
    body: str | None = None,
    attachments: Sequence[tuple[str, bytes]] = (),
    codepage: int = 1252,
) -> bytes:
    """A winmail.dat: the bodies in the message's MAPI properties (and its plain body as the
    legacy attribute), each attachment as title, data and properties (its long name in
    UTF-16)."""
    out = struct.pack("<IH", 0x223E9F78, 0x0001)
    out += _attribute(1, 0x00089006, struct.pack("<I", 0x00010000))  # the TNEF version
    out += _attribute(1, 0x00069007, struct.pack("<II", codepage, 437))
    if body is not None:
        out += _attribute(1, 0x0002800C, body.encode(f"cp{codepage}") + b"\0")
    props: list[tuple[int, int, bytes | int]] = [(0x0003, 0x3FDE, codepage)]
    props.append((0x0003, 0x8001, 7))  # a named property
    if html is not None:
        props.append((0x0102, 0x1013, html))
    if rtf is not None:
        props.append((0x0102, 0x1009, rtf))
    props.append((0x0FFF, 0x6789, b"\x01\x02\x03"))  # unknown: the list is read up to it
    out += _attribute(1, 0x00069003, _mapi_props(props))
    for name, data in attachments:
        out += _attribute(2, 0x00069002, b"\x01\0\0\0" + b"\xff" * 10)
        out += _attribute(2, 0x00018010, name[:8].encode("cp1252", "replace") + b"\0")
        out += _attribute(2, 0x0006800F, data)
        long_name = (name + "\0").encode("utf-16-le")
        out += _attribute(2, 0x00069005, _mapi_props([(0x001F, 0x3707, long_name)]))
    return out
