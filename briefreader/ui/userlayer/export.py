"""Exports: a result list to CSV, Markdown or JSON; a brief with its notes to Markdown or PDF.

Result lists are written in the background (every match, with snippets and notes); a brief
is written at once (it is open, and small). Files are written whole or not at all (a
temporary file renamed into place; a PDF through Qt's own writer).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QTextDocument

from briefreader.core.atomic import write_text_atomic
from briefreader.core.library import Library
from briefreader.core.reading import BriefView
from briefreader.core.userdata import Note, UserData
from briefreader.core.userexport import (
    export_rows,
    render_export,
    saved_export,
    starred_export,
)
from briefreader.core.userlists import user_search
from briefreader.core.wording import counted
from briefreader.ui.userlayer.anchors import Alignment
from briefreader.ui.widgets.marks import LIGHT, decorate
from briefreader.ui.workers import SearchRequest

#: File dialog filters and suffixes per export format.
FORMATS = {"csv": ("CSV", "csv"), "md": ("Markdown", "md"), "json": ("JSON", "json")}


def export_results_job(
    request: SearchRequest, fmt: str, target: Path
) -> Callable[[Library, UserData], str]:
    """The background job writing every result of ``request`` to ``target``; it returns
    what to tell the user."""

    def job(lib: Library, ud: UserData) -> str:
        limit = max(1, lib.doc_count())
        filters: dict[str, Any] = {
            "actors": request.actors,
            "sources": request.sources,
            "tags": request.tags,
            "years": request.years,
        }
        res = user_search(
            lib, ud, request.text, request.narrow, limit=limit, sort=request.sort,
            facets=False, **filters,
        )  # fmt: skip
        text = render_export(export_rows(lib, ud, res.hits), fmt, request.text)
        write_text_atomic(target, text)
        return f"{counted(len(res.hits), 'brief')} exported to {target}"

    return job


def export_saved_job(name: str, fmt: str, target: Path) -> Callable[[Library, UserData], str]:
    """The background job writing every brief a saved search (or watched actor) finds now,
    in its order, to ``target``."""

    def job(lib: Library, ud: UserData) -> str:
        text, n = saved_export(lib, ud, name, fmt)
        write_text_atomic(target, text)
        return f"{counted(n, 'brief')} of “{name}” exported to {target}"

    return job


def export_starred_job(fmt: str, target: Path) -> Callable[[Library, UserData], str]:
    """The background job writing every starred brief, newest first, to ``target``."""

    def job(lib: Library, ud: UserData) -> str:
        text, n = starred_export(lib, ud, fmt)
        write_text_atomic(target, text)
        return f"{counted(n, 'starred brief')} exported to {target}"

    return job


def file_stem(name: str) -> str:
    """A file name for a saved search's export ("Iran, 2019" -> "Iran-2019")."""
    return re.sub(r"[^\w-]+", "-", name).strip("-") or "saved-search"


def brief_document(view: BriefView, notes: Sequence[Note]) -> QTextDocument:
    """The brief for a PDF: header, article and comment with the highlights of this version
    marked (light colours, whatever the theme), then every note."""
    doc = QTextDocument()
    cursor = QTextCursor(doc)
    cursor.insertHtml(view.rendered.header_html)
    brief = view.brief
    fmt = QTextCharFormat()
    fmt.setBackground(QColor(LIGHT.note_bg))
    fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
    fmt.setUnderlineColor(QColor(LIGHT.note_line))
    sections = {name: (start, text) for name, start, text in brief.sections()}
    parts = [("article", "Article", view.rendered.article_html)]
    if view.rendered.comment_html is not None:
        parts.append(("comment", "Analyst comment", view.rendered.comment_html))
    for name, caption, fragment in parts:
        cursor.insertBlock()
        cursor.insertHtml(f"<h2>{caption}</h2>")
        cursor.insertBlock()
        section = QTextDocument()
        section.setHtml(decorate(fragment, LIGHT))
        at, text = sections[name]
        align = Alignment(section.toPlainText(), text)
        for n in notes:
            if n.section != name or n.sha256 != brief.sha256 or n.start is None or n.end is None:
                continue
            span = align.to_shown(n.start - at, n.end - at)
            if span is not None:
                mark = QTextCursor(section)
                mark.setPosition(span[0])
                mark.setPosition(span[1], QTextCursor.MoveMode.KeepAnchor)
                mark.mergeCharFormat(fmt)
        whole = QTextCursor(section)
        whole.select(QTextCursor.SelectionType.Document)
        cursor.insertFragment(whole.selection())
    if notes:
        cursor.insertBlock()
        cursor.insertHtml("<h2>Notes</h2>")
        items = []
        for n in notes:
            changed = n.sha256 != brief.sha256
            quote = f"<i>“{html.escape(n.quote or '')}”</i><br>" if n.is_highlight else ""
            flag = "<br><small>The brief changed since this note.</small>" if changed else ""
            items.append(f"<li>{quote}{html.escape(n.body) or '(no note)'}{flag}</li>")
        cursor.insertBlock()
        cursor.insertHtml("<ul>" + "".join(items) + "</ul>")
    return doc


def write_brief_pdf(view: BriefView, notes: Sequence[Note], target: Path) -> None:
    from PySide6.QtPrintSupport import QPrinter

    doc = brief_document(view, notes)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    doc.print_(printer)
