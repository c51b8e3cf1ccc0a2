"""Questions that must not come back empty, through the real entry point: ``briefreader
search`` prints what it found and the notice saying how the question was read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def run(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, BRIEFREADER_DATA_DIR=str(data), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-m", "briefreader", *args],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("e2e-questions")
    run(folder, "index", "--json")
    return folder


def test_a_question_in_capitals_finds_the_briefs_and_says_how_it_was_read(data: Path) -> None:
    question = "I WOULD BE INTERESTED IN MILITIAS AND WHY THEY DISARM"
    shouted = json.loads(run(data, "search", question, "--json").stdout)
    plain = json.loads(run(data, "search", question.lower(), "--json").stdout)
    assert shouted["total"] == plain["total"] == 8
    assert [h["id"] for h in shouted["hits"]] == [h["id"] for h in plain["hits"]]
    assert any("between words in capitals" in n for n in shouted["notices"])


def test_a_word_no_brief_has_beside_and_finds_briefs_with_a_notice(data: Path) -> None:
    res = json.loads(run(data, "search", "Iraq militia Baghdad zzzz AND Tehran", "--json").stdout)
    assert res["total"] > 0
    assert any("some of the words of each group" in n for n in res["notices"])


def test_a_stop_word_alone_says_why_it_found_nothing(data: Path) -> None:
    out = run(data, "search", "the").stdout
    assert "stop word" in out
