"""Old Word files (.doc): the main document's text through its piece table (8-bit and UTF-16
pieces), fields shown as their results, tables as rows, the summary information's title and
date; digests split as in any format; hostile files refused with a reason. The files are
written from the specifications (tests/ole_kit.py); real Word files made by LibreOffice were
checked by hand against their .docx twins (RESULTS.md)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import formats_kit as kit
import ole_kit
import pytest

from briefreader.core.brief import BriefError
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library
from briefreader.core.readers import read_file

ARABIC = "قال مسؤولون عراقيون إن قوات الحشد الشعبي انتشرت في كركوك."


def word_text(text: str) -> str:
    """A plain text's paragraphs (blank-line separated) as Word keeps them: each ends in
    "\\r", a line break within one is "\\x0b"."""
    paragraphs = [p.strip("\n") for p in text.split("\n\n") if p.strip()]
    return "".join(p.replace("\n", "\x0b") + "\r" for p in paragraphs)


def test_an_old_word_brief(tmp_path: Path) -> None:
    path = ole_kit.make_doc(
        tmp_path,
        word_text(kit.SINGLE),
        title="Badr leader warns against disarming the Hashd",
        created=dt.datetime(2019, 3, 12, 8, 0, tzinfo=dt.UTC),
    )
    read = read_file(path, file_id="brief.doc")
    [brief] = read.briefs
    assert read.format == "doc" and brief.format == "doc"
    assert brief.title == "Badr leader warns against disarming the Hashd"
    assert brief.date == dt.date(2019, 3, 12)
    assert kit.ARTICLE in brief.article and brief.comment == kit.COMMENT
    assert read.warnings == []


def test_8_bit_and_utf_16_pieces_read_in_order(tmp_path: Path) -> None:
    text = f"Kirkuk\rThe statement read: {ARABIC}\rComment: a warning to Erbil.\r"
    path = ole_kit.make_doc(tmp_path, text, unicode_from=text.index(ARABIC))
    [brief] = read_file(path, file_id="b.doc").briefs
    assert ARABIC in brief.article and brief.comment == "a warning to Erbil."


def test_fields_show_their_results_and_tables_their_rows(tmp_path: Path) -> None:
    text = (
        "Talks in Erbil\r"
        'Sources: \x13 HYPERLINK "https://www.rudaw.net/x" \x14Rudaw\x15 and '
        "\x13 QUOTE \x13 DATE \\@ yyyy \x142019\x15 \x14Al-Monitor\x15, page \x13 PAGE \x15.\r"
        "Actor\x07Role\x07\x07Badr\x07militia\x07\x07"
        "A\x1eB non\x1fbreaking, an anchor\x01 and a note\x02 gone.\r"
    )
    [brief] = read_file(ole_kit.make_doc(tmp_path, text), file_id="b.doc").briefs
    assert "Sources: Rudaw and Al-Monitor, page ." in brief.text
    assert "HYPERLINK" not in brief.text and "https" not in brief.text
    assert "Actor | Role\n\nBadr | militia" in brief.text
    assert "A-B nonbreaking, an anchor and a note gone." in brief.text


def test_an_old_word_digest_splits_like_its_text(tmp_path: Path) -> None:
    path = ole_kit.make_doc(tmp_path, word_text(kit.ROUNDUP_DATED), name="roundup.doc")
    doc = read_file(path, file_id="r").briefs
    (tmp_path / "roundup.txt").write_text(kit.ROUNDUP_DATED, "utf-8")
    txt = read_file(tmp_path / "roundup.txt", file_id="r").briefs
    assert len(doc) == len(txt) == 3
    assert [(b.title, b.date, b.source, b.comment) for b in doc] == [
        (b.title, b.date, b.source, b.comment) for b in txt
    ]


@pytest.mark.parametrize(
    ("streams", "reason"),
    [
        (ole_kit.word_document("Text\r", version=0x0068), "Word 6 or Word 95 file"),
        (ole_kit.word_document("Text\r", encrypted=True), "encrypted Word file"),
        ({"Workbook": b"x" * 600}, "not a Word document"),
        ({"WordDocument": b"\xec\xa5" + b"\0" * 40}, "damaged Word file"),
    ],
    ids=["word-95", "encrypted", "a-spreadsheet", "cut-header"],
)
def test_what_cannot_be_read_is_refused_with_a_reason(
    tmp_path: Path, streams: dict[str, bytes], reason: str
) -> None:
    path = tmp_path / "bad.doc"
    path.write_bytes(ole_kit.compound_file(streams))  # type: ignore[arg-type]
    with pytest.raises(BriefError) as caught:
        read_file(path, file_id="bad.doc")
    assert reason in caught.value.reason


def test_a_text_file_named_doc_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.doc"
    path.write_text("Just text.\n", "utf-8")
    with pytest.raises(BriefError, match="not an old Word file"):
        read_file(path, file_id="notes.doc")


def test_damaged_files_are_refused_or_read_never_crashed(tmp_path: Path) -> None:
    whole = ole_kit.compound_file(
        ole_kit.word_document(word_text(kit.ROUNDUP_DATED) * 3, unicode_from=40)
    )
    rng = random.Random(11)
    path = tmp_path / "hurt.doc"
    for _ in range(150):
        data = bytearray(whole)
        for _ in range(rng.randint(1, 10)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        path.write_bytes(bytes(data))
        try:
            read = read_file(path, file_id="hurt.doc")
        except BriefError as exc:
            assert exc.reason
        else:
            assert read.briefs


def test_old_word_files_in_the_library(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    ole_kit.make_doc(corpus, word_text(kit.SINGLE), name="2009 brief.doc")
    lib = Library([corpus], tmp_path / "data", Glossary.load([]))
    try:
        report = lib.update(bulk=False)
        assert report.formats == {"doc": 1} and report.added == 1
        [hit] = lib.search("disarmed", limit=5).hits
        assert hit.id == "2009 brief.doc"
    finally:
        lib.close()
