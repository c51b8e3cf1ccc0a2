"""Times the real window in a child process and prints one JSON object (for run.py).

    python benchmarks/app_probe.py start --corpus C --data-dir D [--query Q] [--briefs N]
    python benchmarks/app_probe.py stall --corpus C --data-dir D [--seconds S]
    python benchmarks/app_probe.py list --rows 100000
    python benchmarks/app_probe.py bare

It runs ``briefreader.ui.app.run`` itself (the corpus folders are given instead of read from
the user's settings) and watches it from outside: an application-wide event filter notes the
first paint of the main window, the window's signals say when results and briefs are shown,
and a heartbeat timer measures how long the event loop goes without running. The parent
passes its launch time in $BRIEFREADER_PROBE_T0 so that start-up includes the interpreter.
Run it with QT_QPA_PLATFORM=offscreen on a machine without a screen.
"""

from __future__ import annotations

import os
import random
import time

T_IMPORT = time.time()

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

T0 = float(os.environ.get("BRIEFREADER_PROBE_T0", T_IMPORT))


def since_launch() -> float:
    """Milliseconds since the parent launched this process."""
    return (time.time() - T0) * 1000


def _rss_mb(anon: bool = False) -> float:
    from benchmarks.proctree import tree_rss

    return tree_rss(os.getpid(), anon=anon) / 2**20


class Heartbeat:
    """A 5 ms timer on the GUI thread: the longest gap between ticks is the worst stall."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.gaps: list[float] = []
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.perf_counter()
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append((now - self._last) * 1000)
        self._last = now

    def stop(self) -> dict[str, float]:
        self.timer.stop()
        g = self.gaps or [0.0]
        ordered = sorted(g)
        return {
            "max_gap_ms": max(g),
            "p99_gap_ms": ordered[int(0.99 * (len(ordered) - 1))],
            "median_gap_ms": statistics.median(g),
            "ticks": len(self.gaps),
        }


def _run_app(corpus: Path, data_dir: Path, query: str, on_window: Callable[[Any], None]) -> int:
    """Start the real window on ``corpus``; ``on_window(window)`` once it exists."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from briefreader.ui import app as uiapp
    from briefreader.ui.main_window import MainWindow

    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    # The user's own settings would choose the corpus: the probe chooses it.
    uiapp._corpora = lambda _data: [corpus]  # type: ignore[attr-defined]
    uiapp.window_settings = lambda _data: _scratch_settings(data_dir)  # type: ignore[attr-defined]

    class FirstPaint(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.window: Any = None

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if self.window is None and isinstance(watched, MainWindow):
                self.window = watched
                QTimer.singleShot(0, lambda: on_window(watched))
            if event.type() == QEvent.Type.Paint and isinstance(watched, MainWindow):
                RESULT.setdefault("first_paint_ms", since_launch())
            return False

    spy = FirstPaint()
    qapp.installEventFilter(spy)
    ns = argparse.Namespace(
        data_dir=str(data_dir), glossary=[], query=query, open=None, screenshot=None
    )
    return int(uiapp.run(ns))


def _scratch_settings(data_dir: Path) -> Any:
    from PySide6.QtCore import QSettings

    s = QSettings(str(data_dir / "probe-settings.ini"), QSettings.Format.IniFormat)
    s.clear()
    return s


RESULT: dict[str, Any] = {}


def cmd_start(args: argparse.Namespace) -> None:
    """Cold start, searchable, open-brief times and idle memory on an existing index."""
    from PySide6.QtWidgets import QApplication

    state: dict[str, Any] = {"opened": [], "t": 0.0, "refs": [], "phase": "warm"}

    def on_window(window: Any) -> None:
        from PySide6.QtCore import QTimer

        def shown(total: int) -> None:
            if "searchable_ms" in RESULT:
                return
            RESULT["searchable_ms"] = since_launch()
            RESULT["results"] = total
            n = window.model.rowCount()
            hits = [window.model.hit(i).id for i in range(min(n, 2 * args.briefs))]
            # Warm the app (fonts, caches, code paths) on briefs that are not timed after.
            timed = hits[: args.briefs]
            state["warm"] = hits[args.briefs :] or timed[:3]
            # Cold: briefs not prepared ahead, in a shuffled order (a click anywhere in the
            # list). Next: the list in order, each opened once the one before is shown and
            # the window is idle again (as after reading it): the window prepares the next
            # result ahead.
            shuffled = list(timed)
            random.Random(3).shuffle(shuffled)
            state["plan"] = (
                [("warm", r) for r in state["warm"]]
                + [("cold", r) for r in shuffled]
                + [("next", r) for r in timed]
            )
            state["times"] = {"cold": [], "next": []}
            QTimer.singleShot(300, step)

        def step() -> None:
            if not state["plan"]:
                finish()
                return
            # As a reader does, open the next brief once the one before is read: its related
            # briefs are found (they follow RELATED_DELAY_MS after it) and, for the next result,
            # it has been prepared ahead.
            settled = time.perf_counter() - state.get("shown_at", 0.0)
            if settled < 0.2 or (window.workers.busy and settled < 10.0):
                QTimer.singleShot(5, step)  # (a worker still busy after 10 s is waited no more)
                return
            phase, ref = state["plan"].pop(0)
            if phase != "next":
                window.workers.forget_views()
            state.update(t=time.perf_counter(), ref=ref, phase=phase)
            window.open_brief(ref)

        def brief_shown(ref: str) -> None:
            if ref != state.get("ref"):
                return
            window.pane.repaint()  # painted, not just queued for painting
            ms = (time.perf_counter() - state["t"]) * 1000
            if state["phase"] in state["times"]:
                state["times"][state["phase"]].append(ms)
            state["ref"] = None
            state["shown_at"] = time.perf_counter()
            QTimer.singleShot(0, step)

        def finish() -> None:
            RESULT["open_ms"] = state["times"]["cold"]
            RESULT["open_next_ms"] = state["times"]["next"]
            if view := window.pane.view:
                RESULT["open_words"] = len(view.brief.article.split())
                RESULT["open_mentions"] = len(view.mentions)
            gc.collect()
            QTimer.singleShot(args.idle_ms, lambda: quit_(window))

        def quit_(w: Any) -> None:
            RESULT["idle_rss_mb"] = _rss_mb()
            RESULT["idle_anon_mb"] = _rss_mb(anon=True)
            from benchmarks.proctree import anon_bytes

            RESULT["self_anon_mb"] = anon_bytes(os.getpid()) / 2**20
            child = getattr(w.workers, "_child", None)
            RESULT["indexer_running"] = child is not None
            w.close()
            QApplication.instance().quit()  # type: ignore[union-attr]

        window.resultsShown.connect(shown)
        window.briefShown.connect(brief_shown)

    _run_app(args.corpus, args.data_dir, args.query, on_window)


def cmd_stall(args: argparse.Namespace) -> None:
    """The longest event-loop gap while the window indexes the corpus in the background."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    beat = Heartbeat()
    state: dict[str, Any] = {"done": 0, "total": 0}

    def on_window(window: Any) -> None:
        def progress(done: int, total: int, _path: str) -> None:
            state["done"], state["total"] = done, total

        def stop(finished: bool) -> None:
            if "finished" in RESULT:
                return
            RESULT.update(beat.stop())
            RESULT["finished"] = finished
            RESULT["indexed"] = state["done"]
            RESULT["total"] = state["total"]
            RESULT["seconds"] = time.perf_counter() - state["t0"]
            window.workers.cancel()
            window.close()
            QApplication.instance().quit()  # type: ignore[union-attr]

        window.workers.indexProgress.connect(progress)
        window.indexReady.connect(lambda _r: stop(True))
        state["t0"] = time.perf_counter()
        beat.start()
        QTimer.singleShot(int(args.seconds * 1000), lambda: stop(False))

    _run_app(args.corpus, args.data_dir, "", on_window)


def _fake_hits(rows: int) -> list[Any]:
    import datetime as dt

    from briefreader.core.records import Hit, Snippet

    words = [
        *("officials", "said", "the", "talks", "would", "resume"),
        *("after", "the", "holiday", "in", "the", "capital"),
    ]
    out = []
    for i in range(rows):
        text = " ".join(words[(i + k) % len(words)] for k in range(30))
        out.append(
            Hit(
                key=f"/c/{i}.md",
                id=f"{i}.md",
                title=f"Brief number {i}: {words[i % len(words)]} {words[(i * 7) % len(words)]}",
                date=dt.date(2015 + i % 10, 1 + i % 12, 1 + i % 28),
                source=("AFP", "Reuters", "Fars")[i % 3],
                tags=("politics",),
                actors=("iran", "iraq"),
                score=1.0,
                snippet=Snippet("article", text, ((0, 9), (20, 25))),
            )
        )
    return out


def cmd_list(args: argparse.Namespace) -> None:
    """A list of ``rows`` hits: time to shown, then frame times while scrolling."""
    from PySide6.QtCore import QStringListModel
    from PySide6.QtWidgets import QApplication, QListView

    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    hits = _fake_hits(args.rows)
    view = QListView()
    view.resize(420, 800)
    if args.bare:
        model: Any = QStringListModel()
        titles = [h.title for h in hits]
    else:
        from briefreader.ui.models import HitListModel
        from briefreader.ui.widgets.result_delegate import ResultDelegate

        model = HitListModel(None)
        view.setItemDelegate(ResultDelegate(view))
        view.setUniformItemSizes(True)
    view.setModel(model)
    view.show()
    qapp.processEvents()
    t0 = time.perf_counter()
    if args.bare:
        model.setStringList(titles)
    else:
        model.set_hits(hits, len(hits))
    view.repaint()
    RESULT["shown_ms"] = (time.perf_counter() - t0) * 1000
    bar = view.verticalScrollBar()
    frames: list[float] = []
    steps = args.frames
    for i in range(steps):
        # A page down most frames, a jump now and then: what a flick and a drag do.
        value = (i * bar.pageStep()) if i % 10 else (i * bar.maximum()) // steps
        t = time.perf_counter()
        bar.setValue(min(value, bar.maximum()))
        view.viewport().repaint()
        qapp.processEvents()
        frames.append((time.perf_counter() - t) * 1000)
    RESULT["frame_ms"] = frames
    RESULT["rows"] = model.rowCount()


def cmd_bare(args: argparse.Namespace) -> None:
    """The floor for start-up: a bare window with an empty list, and its memory."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QListView, QMainWindow

    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    win = QMainWindow()

    class Spy(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if watched is win and event.type() == QEvent.Type.Paint:
                RESULT.setdefault("first_paint_ms", since_launch())
                QTimer.singleShot(args.idle_ms, qapp.quit)
            return False

    spy = Spy()
    win.installEventFilter(spy)
    win.setCentralWidget(QListView())
    win.resize(1200, 800)
    win.show()
    qapp.exec()
    RESULT["idle_rss_mb"] = _rss_mb()
    RESULT["idle_anon_mb"] = _rss_mb(anon=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("start")
    p.add_argument("--corpus", type=Path, required=True)
    p.add_argument("--data-dir", type=Path, required=True)
    p.add_argument("--query", default="minister")
    p.add_argument("--briefs", type=int, default=20)
    p.add_argument("--idle-ms", type=int, default=1500)
    p = sub.add_parser("stall")
    p.add_argument("--corpus", type=Path, required=True)
    p.add_argument("--data-dir", type=Path, required=True)
    p.add_argument("--seconds", type=float, default=60.0)
    p = sub.add_parser("list")
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--frames", type=int, default=120)
    p.add_argument("--bare", action="store_true")
    p = sub.add_parser("bare")
    p.add_argument("--idle-ms", type=int, default=1500)
    args = ap.parse_args()
    {"start": cmd_start, "stall": cmd_stall, "list": cmd_list, "bare": cmd_bare}[args.cmd](args)
    print("PROBE " + json.dumps(RESULT), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
