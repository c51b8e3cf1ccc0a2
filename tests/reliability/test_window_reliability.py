"""The window under trouble: damaged index, busy index, bad files, hostile HTML.

Each test builds a real MainWindow with its own Workers on a temporary corpus and waits on
signals, never on time.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

import hostile_corpus as hc
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, QUrl
from PySide6.QtGui import QDesktopServices, QTextDocument
from PySide6.QtWidgets import QTextBrowser

from briefreader.core import index as bix
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library
from briefreader.ui.main_window import MainWindow
from briefreader.ui.widgets.brief_browser import BriefBrowser
from briefreader.ui.workers import Workers

# The offscreen platform cannot do these; Qt's warnings about it say nothing about us.
pytestmark = pytest.mark.qt_log_ignore(
    "does not support propagateSizeHints", "This plugin does not support raise"
)

BRIEF = (
    "Title: {title}\nDate: 2020-01-0{n}\nSource: Reuters\n\n"
    "A drone strike near Baghdad airport was reported by officials.\n\n"
    "Comment: Expect an answer within weeks.\n"
)
HOSTILE_HTML = """Title: Hostile markup
Date: 2020-01-09

Remote image ![tracker](http://tracker.example/pixel.gif) and
<img src="https://tracker.example/a.png" onerror="alert(1)"> and
<img src="file:///etc/passwd"> and a [reference image][ref] and
<link rel="stylesheet" href="http://evil.example/s.css">
<style>@import url("http://evil.example/i.css"); p { background: url(http://x.example/b) }</style>
<iframe src="http://evil.example/frame"></iframe>
<script src="http://evil.example/s.js"></script><script>fetch("http://evil.example")</script>
<svg><image href="http://evil.example/svg.png"/><use xlink:href="http://evil.example/u#x"/></svg>
<a href="javascript:alert(1)">js</a> <a href="vbscript:msgbox">vb</a>
<a href="data:text/html,<script>alert(1)</script>">data</a> <a href="file:///etc/passwd">file</a>
<a href="http://safe.example/page" onclick="steal()">safe link</a>
<a href="mailto:analyst@example.org">mail</a> <a href="https://safe.example/s">https</a>
<object data="http://evil.example/o"></object><embed src="http://evil.example/e">
<form action="http://evil.example/f"><input name="q"></form>
<body onload="alert(1)"><div onmouseover="alert(1)">hover</div>

[ref]: http://tracker.example/ref.png

Comment: Nothing here may reach the network.
"""


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for n in range(1, 5):
        (folder / f"2020-01-0{n}_brief-{n}.md").write_text(BRIEF.format(title=f"Brief {n}", n=n))
    (folder / "2020-01-09_hostile-markup.md").write_text(HOSTILE_HTML)
    return folder


@pytest.fixture
def make_window(qtbot, tmp_path: Path, _data_dir: Path):  # type: ignore[no-untyped-def]
    """Build a window on ``corpus``; ``wait`` waits for the first indexing to finish."""
    made: list[tuple[MainWindow, Workers, Library]] = []

    def make(corpus: Path, *, wait: bool = True) -> MainWindow:
        lib = Library([corpus], _data_dir, Glossary.load([]))
        workers = Workers(lib)
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        win = MainWindow(lib, workers, settings)
        qtbot.addWidget(win)
        win.show()
        made.append((win, workers, lib))
        if wait:
            with qtbot.waitSignal(win.indexReady, timeout=20000):
                win.start()
            qtbot.waitUntil(lambda: not workers.busy, timeout=20000)
        return win

    yield make
    for win, workers, lib in made:
        win.close()
        workers.shutdown()
        lib.close()


def _build_index(corpus: Path, data: Path) -> Path:
    lib = Library([corpus], data, Glossary.load([]))
    lib.update()
    lib.close()
    return lib.index.folder


def _search(qtbot, win: MainWindow, text: str) -> int:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(win.resultsShown, timeout=10000) as blocker:
        win.search_box.setText(text)
        win.search.search_now()
    return int(blocker.args[0])


@pytest.mark.timeout(60)
def test_damaged_index_at_start_is_rebuilt_with_a_plain_message(
    qtbot, make_window: Callable[..., MainWindow], corpus: Path, _data_dir: Path
) -> None:
    folder = _build_index(corpus, _data_dir)
    toc = next(folder.glob("_MAIN_*.toc"))
    toc.write_bytes(toc.read_bytes()[:20])
    win = make_window(corpus)
    status = win.status_label.text()
    assert "could not be used" in status and "rebuilt" in status, status
    assert "Traceback" not in status and "Error" not in status.split("(")[0]
    assert _search(qtbot, win, "drone") == 4
    assert win.model.rowCount() == 4


@pytest.mark.timeout(60)
def test_busy_index_opens_read_only_and_says_so(
    qtbot,
    make_window: Callable[..., MainWindow],
    corpus: Path,
    _data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another instance is indexing (it holds the update lock): this one reads and says so."""
    import functools

    folder = _build_index(corpus, _data_dir)
    # Wait a moment for the lock, not the default 5 s: the outcome is the same.
    monkeypatch.setattr(
        Library, "update", functools.partialmethod(Library.update, lock_timeout=0.2)
    )
    other = bix.BriefIndex(folder)
    with other.locked():
        manifest = other.manifest_path.read_bytes()  # before the window runs
        win = make_window(corpus, wait=False)
        with qtbot.waitSignal(win.workers.indexFailed, timeout=20000):
            win.start()
        qtbot.waitUntil(lambda: not win.workers.busy, timeout=20000)
        status = win.status_label.text()
        assert "Another briefreader is updating this index" in status
        assert "read-only" in status
        assert _search(qtbot, win, "drone") == 4  # the index it has, read-only
    assert other.manifest_path.read_bytes() == manifest  # nothing was written meanwhile


@pytest.mark.timeout(60)
def test_problems_view_lists_each_unreadable_file(
    qtbot, make_window: Callable[..., MainWindow], hostile: tuple[Path, dict]
) -> None:
    root, expected = hostile
    (root / "empty\nname.md").write_bytes(b"")
    expected = {**expected, "empty\nname.md": hc.Expect(hc.SKIPPED, "empty")}
    win = make_window(root)
    problems = dict(win.problems())
    assert all("\n" not in path for path in problems), "one line per file in the table"
    for name, want in expected.items():
        key = str(root / name).replace("\n", "\\n")
        if want.outcome == hc.READ:
            assert key not in problems, name
        else:
            assert want.reason in problems[key].lower(), (name, problems.get(key))
    dialog = win.problems_dialog()
    assert dialog.findChild(object, "problemsTable").model().rowCount() == len(problems)
    dialog.deleteLater()
    # The good briefs around the bad ones are there.
    assert _search(qtbot, win, "Amiri") >= 3


@pytest.mark.timeout(60)
def test_hostile_brief_fetches_nothing_and_opens_links_only_on_click(
    qtbot,
    make_window: Callable[..., MainWindow],
    corpus: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []
    real = QTextBrowser.loadResource

    def spy(self: QTextBrowser, kind: int, url: QUrl) -> object:
        asked.append(url.toString())
        return real(self, kind, url)

    monkeypatch.setattr(QTextBrowser, "loadResource", spy)
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()))

    win = make_window(corpus)
    with qtbot.waitSignal(win.briefShown, timeout=10000):
        win.open_brief("2020-01-09_hostile-markup.md")
    article, comment = win.pane.browsers
    html = article.toHtml() + comment.toHtml()
    # A URL may show as text; none may be a resource or a link of another scheme.
    targets = re.findall(r'(?:href|src)="([^"]*)"', html)
    assert targets, "the safe links should be there"
    assert all(t.startswith(("http://safe.example", "https://safe", "mailto:")) for t in targets)
    assert not re.search(r"<img|onclick|onerror|onload|<script|<iframe", html, re.I)
    assert not [u for u in asked if not u.startswith(("file:", "qrc:")) and "://" in u], asked
    assert opened == [], "nothing may be opened before a click"

    # Only a click on an http(s) or mailto link reaches the system.
    links = [u for u in _anchors(article) if u]
    assert set(links) >= {"http://safe.example/page", "mailto:analyst@example.org"}
    for url in (*links, "javascript:alert(1)", "file:///etc/passwd", "data:text/html,x"):
        article.anchorClicked.emit(QUrl(url))
    assert opened and all(u.startswith(("http://", "https://", "mailto:")) for u in opened)
    # A direct request for a remote resource is refused by the widget itself.
    assert (
        BriefBrowser().loadResource(
            QTextDocument.ResourceType.ImageResource.value, QUrl("http://tracker.example/x.png")
        )
        is None
    )
    assert "PySide6.QtNetwork" not in sys.modules, "the app must not load Qt's network module"


def _anchors(browser: QTextBrowser) -> list[str]:
    out: list[str] = []
    block = browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isAnchor():
                out.append(fmt.anchorHref())
            it += 1
        block = block.next()
    return out
