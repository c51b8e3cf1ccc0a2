"""QApplication set-up: library, workers, settings and the window wired together, and the
window's features installed in it; nothing else.

Everything the window writes lives in the data folder (``--data-dir``, $BRIEFREADER_DATA_DIR
or the platform's): its layout in ``window.ini`` there, and the corpus folders in the
preferences the command line shares (:mod:`briefreader.core.prefs`).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from briefreader import paths
from briefreader.core.brief import BriefError
from briefreader.core.library import Library
from briefreader.core.prefs import Preferences
from briefreader.core.records import IndexBusyError, IndexDamagedError
from briefreader.core.safetext import say
from briefreader.ui import team_archive
from briefreader.ui.actors import workbench
from briefreader.ui.host import Feature
from briefreader.ui.main_window import MainWindow
from briefreader.ui.startup import StartupProbe, take_screenshot
from briefreader.ui.userlayer import layer as userlayer
from briefreader.ui.workers import Workers

log = logging.getLogger(__name__)

ORG = "briefreader"
APP = "briefreader"
WINDOW_SETTINGS = "window.ini"

#: The window's features, installed in this order (their menu entries and docks keep it):
#: the user's notes, stars and saved searches; the team archive; actor pages and candidates.
FEATURES: tuple[Feature, ...] = (userlayer.install, team_archive.install, workbench.install)


def set_app_identity(app: QApplication) -> None:
    """Names and icon: the window manager and the task bar key on these."""
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


def build_window(library: Library, workers: Workers, settings: QSettings) -> MainWindow:
    """The main window with every feature installed (the app's, the smoke test's, tests')."""
    return MainWindow(library, workers, settings, features=FEATURES)


def window_settings(data: Path) -> QSettings:
    """The window's layout and view state, as an INI file in the data folder.

    Never QSettings(ORG, APP): that writes to ~/.config even when the user chose
    ``--data-dir``, and the README promises that everything goes to the data folder.
    """
    return QSettings(str(data / WINDOW_SETTINGS), QSettings.Format.IniFormat)


def _corpora(data: Path) -> list[Path]:
    """The corpus folders to open: the last ones either front end used, else the sample."""
    return Preferences.load(data).existing_corpora() or [paths.sample_corpus_dir()]


def _what_to_open(args: argparse.Namespace, data: Path) -> tuple[list[Path], str | None]:
    """The corpus folders and the brief to open: ``briefreader FOLDER`` opens the window on
    that folder (for this session), ``briefreader FILE`` opens that brief; else ``--open``."""
    target = getattr(args, "target", None)
    open_id = getattr(args, "open", None)
    if target:
        path = Path(target).expanduser().resolve()
        if path.is_dir():
            return [path], open_id
        open_id = str(path)
    return _corpora(data), open_id


def _check_open(library: Library, open_id: str | None) -> str | None:
    """Why ``open_id`` cannot be opened, in plain words, or None when it can."""
    if not open_id:
        return None
    try:
        library.brief(open_id)
    except BriefError as exc:
        return str(exc)
    except (IndexBusyError, IndexDamagedError, OSError):
        return None  # the window's own loading says what went wrong
    return None


def run(args: argparse.Namespace) -> int:
    """Open the window (or render it to a PNG with ``--screenshot``) and run the event loop."""
    t0 = time.perf_counter()

    screenshot = getattr(args, "screenshot", None)
    data = paths.data_dir(getattr(args, "data_dir", None))
    corpora, open_id = _what_to_open(args, data)
    library = Library.open(
        corpora,
        data_dir=data,
        glossary_files=[Path(g) for g in (getattr(args, "glossary", None) or [])],
    )
    problem = _check_open(library, open_id)
    if problem and screenshot:
        # A screenshot of a brief that cannot be opened would wait for it in vain.
        say(f"briefreader: {problem}", file=sys.stderr)
        library.close()
        return 1
    pending = None
    if problem:
        # The window opens the best hit instead, and says why; the brief is looked for
        # again once the index is updated (a digest's item in a folder never indexed).
        pending, open_id = open_id, None

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    set_app_identity(app)
    if screenshot:
        # A screenshot shows the default layout, not whatever this user last left there.
        settings = QSettings(str(data / "screenshot-settings.ini"), QSettings.Format.IniFormat)
        settings.clear()
    else:
        settings = window_settings(data)
    log.info("opening the window on %s", ", ".join(str(c) for c in library.corpora))
    workers = Workers(library, index_in_child=True)
    window = build_window(library, workers, settings)
    if screenshot:
        window.resize(1440, 900)
    window.show()
    window.start(getattr(args, "query", None) or "", open_id, pending_open=pending)
    if problem:
        window.statusBar().showMessage(
            f"{problem} (looked for again when the index is updated)", 10000
        )
    probe = StartupProbe(window, t0)
    app.installEventFilter(probe)
    if screenshot:
        return take_screenshot(app, window, workers, Path(screenshot))
    code = app.exec()
    workers.shutdown()
    library.close()
    return int(code)
