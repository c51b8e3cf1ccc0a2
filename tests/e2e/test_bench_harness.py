"""The benchmark harness keeps working: a tiny run must print every row of the table.

Only the shape is checked, never a figure: wall-clock times belong in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

ROWS = (
    "build: briefs/s (bulk)",
    "build: briefs/s vs FTS5",
    "build: peak RSS, all processes (MB)",
    "build: peak PSS, all processes (MB)",
    "index: segments",
    "re-check unchanged (s)",
    "add 100 briefs (s)",
    "search median (ms)",
    "search p95 (ms)",
    "search median vs FTS5 (ms)",
    "search '*a*' (ms)",
    "matcher build, 20000 names (ms)",
    "matcher per",
    "cold start to first paint (ms)",
    "cold start to searchable (ms)",
    "open brief, p95 to painted (ms)",
    "open next result, p95 to painted (ms)",
    "idle memory, index open (MB)",
    "result list 100k: shown (ms)",
    "result list: scroll frame p95 (ms)",
    "GUI stall while indexing, max (ms)",
)


@pytest.mark.slow
def test_quick_run_prints_every_row(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            *("--size", "100", "--quick", "--stall-seconds", "5"),
            *("--data-root", str(tmp_path)),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=280,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    # Without ../shared/data (CAMEO, OFAC) the matcher stage says so in one row instead.
    no_glossary = any(line.startswith("matcher") and "not found" in line for line in lines)
    for row in ROWS:
        if no_glossary and row.startswith("matcher"):
            continue
        found = [line for line in lines if line.startswith(row)]
        assert found, f"row missing: {row}\n{proc.stdout}"
        assert "FAILED" not in found[0], found[0]


@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="Linux /proc only")
@pytest.mark.skipif(
    os.environ.get("BRIEFREADER_NO_FORK") == "1",
    reason="forks on purpose (a forked child's shared pages): fork is refused in this run",
)
def test_a_forked_childs_shared_pages_count_once_in_the_pss_peak() -> None:
    """A process that fills 120 MB then forks: plain RSS summed over the tree counts the
    shared pages twice, the proportional set size once."""
    sys.path.insert(0, str(ROOT))
    from benchmarks import proctree

    code = (
        "import os, time\n"
        "buf = bytearray(120 * 2**20)\n"
        "for i in range(0, len(buf), 4096): buf[i] = 1\n"
        "pid = os.fork()\n"
        "time.sleep(1.5)\n"
        "if pid: os.waitpid(pid, 0)\n"
    )
    r = proctree.run([sys.executable, "-c", code], interval=0.05)
    assert r.returncode == 0
    mb = 2**20
    assert r.peak_rss > 220 * mb  # both processes' 120 MB
    assert 100 * mb < r.peak_pss < 0.75 * r.peak_rss
