"""What a test may not leave behind: worker threads, running timers, running child processes.

``tests/conftest.py`` checks after every test; ``tests/test_leaks.py`` shows each check fails.
Qt is only looked at when the test session has imported it (core tests never do).
"""

from __future__ import annotations

import gc
import sys
import threading
import time
from collections.abc import Collection

#: How long finished work may take to wind down (a job's last signal, a thread's exit).
SETTLE_S = 10.0


def leftovers(threads_before: Collection[threading.Thread]) -> list[str]:
    """What is still running that was not before the test; [] when nothing is."""
    out = _qt_leftovers()
    deadline = time.monotonic() + SETTLE_S
    for thread in threading.enumerate():
        # A _DummyThread is a thread Python did not start (a Qt pool thread that logged).
        ours = thread is threading.current_thread() or thread in threads_before
        if ours or isinstance(thread, threading._DummyThread):
            continue
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            out.append(f"thread {thread.name!r}")
    return out


def _qt_leftovers() -> list[str]:
    qt = sys.modules.get("PySide6.QtCore")
    if qt is None or qt.QCoreApplication.instance() is None:
        return []
    from shiboken6 import Shiboken

    out: list[str] = []
    pool = qt.QThreadPool.globalInstance()
    if not pool.waitForDone(int(SETTLE_S * 1000)) or pool.activeThreadCount():
        out.append(f"{pool.activeThreadCount()} thread-pool worker(s)")
    # Objects closed by the test are deleted by now; only what is still alive counts.
    qt.QCoreApplication.sendPostedEvents(None, qt.QEvent.Type.DeferredDelete)
    not_running = qt.QProcess.ProcessState.NotRunning
    for obj in gc.get_objects():
        if not isinstance(obj, qt.QTimer | qt.QProcess) or not Shiboken.isValid(obj):
            continue
        if isinstance(obj, qt.QTimer) and obj.isActive():
            out.append(f"a running QTimer ({_owner(obj)}, every {obj.interval()} ms)")
        elif isinstance(obj, qt.QProcess) and obj.state() != not_running:
            out.append(f"a running QProcess ({obj.program()} {' '.join(obj.arguments())})")
    return out


def _owner(obj: object) -> str:
    parent = obj.parent()  # type: ignore[attr-defined]
    if parent is None:
        return "no parent"
    return f"in {type(parent).__name__} {parent.objectName()!r}".rstrip(" '")
