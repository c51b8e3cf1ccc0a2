"""What a new user meets in the first hour: keys, hits, layout, small rough edges."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QSettings, Qt
from PySide6.QtGui import QAction, QShortcutEvent, QTextCursor
from PySide6.QtWidgets import QStyleOptionViewItem

from briefreader import __version__
from briefreader.core.library import Library
from briefreader.core.wording import counted
from briefreader.ui.help import about_text
from briefreader.ui.main_window import WIDE_WINDOW, MainWindow
from briefreader.ui.workers import Workers

LONG_ID = "2021-06-01_long-report.md"
FILLER = (
    "The committee heard evidence on supply lines, salaries and the chain of command over "
    "several sessions in the capital, and its members asked for documents in writing."
)


@pytest.fixture
def long_brief(corpus: Path) -> str:
    """A brief long enough to scroll, with its only hits far down the article."""
    paras = [FILLER] * 40
    paras[25] = "Deep in the report the word zanzibar appears for the first time."
    paras[33] = "And zanzibar appears once more, further down."
    text = "Title: A long report\nDate: 2021-06-01\n\n" + "\n\n".join(paras)
    text += "\n\nComment: Short comment about the committee.\n"
    (corpus / LONG_ID).write_text(text, encoding="utf-8")
    return LONG_ID


def _search(qtbot, window: MainWindow, text: str) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.search.search_for(text)


def _open(qtbot, window: MainWindow, brief_id: str) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.briefShown, timeout=10000):
        window.open_brief(brief_id)


def _selected(window: MainWindow):  # type: ignore[no-untyped-def]
    return next(b for b in window.pane.browsers if b.textCursor().hasSelection())


def _text(browser, span: tuple[int, int]) -> str:  # type: ignore[no-untyped-def]
    cursor = QTextCursor(browser.document())
    cursor.setPosition(span[0])
    cursor.setPosition(span[1], QTextCursor.MoveMode.KeepAnchor)
    return cursor.selectedText()


def _offset_from_middle(browser) -> int:  # type: ignore[no-untyped-def]
    return abs(browser.cursorRect().center().y() - browser.viewport().height() // 2)


# -- keys ------------------------------------------------------------------------------------


class _ShortcutSpy(QObject):
    """Counts the shortcut events an action gets, and whether Qt found them ambiguous."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[bool] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Shortcut:
            assert isinstance(event, QShortcutEvent)
            self.events.append(event.isAmbiguous())
            return True  # the action's work (dialogs, quitting) is not what is tested here
        return False


def test_every_actions_shortcut_reaches_it_once_and_unambiguously(
    qtbot, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    """Alt+Left was held twice by Back (as Alt+Left and StandardKey.Back), so Qt called it
    ambiguous, warned on stderr and fired nothing."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.back_action.setEnabled(True)
    window.forward_action.setEnabled(True)
    actions = [a for a in window.actions() if a.shortcuts()]
    assert {"Back", "Forward", "Next hit", "Keyboard shortcuts"} <= {a.text() for a in actions}
    for act in actions:
        for key in act.shortcuts():
            spy = _ShortcutSpy()
            act.installEventFilter(spy)
            combo = key[0]
            window.pane.browsers[0].setFocus()
            qtbot.keyClick(window.pane.browsers[0], combo.key(), combo.keyboardModifiers())
            act.removeEventFilter(spy)
            assert spy.events == [False], f"{act.text()} {key.toString()}"


def test_the_shortcuts_page_lists_what_the_keys_do(window: MainWindow) -> None:
    rows = window.shortcut_rows()
    assert ("Go", "Back", "Alt+Left") in rows
    assert ("Edit", "Next hit", "F3") in rows
    assert ("Search", "Open the top result", "Enter (in the search box)") in rows
    keys = [r[2] for r in rows]
    assert len(keys) == len(set(keys))  # no key listed for two things


def test_about_names_the_version_and_the_data_folder(window: MainWindow, library: Library) -> None:
    text = about_text(library)
    assert f"briefreader {__version__}" in text
    assert str(library.data_dir) in text and str(library.corpora[0]) in text


# -- hits ------------------------------------------------------------------------------------


def test_a_brief_opens_at_its_first_hit_centred_and_f3_centres_the_next(
    qtbot, long_brief: str, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    window.resize(1200, 700)
    _search(qtbot, window, "zanzibar")
    _open(qtbot, window, long_brief)
    article = window.pane.browsers[0]
    assert article.verticalScrollBar().value() > 0  # not left at the top
    assert _selected(window) is article
    assert article.textCursor().selectedText().lower() == "zanzibar"
    first = article.textCursor().selectionStart()
    assert _offset_from_middle(article) <= article.fontMetrics().height()
    window.step_hit(1)
    assert article.textCursor().selectionStart() > first
    # Centred, not on the bottom edge (where ensureCursorVisible leaves it).
    assert _offset_from_middle(article) <= article.fontMetrics().height()


def test_a_new_search_re_marks_the_open_brief_in_place(
    qtbot, long_brief: str, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    window.resize(1200, 700)
    _search(qtbot, window, "zanzibar")
    _open(qtbot, window, long_brief)
    article = window.pane.browsers[0]
    place = article.verticalScrollBar().value()
    assert len(window.pane.hit_positions()) == 2
    with qtbot.waitSignal(window.briefShown, timeout=10000):
        window.search.search_for("committee")
    assert window.pane.view is not None and window.pane.view.query == "committee"
    marked = {_text(browser, span).lower() for browser, span in window.pane.hit_positions()}
    assert marked == {"committee"}  # zanzibar's marks are gone
    assert article.verticalScrollBar().value() == place
    assert "search hit" in window.pane.legend.text()
    with qtbot.waitSignal(window.briefShown, timeout=10000):
        window.search.search_for("")
    assert window.pane.hit_positions() == []
    assert "search hit" not in window.pane.legend.text()  # no hits, no chip explaining them


def test_switching_the_theme_keeps_the_reading_place(
    qtbot, long_brief: str, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    window.resize(1200, 700)
    _open(qtbot, window, long_brief)
    bar = window.pane.browsers[0].verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    place = bar.value()
    assert place > 0
    window.set_theme("dark")
    assert bar.value() == place
    window.set_theme("light")
    assert bar.value() == place


# -- the search box and the filters ----------------------------------------------------------


def test_enter_in_the_search_box_opens_the_top_result(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.search_box.setText("Shamkhani")
    with qtbot.waitSignal(window.briefShown, timeout=10000) as b:
        qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    assert b.args == ["2017-11-24_foreign-plot.md"]
    # Once more, with the answer already listed: it opens at once, the same brief.
    _open(qtbot, window, "2018-05-14_elections.md")
    with qtbot.waitSignal(window.briefShown, timeout=10000) as b:
        qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    assert b.args == ["2017-11-24_foreign-plot.md"]


def test_ticking_a_year_keeps_the_other_years_with_their_counts(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    years = window.facet_models["year"]
    before = sorted(years.item(r).text() for r in range(years.rowCount()))
    assert before == ["2017  (1)", "2018  (1)", "2019  (1)", "2020  (1)"]
    with qtbot.waitSignal(window.resultsShown, timeout=10000) as b:
        window.set_filter("year", ["2019"])
    assert b.args == [1]
    after = sorted(years.item(r).text() for r in range(years.rowCount()))
    assert after == before
    assert window.facet_panel.filters["year"] == ["2019"]
    # Another query while 2019 is ticked: its own counts, not the remembered ones.
    _search(qtbot, window, "Shamkhani")
    assert [years.item(r).text() for r in range(years.rowCount())] == ["2019  (0)"]


# -- layout ----------------------------------------------------------------------------------


def test_a_narrow_window_has_no_sideways_scroll_in_the_results(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.resize(1000, 700)
    window.facet_dock.show()
    qtbot.waitUntil(window.facet_dock.isVisible)
    assert window.results.horizontalScrollBar().maximum() == 0
    option = QStyleOptionViewItem()
    option.initFrom(window.results)
    hint = window.search.delegate.sizeHint(option, window.model.index(0))
    assert hint.width() <= window.results.viewport().width()
    assert window.search_box.width() >= window.search.width() - 30  # a row of its own


def test_the_right_docks_yield_in_a_narrower_window(
    qtbot, library: Library, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    settings = QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat)
    workers = Workers(library)
    win = MainWindow(library, workers, settings)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    assert not win.glossary_dock.isVisible() and not win.related_dock.isVisible()
    win.resize(WIDE_WINDOW + 100, 900)
    qtbot.waitUntil(win.glossary_dock.isVisible)
    assert win.related_dock.isVisible()
    # What the user chooses stays until the window crosses the width again.
    win.related_dock.hide()
    win.resize(WIDE_WINDOW + 200, 900)
    qtbot.waitUntil(lambda: win.width() == WIDE_WINDOW + 200)
    assert not win.related_dock.isVisible()
    # The layout is remembered as left, docks included.
    win.close()
    again = MainWindow(library, workers, settings)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitUntil(again.isVisible)
    assert again.glossary_dock.isVisible() and not again.related_dock.isVisible()
    again.close()
    workers.shutdown()


def test_clicking_an_actor_mark_shows_the_actors_panel(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.glossary_dock.hide()
    window.pane.actorClicked.emit("iran")
    assert window.glossary_dock.isVisible()
    assert window.glossary_panel.current() == "iran"


# -- small rough edges -----------------------------------------------------------------------


def test_copy_link_location_only_over_a_link(window: MainWindow) -> None:
    article = window.pane.browsers[0]
    menu = article.context_menu(QPoint(2, article.viewport().height() - 2))
    link = menu.findChild(QAction, "link-copy")
    assert link is not None and not link.isEnabled()
    menu.deleteLater()


def test_counted_nouns() -> None:
    assert counted(1, "brief") == "1 brief"
    assert counted(4, "problem") == "4 problems"
    assert counted(0, "brief") == "0 briefs"


def test_remove_a_corpus_folder(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "x.md").write_text("Title: Basra port\n\nBasra port reopened.\n", "utf-8")
    first = window.library.corpora[0]
    with qtbot.waitSignal(window.indexReady, timeout=20000):
        window.add_corpus(extra)
    qtbot.waitUntil(lambda: not window.workers.busy, timeout=20000)
    window._fill_remove_menu()
    assert [a.text() for a in window.remove_menu.actions()] == [str(first), str(extra.resolve())]
    with qtbot.waitSignal(window.indexReady, timeout=20000):
        window.remove_corpus(first)
    qtbot.waitUntil(lambda: not window.workers.busy, timeout=20000)
    assert window.library.corpora == [extra.resolve()]
    _search(qtbot, window, "")
    assert [window.model.hit(r).id for r in range(window.model.rowCount())] == ["x.md"]  # type: ignore[union-attr]
