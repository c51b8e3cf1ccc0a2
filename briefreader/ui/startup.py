"""Start-up figures and looking at the settled window: the probe, waiting, the screenshot.

``benchmarks/bench_startup.py`` reads what :class:`StartupProbe` prints; ``--screenshot``
and ``--smoke`` wait with :func:`wait_until_settled` before they look at the window.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication

from briefreader.ui.main_window import MainWindow
from briefreader.ui.workers import Workers

log = logging.getLogger(__name__)

SCREENSHOT_TIMEOUT_S = 120
STARTUP_PROBE_ENV = "BRIEFREADER_STARTUP_PROBE"


class StartupProbe(QObject):
    """Notes when the window is first painted and first searchable, for start-up figures.

    With $BRIEFREADER_STARTUP_PROBE set to the launcher's ``time.time()`` at process start,
    it prints ``first-paint MS`` and ``searchable MS`` (since that moment) on stdout and
    quits once the first results are listed: ``benchmarks/bench_startup.py`` reads these to
    time the frozen app against ``python -m briefreader``. Otherwise it only logs.
    """

    def __init__(self, window: MainWindow, t0: float) -> None:
        super().__init__(window)
        raw = os.environ.get(STARTUP_PROBE_ENV)
        self._launched = float(raw) if raw else None
        self._t0 = t0
        self._painted = False
        window.resultsShown.connect(self._on_results)

    def _elapsed_ms(self) -> float:
        if self._launched is not None:
            return (time.time() - self._launched) * 1000
        return (time.perf_counter() - self._t0) * 1000

    def _report(self, what: str) -> None:
        ms = self._elapsed_ms()
        log.info("%s after %.0f ms", what, ms)
        if self._launched is not None:
            try:
                print(f"{what} {ms:.1f}", flush=True)
            except OSError:  # the launcher stopped reading: still close, never hang on
                log.info("nobody reads the start-up figures any more")

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if not self._painted and event.type() == QEvent.Type.Paint:
            self._painted = True
            # Reported once the paint event has been handled and the frame flushed.
            QTimer.singleShot(0, lambda: self._report("first-paint"))
            QApplication.instance().removeEventFilter(self)  # type: ignore[union-attr]
        return False

    @Slot(int)
    def _on_results(self, _count: int) -> None:
        window = self.parent()
        assert isinstance(window, MainWindow)
        window.resultsShown.disconnect(self._on_results)
        self._report("searchable")
        if self._launched is not None:
            QTimer.singleShot(0, window.close)


def wait_until_settled(
    app: QApplication, window: MainWindow, workers: Workers, timeout_s: float
) -> bool:
    """Run the event loop until indexing, the search and the first brief are done.

    Returns False if that takes longer than ``timeout_s``. The window stays open, so the
    caller can look at it (``--screenshot``, ``--smoke``) before closing it.
    """
    deadline = time.monotonic() + timeout_s
    quiet = [0]  # ticks in a row with nothing running; three: no follow-up work queued

    def check() -> None:
        busy = not window.index_done or workers.busy or window.pane.view is None
        quiet[0] = 0 if busy else quiet[0] + 1
        if quiet[0] >= 3 or time.monotonic() > deadline:
            timer.stop()
            app.quit()

    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(check)
    timer.start()
    app.exec()
    return quiet[0] >= 3


def take_screenshot(app: QApplication, window: MainWindow, workers: Workers, target: Path) -> int:
    """Wait until indexing, the search and the first brief are done, grab, save, quit."""
    code = 1
    if not wait_until_settled(app, window, workers, SCREENSHOT_TIMEOUT_S):
        print("briefreader: the window did not settle in time", file=sys.stderr)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        if window.grab().save(str(target), "PNG"):
            print(str(target))
            code = 0
        else:
            print(f"briefreader: cannot write {target}", file=sys.stderr)
    window.close()
    workers.shutdown()
    window.library.close()
    return code
