"""Files compressed with gzip (.gz): the file inside read by its own format's reader.

Mailing lists publish their archives so (``2019-March.txt.gz``, a month's messages as an mbox),
mail programs and servers export mailboxes so (``newsletters.mbox.gz``), and sites serve saved
pages so (``page.html.gz``). The file inside is named by the compressed file's name without
``.gz``; when that name says nothing (``archive.gz``), its first bytes tell its format, as in a
folder. A mailbox (an mbox, or a mailing list's archive in a ``.txt``) is read as a stream,
uncompressed as it is read, so that a compressed mailbox of gigabytes costs no more memory
than one left uncompressed; any other file is uncompressed whole, up to :data:`MAX_UNPACKED`,
and read as an email's attachment is, its briefs taking the compressed file's id
(``page.html.gz``, a digest's items ``page.html.gz#2``).

A compressed file is a bomb when it unpacks to many times its size: a mailbox that grows past
:data:`MAX_RATIO` times the compressed bytes read so far (and past :data:`RATIO_FROM`), or past
:data:`MAX_MAILBOX`, is cut there with a warning; any other file past :data:`MAX_UNPACKED` is
refused with a reason that says to unpack it. A damaged or truncated stream gives what was read
before the damage, with a warning, or a reason when nothing was.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from briefreader.core import formats
from briefreader.core.brief import Brief, BriefError
from briefreader.core.readers.mail import AttachmentReader

FORMAT = "gzip"
SUFFIXES = formats.SUFFIXES_BY_FORMAT[FORMAT]

#: A file that is not a mailbox is uncompressed whole up to this size (as a zip's members).
MAX_UNPACKED = 256 << 20
#: A mailbox is read up to this many uncompressed bytes (an mbox of years of mail).
MAX_MAILBOX = 8 << 30
#: Past RATIO_FROM uncompressed bytes, a mailbox more than this many times its compressed
#: bytes is a bomb. Mail compresses 3 to 10 times, a mailing list's archive of quoted replies
#: up to 30; a stream of one repeated byte 1,000 times.
MAX_RATIO = 200
RATIO_FROM = 64 << 20
#: The errors a damaged or truncated gzip stream raises.
DAMAGE = (gzip.BadGzipFile, EOFError, zlib.error, OSError)

TOO_LARGE = "compressed file too large to read whole (a bomb?): unpack it into the folder"
BOMB = "the mailbox unpacks to over {ratio} times its compressed size (a bomb?): read up to there"


def inner_suffix(path: Path | str) -> str:
    """The suffix of the file inside, from the compressed file's name ("" when it says
    nothing): ``x.mbox.gz`` -> ".mbox"; ``x.tgz`` and ``x.tar.gz`` -> ".tar"."""
    name = PurePosixPath(str(path).replace("\\", "/")).name
    if name.lower().endswith(".tgz"):
        return ".tar"
    inner = PurePosixPath(name[:-3] if name.lower().endswith(".gz") else name)
    return inner.suffix.lower()


def _unpacked(handle: BinaryIO, where: Path) -> Iterator[bytes]:
    """The uncompressed bytes of a gzip stream, a block at a time; the damage, if any,
    raised as BriefError once the blocks before it are given."""
    try:
        with gzip.GzipFile(fileobj=handle, mode="rb") as stream:
            while block := stream.read(1 << 20):
                yield block
    except DAMAGE as exc:
        raise BriefError(where, f"damaged compressed file ({_what(exc)})") from None


def _what(exc: BaseException) -> str:
    if isinstance(exc, EOFError):
        return "it ends early"
    return str(exc) or type(exc).__name__


def _opened(source: Path | bytes, where: Path) -> BinaryIO:
    """The compressed file (or an attachment's bytes) open for reading, or BriefError."""
    try:
        return source.open("rb") if isinstance(source, Path) else io.BytesIO(source)
    except OSError as exc:
        raise BriefError(where, f"cannot read the file ({exc.strerror or exc})") from None


def head_of(source: Path | bytes, where: Path) -> bytes:
    """The first uncompressed bytes (enough to tell a format), or BriefError."""
    with _opened(source, where) as handle:
        got = b""
        for block in _unpacked(handle, where):
            got += block
            if len(got) >= formats.SNIFF_BYTES:
                break
        return got[: formats.SNIFF_BYTES]


def unpack(source: Path | bytes, where: Path) -> bytes:
    """The whole file inside, up to :data:`MAX_UNPACKED`, or BriefError."""
    parts: list[bytes] = []
    size = 0
    with _opened(source, where) as handle:
        for block in _unpacked(handle, where):
            size += len(block)
            if size > MAX_UNPACKED:
                raise BriefError(where, TOO_LARGE)
            parts.append(block)
    return b"".join(parts)


def inner_format(source: Path | bytes, where: Path, name_suffix: str) -> str:
    """The suffix the file inside is read as: its name's when a reader takes it (a ``.txt``
    that is a mailing list's archive: ".mbox"), else the one its first bytes tell; "" when
    none."""
    if name_suffix == ".gz":  # a compressed file inside a compressed file: no document
        return ""
    return formats.read_as(name_suffix, lambda: formats.sniff_bytes(head_of(source, where))) or ""


def read_gzip(
    source: Path | bytes,
    *,
    file_id: str,
    path: Path,
    members: AttachmentReader,
    read_mailbox: Callable[[BinaryIO, Callable[[], int]], list[Brief]] | None,
    warnings: list[str],
    name_suffix: str | None = None,
    base: str | None = None,
    parent: str | None = None,
) -> list[Brief]:
    """The briefs of the file inside a gzip file (or its bytes: an email's attachment).

    A mailbox inside goes to ``read_mailbox`` as an uncompressed stream, with a function that
    tells how many compressed bytes are read (for progress); without it (an attachment) a
    mailbox is a warning, as in a zip. Anything else is read by ``members`` as an email's
    attachments are. ``name_suffix`` is the inner file's suffix when ``path`` does not give
    it (an attachment's name); ``base`` the attachment's brief id."""
    suffix = inner_suffix(path) if name_suffix is None else name_suffix
    if suffix == ".tar":
        raise BriefError(path, "a tar archive, not read: unpack it into the folder")
    told = inner_format(source, path, suffix)
    if not told:
        inside = suffix or "no type"
        raise BriefError(
            path, f"the compressed file holds no document briefreader reads ({inside})"
        )
    if told == ".mbox":
        if read_mailbox is None or not isinstance(source, Path):
            raise BriefError(path, "a compressed mailbox, not read: save it into the folder")
        return _read_mailbox(source, path, read_mailbox, warnings)
    return members(unpack(source, path), told, base or file_id, file_id, path, parent)


def _read_mailbox(
    source: Path,
    where: Path,
    read_mailbox: Callable[[BinaryIO, Callable[[], int]], list[Brief]],
    warnings: list[str],
) -> list[Brief]:
    with _opened(source, where) as raw:
        stream = _Bounded(gzip.GzipFile(fileobj=raw, mode="rb"), raw, where, warnings)
        with stream:
            return read_mailbox(stream, raw.tell)  # type: ignore[arg-type]


class _Bounded:
    """An uncompressed stream read line by line (what the mbox reader asks of a file) that
    ends, with a warning, at damage or at a bomb's size."""

    def __init__(self, stream: gzip.GzipFile, raw: BinaryIO, where: Path, warnings: list[str]):
        self._stream = stream
        self._raw = raw
        self._where = where
        self._warnings = warnings
        self._size = 0
        self._ended = False

    def readline(self, limit: int = -1) -> bytes:
        if self._ended:
            return b""
        try:
            line = self._stream.readline(limit)
        except DAMAGE as exc:
            self._end(f"damaged compressed file ({_what(exc)}): read up to there")
            return b""
        self._size += len(line)
        if self._size > MAX_MAILBOX:
            self._end(f"the mailbox is over {MAX_MAILBOX >> 30} GB unpacked: read up to there")
            return b""
        if self._size > RATIO_FROM and self._size > MAX_RATIO * max(self._raw.tell(), 1):
            self._end(BOMB.format(ratio=MAX_RATIO))
            return b""
        return line

    def _end(self, warning: str) -> None:
        self._ended = True
        self._warnings.append(warning)

    def __enter__(self) -> _Bounded:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stream.close()
