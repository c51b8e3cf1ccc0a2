"""OpenDocument text (.odt): paragraphs, headings, lists, tables and text boxes read as the Word
reader reads them; notes and comments left out; metadata for title and date; digests split as
in any format; hostile packages refused. Files are written from the ODF specification
(formats_kit.make_odt); real ones LibreOffice made were checked by hand against their .docx
twins (RESULTS.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import formats_kit as kit
import pytest

from briefreader.core.brief import BriefError
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library
from briefreader.core.readers import odt, read_file


def test_an_opendocument_brief(tmp_path: Path) -> None:
    body = (
        '<text:h text:outline-level="1">Badr leader warns against disarming the Hashd</text:h>'
        f"<text:p>{kit.ARTICLE}</text:p>"
        '<text:p>Comment: <text:span text:style-name="T1">Amiri\'s warning</text:span> comes'
        '<text:s/>as US pressure on <text:a xlink:href="https://x" '
        'xmlns:xlink="http://www.w3.org/1999/xlink">Baghdad</text:a> mounts.</text:p>'
    )
    path = kit.make_odt(tmp_path, body, title="Meta title", created="2019-03-12T10:00:00")
    read = read_file(path, file_id="b.odt")
    [brief] = read.briefs
    assert read.format == "odt" and brief.format == "odt"
    assert brief.title == "Badr leader warns against disarming the Hashd"
    assert brief.date == dt.date(2019, 3, 12)
    assert brief.article == kit.ARTICLE and brief.comment == kit.COMMENT


def test_lists_tables_boxes_and_what_is_left_out(tmp_path: Path) -> None:
    body = (
        "<text:p>Talks in Erbil<text:note><text:note-body><text:p>A footnote."
        "</text:p></text:note-body></text:note><office:annotation><text:p>A reviewer's aside."
        "</text:p></office:annotation> went on.</text:p>"
        "<text:list><text:list-item><text:p>Badr</text:p></text:list-item>"
        "<text:list-item><text:p>Asaib</text:p></text:list-item></text:list>"
        "<table:table><table:table-header-rows><table:table-row><table:table-cell><text:p>Actor"
        "</text:p></table:table-cell><table:table-cell><text:p>Role</text:p></table:table-cell>"
        "</table:table-row></table:table-header-rows><table:table-row><table:table-cell>"
        "<text:p>Badr</text:p></table:table-cell><table:table-cell><text:p>militia</text:p>"
        "</table:table-cell></table:table-row></table:table>"
        "<table:table><table:table-row><table:table-cell><text:p>Boxed headline</text:p>"
        "<text:p>Boxed text.</text:p></table:table-cell></table:table-row></table:table>"
        "<text:p>Before <draw:frame><draw:text-box><text:p>Inside the box.</text:p>"
        "</draw:text-box></draw:frame>after, page <text:page-number>3</text:page-number>.</text:p>"
    )
    [brief] = read_file(kit.make_odt(tmp_path, body), file_id="b.odt").briefs
    text = brief.text
    assert "Talks in Erbil went on." in text
    assert "footnote" not in text and "reviewer" not in text
    assert "- Badr\n\n- Asaib" in text
    assert "Actor | Role\nBadr | militia" in text
    assert "Boxed headline\n\nBoxed text." in text  # a one-column table is layout
    assert "Inside the box." in text and "page ." in text


def test_an_opendocument_digest_splits_like_its_text(tmp_path: Path) -> None:
    path = kit.make_odt(tmp_path, kit.odt_paragraphs(kit.ROUNDUP_DATED), name="r.odt")
    (tmp_path / "r.txt").write_text(kit.ROUNDUP_DATED, "utf-8")
    got = read_file(path, file_id="r").briefs
    want = read_file(tmp_path / "r.txt", file_id="r").briefs
    assert len(got) == len(want) == 3
    assert [(b.title, b.date, b.source, b.comment) for b in got] == [
        (b.title, b.date, b.source, b.comment) for b in want
    ]


def test_hostile_and_wrong_packages_are_refused(tmp_path: Path) -> None:
    bomb = kit.make_zip_bomb_docx(tmp_path, name="bomb.odt")
    with pytest.raises(BriefError) as caught:
        read_file(bomb, file_id="bomb.odt")
    assert caught.value.reason == odt.BOMB
    sheet = kit.make_odt(tmp_path, "<table:table/>", name="sheet.odt", kind="spreadsheet")
    with pytest.raises(BriefError, match="a spreadsheet or a presentation"):
        read_file(sheet, file_id="sheet.odt")
    (tmp_path / "text.odt").write_text("not a zip", "utf-8")
    with pytest.raises(BriefError, match="damaged OpenDocument file"):
        read_file(tmp_path / "text.odt", file_id="text.odt")
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )
    path = kit.make_odt(tmp_path, "<text:p>&c;</text:p>", name="laughs.odt")
    import zipfile

    with zipfile.ZipFile(path) as zf:
        content = (
            zf.read("content.xml")
            .decode()
            .replace('<?xml version="1.0" encoding="UTF-8"?>', laughs)
        )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("content.xml", content)
    with pytest.raises(BriefError):  # entities are never expanded: no text, or refused
        read_file(path, file_id="laughs.odt")


def test_opendocument_files_in_the_library(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    kit.make_odt(corpus, kit.odt_paragraphs(kit.SINGLE), name="brief.odt")
    lib = Library([corpus], tmp_path / "data", Glossary.load([]))
    try:
        report = lib.update(bulk=False)
        assert report.formats == {"odt": 1} and report.added == 1
        assert [h.id for h in lib.search("disarmed", limit=5).hits] == ["brief.odt"]
    finally:
        lib.close()
