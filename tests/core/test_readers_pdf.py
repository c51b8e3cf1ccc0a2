"""Tests for the PDF reader: real PDFs written by Qt and public samples; hostile PDFs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import formats_kit as kit
import pytest
from workcount import cpu_growth

from briefreader.core.brief import BriefError
from briefreader.core.readers import pdf, read_file

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "formats" / "pdf-samples"


@pytest.fixture
def samples() -> Path:
    if not (SAMPLES / "files.json").is_file():
        pytest.skip(f"the public PDF samples are not at {SAMPLES}")
    return SAMPLES


def test_a_pdf_brief_with_its_comment(qapp: object, tmp_path: Path) -> None:
    path = kit.make_pdf(tmp_path, "2019-03-12_amiri.pdf")
    result = read_file(path, file_id="amiri.pdf")
    [brief] = result.briefs
    assert brief.format == "pdf" and brief.page == 1 and brief.page_breaks == ()
    assert brief.title == "Badr leader warns against disarming the Hashd"
    # As in a text brief, a first line that is no "# heading" stays in the article.
    assert " ".join(brief.article.split()).endswith(kit.ARTICLE)
    assert brief.comment == kit.COMMENT
    assert brief.text[brief.article_start : brief.article_end] == brief.article
    assert result.warnings == []


def test_pages_are_kept(qapp: object, tmp_path: Path) -> None:
    pages = [f"Page {n} text about the Hashd and Baghdad.\n\nMore on page {n}." for n in (1, 2, 3)]
    path = kit.make_pdf(tmp_path, pages=pages)
    [brief] = read_file(path, file_id="p.pdf").briefs
    assert len(brief.page_breaks) == 2
    for n in (1, 2, 3):
        assert brief.page_at(brief.text.index(f"More on page {n}")) == n
    assert brief.page_at(0) == 1


def test_a_pdf_digest_gives_items_with_their_pages(qapp: object, tmp_path: Path) -> None:
    path = kit.make_pdf(tmp_path, pages=[kit.ROUNDUP_DATED, kit.ROUNDUP_DATED], title="Digest")
    briefs = read_file(path, file_id="digest.pdf").briefs
    assert len(briefs) == 6
    assert [b.page for b in briefs] == [1, 1, 1, 2, 2, 2]
    assert [b.id for b in briefs][:2] == ["digest.pdf#1", "digest.pdf#2"]
    assert briefs[0].comment == kit.COMMENT
    assert briefs[2].page_breaks != ()  # the third item runs on to page 2 (the preamble)
    for brief in briefs:
        assert brief.text[brief.article_start : brief.article_end] == brief.article


def test_running_heads_and_page_numbers_are_left_out(qapp: object, tmp_path: Path) -> None:
    """A digest's title on top of every page and "Page n" under it, as word processors put
    them, are not part of the items' text (they fell into whichever item ran over the page)."""
    head = "Iraq Monthly Digest - March 2024 - For internal use"
    pages = [f"{head}\n\n{kit.ROUNDUP_DATED}\n\nPage {n} of 3" for n in (1, 2, 3)]
    briefs = read_file(kit.make_pdf(tmp_path, pages=pages), file_id="digest.pdf").briefs
    assert len(briefs) == 9
    for brief in briefs:
        assert "Monthly Digest" not in brief.text and "Page " not in brief.text
        assert brief.text[brief.article_start : brief.article_end] == brief.article
    assert [b.date for b in briefs] == [b.date for b in briefs[:3]] * 3  # date lines kept


def test_a_line_on_every_page_that_is_text_stays() -> None:
    """Date lines, numbered headlines and full lines of text recur at the tops of pages
    without being running heads; a page whose only line recurs keeps it."""
    usual = "The Badr leader said that the Hashd would keep its weapons whatever the law says"
    pages = [
        f"Item {n}: Amiri warns against disarming the Hashd\nRudaw, 12 March 2019\n{usual}\n"
        f"{usual}\n{usual}\n{usual}"
        for n in range(1, 5)
    ]
    assert pdf.running_lines(pages) == set()
    assert pdf.running_lines(["habibi", "habibi", "habibi"]) == {("top", "habibi")}
    text, _breaks = pdf.joined(["habibi", "habibi", "habibi"])
    assert text.split() == ["habibi"] * 3


def test_a_headline_over_a_date_line_starts_its_item() -> None:
    """PDF text has no blank lines: a headline after a full last line of the item before
    (the heading's space above it is not in the text layer) still opens a paragraph."""
    full = "Officials said the talks would resume next week after the holiday, sources added."
    page = "\n".join(
        [full, full, "Talks in Najaf over security", "Najaf, 15 March 2024 - Al-Monitor", full]
    )
    assert pdf.paragraphs(page).split("\n\n") == [
        f"{full}\n{full}",
        "Talks in Najaf over security",
        "Najaf, 15 March 2024 - Al-Monitor",
        full,
    ]


def test_a_headline_run_on_after_the_text_before_it_is_cut_off() -> None:
    """Some PDFs' text layer puts a headline on the line of the sentence before it; over a
    date line, the tail after the last sentence end is the headline. "U.S." is no sentence
    end, and a headline of its own over a date line stays whole."""
    full = "Officials said the talks would resume next week after the holiday, sources said"
    page = "\n".join(
        [
            full,
            "much of the talk. Muqtada al-Sadr Slams the Budget Deal",
            "Tasnim News Agency, 17 December 2018",
            f"{full}.",
            "U.S. Navy Defends Its Patrols in the Gulf",
            "Al-Monitor, 18 December 2018",
            f"{full}.",
        ]
    )
    assert pdf.paragraphs(page).split("\n\n") == [
        f"{full}\nmuch of the talk.",
        "Muqtada al-Sadr Slams the Budget Deal",
        "Tasnim News Agency, 17 December 2018",
        f"{full}.",
        "U.S. Navy Defends Its Patrols in the Gulf",
        "Al-Monitor, 18 December 2018",
        f"{full}.",
    ]


def test_a_numbered_headline_after_a_full_line_starts_its_item() -> None:
    full = "Officials said the talks would resume next week after the holiday, sources added."
    page = "\n".join([full, full, "3. Dispute in Basra over security", full, "4.5 per cent"])
    assert pdf.paragraphs(page).split("\n\n") == [
        f"{full}\n{full}",
        "3. Dispute in Basra over security",
        f"{full}\n4.5 per cent",
    ]


def test_a_scan_has_no_text_layer(qapp: object, tmp_path: Path) -> None:
    with pytest.raises(BriefError) as caught:
        read_file(kit.make_image_pdf(tmp_path), file_id="scan.pdf")
    assert caught.value.reason == "no text layer: scanned?"


def test_a_picture_page_without_text_is_a_warning(qapp: object, tmp_path: Path) -> None:
    path = kit.make_pdf(tmp_path, pages=[kit.SINGLE, "", kit.SINGLE], pictures=[1])
    result = read_file(path, file_id="x.pdf")
    assert result.warnings == ["little or no text on page 2 (scanned or pictures?)"]


def test_a_blank_page_is_no_warning(qapp: object, tmp_path: Path) -> None:
    # Word processors leave empty pages (a page break before the first heading, a blank
    # back page): nothing is lost there, and a warning would cry wolf.
    path = kit.make_pdf(tmp_path, pages=["", kit.SINGLE, "", "4"])
    result = read_file(path, file_id="x.pdf")
    assert result.warnings == []
    assert [b.title for b in result.briefs] == ["Badr leader warns against disarming the Hashd"]


def test_a_picture_beside_text_is_no_warning(qapp: object, tmp_path: Path) -> None:
    path = kit.make_pdf(tmp_path, pages=[kit.SINGLE, kit.SINGLE], pictures=[0])
    assert read_file(path, file_id="x.pdf").warnings == []


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.7\n" + b"garbage " * 100, "damaged PDF"),
        (b"not a pdf at all", "damaged PDF"),
        (b"", "damaged PDF"),
    ],
)
def test_broken_pdfs(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(data)
    with pytest.raises(BriefError) as caught:
        read_file(path, file_id="broken.pdf")
    assert caught.value.reason.startswith(reason)


def test_a_truncated_pdf(qapp: object, tmp_path: Path) -> None:
    whole = kit.make_pdf(tmp_path, pages=[kit.SINGLE] * 3).read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(kit.truncated(whole))
    try:
        result = read_file(path, file_id="cut.pdf")
    except BriefError as exc:
        assert "PDF" in exc.reason
    else:
        assert result.briefs


def test_the_public_samples(samples: Path) -> None:
    listed = json.loads((samples / "files.json").read_text("utf-8"))["data"]
    read = 0
    for entry in listed:
        path = samples / entry["path"]
        if not path.is_file():
            continue
        if entry.get("encrypted"):
            with pytest.raises(BriefError) as caught:
                read_file(path, file_id=path.name)
            assert caught.value.reason == "encrypted PDF: no password"
            continue
        try:
            result = read_file(path, file_id=path.name)
        except BriefError as exc:
            assert exc.reason.startswith(("damaged PDF", "no text layer")), (path, exc.reason)
            continue
        read += 1
        for brief in result.briefs:
            assert brief.text[brief.article_start : brief.article_end] == brief.article
            assert brief.page == 1 or brief.item is not None
        pages = entry.get("pages") or 1
        if len(result.briefs) == 1:
            assert len(result.briefs[0].page_breaks) <= pages - 1
    assert read >= 10


def test_sample_metadata_and_pages(samples: Path) -> None:
    path = samples / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf"
    [brief] = read_file(path, file_id="four.pdf").briefs
    assert len(brief.page_breaks) == 3
    assert brief.date == dt.date(2022, 4, 3)  # CreationDate D:20220403...
    google = samples / "011-google-doc-document" / "google-doc-document.pdf"
    [doc] = read_file(google, file_id="g.pdf").briefs
    assert doc.title == "Example document"


@pytest.mark.parametrize(
    ("raw", "read"),
    [
        # A typesetter's break inside a word: the word whole again.
        ("the Popular Mobi\x02lization Forces", "the Popular Mobilization Forces"),
        ("consectetuer adip\x02\r\niscing elit", "consectetuer adipiscing elit"),
        # A real hyphen at a line's end: a name's particle, a number.
        ("Hadi al\x02Amiri said", "Hadi al-Amiri said"),
        ("the COVID\x0219 rules", "the COVID-19 rules"),
        # The page writes the word with its hyphen, and never without.
        (
            "a well\x02known dispute over well-known fields",
            "a well-known dispute over well-known fields",
        ),
        # ... or writes it both ways: the plain word wins.
        ("govern\x02ment and the government", "government and the government"),
        ("\x02lonely and trailing\x02", "-lonely and trailing-"),
    ],
)
def test_line_end_hyphens_are_resolved(raw: str, read: str) -> None:
    assert pdf.dehyphenated(raw) == read


def test_a_hostile_page_of_breaks_stays_linear() -> None:
    """Giant "words" beside breaks, and a break at every other letter: the time grows with the
    page, not with its square (the words around a break are looked for in a bounded window)."""
    pages = {n: ("w" * n + "\x02x") * 4 + "ab\x02cd " * (n // 4) for n in (50_000, 200_000)}
    assert pdf.dehyphenated(pages[50_000]).count("-") == 0
    growth = cpu_growth(lambda n: pdf.dehyphenated(pages[n]), 50_000, 200_000)
    assert growth < 4 * 1.8, growth


def test_a_latex_papers_hyphenated_words_are_whole(samples: Path) -> None:
    path = samples / "026-latex-multicolumn" / "multicolumn.pdf"
    [brief] = read_file(path, file_id="two.pdf").briefs
    assert "adipiscing" in brief.text and "adip-iscing" not in brief.text
    assert "\x02" not in brief.text


def test_progress_is_told_each_page(qapp: object, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    path = kit.make_pdf(tmp_path, pages=[kit.SINGLE] * 4)
    read_file(path, file_id="p.pdf", progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_a_pdfs_attached_files_are_its_children(qapp: object, tmp_path: Path) -> None:
    annex = kit.make_docx(tmp_path, "annex.docx", title="Annex memo").read_bytes()
    message = kit.make_eml(tmp_path, subject="Forwarded by the embassy").read_bytes()
    path = kit.attach_to_pdf(
        kit.make_pdf(tmp_path, "report.pdf"),
        [("annex.docx", annex), ("cable.eml", message), ("map.png", b"\x89PNG\r\n\x1a\n")],
    )
    read = read_file(path, file_id="report.pdf")
    assert [(b.id, b.parent) for b in read.briefs] == [
        ("report.pdf", None),
        ("report.pdf#annex.docx", "report.pdf"),
        ("report.pdf#cable.eml", "report.pdf"),
    ]
    assert read.briefs[2].title == "Forwarded by the embassy"
    assert read.warnings == []  # the picture has nothing to read


def test_a_portfolio_without_text_is_its_files_parent(qapp: object, tmp_path: Path) -> None:
    annex = kit.make_docx(tmp_path, "annex.docx", title="Annex memo").read_bytes()
    path = kit.attach_to_pdf(kit.make_pdf(tmp_path, "folio.pdf", pages=[""]), [("a.docx", annex)])
    read = read_file(path, file_id="folio.pdf")
    assert [b.id for b in read.briefs] == ["folio.pdf", "folio.pdf#a.docx"]
    assert "(attached: a.docx)" in read.briefs[0].text


def test_attached_files_are_bounded(
    qapp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf, "MAX_ATTACHED", 2)
    monkeypatch.setattr(pdf, "MAX_ATTACHED_BYTES", 1000)
    files = [(f"n{i}.txt", kit.SINGLE.encode()) for i in range(3)]
    path = kit.attach_to_pdf(kit.make_pdf(tmp_path), [("big.txt", b"x" * 2000), *files])
    read = read_file(path, file_id="x.pdf")
    assert [b.id for b in read.briefs] == ["x.pdf", "x.pdf#n0.txt"]
    assert read.warnings == [
        "attached file 'big.txt': too large (0 MB; the limit is 0 MB), not read",
        "2 more attached files not read (over 2)",
    ]


def test_a_pdf_attached_to_an_email_brings_its_own_files(qapp: object, tmp_path: Path) -> None:
    inner = kit.attach_to_pdf(kit.make_pdf(tmp_path, "r.pdf"), [("n.txt", kit.SINGLE.encode())])
    path = kit.make_eml(tmp_path, attachments=[("r.pdf", inner.read_bytes(), "application/pdf")])
    ids = [(b.id, b.parent) for b in read_file(path, file_id="m.eml").briefs]
    assert ids == [("m.eml", None), ("m.eml#r.pdf", "m.eml"), ("m.eml#r.pdf/n.txt", "m.eml#r.pdf")]
