"""Drive the real window: search, open, marks, glossary, history, background indexing."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QColor, QTextDocument
from PySide6.QtWidgets import QTableView

from briefreader.core.extract import Part
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library
from briefreader.core.prefs import Preferences
from briefreader.core.report import UpdateReport
from briefreader.ui.main_window import MainWindow
from briefreader.ui.widgets.reading_pane import NO_COMMENT
from briefreader.ui.workers import Workers

NEWEST = "2020-01-03_airport-strike.md"


def _open(qtbot, window: MainWindow, brief_id: str) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.briefShown, timeout=10000) as blocker:
        window.open_brief(brief_id)
    assert blocker.args == [brief_id]


def _search(qtbot, window: MainWindow, text: str) -> None:  # type: ignore[no-untyped-def]
    window.search_box.clear()
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        qtbot.keyClicks(window.search_box, text)


def test_first_run_lists_everything_and_opens_the_newest(window: MainWindow) -> None:
    assert window.model.rowCount() == 4
    assert window.pane.view is not None
    assert window.pane.view.brief.id == NEWEST
    article, comment = window.pane.browsers
    assert "drone strike" in article.toPlainText().lower()
    assert "holds" not in comment.toPlainText() and "factions together" in comment.toPlainText()
    assert "index still updating" not in window.info.text()


def test_type_a_query_see_results_open_one(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    _search(qtbot, window, "rocket")
    assert window.model.rowCount() == 2
    ids = {window.model.hit(r).id for r in range(2)}  # type: ignore[union-attr]
    assert ids == {NEWEST, "2019-12-30_kh-strikes.md"}
    index = window.model.index(window.model.row_of("2019-12-30_kh-strikes.md"))
    with qtbot.waitSignal(window.briefShown, timeout=10000):
        window.results.activated.emit(index)
    article, comment = window.pane.browsers
    assert article.toPlainText().strip() and comment.toPlainText().strip()
    # Hits are marked in both panes, distinct from actor marks.
    hits = window.pane.hit_positions()
    assert {b for b, _ in hits} == {article, comment}
    assert window.pane.actor_positions("kataib-hezbollah")
    assert window.pane.actor_positions("baghdad")[0][0] is comment


def test_stale_search_answers_are_dropped(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.search_box.setText("election")
    window.run_search()
    window.search_box.setText("rocket")
    with qtbot.waitSignal(window.resultsShown, timeout=10000) as blocker:
        window.run_search()
    assert blocker.args == [2]
    qtbot.waitUntil(lambda: not window.workers.busy)
    assert window.model.rowCount() == 2


def test_no_comment_is_said_plainly(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    _open(qtbot, window, "2018-05-14_elections.md")
    assert NO_COMMENT in window.pane.browsers[1].toPlainText()


def test_no_results_offers_a_suggestion(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    _search(qtbot, window, "zzzqqq")
    assert window.model.rowCount() == 0
    assert "No briefs match" in window.info.text()


def test_selecting_an_actor_emphasises_its_mentions(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    panel = window.glossary_panel
    names = [
        panel.model.item(g).child(r).text()
        for g in range(panel.model.rowCount())
        for r in range(panel.model.item(g).rowCount())
    ]
    assert {"Qassem Suleimani", "Kataib Hezbollah", "Iran", "Baghdad"} <= set(names)
    panel.select_actor("kataib-hezbollah")
    assert window.pane.selected == "kataib-hezbollah"
    spots = window.pane.actor_positions("kataib-hezbollah")
    assert len(spots) == 2
    browser, (start, _end) = spots[0]
    cursor = browser.textCursor()
    cursor.setPosition(start + 1)
    assert cursor.charFormat().fontWeight() >= 700
    # Others fade.
    browser, (start, _end) = window.pane.actor_positions("iran")[0]
    cursor = browser.textCursor()
    cursor.setPosition(start + 1)
    assert cursor.charFormat().foreground().color() == QColor(window.pane.style_.faded)
    # The sidebar stepped to the first mention.
    assert "Kataib Hezbollah" in window.pane.browsers[0].textCursor().selectedText()
    assert "Qassem Suleimani" not in panel.details.text()
    assert "close to Iran" in panel.details.text()


def test_clicking_a_mark_selects_the_actor(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.pane.browsers[0].anchorClicked.emit(QUrl("actor:iran"))
    assert window.glossary_panel.current() == "iran"
    assert window.pane.selected == "iran"


def test_actor_search_button(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.glossary_panel.select_actor("qassem-suleimani")
    with qtbot.waitSignal(window.resultsShown, timeout=10000) as blocker:
        window.glossary_panel.search_button.click()
    assert window.search_box.text() == 'actor:"Qassem Suleimani"'
    assert blocker.args == [2]


def test_add_alias_is_saved_and_marked(qtbot, window: MainWindow, _data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    before = len(window.pane.actor_positions("qassem-suleimani"))
    with qtbot.waitSignal(window.briefShown, timeout=10000):
        assert window.add_alias("qassem-suleimani", "its general") is None
    assert len(window.pane.actor_positions("qassem-suleimani")) == before + 1
    saved = (_data_dir / "glossary.toml").read_text("utf-8")
    assert "its general" in saved
    assert window.add_alias("qassem-suleimani", "Iran") is not None  # already names Iran


def test_add_actor_from_selection(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.briefShown, timeout=10000):
        assert window.add_actor("harsh revenge", "other") is None
    assert window.pane.actor_positions("harsh-revenge")


def test_history_back_and_forward(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    _open(qtbot, window, "2019-12-30_kh-strikes.md")
    _open(qtbot, window, "2018-05-14_elections.md")
    assert window.history == [NEWEST, "2019-12-30_kh-strikes.md", "2018-05-14_elections.md"]
    with qtbot.waitSignal(window.briefShown, timeout=10000) as b:
        window.back_action.trigger()
    assert b.args == ["2019-12-30_kh-strikes.md"]
    with qtbot.waitSignal(window.briefShown, timeout=10000) as b:
        window.back()
    assert b.args == [NEWEST]
    assert not window.back_action.isEnabled()
    with qtbot.waitSignal(window.briefShown, timeout=10000) as b:
        window.forward_action.trigger()
    assert b.args == ["2019-12-30_kh-strikes.md"]
    # Opening something new drops the forward part.
    _open(qtbot, window, "2017-11-24_foreign-plot.md")
    assert window.history[-1] == "2017-11-24_foreign-plot.md"
    assert not window.forward_action.isEnabled()


def test_next_hit_and_find(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    _search(qtbot, window, "rocket")
    _open(qtbot, window, NEWEST)
    window.step_hit(1)
    chosen = [b for b in window.pane.browsers if b.textCursor().hasSelection()]
    assert chosen and "rocket" in chosen[-1].textCursor().selectedText().lower()
    window.show_find()
    window.find_box.setText("harsh")
    window.findbar.find(False)
    assert window.find_status.text() == ""
    window.find_box.setText("nowhere-to-be-found")
    window.findbar.find(False)
    assert window.find_status.text() == "not found"


def test_marks_off_and_on(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    assert window.pane.actor_positions("iran")
    window.marks_action.trigger()
    assert not window.pane.actor_positions("iran")
    window.marks_action.trigger()
    assert window.pane.actor_positions("iran")


def test_models_pass_the_model_tester(qtbot, qtmodeltester, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    qtmodeltester.check(window.model)
    qtmodeltester.check(window.related_model)
    qtmodeltester.check(window.glossary_panel.model)
    for model in window.facet_models.values():
        qtmodeltester.check(model)


def test_filters_and_sort(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.resultsShown, timeout=10000) as b:
        window.set_filter("source", ["AFP"])
    assert b.args == [1]
    with qtbot.waitSignal(window.resultsShown, timeout=10000) as b:
        window.clear_filters()
    assert b.args == [4]
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        window.sort_combo.setCurrentIndex(window.sort_combo.findData("oldest"))
    assert window.model.hit(0).id == "2017-11-24_foreign-plot.md"  # type: ignore[union-attr]


def test_keyboard(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.activateWindow()
    window.results.setFocus()
    window.search_box.setText("earlier words")
    window.focus_search()
    # Focus goes to the box with its text selected, so typing replaces the last query.
    assert window.focusWidget() is window.search_box
    assert window.search_box.selectedText() == "earlier words"
    window.search_box.setText("something")
    qtbot.keyClick(window.search_box, Qt.Key.Key_Escape)
    assert window.search_box.text() == ""


def test_network_resources_never_load(window: MainWindow) -> None:
    browser = window.pane.browsers[0]
    assert (
        browser.loadResource(
            QTextDocument.ResourceType.ImageResource, QUrl("https://example.com/x.png")
        )
        is None
    )


def test_font_size_and_theme_persist(
    qtbot, window: MainWindow, settings: QSettings, library: Library
) -> None:  # type: ignore[no-untyped-def]
    window.set_font_size(14)
    window.set_theme("dark")
    window.close()
    workers = Workers(library)
    again = MainWindow(library, workers, settings)
    qtbot.addWidget(again)
    assert again.pane.font_size == 14
    assert again.theme_actions["dark"].isChecked()
    again.set_theme("light")
    again.close()


def test_export_pdf(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "brief.pdf"
    window.write_pdf(target)
    assert target.read_bytes().startswith(b"%PDF")


def test_indexing_runs_in_background(
    qtbot, tmp_path: Path, settings: QSettings, glossary_file: Path, _data_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "big"
    folder.mkdir()
    for n in range(300):
        (folder / f"b{n:04d}.md").write_text(
            f"Title: Brief {n}\nDate: 2021-01-{n % 28 + 1:02d}\n\nIran and Baghdad, item {n}. "
            + "Words of filler text about militias and rockets. " * 20
            + "\n\nComment: Kataib Hezbollah again.\n",
            encoding="utf-8",
        )
    lib = Library([folder], _data_dir, Glossary.load([glossary_file]))
    workers = Workers(lib)
    win = MainWindow(lib, workers, settings)
    qtbot.addWidget(win)
    win.show()
    ticks = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(workers.indexing))
    timer.start()
    with qtbot.waitSignal(win.indexReady, timeout=60000):
        win.start()
        assert workers.indexing
    timer.stop()
    # The GUI thread kept running its event loop while the index was built.
    assert any(ticks)
    qtbot.waitUntil(lambda: win.model.total == 300, timeout=20000)
    win.close()
    lib.close()


def test_search_goes_on_while_the_index_updates(
    qtbot, tmp_path: Path, settings: QSettings, glossary_file: Path, corpus: Path, _data_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    first = Library([corpus], _data_dir, Glossary.load([glossary_file]))
    first.update()
    first.close()
    for n in range(400):
        (corpus / f"extra{n:04d}.md").write_text(
            f"Title: Extra {n}\nDate: 2022-02-{n % 28 + 1:02d}\n\n"
            + "Filler about Iran and the militias in Baghdad. " * 30,
            encoding="utf-8",
        )
    lib = Library([corpus], _data_dir, Glossary.load([glossary_file]))
    # The update may not start writing before the first answer was shown: without this gate
    # a fast machine finishes the 400 briefs first and the test proves nothing.
    shown = threading.Event()
    real_update = lib.update

    def gated_update(*args, **kwargs):  # type: ignore[no-untyped-def]
        assert shown.wait(30), "no search answered while the update waited"
        return real_update(*args, **kwargs)

    lib.update = gated_update  # type: ignore[method-assign]
    workers = Workers(lib)
    win = MainWindow(lib, workers, settings)
    qtbot.addWidget(win)
    win.show()
    during: list[bool] = []

    def on_shown(_n: int) -> None:
        during.append(workers.indexing)
        shown.set()

    win.resultsShown.connect(on_shown)
    with qtbot.waitSignal(win.indexReady, timeout=60000):
        win.start()
    # The first answer came from the existing index while the update was still running,
    # and said so; the list was refreshed once the update finished.
    assert during[0] is True
    qtbot.waitUntil(lambda: win.model.total == 404, timeout=20000)
    assert "index still updating" not in win.info.text()
    win.close()
    lib.close()


def test_new_brief_in_the_corpus_is_picked_up(qtbot, window: MainWindow, corpus: Path) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.indexReady, timeout=20000):
        (corpus / "2021-06-01_new.md").write_text(
            "Title: A new brief\nDate: 2021-06-01\n\nIran again.\n", encoding="utf-8"
        )
    qtbot.waitUntil(lambda: window.model.total == 5, timeout=10000)


def test_problems_lists_unreadable_briefs(qtbot, window: MainWindow, corpus: Path) -> None:  # type: ignore[no-untyped-def]
    (corpus / "empty.md").write_bytes(b"")
    with qtbot.waitSignal(window.indexReady, timeout=20000):
        window.update_index()
    assert any(path.endswith("empty.md") and "empty" in why for path, why in window.problems())
    dialog = window.problems_dialog()
    table = dialog.findChild(QTableView, "problemsTable")
    assert table is not None and table.model().rowCount() >= 1
    dialog.deleteLater()


def test_add_a_corpus_folder(qtbot, window: MainWindow, tmp_path: Path, _data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "2024-01-01_more.md").write_text(
        "Title: More briefs\nDate: 2024-01-01\n\nBaghdad news.\n", encoding="utf-8"
    )
    with qtbot.waitSignal(window.indexReady, timeout=20000):
        window.add_corpus(extra)
    qtbot.waitUntil(lambda: window.model.total == 5, timeout=10000)
    # Remembered where the command line looks too (one store in the data folder).
    assert Preferences.load(_data_dir).corpora[-1] == extra.resolve()


def test_tag_and_year_filters(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    assert window.facet_models["tags"].rowCount() >= 2  # iraq, iran from the first brief
    with qtbot.waitSignal(window.resultsShown, timeout=10000) as b:
        window.set_filter("tags", ["iran"])
    assert b.args == [1]
    assert window.model.hit(0).id == NEWEST  # type: ignore[union-attr]
    with qtbot.waitSignal(window.resultsShown, timeout=10000) as b:
        window.clear_filters()
    # Two years chosen: those years only, not the years between them.
    with qtbot.waitSignal(window.resultsShown, timeout=10000) as b:
        window.set_filter("year", ["2017", "2020"])
    assert b.args == [2]


def test_next_result_is_prepared_while_one_is_read(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Opening a result prefetches the next; opening that one prepares nothing again, and a
    glossary change drops what was prepared."""
    import briefreader.ui.workers as workers_mod

    prepared: list[str] = []
    real = workers_mod.prepare_brief

    def counting(lib, ref, query, **kw):  # type: ignore[no-untyped-def]
        prepared.append(ref)
        return real(lib, ref, query, **kw)

    monkeypatch.setattr(workers_mod, "prepare_brief", counting)
    qtbot.waitUntil(lambda: not window.workers.busy)
    first, second = window.model.hit(0).id, window.model.hit(1).id  # type: ignore[union-attr]
    prepared.clear()
    window.workers.forget_views()
    _open(qtbot, window, first)
    qtbot.waitUntil(lambda: second in prepared and not window.workers.busy, timeout=10000)
    assert prepared.count(second) == 1
    _open(qtbot, window, second)
    assert window.pane.view is not None and window.pane.view.brief.id == second
    assert prepared.count(second) == 1  # shown from what was prepared ahead
    _open(qtbot, window, first)  # back: still in memory
    assert prepared.count(first) == 1
    window.reload_brief()  # what a glossary edit does
    qtbot.waitUntil(lambda: prepared.count(first) == 2, timeout=10000)


def test_a_brief_asked_for_while_it_is_prefetched_is_shown_once(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not window.workers.busy)
    window.workers.forget_views()
    ref = window.model.hit(2).id  # type: ignore[union-attr]
    got: list[tuple[int, str]] = []
    window.workers.briefReady.connect(lambda token, view: got.append((token, view.brief.id)))
    for _ in range(3):  # however the request and the prefetch interleave
        window.workers.forget_views()
        window.workers.prefetch_brief(ref, "")
        window.workers.load_brief(991, ref, "")
        qtbot.waitUntil(lambda: (991, ref) in got, timeout=10000)
        qtbot.waitUntil(lambda: not window.workers.busy)
        assert got.count((991, ref)) == 1
        got.clear()


def test_theme_and_font_reach_the_reading_pane(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    """The pane sets its style only when it changed; a change must still reach both texts."""
    article, comment = window.pane.browsers
    light = article.document().defaultStyleSheet()
    window.set_theme("dark")
    dark = article.document().defaultStyleSheet()
    assert dark != light and comment.document().defaultStyleSheet() == dark
    window.set_font_size(15)
    assert article.document().defaultFont().pointSizeF() == 15
    assert comment.document().defaultFont().pointSizeF() == 15
    window.set_theme("light")
    assert article.document().defaultStyleSheet() != dark


def test_the_progress_counts_files_read(window: MainWindow) -> None:
    """The update's progress is files (a digest or a mailbox is one, whatever its briefs);
    the briefs are counted in the line shown when it has finished."""
    window.index_status.on_progress(12, 1977, "")
    assert window.index_status.label.text() == "Indexing 12 of 1977 files…"
    assert window.index_status.progress.maximum() == 1977
    window.index_status.on_progress(1, 1, "")
    assert window.index_status.label.text() == "Indexing 1 of 1 file…"


def test_a_long_pdf_is_shown_page_by_page(window: MainWindow) -> None:
    """The workers' progress with a part (a long PDF's pages) reaches the status bar: the
    file, its page, and the bar moving within the file; the next file's event drops them."""
    status = window.index_status
    bar = status.progress
    window.workers.indexProgress.emit(3, 40, "/corpus/reports/report.pdf", None)
    assert status.label.text() == "Indexing 3 of 40 files…"
    assert bar.value() / bar.maximum() == 2 / 40  # the file being read is not read yet
    window.workers.indexProgress.emit(3, 40, "/corpus/reports/report.pdf", Part(412, 2000))
    assert status.label.text() == "Indexing 3 of 40 files · report.pdf, page 412 of 2000…"
    assert abs(bar.value() / bar.maximum() - (2 + 412 / 2000) / 40) < 1e-4
    wide = status.label.sizeHint().width()
    window.workers.indexProgress.emit(4, 40, "/corpus/next.md", None)
    assert status.label.text() == "Indexing 4 of 40 files…"
    assert bar.value() / bar.maximum() == 3 / 40
    # The line does not shrink back while the update runs (no jitter at each file), and
    # settles when it has finished.
    shorter = status.label.fontMetrics().horizontalAdvance(status.label.text())
    assert shorter < wide <= status.label.minimumWidth()
    status.finished(UpdateReport(added=40))
    assert status.label.minimumWidth() == 0


def test_a_hostile_file_name_stays_plain_and_short(window: MainWindow) -> None:
    status = window.index_status
    window.workers.indexProgress.emit(1, 2, "/corpus/<b>x<i>y.pdf", Part(5, 9))
    assert status.label.textFormat() == Qt.TextFormat.PlainText
    assert status.label.text() == "Indexing 1 of 2 files · <b>x<i>y.pdf, page 5 of 9…"
    name = "<img src=zero>" + "y" * 400 + "\n\u202e.pdf"  # a new line, a right-to-left mark
    window.workers.indexProgress.emit(2, 2, f"/corpus/{name}", Part(1, 9))
    text = status.label.text()
    assert text.startswith("Indexing 2 of 2 files · <img src=")
    assert text.endswith("yyy  .pdf, page 1 of 9…") and "…" in text[:-1]
    assert "\n" not in text and "\u202e" not in text
    # Elided: the line is about as wide with a name of 400 letters as with one of 40.
    metrics = status.label.fontMetrics()
    letter = metrics.averageCharWidth()
    long = metrics.horizontalAdvance(text)
    window.workers.indexProgress.emit(2, 2, "/corpus/" + "y" * 40 + ".pdf", Part(1, 9))
    assert abs(long - metrics.horizontalAdvance(status.label.text())) < 5 * letter
    assert long < 80 * letter
