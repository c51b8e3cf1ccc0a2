"""``briefreader --screenshot``: the real window rendered to a PNG once it has settled."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path


def test_screenshot_renders_the_settled_window(tmp_path: Path) -> None:
    target = tmp_path / "shots" / "window.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BRIEFREADER_DATA_DIR=str(tmp_path / "d"))
    proc = subprocess.run(
        [sys.executable, "-m", "briefreader", "--screenshot", str(target), "--query", "PMF"],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(target)
    blob = target.read_bytes()
    assert blob[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", blob[16:24]) == (1440, 900)
