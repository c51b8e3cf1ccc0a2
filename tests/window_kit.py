"""The main window built for a test and not started: tests that start it their own way."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from PySide6.QtCore import QSettings

from briefreader.core.library import Library
from briefreader.ui.main_window import MainWindow


@contextlib.contextmanager
def unstarted_window(qtbot: Any, library: Library, settings: QSettings) -> Iterator[MainWindow]:
    """The window with every feature, on ``library``; closed, its workers stopped, at the end."""
    from briefreader.ui.app import build_window
    from briefreader.ui.workers import Workers

    workers = Workers(library)
    win = build_window(library, workers, settings)
    qtbot.addWidget(win)
    try:
        yield win
    finally:
        win.close()
        workers.shutdown()
