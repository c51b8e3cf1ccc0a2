"""Help ▸ Keyboard shortcuts and Help ▸ About: what the keys do, and where things are kept."""

from __future__ import annotations

import html
import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from briefreader import __version__
from briefreader.core.library import Library


def _dialog(title: str, name: str, parent: QWidget) -> tuple[QDialog, QVBoxLayout]:
    dlg = QDialog(parent)
    dlg.setObjectName(name)
    dlg.setWindowTitle(title)
    lay = QVBoxLayout(dlg)
    return dlg, lay


def _close_button(dlg: QDialog, lay: QVBoxLayout) -> None:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dlg.reject)
    lay.addWidget(buttons)


def shortcuts_dialog(rows: list[tuple[str, str, str]], parent: QWidget) -> QDialog:
    """A table of (menu, action, keys): every key the window answers to, in one place."""
    dlg, lay = _dialog("Keyboard shortcuts", "shortcutsDialog", parent)
    table = QTableWidget(len(rows), 3)
    table.setObjectName("shortcutsTable")
    table.setHorizontalHeaderLabels(["Menu", "Action", "Keys"])
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            table.setItem(r, c, item)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
    lay.addWidget(table)
    _close_button(dlg, lay)
    dlg.resize(560, 520)
    return dlg


def about_text(library: Library) -> str:
    """Version, and the folders a user asks about first: where data goes, what is searched."""
    corpora = "<br>".join(html.escape(str(c)) for c in library.corpora)
    return (
        f"<h3>briefreader {html.escape(__version__)}</h3>"
        "<p>Read and search analyst briefs offline: the article beside the analyst comment, "
        "the actors marked by kind. Nothing is fetched from the network.</p>"
        f"<p><b>Data folder</b> (index, glossary, settings):<br>"
        f"{html.escape(str(library.data_dir))}</p>"
        f"<p><b>Corpus folders</b> (only ever read):<br>{corpora}</p>"
        f"<p style='color:gray'>Python {html.escape(platform.python_version())}, "
        f"Qt for Python {html.escape(pyside_version)}</p>"
    )


def about_dialog(library: Library, parent: QWidget) -> QDialog:
    """Help ▸ About: the text of :func:`about_text`, selectable so a path can be copied."""
    dlg, lay = _dialog("About briefreader", "aboutDialog", parent)
    label = QLabel(about_text(library))
    label.setObjectName("aboutText")
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    lay.addWidget(label)
    _close_button(dlg, lay)
    dlg.resize(520, 320)
    return dlg
