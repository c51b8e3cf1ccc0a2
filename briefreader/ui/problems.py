"""File ▸ Problems: briefs that could not be read and glossary mistakes, in one table."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from briefreader.core.glossary import Glossary
from briefreader.core.report import UpdateReport
from briefreader.core.wording import counted
from briefreader.ui.models import ProblemModel


def problem_rows(report: UpdateReport | None, glossary: Glossary) -> list[tuple[str, str]]:
    """(file, why) for briefs that could not be read and glossary mistakes."""
    out = [(p.shown_path, p.reason) for p in (report.problems if report else [])]
    out += [
        (
            str(p.path) if p.path else "glossary",
            (f"line {p.line}: " if p.line else "") + p.message,
        )
        for p in glossary.problems
    ]
    return out


def problems_dialog(problems: list[tuple[str, str]], parent: QWidget) -> QDialog:
    """The table of ``problems`` with a line saying how many there are."""
    dlg = QDialog(parent)
    dlg.setObjectName("problemsDialog")
    dlg.setWindowTitle("Problems")
    dlg.resize(760, 360)
    model = ProblemModel(dlg)
    model.set_problems(problems)
    table = QTableView()
    table.setObjectName("problemsTable")
    table.setModel(model)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().hide()
    table.setWordWrap(True)
    lay = QVBoxLayout(dlg)
    lay.addWidget(
        QLabel(
            "Every brief could be read."
            if not problems
            else f"{counted(len(problems), 'problem')}: files skipped or read with a guess, and "
            "glossary mistakes."
        )
    )
    lay.addWidget(table)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dlg.reject)
    lay.addWidget(buttons)
    return dlg
