"""What can go wrong with a team archive, in words a reader understands (no psycopg here,
so that the command line can catch these without loading the database driver)."""

from __future__ import annotations


class ArchiveError(RuntimeError):
    """A team archive problem; ``str()`` is one line for the user."""


class ArchiveUnavailableError(ArchiveError):
    """The server cannot be reached (down, wrong address, refused); trying again may work."""


class ArchiveReadOnlyError(ArchiveError):
    """The role connected may search the archive but not change it."""


class ArchiveSchemaError(ArchiveError):
    """The archive has no schema yet, an older one to migrate, or a newer one."""
