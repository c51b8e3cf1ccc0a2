"""Fixtures for the window tests: a small corpus and glossary, and a real MainWindow."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings

from briefreader.core.glossary import Glossary
from briefreader.core.library import Library

GLOSSARY = """
[[actor]]
name = "Qassem Suleimani"
kind = "person"
aliases = ["Soleimani"]
description = "Commander of the Quds Force until 2020."

[[actor]]
name = "Kataib Hezbollah"
kind = "militia"
aliases = ["KH"]
description = "An Iraqi armed faction close to Iran."

[[actor]]
name = "Iran"
kind = "state"
description = "The Islamic Republic."

[[actor]]
name = "Baghdad"
kind = "place"
"""

BRIEFS = {
    "2020-01-03_airport-strike.md": """Title: Drone strike at Baghdad airport kills Suleimani
Date: 2020-01-03
Source: Reuters
Tags: iraq, iran

A drone strike near Baghdad airport killed Qassem Suleimani and a leader of Kataib Hezbollah.
Iran vowed a harsh revenge for the killing of its general.

Comment: The strike removes the man who held the Iraqi factions together. Iran will answer,
but Kataib Hezbollah is likely to strike first, probably with rockets near Baghdad.
""",
    "2019-12-30_kh-strikes.md": """Title: American strikes hit Kataib Hezbollah bases
Date: 2019-12-30
Source: Reuters

Air strikes hit five bases of KH in Iraq and Syria after a rocket attack killed a contractor.

Comment: Expect protests at the embassy in Baghdad; the rocket campaign will go on.
""",
    "2018-05-14_elections.md": """Title: Election results surprise Baghdad
Date: 2018-05-14
Source: AFP

The list backed by the cleric came first in the vote, ahead of the alliance close to Iran.
""",
    "2017-11-24_foreign-plot.md": """Title: Shamkhani warns of a foreign plot
Date: 2017-11-24
Source: Tasnim

A senior official in Iran said a foreign plot aims to disband the militias, with Soleimani
praised for his role.

Comment: The warning mirrors what Suleimani told Iraqi leaders in Baghdad this year.
""",
}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in BRIEFS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def glossary_file(tmp_path: Path) -> Path:
    path = tmp_path / "glossary.toml"
    path.write_text(GLOSSARY, encoding="utf-8")
    return path


@pytest.fixture
def library(corpus: Path, glossary_file: Path, _data_dir: Path) -> Iterator[Library]:
    lib = Library([corpus], _data_dir, Glossary.load([glossary_file]))
    yield lib
    lib.close()


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, library: Library, settings: QSettings):  # type: ignore[no-untyped-def]
    from briefreader.ui.app import build_window
    from briefreader.ui.workers import Workers

    workers = Workers(library)
    win = build_window(library, workers, settings)
    qtbot.addWidget(win)
    win.show()
    with (
        qtbot.waitSignal(win.indexReady, timeout=20000),
        qtbot.waitSignal(win.briefShown, timeout=20000),
    ):
        win.start()
    qtbot.waitUntil(lambda: not workers.busy, timeout=20000)
    yield win
    win.close()
    workers.shutdown()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The offscreen platform plugin does not implement propagateSizeHints(); QDockWidget asks
    # for it (and QToolTip for raise()); Qt logs warnings that say nothing about briefreader.
    # Ignored here only.
    for item in items:
        if "tests/ui" in str(item.path).replace("\\", "/"):
            item.add_marker(
                pytest.mark.qt_log_ignore(
                    "does not support propagateSizeHints", "This plugin does not support raise"
                )
            )
