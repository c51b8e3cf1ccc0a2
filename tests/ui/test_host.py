"""The window's extension points: menus and docks by id, the host a feature gets, and the
one way the library changes (with its signal)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import QLabel, QMenu

from briefreader.core.library import Library
from briefreader.core.records import SearchResults
from briefreader.ui.app import build_window
from briefreader.ui.host import ActionSpec, DockId, DockSpec, MenuId, Place, WindowHost
from briefreader.ui.main_window import MainWindow
from briefreader.ui.workers import SearchRequest, Workers


def _titles(window: MainWindow) -> list[str]:
    return [a.text() for a in window.menuBar().actions()]


def _entries(menu: QMenu) -> list[str]:
    return ["----" if a.isSeparator() else a.text() for a in menu.actions()]


class Probe(QObject):
    """A feature of the test's own: an action in Help, a dock beside "More like this", a
    page for the centre; it hears of library changes."""

    def __init__(self, host: WindowHost) -> None:
        super().__init__(host)
        self.host = host
        self.fired = 0
        self.libraries: list[Library] = []
        self.action = host.add_action(
            ActionSpec("Probe first", self._fire, Place(MenuId.HELP, "help", -1), "Ctrl+F12")
        )
        self.page = QLabel("probe page")
        host.add_centre_page(self.page)
        host.libraryChanged.connect(self.libraries.append)

    def _fire(self) -> None:
        self.fired += 1


class Plain:
    """Narrows nothing."""

    def narrowing(self, request: SearchRequest) -> object | None:
        return None

    def narrowed_search(self, library: Library, request: SearchRequest) -> SearchResults:
        raise AssertionError("never asked: nothing is narrowed")


def _bare(qtbot, library: Library, settings: QSettings, **kw) -> MainWindow:  # type: ignore[no-untyped-def]
    win = MainWindow(library, Workers(library), settings, **kw)
    qtbot.addWidget(win)
    return win


def test_the_window_alone_has_no_feature_menus_and_the_app_installs_them(
    qtbot, library: Library, settings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    bare = _bare(qtbot, library, settings)
    assert _titles(bare) == ["&File", "&Edit", "&View", "&Go", "&Help"]
    file_menu = bare.menu(MenuId.FILE)
    assert "Export" not in _entries(file_menu)  # nothing declared in it: left out
    assert "Remove corpus folder" in _entries(file_menu)  # filled as it opens: always there
    assert bare.features == []
    full = build_window(library, Workers(library), settings)
    qtbot.addWidget(full)
    assert _titles(full) == ["&File", "&Edit", "&View", "&Go", "&Notes", "&Watch", "&Help"]
    assert _entries(full.menu(MenuId.FILE)) == [
        "Add corpus folder…", "Open a brief file…", "Remove corpus folder", "Rebuild index",
        "Open team archive…", "Close team archive (search locally)", "----",
        "Print brief…", "Export brief to PDF…", "Export", "Problems…", "----", "Quit",
    ]  # fmt: skip
    with pytest.raises(LookupError):
        bare.feature(Probe)
    full.close()
    bare.close()


def test_a_feature_declares_its_action_and_page_through_the_host(
    qtbot, library: Library, settings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    win = _bare(qtbot, library, settings, features=[Probe])
    probe = win.feature(Probe)
    help_entries = ["Probe first", "Keyboard shortcuts", "About briefreader"]
    assert _entries(win.menu(MenuId.HELP)) == help_entries
    assert ("Help", "Probe first", probe.action.shortcut().toString()) in win.shortcut_rows()
    assert probe.action in win.actions()  # its key works wherever the focus is
    probe.action.trigger()
    assert probe.fired == 1
    host = probe.host
    assert host.centre_page() is None
    host.show_centre_page(probe.page)
    assert host.centre_page() is probe.page and win.centre.currentWidget() is probe.page
    host.show_reading()
    assert host.centre_page() is None
    win.close()


def test_a_dock_goes_in_its_tab_group_and_its_menus_and_a_bad_place_is_refused(
    qtbot, library: Library, settings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    win = _bare(qtbot, library, settings)
    dock = win.host.add_dock(
        DockSpec(
            DockId.NOTES,
            "Probe panel",
            QLabel("x"),
            tabify_with=DockId.RELATED,
            hidden=True,
            places=(Place(MenuId.VIEW, "panels"), Place(MenuId.NOTES, "panel")),
        )
    )
    assert dock.objectName() == "notesDock"  # the saved layout keys on it
    assert dock.toggleViewAction() in win.menu(MenuId.VIEW).actions()
    assert _entries(win.menu(MenuId.NOTES)) == ["Probe panel"]
    assert "&Notes" in _titles(win)  # a menu shows once something is in it
    assert win.related_dock in win.tabifiedDockWidgets(dock)
    with pytest.raises(ValueError, match="no section 'nowhere'"):
        win.host.add_action(ActionSpec("Lost", lambda: None, Place(MenuId.VIEW, "nowhere")))
    win.host.narrow_searches(Plain())
    with pytest.raises(RuntimeError, match="narrowed already"):
        win.host.narrow_searches(Plain())
    win.close()


def test_a_new_corpus_folder_swaps_the_library_once_and_says_so(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "x.md").write_text("Title: Basra port\n\nBasra port reopened.\n", "utf-8")
    before = window.library
    with (
        qtbot.waitSignal(window.host.libraryChanged, timeout=5000) as changed,
        qtbot.waitSignal(window.indexReady, timeout=20000),
    ):
        window.add_corpus(extra)
    new = changed.args[0]
    assert new is window.library is window.host.library is window.workers.library
    assert new is not before and extra.resolve() in new.corpora
    qtbot.waitUntil(lambda: not window.workers.busy, timeout=20000)


@pytest.mark.parametrize(("width", "results"), [(1400, 336), (1920, 400)])
def test_a_page_in_the_centre_leaves_the_results_their_share_of_a_new_window(
    qtbot, library: Library, settings: QSettings, width: int, results: int
) -> None:  # type: ignore[no-untyped-def]
    """The results list gets RESULTS_SHARE of a new window's width (within its bounds) with
    the actor workbench's page installed beside the reading side: when the workbench put a
    stack of its own in the splitter, the stack lost the splitter's stretch and the list
    was squeezed to ~270 px at any width."""
    win = build_window(library, Workers(library), settings)
    qtbot.addWidget(win)
    win.resize(width, 900)
    win.show()
    qtbot.waitUntil(lambda: win.splitter.sizes()[0] > 0)
    assert win.splitter.sizes()[0] == results
    win.close()
