"""How the core starts helper processes, chosen in one place, and how a helper ends with its
parent.

Every process the core starts (the index's bulk writer helpers, its term-file and
candidate-name pools, the file readers of :mod:`briefreader.core.extract`) gets its
``multiprocessing`` context from :func:`context`:

- ``spawn`` (a fresh interpreter that imports what it needs, its job pickled) everywhere
  it must be: Windows has no ``fork``; on macOS a fork of a process that has loaded system
  frameworks (Qt) can crash or hang, which is why Python made ``spawn`` its default there; a
  process running other threads (a Qt window, a worker thread) may fork one holding a lock.
- ``fork`` on Linux, for helpers that gain from inheriting the parent's memory, when the
  caller runs on the main thread of a process with no other Python thread: nothing is
  imported or pickled again, and the helpers start in milliseconds instead of a fraction of
  a second each.

``fork`` is never used where it is refused (``multiprocessing.get_context("fork")`` raising,
as on Windows), where this process's default start method was set to something else, or
when :data:`START_METHOD_ENV` says ``spawn``. A helper calls :func:`die_with_parent` first
thing: it then ends when the process that started it ends, however that ends (killed
included), so it never waits forever on a queue nobody will fill.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.context import ForkContext, SpawnContext

log = logging.getLogger(__name__)

#: Environment variable: ``spawn`` starts every helper with spawn, on Linux too.
START_METHOD_ENV = "BRIEFREADER_START_METHOD"


def fork_allowed() -> bool:
    """Whether a helper may be forked from here: Linux, ``fork`` not refused and not
    replaced as this process's default, no :data:`START_METHOD_ENV` saying ``spawn``, and
    the caller on the main thread of a process running no other Python thread."""
    if not sys.platform.startswith("linux"):
        return False
    if os.environ.get(START_METHOD_ENV, "").strip().lower() == "spawn":
        return False
    if multiprocessing.get_start_method(allow_none=True) not in (None, "fork"):
        return False
    try:
        multiprocessing.get_context("fork")
    except ValueError:
        return False
    return threading.current_thread() is threading.main_thread() and threading.active_count() == 1


def start_method(*, inherit: bool = True) -> str:
    """``fork`` or ``spawn``: what :func:`context` gives (see the module's docstring).
    ``inherit=False`` is for helpers that gain nothing from the parent's memory."""
    return "fork" if inherit and fork_allowed() else "spawn"


def context(*, inherit: bool = True) -> ForkContext | SpawnContext:
    """The ``multiprocessing`` context to start a helper with, chosen here only."""
    if start_method(inherit=inherit) == "fork":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


# -- in the helper -------------------------------------------------------------------------

#: The pid of the process that last forked this one (0: this process was not forked).
_forked_from = 0
_parent_before_fork = os.getpid()
_watching = False


def _before_fork() -> None:
    global _parent_before_fork
    _parent_before_fork = os.getpid()


def _after_fork_in_child() -> None:
    global _forked_from, _watching
    _forked_from = _parent_before_fork
    _watching = False  # the parent's watch, if it had one, is not this process's


if hasattr(os, "register_at_fork"):  # not on Windows
    os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)

# Looked up now, not in a forked child: a dlsym() right after fork() could wait forever on a
# loader lock another thread of the parent held.
_PRCTL: Any = None
if sys.platform.startswith("linux"):
    with contextlib.suppress(OSError, AttributeError):
        _PRCTL = ctypes.CDLL(None, use_errno=True).prctl
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """End this helper as soon as the process that started it has gone, however it went.

    Forked on Linux: the kernel sends SIGKILL when the parent dies (``prctl``; fork is only
    chosen on the parent's main thread, whose end is the process's). Otherwise a daemon
    thread waits on ``multiprocessing.parent_process()``'s sentinel, which wakes when the
    parent dies (its process handle on Windows, a pipe only the parent holds elsewhere), or
    polls the parent's pid when this process was not started by multiprocessing. Called
    again, it does nothing.
    """
    global _watching
    if _watching:
        return
    _watching = True
    if _forked_from and _PRCTL is not None:
        with contextlib.suppress(OSError, ctypes.ArgumentError):
            _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)
            # Killed before the line above ran: already someone else's child.
            if os.getppid() != _forked_from:
                os._exit(1)
            return
    parent = multiprocessing.parent_process()
    if parent is not None:
        sentinel = parent.sentinel

        def watch() -> None:
            multiprocessing.connection.wait([sentinel])
            os._exit(1)

    else:
        ppid = _forked_from or os.getppid()

        def watch() -> None:
            while os.getppid() == ppid:
                time.sleep(0.5)
            os._exit(1)

    threading.Thread(target=watch, name="briefreader-parent-watch", daemon=True).start()


__all__ = ["START_METHOD_ENV", "context", "die_with_parent", "fork_allowed", "start_method"]
