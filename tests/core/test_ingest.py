"""A file of several briefs in the library: each item is a brief of its own (searched,
opened, counted), they share their file's fate (a change replaces them all, a removal
removes them all), and every file of a corpus folder is a brief or a line in the report."""

from __future__ import annotations

from pathlib import Path

import formats_kit as kit
import pytest

from briefreader.core.glossary import Glossary
from briefreader.core.library import Library


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "2019-03-12_roundup.txt").write_text(kit.ROUNDUP_DATED, "utf-8")
    (root / "single.txt").write_text(kit.SINGLE, "utf-8")
    return root


@pytest.fixture
def lib(corpus: Path, tmp_path: Path) -> Library:
    library = Library([corpus], tmp_path / "data", Glossary.load([]))
    yield library
    library.close()


def test_each_item_of_a_digest_is_a_brief_of_its_own(lib: Library) -> None:
    report = lib.update(bulk=False)
    assert report.added == 4 and report.indexed == 4
    assert report.formats == {"txt": 2}
    hits = lib.search("Qandil", limit=10).hits
    assert [h.id for h in hits] == ["2019-03-12_roundup.txt#3"]
    assert hits[0].title == "Turkish jets strike PKK positions in Qandil"
    brief = lib.brief("2019-03-12_roundup.txt#3")
    assert (brief.file_id, brief.item) == ("2019-03-12_roundup.txt", 3)
    assert brief.comment == "Ankara keeps up the pressure before the local elections."
    assert "Sadr" not in brief.text  # the item only, not the whole digest
    sadr = lib.brief("2019-03-12_roundup.txt#2")
    assert sadr.source == "Al-Monitor" and sadr.comment is None
    again = lib.update(bulk=False)
    assert (again.added, again.unchanged) == (0, 4)


def test_a_changed_digest_replaces_all_its_items_and_a_removed_one_takes_them(
    lib: Library, corpus: Path
) -> None:
    lib.update(bulk=False)
    digest = corpus / "2019-03-12_roundup.txt"
    digest.write_text(kit.ROUNDUP_DATED.replace("Qandil", "Sinjar"), "utf-8")
    report = lib.update(bulk=False)
    assert report.updated == 3
    assert lib.search("Qandil", limit=10).hits == []
    assert [h.id for h in lib.search("Sinjar", limit=10).hits] == ["2019-03-12_roundup.txt#3"]
    assert lib.search("technocrats", limit=10).total == 1  # not twice
    digest.unlink()
    report = lib.update(bulk=False)
    assert report.removed == 1
    assert lib.search("technocrats", limit=10).total == 0
    assert lib.search("disarmed", limit=10).total == 1  # single.txt


def test_every_other_file_is_a_line_in_the_report(lib: Library, corpus: Path) -> None:
    (corpus / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (corpus / "mail.msg").write_bytes(b"\xd0\xcf\x11\xe0")
    (corpus / "README").write_text("not a brief", "utf-8")
    (corpus / "page.html").write_text("<html></html>", "utf-8")
    (corpus / "page_files").mkdir()
    (corpus / "page_files" / "style.css").write_text("p{}", "utf-8")
    report = lib.update(bulk=False)
    reasons = {Path(p.path).name: p.reason for p in report.problems}
    assert "logo.png" in reasons and "page.html" in reasons  # an empty page: said why
    assert "Outlook message" in reasons["mail.msg"] and "README" in reasons
    assert "style.css" not in reasons  # part of the saved page, which is read once
