"""Python made to behave as on Windows: ``spawn`` the default start method, ``fork`` refused.

:func:`refuse_fork` sets ``spawn`` as the default, makes ``multiprocessing.get_context`` raise
for ``fork`` and ``forkserver`` (Windows' own ``ValueError``), lists ``spawn`` as the only start
method and makes ``os.fork`` fail. ``tests/conftest.py`` calls it when ``BRIEFREADER_NO_FORK=1``
and puts this folder first on ``PYTHONPATH``, so that every Python the tests start (``python -m
briefreader`` in the end-to-end tests, and the helpers it spawns) imports
``sitecustomize.py`` from here and behaves the same. CI runs the core and end-to-end tests a
second time so (``.ci/run``).
"""

from __future__ import annotations

import errno
import multiprocessing
import multiprocessing.context
import os
import sys
from typing import Any

#: Environment variable: "1" runs the tests (and every Python they start) without fork.
ENV = "BRIEFREADER_NO_FORK"
#: Environment variable: a file where each Python started with fork refused adds a line (its
#: pid and arguments), so that a test can tell that the processes it started were so.
LOG_ENV = "BRIEFREADER_NO_FORK_LOG"
REFUSED = ("fork", "forkserver")


def _refused(method: str) -> ValueError:
    return ValueError(f"cannot find context for {method!r}")


def refuse_fork() -> None:
    """Make this interpreter's multiprocessing and os behave as Windows' do (idempotent)."""
    cls = multiprocessing.context.DefaultContext
    if getattr(cls, "_briefreader_no_fork", False):
        return
    multiprocessing.set_start_method("spawn", force=True)
    real_get_context = cls.get_context

    def get_context(self: Any, method: str | None = None) -> Any:
        if method in REFUSED:
            raise _refused(method)
        return real_get_context(self, method)

    def get_all_start_methods(self: Any) -> list[str]:
        return ["spawn"]

    def fork() -> int:
        raise OSError(errno.ENOSYS, "fork is refused (BRIEFREADER_NO_FORK=1: as on Windows)")

    cls.get_context = get_context  # type: ignore[method-assign]
    cls.get_all_start_methods = get_all_start_methods  # type: ignore[method-assign]
    cls._briefreader_no_fork = True  # type: ignore[attr-defined]
    # The module's functions are the default context's methods, bound when it was imported.
    default = multiprocessing.context._default_context
    multiprocessing.get_context = default.get_context  # type: ignore[method-assign]
    multiprocessing.get_all_start_methods = default.get_all_start_methods  # type: ignore[method-assign]
    os.fork = fork
    log = os.environ.get(LOG_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()} {' '.join(sys.argv)}\n")


def active() -> bool:
    """Whether this interpreter runs with fork refused."""
    return bool(getattr(multiprocessing.context.DefaultContext, "_briefreader_no_fork", False))
