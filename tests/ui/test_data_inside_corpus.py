"""A data folder chosen inside a corpus folder (``--data-dir ~/briefs/.../briefreader``): its
index, notes and settings are neither read as briefs nor watched as the corpus."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings

from briefreader.core.glossary import Glossary
from briefreader.core.library import Library
from briefreader.ui.app import build_window
from briefreader.ui.workers import Workers


def test_the_update_passes_over_its_own_data_folder(corpus: Path) -> None:
    data = corpus / "briefreader-data"
    briefs = len(list(corpus.iterdir()))
    lib = Library([corpus], data, Glossary())
    try:
        first = lib.update()
        assert first.added == briefs
        second = lib.update()
    finally:
        lib.close()
    # The index files written by the first update are no "not read" files in the second.
    assert any((data / "indexes").iterdir())
    assert (second.added, second.problems) == (0, [])


def test_the_window_does_not_watch_its_own_data_folder(qtbot, corpus: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = corpus / "briefreader-data"
    (corpus / "2019").mkdir()
    lib = Library([corpus], data, Glossary())
    workers = Workers(lib)
    win = build_window(lib, workers, QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    try:
        with qtbot.waitSignal(win.indexReady, timeout=20000):
            win.start()
        watched = win.watcher._watcher
        qtbot.waitUntil(lambda: len(watched.directories()) >= 2, timeout=20000)
        folders = {os.path.realpath(d) for d in watched.directories()}
        assert os.path.realpath(corpus / "2019") in folders
        assert not [d for d in folders if d.startswith(os.path.realpath(data))]
    finally:
        win.close()
        workers.shutdown()
        lib.close()
