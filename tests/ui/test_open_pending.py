"""``briefreader --open ID`` of a brief the index does not hold yet (a digest's item in a folder
never indexed): the window opens it once its first update is done, or says why it cannot."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from window_kit import unstarted_window

from briefreader.core.glossary import Glossary
from briefreader.core.library import Library

ROUNDUP = """# Daily round-up

## Talks in Erbil

Erbil, 4 March 2019

Delegations met in Erbil on Monday to discuss the budget.

Comment: The talks matter for the budget.

## Port of Basra reopened

Basra, 4 March 2019

The port of Basra reopened after the storm passed.

Comment: Trade resumes.
"""


@contextmanager
def _window(qtbot: Any, tmp_path: Path) -> Iterator[Any]:
    """The window on a folder holding one round-up, never indexed."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "roundup.md").write_text(ROUNDUP, "utf-8")
    lib = Library([corpus], tmp_path / "data", Glossary())
    settings = QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat)
    try:
        with unstarted_window(qtbot, lib, settings) as win:
            yield win
    finally:
        lib.close()


def test_a_digests_item_opens_once_the_first_update_is_done(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with _window(qtbot, tmp_path) as win:
        with qtbot.waitSignal(win.indexReady, timeout=30000):
            win.start("", None, pending_open="roundup.md#2")
            win.statusBar().showMessage("roundup.md#2: not in the library yet", 60000)
        qtbot.waitUntil(
            lambda: win.pane.view is not None and win.pane.view.brief.id == "roundup.md#2",
            timeout=20000,
        )
        assert win.pane.view.brief.title == "Port of Basra reopened"
        assert "not in the library yet" not in win.statusBar().currentMessage()


def test_a_brief_still_missing_after_the_update_is_said_so(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with _window(qtbot, tmp_path) as win:
        said: list[str] = []
        win.statusBar().messageChanged.connect(said.append)
        with qtbot.waitSignal(win.indexReady, timeout=30000):
            win.start("", None, pending_open="roundup.md#9")
        qtbot.waitUntil(lambda: any("no such brief" in m for m in said), timeout=20000)
        assert "Cannot read this brief: no such brief in the library" in said
        assert win.pane.view is None or win.pane.view.brief.id != "roundup.md#9"
