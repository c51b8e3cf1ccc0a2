"""Work-arounds for bugs in the Qt binding, each named and detected rather than assumed.

PySide6-Essentials 6.12.0 (the cp310-abi3 wheel) on CPython 3.11: every call from Python to
a Qt function that returns nothing drops one reference to ``None``, and every
``Signal.emit()`` one to ``True``, that it never took (the binding behaves as if these
objects were immortal, which they are only from CPython 3.12 on). After some thousands of
calls the count reaches zero and the interpreter aborts ("Fatal Python error: none_dealloc",
seen after indexing 10,000 briefs in the window; a long reading session would hit it too).

:func:`install` probes for the leak and, only when it is there, gives ``None``, ``True`` and
``False`` a reference count so large that it cannot run out: the same behaviour these
objects have on CPython 3.12+. With a fixed binding or a newer Python it does nothing. The
real fix is to run the app on CPython 3.12+ or a fixed PySide6.
"""

from __future__ import annotations

import ctypes
import logging
import platform
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

_HEADROOM = 1 << 40
_installed = False


class _Probe(QObject):
    ping = Signal()


def leaks_references() -> bool:
    """True when void calls or emits from Python drop references to None or True."""
    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(8):
        probe.setObjectName("probe")
        probe.ping.emit()
    lost = (sys.getrefcount(None) - none_before) <= -8 or (
        sys.getrefcount(True) - true_before
    ) <= -8
    # Give back what the probe itself took.
    if platform.python_implementation() == "CPython" and sys.version_info < (3, 12):
        for obj, before in ((None, none_before), (True, true_before)):
            missing = before - sys.getrefcount(obj)
            for _ in range(max(0, missing)):
                ctypes.pythonapi.Py_IncRef(ctypes.py_object(obj))
    return lost


def install() -> bool:
    """Apply the work-around if this binding needs it; returns whether it was applied."""
    global _installed
    if _installed:
        return True
    if platform.python_implementation() != "CPython" or sys.version_info >= (3, 12):
        return False
    if not leaks_references():
        return False
    for obj in (None, True, False):
        # ob_refcnt is the first field of every object on CPython 3.11.
        ctypes.c_ssize_t.from_address(id(obj)).value += _HEADROOM
    _installed = True
    log.info("PySide6 reference leak detected on CPython 3.11: work-around installed")
    return True


def emit(signal: Any, *args: Any) -> None:
    """Emit a signal; the one place emits go through, should the binding need more help.

    A signal whose object is already gone (the window closed while a job finished) is
    skipped: nobody is left to tell.
    """
    try:
        signal.emit(*args)
    except RuntimeError:
        log.debug("signal source deleted; %s not delivered", signal)


install()
