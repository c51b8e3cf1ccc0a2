"""The status bar's account of the index: a progress bar while it is built or updated, then
how many briefs, what changed, what could not be read, and a damaged index rebuilt."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar

from briefreader.core.report import UpdateReport
from briefreader.core.safetext import rich_text
from briefreader.core.wording import counted


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
        bar.addPermanentWidget(self.label)
        bar.addPermanentWidget(self.progress)

    def busy(self, text: str) -> None:
        """Work of unknown length has begun (an update, a rebuild)."""
        self.progress.setRange(0, 0)
        self.progress.show()
        self.label.setText(text)

    @Slot(int, int, str)
    def on_progress(self, done: int, total: int, _path: str) -> None:
        """``done`` of ``total`` files read (a file may hold many briefs: a digest, a
        mailbox; the briefs are counted when the update has finished)."""
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.label.setText(f"Indexing {done} of {counted(total, 'file')}…")

    def finished(self, report: UpdateReport) -> None:
        self.progress.hide()
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
        self.label.setText(message)


__all__ = ["IndexStatus"]
