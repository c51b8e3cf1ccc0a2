"""Briefs of other formats in the real window: a PDF digest's item and an email's brief.

Run by hand under a real X server (not collected by pytest)::

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python tests/manual/formats_shots.py OUT

In a temporary corpus it writes a two-page PDF round-up (Qt's PDF writer) and an email
(the standard library), opens the window at 1000x700 and 1920x1080 in the light and the dark
theme, opens the round-up's second item and the email's brief, and saves a PNG of each
(``OUT/1000x700-dark-pdf-item.png``...). Then look at every picture: the header names the
file, the item and the pages, the article stands beside the analyst comment.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import formats_kit as kit
from walkthrough import problems, settle, shot, wait_for, warnings

SIZES = ((1000, 700), (1920, 1080))
THEMES = ("light", "dark")


#: The brief to open in each file, by the name of its screenshot.
OPEN = {"pdf-item": "2019-03-12_roundup.pdf#2", "email": "amiri-warning.eml"}


def make_corpus(folder: Path) -> None:
    """A two-page PDF round-up and an email."""
    folder.mkdir(parents=True, exist_ok=True)
    first, _sep, rest = kit.ROUNDUP_DATED.partition("Sadr calls for")
    kit.make_pdf(folder, "2019-03-12_roundup.pdf", pages=(first, "Sadr calls for" + rest))
    kit.make_eml(folder, "amiri-warning.eml")


def walk(data: Path, corpus: Path, out: Path, size: tuple[int, int], theme: str) -> None:
    from briefreader.core.library import Library
    from briefreader.ui.app import build_window, window_settings
    from briefreader.ui.workers import Workers

    label = f"{size[0]}x{size[1]}-{theme}"
    print(label)
    settings = window_settings(data)
    settings.clear()
    library = Library.open([corpus], data_dir=data)
    workers = Workers(library)
    window = build_window(library, workers, settings)
    window.set_theme(theme)
    window.resize(*size)
    window.move(0, 0)
    window.show()
    window.activateWindow()
    window.start()
    wait_for(lambda: window.index_done, "the index")
    for name, brief_id in OPEN.items():
        window.open_brief(brief_id)
        wait_for(
            lambda b=brief_id: window.pane.view is not None and window.pane.view.brief.id == b,
            f"the brief {brief_id}",
        )
        settle(window)
        print(f"  {brief_id}: {window.pane.provenance.text()!r}")
        shot(window, out, f"{label}-{name}")
    window.close()
    workers.shutdown()
    library.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, help="folder for the screenshots")
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):
        print("formats_shots: needs an X server: run it under xvfb-run", file=sys.stderr)
        return 2
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="briefreader-formats-") as tmp:
        corpus = Path(tmp) / "corpus"
        make_corpus(corpus)
        for theme in THEMES:
            for size in SIZES:
                walk(Path(tmp) / "data", corpus, args.out, size, theme)
    del app
    for p in problems:
        print(f"PROBLEM {p}")
    for w in warnings:
        print(f"QT WARNING {w}")
    return 1 if problems or warnings else 0


if __name__ == "__main__":
    sys.exit(main())
