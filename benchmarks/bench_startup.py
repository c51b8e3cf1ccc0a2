"""Cold start of the frozen app beside ``python -m briefreader``, in the same run.

Each launch gets $BRIEFREADER_STARTUP_PROBE set to the moment just before the process is
started; the app prints ``first-paint MS`` and ``searchable MS`` measured from there and
quits (see ``briefreader.ui.app.StartupProbe``). Launches alternate between the two programs
so that machine noise falls on both alike; the table gives medians, spread and the ratio.

    python benchmarks/bench_startup.py [--runs 9] [--exe dist/briefreader/briefreader]

Both open the same data folder, whose index of the sample corpus is built first, so the
figures are for an already-indexed start. The platform is offscreen unless $DISPLAY is set
and --platform xcb is given.
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

ROOT = Path(__file__).resolve().parent.parent


def launch(cmd: list[str], env: dict[str, str]) -> dict[str, float]:
    env = dict(env, BRIEFREADER_STARTUP_PROBE=repr(time.time()))
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, check=False)
    figures: dict[str, float] = {}
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in {"first-paint", "searchable"}:
            figures[parts[0]] = float(parts[1])
    if len(figures) != 2:
        raise SystemExit(f"{cmd[0]}: no timings (exit {out.returncode}): {out.stderr[-500:]}")
    return figures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--exe", default=str(ROOT / "dist" / "briefreader" / "briefreader"))
    ap.add_argument("--platform", default="offscreen")
    args = ap.parse_args()
    if not Path(args.exe).is_file():
        print(f"{args.exe} not found: build it with `make app`", file=sys.stderr)
        return 1
    programs = {
        "frozen app": [args.exe],
        "python -m briefreader": [sys.executable, "-m", "briefreader"],
    }
    with tempfile.TemporaryDirectory() as data:
        env = dict(os.environ, BRIEFREADER_DATA_DIR=data, QT_QPA_PLATFORM=args.platform)
        subprocess.run([sys.executable, "-m", "briefreader", "-q", "index"], env=env, check=True)
        results: dict[str, list[dict[str, float]]] = {name: [] for name in programs}
        for cmd in programs.values():  # one warm-up each: the file cache, not the app
            launch(cmd, env)
        for _ in range(args.runs):
            for name, cmd in programs.items():
                results[name].append(launch(cmd, env))
    base = "python -m briefreader"
    print(f"{args.runs} launches each, platform {args.platform}, medians (min-max) in ms")
    print(f"{'program':<24}{'first paint':>22}{'searchable':>22}{'ratio':>8}")
    base_med = statistics.median(r["first-paint"] for r in results[base])
    for name, runs in results.items():
        cells = []
        for key in ("first-paint", "searchable"):
            values = [r[key] for r in runs]
            cells.append(f"{statistics.median(values):7.0f} ({min(values):.0f}-{max(values):.0f})")
        ratio = statistics.median(r["first-paint"] for r in runs) / base_med
        print(f"{name:<24}{cells[0]:>22}{cells[1]:>22}{ratio:>7.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
