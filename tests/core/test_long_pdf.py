"""A 2,000-page PDF digest: every page's item a brief that knows its page, progress told page
by page, memory that of its text (PDFium's pages are closed as they are read)."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import formats_kit as kit

from briefreader.core.glossary import Glossary
from briefreader.core.library import Library
from briefreader.core.readers import read_file

PAGES = 2000


def _item(n: int) -> str:
    return (
        f"Item {n}: Amiri warns against disarming the Hashd, part {n}\n"
        "Rudaw, 12 March 2019\n\n"
        f"The Badr leader said on day {n} that the Hashd would keep its weapons, code q{n}x.\n\n"
        f"Comment: Note {n} on the politics of the Hashd."
    )


def test_a_2000_page_digest_is_read_page_by_page(qapp: object, tmp_path: Path) -> None:
    path = kit.make_pdf(tmp_path, "monthly.pdf", pages=[_item(n) for n in range(1, PAGES + 1)])
    told: list[tuple[int, int]] = []
    tracemalloc.start()
    try:
        result = read_file(path, file_id="monthly.pdf", progress=lambda a, b: told.append((a, b)))
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert told == [(n, PAGES) for n in range(1, PAGES + 1)]
    assert len(result.briefs) == PAGES and result.warnings == []
    for n in (1, 2, 1000, PAGES):
        brief = result.briefs[n - 1]
        assert brief.page == n and brief.id == f"monthly.pdf#{n}"
        assert brief.title == f"Item {n}: Amiri warns against disarming the Hashd, part {n}"
        assert brief.comment == f"Note {n} on the politics of the Hashd."
        assert f"q{n}x" in brief.article
    text = sum(len(b.text) for b in result.briefs)
    # What the reader holds grows with the text (about 0.4 MB here), not with the pages:
    # about 10 bytes a character of text, measured 4 MB; a page kept open would add PDFium's.
    assert peak < 40 * text, (peak, text)


def test_a_2000_page_digest_is_indexed_and_found(qapp: object, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    kit.make_pdf(corpus, "monthly.pdf", pages=[_item(n) for n in range(1, PAGES + 1)])
    lib = Library([corpus], tmp_path / "data", Glossary.load([]))
    try:
        report = lib.update()
        assert report.added == PAGES and not report.problems
        res = lib.search("q1999x")
        assert [h.id for h in res.hits] == ["monthly.pdf#1999"]
        assert lib.brief("monthly.pdf#1999").page == 1999
    finally:
        lib.close()
