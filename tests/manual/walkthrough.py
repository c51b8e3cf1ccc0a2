"""A scripted walk through the real window, as a new user would take it; screenshots to look at.

Run by hand under a real X server (not collected by pytest: it needs one, and a person to
look at what it saves)::

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python tests/manual/walkthrough.py OUT

At 1000x700, 1366x768 (a small laptop's screen), 1400x900 and 1920x1080, in the light and the
dark theme, it searches, opens a result, steps through its hits with F3, ticks a year in the
Filters, selects an actor, goes back and forward with Alt+Left / Alt+Right and switches the
theme, saving a PNG of the screen after each step (``OUT/1400x900-light-03-f3.png``...). It
also checks what a screenshot cannot show at a glance and prints a line for each failure: a
horizontal scroll bar under the results, a hit not near the middle of its pane, a history
key that did nothing, a window larger than the screen's free area, a Qt
warning on stderr. Exit code 0 means none were found; then look at every picture.

High-density screens: ``--scale 2`` runs Qt at 200 % (``QT_SCALE_FACTOR``), so the sizes are
in Qt's pixels and the pictures twice as large; give the X server a screen twice as large
(``-screen 0 3840x2160x24``; ``2732x1536x24`` for ``--size 1366x768`` alone) and look for blurred
icons, marks and charts. ``--size screen`` leaves the window the size a new user's first
window gets on this screen (run the server at ``-screen 0 1366x768x24`` to see a small laptop)
and reports a window larger than the screen's free area.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QEventLoop,
    QMessageLogContext,
    Qt,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtGui import QFontMetricsF
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

SIZES = ((1000, 700), (1366, 768), (1400, 900), (1920, 1080))
#: ``--size screen``: the window as sized for a new user on this screen.
SCREEN = (0, 0)
THEMES = ("light", "dark")
QUERY = "PMF disarm"
WAIT_MS = 30000

problems: list[str] = []
warnings: list[str] = []


def _on_qt_message(kind: QtMsgType, _context: QMessageLogContext, text: str) -> None:
    if kind != QtMsgType.QtDebugMsg:
        warnings.append(text)
        print(f"  Qt: {text}", file=sys.stderr)


def wait_for(done: Callable[[], bool], what: str, timeout_ms: int = WAIT_MS) -> None:
    """Run the event loop until ``done()`` holds (checked every 20 ms), or note a problem."""
    loop = QEventLoop()
    timer = QTimer(interval=20)
    deadline = QTimer(singleShot=True, interval=timeout_ms)
    timer.timeout.connect(lambda: loop.quit() if done() else None)
    deadline.timeout.connect(loop.quit)
    timer.start()
    deadline.start()
    if not done():
        loop.exec()
    timer.stop()
    deadline.stop()
    if not done():
        problems.append(f"timed out waiting for {what}")


def settle(window, ms: int = 150) -> None:  # type: ignore[no-untyped-def]
    """Let layouts and paints finish (no background job is running)."""
    wait_for(lambda: not window.workers.busy, "the workers")
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def shot(window, out: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    settle(window)
    screen = window.screen()
    geo = window.frameGeometry()
    pixmap = screen.grabWindow(0, geo.x(), geo.y(), geo.width(), geo.height())
    path = out / f"{name}.png"
    pixmap.save(str(path), "PNG")
    print(f"  saved {path}")


def check_layout(window, label: str) -> None:  # type: ignore[no-untyped-def]
    """What clipping looks like to a program: scroll bars, a squeezed search box."""
    bar = window.results.horizontalScrollBar()
    if bar.isVisible() and bar.maximum() > 0:
        problems.append(f"{label}: horizontal scroll bar under the results")
    fm = window.search_box.fontMetrics()
    chars = window.search_box.width() // max(1, fm.averageCharWidth())
    if chars < 16:
        problems.append(f"{label}: the search box shows only about {chars} characters")
    for browser in window.pane.browsers:
        if not browser.isVisible():
            continue
        fm = QFontMetricsF(browser.document().defaultFont())
        sample = "with Iraqi leaders in Baghdad, the Quds Force said that the militias"
        width = browser.document().textWidth() - 2 * browser.document().documentMargin()
        per_line = width / (fm.horizontalAdvance(sample) / len(sample))
        print(f"  {label}: {browser.objectName()} ~{per_line:.0f} characters a line")


def check_on_screen(window, label: str) -> None:  # type: ignore[no-untyped-def]
    """The window, frame and all, inside the free area of its screen."""
    free = window.screen().availableGeometry()
    frame = window.frameGeometry()
    print(
        f"  {label}: window {frame.width()}x{frame.height()} on a free area of "
        f"{free.width()}x{free.height()} (device pixel ratio {window.devicePixelRatioF():g})"
    )
    if not free.contains(frame):
        problems.append(
            f"{label}: the window ({frame.width()}x{frame.height()} at {frame.x()},{frame.y()}) "
            f"is not inside the screen's free area ({free.width()}x{free.height()})"
        )


def check_hit_centred(window, label: str) -> None:  # type: ignore[no-untyped-def]
    browser = next((b for b in window.pane.browsers if b.textCursor().hasSelection()), None)
    if browser is None:
        problems.append(f"{label}: no hit selected")
        return
    rect = browser.cursorRect()
    height = browser.viewport().height()
    bar = browser.verticalScrollBar()
    if bar.maximum() == 0:
        return  # the whole section fits: nothing to centre
    at_end = bar.value() in (0, bar.maximum())
    off = abs(rect.center().y() - height / 2)
    if off > height / 4 and not at_end:
        problems.append(f"{label}: the hit is {off:.0f} px off the middle of a {height} px pane")


def walk(app: QApplication, data: Path, out: Path, size: tuple[int, int], theme: str) -> None:
    from briefreader import paths
    from briefreader.core.library import Library
    from briefreader.ui.app import build_window, window_settings
    from briefreader.ui.workers import Workers

    scale = os.environ.get("QT_SCALE_FACTOR", "1")
    name = "screen" if size == SCREEN else f"{size[0]}x{size[1]}"
    label = f"{name}{'' if scale == '1' else '@' + scale + 'x'}-{theme}"
    print(label)
    settings = window_settings(data)
    settings.clear()  # the default layout at this size, as a new user sees it
    library = Library.open([paths.sample_corpus_dir()], data_dir=data)
    workers = Workers(library)
    window = build_window(library, workers, settings)
    window.set_theme(theme)
    if size != SCREEN:
        window.resize(*size)
    window.move(0, 0)
    window.show()
    window.activateWindow()
    window.start()
    wait_for(lambda: window.index_done and window.pane.view is not None, "the first brief")
    check_on_screen(window, label)
    shot(window, out, f"{label}-01-start")

    window.focus_search()
    QTest.keyClicks(window.search_box, QUERY)
    wait_for(lambda: window.search.shown_query == QUERY, "the results of " + QUERY)
    check_layout(window, label)
    shot(window, out, f"{label}-02-search")

    opened = window.pane.view.brief.id if window.pane.view else None
    QTest.keyClick(window.search_box, Qt.Key.Key_Return)  # Enter opens the top result
    top = window.model.hit(0)
    wait_for(
        lambda: (
            top is not None and window.pane.view is not None and window.pane.view.brief.id == top.id
        ),
        "Enter to open the top result",
    )
    window.results.setFocus()
    QTest.keyClick(window.results, Qt.Key.Key_Down)
    QTest.keyClick(window.results, Qt.Key.Key_Return)
    second = window.model.hit(1)
    wait_for(
        lambda: (
            second is not None
            and window.pane.view is not None
            and window.pane.view.brief.id == second.id
        ),
        "the second result to open",
    )
    check_hit_centred(window, f"{label} open")
    shot(window, out, f"{label}-03-open")
    del opened

    for _ in range(2):
        QTest.keyClick(window, Qt.Key.Key_F3)
    settle(window)
    check_hit_centred(window, f"{label} F3")
    shot(window, out, f"{label}-04-f3")

    QTest.keyClick(
        window,
        Qt.Key.Key_F,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    wait_for(window.facet_dock.isVisible, "the Filters panel")
    years = window.facet_models["year"]
    row = next((r for r in range(years.rowCount()) if years.item(r).text().startswith("2019")), 0)
    years.item(row).setCheckState(Qt.CheckState.Checked)
    wait_for(lambda: window.facet_panel.filters["year"] != [], "the year filter")
    settle(window)
    check_layout(window, f"{label} filters")
    shot(window, out, f"{label}-05-filters")
    window.clear_filters()
    window.facet_dock.hide()
    settle(window)

    panel = window.glossary_panel
    tree = panel.tree
    first_group = panel.model.index(0, 0)
    if panel.model.rowCount(first_group):
        tree.setCurrentIndex(panel.model.index(0, 0, first_group))
    settle(window)
    shot(window, out, f"{label}-06-actor")

    before = window.pane.view.brief.id if window.pane.view else None
    window.pane.browsers[0].setFocus()
    QTest.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    wait_for(
        lambda: window.pane.view is not None and window.pane.view.brief.id != before,
        "Alt+Left to go back",
    )
    shot(window, out, f"{label}-07-back")
    QTest.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    wait_for(
        lambda: window.pane.view is not None and window.pane.view.brief.id == before,
        "Alt+Right to go forward",
    )

    browser = window.pane.browsers[0]
    bar = browser.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    kept = bar.value()
    window.set_theme("dark" if theme == "light" else "light")
    settle(window)
    if kept and bar.value() != kept:
        problems.append(
            f"{label}: the theme switch scrolled the reader from {kept} to {bar.value()}"
        )
    shot(window, out, f"{label}-08-theme")

    window.close()
    workers.shutdown()
    library.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, help="folder for the screenshots")
    parser.add_argument(
        "--size", action="append",
        help="WxH in Qt's pixels, or 'screen': a new user's first window (repeatable; "
        "default: four sizes)",
    )  # fmt: skip
    parser.add_argument("--theme", action="append", choices=THEMES)
    parser.add_argument("--scale", help="Qt's scale factor (QT_SCALE_FACTOR), e.g. 2 or 1.5")
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):
        print("walkthrough: needs an X server: run it under xvfb-run", file=sys.stderr)
        return 2
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    if args.scale:
        os.environ["QT_SCALE_FACTOR"] = args.scale
    args.out.mkdir(parents=True, exist_ok=True)
    sizes = (
        [SCREEN if s == "screen" else tuple(int(v) for v in s.split("x")) for s in args.size]
        if args.size
        else SIZES
    )
    qInstallMessageHandler(_on_qt_message)
    app = QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="briefreader-walk-") as tmp:
        for theme in args.theme or THEMES:
            for size in sizes:
                walk(app, Path(tmp), args.out, size, theme)  # type: ignore[arg-type]
    for p in problems:
        print(f"PROBLEM {p}")
    for w in warnings:
        print(f"QT WARNING {w}")
    print("no problems found: now look at every picture" if not (problems or warnings) else "")
    return 1 if problems or warnings else 0


if __name__ == "__main__":
    sys.exit(main())
