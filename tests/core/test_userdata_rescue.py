"""Locked is not damaged: a busy notes database is left alone with a clear message, and a
database that was set aside (damaged or too new) is offered back: listed, read without being
written, and merged into the current one."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from briefreader.core import userdata, userdata_db
from briefreader.core.brief import Brief
from briefreader.core.parse import parse_text
from briefreader.core.userdata import UserData, UserDataBusyError
from briefreader.core.userdata_rescue import merge_set_aside, read_set_aside, set_aside_databases

REPO = Path(__file__).resolve().parents[2]


def brief(name: str, text: str) -> Brief:
    return parse_text(text, brief_id=name, path=Path(name), sha256=f"sha-{name}")


A = brief("a.md", "Title: One\n\nThe PMF moved north.\n\nComment: Expected.\n")
B = brief("b.md", "Title: Two\n\nDrones over the airport.\n\nComment: Revenge.\n")


@pytest.fixture
def quick_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Busy writers give up after a fraction of a second instead of ten seconds."""
    monkeypatch.setattr(userdata_db, "BUSY_TIMEOUT_S", 0.2)


def test_a_locked_database_is_left_alone_and_said_to_be_busy(
    tmp_path: Path, quick_busy: None
) -> None:
    with UserData.open(tmp_path) as db:
        db.add_note(A, "keep me")
    path = tmp_path / userdata.DB_NAME
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode = DELETE")  # an exclusive lock that blocks readers too
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(UserDataBusyError, match="cannot be used just now"):
            UserData.open(tmp_path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not list(tmp_path.glob("userdata.sqlite.*-*")), "a busy database was moved aside"
    with UserData.open(tmp_path) as db:
        assert db.notices == []
        assert [n.body for n in db.notes()] == ["keep me"]


def test_a_writer_blocked_past_the_timeout_gets_the_busy_message(
    tmp_path: Path, quick_busy: None
) -> None:
    with UserData.open(tmp_path) as db:
        holder = sqlite3.connect(tmp_path / userdata.DB_NAME, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(UserDataBusyError):
                db.add_note(A, "later")
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert db.add_note(A, "later").body == "later"


def test_the_command_line_says_busy_and_moves_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with UserData.open(data) as db:
        db.add_note(A, "keep me")
    holder = sqlite3.connect(data / userdata.DB_NAME, isolation_level=None)
    holder.execute("PRAGMA journal_mode = DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code = (
            "import sys; from briefreader.core import userdata_db; "
            "userdata_db.BUSY_TIMEOUT_S = 0.2; "
            "from briefreader.cli import main; sys.exit(main(sys.argv[1:]))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code, "--data-dir", str(data), "notes"],
            capture_output=True, text=True, timeout=120, cwd=REPO,
        )  # fmt: skip
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert out.returncode == 1
    assert "cannot be used just now" in out.stderr and "Traceback" not in out.stderr
    assert "damaged" not in out.stderr + out.stdout
    assert not list(data.glob("userdata.sqlite.*-*"))


def _damage(path: Path) -> None:
    """Overwrite the last page of the notes table's file: some rows go, the rest stay."""
    raw = bytearray(path.read_bytes())
    raw[-4096 + 200 :] = b"\xee" * (4096 - 200)
    path.write_bytes(bytes(raw))


def _make_set_aside(data: Path, notes: int) -> Path:
    """A database set aside as damaged, holding ``notes`` notes (written then checkpointed)."""
    with UserData.open(data) as db:
        for n in range(notes):
            db.add_note(A if n % 2 else B, f"note number {n} " + "words " * 40)
        db.add_saved("PMF watch", "PMF")
        db.set_star(A.id)
        db.add_label([B.id], "to-check")
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = data / userdata.DB_NAME
    aside = path.with_name(f"{path.name}.damaged-20261206-101500")
    path.rename(aside)
    return aside


def test_a_set_aside_database_is_listed_read_and_merged_back(tmp_path: Path) -> None:
    aside = _make_set_aside(tmp_path, 6)
    before = aside.read_bytes()
    [found] = set_aside_databases(tmp_path)
    assert (found.path, found.reason, found.when) == (aside, "damaged", "2026-12-06 10:15:00")
    assert (found.notes, found.saved) == (6, 1)
    notes, problems = read_set_aside(aside)
    assert problems == [] and len(notes) == 6
    with UserData.open(tmp_path) as db:
        db.add_note(A, "a new note written after the damage")
        report = merge_set_aside(db, aside)
        assert (report.notes, report.saved, report.stars, report.labels) == (6, 1, 1, 1)
        bodies = [n.body for n in db.notes()]
        assert len(bodies) == 7 and "a new note written after the damage" in bodies
        assert db.starred() == [A.id] and db.labelled("to-check") == {B.id}
        assert db.snapshot(A.sha256) == A.text  # the text the notes were written on
        assert report.kept_as is not None and not aside.exists()
        assert report.kept_as.name == "userdata.sqlite.merged-20261206-101500"
        [listed] = set_aside_databases(tmp_path)
        assert listed.reason == "merged"
        again = merge_set_aside(db, report.kept_as)
        assert again.notes == 0 and again.skipped == 7
        assert len(db.notes()) == 7
    assert report.kept_as.read_bytes() == before, "the set-aside file was written to"


def test_a_damaged_set_aside_database_gives_what_can_be_read(tmp_path: Path) -> None:
    aside = _make_set_aside(tmp_path, 200)
    _damage(aside)
    [found] = set_aside_databases(tmp_path)
    notes, problems = read_set_aside(aside)
    assert 0 < len(notes) < 200 and problems  # a page of rows lost, the rest read
    assert found.notes == len(notes) and found.problem
    with UserData.open(tmp_path) as db:
        report = merge_set_aside(db, aside)
        assert report.notes == len(notes) == len(db.notes())


def test_notes_set_aside_and_merge_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    aside = _make_set_aside(data, 3)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "briefreader", "--data-dir", str(data), *args],
            capture_output=True, text=True, timeout=120, cwd=REPO,
        )  # fmt: skip

    listed = run("notes", "--set-aside", "--json")
    assert listed.returncode == 0, listed.stderr
    [row] = json.loads(listed.stdout)
    assert (row["file"], row["notes"]) == (aside.name, 3)
    merged = run("notes", "--merge", aside.name)
    assert merged.returncode == 0, merged.stderr
    assert "3 notes" in merged.stdout
    with UserData.open(data) as db:
        assert len(db.notes()) == 3
