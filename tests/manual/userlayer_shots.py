"""Screenshots of the user's own layer in a real window, to look at by hand.

Run under an X server (not collected by pytest)::

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python tests/manual/userlayer_shots.py OUT

On the sample corpus, at each size and theme: a highlight with a note in the article and
one in the comment, a note on the whole brief, the brief starred, a saved search and a
watched actor (one of them with news), the Notes and Watchlist panels open, the starred
list, the history menu and a note's dialog; a PNG after each (``OUT/1024x640-dark-02-notes.png``).
The note dialogs are answered by the script; the dialogs themselves are shot once apart.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parent))

from walkthrough import problems, settle, shot, wait_for, warnings

SIZES = ((1024, 640), (1920, 1080))
NEW_BRIEF = """Title: Kataib Hezbollah marks the anniversary of Suleimani's death
Date: 2026-01-03
Source: Reuters

Kataib Hezbollah held a rally in Baghdad on the anniversary of Qassem Suleimani's death.
"""
THEMES = ("light", "dark")


def _select(browser, text: str) -> bool:  # type: ignore[no-untyped-def]
    plain = browser.document().toPlainText()
    at = plain.find(text)
    if at < 0:
        problems.append(f"text not found to select: {text!r}")
        return False
    cursor = QTextCursor(browser.document())
    cursor.setPosition(at)
    cursor.setPosition(at + len(text), QTextCursor.MoveMode.KeepAnchor)
    browser.setTextCursor(cursor)
    browser.setFocus()
    return True


def _grab_popup(widget, out: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    QApplication.processEvents()
    widget.grab().save(str(out / f"{name}.png"), "PNG")
    print(f"  saved {out / name}.png")


def walk(data: Path, out: Path, size: tuple[int, int], theme: str) -> None:
    from briefreader import paths
    from briefreader.core.library import Library
    from briefreader.ui.app import build_window, window_settings
    from briefreader.ui.host import MenuId
    from briefreader.ui.userlayer.layer import UserLayer
    from briefreader.ui.workers import Workers

    label = f"{size[0]}x{size[1]}-{theme}"
    print(label)
    settings = window_settings(data)
    settings.clear()
    corpus = Path(shutil.copytree(paths.sample_corpus_dir(), data / "corpus"))
    library = Library.open([corpus], data_dir=data)
    workers = Workers(library)
    window = build_window(library, workers, settings)
    layer = window.feature(UserLayer)
    answers = iter(["Check who else died in the strike", "", "Compare with the 2019 strikes"])
    layer.ask = lambda *_a: next(answers, "")  # type: ignore[assignment]
    layer.highlights.ask = layer.ask
    window.set_theme(theme)
    window.resize(*size)
    window.move(0, 0)
    window.show()
    window.start()
    wait_for(lambda: window.index_done and window.pane.view is not None, "the first brief")
    window.search.search_for("Suleimani")
    wait_for(lambda: window.search.shown_query == "Suleimani", "the results")
    window.search.open_top()
    wait_for(lambda: window.pane.view is not None, "a brief")
    settle(window)
    article, comment = window.pane.browsers
    layer.reveal(layer.notes_dock)  # nothing written yet: the empty panels
    settle(window, 300)
    shot(window, out, f"{label}-00a-notes-empty")
    layer.reveal(layer.watch_dock)
    settle(window, 300)
    shot(window, out, f"{label}-00b-watchlist-empty")
    layer.notes_dock.hide()
    layer.watch_dock.hide()
    words = article.document().toPlainText().split()
    if len(words) > 12 and _select(article, " ".join(words[4:12])):
        layer.highlight_selection()
    cwords = comment.document().toPlainText().split()
    if len(cwords) > 8 and _select(comment, " ".join(cwords[2:7])):
        layer.highlight_selection()
    layer.note_on_brief()
    layer.toggle_star()
    settle(window)
    shot(window, out, f"{label}-01-highlights")
    if len(words) > 30 and _select(article, " ".join(words[20:24])):
        spans = article.cursorRect(article.textCursor()).center()
        menu = article.context_menu(spans)
        QTimer.singleShot(300, lambda: (_grab_popup(menu, out, f"{label}-01b-selection-menu"),
                                        menu.close()))  # fmt: skip
        menu.exec(article.viewport().mapToGlobal(spans))
        settle(window)

    layer.notes_dock.show()
    settle(window, 400)
    shot(window, out, f"{label}-02-notes")

    layer.saved.save_search_as("Suleimani")
    layer.saved.watch_actor("Kataib Hezbollah")
    layer.saved.watch_actor("Iran")
    wait_for(lambda: layer.watchlist.model.rowCount() == 3, "the watchlist")
    (corpus / "2026-12-02_new.md").write_text(NEW_BRIEF, "utf-8")
    window.update_index()
    wait_for(lambda: window.index_done, "the new brief indexed")
    settle(window)
    layer.watchlist.refresh()
    wait_for(lambda: any(layer.watchlist.model.row(r).new for r in range(3)), "a new count")
    settle(window, 400)
    shot(window, out, f"{label}-03-watchlist")

    layer.lists.set_only("starred")
    settle(window, 300)
    shot(window, out, f"{label}-04-starred")
    layer.lists.set_only("")
    settle(window, 300)
    from PySide6.QtCore import QItemSelectionModel

    sm = window.results.selectionModel()
    for row in (1, 2):
        sm.select(window.model.index(row), QItemSelectionModel.SelectionFlag.Select)
    layer.label_selected("to check")
    settle(window, 300)
    shot(window, out, f"{label}-04b-labels")
    for name, menu in (("04c-results-menu", layer.results_menu()),
                       ("04d-list-menu", layer.lists.list_menu())):  # fmt: skip
        QTimer.singleShot(300, lambda m=menu, n=name: (_grab_popup(m, out, f"{label}-{n}"),
                                                       m.close()))  # fmt: skip
        menu.exec(window.results.viewport().mapToGlobal(window.results.rect().center()))
        settle(window)

    layer.lists.remember("Suleimani")
    layer.lists.remember("PMF disarm")
    menu = layer.lists.history_menu()
    box = window.search_box
    QTimer.singleShot(300, lambda: (_grab_popup(menu, out, f"{label}-05-history"), menu.close()))
    menu.exec(box.mapToGlobal(box.rect().bottomLeft()))
    settle(window)

    from briefreader.ui.userlayer.highlights import ask_note

    def grab_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            problems.append("the note dialog did not open")
            return
        _grab_popup(dialog, out, f"{label}-06-note-dialog")
        dialog.close()

    QTimer.singleShot(400, grab_dialog)
    ask_note(window, "Highlight with a note", "declared in a televised speech on Tuesday", "")
    settle(window)

    # The watchlist's menu on a saved search (export), and one opened with its news first.
    watchlist = layer.watchlist
    layer.reveal(layer.watch_dock)
    settle(window, 300)
    rect = watchlist.view.visualRect(watchlist.model.index(0))
    menu = watchlist.menu_for(rect.center())
    at = watchlist.view.viewport().mapToGlobal(rect.center())
    QTimer.singleShot(300, lambda: (_grab_popup(menu, out, f"{label}-07-watch-menu"), menu.close()))
    menu.exec(at)
    settle(window)
    layer.saved.open_saved(watchlist.model.row(0))
    wait_for(lambda: window.search.shown_query == "Suleimani", "the saved search")
    settle(window, 600)
    shot(window, out, f"{label}-08-saved-opened")

    # A search saved with a date range (as the command line saves one), opened.
    from briefreader.core.userlayer import add_saved

    add_saved(library, layer.store.ud, "PMF, 2019", "PMF", {"since": "2019-01-01",
              "until": "2019-12-31", "sources": ["Reuters"]}, "newest")  # fmt: skip
    layer.watchlist.refresh()
    wait_for(lambda: watchlist.model.status("PMF, 2019") is not None, "the dated search")
    settle(window, 300)
    layer.saved.open_saved(watchlist.model.status("PMF, 2019"))
    wait_for(lambda: window.search.shown_query.startswith("PMF"), "the dated search's results")
    settle(window, 600)
    shot(window, out, f"{label}-09-dated-search")

    # Plain words find notes too: a brief that only a note names is listed last.
    window.facet_panel.clear()
    other = window.model.hit(window.model.rowCount() - 1)
    if other is not None:
        layer.store.add_note(library.brief(other.id), "Ask about Zarqawi's old route")
    window.search.search_for("Zarqawi")
    wait_for(lambda: window.search.shown_query == "Zarqawi", "the notes' search")
    settle(window, 600)
    shot(window, out, f"{label}-10-notes-search")
    window.search.search_for("note:compare")
    wait_for(lambda: window.search.shown_query == "note:compare", "note:compare")
    settle(window, 600)
    shot(window, out, f"{label}-11-note-term")

    # The menus of the user layer, then a noted brief whose file changed since.
    for title, menu_id in (("Notes", MenuId.NOTES), ("Watch", MenuId.WATCH)):
        menu = window.menu(menu_id)
        QTimer.singleShot(300, lambda m=menu, t=title: (_grab_popup(m, out, f"{label}-12-{t}"),
                                                        m.close()))  # fmt: skip
        menu.exec(window.mapToGlobal(window.rect().topLeft()))
        settle(window)
    noted = window.pane.view.brief if window.pane.view is not None else None
    if noted is not None:
        text = noted.path.read_text("utf-8")
        noted.path.write_text(text.replace("Iranian", "Iran's", 1), "utf-8")
        window.update_index()
        wait_for(lambda: window.index_done, "the changed brief indexed")
        window.open_brief(noted.id)
        settle(window, 600)
        layer.reveal(layer.notes_dock)
        layer.notes_panel.refresh_all()
        settle(window, 600)
        shot(window, out, f"{label}-13-changed")

    window.close()
    workers.shutdown()
    library.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--size", action="append")
    parser.add_argument("--theme", action="append", choices=THEMES)
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):
        print("needs an X server: run it under xvfb-run", file=sys.stderr)
        return 2
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    args.out.mkdir(parents=True, exist_ok=True)
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.size] if args.size else SIZES
    app = QApplication(sys.argv[:1])
    del app
    for theme in args.theme or THEMES:
        for size in sizes:
            with tempfile.TemporaryDirectory(prefix="briefreader-ul-") as tmp:
                walk(Path(tmp), args.out, size, theme)  # type: ignore[arg-type]
    for p in problems:
        print(f"PROBLEM {p}")
    for w in warnings:
        print(f"QT WARNING {w}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
