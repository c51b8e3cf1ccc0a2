"""The actor workbench in the real window: opened from the sidebar, a mark and a filter; its
timeline, company and dossier clicks; candidate actors; the comment-only marks."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from briefreader.ui.actors.page import OPEN
from briefreader.ui.actors.workbench import ActorWorkbench
from briefreader.ui.main_window import MainWindow
from briefreader.ui.models import ActorIdRole

NEWEST = "2020-01-03_airport-strike.md"
KH = "kataib-hezbollah"


def _open_page(qtbot, window: MainWindow, trigger) -> None:  # type: ignore[no-untyped-def]
    bench = window.feature(ActorWorkbench)
    with qtbot.waitSignal(bench.pageShown, timeout=10000):
        trigger()
    qtbot.waitUntil(lambda: not window.workers.busy, timeout=10000)


def _search_ids(window: MainWindow) -> set[str]:
    return {window.model.hit(r).id for r in range(window.model.rowCount())}  # type: ignore[union-attr]


def test_page_from_the_sidebar(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    panel = window.glossary_panel
    panel.select_actor(KH)
    assert panel.page_button.isEnabled()
    _open_page(
        qtbot, window, lambda: qtbot.mouseClick(panel.page_button, Qt.MouseButton.LeftButton)
    )
    bench = window.feature(ActorWorkbench)
    assert bench.showing
    page = bench.page
    assert page.actor is not None and page.actor.id == KH
    assert page.page is not None and page.page.briefs == 2
    # The chart holds the two months with briefs, and the months between them.
    assert page.chart.months == ["2019-12", "2020-01"]
    dec = page.chart.count("2019-12")
    assert dec is not None and (dec.briefs, dec.article, dec.comment) == (1, 1, 0)
    jan = page.chart.count("2020-01")
    assert jan is not None and (jan.briefs, jan.article, jan.comment) == (1, 1, 1)
    assert "January 2020" in page.chart.tooltip_text("2020-01")
    # The dossier: the comment sentence naming it, with its mention marked.
    assert [c.id for c in page.comments] == [NEWEST]
    assert "likely to strike first" in page.comments[0].text
    assert "Kataib Hezbollah" in page.dossier.toPlainText()


def test_page_from_a_mark(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    browser = window.pane.browsers[0]
    spots = window.pane.actor_positions("iran")
    assert spots
    _b, (start, _end) = spots[0]
    cursor = browser.textCursor()
    cursor.setPosition(start + 1)
    pos = browser.cursorRect(cursor).center()
    menu = browser.context_menu(pos)
    action = next(a for a in menu.actions() if a.text() == "Open the actor page")
    _open_page(qtbot, window, action.trigger)
    menu.deleteLater()
    page = window.feature(ActorWorkbench).page
    assert page.actor is not None and page.actor.id == "iran"
    assert window.feature(ActorWorkbench).showing
    # Not on plain text: no such entry.
    plain = browser.context_menu(QPoint(2, 2))
    assert "Open the actor page" not in [a.text() for a in plain.actions()]
    plain.deleteLater()


def test_page_from_the_actor_filter(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.facet_dock.show()
    menu = window.feature(ActorWorkbench).facet_menu("baghdad")
    assert isinstance(menu, QMenu)
    action = menu.actions()[0]
    assert isinstance(action, QAction) and "Baghdad" in action.text()
    _open_page(qtbot, window, action.trigger)
    menu.deleteLater()
    assert window.feature(ActorWorkbench).page.actor.id == "baghdad"  # type: ignore[union-attr]


def test_clicking_a_month_searches_the_actor_in_it(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.glossary_panel.select_actor(KH)
    _open_page(qtbot, window, lambda: window.feature(ActorWorkbench).open_actor(KH))
    chart = window.feature(ActorWorkbench).page.chart
    chart.resize(600, 200)
    centre = chart.bar_rect("2019-12").center()
    assert chart.month_at(centre) == "2019-12"
    with qtbot.waitSignal(window.resultsShown, timeout=10000) as blocker:
        qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=centre)
    assert window.search_box.text() == 'actor:"Kataib Hezbollah" date:2019-12'
    assert blocker.args == [1]
    assert _search_ids(window) == {"2019-12-30_kh-strikes.md"}
    assert window.feature(ActorWorkbench).showing  # the page stays; the results are beside it


def test_clicking_a_companion_searches_both(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    _open_page(qtbot, window, lambda: window.feature(ActorWorkbench).open_actor("qassem-suleimani"))
    page = window.feature(ActorWorkbench).page
    table = page.company
    model = page.company_model
    rows = {model.index(r, 0).data(ActorIdRole): r for r in range(model.rowCount())}
    assert "iran" in rows
    row = rows["iran"]
    assert model.index(row, 1).data() == "2"
    rect = table.visualRect(model.index(row, 0))
    with qtbot.waitSignal(window.resultsShown, timeout=10000) as blocker:
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.search_box.text() == 'actor:"Qassem Suleimani" AND actor:"Iran"'
    assert blocker.args == [2]
    assert _search_ids(window) == {NEWEST, "2017-11-24_foreign-plot.md"}


def test_a_dossier_sentence_opens_the_brief_there(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    _open_page(qtbot, window, lambda: window.feature(ActorWorkbench).open_actor("baghdad"))
    page = window.feature(ActorWorkbench).page
    target = next(i for i, c in enumerate(page.comments) if c.id == "2017-11-24_foreign-plot.md")
    with qtbot.waitSignal(window.briefShown, timeout=10000) as blocker:
        page.dossier.anchorClicked.emit(QUrl(f"{OPEN}:{target}"))
    assert blocker.args == ["2017-11-24_foreign-plot.md"]
    assert not window.feature(ActorWorkbench).showing
    qtbot.waitUntil(lambda: window.pane.comment.browser.textCursor().hasSelection())
    selected = window.pane.comment.browser.textCursor().selectedText()
    assert selected.startswith("The warning mirrors what Suleimani told")
    assert selected.endswith("this year.")


def test_back_and_the_view_menu(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    bench = window.feature(ActorWorkbench)
    window.glossary_panel.select_actor("iran")
    _open_page(qtbot, window, bench.page_action.trigger)
    assert bench.showing
    bench.page.back_button.click()
    assert not bench.showing


def test_the_dossier_export_from_the_window(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bench = window.feature(ActorWorkbench)
    _open_page(qtbot, window, lambda: bench.open_actor("baghdad"))
    target = tmp_path / "baghdad.md"
    with qtbot.waitSignal(bench.dossierSaved, timeout=10000):
        bench.export_dossier(target, "md")
    text = target.read_text("utf-8")
    assert text.startswith("# Baghdad: what the analysts wrote")
    assert "**Baghdad**" in text
    pdf = tmp_path / "baghdad.pdf"
    with qtbot.waitSignal(bench.dossierSaved, timeout=10000):
        bench.export_dossier(pdf, "pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_candidates_are_counted_once(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    bench = window.feature(ActorWorkbench)
    with qtbot.waitSignal(bench.candidatesShown, timeout=20000):
        bench.show_candidates()
    qtbot.waitUntil(lambda: not window.workers.busy, timeout=10000)
    assert bench.candidates.info.text()
    # Shown again at once, without counting again: the index has not changed.
    bench.show_reading()
    with qtbot.waitSignal(bench.candidatesShown, timeout=1000):
        bench.show_candidates()
    assert not window.workers.busy


def test_only_the_comment_names_it_is_marked_in_the_sidebar(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.briefShown, timeout=10000):
        window.open_brief("2019-12-30_kh-strikes.md")
    model = window.glossary_panel.model
    index = model.index_of("baghdad")
    assert index.isValid()
    assert index.data(Qt.ItemDataRole.FontRole).italic()
    assert "comment" in index.data(Qt.ItemDataRole.ToolTipRole).lower()
    other = model.index_of(KH)
    font = other.data(Qt.ItemDataRole.FontRole)
    assert font is None or not font.italic()
    window.glossary_panel.select_actor("baghdad")
    assert "the analyst alone names it" in window.glossary_panel.details.text()
    window.glossary_panel.select_actor(KH)
    assert "the analyst alone names it" not in window.glossary_panel.details.text()


def test_the_models_pass_the_model_tester(qtmodeltester, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    from briefreader.core.records import Candidate, Company
    from briefreader.ui.actors.models import CandidateModel, CompanyModel

    company = CompanyModel(lambda actor_id: actor_id.title())
    company.set_company([Company("iran", 3, 1.5), Company("baghdad", 2, 0.4)])
    qtmodeltester.check(company)
    candidates = CandidateModel()
    candidates.set_candidates([Candidate("Kataib Sayyid al-Shuhada", 3, 4, "a.md", "They came.")])
    qtmodeltester.check(candidates)
    candidates.drop(lambda c: False)
    assert candidates.rowCount() == 0


def test_the_page_follows_the_theme(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    from briefreader.ui.widgets.marks import DARK, LIGHT

    bench = window.feature(ActorWorkbench)
    _open_page(qtbot, window, lambda: bench.open_actor("iran"))
    window.set_theme("dark")
    qtbot.waitUntil(lambda: bench.page.style_ is DARK)
    assert bench.page.chart.colours().article.name() != "#2f6fc0"
    window.set_theme("light")
    qtbot.waitUntil(lambda: bench.page.style_ is LIGHT)


def test_the_dossier_reads_on(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from briefreader.ui.actors import workbench

    monkeypatch.setattr(workbench, "FIRST_BRIEFS", 1)
    monkeypatch.setattr(workbench, "MORE_BRIEFS", 1)
    bench = window.feature(ActorWorkbench)
    _open_page(qtbot, window, lambda: bench.open_actor("baghdad"))
    page = bench.page
    assert page.comment_briefs == 3 and page.loaded_briefs == 1
    assert "Show more (2 comments to go)" in page.dossier.toPlainText()
    page.dossier.anchorClicked.emit(QUrl("more:"))
    qtbot.waitUntil(lambda: page.loaded_briefs == 2)
    page.dossier.anchorClicked.emit(QUrl("more:"))
    qtbot.waitUntil(lambda: page.loaded_briefs == 3)
    qtbot.waitUntil(lambda: not window.workers.busy)
    assert "Show more" not in page.dossier.toPlainText()
    whole = window.library.local.actor_comments("baghdad", 0)
    assert page.comments == whole


def test_a_node_of_the_graph_searches_both(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    bench = window.feature(ActorWorkbench)
    _open_page(qtbot, window, lambda: bench.open_actor("qassem-suleimani"))
    page = bench.page
    page.company_tabs.setCurrentWidget(page.graph)
    graph = page.graph
    graph.resize(400, 300)
    where = graph.positions()["iran"]
    assert graph.node_at(where) == "iran"
    assert "Iran" in graph.tooltip_text("iran")
    with qtbot.waitSignal(window.resultsShown, timeout=10000) as blocker:
        qtbot.mouseClick(graph, Qt.MouseButton.LeftButton, pos=where.toPoint())
    assert window.search_box.text() == 'actor:"Qassem Suleimani" AND actor:"Iran"'
    assert blocker.args == [2]


def test_a_candidate_added_as_an_actor(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QInputDialog

    bench = window.feature(ActorWorkbench)
    with qtbot.waitSignal(bench.candidatesShown, timeout=20000):
        bench.show_candidates()
    qtbot.waitUntil(lambda: not window.workers.busy, timeout=10000)
    panel = bench.candidates
    if panel.model.rowCount() == 0:
        panel.model.set_candidates(
            [window.library.local.candidates(min_briefs=1)[0]]
        )  # the small corpus may have none in three briefs
    first = panel.model.candidate(0)
    assert first is not None
    panel.table.selectRow(0)
    assert panel.add_actor_button.isEnabled()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (first.name, True))
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("Militia", True))
    with qtbot.waitSignal(window.indexReady, timeout=20000):
        qtbot.mouseClick(panel.add_actor_button, Qt.MouseButton.LeftButton)
    actor = window.library.glossary.lookup(first.name)
    assert actor is not None and actor.kind == "militia"
    assert first.name not in {
        panel.model.candidate(r).name  # type: ignore[union-attr]
        for r in range(panel.model.rowCount())
    }
    qtbot.waitUntil(lambda: not window.workers.busy, timeout=20000)


def test_the_chart_by_keyboard(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    bench = window.feature(ActorWorkbench)
    _open_page(qtbot, window, lambda: bench.open_actor(KH))
    chart = bench.page.chart
    chart.setFocus()
    qtbot.keyClick(chart, Qt.Key.Key_Right)
    assert chart.current_month == "2019-12"
    qtbot.keyClick(chart, Qt.Key.Key_Right)
    assert chart.current_month == "2020-01"
    qtbot.keyClick(chart, Qt.Key.Key_Right)  # the last stays the last
    assert chart.current_month == "2020-01"
    qtbot.keyClick(chart, Qt.Key.Key_Home)
    assert chart.current_month == "2019-12"
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        qtbot.keyClick(chart, Qt.Key.Key_Return)
    assert window.search_box.text() == 'actor:"Kataib Hezbollah" date:2019-12'


def test_another_brief_opened_leaves_the_page(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    bench = window.feature(ActorWorkbench)
    with qtbot.waitSignal(window.briefShown, timeout=10000):
        window.open_brief("2019-12-30_kh-strikes.md")
    _open_page(qtbot, window, lambda: bench.open_actor(KH))
    # A search re-marks the open brief: the page stays.
    with qtbot.waitSignal(window.resultsShown, timeout=10000):
        bench.search("rocket")
    qtbot.waitUntil(lambda: not window.workers.busy, timeout=10000)
    assert bench.showing
    # Back in the history opens another brief: the reader sees it.
    with qtbot.waitSignal(window.briefShown, timeout=10000) as blocker:
        window.back()
    assert blocker.args != ["2019-12-30_kh-strikes.md"]
    assert not bench.showing
