"""`briefreader index --progress-json`: the line protocol the window's indexer child speaks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_progress_lines_then_the_report(tmp_path: Path) -> None:
    env = dict(os.environ, BRIEFREADER_DATA_DIR=str(tmp_path), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-m", "briefreader", "index", "--progress-json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert "report" in lines[-1]
    report = lines[-1]["report"]
    assert report["indexed"] >= 25 and report["skipped"] == []
    progress = lines[:-1]
    assert progress, "no progress lines"
    # Each line names its file; a long file's pages ("page", "pages") are tested in
    # tests/cli/test_progress.py (the bundled corpus has none long enough to say them).
    assert all({"done", "total", "path"} <= set(p) for p in progress)
    keys = {"done", "total", "path", "page", "pages", "byte", "bytes"}
    assert all(set(p) <= keys for p in progress)
    assert progress[-1]["done"] == progress[-1]["total"] == report["added"]
