"""The corpus folders both front ends remember (core/prefs.py), and the report's JSON form."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefreader.core.prefs import LEGACY_CLI_FILE, PREFS_FILE, Preferences
from briefreader.core.report import Problem, UpdateReport


def test_remembered_folders_come_back(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    Preferences.load(tmp_path).remember_corpora([a, b])
    prefs = Preferences.load(tmp_path)
    assert prefs.corpora == [a, b]
    assert prefs.existing_corpora() == [a]  # b is gone (a removed disk, say)


def test_the_command_lines_old_file_is_taken_over_once(tmp_path: Path) -> None:
    old = tmp_path / LEGACY_CLI_FILE
    old.write_text(json.dumps({"corpora": [str(tmp_path / "briefs")]}), "utf-8")
    assert Preferences.load(tmp_path).corpora == [tmp_path / "briefs"]
    assert not old.exists()
    assert json.loads((tmp_path / PREFS_FILE).read_text("utf-8")) == {
        "corpora": [str(tmp_path / "briefs")]
    }
    # Taken over once: a cli.json written again later (an old version) is not read.
    old.write_text(json.dumps({"corpora": ["/elsewhere"]}), "utf-8")
    assert Preferences.load(tmp_path).corpora == [tmp_path / "briefs"]


def test_a_damaged_file_gives_no_folders(tmp_path: Path) -> None:
    (tmp_path / PREFS_FILE).write_text("{not json", "utf-8")
    assert Preferences.load(tmp_path).corpora == []


def test_update_report_survives_its_json_form() -> None:
    report = UpdateReport(
        added=3,
        updated=2,
        removed=1,
        unchanged=7,
        rematched=4,
        problems=[Problem("/c/a.md", "empty file"), Problem("/c/b.md", "guessed", "warning")],
        seconds=1.23456,
        rebuilt_reason="the index was rebuilt: its format changed",
    )
    data = json.loads(json.dumps(report.to_json()))
    assert data["indexed"] == 16 and data["seconds"] == 1.235
    back = UpdateReport.from_json(data)
    assert back == UpdateReport(
        added=3,
        updated=2,
        removed=1,
        unchanged=7,
        rematched=4,
        problems=report.problems,
        seconds=1.235,
        rebuilt_reason=report.rebuilt_reason,
    )


def test_the_postings_cache_bound_is_a_preference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``cache_mb`` in preferences.json bounds the search's postings cache; the environment
    variable wins over it; anything else leaves the default."""
    from briefreader.core.glossary import Glossary
    from briefreader.core.index.postings import DEFAULT_CACHE_MB
    from briefreader.core.library import Library

    monkeypatch.delenv("BRIEFREADER_CACHE_MB", raising=False)
    data = tmp_path / "data"
    prefs = Preferences.load(data)
    prefs.cache_mb = 64
    prefs.save()
    assert Preferences.load(data).cache_mb == 64  # kept across a save and a load

    def bound() -> int:
        lib = Library([tmp_path], data, Glossary([]))
        try:
            return lib.index.arrays.max_bytes
        finally:
            lib.close()

    assert bound() == 64 * 2**20
    monkeypatch.setenv("BRIEFREADER_CACHE_MB", "8")
    assert bound() == 8 * 2**20
    monkeypatch.delenv("BRIEFREADER_CACHE_MB")
    (data / "preferences.json").write_text('{"corpora": [], "cache_mb": "lots"}', "utf-8")
    assert bound() == DEFAULT_CACHE_MB * 2**20
