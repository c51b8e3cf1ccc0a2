"""Notices a brief added, changed or removed in a corpus folder, so the index follows.

Listing the folders to watch runs off the GUI thread (a corpus can hold 10,000 files);
changes are gathered for a moment, so copying a hundred briefs costs one update.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal, Slot

from briefreader.ui.qtcompat import emit
from briefreader.ui.workers import Workers

#: Watching more folders than this costs more than re-checking on demand.
WATCH_MAX = 2000
#: Changes closer together than this are one change.
SETTLE_MS = 1500


class CorpusWatcher(QObject):
    """Watches the corpus folders and their sub-folders (hidden ones left out).

    changed(): something in a watched folder changed, and has been quiet for SETTLE_MS.
    """

    changed = Signal()

    def __init__(self, workers: Workers, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._workers = workers
        self._watcher = QFileSystemWatcher(self)
        self._timer = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._timer.timeout.connect(lambda: emit(self.changed))
        self._watcher.directoryChanged.connect(lambda _p: self._timer.start())

    def watch(self, roots: Sequence[Path], data_dir: Path | None = None) -> None:
        """Watch ``roots`` (instead of what was watched before), but not ``data_dir`` when
        it lies inside one of them: the index written there would start update after update."""
        roots = list(roots)
        ours = os.path.realpath(data_dir) if data_dir is not None else None

        def folders() -> list[str]:
            out: list[str] = []
            for root in roots:
                if root.is_dir():
                    out.append(str(root))
                    for dirpath, dirnames, _files in os.walk(root):
                        dirnames[:] = [
                            d
                            for d in dirnames
                            if not d.startswith(".")
                            and (ours is None or os.path.realpath(os.path.join(dirpath, d)) != ours)
                        ]
                        out.extend(os.path.join(dirpath, d) for d in dirnames)
            return out[:WATCH_MAX]

        self._workers.call(folders, self._set_folders)

    def _set_folders(self, dirs: list[str]) -> None:
        if self._watcher.directories():
            self._watcher.removePaths(self._watcher.directories())
        if dirs:
            self._watcher.addPaths(dirs)

    def stop(self) -> None:
        """Stop watching (the window is closing)."""
        self._timer.stop()
        if self._watcher.directories():
            self._watcher.removePaths(self._watcher.directories())

    @Slot()
    def changed_later(self) -> None:
        """Say ``changed`` after the settle time (a change the watcher cannot see)."""
        self._timer.start()
