"""Writing the index: documents in, keys out, committed in batches with the manifest kept true.

The merge policy lives here too: a bulk build never merges, other commits fold only the tiny
segments updates leave behind.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from briefreader.core.index.damage import Checksums
from briefreader.core.index.manifest import MANIFEST_NAME, ManifestEntry, save_manifest
from briefreader.core.index.schema import to_whoosh
from briefreader.core.index.segwriter import FastSegmentWriter
from briefreader.core.records import IndexDoc, WrittenFile

#: Incremental commits merge only segments smaller than this, once there are this many.
TINY_SEGMENT = 1000
TINY_SEGMENTS_TO_MERGE = 8


def merge_tiny(writer: Any, segments: list[Any]) -> list[Any]:
    """Merge policy for incremental commits: fold the small segments updates leave behind.

    Whoosh's default (MERGE_SMALL) also merges the segments a bulk build wrote, on the first
    commit after it: minutes of Python at 100,000 briefs, inside what should be a re-check
    or an "add 100 briefs". Here only segments under TINY_SEGMENT briefs are merged.
    """
    from whoosh.reading import SegmentReader

    tiny = [seg for seg in segments if seg.doc_count_all() < TINY_SEGMENT]
    if len(tiny) < TINY_SEGMENTS_TO_MERGE:
        return segments
    for seg in tiny:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return [seg for seg in segments if seg.doc_count_all() >= TINY_SEGMENT]


def commit_args(bulk: bool) -> dict[str, Any]:
    """The bulk writer never merges; other commits merge only tiny segments."""
    return {"merge": False} if bulk else {"mergetype": merge_tiny}


def write_docs(
    ix: Any,
    folder: Path,
    docs: Iterable[IndexDoc | WrittenFile],
    remove: Sequence[str],
    *,
    manifest: dict[str, ManifestEntry],
    bulk: bool = False,
    batch: int = 0,
    batch_max: int = 0,
    on_doc: Callable[[IndexDoc], None] | None = None,
    adopt: Callable[[], list[Any]] | None = None,
) -> int:
    """Add or replace ``docs`` and delete ``remove`` keys in the Whoosh index ``ix`` kept in
    ``folder``; commit; then save ``manifest`` (see :meth:`BriefIndex.write`).

    A :class:`WrittenFile` among ``docs`` (a bulk build only) is a file whose briefs a
    reading worker wrote into its own segment: ``adopt`` closes the workers' segments and
    gives them, and each commit lists them beside its own (index/shard.py)."""
    written = 0
    manifest_path = folder / MANIFEST_NAME
    checksums = Checksums(folder)
    # Updated in place: the caller also records touched-but-unchanged files in it while
    # ``docs`` is consumed, and all of it is saved after each commit.
    pending = manifest

    def new_writer() -> Any:
        # Not compound: Whoosh reads a compound segment's files into memory (BytesIO), so
        # a searcher on a 100,000-brief index held ~1 GB of private memory (26 MB a
        # segment); separate files are memory-mapped and shared with the page cache.
        return FastSegmentWriter(ix, compound=False, term_folder=folder)

    # The manifest must never claim what the index lacks: keys a commit deletes or
    # replaces leave the manifest before the commit, and come back after it.
    claimed = set(manifest)
    touched: set[str] = set()

    def commit(w: Any) -> None:
        if touched & claimed:
            save_manifest(manifest_path, {k: e for k, e in pending.items() if k not in touched})
        if adopt is not None:
            # The workers' segments hold every file handed to them so far: those given back
            # here (in ``pending``) and a few read ahead, which the next commit records (a
            # brief in the index but not the manifest is redone, never lost or doubled).
            w.adopted.extend(adopt())
        w.commit(**commit_args(bulk))
        checksums.save()
        save_manifest(manifest_path, pending)
        claimed.clear()
        claimed.update(pending)
        touched.clear()

    writer = new_writer()
    try:
        for key in remove:
            writer.delete_by_term("key", key)
            pending.pop(key, None)
            touched.add(key)
        in_batch = 0
        # A file's briefs share its key: the first of them replaces what the file gave
        # before (all its briefs), the others are added beside it.
        replaced: set[str] = set()
        last_key: str | None = None
        for doc in docs:
            # A batch is committed between files, never between a digest's briefs: the
            # manifest must not call a file indexed while some of its briefs are not.
            if batch and in_batch >= batch and doc.key != last_key:
                commit(writer)
                writer = new_writer()
                in_batch = 0
                batch = max(batch, min(batch * 2, batch_max))
            last_key = doc.key
            if isinstance(doc, WrittenFile):
                if not bulk:
                    raise ValueError("briefs written by a worker are a bulk build's only")
                pending[doc.key] = ManifestEntry(
                    doc.size,
                    doc.mtime_ns,
                    doc.file_sha256,
                    doc.file_id,
                    doc.warnings,
                    doc.items,
                    doc.reader,
                )
                touched.add(doc.key)
                written += doc.items
                in_batch += doc.items
                continue
            if bulk or doc.key in replaced:
                writer.add_document(**to_whoosh(doc))
            else:
                writer.delete_by_term("key", doc.key)
                writer.add_document(**to_whoosh(doc))
                replaced.add(doc.key)
            pending[doc.key] = ManifestEntry(
                doc.size,
                doc.mtime_ns,
                doc.file_sha256 or doc.sha256,
                doc.file_id or doc.id,
                doc.warnings,
                doc.items,
                doc.reader,
            )
            touched.add(doc.key)
            written += 1
            in_batch += 1
            if on_doc is not None:
                on_doc(doc)
        if written or remove:
            commit(writer)
        else:
            writer.cancel()  # nothing changed: no commit, so no merge either
            save_manifest(manifest_path, pending)  # touched-but-unchanged files' new mtimes
    except BaseException:
        with contextlib.suppress(Exception):
            writer.cancel()
        raise
    return written
