"""``python -m briefreader`` on a Python that behaves as Windows' does: ``spawn`` the default
start method and ``fork`` refused (tests/nofork/sitecustomize.py on PYTHONPATH).

A bulk build (from BULK_THRESHOLD files: spawned reading workers that write segments of
their own, the term-file and candidate-name pools) gives the index a build with fork gives:
the same briefs, the same answers to the same searches; and the smoke test passes.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from briefreader.core import processes
from briefreader.core.library import BULK_THRESHOLD

REPO = Path(__file__).resolve().parents[2]
NOFORK = REPO / "tests" / "nofork"
SYNTH_PATH = REPO / "benchmarks" / "synth.py"
QUERIES = ("minister", "hezbollah iraq", '"popular mobilization"', "Qaani OR Sadr", "sadr -qaani")


def _load_synth() -> ModuleType:
    spec = importlib.util.spec_from_file_location("briefreader_bench_synth", SYNTH_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _env(*, no_fork: bool) -> dict[str, str]:
    """This environment with fork refused, or with every trace of that removed."""
    env = {k: v for k, v in os.environ.items() if k not in ("BRIEFREADER_NO_FORK",)}
    env.pop(processes.START_METHOD_ENV, None)
    kept = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and Path(p) != NOFORK]
    if no_fork:
        kept.insert(0, str(NOFORK))
    if kept:
        env["PYTHONPATH"] = os.pathsep.join(kept)
    else:
        env.pop("PYTHONPATH", None)
    return env


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "briefreader", *args],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def _answers(data: Path, env: dict[str, str]) -> dict[str, tuple[int, list[tuple[float, str]]]]:
    out = {}
    for query in QUERIES:
        got = json.loads(
            _run(["--data-dir", str(data), "search", query, "--json", "--limit", "50"], env)
        )
        hits = sorted((round(float(h["score"]), 5), h["id"]) for h in got["hits"])
        out[query] = (int(got["total"]), hits)
    return out


def test_the_python_below_refuses_fork() -> None:
    """The environment the tests below give the app is what they claim."""
    code = (
        "import multiprocessing as m\n"
        "try:\n    m.get_context('fork'); print('fork')\n"
        "except ValueError:\n    print('refused', m.get_start_method())\n"
    )
    for no_fork, expected in ((True, "refused spawn"), (False, "fork")):
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True,
            env=_env(no_fork=no_fork), timeout=60, check=True,
        )  # fmt: skip
        if not no_fork and not sys.platform.startswith("linux"):
            continue
        assert done.stdout.strip() == expected


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.skipif(
    os.environ.get("BRIEFREADER_NO_FORK") == "1",
    reason="builds both ways itself: run once, in the run where fork is allowed",
)
def test_a_bulk_build_with_fork_refused_equals_one_with_fork(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _load_synth().generate(corpus, BULK_THRESHOLD + 20, seed=3)
    builds = {}
    started = tmp_path / "started.log"  # a line from each Python started with fork refused
    for name, no_fork in (("spawn", True), ("fork", False)):
        env = dict(_env(no_fork=no_fork), BRIEFREADER_NO_FORK_LOG=str(started))
        data = tmp_path / name
        report = json.loads(_run(["--data-dir", str(data), "index", str(corpus), "--json"], env))
        assert report["added"] == BULK_THRESHOLD + 20 and not report["skipped"], report
        # Every file with its size, time, content hash and brief id.
        manifest = json.loads((Path(report["index"]) / "manifest.json").read_text("utf-8"))
        assert len(manifest) == BULK_THRESHOLD + 20
        # Bulk built: one segment, its term file written with it (core/index/segwriter.py).
        terms = sorted(p.name for p in data.rglob("*.terms"))
        assert len(terms) >= 1, terms
        names = json.loads(_run(["--data-dir", str(data), "candidates", "--json"], env))
        counts = sorted((c["name"], c["briefs"], c["mentions"]) for c in names)
        builds[name] = (manifest, _answers(data, env), len(terms), counts)
    # Whatever helpers the spawn build started were spawned (text briefs need no reading
    # worker, and the bulk writer works in the updating process); the fork build left no
    # line.
    lines = started.read_text("utf-8").splitlines() if started.exists() else []
    assert not any(str(tmp_path / "fork") in line for line in lines)
    assert builds["spawn"] == builds["fork"]
    assert all(total > 0 for total, _hits in builds["spawn"][1].values())
    assert builds["spawn"][3]


def test_the_smoke_test_passes_with_fork_refused(tmp_path: Path) -> None:
    env = dict(_env(no_fork=True), HOME=str(tmp_path))
    env.pop("QT_QPA_PLATFORM", None)
    out = _run(["--smoke"], env)
    lines = out.splitlines()
    # The bulk writer works in the updating process (core/index/segwriter.py); the helper
    # processes a frozen app must start are the format readers', always spawned.
    assert "by the bulk writer" in next(x for x in lines if x.startswith("ok  index"))
    assert "worker process" in next(x for x in lines if x.startswith("ok  formats"))
    assert out.rstrip().endswith("smoke test passed")
