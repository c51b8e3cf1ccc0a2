"""Rows a hostile (or careless) writer pushed to the team archive, pulled into a folder: a
pulled brief is only ever a plain brief file under the folder, never over a file the pull did
not write, never read from the laptop; a bad row is said and left out, the rest arrive."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_archive import run_cli

from briefreader.core.archive.backend import ArchiveBackend
from briefreader.core.archive.pull import (
    MANIFEST,
    MAX_PART_BYTES,
    PullError,
    is_plain_name,
    name_for,
)
from briefreader.core.archive.push import push_rows, row_of
from briefreader.core.brief import BriefError
from briefreader.core.library import Library
from briefreader.core.parse import BRIEF_SUFFIXES, parse_bytes

#: Every brief pushed here holds this word, so one query pulls them all.
WORD = "zanzibarian"
_roles = itertools.count(1)

Push = Callable[[dict[str, str]], None]


def brief_text(label: str) -> str:
    return f"Title: {label}\nDate: 2021-03-04\n\nThe {WORD} report on {label}.\n"


@pytest.fixture
def writer(archive_url: str, pg_admin: object) -> Iterator[tuple[Push, psycopg.Connection]]:
    """Push rows {id: text} as a member of the archive's writer role would (any id it likes),
    and that role's connection, for what a writer may change by hand."""
    role = f"writer_{os.getpid()}_{next(_roles)}"
    pg_admin.execute(f"DROP ROLE IF EXISTS {role}")  # type: ignore[attr-defined]
    pg_admin.execute(f"CREATE ROLE {role} LOGIN IN ROLE briefreader_writer")  # type: ignore[attr-defined]
    conn = psycopg.connect(archive_url.replace("postgres@", f"{role}@", 1), autocommit=True)

    def push(rows: dict[str, str]) -> None:
        briefs = [
            parse_bytes(text.encode("utf-8"), brief_id=brief_id, path=Path("pushed.md"))
            for brief_id, text in rows.items()
        ]
        push_rows(conn, [row_of(b, [], {}) for b in briefs])

    try:
        yield push, conn
    finally:
        # Its staging table goes now: a backend still closing would keep the role in use.
        conn.execute("DISCARD TEMP")
        conn.close()
        pg_admin.execute(f"DROP ROLE IF EXISTS {role}")  # type: ignore[attr-defined]


@pytest.fixture
def archive(archive_url: str, tmp_path: Path) -> Iterator[ArchiveBackend]:
    """The archive of a library opened on it (the backend pulls)."""
    lib = Library.open_archive(archive_url, [], data_dir=tmp_path / "data")
    assert lib.archive is not None
    yield lib.archive
    lib.close()


def brief_files(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` but the pull's record: relative path -> text."""
    return {
        p.relative_to(folder).as_posix(): p.read_text("utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def test_a_git_config_id_leaves_the_repository_alone(
    writer: tuple[Push, psycopg.Connection], archive: ArchiveBackend, tmp_path: Path
) -> None:
    push, _conn = writer
    push({".git/config": "[core]\n\tfsmonitor = touch /tmp/owned\n\n" + brief_text("config")})
    into = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(into)], check=True)
    config = (into / ".git" / "config").read_bytes()
    report = archive.pull(WORD, into)
    assert (into / ".git" / "config").read_bytes() == config
    assert [f for f in brief_files(into) if not f.startswith(".git/")] == ["git/config.md"]
    assert "fsmonitor" in (into / "git" / "config.md").read_text("utf-8")
    assert [p.name for p in report.written] == ["config.md"]


def test_a_users_own_file_is_never_overwritten(
    writer: tuple[Push, psycopg.Connection], archive: ArchiveBackend, tmp_path: Path
) -> None:
    push, _conn = writer
    push({"mine.md": brief_text("from the archive")})
    into = tmp_path / "pulled"
    into.mkdir()
    (into / "mine.md").write_text("my own notes\n", "utf-8")
    report = archive.pull(WORD, into)
    assert (into / "mine.md").read_text("utf-8") == "my own notes\n"
    assert "from the archive" in (into / "mine (2).md").read_text("utf-8")
    assert [(p.path, p.reason) for p in report.renamed] == [
        ("mine.md", "mine.md is not a file this pull wrote, and is left as it is: "
         "written as mine (2).md")
    ]  # fmt: skip


def test_slash_and_backslash_ids_are_two_files(
    writer: tuple[Push, psycopg.Connection], archive: ArchiveBackend, tmp_path: Path
) -> None:
    push, _conn = writer
    push({"a/x.md": brief_text("slash"), "a\\x.md": brief_text("backslash")})
    into = tmp_path / "pulled"
    archive.pull(WORD, into)
    files = brief_files(into)
    assert sorted(files) == ["a/x (2).md", "a/x.md"]
    assert "slash" in files["a/x.md"] and "backslash" in files["a/x (2).md"]


def test_an_id_naming_a_local_file_gives_the_archive_text(
    writer: tuple[Push, psycopg.Connection],
    archive: ArchiveBackend,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    secret = home / "secret.md"
    secret.write_text("Title: local secret\n\nLOCAL SECRET\n", "utf-8")
    (home / ".ssh" / "x.md").write_text("Title: key\n\nLOCAL KEY\n", "utf-8")
    monkeypatch.setenv("HOME", str(home))
    push, _conn = writer
    push({str(secret): brief_text("absolute"), "~/.ssh/x.md": brief_text("home")})
    assert "absolute" in archive.brief(str(secret)).text
    assert "home" in archive.brief("~/.ssh/x.md").text
    into = tmp_path / "pulled"
    archive.pull(WORD, into)
    texts = "".join(brief_files(into).values())
    assert "LOCAL" not in texts and "absolute" in texts and "home" in texts
    assert secret.read_text("utf-8") == "Title: local secret\n\nLOCAL SECRET\n"
    with pytest.raises(BriefError, match="no such brief"):
        archive.brief(str(home / ".ssh" / "x.md"))  # on this laptop only


def test_hidden_and_special_names_become_plain_brief_files(
    writer: tuple[Push, psycopg.Connection], archive: ArchiveBackend, tmp_path: Path
) -> None:
    push, _conn = writer
    ids = ["notes/.hidden/x.md", "CON.md", "lpt1", "run.sh", "../../outside.md", "C:\\x.txt",
           "tab\there.md", "x" * 400 + ".md", "/".join(["deep"] * 30) + "/y.md"]  # fmt: skip
    push({brief_id: brief_text(f"row {n}") for n, brief_id in enumerate(ids)})
    into = tmp_path / "outer" / "pulled"
    report = archive.pull(WORD, into)
    assert not report.skipped and len(report.written) == len(ids)
    files = brief_files(into)
    assert len(files) == len(ids)
    assert not (tmp_path / "outer" / "outside.md").exists()
    for rel in files:
        assert is_plain_name(rel), rel
        assert all(len(part.encode("utf-8")) <= MAX_PART_BYTES + 16 for part in rel.split("/"))
    hidden = [p for p in into.rglob("*") if p.name.startswith(".") and p.name != MANIFEST]
    assert hidden == []


def test_a_linked_folder_or_a_file_in_the_way_is_not_written_through(
    writer: tuple[Push, psycopg.Connection], archive: ArchiveBackend, tmp_path: Path
) -> None:
    push, _conn = writer
    push({"out/x.md": brief_text("through a link"), "plain/y.md": brief_text("file in the way")})
    outside, into = tmp_path / "outside", tmp_path / "pulled"
    outside.mkdir()
    into.mkdir()
    (into / "out").symlink_to(outside, target_is_directory=True)
    (into / "plain").write_text("a file of mine\n", "utf-8")
    report = archive.pull(WORD, into)
    assert list(outside.iterdir()) == []
    assert (into / "plain").read_text("utf-8") == "a file of mine\n"
    assert "through a link" in (into / "x.md").read_text("utf-8")
    assert "file in the way" in (into / "y.md").read_text("utf-8")
    assert sorted(p.path for p in report.renamed) == ["out/x.md", "plain/y.md"]


def test_a_bad_row_is_reported_and_the_rest_arrive_and_are_indexed(
    writer: tuple[Push, psycopg.Connection], archive_url: str, tmp_path: Path
) -> None:
    push, conn = writer
    push({"good-1.md": brief_text("one"), "..": brief_text("dots"),
          "broken.md": brief_text("broken"), "good-2.md": brief_text("two")})  # fmt: skip
    conn.execute("UPDATE briefs SET metadata = '[1, 2]' WHERE id = 'broken.md'")
    data, into = tmp_path / "data", tmp_path / "pulled"
    out = run_cli(data, "archive", "pull", "--archive", archive_url, "--into", str(into), WORD,
                  "--json")  # fmt: skip
    assert out.returncode == 0, out.stderr
    pulled = json.loads(out.stdout)
    assert pulled["pulled"] == 2
    assert sorted(s["id"] for s in pulled["skipped"]) == ["..", "broken.md"]
    assert sorted(brief_files(into)) == ["good-1.md", "good-2.md"]
    local = run_cli(data, "search", WORD, "--json")
    assert sorted(h["id"] for h in json.loads(local.stdout)["hits"]) == ["good-1.md", "good-2.md"]
    said = run_cli(data, "archive", "pull", "--archive", archive_url, "--into", str(into), WORD)
    assert said.returncode == 0, said.stderr
    assert "0 briefs copied" in said.stdout and "(2 already there)" in said.stdout
    assert "skipped ..: its id makes no file name" in said.stdout
    assert "skipped broken.md: its row in the team archive is malformed" in said.stdout


def test_pulling_again_updates_its_own_files_and_no_one_elses(
    writer: tuple[Push, psycopg.Connection], archive: ArchiveBackend, tmp_path: Path
) -> None:
    push, _conn = writer
    push({"a/x.md": brief_text("first"), "a\\x.md": brief_text("twin"), "b.md": brief_text("b")})
    into = tmp_path / "pulled"
    first = archive.pull(WORD, into)
    files = brief_files(into)
    assert len(first.written) == 3 and len(files) == 3
    again = archive.pull(WORD, into)
    assert (again.written, again.unchanged, again.renamed) == ([], 3, [])
    assert brief_files(into) == files
    push({"a/x.md": brief_text("first, revised")})
    (into / "b.md").write_text("edited here\n", "utf-8")
    third = archive.pull(WORD, into)
    now = brief_files(into)
    assert "revised" in now["a/x.md"] and now["a/x (2).md"] == files["a/x (2).md"]
    assert now["b.md"] == "edited here\n" and now["b (2).md"] == files["b.md"]
    assert [p.path for p in third.renamed] == ["b.md"]
    fourth = archive.pull(WORD, into)
    assert (fourth.written, fourth.unchanged, fourth.renamed) == ([], 3, [])
    assert brief_files(into) == now


def test_a_pull_stopped_before_its_record_is_recognised(
    writer: tuple[Push, psycopg.Connection], archive: ArchiveBackend, tmp_path: Path
) -> None:
    push, _conn = writer
    push({"x.md": brief_text("x"), "y.md": brief_text("y")})
    into = tmp_path / "pulled"
    archive.pull(WORD, into)
    (into / MANIFEST).unlink()
    again = archive.pull(WORD, into)
    assert (again.written, again.unchanged, again.renamed) == ([], 2, [])
    assert sorted(brief_files(into)) == ["x.md", "y.md"]


PIECES = [*"./\\~ :*?<>|\"\x00\x1b\t\n", "..", "CON", "nul", "com1", "é", "x", "md", ".md", ".git",
          "\u202e"]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_any_id_makes_a_plain_name_or_a_clear_refusal(brief_id: str) -> None:
    try:
        rel = name_for(brief_id)
    except PullError as exc:
        assert exc.reason == "its id makes no file name"
        return
    assert not rel.is_absolute() and is_plain_name(str(rel))
    for part in rel.parts:
        assert not part.startswith((".", "~", " ")) and part not in ("..", ".")
        assert "\\" not in part and ":" not in part and part.isprintable()
        assert part.partition(".")[0].rstrip(" ").upper() not in ("CON", "NUL", "COM1")
    assert PurePosixPath(rel).suffix.lower() in BRIEF_SUFFIXES


def test_long_ids_stay_distinct() -> None:
    a, b = "x" * 300 + "a.md", "x" * 300 + "b.md"
    assert name_for(a) != name_for(b)
    assert all(len(p.encode("utf-8")) <= MAX_PART_BYTES for p in name_for(a).parts)
