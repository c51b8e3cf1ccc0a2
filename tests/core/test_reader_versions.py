"""A release whose reader reads a format otherwise reads that format's files again at the next
update, though they have not changed; only those files, once, and not files of other formats.
An index made before reader versions were kept is read again once."""

from __future__ import annotations

from pathlib import Path

import formats_kit as kit
import pytest

from briefreader.core import briefdocs, formats
from briefreader.core.glossary import Glossary
from briefreader.core.index.manifest import MANIFEST_NAME, read_manifest, save_manifest
from briefreader.core.library import Library
from briefreader.core.report import UpdateReport


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "single.txt").write_text(kit.SINGLE, "utf-8")
    kit.make_html(root, "page.html")
    kit.make_docx(root, "digest.docx")
    kit.make_eml(
        root,
        "with-page.eml",
        attachments=[("page.html", kit.news_page().encode("utf-8"), "text/html")],
    )
    (root / "broken.docx").write_bytes(b"PK\x03\x04 not really a Word file")
    return root


@pytest.fixture
def lib(corpus: Path, tmp_path: Path) -> Library:
    library = Library([corpus], tmp_path / "data", Glossary.load([]))
    yield library
    library.close()


def bump(monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    versions = dict(formats.READER_VERSIONS)
    versions[fmt] += 1
    monkeypatch.setattr(formats, "READER_VERSIONS", versions)


def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files an update opens to read, in order."""
    opened: list[str] = []
    real = briefdocs.read_file_for_update

    def counting(path: Path) -> tuple[bytes | None, str]:
        opened.append(path.name)
        return real(path)

    monkeypatch.setattr(briefdocs, "read_file_for_update", counting)
    return opened


def test_a_new_reader_for_one_format_reads_its_files_again_once(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = lib.update(bulk=False)
    briefs = first.indexed
    badr = lib.search("Badr", limit=100).total
    assert first.reread == 0 and briefs >= 4
    assert [p.path for p in first.skipped] == [str(lib.corpora[0] / "broken.docx")]
    opened = reads(monkeypatch)
    assert lib.update(bulk=False).indexed == briefs and opened == []

    bump(monkeypatch, "html")
    report = lib.update(bulk=False)
    # The page, and the email whose attachment is a page: not the text or the Word files.
    assert sorted(opened) == ["page.html", "with-page.eml"]
    assert report.reread == 2 and report.formats == {"eml": 1, "html": 1}
    assert report.indexed == briefs and report.added == 0
    assert "2 unchanged files read again" in report.summary()
    assert lib.search("Badr", limit=100).total == badr > 0  # replaced, not added twice
    opened.clear()
    assert lib.update(bulk=False).reread == 0 and opened == []


def test_a_file_a_reader_refused_is_tried_again_by_a_new_one(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib.update(bulk=False)
    opened = reads(monkeypatch)
    again = lib.update(bulk=False)
    assert opened == [] and len(again.skipped) == 1  # remembered, said again, not re-read
    bump(monkeypatch, "docx")
    report = lib.update(bulk=False)
    assert sorted(opened) == ["broken.docx", "digest.docx", "with-page.eml"]
    assert [Path(p.path).name for p in report.skipped] == ["broken.docx"]
    opened.clear()
    lib.update(bulk=False)
    assert opened == []


def test_an_index_from_before_reader_versions_is_read_again_once(
    lib: Library, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    lib.update(bulk=False)
    path = lib.index.folder / MANIFEST_NAME
    old = read_manifest(path)
    for entry in old.values():
        entry.reader = ""
    save_manifest(path, old)
    assert all(len(row) <= 6 for row in _rows(path))  # no versions, as an older release wrote
    report = lib.update(bulk=False)
    assert report.reread == len(old) == 4
    assert lib.update(bulk=False).reread == 0


def _rows(path: Path) -> list[list]:
    import json

    return list(json.loads(path.read_text("utf-8")).values())


def test_a_bulk_build_records_each_files_reader_versions(lib: Library) -> None:
    lib.update(bulk=True)
    manifest = read_manifest(lib.index.folder / MANIFEST_NAME)
    assert len(manifest) == 4
    for key, entry in manifest.items():
        fmt = formats.format_of(Path(key))
        assert fmt is not None and entry.reader == formats.reader_stamp(fmt)


def test_an_emails_and_a_zips_stamp_follow_every_reader_and_others_only_their_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = {fmt: formats.reader_stamp(fmt) for fmt in formats.READER_VERSIONS}
    # An email, a zip archive and a gzip file hold files of every format: their stamps hold
    # every number.
    assert before["email"] == before["zip"] == before["gzip"]
    assert len(set(before.values())) == len(before) - 2
    bump(monkeypatch, "pdf")
    after = {fmt: formats.reader_stamp(fmt) for fmt in formats.READER_VERSIONS}
    assert {f for f in before if before[f] != after[f]} == {"pdf", "email", "zip", "gzip"}
    monkeypatch.setattr(formats, "SHARED_VERSION", formats.SHARED_VERSION + 1)
    shared = {fmt: formats.reader_stamp(fmt) for fmt in formats.READER_VERSIONS}
    assert all(shared[f] != after[f] for f in shared)


def test_the_report_carries_the_files_read_again_across_the_window_boundary() -> None:
    report = UpdateReport(updated=3, reread=2, formats={"pdf": 2})
    back = UpdateReport.from_json(report.to_json())
    assert back.reread == 2 and "2 unchanged files read again" in back.summary()
    assert "read again" not in UpdateReport(updated=3).summary()
