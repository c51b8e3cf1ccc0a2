"""Tests for briefreader.core.readers: the one interface, text files through it, the id scheme."""

from __future__ import annotations

import hashlib
from pathlib import Path

import formats_kit as kit
import pytest

from briefreader.core.brief import BriefError
from briefreader.core.parse import parse_file
from briefreader.core.readers import (
    NOT_READ,
    SUFFIXES,
    format_of,
    is_saved_page_folder,
    read_file,
)


def test_suffixes_and_not_read() -> None:
    for suffix in (".md", ".txt", ".html", ".htm", ".pdf", ".docx", ".eml", ".msg", ".mbox"):
        assert suffix in SUFFIXES
    assert not set(SUFFIXES) & set(NOT_READ)
    assert "mbox" in NOT_READ[".pst"]
    assert "docx" in NOT_READ[".pages"]
    assert format_of(Path("a/B.PDF")) == "pdf"
    assert format_of(Path("a/b.xyz")) is None


@pytest.mark.parametrize("name", ["old.wpd", "mail.pst", "thing.xyz"])
def test_a_format_not_read_says_why(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"data")
    with pytest.raises(BriefError) as caught:
        read_file(path, file_id=name)
    assert caught.value.reason == NOT_READ.get(path.suffix, ".xyz files are not read")


def test_a_text_brief_reads_as_the_text_parser_reads_it(seed_path: Path) -> None:
    result = read_file(seed_path, file_id="seed.txt")
    old = parse_file(seed_path, seed_path.parent)
    assert len(result.briefs) == 1
    brief = result.briefs[0]
    assert brief.id == "seed.txt" and brief.file_id == "" and brief.source_file_id == "seed.txt"
    assert (brief.title, brief.article, brief.comment) == (old.title, old.article, old.comment)
    assert brief.sha256 == old.sha256 == result.sha256
    assert brief.sha256 == hashlib.sha256(seed_path.read_bytes()).hexdigest()
    assert brief.format == "text" and brief.item is None and brief.page is None


def test_a_text_digest_becomes_items(tmp_path: Path) -> None:
    path = tmp_path / "2019-03-12_roundup.md"
    path.write_text(kit.ROUNDUP_DATED, encoding="utf-8")
    result = read_file(path, file_id="news/2019-03-12_roundup.md")
    assert [b.id for b in result.briefs] == [f"news/2019-03-12_roundup.md#{n}" for n in (1, 2, 3)]
    assert {b.file_id for b in result.briefs} == {"news/2019-03-12_roundup.md"}
    assert len({b.sha256 for b in result.briefs}) == 3
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_empty_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_bytes(b"")
    with pytest.raises(BriefError):
        read_file(path, file_id="empty.html")


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    for name in ("gone.pdf", "gone.md", "gone.docx", "gone.mbox", "gone.eml", "gone.html"):
        with pytest.raises(BriefError) as caught:
            read_file(tmp_path / name, file_id=name)
        assert "cannot" in caught.value.reason or "damaged" in caught.value.reason


def test_saved_page_folder(tmp_path: Path) -> None:
    kit.make_html(tmp_path, "Story.html")
    (tmp_path / "Story_files").mkdir()
    (tmp_path / "Other_files").mkdir()
    (tmp_path / "_files").mkdir()
    assert is_saved_page_folder(tmp_path / "Story_files")
    assert not is_saved_page_folder(tmp_path / "Other_files")
    assert not is_saved_page_folder(tmp_path / "_files")
