"""The binding work-around: many Qt calls and emits must not drain None or True."""

from __future__ import annotations

import sys

from briefreader.ui.qtcompat import _Probe, emit, install


def test_calls_and_emits_leave_reference_counts_usable() -> None:
    install()
    probe = _Probe()
    for _ in range(20000):
        probe.setObjectName("x")
        emit(probe.ping)
    # Without the work-around on an affected binding, None and True would have hit zero
    # (and aborted the interpreter) long before this.
    assert sys.getrefcount(None) > 1000
    assert sys.getrefcount(True) > 1000
