"""The relevance gate (benchmarks/relevance.py --check): what makes it fail."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import relevance

ROOT = Path(__file__).resolve().parents[2]
GATE = {"floor": {"map": 0.30}, "recorded": {"map": 0.34}, "tolerance": 0.01, "min_ratio": 1.0}


def _res(
    ours: float, fts5: float, bm25: float, partial: int = 0, empty: int = 0, shouted: int = 0
) -> dict[str, object]:
    return {
        "label": "Test",
        "ours": {"map": ours, "empty": list(range(empty))},
        "capitals": {"map": ours, "empty": list(range(shouted))},
        "fts5": {"map": fts5, "empty": []},
        "baseline": {"map": bm25, "empty": []},
        "partial_deep": list(range(partial)),
        "partial_page": [],
        "partial_capitals": [],
    }


def test_a_run_at_the_recorded_figures_passes() -> None:
    assert relevance.check(_res(0.34, 0.30, 0.31), GATE) == []


@pytest.mark.parametrize(
    ("res", "reason"),
    [
        (_res(0.29, 0.20, 0.20), "below the floor"),
        (_res(0.32, 0.20, 0.20), "below the recorded"),
        (_res(0.34, 0.35, 0.20), "same-run FTS5"),  # holds the figure, not against a peer
        (_res(0.34, 0.20, 0.36), "same-run BM25"),
        (_res(0.34, 0.30, 0.30, partial=1), "partial"),
        (_res(0.34, 0.30, 0.30, empty=1), "answered with nothing"),
        (_res(0.34, 0.30, 0.30, shouted=2), "in capitals were answered with nothing"),
    ],
)
def test_the_gate_fails_for_each_reason(res: dict[str, object], reason: str) -> None:
    failures = relevance.check(res, GATE)
    assert any(reason in f for f in failures), failures


@pytest.mark.parametrize(("ci", "code"), [("true", 1), ("", 0)])
def test_missing_data_fails_under_ci_and_skips_elsewhere(
    tmp_path: Path, ci: str, code: int
) -> None:
    env = dict(os.environ, CI=ci)
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "relevance.py"), "--data", str(tmp_path),
         "--check", str(ROOT / "benchmarks" / "relevance_baseline.json")],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert "skipped: the Cranfield collection is not in" in proc.stdout
    assert "skipped: the CISI collection is not in" in proc.stdout


def test_the_floor_is_compared_at_the_four_decimals_it_is_recorded_with() -> None:
    gate = {"floor": {"map": 0.3445}, "recorded": {"map": 0.3445}, "tolerance": 0.01}
    assert relevance.check(_res(0.34449, 0.30, 0.30), gate) == []  # 0.3445 at four decimals
    assert any("below the floor" in f for f in relevance.check(_res(0.34444, 0.30, 0.30), gate))


def test_the_baseline_file_gates_every_collection() -> None:
    baseline = json.loads((ROOT / "benchmarks" / "relevance_baseline.json").read_text("utf-8"))
    assert set(baseline["collections"]) == {c.name for c in relevance.COLLECTIONS}
    assert baseline["max_empty"] == 0 and baseline["max_partial"] == 0
    for name in baseline["collections"]:
        entry = relevance._entry(baseline, name)
        assert entry is not None and float(entry["min_ratio"]) >= 1.0


def test_the_collections_are_read_with_their_judgement_quirks(tmp_path: Path) -> None:
    cran = tmp_path / "cranfield"
    cran.mkdir()
    (cran / "cran.all.1400").write_text(".I 1\n.T\nwings\n.A\nX\n.W\nlift of wings\n")
    (cran / "cran.qry").write_text(".I 001\n.W\nwings ?\n.I 004\n.W\nlift\n")
    (cran / "cranqrel").write_text("2 1 2\n1 1 -1\n")
    got = relevance.load_cranfield(cran)
    assert got.questions == [(1, "wings ?"), (2, "lift")]  # numbered by position
    assert got.qrels == {2: {1: 3}}  # -1 is not relevant; code 2 is gain 3
    cisi = tmp_path / "cisi"
    cisi.mkdir()
    (cisi / "CISI.ALL").write_text(".I 1\n.T\nIndexing\n.A\nSmith, J.\n.W\nText.\n.X\n1 5 1\n")
    (cisi / "CISI.QRY").write_text(".I 7\n.T\nA title\n.W\nWhat of indexing?\n")
    (cisi / "CISI.REL").write_text("     7     1\t0\t0.000000\n")
    got = relevance.load_cisi(cisi)
    assert got.questions == [(7, "What of indexing?")]  # numbered by .I, the .W only
    assert got.qrels == {7: {1: 1}}
    assert relevance.doc_text(got.docs[0]) == "Indexing Smith, J. Text."
