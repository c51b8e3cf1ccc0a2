"""The window on a team archive: File > Open team archive… searches the archive
and says which one; an unreachable server is one line, and the window goes on locally."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from briefreader.core.library import Library
from briefreader.ui.team_archive import TeamArchive

pytestmark = pytest.mark.qt_log_ignore(
    "does not support propagateSizeHints", "This plugin does not support raise"
)


@pytest.fixture
def window(qtbot, corpus: Path, tmp_path: Path) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from briefreader.ui.app import build_window
    from briefreader.ui.workers import Workers

    lib = Library.open([corpus], data_dir=tmp_path / "data")
    workers = Workers(lib)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = build_window(lib, workers, settings)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.indexReady, timeout=30000):
        win.start()
    qtbot.waitUntil(lambda: not workers.busy, timeout=30000)
    yield win
    win.close()
    workers.shutdown()
    win.library.close()


def test_open_team_archive_searches_it_and_says_which(
    qtbot, window, archive_url: str, corpus: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    pusher = Library.open_archive(archive_url, [corpus], data_dir=tmp_path / "push")
    pusher.update()
    pusher.close()
    (corpus / "only-local.md").write_text("Title: Zanzibarian local\n\nZanzibarian.\n", "utf-8")
    team = window.feature(TeamArchive)
    assert "Open team archive…" in [
        a.text() for a in window.menuBar().actions()[0].menu().actions()
    ]
    team.open_archive(archive_url)
    qtbot.waitUntil(lambda: team.label.isVisible(), timeout=20000)
    assert team.name and team.name in team.label.text()
    assert window.library.is_archive
    with qtbot.waitSignal(window.resultsShown, timeout=20000):
        window.search_box.setText('"foreign plot"')
        window.run_search()
    assert window.model.rowCount() == 1
    with qtbot.waitSignal(window.resultsShown, timeout=20000):
        window.search_box.setText("zanzibarian")  # in a local file only, not in the archive
        window.run_search()
    assert window.model.rowCount() == 0
    qtbot.waitUntil(lambda: not window.workers.busy, timeout=20000)
    team.close_archive()
    assert not window.library.is_archive and not team.label.isVisible()
    qtbot.waitUntil(lambda: not window.workers.busy, timeout=20000)


def test_unreachable_archive_is_one_line_and_the_window_goes_on_locally(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    local = window.library
    window.feature(TeamArchive).open_archive("postgresql://nobody@127.0.0.1:9/none")
    qtbot.waitUntil(
        lambda: "cannot be reached" in window.statusBar().currentMessage(), timeout=20000
    )
    message = window.statusBar().currentMessage()
    assert "\n" not in message and message.endswith("searching locally")
    assert window.library is local and not window.feature(TeamArchive).label.isVisible()
    qtbot.waitUntil(lambda: not window.workers.busy, timeout=20000)


def test_bounded_archive_answers_say_at_least_and_partial_in_the_count_line(
    qtbot, window, archive_url: str, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """A count past the archive's cap reads "at least N", a phrase checked on bounded
    candidates says its results are partial; an exact answer says neither."""
    from briefreader.core.archive import search as archive_search

    pusher = Library.open_archive(archive_url, [corpus], data_dir=tmp_path / "push")
    pusher.update()
    pusher.close()
    team = window.feature(TeamArchive)
    team.open_archive(archive_url)
    qtbot.waitUntil(lambda: team.label.isVisible(), timeout=20000)

    def shown(text: str) -> str:
        with qtbot.waitSignal(window.resultsShown, timeout=20000):
            window.search_box.setText(text)
            window.run_search()
        return window.info.text()

    exact = shown("Iran")
    assert "at least" not in exact and "partial" not in exact
    assert not window.info.toolTip()
    monkeypatch.setattr(archive_search, "COUNT_CAP", 3)
    capped = shown("Iran militia")
    assert "at least" in capped and "partial" not in capped
    monkeypatch.setattr(archive_search, "RECHECK_MAX", 1)
    bounded = shown('"Popular Mobilization Forces"')
    assert "partial" in bounded and "at least" in bounded
    assert "not every brief was checked" in window.info.toolTip()  # the line says why
    qtbot.waitUntil(lambda: not window.workers.busy, timeout=20000)
    team.close_archive()
    qtbot.waitUntil(lambda: not window.workers.busy, timeout=20000)


def test_a_corpus_folder_added_while_an_archive_is_open_closes_the_archive(
    qtbot, window, archive_url: str, corpus: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The window then searches a new local library: the archive's line and its Close entry
    go (they stayed, naming an archive no longer searched)."""
    pusher = Library.open_archive(archive_url, [corpus], data_dir=tmp_path / "push")
    pusher.update()
    pusher.close()
    team = window.feature(TeamArchive)
    team.open_archive(archive_url)
    qtbot.waitUntil(lambda: team.label.isVisible(), timeout=20000)
    qtbot.waitUntil(lambda: not window.workers.busy, timeout=20000)
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "x.md").write_text("Title: Basra port\n\nBasra port reopened.\n", "utf-8")
    with qtbot.waitSignal(window.indexReady, timeout=30000):
        window.add_corpus(extra)
    assert not window.library.is_archive
    assert extra.resolve() in window.library.corpora
    assert team.name is None and not team.label.isVisible() and not team.close_action.isEnabled()
    qtbot.waitUntil(lambda: not window.workers.busy, timeout=20000)


def test_an_actor_page_over_an_archive_says_why_and_shows_no_empty_panes(
    qtbot, window, archive_url: str, corpus: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from briefreader.ui.actors.workbench import NO_PAGE, ActorWorkbench

    pusher = Library.open_archive(archive_url, [corpus], data_dir=tmp_path / "push")
    pusher.update()
    pusher.close()
    team = window.feature(TeamArchive)
    team.open_archive(archive_url)
    qtbot.waitUntil(lambda: window.library.is_archive, timeout=20000)
    bench = window.feature(ActorWorkbench)
    bench.open_actor("PMF")
    page = bench.page
    assert NO_PAGE in page.figures.text()
    assert not page.body.isVisible()  # no empty chart, companions or dossier
    assert not page.export_button.isEnabled()
    team.close_archive()
    qtbot.waitUntil(lambda: not window.library.is_archive, timeout=20000)
    bench.open_actor("PMF")
    assert page.body.isVisible()  # the local page is back, reading
    qtbot.waitUntil(lambda: page.page is not None, timeout=20000)
    assert NO_PAGE not in page.figures.text()
