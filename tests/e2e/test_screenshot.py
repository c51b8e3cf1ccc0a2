"""``briefreader --screenshot``: the real window rendered to a PNG once it has settled."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path


def test_screenshot_renders_the_settled_window(tmp_path: Path) -> None:
    target = tmp_path / "shots" / "window.png"
    target.parent.mkdir()
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


def test_screenshot_of_a_brief_not_in_the_corpus_fails_at_once(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BRIEFREADER_DATA_DIR=str(tmp_path / "d"))
    target = tmp_path / "x.png"
    proc = subprocess.run(
        [sys.executable, "-m", "briefreader", "--screenshot", str(target), "--open", "nosuch.md"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,  # it used to wait two minutes for the brief, then say "did not settle"
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == "briefreader: nosuch.md: no such brief in the library"
    assert not target.exists()


def test_screenshot_shows_the_folder_given_and_opens_the_file_given(tmp_path: Path) -> None:
    from briefreader import paths

    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "a.md").write_text("Title: Basra port reopened\n\nThe port of Basra.\n", "utf-8")
    (folder / "b.md").write_text("Title: Mosul dam repaired\n\nThe dam at Mosul.\n", "utf-8")
    data = tmp_path / "d"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BRIEFREADER_DATA_DIR=str(data))
    target = tmp_path / "x.png"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "briefreader",
            str(folder),
            "--screenshot",
            str(target),
            "--open",
            "b.md",
            "-v",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"opening the window on {folder.resolve()}" in proc.stderr
    assert (paths.index_dir(data, [folder.resolve()]) / "manifest.json").is_file()
    assert "showing b.md: Mosul dam repaired" in proc.stderr
