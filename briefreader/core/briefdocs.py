"""A brief file as an update sees it: read within the size limit, named, made an index doc.

Kept apart from :mod:`briefreader.core.library` (which decides *what* to index) because
this is the per-file work, the part a crash or a hostile file exercises.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from briefreader.core.brief import ARTICLE, COMMENT, Brief, BriefError
from briefreader.core.match import Mention
from briefreader.core.parse import MAX_BYTES, too_large
from briefreader.core.records import IndexDoc


@dataclass(frozen=True, slots=True)
class Todo:
    """A file an update must read: where it is, its stat, and why it is read."""

    root: Path
    path: Path
    key: str
    st: os.stat_result
    existed: bool
    rematch: bool  # unchanged on disk, but the glossary changed what it mentions


def main_actors(mentions: Sequence[Mention]) -> tuple[str, ...]:
    """The brief's actors, most mentioned first (ties: first mentioned first)."""
    counts: dict[str, int] = {}
    for m in mentions:
        counts[m.actor_id] = counts.get(m.actor_id, 0) + 1
    order = {a: i for i, a in enumerate(dict.fromkeys(m.actor_id for m in mentions))}
    return tuple(sorted(counts, key=lambda a: (-counts[a], order[a])))


def to_doc(
    brief: Brief, key: str, size: int, mtime_ns: int, mentions: Sequence[Mention]
) -> IndexDoc:
    """The record the index stores for a parsed brief and its actor mentions."""
    return IndexDoc(
        key=key,
        id=brief.id,
        title=brief.title,
        article=brief.article,
        comment=brief.comment or "",
        actors=main_actors(mentions),
        actors_article=main_actors([m for m in mentions if m.section == ARTICLE]),
        actors_comment=main_actors([m for m in mentions if m.section == COMMENT]),
        comment_start=brief.comment_start if brief.comment is not None else None,
        source=brief.source or "",
        tags=brief.tags,
        date=brief.date,
        size=size,
        mtime_ns=mtime_ns,
        sha256=brief.sha256,
        has_comment=brief.comment is not None,
        warnings=brief.warnings,
    )


def read_limited(path: Path) -> bytes:
    """A file's bytes, refusing (BriefError) one over the size limit before reading it.

    The size is checked on the open file, so a brief that grew after the scan is still
    caught, and at most one byte over the limit is ever read.
    """
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > MAX_BYTES:
            raise BriefError(path, too_large(size))
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise BriefError(path, too_large(len(data)))
    return data


def rel_id(path: Path, root: Path) -> str:
    """A brief's id: its path below its corpus folder, with forward slashes."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name
