"""The team archive: the same search over briefs held in a shared PostgreSQL database.

The only package that imports psycopg (an import-linter contract says so). One job a
module: ``errors`` (what a front end catches, no psycopg), ``connect`` (URLs, service names,
errors in plain words), ``schema`` (versioned, migrated forward), ``analysis`` (text to the
same index words as the local index), ``query`` (the query language to parametrised SQL),
``push`` (briefs in batches with COPY, idempotent by content hash), ``best`` (each common
word's best briefs, kept by the push, what a first page is ranked from), ``search`` (BM25
ranking, facets; ``snippets`` the hits' passages), ``related`` (briefs like one, from
bounded candidates), ``pull`` (briefs written into a local folder under safe names, never
over a file it did not write) and ``backend`` (the archive as a library's search backend).
It never imports the local index (``core.index``), and ``briefreader.core`` imports it only
when an archive is opened (``Library.open_archive``): front ends import what they use.
"""

from __future__ import annotations

from briefreader.core.archive.errors import (
    ArchiveError,
    ArchiveReadOnlyError,
    ArchiveSchemaError,
    ArchiveUnavailableError,
)

__all__ = [
    "ArchiveError",
    "ArchiveReadOnlyError",
    "ArchiveSchemaError",
    "ArchiveUnavailableError",
]
