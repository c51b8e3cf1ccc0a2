"""The relevance gate (benchmarks/relevance.py --check): what makes it fail."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import relevance

ROOT = Path(__file__).resolve().parents[2]
BASELINE = {"floor": {"map": 0.30}, "recorded": {"map": 0.34}, "tolerance": 0.01, "min_ratio": 1.1}


def _res(ours: float, base: float, partial: int = 0) -> dict[str, object]:
    return {
        "ours": {"map": ours},
        "baseline": {"map": base},
        "partial_deep": list(range(partial)),
        "partial_page": [],
    }


def test_a_run_at_the_recorded_figures_passes() -> None:
    assert relevance.check(_res(0.34, 0.30), BASELINE) == []


@pytest.mark.parametrize(
    ("ours", "base", "partial", "reason"),
    [
        (0.29, 0.20, 0, "below the floor"),
        (0.32, 0.20, 0, "below the recorded"),
        (0.34, 0.32, 0, "same-run BM25"),  # holds the figure, but not against the baseline
        (0.34, 0.30, 1, "partial"),
    ],
)
def test_the_gate_fails_for_each_reason(
    ours: float, base: float, partial: int, reason: str
) -> None:
    failures = relevance.check(_res(ours, base, partial), BASELINE)
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


def test_the_floor_is_compared_at_the_four_decimals_it_is_recorded_with() -> None:
    gate = {"floor": {"map": 0.3445}, "recorded": {"map": 0.3445}, "tolerance": 0.01}
    assert relevance.check(_res(0.34449, 0.30), gate) == []  # 0.3445 at four decimals
    assert any("below the floor" in f for f in relevance.check(_res(0.34444, 0.30), gate))
