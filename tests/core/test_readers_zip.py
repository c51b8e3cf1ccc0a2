"""Zip archives: each document inside read by its format's reader, named by its path in the
archive; what is no document counted in a warning, zips in zips, mailboxes and encrypted
members named; a zip bomb refused unopened; a zipped attachment's documents are the message's
children."""

from __future__ import annotations

import zipfile
from pathlib import Path

import formats_kit as kit
import pytest

from briefreader.core.brief import BriefError
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library
from briefreader.core.readers import read_file, zipped


def make_zip(tmp_path: Path, name: str = "briefs.zip") -> Path:
    docx = kit.make_docx(tmp_path, "notes.docx", title="Scanned memo").read_bytes()
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("March/roundup.txt", kit.ROUNDUP_DATED)
        zf.writestr("March/", b"")
        zf.writestr("notes.docx", docx)
        zf.writestr("page.html", kit.news_page(title="Badr warns"))
        zf.writestr("logo.png", b"\x89PNG\r\n\x1a\n")
        zf.writestr("style.css", b"p { margin: 0 }")
        zf.writestr("__MACOSX/._notes.docx", b"\0\x05\x16\x07")
        zf.writestr(".DS_Store", b"Bud1")
        zf.writestr("inner.zip", b"PK\x05\x06" + b"\0" * 18)
        zf.writestr("locked.txt", b"ciphertext")
    _encrypted(path, "locked.txt")
    return path


def _encrypted(path: Path, member: str) -> None:
    """Mark ``member`` encrypted (bit 0 of its flags, in its local and central headers), as a
    password-protected archive has it: Python's zipfile writes no encrypted member."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        local = zf.getinfo(member).header_offset
    data[local + 6] |= 0x1
    name = member.encode()
    central = data.find(b"PK\x01\x02")
    while central != -1:
        size = int.from_bytes(data[central + 28 : central + 30], "little")
        if data[central + 46 : central + 46 + size] == name:
            data[central + 8] |= 0x1
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))


def test_every_document_in_an_archive_is_read(tmp_path: Path) -> None:
    read = read_file(make_zip(tmp_path), file_id="briefs.zip")
    assert read.format == "zip"
    ids = [b.id for b in read.briefs]
    assert ids == [
        "briefs.zip#March_roundup.txt/1",
        "briefs.zip#March_roundup.txt/2",
        "briefs.zip#March_roundup.txt/3",
        "briefs.zip#notes.docx",
        "briefs.zip#page.html",
    ]
    by_id = {b.id: b for b in read.briefs}
    assert by_id["briefs.zip#March_roundup.txt/3"].comment == (
        "Ankara keeps up the pressure before the local elections."
    )
    assert by_id["briefs.zip#notes.docx"].title == "Scanned memo"
    assert by_id["briefs.zip#page.html"].article == kit.ARTICLE
    assert all(b.file_id == "briefs.zip" and b.parent is None for b in read.briefs)
    said = "\n".join(read.warnings)
    assert "inner.zip: a zip inside the archive" in said
    assert "locked.txt: encrypted in the archive" in said
    assert "no document, not read: 1 .css" in said
    assert "MACOSX" not in said and "DS_Store" not in said and "logo" not in said


def test_a_zip_bomb_and_an_archive_of_nothing_are_refused(tmp_path: Path) -> None:
    bomb = kit.make_zip_bomb_docx(tmp_path, name="bomb.zip")
    with pytest.raises(BriefError) as caught:
        read_file(bomb, file_id="bomb.zip")
    assert caught.value.reason == zipped.TOO_LARGE
    pictures = tmp_path / "pictures.zip"
    with zipfile.ZipFile(pictures, "w") as zf:
        zf.writestr("a.png", b"\x89PNG")
    with pytest.raises(BriefError, match="no document in the archive"):
        read_file(pictures, file_id="pictures.zip")
    (tmp_path / "fake.zip").write_text("not a zip", "utf-8")
    with pytest.raises(BriefError, match="damaged zip archive"):
        read_file(tmp_path / "fake.zip", file_id="fake.zip")


def test_a_zipped_attachment_gives_the_messages_children(tmp_path: Path) -> None:
    data = make_zip(tmp_path).read_bytes()
    path = kit.make_eml(tmp_path, attachments=[("march.zip", data, "application/zip")])
    read = read_file(path, file_id="m.eml")
    children = [b for b in read.briefs if b.id != "m.eml"]
    assert [b.id for b in children][:2] == [
        "m.eml#march.zip/March_roundup.txt/1",
        "m.eml#march.zip/March_roundup.txt/2",
    ]
    assert len(children) == 5 and all(b.parent == "m.eml" for b in children)


def test_archives_in_the_library(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_zip(tmp_path).rename(corpus / "briefs.zip")
    lib = Library([corpus], tmp_path / "data", Glossary.load([]))
    try:
        report = lib.update(bulk=False)
        assert report.formats == {"zip": 1} and report.added == 5
        hits = lib.search("Qandil", limit=5).hits
        assert [h.id for h in hits] == ["briefs.zip#March_roundup.txt/3"]
    finally:
        lib.close()


def test_files_nested_in_files_stop_at_a_bound(tmp_path: Path) -> None:
    """A zip holding a message whose attachment is a zip holding a message...: such a chain
    is read to a bound, then a warning, never a stack overflow."""
    import io

    data = kit.message(subject="Level 0").as_bytes()
    for level in range(1, 40):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(f"level{level}.eml", data)
        data = kit.message(
            subject=f"Level {level}",
            attachments=[("inner.zip", buffer.getvalue(), "application/zip")],
        ).as_bytes()
    path = tmp_path / "deep.eml"
    path.write_bytes(data)
    read = read_file(path, file_id="deep.eml")
    assert 5 <= len(read.briefs) <= 13
    assert any("nested over 12 deep" in w for w in read.warnings)
