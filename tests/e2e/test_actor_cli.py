"""``briefreader actor`` and ``briefreader candidates`` through the real entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def run(data: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """``python -m briefreader --data-dir DATA ARGS``, as a user would run it."""
    proc = subprocess.run(
        [sys.executable, "-m", "briefreader", "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        timeout=300,
        check=False,
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the bundled corpus indexed once for the module."""
    folder = tmp_path_factory.mktemp("actor-data")
    run(folder, "index", "--quiet")
    return folder


def total(data: Path, query: str) -> int:
    return int(json.loads(run(data, "search", query, "--limit", "1", "--json").stdout)["total"])


def test_actor_json_agrees_with_search(data: Path) -> None:
    page = json.loads(run(data, "actor", "PMF", "--json").stdout)
    assert set(page) == {
        "actor", "briefs", "timeline", "company", "comments", "comment_only", "article_only"
    }  # fmt: skip
    assert page["actor"] == {
        "id": "popular-mobilization-forces",
        "name": "Popular Mobilization Forces",
        "kind": page["actor"]["kind"],
    }
    assert page["briefs"] == total(data, "actor:PMF") > 0
    assert sum(m["briefs"] for m in page["timeline"]) == page["briefs"]
    for m in page["timeline"]:
        assert set(m) == {"month", "briefs", "article", "comment"}
    assert page["company"]
    for c in page["company"][:5]:
        assert set(c) == {"id", "name", "briefs", "score"}
        assert c["briefs"] == total(data, f'actor:PMF AND actor:"{c["name"]}"'), c
    aid = page["actor"]["id"]
    assert page["comment_only"] == total(data, f"actors_comment:{aid} NOT actors_article:{aid}")
    assert page["comments"]
    shown: dict[str, str] = {}
    for c in page["comments"]:
        assert set(c) == {"id", "date", "title", "text", "start", "end"}
        if c["id"] not in shown:
            brief = json.loads(run(data, "show", c["id"], "--json").stdout)
            shown[c["id"]] = _text(brief)
        assert shown[c["id"]][c["start"] : c["end"]] == c["text"]


def _text(brief: dict[str, object]) -> str:
    """The brief's decoded text, as far as the comment's end (from ``show --json``)."""
    comment, start = brief["comment"], brief["comment_start"]
    assert isinstance(comment, str) and isinstance(start, int)
    return " " * start + comment


def test_actor_plain_output_and_aliases(data: Path) -> None:
    out = run(data, "actor", "Hashd al-Shaabi").stdout
    assert out.startswith("Popular Mobilization Forces (")
    assert "BY MONTH" in out and "IN THE COMPANY OF" in out


def test_unknown_actor_is_one_line_error(data: Path) -> None:
    out = run(data, "actor", "Nobody At All", check=False)
    assert out.returncode == 1
    assert out.stderr.strip().count("\n") == 0
    assert "no actor called" in out.stderr


def test_candidates_json(data: Path) -> None:
    found = json.loads(run(data, "candidates", "--json").stdout)
    assert found
    for c in found:
        assert set(c) == {"name", "briefs", "mentions", "example"}
        assert set(c["example"]) == {"id", "text"}
        assert c["briefs"] >= 3
    glossary = json.loads(run(data, "glossary", "--json").stdout)
    known = {n.lower() for a in glossary for n in [a["name"], *a["aliases"]]}
    assert not known & {c["name"].lower() for c in found}
    fewer = json.loads(run(data, "candidates", "--min-briefs", "10", "--json").stdout)
    assert {c["name"] for c in fewer} <= {c["name"] for c in found}
    assert all(c["briefs"] >= 10 for c in fewer)
