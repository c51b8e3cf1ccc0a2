"""The leak check of tests/conftest.py fails on each thing it is meant to catch."""

from __future__ import annotations

import threading

from leaks import leftovers
from PySide6.QtCore import QProcess, QThreadPool, QTimer


def test_a_running_timer_is_reported(qapp) -> None:  # type: ignore[no-untyped-def]
    timer = QTimer()
    timer.setObjectName("forgotten")
    timer.start(60_000)
    try:
        assert any("QTimer" in item and "60000 ms" in item for item in leftovers(set()))
    finally:
        timer.stop()
    assert not any("QTimer" in item for item in leftovers(set()))


def test_a_running_process_is_reported(qapp) -> None:  # type: ignore[no-untyped-def]
    import sys

    child = QProcess()
    child.start(sys.executable, ["-c", "import time; time.sleep(60)"])
    assert child.waitForStarted(10_000)
    try:
        assert any("QProcess" in item for item in leftovers(set()))
    finally:
        child.kill()
        child.waitForFinished(10_000)
    assert not any("QProcess" in item for item in leftovers(set()))


def test_a_python_thread_is_reported(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import leaks

    monkeypatch.setattr(leaks, "SETTLE_S", 0.1)
    release = threading.Event()
    before = set(threading.enumerate())
    thread = threading.Thread(target=release.wait, name="forgotten-worker")
    thread.start()
    try:
        assert "thread 'forgotten-worker'" in leftovers(before)
    finally:
        release.set()
        thread.join()
    assert leftovers(before) == []


def test_a_busy_thread_pool_is_reported(qapp, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import leaks

    monkeypatch.setattr(leaks, "SETTLE_S", 0.1)
    release = threading.Event()
    pool = QThreadPool.globalInstance()
    pool.start(lambda: release.wait(30))
    try:
        assert any("thread-pool" in item for item in leftovers(set()))
    finally:
        release.set()
        pool.waitForDone(10_000)
    assert not any("thread-pool" in item for item in leftovers(set()))
