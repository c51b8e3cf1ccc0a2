"""Files compressed with gzip: the file inside read by its format's reader, a mailbox as a
stream; a mailing list's archive (an mbox as .txt, compressed or not) read as the mailbox it
is; damage, bombs and tar archives reported."""

from __future__ import annotations

import gzip
from pathlib import Path

import formats_kit as kit
import pytest

from briefreader.core.brief import BriefError
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library
from briefreader.core.readers import gzipped, read_file

SUBJECTS = [
    "Amiri warns against disarming the Hashd",
    "Sadr calls for a technocrat government",
    "Turkish jets strike PKK positions in Qandil",
]


def _mbox(tmp_path: Path) -> Path:
    messages = [
        kit.message(subject=s, date=f"Tue, 1{n} Mar 2019 09:30:00 +0300")
        for n, s in enumerate(SUBJECTS)
    ]
    return kit.make_mbox(tmp_path, messages, name="list.mbox")


def _archive_text() -> bytes:
    """A month of a mailing list as its archive publishes it (Mailman's pipermail): an mbox
    whose addresses are written "at", the sender's name in a comment."""
    parts = []
    for n, subject in enumerate(SUBJECTS):
        parts.append(
            f"From analyst at example.org  Tue Mar 1{n} 09:30:00 2019\n"
            "From: analyst at example.org (Iraq Watch)\n"
            f"Date: Tue, 1{n} Mar 2019 09:30:00 +0300\n"
            f"Subject: {subject}\n"
            f"Message-ID: <item{n}@example.org>\n\n"
            f"{kit.ARTICLE}\n\nComment: {kit.COMMENT}\n\n"
        )
    return "".join(parts).encode()


def test_a_compressed_mailbox_reads_as_the_mailbox(tmp_path: Path) -> None:
    plain = _mbox(tmp_path)
    packed = tmp_path / "list.mbox.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    told: list[tuple[int, int]] = []
    got = read_file(packed, file_id="list.mbox.gz", progress=lambda d, t: told.append((d, t)))
    want = read_file(plain, file_id="list.mbox.gz")
    assert got.format == "gzip"
    assert [(b.id, b.title, b.date, b.article, b.comment) for b in got.briefs] == [
        (b.id, b.title, b.date, b.article, b.comment) for b in want.briefs
    ]
    assert [b.title for b in got.briefs] == SUBJECTS
    # Progress in compressed bytes, of the compressed file's size.
    size = packed.stat().st_size
    assert told and all(t == size and 0 <= d <= size for d, t in told)


def test_a_mailing_list_archive_reads_as_a_mailbox(tmp_path: Path) -> None:
    text = tmp_path / "2019-March.txt"
    text.write_bytes(_archive_text())
    packed = tmp_path / "2019-April.txt.gz"
    packed.write_bytes(gzip.compress(_archive_text()))
    for path in (text, packed):
        briefs = read_file(path, file_id=path.name).briefs
        assert [b.title for b in briefs] == SUBJECTS
        assert [b.id for b in briefs] == [f"{path.name}#{n}" for n in (1, 2, 3)]
        assert {b.source for b in briefs} == {"Iraq Watch"}
        assert {b.comment for b in briefs} == {kit.COMMENT}


def test_a_text_that_opens_with_from_stays_a_text(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text(f"From the desk of the analyst\n\n{kit.ARTICLE}\n\nComment: {kit.COMMENT}\n")
    (brief,) = read_file(path, file_id="note.txt").briefs
    assert brief.format == "text"
    assert brief.comment == kit.COMMENT


def test_a_compressed_page_and_a_nameless_file_are_read(tmp_path: Path) -> None:
    page = tmp_path / "page.html.gz"
    page.write_bytes(gzip.compress(kit.news_page(title="Badr warns").encode()))
    (brief,) = read_file(page, file_id="page.html.gz").briefs
    assert (brief.id, brief.title, brief.format) == ("page.html.gz", "Badr warns", "html")
    digest = tmp_path / "roundup.txt.gz"
    digest.write_bytes(gzip.compress(kit.ROUNDUP_DATED.encode()))
    items = read_file(digest, file_id="roundup.txt.gz").briefs
    assert len(items) > 1 and [b.id for b in items][:2] == ["roundup.txt.gz#1", "roundup.txt.gz#2"]
    nameless = tmp_path / "export.gz"
    nameless.write_bytes(gzip.compress(_mbox(tmp_path).read_bytes()))
    assert [b.title for b in read_file(nameless, file_id="export.gz").briefs] == SUBJECTS


def test_a_truncated_mailbox_gives_what_came_before(tmp_path: Path) -> None:
    data = gzip.compress(_mbox(tmp_path).read_bytes() * 40)
    path = tmp_path / "cut.mbox.gz"
    path.write_bytes(data[: len(data) // 2])
    got = read_file(path, file_id="cut.mbox.gz")
    assert 0 < len(got.briefs) < 120
    assert any(w.startswith("damaged compressed file (it ends early)") for w in got.warnings)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("page.html.gz", gzip.compress(b"<html><body><p>text</p>")[:20], "damaged compressed file"),
        ("notes.gz", b"plain text, not gzip", "damaged compressed file"),
        ("briefs.tar.gz", gzip.compress(b"\0" * 1024), "a tar archive, not read"),
        ("logo.png.gz", gzip.compress(b"\x89PNG\r\n\x1a\n"), "holds no document"),
        ("blob.gz", gzip.compress(b"\0\1\2" * 100), "holds no document"),
    ],
)
def test_what_cannot_be_read_says_why(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(BriefError) as caught:
        read_file(path, file_id=name)
    assert reason in caught.value.reason


def test_a_bomb_is_refused_or_cut(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gzipped, "MAX_UNPACKED", 1 << 20)
    page = tmp_path / "bomb.html.gz"
    page.write_bytes(gzip.compress(b"<html><body><p>" + b" " * (4 << 20), 9))
    with pytest.raises(BriefError) as caught:
        read_file(page, file_id="bomb.html.gz")
    assert caught.value.reason == gzipped.TOO_LARGE
    # A mailbox whose last message runs on in megabytes of blank lines: read up to the bomb,
    # said so.
    monkeypatch.setattr(gzipped, "RATIO_FROM", 1 << 20)
    box = tmp_path / "bomb.mbox.gz"
    box.write_bytes(gzip.compress(_mbox(tmp_path).read_bytes() + b"\n" * (8 << 20), 9))
    got = read_file(box, file_id="bomb.mbox.gz")
    assert [b.title for b in got.briefs] == SUBJECTS
    assert gzipped.BOMB.format(ratio=gzipped.MAX_RATIO) in got.warnings


def test_a_compressed_attachment_is_read(tmp_path: Path) -> None:
    page = gzip.compress(kit.news_page(title="Badr warns").encode())
    path = kit.make_eml(tmp_path, attachments=[("page.html.gz", page, "application/gzip")])
    briefs = read_file(path, file_id="message.eml").briefs
    assert [b.id for b in briefs] == ["message.eml", "message.eml#page.html.gz"]
    assert briefs[1].title == "Badr warns" and briefs[1].parent == "message.eml"


def test_an_update_reads_compressed_files(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "list.mbox.gz").write_bytes(gzip.compress(_mbox(tmp_path).read_bytes()))
    (corpus / "2019-March.txt").write_bytes(_archive_text())
    lib = Library([corpus], tmp_path / "data", Glossary())
    try:
        report = lib.update()
        assert (report.added, report.problems) == (6, [])
        assert report.formats == {"gz": 1, "mbox": 1}
        assert lib.update().unchanged == 6
    finally:
        lib.close()


def test_a_compressed_mailbox_attached_to_a_message_is_named(tmp_path: Path) -> None:
    packed = gzip.compress(_mbox(tmp_path).read_bytes())
    path = kit.make_eml(tmp_path, attachments=[("list.mbox.gz", packed, "application/gzip")])
    read = read_file(path, file_id="message.eml")
    assert [b.id for b in read.briefs] == ["message.eml"]
    assert read.warnings == [
        "attachment 'list.mbox.gz': a compressed mailbox, not read: save it into the folder"
    ]
