"""A reading worker's own segment: a bulk build's briefs written by the process that read them.

A bulk build on several cores used to read files in worker processes and write every brief
in the updating process, which then did most of the work alone (its analysis, its postings,
its commit) while the workers waited for it. Here each reading worker also writes what it
reads into a segment of its own (Lucene writes a segment a thread for the same reason): the
same :class:`~briefreader.core.index.segwriter.FastSegmentWriter`, opened without the index's
write lock, which the updating process holds for all of them. At each of the build's commits
the updating process asks every worker to close its segment (:meth:`ShardWriter.flush`: the
segment's files and term file are written, nothing is committed) and commits the table of
contents with those segments in it (``FastSegmentWriter.adopted``). Given the glossary's name
finder, the worker also counts each segment's candidate names as it writes them and keeps the
count beside the segment (what ``prepare_candidates`` would read back from it after the
commit).

A segment that was never handed over (a worker killed, a cancel) is only files no table of
contents names: Whoosh deletes them at the next commit. A writer is opened on the first brief
after a flush, never before, so that no commit's clean-up meets a segment still being
written. A segment past :data:`ROLL_TOKENS` tokens is closed there and another begun (kept
until the flush hands both over), so that one huge file (a mailbox of gigabytes, written as
it is read) costs a bounded memory.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from briefreader.core.index.candidates import FindNames, NamePieces, RunCounter
from briefreader.core.index.schema import to_whoosh
from briefreader.core.index.segwriter import FastSegmentWriter
from briefreader.core.records import IndexDoc

#: Tokens of text a worker's segment holds in memory at most (4 bytes each, 12 and the
#: postings made of them at its close) before it is closed and another begun: a bulk batch
#: of 25,000 briefs gives each of two workers about 7.5 million.
ROLL_TOKENS = 10_000_000


class ShardWriter:
    """The segment a reading worker writes for the index in ``folder`` (see the module)."""

    def __init__(self, folder: Path, names: tuple[FindNames, str] | None = None) -> None:
        """``names``: the glossary's name finder and key, to count candidate names with."""
        self.folder = Path(folder)
        self._ix: Any = None
        self._writer: FastSegmentWriter | None = None
        self._pieces = NamePieces(names[0]) if names is not None else None
        self._glossary_key = names[1] if names is not None else ""
        self._runs: RunCounter | None = None
        #: Segments closed since the last flush (see ROLL_TOKENS).
        self._closed: list[Any] = []

    @property
    def open(self) -> bool:
        """Whether a segment is being written (briefs added since the last flush)."""
        return self._writer is not None

    def add(self, docs: Iterable[IndexDoc]) -> None:
        """Write ``docs`` into this worker's segment (opened now if none is)."""
        writer = self._writer
        if writer is None:
            writer = self._writer = self._new_writer()
            self._runs = None
            if self._pieces is not None:
                # The words written in lower case come from the writer, which learns each
                # token once (reading every text's tokens again was 3 % of a build).
                lower = writer.lower_tokens if writer.lower_tokens() is not None else None
                self._runs = RunCounter(self._pieces, lower)
        runs = self._runs
        for doc in docs:
            number = writer.docnum
            writer.add_document(**to_whoosh(doc))
            if runs is not None:
                runs.add(number, doc.article, doc.comment, doc.title)
        if writer.token_count() >= ROLL_TOKENS:
            segment = self._close()
            if segment is not None:
                self._closed.append(segment)

    def flush(self) -> list[Any]:
        """Close the segment being written and give every segment closed since the last
        flush (Whoosh's segment objects, to be committed by the updating process)."""
        segment = self._close()
        closed, self._closed = self._closed, []
        return [*closed, segment] if segment is not None else closed

    def _close(self) -> Any:
        """Close the segment being written: its segment object, or None (no brief in it)."""
        writer, self._writer = self._writer, None
        runs, self._runs = self._runs, None
        if writer is None:
            return None
        if not writer._added:
            writer._close_segment()
            return None
        # Not Whoosh's _finish(): that would remove the temporary folder the updating
        # process's writer shares; it removes it at its own commit.
        segment = writer._finalize_segment()
        if runs is not None:
            runs.keep(self.folder, str(segment.segment_id()), self._glossary_key)
        return segment

    def close(self) -> None:
        """Drop a segment not flushed (its files are left for the next commit to delete)."""
        writer, self._writer = self._writer, None
        self._closed = []
        if writer is not None:
            with contextlib.suppress(Exception):
                writer._close_segment()
        if self._ix is not None:
            with contextlib.suppress(Exception):
                self._ix.close()
            self._ix = None

    def _new_writer(self) -> FastSegmentWriter:
        if self._ix is None:
            from whoosh import index as whoosh_index

            self._ix = whoosh_index.open_dir(str(self.folder))
        # Not compound, as write_docs' writers (see there); no lock: the updating process
        # holds the index's for the whole build; no helper of its own: the workers already
        # keep every core busy.
        writer = FastSegmentWriter(self._ix, _lk=False, compound=False, term_folder=self.folder)
        writer.parallel = False
        return writer


__all__ = ["ShardWriter"]
