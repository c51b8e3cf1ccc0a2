"""A long file's progress page by page through an update (core/extract.py,
core/library_update.py): from its reader, in a worker process or in the updating process, to
the update's progress callback, without flooding it, and never to a callback of three
arguments (every one written before)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import formats_kit as kit
import pytest

from briefreader.core import extract
from briefreader.core.extract import Part
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library

#: Read in about half a second (a tenth of a millisecond a page and more): the update waits
#: for the first of them while a worker reads it, whatever the worker read before.
PAGES = 1500

#: (read processes, bulk build): read here, read by workers, read and written by workers.
MODES = [(0, False), (2, False), (2, True)]
MODE_IDS = ["here", "workers", "writing-workers"]


def long_pdf(folder: Path, name: str, pages: int = PAGES) -> Path:
    texts = [f"Page {n} of the report on the Hashd, code q{n}x." for n in range(pages)]
    return kit.make_pdf(folder, name, pages=texts)


def update(corpus: Path, data: Path, progress: Any, bulk: bool) -> None:
    lib = Library([corpus], data, Glossary.load([]))
    try:
        report = lib.update(progress=progress, bulk=bulk)
    finally:
        lib.close()
    assert not report.skipped


@pytest.fixture
def every_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every page told, however quick, and one PDF worth a worker (the workers are spawned:
    what they need is passed to them by the updating process)."""
    monkeypatch.setattr(extract, "PART_EVERY", 0.0)
    monkeypatch.setattr(extract, "MIN_POOL_FILES", 1)


@pytest.mark.usefixtures("every_page")
@pytest.mark.parametrize(("processes", "bulk"), MODES, ids=MODE_IDS)
def test_a_long_pdf_is_told_page_by_page(
    qapp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, processes: int, bulk: bool
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text(kit.SINGLE, "utf-8")
    # Two long PDFs, read at the same time by two workers: the second's pages must wait
    # until it is the file the update waits for (the file count never goes back).
    pdfs = [long_pdf(corpus, "b-report.pdf"), long_pdf(corpus, "c-report.pdf")]
    monkeypatch.setenv(extract.PROCESSES_ENV, str(processes))
    calls: list[tuple[int, int, str, Part | None]] = []

    def progress(done: int, total: int, path: str, part: Part | None = None) -> None:
        calls.append((done, total, path, part))

    update(corpus, tmp_path / "data", progress, bulk)

    files = [(done, path) for done, _total, path, part in calls if part is None]
    assert [done for done, _path in files] == [1, 2, 3]
    assert {total for _done, total, _path, _part in calls} == {3}
    assert [done for done, *_rest in calls] == sorted(done for done, *_rest in calls)
    for pdf in pdfs:
        number = next(done for done, path in files if path == str(pdf))
        parts = [p for done, _t, path, p in calls if p is not None and path == str(pdf)]
        assert all(done == number for done, _t, path, p in calls if path == str(pdf))
        pages = [p.done for p in parts]
        if pdf == pdfs[0] or processes == 0:
            # The second may have been read by the other worker by its turn: nothing to say.
            assert pages, f"no page of {pdf.name} told"
        assert not pages or pages[-1] == PAGES, pages
        assert pages == sorted(set(pages)), "pages told out of order or twice"
        assert {(p.total, p.unit) for p in parts} <= {(PAGES, "page")}
        if processes == 0:  # read here, while the update waits for it: every page
            assert pages == list(range(1, PAGES + 1))
    md = corpus / "a.md"
    assert all(part is None for _d, _t, path, part in calls if path == str(md))


@pytest.mark.usefixtures("every_page")
@pytest.mark.parametrize(("processes", "bulk"), MODES, ids=MODE_IDS)
def test_a_callback_of_three_arguments_is_called_as_before(
    qapp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, processes: int, bulk: bool
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    long_pdf(corpus, "report.pdf", pages=300)
    (corpus / "z.md").write_text(kit.SINGLE, "utf-8")
    monkeypatch.setenv(extract.PROCESSES_ENV, str(processes))
    seen: list[tuple[int, int, str]] = []
    update(corpus, tmp_path / "data", lambda d, t, p: seen.append((d, t, Path(p).name)), bulk)
    assert seen == [(1, 2, "report.pdf"), (2, 2, "z.md")]


@pytest.mark.parametrize(("processes", "bulk"), MODES, ids=MODE_IDS)
def test_a_quick_file_tells_nothing(
    qapp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, processes: int, bulk: bool
) -> None:
    """A PDF of a few pages is read in milliseconds, well within PART_EVERY: not a word
    beside its outcome (the window's line is not redrawn for it, the pipe carries nothing)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    long_pdf(corpus, "short.pdf", pages=3)
    monkeypatch.setattr(extract, "MIN_POOL_FILES", 1)
    monkeypatch.setenv(extract.PROCESSES_ENV, str(processes))
    calls: list[Part | None] = []

    def progress(_done: int, _total: int, _path: str, part: Part | None = None) -> None:
        calls.append(part)

    update(corpus, tmp_path / "data", progress, bulk)
    assert calls == [None]


def test_how_far_in_words() -> None:
    assert Part(412, 2000).how_far() == "page 412 of 2000"
    assert Part(1 << 20, 3 << 20, "byte").how_far() == "33 % read"
    assert Part(5, 0, "byte").how_far() == "0 % read"
