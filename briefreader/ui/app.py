"""QApplication set-up: library, workers, settings and the window wired together."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer, Slot
from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from briefreader import paths
from briefreader.core.library import Library
from briefreader.ui.main_window import MainWindow
from briefreader.ui.workers import Workers

log = logging.getLogger(__name__)

ORG = "briefreader"
APP = "briefreader"
SCREENSHOT_TIMEOUT_S = 120
STARTUP_PROBE_ENV = "BRIEFREADER_STARTUP_PROBE"


def _dark_palette() -> QPalette:
    p = QPalette()
    c = QPalette.ColorRole
    roles = {
        c.Window: "#1f2226",
        c.WindowText: "#e3e6e8",
        c.Base: "#17191c",
        c.AlternateBase: "#24282d",
        c.Text: "#e3e6e8",
        c.Button: "#2a2e33",
        c.ButtonText: "#e3e6e8",
        c.Highlight: "#3d6fb6",
        c.HighlightedText: "#ffffff",
        c.PlaceholderText: "#8b949c",
        c.ToolTipBase: "#2a2e33",
        c.ToolTipText: "#e3e6e8",
        c.Link: "#8ab4f8",
        c.Mid: "#4a5058",
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    return p


def _light_palette() -> QPalette:
    p = QPalette()
    c = QPalette.ColorRole
    roles = {
        c.Window: "#f4f5f7",
        c.WindowText: "#1f2328",
        c.Base: "#ffffff",
        c.AlternateBase: "#f2f4f7",
        c.Text: "#1f2328",
        c.Button: "#eef0f3",
        c.ButtonText: "#1f2328",
        c.Highlight: "#cfe0f8",
        c.HighlightedText: "#0f2540",
        c.PlaceholderText: "#6b737b",
        c.ToolTipBase: "#ffffff",
        c.ToolTipText: "#1f2328",
        c.Link: "#0b57d0",
        c.Mid: "#b8bec6",
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    return p


def apply_theme(app: QApplication, theme: str) -> None:
    """Fusion style with our palette and the matching stylesheet from resources/."""
    if app.property("briefreaderTheme") == theme:
        return
    app.setProperty("briefreaderTheme", theme)
    fusion = QStyleFactory.create("Fusion")
    if fusion is not None and app.style().name().lower() != "fusion":
        app.setStyle(fusion)
    app.setPalette(_dark_palette() if theme == "dark" else _light_palette())
    qss = paths.resources_dir() / f"{theme}.qss"
    try:
        app.setStyleSheet(qss.read_text("utf-8"))
    except OSError:
        log.warning("stylesheet %s not found", qss)
        app.setStyleSheet("")


def set_app_identity(app: QApplication) -> None:
    """Names and icon: the window manager, the task bar and QSettings all key on these."""
    app.setOrganizationName(ORG)
    app.setApplicationName(APP)
    app.setApplicationDisplayName("briefreader")
    # Matches resources/briefreader.desktop, so Wayland and GNOME pair window and launcher.
    app.setDesktopFileName("briefreader")
    icon = QIcon()
    icons = paths.resources_dir() / "icons"
    for png in sorted(icons.glob("briefreader-*.png")):
        icon.addFile(str(png))
    if icon.isNull():
        log.warning("application icon not found in %s", icons)
    app.setWindowIcon(icon)


def make_settings() -> QSettings:
    return QSettings(ORG, APP)


def _corpora(settings: QSettings) -> list[Path]:
    raw = settings.value("corpora", [])
    if isinstance(raw, str):
        raw = [raw]
    found = [Path(p) for p in (raw or []) if Path(p).is_dir()]
    return found or [paths.sample_corpus_dir()]


def run(args: argparse.Namespace) -> int:
    """Open the window (or render it to a PNG with ``--screenshot``) and run the event loop."""
    t0 = time.perf_counter()

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    set_app_identity(app)
    screenshot = getattr(args, "screenshot", None)
    data = paths.data_dir(getattr(args, "data_dir", None))
    if screenshot:
        # A screenshot shows the defaults, not whatever this user last left in the settings.
        settings = QSettings(str(data / "screenshot-settings.ini"), QSettings.Format.IniFormat)
        settings.clear()
    else:
        settings = make_settings()
    library = Library.open(
        _corpora(settings) if not screenshot else None,
        data_dir=data,
        glossary_files=[Path(g) for g in (getattr(args, "glossary", None) or [])],
    )
    workers = Workers(library, index_in_child=True)
    window = MainWindow(library, workers, settings)
    if screenshot:
        window.resize(1440, 900)
    window.show()
    window.start(getattr(args, "query", None) or "", getattr(args, "open", None))
    probe = StartupProbe(window, t0)
    app.installEventFilter(probe)
    if screenshot:
        return _screenshot(app, window, workers, Path(screenshot))
    code = app.exec()
    workers.shutdown()
    library.close()
    return int(code)


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
            print(f"{what} {ms:.1f}", flush=True)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
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
    state = {"quiet": 0, "settled": False}

    def check() -> None:
        busy = not window.index_done or workers.busy or window.pane.view is None
        state["quiet"] = 0 if busy else state["quiet"] + 1
        state["settled"] = state["quiet"] >= 3  # three quiet ticks: no follow-up work queued
        if state["settled"] or time.monotonic() > deadline:
            timer.stop()
            app.quit()

    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(check)
    timer.start()
    app.exec()
    return state["settled"]


def _screenshot(app: QApplication, window: MainWindow, workers: Workers, target: Path) -> int:
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
