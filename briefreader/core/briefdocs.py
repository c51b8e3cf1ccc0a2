"""A brief file as an update sees it: read within the size limit, named, made an index doc.

Kept apart from :mod:`briefreader.core.library` (which decides *what* to index) because
this is the per-file work, the part a crash or a hostile file exercises.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from briefreader.core import formats
from briefreader.core.brief import Brief, BriefError
from briefreader.core.digest import split_digest
from briefreader.core.parse import BRIEF_SUFFIXES, parse_bytes, read_limited
from briefreader.core.records import IndexDoc

log = logging.getLogger(__name__)

#: Where a mailbox's briefs go as they are read, a message's at a time (see read_for_update).
Sink = Callable[[list[Brief]], None]
#: Told how far into a long file its reader is: ``progress(done, total)`` (pages of a PDF,
#: bytes of a mailbox).
ReadProgress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Todo:
    """A file an update must read: where it is, its stat, and why it is read."""

    root: Path
    path: Path
    key: str
    st: os.stat_result
    existed: bool
    rematch: bool  # unchanged on disk, but the glossary changed what it mentions
    #: The reader versions it is read with (core.formats.reader_stamp; "" when not read).
    reader: str = ""
    #: Unchanged on disk, but read with older readers than these: read again.
    reread: bool = False


def actors_of(
    found: tuple[Sequence[str], Sequence[str]],
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The brief's actors (every one, the article's, the comment's), each most mentioned
    first, of ``found``: the actor of each mention in its article and in its comment, in
    order (``Matcher.actors_in_brief``)."""
    return ranked_actors([*found[0], *found[1]]), ranked_actors(found[0]), ranked_actors(found[1])


def ranked_actors(actor_ids: Sequence[str]) -> tuple[str, ...]:
    """The actors of mentions in order (``actor_ids``), most mentioned first (ties: first
    mentioned first)."""
    counts: dict[str, int] = {}
    for actor_id in actor_ids:  # a dictionary keeps the order actors are first met in
        counts[actor_id] = counts.get(actor_id, 0) + 1
    # A reversed sort keeps equal counts in the order they came (Python's sort is stable).
    return tuple(sorted(counts, key=counts.__getitem__, reverse=True))


def to_doc(
    brief: Brief,
    key: str,
    size: int,
    mtime_ns: int,
    found: tuple[Sequence[str], Sequence[str]],
    *,
    file_id: str = "",
    file_sha256: str = "",
    items: int = 1,
    warnings: tuple[str, ...] | None = None,
    reader: str = "",
) -> IndexDoc:
    """The record the index stores for a parsed brief; ``found``: the actor of each mention
    in its article and in its comment, in order (``Matcher.actors_in_brief``).

    ``file_id``, ``file_sha256`` and ``items`` describe the file when it gave several briefs
    (the manifest keeps one entry a file); ``warnings`` are the file's, when not the brief's;
    ``reader`` the reader versions the file was read with (core.formats.reader_stamp).
    """
    every, article, comment = actors_of(found)
    return IndexDoc(
        key=key,
        id=brief.id,
        title=brief.title,
        article=brief.article,
        comment=brief.comment or "",
        actors=every,
        actors_article=article,
        actors_comment=comment,
        comment_start=brief.comment_start if brief.comment is not None else None,
        source=brief.source or "",
        tags=brief.tags,
        date=brief.date,
        size=size,
        mtime_ns=mtime_ns,
        sha256=brief.sha256,
        has_comment=brief.comment is not None,
        warnings=brief.warnings if warnings is None else warnings,
        file_id=file_id,
        file_sha256=file_sha256,
        items=items,
        reader=reader,
    )


def is_text_brief(path: Path) -> bool:
    """Whether ``path`` is read as text (Markdown or plain), not by a format reader (a
    mailing list's archive saved as ``.txt`` is read as the mailbox it is)."""
    suffix = path.suffix.lower()
    if suffix == ".txt":
        return formats.reading_suffix(path) == suffix
    return suffix in BRIEF_SUFFIXES


def read_file_for_update(path: Path) -> tuple[bytes | None, str]:
    """What an update needs before deciding to parse: (bytes or None, content hash).

    A text brief is read whole (within the size limit) and hashed; a file of another format
    is only hashed, block by block (a mailbox may be gigabytes): its reader streams it.
    """
    if is_text_brief(path):
        data = read_limited(path)
        return data, hashlib.sha256(data).hexdigest()
    with path.open("rb") as handle:
        # Read into one buffer, block by block: no new block of bytes made for every read.
        return None, hashlib.file_digest(handle, "sha256").hexdigest()


def briefs_of_file(
    path: Path,
    file_id: str,
    data: bytes | None = None,
    digest: str = "",
    sink: Sink | None = None,
    progress: ReadProgress | None = None,
) -> tuple[list[Brief], list[str]]:
    """Every brief a file holds (a digest's items, a mailbox's messages) and its warnings;
    a mailbox's go to ``sink`` instead when given (read and handed on a message at a time).
    ``progress`` is told how far into a long file its format reader is. ``data`` is the
    file's bytes when the caller read it as a text brief (:func:`read_file_for_update`).

    Raises :class:`BriefError` with a reason a user understands when none can be read.
    """
    if data is not None or is_text_brief(path):
        if data is None:
            data = read_limited(path)
        brief = parse_bytes(data, brief_id=file_id, path=path)
        return split_digest(brief), list(brief.warnings)
    from briefreader.core import readers  # the format readers load their libraries lazily

    read_file = getattr(readers, "read_file", None)
    if read_file is None:
        raise BriefError(path, f"{path.suffix} files cannot be read by this build")
    got = read_file(path, file_id=file_id, sink=sink, progress=progress)
    return list(got.briefs), list(got.warnings)


@dataclass(frozen=True, slots=True)
class FileJob:
    """One file an update reads: plain data, so that a worker process can be handed it.

    ``known_sha256`` is the content the index holds for the file (touched but maybe not
    changed); "" when the file is new or must be read whatever its content. ``key``,
    ``size`` and ``mtime_ns`` are what its index docs record, for a worker that writes them
    itself (a bulk build: core/extract.py).
    """

    path: Path
    file_id: str
    known_sha256: str = ""
    key: str = ""
    size: int = 0
    mtime_ns: int = 0


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What reading one file for an update gave: its briefs, or why there are none.

    ``briefs`` is None when the file has the known content (nothing to do) or could not be
    read. ``refused`` is a reason that holds until the file changes (too large, encrypted,
    no text layer); ``failed`` one that may not hold next time (the file could not be opened,
    was deleted, or its reader stopped), with ``gone`` for a file deleted meanwhile.
    ``written`` is how many briefs the worker that read the file wrote into its own segment
    (a bulk build; ``briefs`` is then None: they stayed there).
    """

    sha256: str = ""
    briefs: tuple[Brief, ...] | None = None
    warnings: tuple[str, ...] = ()
    refused: str | None = None
    failed: str | None = None
    gone: bool = False
    written: int = 0


def read_for_update(
    job: FileJob, sink: Sink | None = None, progress: ReadProgress | None = None
) -> FileOutcome:
    """Read one file as an update needs it, in this process or a worker's; never raises
    for a bad file, so that one file's failure is one line in the report. A mailbox's
    briefs go to ``sink`` when given (a worker writing them as they come), not in the
    outcome; ``progress`` is told how far into a long file the reader is."""
    try:
        data, digest = read_file_for_update(job.path)
    except BriefError as exc:  # too large: never read into memory
        return FileOutcome(refused=exc.reason)
    except OSError as exc:
        gone = isinstance(exc, FileNotFoundError)
        reason = "deleted while it was being indexed" if gone else "cannot read"
        return FileOutcome(failed=f"{reason}: {exc.strerror or exc}", gone=gone)
    if job.known_sha256 and job.known_sha256 == digest:
        return FileOutcome(sha256=digest)
    try:
        briefs, warnings = briefs_of_file(job.path, job.file_id, data, digest, sink, progress)
    except BriefError as exc:
        return FileOutcome(sha256=digest, refused=exc.reason)
    except OSError as exc:
        return FileOutcome(sha256=digest, failed=f"cannot read: {exc.strerror or exc}")
    except Exception as exc:
        log.exception("reading %s failed", job.path)
        return FileOutcome(sha256=digest, failed=reader_failed(exc))
    return FileOutcome(digest, tuple(briefs), tuple(warnings))


def reader_failed(exc: BaseException | None = None) -> str:
    """The problem line for a file whose reader stopped (an error in briefreader, or the
    reading process ended); the file is tried again at the next update."""
    what = f" ({type(exc).__name__}: {exc})" if exc is not None else " (the reading process ended)"
    return f"could not be read: the reader stopped on this file{what}"


def rel_id(path: Path, root: Path) -> str:
    """A brief's id: its path below its corpus folder, with forward slashes."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


@functools.cache
def readable_suffixes() -> tuple[str, ...]:
    """Every suffix read as a brief: the text ones and each format reader's (the readers
    are loaded once, at the first call)."""
    try:
        from briefreader.core import readers
    except ImportError:  # the readers' libraries missing: text briefs still work, said once
        log.warning("the format readers cannot be loaded; only text briefs are read",
                    exc_info=True)  # fmt: skip
        return BRIEF_SUFFIXES
    more: tuple[str, ...] = getattr(readers, "SUFFIXES", ())
    return tuple(dict.fromkeys((*BRIEF_SUFFIXES, *more)))


def is_readable(path: Path) -> bool:
    """Whether ``path`` is read as briefs: by its suffix, or by its content when its suffix
    says nothing (a mailbox without a suffix: core.formats)."""
    return path.suffix.lower() in readable_suffixes() or formats.is_read_by_content(path)


def not_read_reason(path: Path) -> str:
    """Why a file in a corpus folder is not read, in words that say what to do if anything."""
    suffix = path.suffix.lower()
    known = formats.NOT_READ.get(suffix) or formats.NOT_READ_NAMES.get(path.name.lower())
    if known:
        return known
    if not suffix:
        return "not read: a file without a type (.txt, .md, .html, .pdf, .docx, .eml...)"
    return f"not read: {suffix} files are not a format briefreader reads"
