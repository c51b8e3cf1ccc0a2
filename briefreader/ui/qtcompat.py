"""Work-arounds for bugs in the Qt binding, each named and detected rather than assumed.

PySide6 6.12.0 on CPython 3.11: every ``SignalInstance.emit()`` called from Python drops one
reference to ``True`` that it never took. On 3.12+ ``True`` is immortal and nothing happens;
on 3.11 the count reaches zero after a few thousand emits and the interpreter aborts with
"Fatal Python error: bool_dealloc" (seen while indexing 10,000 briefs, one progress signal
each). :func:`emit` gives the reference back, but only when a probe at import shows the leak,
so a fixed binding needs no change here.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal


class _Probe(QObject):
    ping = Signal()


def _leaks_true_on_emit() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    probe.ping.emit()
    leaked = sys.getrefcount(True) - before
    if leaked < 0:
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
    return leaked < 0


EMIT_LEAKS_TRUE = _leaks_true_on_emit()
_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


def emit(signal: Any, *args: Any) -> None:
    """``signal.emit(*args)``, minus the binding's reference leak (see the module docstring)."""
    signal.emit(*args)
    if EMIT_LEAKS_TRUE:
        _incref(True)
