"""The pinned Qt binding must not drain None or True (PySide6 6.12.0 on CPython 3.11 did)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

from briefreader.ui.qtcompat import emit


class _Probe(QObject):
    ping = Signal()


def test_calls_and_emits_keep_reference_counts() -> None:
    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(5000):
        probe.setObjectName("x")
        emit(probe.ping)
    # An affected binding loses one reference per call; allow for unrelated noise only.
    assert sys.getrefcount(None) - none_before > -100
    assert sys.getrefcount(True) - true_before > -100


def test_emit_on_a_deleted_object_is_quiet(qtbot) -> None:
    probe = _Probe()
    signal = probe.ping
    probe.deleteLater()
    qtbot.waitUntil(lambda: not _alive(probe))
    emit(signal)  # no exception


def _alive(obj: QObject) -> bool:
    try:
        obj.objectName()
    except RuntimeError:
        return False
    return True
