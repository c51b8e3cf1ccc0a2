"""The actor workbench in a real window, photographed: its page and the candidate actors.

Run by hand under a real X server (not collected by pytest)::

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python tests/manual/actor_shots.py OUT \
        [--size 1024x640] [--theme light|dark] [--actor NAME]

For each size and theme it opens the sample corpus, opens the page of the actor named by most
briefs (or ``--actor``), hovers a month of the chart, then shows the candidate actors, saving
``OUT/WxH-THEME-actor.png`` and ``OUT/WxH-THEME-candidates.png``. It prints a line for each
thing a picture cannot show at a glance: a sideways scroll bar under the company table or
the dossier, a chart shorter than its minimum, a Qt warning.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QCursor, QMouseEvent
from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parent))
from walkthrough import problems, settle, shot, wait_for, warnings

SIZES = ((1024, 640), (1920, 1080))


def _on_qt_message(kind: QtMsgType, _context: object, text: str) -> None:
    if kind != QtMsgType.QtDebugMsg:
        warnings.append(text)
        print(f"  Qt: {text}", file=sys.stderr)


def walk(data: Path, out: Path, size: tuple[int, int], theme: str, actor: str | None) -> None:
    from briefreader import paths
    from briefreader.core.library import Library
    from briefreader.ui.actors.workbench import ActorWorkbench
    from briefreader.ui.app import build_window, window_settings
    from briefreader.ui.workers import Workers

    label = f"{size[0]}x{size[1]}-{theme}"
    print(label)
    settings = window_settings(data)
    settings.clear()
    library = Library.open([paths.sample_corpus_dir()], data_dir=data)
    workers = Workers(library)
    window = build_window(library, workers, settings)
    window.set_theme(theme)
    window.resize(*size)
    window.move(0, 0)
    window.show()
    window.activateWindow()
    window.start()
    wait_for(lambda: window.index_done and window.pane.view is not None, "the first brief")
    settle(window)
    bench = window.feature(ActorWorkbench)
    if actor is None:
        counts = library.actor_counts()
        actor = max(counts, key=lambda a: counts[a])
    bench.open_actor(actor)
    wait_for(lambda: bench.page.page is not None, "the actor page")
    settle(window)
    page = bench.page
    if page.chart.height() < page.chart.minimumHeight():
        problems.append(f"{label}: the chart is {page.chart.height()} px high")
    for view in (page.company, page.dossier):
        bar = view.horizontalScrollBar()
        if bar.isVisible() and bar.maximum() > 0:
            problems.append(f"{label}: a sideways scroll bar under {view.objectName()}")
    months = [m for m in page.chart.months if page.chart.count(m)]
    if months:
        busiest = max(months, key=lambda m: page.chart.count(m).briefs)  # type: ignore[union-attr]
        where = page.chart.bar_rect(busiest).center()
        QCursor.setPos(page.chart.mapToGlobal(where))
        move = QMouseEvent(
            QEvent.Type.MouseMove,
            QPointF(where),
            QPointF(page.chart.mapToGlobal(where)),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(page.chart, move)
    settle(window, 600)
    shot(window, out, f"{label}-actor")
    QCursor.setPos(QPoint(size[0] + 50, size[1] + 50))
    page.company_tabs.setCurrentWidget(page.graph)
    settle(window)
    shot(window, out, f"{label}-graph")
    page.company_tabs.setCurrentWidget(page.company)
    bench.show_candidates()
    wait_for(lambda: not bench.counter.counting, "the candidate actors", 120000)
    settle(window)
    shot(window, out, f"{label}-candidates")
    window.close()
    workers.shutdown()
    library.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--size", action="append", help="WxH (repeatable)")
    parser.add_argument("--theme", action="append", choices=("light", "dark"))
    parser.add_argument("--actor", help="an actor's name (default: the one most briefs name)")
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):
        print("actor_shots: needs an X server: run it under xvfb-run", file=sys.stderr)
        return 2
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    args.out.mkdir(parents=True, exist_ok=True)
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.size] if args.size else SIZES
    qInstallMessageHandler(_on_qt_message)
    app = QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="briefreader-actor-") as tmp:
        for theme in args.theme or ("light", "dark"):
            for size in sizes:
                walk(Path(tmp), args.out, size, theme, args.actor)  # type: ignore[arg-type]
    del app
    for p in problems:
        print(f"PROBLEM {p}")
    for w in warnings:
        print(f"QT WARNING {w}")
    return 1 if problems or warnings else 0


if __name__ == "__main__":
    raise SystemExit(main())
