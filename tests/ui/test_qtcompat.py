"""The binding work-around: many emits must not drain the reference count of True."""

from __future__ import annotations

import sys

from briefreader.ui.qtcompat import _Probe, emit


def test_emit_keeps_reference_counts_balanced() -> None:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(5000):
        emit(probe.ping)
    assert abs(sys.getrefcount(True) - before) <= 2
