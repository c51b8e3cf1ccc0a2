"""Time to a visible window: briefreader's first launch, a later launch, a bare QMainWindow.

Run by hand (the figures go to benchmarks/RESULTS.md, which its owner keeps)::

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python tests/manual/startup.py --runs 7

Each launch gets $BRIEFREADER_STARTUP_PROBE set to the moment just before its process starts,
and prints ``first-paint MS`` once its window has painted (``briefreader.ui.startup``).
"first launch" uses a fresh data folder each time (no index, no settings: what a new user
meets); "later launch" reuses one that is already set up; "bare QMainWindow" is an empty
window from the same Python and Qt, the floor. Launches alternate, so that machine noise
falls on all three alike. Without $DISPLAY the platform is offscreen.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = """
import os, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
launched = float(os.environ["BRIEFREADER_STARTUP_PROBE"])
app = QApplication(sys.argv[:1])
win = QMainWindow()
win.resize(1400, 880)
class Probe(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            app.removeEventFilter(self)
            def report():
                print(f"first-paint {(time.time() - launched) * 1000:.1f}", flush=True)
                app.quit()
            QTimer.singleShot(0, report)
        return False
probe = Probe()
app.installEventFilter(probe)
win.show()
app.exec()
"""


def launch(cmd: list[str], env: dict[str, str]) -> float:
    env = dict(env, BRIEFREADER_STARTUP_PROBE=repr(time.time()))
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, check=False)
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "first-paint":
            return float(parts[1])
    raise SystemExit(f"{cmd}: no first-paint (exit {out.returncode}): {out.stderr[-800:]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    platform = "xcb" if os.environ.get("DISPLAY") else "offscreen"
    app = [sys.executable, "-m", "briefreader"]
    times: dict[str, list[float]] = {"first launch": [], "later launch": [], "bare QMainWindow": []}
    with tempfile.TemporaryDirectory(prefix="briefreader-startup-") as tmp:
        base = dict(os.environ, QT_QPA_PLATFORM=platform)
        used = Path(tmp) / "used"
        launch(app, dict(base, BRIEFREADER_DATA_DIR=str(used)))  # sets it up; warms file cache
        launch([sys.executable, "-c", BARE], base)
        for n in range(args.runs):
            fresh = Path(tmp) / f"fresh-{n}"
            times["first launch"].append(launch(app, dict(base, BRIEFREADER_DATA_DIR=str(fresh))))
            times["later launch"].append(launch(app, dict(base, BRIEFREADER_DATA_DIR=str(used))))
            times["bare QMainWindow"].append(launch([sys.executable, "-c", BARE], base))
    print(f"platform {platform}, {args.runs} runs each, ms from process start to first paint")
    print(f"{'':<18} {'median':>8} {'min':>8} {'max':>8}")
    for name, values in times.items():
        print(f"{name:<18} {statistics.median(values):8.0f} {min(values):8.0f} {max(values):8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
