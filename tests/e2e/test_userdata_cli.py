"""The user's own layer from the real entry point (``python -m briefreader``): notes, saved
searches and their new counts, the watchlist, stars, export, backup and restore."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from briefreader import paths
from briefreader.core.wording import counted

SEED = "2017-11-24_shamkhani-foreign-plot.txt"


def run(data: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, BRIEFREADER_DATA_DIR=str(data), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-m", "briefreader", "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A copy of the sample corpus that a test may add to and change."""
    return Path(shutil.copytree(paths.sample_corpus_dir(), tmp_path / "corpus"))


@pytest.fixture
def data(tmp_path: Path, corpus: Path) -> Path:
    folder = tmp_path / "data"
    run(folder, "index", str(corpus), "--json")
    return folder


def test_note_survives_rebuild_and_is_flagged_when_the_brief_changes(
    data: Path, corpus: Path
) -> None:
    out = json.loads(run(data, "note", "add", SEED, "Compare", "with 2019", "--json").stdout)
    assert (out["brief_id"], out["text"], out["state"]) == (SEED, "Compare with 2019", "current")
    run(data, "index", "--rebuild")
    [note] = json.loads(run(data, "notes", "--json").stdout)
    assert (note["id"], note["state"], note["old_text"]) == (out["id"], "current", None)
    before = (corpus / SEED).read_text("utf-8")
    (corpus / SEED).write_text(before.replace("foreign plot", "plot from abroad"), "utf-8")
    run(data, "index")
    [note] = json.loads(run(data, "notes", "--json").stdout)
    assert note["state"] == "changed" and note["old_text"] == before.replace("\r\n", "\n")
    human = run(data, "notes").stdout
    assert "the brief changed since this note" in human and "Compare with 2019" in human


def test_notes_are_searched_by_words(data: Path) -> None:
    run(data, "note", "add", SEED, "Shamkhani's claim")
    run(data, "note", "add", SEED, "unrelated")
    found = json.loads(run(data, "notes", "SHAMKHANI", "--json").stdout)
    assert [n["text"] for n in found] == ["Shamkhani's claim"]


def test_saved_search_new_counts(data: Path, corpus: Path) -> None:
    added = json.loads(
        run(data, "saved", "add", "plots", "foreign", "plot", "--since", "2016", "--json").stdout
    )
    assert added["new"] == 0 and added["total"] > 0
    assert added["filters"] == {"since": "2016-01-01"}
    (corpus / "2024-02-01_new-plot.md").write_text(
        "Title: A new foreign plot\nDate: 2024-02-01\n\nOfficials denounced a foreign plot.\n",
        "utf-8",
    )
    (corpus / "2024-02-02_other.md").write_text(
        "Title: Weather\nDate: 2024-02-02\n\nRain fell on Basra.\n", "utf-8"
    )
    run(data, "index")
    [row] = json.loads(run(data, "saved", "--json").stdout)
    assert (row["name"], row["total"], row["new"]) == ("plots", added["total"] + 1, 1)
    assert row["new_ids"] == ["2024-02-01_new-plot.md"]
    assert "1 new" in run(data, "saved").stdout
    seen = json.loads(run(data, "saved", "seen", "plots", "--json").stdout)
    assert seen["new"] == 0
    [row] = json.loads(run(data, "saved", "--json").stdout)
    assert row["new"] == 0 and row["seen_at"] is not None


def test_watch_an_actor_by_alias(data: Path, corpus: Path) -> None:
    [row] = json.loads(run(data, "watch", "P.M.F.", "--json").stdout)
    assert (row["name"], row["kind"], row["new"]) == ("Popular Mobilization Forces", "actor", 0)
    (corpus / "2024-03-01_hashd.md").write_text(
        "Title: Hashd parade\n\nThe Hashd al-Shaabi held a parade.\n", "utf-8"
    )
    run(data, "index")
    [row2] = json.loads(run(data, "watch", "--json").stdout)
    assert (row2["total"], row2["new_ids"]) == (row["total"] + 1, ["2024-03-01_hashd.md"])
    run(data, "saved", "seen", "Popular Mobilization Forces")
    assert json.loads(run(data, "watch", "--json").stdout)[0]["new"] == 0


def test_star(data: Path) -> None:
    run(data, "star", SEED)
    assert json.loads(run(data, "star", "--json").stdout) == {"starred": [SEED]}
    run(data, "star", SEED, "--off")
    assert json.loads(run(data, "star", "--json").stdout) == {"starred": []}


def test_export_csv_equals_the_search_hits(data: Path, tmp_path: Path) -> None:
    run(data, "note", "add", SEED, "see also 2019, Badr")
    search = json.loads(run(data, "search", "foreign plot", "--limit", "500", "--json").stdout)
    out = tmp_path / "out.csv"
    run(data, "export", "foreign", "plot", "--format", "csv", "--out", str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    assert [r["id"] for r in rows] == [h["id"] for h in search["hits"]]
    assert len(rows) == search["total"]
    assert [r["title"] for r in rows] == [h["title"] for h in search["hits"]]
    assert [r["date"] or None for r in rows] == [h["date"] for h in search["hits"]]
    assert [r["snippet"] for r in rows] == [h["snippet"]["text"] for h in search["hits"]]
    by_id = {r["id"]: r for r in rows}
    assert by_id[SEED]["notes"] == "see also 2019, Badr"
    md = run(data, "export", "foreign", "plot", "--format", "md", "--limit", "2").stdout
    assert md.count("\n| ") == 3  # header and two briefs
    js = json.loads(run(data, "export", "foreign plot", "--format", "json").stdout)
    assert [h["id"] for h in js["hits"]] == [h["id"] for h in search["hits"]]


def test_backup_and_restore(data: Path, tmp_path: Path) -> None:
    run(data, "note", "add", SEED, "before")
    run(data, "star", SEED)
    backup = tmp_path / "mine.sqlite"
    run(data, "backup", str(backup))
    run(data, "note", "add", SEED, "after")
    out = run(data, "restore", str(backup))
    assert "kept in" in out.stdout
    assert [n["text"] for n in json.loads(run(data, "notes", "--json").stdout)] == ["before"]
    assert json.loads(run(data, "star", "--json").stdout) == {"starred": [SEED]}
    bad = run(data, "restore", str(tmp_path / "nothing.sqlite"), check=False)
    assert bad.returncode == 1 and bad.stderr.startswith("briefreader: no such backup")


def test_damaged_database_is_moved_aside_with_a_message(data: Path) -> None:
    run(data, "note", "add", SEED, "x")
    db = data / "userdata.sqlite"
    for extra in ("userdata.sqlite-wal", "userdata.sqlite-shm"):
        (data / extra).unlink(missing_ok=True)
    db.write_bytes(b"garbage" * 1000)
    out = run(data, "notes", "--json")
    assert json.loads(out.stdout) == []
    assert "damaged" in out.stderr and "userdata.sqlite.damaged-" in out.stderr
    assert len(list(data.glob("userdata.sqlite.damaged-*"))) == 1


def test_usage_errors_exit_2_with_the_command_usage(data: Path) -> None:
    out = run(data, "note", "add", SEED, " ", check=False)
    assert out.returncode == 2 and "usage: briefreader note add" in out.stderr
    out = run(data, "export", "plot", check=False)
    assert out.returncode == 2 and "usage: briefreader export" in out.stderr
    out = run(data, "saved", "seen", "nothing", check=False)
    assert out.returncode == 1
    assert out.stderr.strip() == "briefreader: no saved search or watched actor named 'nothing'"
    out = run(data, "note", "add", "no/such.md", "x", check=False)
    assert out.returncode == 1 and out.stderr.count("\n") == 1


# -- notes in search: the same lists as the window (core.userlists.search_with_notes) -------

SADR = "2018/2018-05-14_sadr-alliance.txt"  # dated 2018-05-14; "embassy" nowhere in it


def _search(data: Path, *args: str) -> dict:  # type: ignore[type-arg]
    return json.loads(run(data, "search", *args, "--limit", "500", "--json").stdout)  # type: ignore[no-any-return]


def test_note_word_in_search_lists_the_briefs_with_such_a_note(data: Path) -> None:
    assert _search(data, "note:embassy")["hits"] == []
    run(data, "note", "add", SADR, "Ask the Embassy about Zarqawi")
    run(data, "note", "add", SEED, "Nothing about it")
    res = _search(data, "note:embassy")
    assert [h["id"] for h in res["hits"]] == [SADR] and res["total"] == 1
    assert res["query"] == "note:embassy"
    assert any("note" in n for n in res["notices"])
    snippet = res["hits"][0]["snippet"]
    assert snippet["section"] == "note" and snippet["text"] == "Ask the Embassy about Zarqawi"
    start, end = snippet["highlights"][0]
    assert snippet["text"][start:end] == "Embassy"
    # Words of the brief's own narrow it further; a word it lacks leaves nothing.
    assert [h["id"] for h in _search(data, "Sadr", "note:embassy")["hits"]] == [SADR]
    assert _search(data, "drone note:embassy")["hits"] == []
    assert _search(data, 'note:"about zarqawi"')["total"] == 1
    # A note word matches at the start of a word only: "bassy" is in no word's start.
    assert _search(data, "note:bassy")["total"] == 0
    assert _search(data, "note:embass")["total"] == 1
    human = run(data, "search", "note:zarqawi").stdout
    assert "[note] Ask the Embassy about [Zarqawi]" in human


def test_plain_words_find_notes_too_listed_after_the_briefs_own_text(data: Path) -> None:
    before = _search(data, "embassy")
    own = [h["id"] for h in before["hits"]]
    assert own and SADR not in own
    assert _search(data, "zarqawi")["total"] == 0
    run(data, "note", "add", SADR, "Ask the embassy about Zarqawi")
    after = _search(data, "embassy")
    assert [h["id"] for h in after["hits"]] == [*own, SADR]  # below every brief's own match
    assert after["total"] == before["total"] + 1
    assert after["hits"][-1]["snippet"]["section"] == "note"
    assert after["notices"][-1] == "1 brief found by your notes alone, listed last"
    assert [h["id"] for h in _search(data, "Zarqawi")["hits"]] == [SADR]
    # Pages: the note's brief comes after the index's last hit, on the page it falls on.
    page = json.loads(run(data, "search", "embassy", "--limit", "2", "--json").stdout)
    assert [h["id"] for h in page["hits"]] == own[:2] and page["total"] == len(own) + 1
    # A brief found by its note still has to pass the filters.
    assert _search(data, "zarqawi", "--since", "2019")["total"] == 0
    assert _search(data, "zarqawi", "--since", "2018-05", "--until", "2018")["total"] == 1
    assert _search(data, "zarqawi", "--actor", "Sadr")["total"] == 1
    assert _search(data, "zarqawi", "--source", "Reuters")["total"] == 0
    # Not plain words (a phrase, an operator, a field): the notes are not searched.
    assert _search(data, "zarqawi OR embassy")["total"] == before["total"]
    assert _search(data, "title:zarqawi")["total"] == 0
    # A brief whose own text has the words is listed once, where the index ranks it.
    run(data, "note", "add", own[0], "embassy again")
    again = _search(data, "embassy")
    assert [h["id"] for h in again["hits"]] == [*own, SADR]


def test_search_json_keeps_its_shape_with_notes(data: Path) -> None:
    run(data, "note", "add", SADR, "Ask the embassy about Zarqawi")
    for query in ("embassy", "note:embassy", "zarqawi"):
        res = _search(data, query)
        assert list(res) == [
            "query", "total", "total_all_words", "offset", "sort", "hits", "facets",
            "suggestion", "notices", "seconds", "folded",
        ]  # fmt: skip
        for hit in res["hits"]:
            assert list(hit) == [
                "id", "path", "title", "date", "source", "tags", "actors", "score",
                "all_words", "snippet", "copies",
            ]  # fmt: skip
            assert set(hit["snippet"]) == {"section", "text", "highlights", "html"}


def test_export_lists_what_search_lists_with_notes(data: Path, tmp_path: Path) -> None:
    run(data, "note", "add", SADR, "Ask the embassy about Zarqawi")
    search = _search(data, "embassy")
    out = tmp_path / "out.csv"
    run(data, "export", "embassy", "--format", "csv", "--out", str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    assert [r["id"] for r in rows] == [h["id"] for h in search["hits"]]
    assert rows[-1]["snippet"] == "Ask the embassy about Zarqawi"
    js = json.loads(run(data, "export", "note:zarqawi", "--format", "json").stdout)
    assert [h["id"] for h in js["hits"]] == [SADR]


def test_saved_search_keeps_its_dates_and_years(data: Path) -> None:
    search = _search(data, "Iran", "--since", "2019-06", "--until", "2020")
    added = json.loads(
        run(data, "saved", "add", "Iran lately", "Iran", "--since", "2019-06", "--until",
            "2020", "--sort", "oldest", "--json").stdout
    )  # fmt: skip
    assert added["filters"] == {"since": "2019-06-01", "until": "2020-12-31"}
    assert (added["sort"], added["total"]) == ("oldest", search["total"])
    by_year = json.loads(
        run(data, "saved", "add", "Iran 2016", "Iran", "--year", "2016", "--json").stdout
    )
    assert by_year["filters"] == {"years": [2016]}
    assert by_year["total"] == _search(data, "Iran", "--since", "2016", "--until", "2016")["total"]
    listed = {r["name"]: r for r in json.loads(run(data, "saved", "--json").stdout)}
    assert listed["Iran lately"]["filters"] == added["filters"]
    assert listed["Iran 2016"]["total"] == by_year["total"]
    human = run(data, "saved").stdout.splitlines()
    found = counted(added["total"], "brief")
    assert f"Iran lately: “Iran” · 2019-06 – 2020-12 · oldest first · {found} · 0 new" in human
    assert any(line.startswith("Iran 2016: “Iran” · 2016 · ") for line in human)
    bad = run(data, "saved", "add", "x", "Iran", "--year", "19", check=False)
    assert bad.returncode == 2 and "not a year" in bad.stderr


def test_a_search_with_note_or_label_terms_is_not_saved(data: Path) -> None:
    """Its watchlist counts would come from the index alone, which knows no notes."""
    for query in ("note:embassy", "Iran label:urgent"):
        out = run(data, "saved", "add", "mine", query, check=False)
        assert out.returncode == 1 and "cannot hold note: or label: terms" in out.stderr
    assert json.loads(run(data, "saved", "--json").stdout) == []


def test_search_makes_no_notes_database_for_a_user_who_has_none(
    tmp_path: Path, corpus: Path
) -> None:
    folder = tmp_path / "fresh"
    run(folder, "index", str(corpus))
    assert run(folder, "search", "embassy").returncode == 0
    assert not (folder / "userdata.sqlite").exists()
    assert _search(folder, "note:embassy")["total"] == 0


def test_export_a_saved_search_a_watched_actor_or_the_starred(data: Path, tmp_path: Path) -> None:
    run(data, "saved", "add", "Iran lately", "Iran", "--since", "2019-06", "--sort", "oldest")
    run(data, "watch", "PMF")
    run(data, "note", "add", SADR, "Ask the embassy")
    js = json.loads(run(data, "export", "--saved", "Iran lately", "--format", "json").stdout)
    search = _search(data, "Iran", "--since", "2019-06", "--sort", "oldest")
    assert js["query"] == "Iran" and [h["id"] for h in js["hits"]] == [
        h["id"] for h in search["hits"]
    ]
    out = tmp_path / "pmf.csv"
    run(data, "export", "--saved", "Popular Mobilization Forces", "--format", "csv", "--out",
        str(out))  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    actor = json.loads(run(data, "actor", "PMF", "--json").stdout)
    assert len(rows) == actor["briefs"] and rows[0]["date"] >= rows[-1]["date"]
    run(data, "star", SADR)
    run(data, "star", SEED)
    md = run(data, "export", "--starred", "--format", "md").stdout
    assert md.startswith("# Starred briefs\n")
    assert md.count("\n| ") == 3 and "Ask the embassy" in md  # header and two briefs
    assert md.index(SADR) < md.index(SEED)  # newest first
    for args in ((), ("Iran", "--starred"), ("--saved", "x", "--starred")):
        out_ = run(data, "export", *args, "--format", "csv", check=False)
        assert out_.returncode == 2 and "usage: briefreader export" in out_.stderr
    missing = run(data, "export", "--saved", "nothing", "--format", "csv", check=False)
    assert missing.returncode == 1
