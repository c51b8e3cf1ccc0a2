"""The corpus walk stays inside its folder and says what it passes over: links leading out
are not followed (unless allowed), a file reached twice is read once, pipes and unreadable
folders are reported, never opened or skipped in silence."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from briefreader.core.glossary import Glossary
from briefreader.core.library import Library
from briefreader.core.parse import BRIEF_SUFFIXES
from briefreader.core.walk import OUTSIDE_LINK, walk_corpus

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks here")

BRIEF = "Title: {t}\n\nThe PMF moved north.\n\nComment: Expected.\n"


def _write(path: Path, title: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(BRIEF.format(t=title), "utf-8")
    return path


def _walk(root: Path, **kw: bool) -> tuple[list[str], dict[str, str]]:
    skipped: dict[str, str] = {}
    found = walk_corpus(
        root, BRIEF_SUFFIXES, skipped=lambda p, r: skipped.__setitem__(str(p), r), **kw
    )
    return [p.relative_to(root).as_posix() for p in found], skipped


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    corpus, outside = tmp_path / "corpus", tmp_path / "home"
    _write(corpus / "own.md", "own")
    _write(outside / "secret.md", "secret")
    _write(outside / "folder" / "more.md", "more")
    (corpus / "link-to-secret.md").symlink_to(outside / "secret.md")
    (corpus / "again-secret.md").symlink_to(outside / "secret.md")
    (corpus / "outside-folder").symlink_to(outside / "folder", target_is_directory=True)
    return corpus, outside


def test_links_out_of_the_folder_are_reported_not_followed(layout: tuple[Path, Path]) -> None:
    corpus, _outside = layout
    found, skipped = _walk(corpus)
    assert found == ["own.md"]
    for name in ("link-to-secret.md", "again-secret.md", "outside-folder"):
        assert skipped[str(corpus / name)] == OUTSIDE_LINK


def test_allowed_outside_links_still_read_a_file_once(layout: tuple[Path, Path]) -> None:
    corpus, _outside = layout
    found, skipped = _walk(corpus, outside_links=True)
    assert found == ["again-secret.md", "outside-folder/more.md", "own.md"]
    twice = "the same file as again-secret.md: read once"
    assert skipped == {str(corpus / "link-to-secret.md"): twice}


def test_a_link_inside_the_folder_is_read_once_by_its_own_path(tmp_path: Path) -> None:
    _write(tmp_path / "b" / "real.md")
    (tmp_path / "a-link.md").symlink_to(tmp_path / "b" / "real.md")
    (tmp_path / "c").symlink_to(tmp_path / "b", target_is_directory=True)
    found, skipped = _walk(tmp_path)
    assert found == ["b/real.md"]
    assert skipped == {
        str(tmp_path / "a-link.md"): "the same file as b/real.md: read once",
        str(tmp_path / "c"): "the same folder as b: read once",
    }


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_is_reported_and_never_opened(tmp_path: Path) -> None:
    _write(tmp_path / "ok.md")
    os.mkfifo(tmp_path / "pipe.md")  # opening it would block the walk for ever
    os.mkfifo(tmp_path / "other-pipe")
    found, skipped = _walk(tmp_path)
    assert found == ["ok.md"]
    assert skipped[str(tmp_path / "pipe.md")].startswith("a named pipe")
    assert skipped[str(tmp_path / "other-pipe")].startswith("a named pipe")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any folder")
def test_an_unreadable_folder_is_reported(tmp_path: Path) -> None:
    _write(tmp_path / "locked" / "x.md")
    (tmp_path / "locked").chmod(0)
    try:
        found, skipped = _walk(tmp_path)
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert found == []
    assert "cannot list this folder" in skipped[str(tmp_path / "locked")]


def test_an_unreadable_folder_is_reported_whoever_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same with the listing refused by the system (root may list any folder)."""
    _write(tmp_path / "ok.md")
    _write(tmp_path / "locked" / "x.md")
    real_scandir = os.scandir

    def scandir(path: object) -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    found, skipped = _walk(tmp_path)
    assert found == ["ok.md"]
    assert skipped == {str(tmp_path / "locked"): "cannot list this folder (Permission denied):"
                       " its briefs are not read"}  # fmt: skip


def test_the_library_reports_and_does_not_index_what_lies_outside(
    layout: tuple[Path, Path], tmp_path: Path
) -> None:
    corpus, _outside = layout
    data = tmp_path / "data"
    lib = Library([corpus], data, Glossary.load([]))
    report = lib.update(bulk=False)
    lib_ids = {h.id for h in lib.search("PMF", limit=50).hits}
    assert lib_ids == {"own.md"}
    reasons = {Path(p.path).name: p.reason for p in report.problems}
    assert reasons["link-to-secret.md"] == OUTSIDE_LINK
    lib.close()
    # Allowed in the preferences: followed, and the file linked twice is indexed once.
    (data / "preferences.json").write_text(json.dumps({"follow_outside_links": True}))
    lib = Library([corpus], data, Glossary.load([]))
    lib.update(bulk=False)
    titles = sorted(h.title for h in lib.search("PMF", limit=50).hits)
    assert titles == ["more", "own", "secret"]
    lib.close()
