"""Zip archives (.zip): each document inside a source of briefs, as an email's attachments are.

Briefs are sent and kept zipped (a month of round-ups, a folder of Word files). Each member in
a format read here is read by its format's reader from its bytes, its id the archive's plus the
member's path made one name (``archive.zip#2019_march_roundup.pdf``, its items
``archive.zip#2019_march_roundup.pdf/3``). A member whose name says nothing is told by its first
bytes, as in a folder.

Before anything is unpacked, the archive's directory is checked as a Word file's is (core.readers
.word.check_zip: the entries' total unpacked size and compression ratios), with its own limits:
an archive larger than that is refused with a reason that says to unpack it. Members are
unpacked one at a time. A zip inside the archive, a mailbox and an encrypted member are named in
a warning and not read; other files that are no document (pictures, style sheets) are counted
in one warning; a mail program's or a system's hidden files (``__MACOSX/``, ``.DS_Store``) are
passed over without a word, as in a folder.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from briefreader.core import formats
from briefreader.core.brief import Brief, BriefError
from briefreader.core.digest import child_id
from briefreader.core.readers.mail import AttachmentReader, safe_name
from briefreader.core.readers.word import check_zip, open_package

FORMAT = "zip"
SUFFIXES = formats.SUFFIXES_BY_FORMAT[FORMAT]
TOO_LARGE = "archive too large to read whole (zip bomb?): unpack it into the folder"


def read_zip(
    source: Path | bytes,
    *,
    file_id: str,
    path: Path,
    members: AttachmentReader,
    warnings: list[str],
    base: str | None = None,
    parent: str | None = None,
) -> list[Brief]:
    """The briefs of every document in a zip archive (or its bytes: an email's attachment,
    ``base`` its brief id, ``parent`` its message's), each member read by ``members`` as an
    email's attachments are."""
    base = base or file_id
    zf = open_package(source, path, "zip archive", ".zip")
    briefs: list[Brief] = []
    others: dict[str, int] = {}
    seen: dict[str, int] = {}
    with zf:
        check_zip(zf, path, main=None, bomb=TOO_LARGE)
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            name = info.filename.replace("\\", "/")
            parts = [p for p in name.split("/") if p]
            if info.is_dir() or not parts or parts[0] == "__MACOSX":
                continue
            if any(p.startswith(".") for p in parts):
                continue
            suffix = PurePosixPath(parts[-1]).suffix.lower()
            shown = "/".join(parts)[:200]
            if info.flag_bits & 0x1:
                warnings.append(f"{shown}: encrypted in the archive, not read")
                continue
            if suffix in (".zip", ".mbox"):
                what = "a zip inside the archive" if suffix == ".zip" else "a mailbox"
                warnings.append(f"{shown}: {what}, not read: unpack the archive into the folder")
                continue
            try:
                data = zf.read(info)
            except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
                warnings.append(f"{shown}: damaged in the archive ({type(exc).__name__})")
                continue
            name = safe_name("_".join(parts))
            count = seen[name] = seen.get(name, 0) + 1
            if count > 1:
                stem, dot, tail = name.rpartition(".")
                name = f"{stem}~{count}.{tail}" if dot else f"{name}~{count}"
            try:
                got = members(data, suffix, child_id(base, name), file_id, path, parent)
            except BriefError as exc:
                warnings.append(f"{shown}: {exc.reason}")
                continue
            if not got and not formats.NOT_READ.get(suffix, "").startswith("picture"):
                others[suffix or "(no type)"] = others.get(suffix or "(no type)", 0) + 1
            briefs += got
    if others:
        kinds = ", ".join(f"{n} {s}" for s, n in sorted(others.items(), key=lambda kv: -kv[1]))
        warnings.append(f"files in the archive that are no document, not read: {kinds}")
    if not briefs:
        raise BriefError(path, "no document in the archive that briefreader reads")
    return briefs
