"""The user's own layer in the real window: highlights and notes, saved searches and their
new counts, stars and read marks, history, exports."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QPoint, QSettings
from PySide6.QtGui import QAction, QTextCursor
from PySide6.QtWidgets import QMenu

from briefreader.core.library import Library
from briefreader.core.userdata import CHANGED, CURRENT, UserData
from briefreader.ui.app import build_window
from briefreader.ui.host import MenuId
from briefreader.ui.main_window import MainWindow
from briefreader.ui.userlayer.delegates import HeadRole
from briefreader.ui.userlayer.layer import UserLayer
from briefreader.ui.userlayer.models import CHANGED_TEXT, NoteListModel, SavedListModel
from briefreader.ui.widgets.brief_browser import BriefBrowser
from briefreader.ui.workers import Workers

REPO = Path(__file__).resolve().parents[2]
NEWEST = "2020-01-03_airport-strike.md"
KH = "2019-12-30_kh-strikes.md"


def _open(qtbot, window: MainWindow, brief_id: str) -> None:  # type: ignore[no-untyped-def]
    if window.pane.view is not None and window.pane.view.brief.id == brief_id:
        return
    with qtbot.waitSignal(window.briefShown, timeout=10000):
        window.open_brief(brief_id)


def _search(qtbot, window: MainWindow, text: str) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.search.search_for(text)


def _select(browser: BriefBrowser, text: str) -> tuple[int, int]:
    start = browser.document().toPlainText().index(text)
    cursor = QTextCursor(browser.document())
    cursor.setPosition(start)
    cursor.setPosition(start + len(text), QTextCursor.MoveMode.KeepAnchor)
    browser.setTextCursor(cursor)
    browser.setFocus()
    return start, start + len(text)


def _answer(layer: UserLayer, text: str | None) -> list[tuple[str, str]]:
    """Answer the note dialog with ``text``; returns what it was asked (title, quote)."""
    asked: list[tuple[str, str]] = []

    def ask(_parent: object, title: str, quote: str, _old: str) -> str | None:
        asked.append((title, quote))
        return text

    layer.ask = ask
    layer.highlights.ask = ask
    return asked


def _drawn(window: MainWindow) -> list[str]:
    """The text under each highlight drawn in either section."""
    out = []
    for browser in window.pane.browsers:
        for sel in browser.extraSelections():
            out.append(sel.cursor.selectedText())
    return out


def _new_window(qtbot, library: Library, settings: QSettings) -> MainWindow:  # type: ignore[no-untyped-def]
    workers = Workers(library)
    win = build_window(library, workers, settings)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.indexReady, timeout=20000):
        win.start()
    qtbot.waitUntil(lambda: not workers.busy, timeout=20000)
    return win


def _close(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not window.workers.busy, timeout=20000)
    window.close()
    window.workers.shutdown()


# -- highlights and notes ------------------------------------------------------------------


def test_highlight_with_a_note_is_drawn_and_is_there_after_reopening(
    qtbot, window: MainWindow, library: Library, settings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    layer = window.feature(UserLayer)
    _open(qtbot, window, NEWEST)
    article, _comment = window.pane.browsers
    asked = _answer(layer, "Check the second leader's name")
    _select(article, "killed Qassem Suleimani")
    with qtbot.waitSignal(layer.store.notesChanged, timeout=5000):
        note = layer.highlight_selection()
    assert note is not None and note.section == "article"
    brief = window.pane.view.brief  # type: ignore[union-attr]
    assert "killed Qassem Suleimani" in brief.text[note.start : note.end]  # type: ignore[misc]
    assert asked == [("Highlight with a note", "killed Qassem Suleimani")]
    assert _drawn(window) == ["killed Qassem Suleimani"]
    # Its own colour: neither a hit's nor an actor's.
    sel = article.extraSelections()[0]
    fmt = sel.format
    assert fmt.background().color().name() == window.pane.style_.note_bg
    assert window.pane.style_.note_bg not in (window.pane.style_.hit_bg,) + tuple(
        bg for _fg, bg in window.pane.style_.kinds.values()
    )
    # The note shows under the highlight and in the Notes panel.
    rect = article.cursorRect(sel.cursor)
    assert layer.highlights.tooltip(article, rect.center()) == "Check the second leader's name"
    assert "Check the second leader's name" in layer.notes_panel.brief_model.index(0).data()
    _close(qtbot, window)

    again = _new_window(qtbot, library, settings)
    _open(qtbot, again, NEWEST)
    assert _drawn(again) == ["killed Qassem Suleimani"]
    row = again.feature(UserLayer).notes_panel.brief_model.row(0)
    assert row is not None and row.note.body == "Check the second leader's name"
    assert row.state == CURRENT
    _close(qtbot, again)


def test_highlight_in_the_comment_and_a_note_on_the_whole_brief(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    layer = window.feature(UserLayer)
    _open(qtbot, window, NEWEST)
    _article, comment = window.pane.browsers
    _answer(layer, "")
    _select(comment, "strike first")
    with qtbot.waitSignal(layer.store.notesChanged, timeout=5000):
        note = layer.highlight_selection()
    assert note is not None and note.section == "comment" and note.body == ""
    _answer(layer, "Ask the desk about the rockets")
    with qtbot.waitSignal(layer.store.notesChanged, timeout=5000):
        whole = layer.note_on_brief()
    assert whole is not None and not whole.is_highlight
    assert _drawn(window) == ["strike first"]
    assert layer.notes_dock.isVisible()
    texts = [layer.notes_panel.brief_model.index(r).data() for r in range(2)]
    assert any("Ask the desk" in t for t in texts)
    # Removing the highlight takes it off the page.
    with qtbot.waitSignal(layer.store.notesChanged, timeout=5000):
        layer.store.delete_note(note)
    assert _drawn(window) == []


def test_a_note_on_a_brief_that_changed_says_so_and_keeps_the_old_text(
    qtbot, window: MainWindow, corpus: Path
) -> None:  # type: ignore[no-untyped-def]
    layer = window.feature(UserLayer)
    _open(qtbot, window, KH)
    article, _ = window.pane.browsers
    _answer(layer, "five or six?")
    _select(article, "five bases")
    with qtbot.waitSignal(layer.store.notesChanged, timeout=5000):
        layer.highlight_selection()
    path = corpus / KH
    path.write_text(path.read_text("utf-8").replace("five bases", "six bases"), "utf-8")
    with qtbot.waitSignal(window.indexReady, timeout=20000):
        window.update_index()
    window.workers.forget_views()
    window.pane.show_message("…")
    _open(qtbot, window, KH)
    assert _drawn(window) == []  # its offsets mean other text now: listed, not drawn
    row = layer.notes_panel.brief_model.row(0)
    assert row is not None and row.state == CHANGED
    assert row.old_text is not None and "five bases" in row.old_text
    assert CHANGED_TEXT in layer.notes_panel.brief_model.index(0).data()
    assert "five bases" in layer.notes_panel.brief_model.index(0).data(3)  # the tooltip
    # The list of all notes says the same (read in the background).
    with qtbot.waitSignal(layer.notes_panel.all_model.modelReset, timeout=10000):
        layer.notes_panel.refresh_all()
    assert CHANGED_TEXT in layer.notes_panel.all_model.index(0).data()


def test_picking_a_note_opens_its_brief_at_the_note(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    layer = window.feature(UserLayer)
    _open(qtbot, window, KH)
    article, _ = window.pane.browsers
    _answer(layer, "")
    _select(article, "contractor")
    with qtbot.waitSignal(layer.store.notesChanged, timeout=5000):
        note = layer.highlight_selection()
    _open(qtbot, window, NEWEST)
    with qtbot.waitSignal(window.briefShown, timeout=10000):
        layer.open_note(note)  # type: ignore[arg-type]
    assert window.pane.view.brief.id == KH  # type: ignore[union-attr]
    assert window.pane.browsers[0].textCursor().selectedText() == "contractor"


# -- saved searches, the watchlist, new counts ---------------------------------------------


def _counts(qtbot, layer: UserLayer) -> dict[str, tuple[int, int]]:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(layer.watchlist.countsShown, timeout=20000):
        layer.watchlist.refresh()
    model = layer.watchlist.model
    rows = [model.row(r) for r in range(model.rowCount())]
    return {r.saved.name: (r.total, len(r.new)) for r in rows if r is not None}


def _cli_saved(library: Library, glossary_file: Path) -> dict[str, tuple[int, int]]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-m", "briefreader", "saved", "--json",
         "--data-dir", str(library.data_dir), "--glossary", str(glossary_file)],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return {r["name"]: (r["total"], r["new"]) for r in json.loads(proc.stdout)}


ROCKETS = """Title: Rockets land near the embassy
Date: 2020-01-08
Source: AFP

Two rockets landed near the embassy in Baghdad overnight; no one was hurt.
"""


def test_saved_search_new_count_rises_with_new_briefs_and_falls_once_opened(
    qtbot, window: MainWindow, library: Library, corpus: Path, glossary_file: Path
) -> None:  # type: ignore[no-untyped-def]
    layer = window.feature(UserLayer)
    _search(qtbot, window, "rocket")
    with qtbot.waitSignal(layer.store.savedChanged, timeout=10000):
        layer.saved.save_search_as("Rockets")
    assert layer.watch_dock.isVisible()
    assert _counts(qtbot, layer) == {"Rockets": (2, 0)}

    (corpus / "2020-01-08_rockets.md").write_text(ROCKETS, "utf-8")
    with qtbot.waitSignal(window.indexReady, timeout=20000):
        window.update_index()
    assert _counts(qtbot, layer) == {"Rockets": (3, 1)}
    library.remember_corpora()
    assert _cli_saved(library, glossary_file) == {"Rockets": (3, 1)}  # the CLI agrees
    assert "1 new" in layer.watchlist.model.index(0).data()

    # Opening it lists the new brief first, and marks the search seen.
    _search(qtbot, window, "election")
    status = layer.watchlist.model.row(0)
    with (
        qtbot.waitSignal(layer.saved.savedOpened, timeout=20000),
        qtbot.waitSignal(window.resultsShown, timeout=20000),
    ):
        layer.saved.open_saved(status)
    assert window.search_box.text() == "rocket"
    assert window.model.hit(0).id == "2020-01-08_rockets.md"  # type: ignore[union-attr]
    assert window.model.rowCount() == 3
    prefix = window.search.delegate.title_prefix
    assert prefix(window.model.hit(0)) == "new · "  # type: ignore[misc, arg-type]
    assert prefix(window.model.hit(1)) == ""  # type: ignore[misc, arg-type]
    assert "1 new brief since you last looked" in window.info.text()
    assert _counts(qtbot, layer) == {"Rockets": (3, 0)}
    assert _cli_saved(library, glossary_file) == {"Rockets": (3, 0)}


def test_watch_an_actor_from_the_glossary_and_open_it(
    qtbot, window: MainWindow, corpus: Path
) -> None:  # type: ignore[no-untyped-def]
    layer = window.feature(UserLayer)
    with qtbot.waitSignal(layer.store.savedChanged, timeout=10000):
        layer.saved.watch_actor("KH")
    assert _counts(qtbot, layer) == {"Kataib Hezbollah": (2, 0)}
    (corpus / "2020-01-09_kh.md").write_text(
        "Title: Kataib Hezbollah threatens\nDate: 2020-01-09\n\nKataib Hezbollah warned.\n",
        "utf-8",
    )
    with qtbot.waitSignal(window.indexReady, timeout=20000):
        window.update_index()
    assert _counts(qtbot, layer) == {"Kataib Hezbollah": (3, 1)}
    with qtbot.waitSignal(layer.saved.savedOpened, timeout=20000):
        layer.saved.open_saved(layer.watchlist.model.row(0))
    qtbot.waitUntil(lambda: window.model.rowCount() == 3, timeout=10000)
    assert window.model.hit(0).id == "2020-01-09_kh.md"  # type: ignore[union-attr]
    assert window.facet_panel.filters["actors"] == ["kataib-hezbollah"]
    # Deleting it empties the list.
    with qtbot.waitSignal(layer.watchlist.countsShown, timeout=10000):
        layer.saved.delete_saved("Kataib Hezbollah")
    assert layer.watchlist.model.rowCount() == 0


def test_history_remembers_queries_the_user_acted_on(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    layer = window.feature(UserLayer)
    window.search_box.setText("rocket")
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.search_box.returnPressed.emit()
    _search(qtbot, window, "election")
    window.search.open_top()
    assert layer.lists.history() == ["election", "rocket"]
    menu = layer.lists.history_menu()
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts[:2] == ["election", "rocket"]
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        menu.actions()[1].trigger()
    assert window.search_box.text() == "rocket"
    assert any(a.shortcut().toString() == "Ctrl+H" for a in window.actions())


# -- stars and read marks ------------------------------------------------------------------


def test_star_many_results_then_list_only_the_starred_and_the_unread(
    qtbot, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    layer = window.feature(UserLayer)
    _search(qtbot, window, "")
    sm = window.results.selectionModel()
    sm.clearSelection()
    for brief_id in (KH, "2018-05-14_elections.md"):
        index = window.model.index(window.model.row_of(brief_id))
        sm.select(index, QItemSelectionModel.SelectionFlag.Select)
    layer.star_selected(True)
    assert layer.store.starred == {KH, "2018-05-14_elections.md"}
    assert window.search.delegate.title_prefix(window.model.hit(window.model.row_of(KH)))  # type: ignore[misc, arg-type]
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        layer.lists.set_only("starred")
    ids = {window.model.hit(r).id for r in range(window.model.rowCount())}  # type: ignore[union-attr]
    assert ids == {KH, "2018-05-14_elections.md"}
    # The newest brief was opened at start: read; the unread list leaves it out.
    assert NEWEST in layer.store.read
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        layer.lists.set_only("unread")
    ids = {window.model.hit(r).id for r in range(window.model.rowCount())}  # type: ignore[union-attr]
    assert NEWEST not in ids and len(ids) == 3
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        layer.lists.set_only("")
    assert window.model.rowCount() == 4
    # The star of the open brief, from its button; the state is in the database.
    _open(qtbot, window, NEWEST)
    assert not layer.star_button.isChecked()
    layer.star_button.click()
    assert layer.star_button.isChecked() and layer.store.is_starred(NEWEST)
    with UserData.open(window.library.data_dir) as ud:
        assert set(ud.starred()) == {KH, "2018-05-14_elections.md", NEWEST}
        assert ud.is_read(NEWEST)


# -- exports -------------------------------------------------------------------------------


def test_export_results_to_csv_and_read_them_back(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    layer = window.feature(UserLayer)
    _open(qtbot, window, KH)
    layer.store.add_note(window.pane.view.brief, "Watch the embassy")  # type: ignore[union-attr]
    _search(qtbot, window, "rocket")
    target = tmp_path / "out" / "results.csv"
    target.parent.mkdir()
    with qtbot.waitSignal(layer.exported, timeout=20000):
        layer.export_results(target, "csv")
    with target.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["id"] for r in rows} == {NEWEST, KH}
    kh = next(r for r in rows if r["id"] == KH)
    assert kh["title"] == "American strikes hit Kataib Hezbollah bases"
    assert kh["notes"] == "Watch the embassy"
    assert kh["date"] == "2019-12-30" and kh["source"] == "Reuters"
    assert "Kataib Hezbollah" in kh["actors"]
    for fmt in ("md", "json"):
        with qtbot.waitSignal(layer.exported, timeout=20000):
            layer.export_results(tmp_path / f"results.{fmt}", fmt)
    data = json.loads((tmp_path / "results.json").read_text("utf-8"))
    assert data["query"] == "rocket" and len(data["hits"]) == 2
    assert "| title |" in (tmp_path / "results.md").read_text("utf-8")


def test_export_a_brief_with_its_highlights_and_notes(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    layer = window.feature(UserLayer)
    _open(qtbot, window, NEWEST)
    _answer(layer, "who was the other?")
    _select(window.pane.browsers[0], "a leader of Kataib Hezbollah")
    layer.highlight_selection()
    layer.export_brief(tmp_path / "brief.md", "md")
    text = (tmp_path / "brief.md").read_text("utf-8")
    assert text.startswith("# Drone strike at Baghdad airport kills Suleimani")
    assert "==a leader of Kataib Hezbollah==" in text
    assert "who was the other?" in text and "## Analyst comment" in text
    layer.export_brief(tmp_path / "brief.pdf", "pdf")
    assert (tmp_path / "brief.pdf").read_bytes().startswith(b"%PDF")


# -- models --------------------------------------------------------------------------------


@pytest.mark.parametrize("model_type", [NoteListModel, SavedListModel])
def test_models_pass_the_model_tester(qtmodeltester, qtbot, window: MainWindow, model_type) -> None:  # type: ignore[no-untyped-def]
    layer = window.feature(UserLayer)
    if model_type is NoteListModel:
        _open(qtbot, window, NEWEST)
        layer.store.add_note(window.pane.view.brief, "one")  # type: ignore[union-attr]
        model = layer.notes_panel.brief_model
        assert model.rowCount() == 1
    else:
        with qtbot.waitSignal(layer.store.savedChanged, timeout=10000):
            layer.saved.watch_actor("Iran")
        _counts(qtbot, layer)
        model = layer.watchlist.model
        assert model.rowCount() == 1
    qtmodeltester.check(model)


def test_right_click_menus_offer_highlight_watch_and_star(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMenu

    layer = window.feature(UserLayer)
    _open(qtbot, window, NEWEST)
    article, _ = window.pane.browsers
    a, _b = _select(article, "Iran vowed")
    menu = QMenu()
    rect = article.cursorRect(article.textCursor())
    layer.highlights._add_menu_entries(menu, article, rect.center())
    texts = [x.text() for x in menu.actions()]
    assert "Highlight with a note…" in texts and "Star this brief" in texts
    asked = _answer(layer, "never asked")
    with qtbot.waitSignal(layer.store.notesChanged, timeout=5000):
        next(x for x in menu.actions() if x.text() == "Highlight").trigger()
    assert asked == [] and _drawn(window) == ["Iran vowed"]
    # Over the highlight now: edit or remove it.
    menu = QMenu()
    cursor = QTextCursor(article.document())
    cursor.setPosition(a + 2)
    layer.highlights._add_menu_entries(menu, article, article.cursorRect(cursor).center())
    texts = [x.text() for x in menu.actions()]
    assert "Add a note…" in texts and "Remove this highlight" in texts
    # Over an actor mark: watch it.
    [(browser, span)] = window.pane.actor_positions("qassem-suleimani")[:1]
    cursor = QTextCursor(browser.document())
    cursor.setPosition(span[0] + 1)
    menu = QMenu()
    layer.highlights._add_menu_entries(menu, browser, browser.cursorRect(cursor).center())
    with qtbot.waitSignal(layer.store.savedChanged, timeout=10000):
        next(x for x in menu.actions() if x.text() == "Watch this actor").trigger()
    assert [s.name for s in layer.store.ud.saved_all("actor")] == ["Qassem Suleimani"]
    # The results' menu stars what is selected.
    window.results.setCurrentIndex(window.model.index(0))
    menu = layer.results_menu()
    next(x for x in menu.actions() if x.text().startswith("Star")).trigger()
    assert layer.store.is_starred(window.model.hit(0).id)  # type: ignore[union-attr]


def test_highlights_follow_the_theme(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    from briefreader.ui.widgets.marks import DARK, LIGHT

    layer = window.feature(UserLayer)
    _open(qtbot, window, NEWEST)
    _answer(layer, "")
    _select(window.pane.browsers[0], "drone strike")
    layer.highlight_selection()
    window.set_theme("light")
    sel = window.pane.browsers[0].extraSelections()[0]
    assert sel.format.background().color().name() == LIGHT.note_bg
    window.set_theme("dark")
    sel = window.pane.browsers[0].extraSelections()[0]
    assert sel.format.background().color().name() == DARK.note_bg
    assert DARK.note_bg != LIGHT.note_bg
    window.set_theme("light")


def test_note_words_in_the_search_box_find_the_briefs_with_such_notes(
    qtbot, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    layer = window.feature(UserLayer)
    _open(qtbot, window, KH)
    layer.store.add_note(window.pane.view.brief, "Ask about the Embassy protests")  # type: ignore[union-attr]
    _search(qtbot, window, "note:embassy")
    assert [window.model.hit(r).id for r in range(window.model.rowCount())] == [KH]  # type: ignore[union-attr]
    assert "note" in window.info.text()
    _search(qtbot, window, "Baghdad note:embassy")
    assert window.model.rowCount() == 1
    _search(qtbot, window, "election note:embassy")
    assert window.model.rowCount() == 0


def test_a_damaged_notes_database_is_set_aside_and_said_so(
    qtbot, library: Library, settings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    (library.data_dir / "userdata.sqlite").write_bytes(b"not a database at all" * 100)
    win = _new_window(qtbot, library, settings)
    assert "moved to userdata.sqlite.damaged-" in win.statusBar().currentMessage()
    assert list(library.data_dir.glob("userdata.sqlite.damaged-*"))
    assert win.feature(UserLayer).store.ud.notes() == []
    _close(qtbot, win)


def test_label_many_results_then_list_them_by_label(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    layer = window.feature(UserLayer)
    _search(qtbot, window, "")
    sm = window.results.selectionModel()
    sm.clearSelection()
    for brief_id in (KH, NEWEST):
        index = window.model.index(window.model.row_of(brief_id))
        sm.select(index, QItemSelectionModel.SelectionFlag.Select)
    layer.label_selected("Rockets to check")
    assert layer.store.labels[KH] == ["rockets-to-check"]
    hit = window.model.hit(window.model.row_of(KH))
    assert window.search.delegate.title_prefix(hit) == "#rockets-to-check "  # type: ignore[misc, arg-type]
    layer.label_selected("urgent")
    layer.label_selected("iraq")
    # Many labels: the first and how many more, so that the title keeps its room.
    prefix = window.search.delegate.title_prefix(hit)  # type: ignore[misc, arg-type]
    assert prefix == f"#{layer.store.labels[KH][0]} +2 "
    for label in ("urgent", "iraq"):
        layer.label_selected(label, on=False)
    menu = layer.lists.list_menu()
    entry = next(a for a in menu.actions() if a.text().startswith("#rockets-to-check"))
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        entry.trigger()
    assert window.search_box.text() == "label:rockets-to-check"
    ids = {window.model.hit(r).id for r in range(window.model.rowCount())}  # type: ignore[union-attr]
    assert ids == {KH, NEWEST}
    # Off one of them again, from the results' menu.
    window.results.selectionModel().clearSelection()
    window.results.selectionModel().select(
        window.model.index(window.model.row_of(KH)), QItemSelectionModel.SelectionFlag.Select
    )
    drop = next(a.menu() for a in layer.results_menu().actions() if a.menu() is not None)
    drop.actions()[0].trigger()
    assert KH not in layer.store.labels


def test_plain_words_find_notes_too_listed_below_the_briefs_own_words(
    qtbot, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    layer = window.feature(UserLayer)
    elections = "2018-05-14_elections.md"
    _search(qtbot, window, "embassy")
    found = [window.model.hit(r).id for r in range(window.model.rowCount())]  # type: ignore[union-attr]
    assert elections not in found and found
    _open(qtbot, window, elections)
    layer.store.add_note(window.pane.view.brief, "Ask the embassy about Zarqawi")  # type: ignore[union-attr]
    _search(qtbot, window, "embassy")
    ids = [window.model.hit(r).id for r in range(window.model.rowCount())]  # type: ignore[union-attr]
    assert ids == [*found, elections]  # below everything the brief texts matched
    last = window.model.hit(len(ids) - 1)
    assert last.snippet.section == "note" and "Zarqawi" in last.snippet.text  # type: ignore[union-attr]
    assert "your notes" in window.info.text()
    _search(qtbot, window, "zarqawi")
    assert [window.model.hit(r).id for r in range(window.model.rowCount())] == [elections]  # type: ignore[union-attr]


def _cli_search(library: Library, glossary_file: Path, *args: str) -> list[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-m", "briefreader", "search", *args, "--limit", "500", "--json",
         "--data-dir", str(library.data_dir), "--glossary", str(glossary_file)],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return [h["id"] for h in json.loads(proc.stdout)["hits"]]


def test_the_window_and_the_command_line_list_the_same_briefs_with_notes(
    qtbot, window: MainWindow, library: Library, glossary_file: Path
) -> None:  # type: ignore[no-untyped-def]
    layer = window.feature(UserLayer)
    elections = "2018-05-14_elections.md"
    _open(qtbot, window, elections)
    layer.store.add_note(window.pane.view.brief, "Ask the embassy about Zarqawi")  # type: ignore[union-attr]
    _open(qtbot, window, NEWEST)
    article, _comment = window.pane.browsers
    _answer(layer, "Zarqawi's old route")
    _select(article, "harsh revenge")
    layer.highlight_selection()
    library.remember_corpora()

    def shown() -> list[str]:
        return [window.model.hit(r).id for r in range(window.model.rowCount())]  # type: ignore[union-attr]

    for query in ("embassy", "zarqawi", "note:embassy", "Baghdad note:zarqawi", "rocket"):
        _search(qtbot, window, query)
        assert shown() == _cli_search(library, glossary_file, query), query
    _search(qtbot, window, "zarqawi")
    assert shown() == [NEWEST, elections]  # both found by the notes alone
    # With a filter the notes are still searched, and the filter holds for them too.
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.facet_panel.set_filter("year", ["2018"])
    assert shown() == [elections]
    assert shown() == _cli_search(library, glossary_file, "zarqawi", "--since", "2018",
                                  "--until", "2018")  # fmt: skip


# -- saved searches keep their filters and order -----------------------------------------


def _cli(library: Library, glossary_file: Path, *args: str) -> object:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-m", "briefreader", *args, "--json",
         "--data-dir", str(library.data_dir), "--glossary", str(glossary_file)],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_a_saved_search_keeps_its_years_and_order_when_reopened(
    qtbot, window: MainWindow, library: Library, glossary_file: Path
) -> None:  # type: ignore[no-untyped-def]
    layer = window.feature(UserLayer)
    window.search_box.setText("Baghdad")
    window.sort_combo.setCurrentIndex(window.sort_combo.findData("oldest"))
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.facet_panel.set_filter("year", ["2018", "2020"])
    ids = [window.model.hit(r).id for r in range(window.model.rowCount())]  # type: ignore[union-attr]
    assert ids == ["2018-05-14_elections.md", NEWEST]
    with qtbot.waitSignal(layer.store.savedChanged, timeout=10000):
        layer.saved.save_search_as("Baghdad, two years")
    library.remember_corpora()
    [row] = _cli(library, glossary_file, "saved")  # type: ignore[misc]
    assert row["filters"] == {"years": [2018, 2020]} and row["sort"] == "oldest"
    assert row["total"] == 2
    # Anything else shown; then reopened: the query, the years and the order come back.
    window.facet_panel.clear()
    window.sort_combo.setCurrentIndex(window.sort_combo.findData("relevance"))
    _search(qtbot, window, "election")
    with qtbot.waitSignal(window.resultsShown, timeout=20000):
        layer.saved.open_saved(_counts_rows(qtbot, layer)["Baghdad, two years"])
    assert window.search_box.text() == "Baghdad"
    assert window.facet_panel.filters["year"] == ["2018", "2020"]
    assert window.sort_combo.currentData() == "oldest"
    assert [window.model.hit(r).id for r in range(window.model.rowCount())] == ids  # type: ignore[union-attr]


def test_a_date_range_saved_on_the_command_line_holds_in_the_window(
    qtbot, window: MainWindow, library: Library, glossary_file: Path
) -> None:  # type: ignore[no-untyped-def]
    layer = window.feature(UserLayer)
    library.remember_corpora()
    row = _cli(library, glossary_file, "saved", "add", "Baghdad 2019", "Baghdad",
               "--since", "2019-06", "--until", "2019", "--sort", "newest")  # fmt: skip
    assert row["filters"] == {"since": "2019-06-01", "until": "2019-12-31"}  # type: ignore[index]
    assert row["total"] == 1  # type: ignore[index]
    row = _cli(library, glossary_file, "saved", "add", "Baghdad 2017-18", "Baghdad",
               "--year", "2018", "--year", "2017")  # fmt: skip
    assert row["filters"] == {"years": [2017, 2018]} and row["total"] == 2  # type: ignore[index]
    rows = _counts_rows(qtbot, layer)
    assert {n: r.total for n, r in rows.items()} == {"Baghdad 2019": 1, "Baghdad 2017-18": 2}
    with qtbot.waitSignal(window.resultsShown, timeout=20000):
        layer.saved.open_saved(rows["Baghdad 2019"])
    # The window has no date-range filter: the range is written into the query, in sight.
    assert window.search_box.text() == "Baghdad date:[2019-06 to 2019-12]"
    assert window.search_box.cursorPosition() == 0  # the query's start in sight
    assert [window.model.hit(r).id for r in range(window.model.rowCount())] == [KH]  # type: ignore[union-attr]
    assert window.sort_combo.currentData() == "newest"
    with qtbot.waitSignal(window.resultsShown, timeout=20000):
        layer.saved.open_saved(rows["Baghdad 2017-18"])
    assert window.search_box.text() == "Baghdad"
    assert window.facet_panel.filters["year"] == ["2017", "2018"]
    ids = {window.model.hit(r).id for r in range(window.model.rowCount())}  # type: ignore[union-attr]
    assert ids == {"2018-05-14_elections.md", "2017-11-24_foreign-plot.md"}


def _counts_rows(qtbot, layer: UserLayer) -> dict[str, object]:  # type: ignore[no-untyped-def]
    _counts(qtbot, layer)
    model = layer.watchlist.model
    rows = [model.row(r) for r in range(model.rowCount())]
    return {r.saved.name: r for r in rows if r is not None}


# -- export from the watchlist -----------------------------------------------------------


def _menu_action(menu: QMenu, sub_name: str, text: str) -> QAction:
    sub = menu.findChild(QMenu, sub_name)
    assert sub is not None and sub.isEnabled(), sub_name
    return next(a for a in sub.actions() if a.text().startswith(text))


def test_export_a_saved_search_and_the_starred_from_the_watchlist_menu(
    qtbot, window: MainWindow, library: Library, glossary_file: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    layer = window.feature(UserLayer)
    watchlist = layer.watchlist
    _open(qtbot, window, KH)
    layer.store.add_note(window.pane.view.brief, "Ask about the contractor")  # type: ignore[union-attr]
    window.sort_combo.setCurrentIndex(window.sort_combo.findData("oldest"))
    _search(qtbot, window, "rocket")
    with qtbot.waitSignal(layer.store.savedChanged, timeout=10000):
        layer.saved.save_search_as("Rockets, near Baghdad")
    with qtbot.waitSignal(layer.store.savedChanged, timeout=10000):
        layer.saved.watch_actor("KH")
    _counts(qtbot, layer)
    targets: list[Path] = []
    layer._ask_path = lambda _t, name, _f, _l: targets.append(tmp_path / name) or targets[-1]  # type: ignore[method-assign]

    def row_menu(name: str) -> QMenu:
        row = next(r for r in range(watchlist.model.rowCount())
                   if watchlist.model.row(r).saved.name == name)  # type: ignore[union-attr]  # fmt: skip
        return watchlist.menu_for(watchlist.view.visualRect(watchlist.model.index(row)).center())

    with qtbot.waitSignal(layer.exported, timeout=20000) as sent:
        _menu_action(row_menu("Rockets, near Baghdad"), "exportSaved", "CSV").trigger()
    assert targets[-1].name == "Rockets-near-Baghdad.csv"
    assert "2 briefs" in sent.args[0]  # type: ignore[index]
    with targets[-1].open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["id"] for r in rows] == [KH, NEWEST]  # the saved order: oldest first
    assert rows[0]["title"] == "American strikes hit Kataib Hezbollah bases"
    assert rows[0]["notes"] == "Ask about the contractor" and rows[1]["notes"] == ""
    assert rows[0]["date"] == "2019-12-30" and "rocket" in rows[0]["snippet"].lower()
    library.remember_corpora()
    cli = _cli(library, glossary_file, "search", "rocket", "--sort", "oldest")
    assert [h["id"] for h in cli["hits"]] == [r["id"] for r in rows]  # type: ignore[index]

    for fmt, text in (("md", "Markdown"), ("json", "JSON")):
        with qtbot.waitSignal(layer.exported, timeout=20000):
            _menu_action(row_menu("Kataib Hezbollah"), "exportSaved", text).trigger()
        assert targets[-1].name == f"Kataib-Hezbollah.{fmt}"
    data = json.loads(targets[-1].read_text("utf-8"))
    assert [h["id"] for h in data["hits"]] == [NEWEST, KH]  # a watched actor: newest first
    markdown = (tmp_path / "Kataib-Hezbollah.md").read_text("utf-8")
    assert markdown.startswith("# Briefs naming Kataib Hezbollah\n")

    # The starred briefs, from below the rows; nothing starred: nothing to export.
    below = QPoint(5, watchlist.view.viewport().height() - 5)
    assert not watchlist.menu_for(below).findChild(QMenu, "exportStarred").isEnabled()  # type: ignore[union-attr]
    layer.store.set_starred(["2018-05-14_elections.md", KH], True)
    with qtbot.waitSignal(layer.exported, timeout=20000):
        _menu_action(watchlist.menu_for(below), "exportStarred", "CSV").trigger()
    with targets[-1].open(newline="", encoding="utf-8") as fh:
        starred = list(csv.DictReader(fh))
    assert targets[-1].name == "starred.csv"
    assert [r["id"] for r in starred] == [KH, "2018-05-14_elections.md"]  # newest first
    assert starred[0]["notes"] == "Ask about the contractor"


def test_the_search_box_buttons_are_drawn_again_for_a_new_theme(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    lists = window.feature(UserLayer).lists
    window.set_theme("light")
    light = lists._muted.name()
    icon = lists.history_action.icon().cacheKey()
    window.set_theme("dark")
    qtbot.waitUntil(lambda: lists._muted.name() != light, timeout=5000)
    assert lists._muted.lightness() > 100  # readable on the dark field
    assert lists.history_action.icon().cacheKey() != icon
    window.set_theme("light")
    qtbot.waitUntil(lambda: lists._muted.name() == light, timeout=5000)


def test_the_notes_panel_says_what_it_lists_when_there_is_nothing(
    qtbot, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    from briefreader.ui.userlayer.notes_panel import NO_NOTES
    from briefreader.ui.userlayer.watchlist import EMPTY

    layer = window.feature(UserLayer)
    panel = layer.notes_panel
    layer.reveal(layer.notes_dock)
    qtbot.waitUntil(lambda: panel.all_empty.isVisible(), timeout=10000)
    assert panel.all_empty.text() == NO_NOTES and not panel.all_list.isVisible()
    _open(qtbot, window, KH)
    layer.store.add_note(window.pane.view.brief, "Ask about the contractor")  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: panel.all_list.isVisible(), timeout=10000)
    assert not panel.all_empty.isVisible() and panel.all_model.rowCount() == 1
    assert panel.all_model.index(0).data(HeadRole) == "American strikes hit Kataib Hezbollah bases"
    panel.filter.setText("zanzibar")
    qtbot.waitUntil(lambda: panel.all_empty.isVisible(), timeout=10000)
    assert panel.all_empty.text() == "No note holds “zanzibar”."
    layer.reveal(layer.watch_dock)
    assert layer.watchlist.empty.isVisible() and layer.watchlist.empty.text() == EMPTY


def test_a_search_with_a_note_term_is_not_saved_and_says_why(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    layer = window.feature(UserLayer)
    _search(qtbot, window, "note:embassy")
    layer.saved.save_search_as("Mine")
    assert "cannot hold note: or label: terms" in window.statusBar().currentMessage()
    assert layer.store.ud.saved_all() == []


def test_the_panels_and_the_starred_export_are_in_the_menus(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    layer = window.feature(UserLayer)
    notes, watch = window.menu(MenuId.NOTES), window.menu(MenuId.WATCH)
    assert notes is not None and watch is not None
    assert layer.notes_dock.toggleViewAction() in notes.actions()
    assert watch.actions()[0] is layer.watch_dock.toggleViewAction()
    file_menu = window.menu(MenuId.FILE)
    export_menu = file_menu.findChild(QMenu, "exportMenu")  # type: ignore[union-attr]
    entry = next(a for a in export_menu.actions() if a.text() == "Starred briefs as JSON…")
    layer.store.set_starred([KH], True)
    target = tmp_path / "starred.json"
    layer._ask_path = lambda *_a: target  # type: ignore[method-assign]
    with qtbot.waitSignal(layer.exported, timeout=20000):
        entry.trigger()
    assert [h["id"] for h in json.loads(target.read_text("utf-8"))["hits"]] == [KH]


def test_deleting_a_note_with_words_asks_first(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    layer = window.feature(UserLayer)
    _open(qtbot, window, KH)
    brief = window.pane.view.brief  # type: ignore[union-attr]
    worded = layer.store.add_note(brief, "Ask about the contractor")
    start = brief.text.index("five bases")
    bare = layer.store.add_highlight(brief, "article", start, start + len("five bases"))
    asked: list[str] = []
    answer = [False]
    layer.highlights.confirm = lambda _p, q: asked.append(q) or answer[0]  # type: ignore[assignment, func-returns-value]
    panel = layer.notes_panel
    rows = {panel.brief_model.row(r).note.id: r for r in range(panel.brief_model.rowCount())}  # type: ignore[union-attr]
    pos = panel.brief_list.visualRect(panel.brief_model.index(rows[worded.id])).center()  # type: ignore[union-attr]
    layer.reveal(layer.notes_dock)
    delete = next(
        a for a in panel.menu_for(panel.brief_list, pos).actions() if a.text() == "Delete"
    )  # type: ignore[union-attr]
    delete.trigger()
    assert asked == ["Delete the note “Ask about the contractor”? There is no undo."]
    assert {n.id for n in layer.store.notes(KH)} == {worded.id, bare.id}  # type: ignore[union-attr]
    answer[0] = True
    delete.trigger()
    assert {n.id for n in layer.store.notes(KH)} == {bare.id}  # type: ignore[union-attr]
    layer.highlights.delete(bare)  # type: ignore[arg-type]
    assert len(asked) == 2 and layer.store.notes(KH) == []  # a bare highlight: not asked


def test_a_set_aside_notes_database_is_offered_back_and_merged(
    qtbot, library: Library, settings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    from briefreader.ui.userlayer.store import UserStore

    with UserData.open(library.data_dir) as db:
        db.add_note(library.brief(NEWEST), "a note from before the damage")
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = library.data_dir / "userdata.sqlite"
    aside = path.with_name("userdata.sqlite.damaged-20261206-101500")
    path.rename(aside)
    before = aside.read_bytes()
    win = _new_window(qtbot, library, settings)
    layer = win.feature(UserLayer)
    panel = layer.notes_panel
    assert not panel.rescue.isHidden()
    assert "1 note can" in panel.rescue_label.text() and aside.name in panel.rescue_label.text()
    panel.rescue_show.setChecked(True)
    model = panel.all_model
    from briefreader.ui.userlayer.models import NoteRole

    shown = [model.index(i, 0).data(NoteRole).note.body for i in range(model.rowCount())]
    assert shown == ["a note from before the damage"]
    assert layer.store.ud.notes() == []  # only shown, not merged
    panel.rescue_merge.click()
    assert [n.body for n in layer.store.ud.notes()] == ["a note from before the damage"]
    assert isinstance(layer.store, UserStore) and panel.rescue.isHidden()
    [kept] = library.data_dir.glob("userdata.sqlite.merged-*")
    assert kept.read_bytes() == before  # renamed, never written
    _close(qtbot, win)


def test_a_locked_notes_database_is_waited_for_not_set_aside(
    qtbot, library: Library, settings: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    from briefreader.core import userdata_db
    from briefreader.ui.userlayer.store import UserStore

    # The module that opens the connections, which is the one that reads the timeout.
    monkeypatch.setattr(userdata_db, "BUSY_TIMEOUT_S", 0.1)
    monkeypatch.setattr(UserStore, "RETRY_MS", 50)
    with UserData.open(library.data_dir) as db:
        db.add_note(library.brief(NEWEST), "still mine")
        db.set_star(NEWEST)
    holder = sqlite3.connect(library.data_dir / "userdata.sqlite", isolation_level=None)
    holder.execute("PRAGMA journal_mode = DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        # Every line the status bar shows, from the window's building on: one that says so
        # for some seconds may be gone, or followed by another, once the index is ready (it
        # was looked for only then, and a loaded machine failed the test).
        workers = Workers(library)
        win = build_window(library, workers, settings)
        qtbot.addWidget(win)
        said = [win.statusBar().currentMessage()]
        win.statusBar().messageChanged.connect(said.append)
        win.show()
        with qtbot.waitSignal(win.indexReady, timeout=20000):
            win.start()
        qtbot.waitUntil(lambda: not workers.busy, timeout=20000)
        assert any("locked" in line for line in said), said
        store = win.feature(UserLayer).store
        assert NEWEST not in store.starred
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with qtbot.waitSignal(store.reopened, timeout=10000):
        pass
    assert NEWEST in store.starred
    assert [n.body for n in store.ud.notes()] == ["still mine"]
    assert not list(library.data_dir.glob("userdata.sqlite.*-*"))
    _close(qtbot, win)
