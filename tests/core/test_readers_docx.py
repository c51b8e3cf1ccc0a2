"""Tests for the Word reader: files written by python-docx, and zip bombs posing as .docx."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import formats_kit as kit
import pytest

from briefreader.core.brief import BriefError
from briefreader.core.readers import read_file
from briefreader.core.readers.word import BOMB


def test_a_word_brief(tmp_path: Path) -> None:
    path = kit.make_docx(tmp_path, created=(2019, 3, 12))
    [brief] = read_file(path, file_id="brief.docx").briefs
    assert brief.format == "docx"
    assert brief.title == "Badr leader warns against disarming the Hashd"
    assert brief.text.startswith("# Badr leader")  # the Heading 1 style, as a heading line
    assert brief.article == kit.ARTICLE
    assert brief.comment == kit.COMMENT
    assert brief.date == dt.date(2019, 3, 12)


def test_core_properties_give_the_title_when_the_text_names_none(tmp_path: Path) -> None:
    path = kit.make_docx(tmp_path, title=None, core_title="Amiri on the Hashd")
    [brief] = read_file(path, file_id="b.docx").briefs
    assert brief.title == "Amiri on the Hashd"
    assert brief.date is None  # python-docx's template date is not the brief's


def test_tables_and_a_bold_comment(tmp_path: Path) -> None:
    path = kit.make_docx(
        tmp_path,
        blocks=[("p", kit.ARTICLE), ("bold", "Comment"), ("p", kit.COMMENT)],
        table=[["Actor", "Role"], ["Amiri", "Badr leader"]],
    )
    [brief] = read_file(path, file_id="b.docx").briefs
    assert brief.comment is not None
    assert brief.comment.startswith(kit.COMMENT)
    assert "Actor | Role\nAmiri | Badr leader" in brief.text


def test_a_news_archive_export_becomes_items(tmp_path: Path) -> None:
    blocks: list[tuple[str, str]] = []
    for n, source in enumerate(["Rudaw", "Al-Monitor", "Kurdistan 24"], start=1):
        blocks += [
            ("h2", f"Headline number {n} about Iraq"),
            ("p", f"{source}, {10 + n} March 2019"),
            ("p", f"Story {n}. " + kit.ARTICLE),
        ]
    path = kit.make_docx(tmp_path, title="Export", blocks=blocks)
    briefs = read_file(path, file_id="export.docx").briefs
    assert [b.title for b in briefs] == [f"Headline number {n} about Iraq" for n in (1, 2, 3)]
    assert [b.date for b in briefs] == [dt.date(2019, 3, 10 + n) for n in (1, 2, 3)]
    assert [b.source for b in briefs] == ["Rudaw", "Al-Monitor", "Kurdistan 24"]
    assert all(b.article.startswith("Story") for b in briefs)


def test_a_zip_bomb_is_refused_unopened(tmp_path: Path) -> None:
    path = kit.make_zip_bomb_docx(tmp_path)
    assert path.stat().st_size < 2 << 20
    with pytest.raises(BriefError) as caught:
        read_file(path, file_id="bomb.docx")
    assert caught.value.reason == BOMB


def test_many_entries_too_large_together(tmp_path: Path) -> None:
    path = tmp_path / "wide.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", "<w:document/>")
        for i in range(100):
            zf.writestr(f"word/media/{i}.bin", b"\0" * (3 << 20))
    with pytest.raises(BriefError) as caught:
        read_file(path, file_id="wide.docx")
    assert caught.value.reason == BOMB


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"PK\x03\x04 not really a zip", "damaged Word file"),
        (b"plain text pretending", "damaged Word file"),
    ],
)
def test_damaged_word_files(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "bad.docx"
    path.write_bytes(data)
    with pytest.raises(BriefError) as caught:
        read_file(path, file_id="bad.docx")
    assert caught.value.reason.startswith(reason)


def test_a_zip_that_is_no_word_file(tmp_path: Path) -> None:
    path = tmp_path / "other.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(BriefError) as caught:
        read_file(path, file_id="other.docx")
    assert "not a Word document" in caught.value.reason


def test_a_word_file_with_broken_xml(tmp_path: Path) -> None:
    good = kit.make_docx(tmp_path)
    path = tmp_path / "broken.docx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for entry in src.infolist():
            data = src.read(entry)
            if entry.filename == "word/document.xml":
                data = data[: len(data) // 2]
            dst.writestr(entry, data)
    with pytest.raises(BriefError) as caught:
        read_file(path, file_id="broken.docx")
    assert caught.value.reason.startswith("damaged Word file")
