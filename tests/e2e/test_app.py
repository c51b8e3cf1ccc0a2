"""The window started the way a user starts it: ``python -m briefreader``.

The start-up probe ($BRIEFREADER_STARTUP_PROBE) closes the window once its first results
are listed, so the real entry point runs to its end on Qt's offscreen platform.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "briefreader", *args],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.timeout(240)
def test_index_then_open_shows_that_folder_and_writes_only_to_the_data_dir(
    tmp_path: Path,
) -> None:
    home, config, data = tmp_path / "home", tmp_path / "config", tmp_path / "data"
    home.mkdir()
    config.mkdir()
    corpus = tmp_path / "briefs"
    corpus.mkdir()
    (corpus / "2021-03-01_basra.md").write_text(
        "Title: Basra port reopened\nDate: 2021-03-01\n\nThe port of Basra reopened.\n", "utf-8"
    )
    env = {k: v for k, v in os.environ.items() if k != "BRIEFREADER_DATA_DIR"}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(config), QT_QPA_PLATFORM="offscreen")

    indexed = _run(["--data-dir", str(data), "index", str(corpus)], env)
    assert indexed.returncode == 0, indexed.stderr
    opened = _run(
        ["-v", "--data-dir", str(data)],
        dict(env, BRIEFREADER_STARTUP_PROBE=str(time.time())),
    )
    assert opened.returncode == 0, opened.stderr
    assert "searchable" in opened.stdout
    # The window opened on the folder the command line indexed, not on the sample corpus.
    assert f"opening the window on {corpus.resolve()}\n" in opened.stderr
    assert (data / "window.ini").is_file()
    # Nothing outside the data folder: no ~/.config/briefreader, no QSettings of Qt's own.
    assert sorted(home.rglob("*")) == []
    assert sorted(config.rglob("*")) == []
