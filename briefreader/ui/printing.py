"""The open brief on paper or in a PDF: header, article and comment, with its actor marks.

Always laid out in the light colours, whatever the window's theme.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QFileDialog, QWidget

from briefreader.core.reading import BriefView
from briefreader.ui.widgets.marks import LIGHT, decorate


def print_document(view: BriefView, marks: bool, parent: QObject | None = None) -> QTextDocument:
    """The brief laid out for paper, with or without actor marks."""
    body = decorate(view.rendered.article_html, LIGHT, marks=marks)
    comment = (
        decorate(view.rendered.comment_html, LIGHT, marks=marks)
        if view.rendered.comment_html is not None
        else "<p><i>This brief has no analyst comment.</i></p>"
    )
    doc = QTextDocument(parent)
    doc.setHtml(
        view.rendered.header_html + "<h2>Article</h2>" + body + "<h2>Analyst comment</h2>" + comment
    )
    return doc


def write_pdf(view: BriefView, marks: bool, target: Path) -> None:
    """Save the brief as a PDF file at ``target``."""
    from PySide6.QtPrintSupport import QPrinter

    doc = print_document(view, marks)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    doc.print_(printer)


def ask_pdf_target(view: BriefView, parent: QWidget) -> Path | None:
    """Where the user wants the PDF, or None if they cancelled."""
    name, _ = QFileDialog.getSaveFileName(
        parent, "Export to PDF", f"{Path(view.brief.id).stem}.pdf", "PDF (*.pdf)"
    )
    return Path(name) if name else None


def print_brief(view: BriefView, marks: bool, parent: QWidget) -> None:
    """The system's print dialog, then the brief on the printer chosen."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    doc = print_document(view, marks, parent)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print brief")
    if dialog.exec() == QPrintDialog.DialogCode.Accepted:
        doc.print_(printer)
