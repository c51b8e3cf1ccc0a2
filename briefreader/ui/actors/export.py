"""Saving an actor's dossier from the window: every sentence, as Markdown or as a PDF.

The page shows the newest sentences only; the export reads them all in the background and
writes the file when they come (Markdown by the core, the PDF as :mod:`briefreader.ui.printing`
prints a brief).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QFileDialog, QWidget

from briefreader.core.dossier import DossierHead, dossier_html, write_dossier
from briefreader.core.library import NO_WORKBENCH, Library
from briefreader.core.records import CommentSentence
from briefreader.ui.actors.page import ActorPageView
from briefreader.ui.qtcompat import emit
from briefreader.ui.workers import Workers


class DossierExporter(QObject):
    """Exports the dossier of the actor ``page`` shows.

    saved(path): the file was written.
    """

    saved = Signal(str)

    def __init__(
        self,
        page: ActorPageView,
        workers: Callable[[], Workers],
        say: Callable[[str, int], None],
        dialogs: QWidget,
    ) -> None:
        super().__init__(dialogs)
        self.page = page
        self._workers = workers
        self._say = say
        self._dialogs = dialogs

    def ask(self, fmt: str) -> None:
        """Ask where, then export (``fmt`` "md" or "pdf")."""
        actor = self.page.actor
        if actor is None:
            return
        suffix, label = (".pdf", "PDF (*.pdf)") if fmt == "pdf" else (".md", "Markdown (*.md)")
        name, _ = QFileDialog.getSaveFileName(
            self._dialogs, "Export the dossier", f"{actor.id}-dossier{suffix}", label
        )
        if name:
            self.export(Path(name), fmt)

    def export(self, target: Path, fmt: str = "md") -> None:
        """Save the whole dossier (every comment, not only those shown) at ``target``."""
        actor, page = self.page.actor, self.page.page
        if actor is None or page is None:
            return
        head = DossierHead.of(actor.name, actor.kind, page)

        def work(reader: Library) -> list[CommentSentence] | None:
            workbench = reader.workbench  # None over a team archive
            return None if workbench is None else workbench.actor_comments(actor.id, 0, None)

        def done(comments: list[CommentSentence] | None) -> None:
            if comments is None:
                self._say(f"{NO_WORKBENCH.capitalize()}: the dossier was not saved.", 8000)
                return
            try:
                if fmt == "pdf":
                    write_pdf(target, dossier_html(head, comments))
                else:
                    write_dossier(target, head, comments)
            except OSError as exc:
                self._say(f"Could not save {target}: {exc}", 8000)
                return
            self._say(f"Saved {target}", 5000)
            emit(self.saved, str(target))

        self._say("Gathering the dossier…", 5000)
        self._workers().read(work, done, lambda message: self._say(message, 8000))


def write_pdf(target: Path, body: str) -> None:
    """The dossier laid out for paper (as :mod:`briefreader.ui.printing` does a brief)."""
    from PySide6.QtPrintSupport import QPrinter

    doc = QTextDocument()
    doc.setHtml(body)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    doc.print_(printer)
