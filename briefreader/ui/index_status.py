"""The status bar's account of the index: a progress bar while it is built or updated (file by
file, and page by page through a long PDF), then how many briefs, what changed, what could
not be read, and a damaged index rebuilt."""

from __future__ import annotations

import re
from pathlib import PurePath

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar

from briefreader.core.extract import Part
from briefreader.core.report import UpdateReport
from briefreader.core.safetext import rich_text
from briefreader.core.wording import counted

#: A file's name is shown at most this many average characters wide, elided in the middle
#: (its start and its type stay): the status bar never grows with a long name.
NAME_CHARS = 28
#: Characters of a file name that would break the line or reorder it (line breaks, other
#: controls, bidirectional overrides): shown as a space.
_UNSHOWN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: The bar's steps within one file while it is read in parts (fewer for a huge update, so
#: that files times steps stays a Qt int).
_STEPS = 1000
_MAX_INT = 2**31 - 1


class IndexStatus(QObject):
    """A label and a progress bar at the right end of ``bar``."""

    def __init__(self, bar: QStatusBar, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # may name a file or a folder
        # Against the bar: while an update's line only widens (see _show), its text stays
        # beside the bar and what is left of the line takes the room.
        self.label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        bar.addPermanentWidget(self.label)
        bar.addPermanentWidget(self.progress)

    def busy(self, text: str) -> None:
        """Work of unknown length has begun (an update, a rebuild)."""
        self.progress.setRange(0, 0)
        self.progress.show()
        self._settle()
        self.label.setText(text)

    @Slot(int, int, str, object)
    def on_progress(self, done: int, total: int, path: str, part: Part | None = None) -> None:
        """File ``done`` of ``total`` is being read (a file may hold many briefs: a digest, a
        mailbox; the briefs are counted when the update has finished); with ``part``, how
        far into that file (``path``) its reader is: a long PDF's pages, a mailbox's bytes.
        The bar stands at the files read before it, and moves on through its parts."""
        text = f"Indexing {done} of {counted(total, 'file')}"
        total = max(total, 1)
        if part is None:
            self.progress.setRange(0, total)
            self.progress.setValue(max(done - 1, 0))
        else:
            steps = max(1, min(_STEPS, _MAX_INT // total))
            within = min(part.done, part.total) * steps // max(part.total, 1)
            self.progress.setRange(0, total * steps)
            self.progress.setValue(max(done - 1, 0) * steps + within)
            text += f" · {self._name(path)}, {part.how_far()}"
        self._show(text + "…")

    def finished(self, report: UpdateReport) -> None:
        self.progress.hide()
        self._settle()
        text = counted(report.indexed, "brief")
        if report.added or report.updated or report.removed:
            text += f" · {report.added} new, {report.updated} changed, {report.removed} removed"
        if report.skipped:
            text += f" · {len(report.skipped)} could not be read (File ▸ Problems)"
        if report.rebuilt_reason:  # a damaged or outdated index was rebuilt: say so, plainly
            text = f"{report.rebuilt_reason[:1].upper()}{report.rebuilt_reason[1:]} · {text}"
            self.label.setToolTip(rich_text(report.rebuilt_reason))
        self.label.setText(text)

    def failed(self, message: str) -> None:
        self.progress.hide()
        self._settle()
        self.label.setText(message)

    def _show(self, text: str) -> None:
        """Show an update's line. It only widens while the update runs (to its widest line so
        far: a longer count, a file's name): the status bar's other parts never shift with
        each page or file; the next line that is no update's settles it."""
        self.label.setText(text)
        width = self.label.sizeHint().width()
        if width > self.label.minimumWidth():
            self.label.setMinimumWidth(width)

    def _settle(self) -> None:
        self.label.setMinimumWidth(0)

    def _name(self, path: str) -> str:
        """The file's name as one short line of plain text (a name is anyone's choice)."""
        name = _UNSHOWN.sub(" ", PurePath(path).name or path)
        metrics = self.label.fontMetrics()
        width = metrics.averageCharWidth() * NAME_CHARS
        return metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, width)


__all__ = ["IndexStatus"]
