"""The index's update lock: one writer at a time, across processes, released by the OS if
the process holding it dies; a helper process forked while it is held lets go of its copy.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from pathlib import Path
from typing import Any

from briefreader.core import processes


class FileLock:
    """An exclusive advisory lock on a file, released by the OS if the process dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: Any = None

    def acquire(self, timeout: float) -> bool:
        """Take the lock, waiting up to ``timeout`` seconds; False if another holds it still."""
        if self._fh is not None:
            # Opening the file again would drop the handle that holds the lock, and with it
            # the lock: fail loudly instead.
            raise RuntimeError("this index already holds its update lock")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "a+")  # noqa: SIM115 - held for the lock's lifetime
        deadline = time.monotonic() + timeout
        while True:
            try:
                _lock_file(self._fh)
                _HELD_LOCKS.add(self)
                return True
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    # Not another holder: the file is let go (kept, it was leaked, and every
                    # later acquire() said this index already held its lock).
                    self._fh.close()
                    self._fh = None
                    raise
                if time.monotonic() >= deadline:
                    self._fh.close()
                    self._fh = None
                    return False
                time.sleep(0.05)

    def release(self) -> None:
        """Let the lock go (nothing if it is not held)."""
        _HELD_LOCKS.discard(self)
        if self._fh is not None:
            with contextlib.suppress(OSError):
                _unlock_file(self._fh)
            self._fh.close()
            self._fh = None


#: Locks this process holds; a child forked meanwhile must let go of its copies.
_HELD_LOCKS: set[FileLock] = set()


def _after_fork_in_child() -> None:
    """A process forked while an update runs (a reading worker, the segment writer's
    helper) is a helper.

    Its inherited copy of the update lock is closed (not unlocked: the parent still holds
    it), and it is made to die with its parent. Without this, SIGKILLing an indexer left
    its helpers (then Whoosh's multi-process writer's) blocked forever on their job queue,
    holding the lock (and Whoosh's own write lock), so every later update failed as "busy".
    (Helpers started with spawn inherit no lock; they call die_with_parent() themselves.)
    """
    if not _HELD_LOCKS:
        return
    for lock in list(_HELD_LOCKS):
        if lock._fh is not None:
            with contextlib.suppress(OSError):
                lock._fh.close()
            lock._fh = None
    _HELD_LOCKS.clear()
    processes.die_with_parent()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock_file(fh: Any) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]

    def _unlock_file(fh: Any) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]

else:
    import fcntl

    def _lock_file(fh: Any) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock_file(fh: Any) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
