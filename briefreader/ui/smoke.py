"""``briefreader --smoke``: prove that a build works end to end, then exit.

Meant for the frozen app, where a missing data file, Qt plugin or hidden import only shows
when the program runs. In a temporary data folder and on Qt's offscreen platform it indexes
the bundled sample corpus (with the bulk writer), searches it, opens the best hit in the
real window with its actor marks and search hits, reads a file of each format in worker
processes (so that frozen multiprocessing is exercised), and prints each step. Exit code 0
means every step passed.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

SMOKE_QUERY = "PMF"
SMOKE_TIMEOUT_S = 120
_OFFSCREEN_NOISE = ("does not support propagateSizeHints", "This plugin does not support raise")


class SmokeFailure(Exception):
    """A step that did not do what it should; the message says which and why."""


def _step(name: str, fn: Callable[[], str]) -> None:
    t0 = time.perf_counter()
    try:
        detail = fn()
    except SmokeFailure as exc:
        raise SmokeFailure(f"{name}: {exc}") from None
    except Exception as exc:  # the point is to report anything that breaks
        raise SmokeFailure(f"{name}: {type(exc).__name__}: {exc}") from exc
    print(f"ok  {name:<10} {detail} ({(time.perf_counter() - t0) * 1000:.0f} ms)", flush=True)


def run_smoke() -> int:
    """Run every step; print one line per step and a verdict."""
    # Set before anything imports Qt's GUI side: the smoke test needs no screen.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    kind = "frozen app" if getattr(sys, "frozen", False) else "Python"
    print(f"briefreader smoke test ({kind} {sys.version.split()[0]})")
    with tempfile.TemporaryDirectory(prefix="briefreader-smoke-") as tmp:
        try:
            _run(Path(tmp))
        except SmokeFailure as exc:
            print(f"FAIL {exc}", flush=True)
            return 1
    print("smoke test passed")
    return 0


def _run(data: Path) -> None:
    from briefreader import paths
    from briefreader.core.library import Library

    state: dict[str, object] = {}

    def resources() -> str:
        corpus = paths.sample_corpus_dir()
        briefs = [p for p in corpus.rglob("*") if p.suffix in {".md", ".txt"}]
        missing = [
            name
            for name in ("glossary.toml", "light.qss", "dark.qss", "icons/briefreader.svg")
            if not (paths.resources_dir() / name).is_file()
        ]
        if missing:
            raise SmokeFailure(f"missing from {paths.resources_dir()}: {', '.join(missing)}")
        if not briefs:
            raise SmokeFailure(f"no sample briefs in {corpus}")
        return f"{len(briefs)} sample briefs and the resources in {paths.resources_dir()}"

    def index() -> str:
        # Four copies of the sample corpus, built as a first index is (the bulk writer:
        # Whoosh segments written from postings gathered in memory, core.index.segwriter).
        corpus = data / "corpus-x4"
        for n in range(1, 5):
            shutil.copytree(paths.sample_corpus_dir(), corpus / f"copy{n}")
        lib = Library.open([corpus], data_dir=data / "bulk")
        state["library"] = lib
        if lib.glossary.problems:
            raise SmokeFailure(f"glossary problems: {lib.glossary.problems[0]}")
        report = lib.update(bulk=True)
        if report.indexed == 0 or report.skipped:
            raise SmokeFailure(f"{report.indexed} indexed, {len(report.skipped)} skipped")
        return (
            f"{report.indexed} briefs by the bulk writer, "
            f"{len(lib.glossary.actors)} actors in the glossary"
        )

    def search() -> str:
        lib = state["library"]
        assert isinstance(lib, Library)
        results = lib.search(SMOKE_QUERY, limit=5)
        if not results.hits:
            raise SmokeFailure(f"no hits for {SMOKE_QUERY!r}")
        return f"{results.total} hits for {SMOKE_QUERY!r}, first: {results.hits[0].title!r}"

    _step("resources", resources)
    _step("index", index)
    _step("search", search)
    lib = state["library"]
    assert isinstance(lib, Library)
    lib.close()
    _step("window", lambda: _window(data / "window"))
    _step("formats", lambda: _formats(data / "formats"))


@contextlib.contextmanager
def _count_processes() -> Iterator[list[int]]:
    """Record the processes multiprocessing starts inside the block (Whoosh's writers)."""
    import multiprocessing.process

    started: list[int] = []
    original = multiprocessing.process.BaseProcess.start

    def start(self: multiprocessing.process.BaseProcess) -> None:
        original(self)
        started.append(self.pid or 0)

    multiprocessing.process.BaseProcess.start = start  # type: ignore[method-assign]
    try:
        yield started
    finally:
        multiprocessing.process.BaseProcess.start = original  # type: ignore[method-assign]


def _window(data: Path) -> str:
    """The real main window, offscreen: index, search, open the top hit, check its marks."""
    from PySide6.QtCore import QSettings, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from briefreader import paths
    from briefreader.core.library import Library
    from briefreader.ui.app import build_window, set_app_identity
    from briefreader.ui.startup import wait_until_settled
    from briefreader.ui.theme import apply_theme
    from briefreader.ui.workers import Workers

    def qt_message(_kind: object, _context: object, message: str) -> None:
        # The offscreen platform lacks two window-manager calls that QDockWidget makes; a
        # screen has them. Anything else Qt says is worth seeing.
        if not any(known in message for known in _OFFSCREEN_NOISE):
            print(f"qt: {message}", file=sys.stderr)

    qInstallMessageHandler(qt_message)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    set_app_identity(app)
    if app.windowIcon().isNull():
        raise SmokeFailure("the application icon did not load")
    apply_theme(app, "light")
    settings = QSettings(str(data / "smoke-settings.ini"), QSettings.Format.IniFormat)
    library = Library.open([paths.sample_corpus_dir()], data_dir=data)
    workers = Workers(library)
    window = build_window(library, workers, settings)
    window.resize(1280, 800)
    window.show()
    window.start(SMOKE_QUERY)  # indexes the sample corpus, then opens the top hit
    try:
        if not wait_until_settled(app, window, workers, SMOKE_TIMEOUT_S):
            raise SmokeFailure(f"the window did not settle in {SMOKE_TIMEOUT_S} s")
        view = window.pane.view
        hits = window.pane.hit_positions()
        if view is None or window.model.rowCount() == 0:
            raise SmokeFailure(f"no results listed for {SMOKE_QUERY!r}")
        if not view.mentions:
            raise SmokeFailure(f"{view.brief.id} opened without actor marks")
        if not hits:
            raise SmokeFailure(f"{view.brief.id} opened without marked hits")
        if window.grab().isNull():
            raise SmokeFailure("the window could not be drawn")
        return (
            f"{window.model.rowCount()} results listed; opened {view.brief.title!r} "
            f"with {len(view.mentions)} actor marks and {len(hits)} hits "
            f"on Qt platform {QApplication.platformName()!r}"
        )
    finally:
        window.close()
        workers.shutdown()
        library.close()


#: A word only the smoke test's sample files hold, one per format.
_FORMAT_WORDS = {"html": "zarqawite", "docx": "quillmarsh", "eml": "tessaloon",
                 "mbox": "brindlecove", "pdf": "vantorix", "rtf": "morvellan",
                 "gz": "carrowmere"}  # fmt: skip


def _format_text(word: str, title: str) -> str:
    return (
        f"{title}\n\nThe Popular Mobilization Forces said on Tuesday that {word} talks would "
        "resume in Baghdad next week, after a month without a meeting. Officials from the "
        "interior ministry and two factions close to Tehran are expected to attend, while "
        "the Sadrists said they would send observers only. A spokesman added that the agenda "
        "covers salaries, the command structure and weapons held outside state control.\n\n"
        f"Comment: The {word} talks matter less than who sits at them.\n"
    )


def _write_samples(folder: Path) -> None:
    """One real file of each format the readers take (the standard library writes the emails
    and the Word package, Qt the PDF, and the RTF is text written here)."""
    import email.message
    import gzip
    import html
    import mailbox
    import zipfile

    from PySide6.QtGui import QPageSize, QPdfWriter, QTextDocument

    folder.mkdir(parents=True)
    words = _FORMAT_WORDS
    text = _format_text(words["html"], "Web page brief")
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n")[1:])
    (folder / "page.html").write_text(
        "<!doctype html><html><head><title>Web page brief</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>Web page brief"
        f"</h1>{paras}</article><footer>Share this story</footer></body></html>",
        "utf-8",
    )
    # The smallest Word file Word itself opens: a package of three parts, written by hand (no
    # Word writer ships in the app: the reader reads the package's parts with lxml).
    body = "".join(
        f"<w:p><w:r><w:t>{html.escape(p.strip())}</w:t></w:r></w:p>"
        for p in _format_text(words["docx"], "Word brief").split("\n\n")
    )
    with zipfile.ZipFile(folder / "brief.docx", "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats'
            '-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            f'wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>',
        )

    # RTF is text: paragraphs ending in \par, a character beyond ASCII as \uN.
    rtf_paras = _format_text(words["rtf"], "RTF brief").replace("\u2019", "'").split("\n\n")
    (folder / "brief.rtf").write_text(
        "{\\rtf1\\ansi{\\fonttbl{\\f0 Arial;}}"
        + "".join(f"\\pard {p.strip()}\\par\n" for p in rtf_paras if p.strip())
        + "\\pard Caf\\u233?.\\par}",
        "ascii",
    )

    def message(word: str, subject: str) -> email.message.EmailMessage:
        msg = email.message.EmailMessage()
        msg["Subject"], msg["From"] = subject, "Iraq Watch <watch@example.org>"
        msg["Date"] = "Tue, 12 Mar 2019 08:00:00 +0000"
        msg.set_content(_format_text(word, subject).split("\n\n", 1)[1])
        return msg

    (folder / "message.eml").write_bytes(bytes(message(words["eml"], "Email brief")))
    box = mailbox.mbox(str(folder / "letters.mbox"))
    box.add(message(words["mbox"], "Mailbox brief"))
    box.close()
    # A mailing list's archive as it is published: a month's mbox, compressed.
    archive = message(words["gz"], "Archived brief")
    archive.set_unixfrom("From watch@example.org Tue Mar 12 08:00:00 2019")
    (folder / "2019-March.txt.gz").write_bytes(gzip.compress(archive.as_bytes(unixfrom=True)))
    pdf = QPdfWriter(str(folder / "report.pdf"))
    pdf.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    doc = QTextDocument()
    doc.setPlainText(_format_text(words["pdf"], "PDF brief"))
    doc.print_(pdf)


def _formats(data: Path) -> str:
    """Index one file of each format the readers take; each must give a brief, found."""
    from PySide6.QtWidgets import QApplication

    # Loaded here first, so that a reader missing from a build fails with its own error.
    from briefreader.core import readers
    from briefreader.core.library import Library

    wanted = {
        ".html", ".pdf", ".docx", ".doc", ".odt", ".rtf", ".eml", ".msg", ".mbox", ".zip", ".gz",
    }  # fmt: skip
    if missing := wanted - set(readers.SUFFIXES):
        raise SmokeFailure(f"the format readers lack {', '.join(sorted(missing))}")
    try:  # no sample .msg or .doc is written here (Outlook and Word write them): their library
        importlib.import_module("olefile")
    except ImportError as exc:
        raise SmokeFailure(f"the .msg and .doc readers' library is missing: {exc}") from None
    QApplication.instance() or QApplication(sys.argv[:1])  # Qt writes the sample PDF
    folder = data / "corpus"
    _write_samples(folder)
    # Four of each: enough files that the update reads them in worker processes (the path
    # most likely to break in a frozen app), and copies of one article, listed once.
    for path in sorted(folder.iterdir()):
        for n in (2, 3, 4):
            shutil.copyfile(path, path.with_name(f"{path.stem}-{n}{path.suffix}"))
    lib = Library.open([folder], data_dir=data)
    try:
        with _count_processes() as started:
            report = lib.update(bulk=False)
        if report.skipped:
            raise SmokeFailure(f"not read: {report.skipped[0]}")
        found = {kind: lib.search(word) for kind, word in _FORMAT_WORDS.items()}
        missing = [kind for kind, res in found.items() if res.total != 1 or res.folded != 3]
        if missing:
            raise SmokeFailure(f"not found once (with its copies) from the {', '.join(missing)}")
        if (os.cpu_count() or 1) > 1 and not started:
            raise SmokeFailure("the files were not read by worker processes")
    finally:
        lib.close()
    read = ", ".join(f"{n} {name}" for name, n in sorted(report.formats.items()))
    from briefreader.core.wording import counted

    workers = counted(len(started), "worker process", "worker processes")
    return f"{report.indexed} briefs from {read}, read by {workers}"
