"""Text from a brief, a glossary or notes reaches Qt as plain text: tooltips, labels and
dialogs. Qt takes a string that looks like HTML for rich text and loads any image it names
(``/dev/zero`` reads until memory runs out), so each place is fed escaped rich text or set
to plain text. The hostile strings here name an image that does not exist: a test of
today's code fails on the text, it does not hang."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent, QTextCursor
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QToolTip

from briefreader.core.records import Candidate, Company, MonthCount
from briefreader.core.render import render_section
from briefreader.core.safetext import rich_text
from briefreader.ui.actors.models import CandidateModel
from briefreader.ui.main_window import MainWindow
from briefreader.ui.models import ActorIdRole
from briefreader.ui.userlayer import highlights
from briefreader.ui.userlayer.layer import UserLayer
from briefreader.ui.widgets.brief_browser import BriefBrowser
from briefreader.ui.widgets.company_graph import CompanyGraph
from briefreader.ui.widgets.marks import LIGHT, decorate
from briefreader.ui.widgets.timeline_chart import TimelineChart

IMG = "<img src='file:///no/such/briefreader-test.png'>"
BRIEF_ID = "evil <b>brief.md"

HOSTILE_GLOSSARY = f"""
[[actor]]
name = "Evilcorp {IMG}"
kind = "organisation"
aliases = ["Evilcorp"]
description = "{IMG}"

[[actor]]
name = "Baghdad"
kind = "place"
"""

HOSTILE_BRIEF = f"""Title: Evilcorp in Baghdad
Date: 2020-01-03
Source: Reuters

Evilcorp met <abbr title="{IMG}">KH</abbr> near Baghdad airport on Friday.

Comment: Evilcorp will be back in Baghdad.
"""


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / BRIEF_ID).write_text(HOSTILE_BRIEF, encoding="utf-8")
    return folder


@pytest.fixture
def glossary_file(tmp_path: Path) -> Path:
    path = tmp_path / "glossary.toml"
    path.write_text(HOSTILE_GLOSSARY, encoding="utf-8")
    return path


def _hover(browser: BriefBrowser, text: str) -> str:
    """Send the tooltip event over ``text`` in ``browser``; what QToolTip was given."""
    QToolTip.hideText()
    start = browser.document().toPlainText().index(text)
    cursor = QTextCursor(browser.document())
    cursor.setPosition(start + 1)
    pos = browser.cursorRect(cursor).center() - QPoint(2, 0)
    event = QHelpEvent(QEvent.Type.ToolTip, pos, browser.viewport().mapToGlobal(pos))
    QApplication.sendEvent(browser.viewport(), event)
    return QToolTip.text()


def _assert_plain(shown: str, raw: str) -> None:
    assert shown == rich_text(raw)
    assert "<img" not in shown and "<b>" not in shown


@dataclass(frozen=True)
class _Mention:
    actor_id: str
    start: int
    end: int


def test_a_brief_browser_shows_title_attributes_and_descriptions_as_text(qtbot) -> None:  # type: ignore[no-untyped-def]
    text = f'Evilcorp met <abbr title="{IMG}">KH</abbr> today.'
    fragment = render_section(
        text, 0, [_Mention("evilcorp", 0, 8)], [], None, lambda _id: ("Evilcorp", "other", IMG)
    )
    browser = BriefBrowser()
    qtbot.addWidget(browser)
    browser.resize(600, 300)
    browser.show()
    qtbot.waitExposed(browser)
    browser.setHtml(decorate(fragment, LIGHT))
    _assert_plain(_hover(browser, "KH"), IMG)
    _assert_plain(_hover(browser, "Evilcorp"), f"Evilcorp (other): {IMG}")


def test_the_window_shows_hostile_text_as_text(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.briefShown, timeout=10000):
        window.open_brief(BRIEF_ID)
    article, _comment = window.pane.browsers
    qtbot.waitExposed(article)
    # The brief's own <abbr title> and the glossary's description, hovered in the pane.
    _assert_plain(_hover(article, "KH"), IMG)
    tip = _hover(article, "Evilcorp")
    assert "<img" not in tip and "&lt;img" in tip
    # The result list's tooltip (the brief's id).
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.search.search_for("Evilcorp")
    hit = window.model.index(0)
    _assert_plain(hit.data(Qt.ItemDataRole.ToolTipRole), BRIEF_ID)
    # The actors of the brief: the description is the name's tooltip.
    model = window.glossary_panel.model
    names = [
        model.item(g).child(r)
        for g in range(model.rowCount())
        for r in range(model.item(g).rowCount())
    ]
    evil = next(item for item in names if item.data(ActorIdRole) and "Evilcorp" in item.text())
    assert "<img" not in evil.toolTip() and "&lt;img" in evil.toolTip()
    # A highlight's note under the mouse.
    layer = window.feature(UserLayer)
    layer.highlights.ask = lambda *_args: IMG
    start = article.document().toPlainText().index("near Baghdad")
    cursor = QTextCursor(article.document())
    cursor.setPosition(start)
    cursor.setPosition(start + len("near Baghdad"), QTextCursor.MoveMode.KeepAnchor)
    article.setTextCursor(cursor)
    with qtbot.waitSignal(layer.store.notesChanged, timeout=5000):
        layer.highlight_selection()
    _assert_plain(_hover(article, "near"), IMG)
    notes = layer.notes_panel.brief_model
    qtbot.waitUntil(lambda: notes.rowCount() == 1, timeout=5000)
    tip = notes.index(0).data(Qt.ItemDataRole.ToolTipRole)
    assert "<img" not in tip and "&lt;img" in tip
    # Deleting it asks a question quoting it.
    asked: list[str] = []

    def question(_parent: object, _title: str, text: str, *_args: object) -> object:
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(highlights.QMessageBox, "question", question)
    assert highlights.confirm(window, f"Delete the note “{IMG}”?") is False
    _assert_plain(asked[0], f"Delete the note “{IMG}”?")


def test_labels_that_show_data_are_plain_text(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    assert window.status_label.textFormat() == Qt.TextFormat.PlainText
    assert window.feature(UserLayer).notes_panel.all_empty.textFormat() == Qt.TextFormat.PlainText


def test_the_note_dialog_quotes_the_brief_as_text(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    seen: list[tuple[Qt.TextFormat, str]] = []

    def run(dialog: object) -> int:
        for label in dialog.findChildren(QLabel):  # type: ignore[attr-defined]
            if label.objectName() == "noteQuote":
                seen.append((label.textFormat(), label.text()))
        return 0

    monkeypatch.setattr(highlights.QDialog, "exec", run)
    assert highlights.ask_note(None, "Highlight", IMG) is None  # type: ignore[arg-type]
    assert seen == [(Qt.TextFormat.PlainText, f"“{IMG}”")]


def test_charts_and_tables_escape_names(qtbot) -> None:  # type: ignore[no-untyped-def]
    chart = TimelineChart()
    qtbot.addWidget(chart)
    chart.set_months([MonthCount("2020-01", 2, 1, 1)], f"Evilcorp {IMG}")
    tip = chart.tooltip_text("2020-01")
    assert "<img" not in tip and "&lt;img" in tip

    names = {"evil": f"Evilcorp {IMG}", "baghdad": "Baghdad <b>"}
    graph = CompanyGraph(lambda actor_id: (names[actor_id], "other", ""))
    qtbot.addWidget(graph)
    graph.set_graph("evil", [Company("baghdad", 3, 1.0)], [])
    tip = graph.tooltip_text("baghdad")
    assert "<img" not in tip and "&lt;img" in tip and "Baghdad &lt;b&gt;" in tip

    model = CandidateModel()
    model.set_candidates([Candidate(f"Name {IMG}", 3, 4, "x.md", f"An example {IMG}.")])
    for col in (0, 3):
        tip = model.index(0, col).data(Qt.ItemDataRole.ToolTipRole)
        assert "<img" not in tip and "&lt;img" in tip


def test_glossary_dialogs_quote_the_selection_as_text(
    qtbot, window: MainWindow, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from briefreader.ui import glossary_edit

    asked: list[str] = []
    warned: list[str] = []

    def get_item(_parent: object, _title: str, label: str, items: list[str], *_a: object) -> object:
        asked.append(label)
        return items[0], True

    monkeypatch.setattr(glossary_edit.QInputDialog, "getItem", get_item)
    monkeypatch.setattr(
        glossary_edit.QMessageBox, "warning", lambda _p, _t, text: warned.append(text)
    )
    editor = window.glossary_editor
    monkeypatch.setattr(editor, "add_alias", lambda _actor, _text: f"cannot add {IMG}")
    editor.ask_add_alias(IMG)
    _assert_plain(asked[0], f"“{IMG}” is another name for:")
    _assert_plain(warned[0], f"cannot add {IMG}")
