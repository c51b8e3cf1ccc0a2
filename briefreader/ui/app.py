"""QApplication set-up: library, workers, settings and the window wired together."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from briefreader import paths
from briefreader.core.library import Library
from briefreader.ui.main_window import MainWindow
from briefreader.ui.workers import Workers

log = logging.getLogger(__name__)

ORG = "briefreader"
APP = "briefreader"
SCREENSHOT_TIMEOUT_S = 120


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
    app.setOrganizationName(ORG)
    app.setApplicationName(APP)
    app.setApplicationDisplayName("briefreader")
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
    first = {"done": False}

    def first_paint() -> None:
        if not first["done"]:
            first["done"] = True
            log.info("first window shown after %.0f ms", (time.perf_counter() - t0) * 1000)

    QTimer.singleShot(0, first_paint)
    if screenshot:
        return _screenshot(app, window, workers, Path(screenshot))
    code = app.exec()
    workers.shutdown()
    library.close()
    return int(code)


def _screenshot(app: QApplication, window: MainWindow, workers: Workers, target: Path) -> int:
    """Wait until indexing, the search and the first brief are done, grab, save, quit."""
    deadline = time.monotonic() + SCREENSHOT_TIMEOUT_S
    state = {"code": 1, "quiet": 0}

    def check() -> None:
        settled = window.index_done and not workers.busy and window.pane.view is not None
        if settled:
            state["quiet"] += 1
        else:
            state["quiet"] = 0
        if state["quiet"] >= 3:
            pixmap = window.grab()
            target.parent.mkdir(parents=True, exist_ok=True)
            if pixmap.save(str(target), "PNG"):
                print(str(target))
                state["code"] = 0
            else:
                print(f"briefreader: cannot write {target}", file=sys.stderr)
            timer.stop()
            window.close()
            app.quit()
        elif time.monotonic() > deadline:
            print("briefreader: the window did not settle in time", file=sys.stderr)
            timer.stop()
            window.close()
            app.quit()

    timer = QTimer()
    timer.setInterval(100)
    timer.timeout.connect(check)
    timer.start()
    app.exec()
    workers.shutdown()
    window.library.close()
    return state["code"]
