"""The user's own layer: notes anchored by content hash, saved searches' new
counts, stars, export, a damaged or too-new database moved aside, backup and restore,
two writers at once."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from briefreader.core import userdata
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library
from briefreader.core.userdata import UserData, UserDataError
from briefreader.core.userexport import export_rows, render_export
from briefreader.core.userlayer import (
    add_saved,
    mark_seen,
    notes_with_state,
    statuses,
    watch,
)

GLOSSARY = """
[[actor]]
name = "Popular Mobilization Forces"
kind = "militia"
aliases = ["PMF", "P.M.F.", "Hashd al-Shaabi"]
"""

BRIEFS = {
    "a.md": "Title: Plot one\nDate: 2017-11-24\nSource: Rudaw\n\nA foreign plot against the"
    " PMF.\n\nComment: The plot is old news.\n",
    "b.md": "Title: Drones\nDate: 2020-01-03\nSource: Reuters\n\nA drone strike near the"
    " airport.\n\nComment: Revenge was vowed.\n",
}


def write(root: Path, name: str, text: str) -> None:
    (root / name).write_text(text, "utf-8")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    root.mkdir()
    for name, text in BRIEFS.items():
        write(root, name, text)
    return root


@pytest.fixture
def lib(corpus: Path, tmp_path: Path) -> Library:
    g = tmp_path / "g.toml"
    g.write_text(GLOSSARY, "utf-8")
    library = Library([corpus], tmp_path / "data", Glossary.load([g]))
    library.update(bulk=False)
    yield library
    library.close()


@pytest.fixture
def ud(lib: Library) -> UserData:
    with UserData.open(lib.data_dir) as db:
        yield db


def test_schema_is_versioned_and_in_wal_mode(ud: UserData) -> None:
    assert [tuple(r) for r in ud.conn.execute("SELECT version FROM schema_version")] == [(2,)]
    assert ud.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert userdata.SCHEMA_VERSION == len(userdata.MIGRATIONS) == 2


def test_note_survives_reindexing(lib: Library, ud: UserData) -> None:
    note = ud.add_note(lib.brief("a.md"), "check this")
    lib.rebuild()
    lib.update(bulk=False)
    rows = notes_with_state(lib, ud)
    assert [(n.id, n.brief_id, n.body, state) for n, state in rows] == [
        (note.id, "a.md", "check this", "current")
    ]


def test_changed_brief_flags_its_notes_and_keeps_the_old_text(
    lib: Library, ud: UserData, corpus: Path
) -> None:
    brief = lib.brief("a.md")
    start = brief.text.index("foreign plot")
    hl = ud.add_highlight(brief, "article", start, start + len("foreign plot"), "key phrase")
    whole = ud.add_note(brief, "whole brief")
    write(corpus, "a.md", BRIEFS["a.md"].replace("foreign plot", "domestic scheme"))
    lib.update(bulk=False)
    rows = {n.id: (n, state) for n, state in notes_with_state(lib, ud)}
    assert rows[hl.id][1] == rows[whole.id][1] == userdata.CHANGED
    # Not re-attached: the quote and offsets are the old ones, the old text is kept.
    assert (rows[hl.id][0].quote, rows[hl.id][0].start) == ("foreign plot", start)
    assert ud.snapshot(hl.sha256) == BRIEFS["a.md"]


def test_highlight_must_lie_inside_its_section(lib: Library, ud: UserData) -> None:
    brief = lib.brief("a.md")
    assert brief.comment_start is not None
    with pytest.raises(UserDataError, match="not inside the article"):
        ud.add_highlight(brief, "article", brief.comment_start, brief.comment_start + 3)
    hl = ud.add_highlight(brief, "comment", brief.comment_start, brief.comment_start + 3)
    assert hl.quote == brief.text[brief.comment_start : brief.comment_start + 3] == "The"


def test_notes_are_searched_by_words_in_any_case(lib: Library, ud: UserData) -> None:
    brief = lib.brief("a.md")
    ud.add_note(brief, "Ask Rudaw about the PLOT")
    ud.add_note(brief, "unrelated 100% sure")
    assert [n.body for n in ud.notes(words="plot rudaw")] == ["Ask Rudaw about the PLOT"]
    assert [n.body for n in ud.notes(words="100%")] == ["unrelated 100% sure"]
    assert ud.notes(words="plot unrelated") == []


def test_saved_search_new_rises_with_arrivals_and_falls_after_seen(
    lib: Library, ud: UserData, corpus: Path
) -> None:
    add_saved(lib, ud, "plots", "plot", {})
    watch(lib, ud, "Hashd al-Shaabi")  # any alias; saved under the actor's name
    assert [(s.saved.name, s.total, s.new) for s in statuses(lib, ud)] == [
        ("plots", 1, []),
        ("Popular Mobilization Forces", 1, []),
    ]
    write(corpus, "c.md", "Title: Another plot\n\nThe PMF denied the plot.\n")
    write(corpus, "d.md", "Title: Weather\n\nRain in Basra.\n")
    lib.update(bulk=False)
    assert [(s.saved.name, s.total, s.new) for s in statuses(lib, ud)] == [
        ("plots", 2, ["c.md"]),
        ("Popular Mobilization Forces", 2, ["c.md"]),
    ]
    mark_seen(lib, ud, "plots")
    assert [(s.saved.name, s.new) for s in statuses(lib, ud)] == [
        ("plots", []),
        ("Popular Mobilization Forces", ["c.md"]),
    ]


def test_saved_search_keeps_its_filters(lib: Library, ud: UserData, corpus: Path) -> None:
    add_saved(lib, ud, "recent", "plot OR drone", {"since": "2019-01-01"}, "newest")
    write(corpus, "e.md", "Title: Old drone\nDate: 2010-01-01\n\nA drone.\n")
    write(corpus, "f.md", "Title: New drone\nDate: 2022-01-01\n\nA drone.\n")
    lib.update(bulk=False)
    [st] = statuses(lib, ud)
    assert (st.total, st.new, st.saved.sort) == (2, ["f.md"], "newest")


def test_a_name_is_saved_once(lib: Library, ud: UserData) -> None:
    add_saved(lib, ud, "x", "plot", {})
    with pytest.raises(UserDataError, match="already named"):
        add_saved(lib, ud, "x", "drone", {})
    with pytest.raises(UserDataError, match="no actor"):
        watch(lib, ud, "Nobody at all")


def test_stars_and_read_state(ud: UserData) -> None:
    ud.set_star("a.md")
    ud.set_star("b.md")
    ud.set_star("a.md", False)
    ud.set_read("b.md")
    assert ud.starred() == ["b.md"]
    assert (ud.is_read("a.md"), ud.is_read("b.md")) == (False, True)


def test_export_csv_reads_back_as_the_search_hits(lib: Library, ud: UserData) -> None:
    ud.add_note(lib.brief("a.md"), "first, with a comma")
    ud.add_note(lib.brief("a.md"), 'second "quoted"')
    res = lib.search("plot OR drone", limit=10)
    text = render_export(export_rows(lib, ud, res.hits), "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["id"] for r in rows] == [h.id for h in res.hits] == ["a.md", "b.md"]
    assert [r["title"] for r in rows] == ["Plot one", "Drones"]
    assert [r["date"] for r in rows] == ["2017-11-24", "2020-01-03"]
    assert rows[0]["notes"] == 'first, with a comma; second "quoted"'
    assert rows[0]["actors"] == "Popular Mobilization Forces"
    data = json.loads(render_export(export_rows(lib, ud, res.hits), "json", "q"))
    assert data["hits"][0]["notes"] == ["first, with a comma", 'second "quoted"']
    md = render_export(export_rows(lib, ud, res.hits), "md", "q").splitlines()
    assert md[2].startswith("| title | date | source | id |") and len(md) == 6


def test_future_schema_is_moved_aside_and_a_fresh_one_made(tmp_path: Path) -> None:
    with UserData.open(tmp_path) as db:
        db.conn.execute("UPDATE schema_version SET version = 99")
    with UserData.open(tmp_path) as db:
        assert len(db.notices) == 1 and "newer briefreader" in db.notices[0]
        assert db.notes() == []
        assert db.conn.execute("SELECT version FROM schema_version").fetchone()[0] == 2
    [aside] = tmp_path.glob("userdata.sqlite.newer-*")
    assert aside.name in db.notices[0]
    old = sqlite3.connect(aside)
    assert old.execute("SELECT version FROM schema_version").fetchone()[0] == 99
    old.close()


def test_corrupted_database_is_moved_aside_and_a_fresh_one_made(
    lib: Library, tmp_path: Path
) -> None:
    data = tmp_path / "u"
    with UserData.open(data) as db:
        db.add_note(lib.brief("a.md"), "lost?")
    path = data / userdata.DB_NAME
    original = path.read_bytes()
    garbage = bytearray(original)
    garbage[100:4096] = b"\xff" * (4096 - 100)  # page 1 past the header: the schema
    path.write_bytes(bytes(garbage))
    with UserData.open(data) as db:
        assert "damaged" in db.notices[0]
        assert db.notes() == []
    [aside] = data.glob("userdata.sqlite.damaged-*")
    assert aside.read_bytes() == bytes(garbage)  # kept as it was, not overwritten


def test_not_a_database_at_all_is_moved_aside(tmp_path: Path) -> None:
    (tmp_path / userdata.DB_NAME).write_bytes(b"this is not SQLite" * 200)
    with UserData.open(tmp_path) as db:
        assert "damaged" in db.notices[0]
    assert len(list(tmp_path.glob("userdata.sqlite.damaged-*"))) == 1


def test_backup_and_restore_round_trip(lib: Library, tmp_path: Path) -> None:
    data = tmp_path / "u"
    with UserData.open(data) as db:
        kept = db.add_note(lib.brief("a.md"), "keep me")
        db.set_star("b.md")
        db.backup(tmp_path / "backup.sqlite")
        db.add_note(lib.brief("b.md"), "after the backup")
        db.set_star("b.md", False)
        aside = db.restore(tmp_path / "backup.sqlite")
        assert [n.body for n in db.notes()] == ["keep me"]
        assert db.note(kept.id).sha256 == kept.sha256
        assert db.starred() == ["b.md"]
    assert sorted(p.name for p in tmp_path.glob("backup.sqlite*")) == ["backup.sqlite"]
    replaced = sqlite3.connect(aside)
    assert [r[0] for r in replaced.execute("SELECT body FROM notes ORDER BY id")] == [
        "keep me",
        "after the backup",
    ]
    replaced.close()


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"nope" * 100)
    with UserData.open(tmp_path / "u") as db:
        with pytest.raises(UserDataError, match="cannot restore"):
            db.restore(bad)
        with pytest.raises(UserDataError, match="no such backup"):
            db.restore(tmp_path / "missing.sqlite")


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from briefreader.core.brief import Brief
    from briefreader.core.userdata import UserData

    data, tag, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    brief = Brief("x.md", Path("x.md"), "text", "t", None, None, None, (), "text", 0, None,
                  None, "0" * 64)
    print("ready", flush=True)
    sys.stdin.readline()
    with UserData.open(data) as db:
        for i in range(count):
            db.add_note(brief, f"{tag}-{i}")
    """
)


def test_two_processes_writing_at_once_both_keep_their_notes(tmp_path: Path) -> None:
    UserData.open(tmp_path).close()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), tag, "150"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for tag in ("one", "two")
    ]
    for p in procs:  # both started and waiting: then released together
        assert p.stdout is not None and p.stdout.readline() == "ready\n"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.close()
    for p in procs:
        assert p.wait(timeout=120) == 0
        assert p.stdout is not None
        p.stdout.close()
    with UserData.open(tmp_path) as db:
        bodies = {n.body for n in db.notes()}
    assert bodies == {f"{t}-{i}" for t in ("one", "two") for i in range(150)}


def test_a_version_1_database_is_migrated_forward_and_keeps_everything(tmp_path: Path) -> None:
    """Schema 2 (labels) over a database written by schema 1, in place."""
    path = tmp_path / userdata.DB_NAME
    old = sqlite3.connect(path)
    old.executescript(userdata.MIGRATIONS[0])
    old.executescript(
        "CREATE TABLE schema_version (version INTEGER NOT NULL);"
        "INSERT INTO schema_version VALUES (1);"
        "INSERT INTO brief_state VALUES ('a.md', '2026-01-01T00:00:00+00:00', NULL);"
    )
    old.commit()
    old.close()
    with UserData.open(tmp_path) as ud:
        assert not ud.notices
        assert ud.conn.execute("SELECT version FROM schema_version").fetchone()[0] == 2
        assert ud.starred() == ["a.md"]
        assert ud.add_label(["a.md", "b.md"], " To  Check ") == "to-check"
        assert ud.labels() == {"to-check": 2}
        assert ud.labelled("TO CHECK") == {"a.md", "b.md"}
        ud.remove_label(["b.md"], "to-check")
        assert ud.labels_by_brief() == {"a.md": ["to-check"]}
        with pytest.raises(UserDataError):
            ud.add_label(["a.md"], "   ")
