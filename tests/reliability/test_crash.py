"""Crash safety: SIGKILL the real indexer at many points, then reopen and resume.

A subprocess (``kill_driver.py``) runs ``Library.update`` on a few hundred small synthetic
briefs and kills itself at its N-th event (index file created/renamed/deleted, atomic
replace, every 25th brief). After each kill the index must open without being rebuilt, hold
each brief at its old or new version (never half-indexed, never twice), keep a manifest that
claims nothing the index lacks, and a resumed update must equal a clean build.

``BRIEFREADER_KILL_POINTS`` sets the kill points per scenario (4 scenarios; CI: 5 each) and
``BRIEFREADER_KILL_SEED`` which ones; by hand, e.g. ``BRIEFREADER_KILL_POINTS=60``.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index

from briefreader import paths
from briefreader.core.brief import BriefError
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library
from briefreader.core.parse import BRIEF_SUFFIXES, parse_bytes

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DRIVER = HERE / "kill_driver.py"
KILL_POINTS = int(os.environ.get("BRIEFREADER_KILL_POINTS", "5"))
#: Another seed picks other kill points (the failing point is named in the message).
SEED = int(os.environ.get("BRIEFREADER_KILL_SEED", "1"))
BRIEFS = 200
#: Synthetic briefs cut short: Whoosh's commit cost grows with distinct words.
BRIEF_BYTES = 450

Doc = tuple[str, str, str]  # title, article, comment


@dataclass
class Setup:
    corpus: Path
    template: Path  # a data folder with the corpus's first version indexed
    new: dict[str, bytes]  # key -> bytes now on disk
    old: dict[str, bytes]  # key -> bytes the template indexed
    reference: dict[str, Any]  # snapshot of a clean build of the corpus as it is now


def _expected(key: str, data: bytes, corpus: Path) -> Doc | None:
    try:
        b = parse_bytes(data, brief_id=Path(key).relative_to(corpus).as_posix(), path=Path(key))
    except BriefError:
        return None
    return (b.title, b.article, b.comment or "")


def snapshot(data: Path, corpus: Path) -> dict[str, Any]:
    """Every live document (key -> stored fields) and the manifest, for comparison."""
    lib = Library([corpus], data, Glossary.load([]))
    lib.index.open(create=False)
    reader = lib.index.searcher().reader()
    docs: dict[str, dict[str, Any]] = {}
    duplicates = []
    for _num, stored in reader.iter_docs():
        if stored["key"] in docs:
            duplicates.append(stored["key"])
        docs[stored["key"]] = stored
    manifest = {k: e.sha256 for k, e in lib.index.read_manifest().items()}
    lib.close()
    return {"docs": docs, "manifest": manifest, "duplicates": duplicates}


def _brief_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*") if p.suffix in BRIEF_SUFFIXES)


def _generate(corpus: Path) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from synth import generate
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    for path in generate(corpus, BRIEFS, seed=6):
        path.write_bytes(path.read_bytes()[:BRIEF_BYTES])  # small briefs: many kills stay cheap


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    base = tmp_path_factory.mktemp("crash")
    corpus = base / "corpus"
    _generate(corpus)
    files = _brief_files(corpus)
    old = {str(p): p.read_bytes() for p in files}
    template = base / "template"
    lib = Library([corpus], template, Glossary.load([]))
    lib.update(bulk=False)
    lib.close()
    # The second version: some briefs changed, some deleted, some added.
    rng = random.Random(66)
    for p in rng.sample(files, 25):
        p.write_bytes(p.read_bytes().replace(b"\n\n", b"\n\nRevised after new reports. ", 1))
    for p in rng.sample([f for f in files if f.read_bytes() == old[str(f)]], 15):
        p.unlink()
    for i in range(20):
        (corpus / "added" / f"2024-05-{i + 1:02d}_new-{i}.md").parent.mkdir(exist_ok=True)
        (corpus / "added" / f"2024-05-{i + 1:02d}_new-{i}.md").write_text(
            f"Title: Added brief {i}\nDate: 2024-05-{i + 1:02d}\n\nNew text number {i}.\n"
        )
    new = {str(p): p.read_bytes() for p in _brief_files(corpus)}
    clean = base / "clean"
    lib = Library([corpus], clean, Glossary.load([]))
    lib.update(bulk=False)
    lib.close()
    return Setup(corpus, template, new, old, snapshot(clean, corpus))


def run_driver(data: Path, corpus: Path, mode: str, kill_at: int = 0) -> tuple[int, str]:
    """Run the driver in its own process group; make sure nothing of it outlives the call.

    Returns (exit status, stdout). Helpers forked by the bulk writer must die with their
    parent: if any survive a few seconds, the test fails (and they are killed).
    """
    env = dict(os.environ, BRIEFREADER_KILL_AT=str(kill_at))
    proc = subprocess.Popen(
        [sys.executable, str(DRIVER), str(data), str(corpus), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    survivors = _wait_group_gone(proc.pid)
    if survivors:
        os.killpg(proc.pid, signal.SIGKILL)
        raise AssertionError(f"indexer helpers outlived the killed indexer (kill at {kill_at})")
    if kill_at == 0:
        assert proc.returncode == 0, err
    return proc.returncode, out


def _wait_group_gone(pgid: int, limit: float = 10.0) -> bool:
    """Poll (a bounded wait, not a speed check) until no process of the group is left."""
    deadline = time.monotonic() + limit
    while True:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        if time.monotonic() > deadline:
            return True
        time.sleep(0.05)


def check_consistent(setup: Setup, data: Path, *, incremental: bool, where: str) -> None:
    snap = snapshot(data, setup.corpus)
    assert snap["duplicates"] == [], f"{where}: indexed twice: {snap['duplicates'][:3]}"
    for key, stored in snap["docs"].items():
        got = (stored["title"], stored["article"], stored["comment"])
        allowed = []
        if key in setup.new:
            allowed.append(("new", setup.new[key]))
        if incremental and key in setup.old:
            allowed.append(("old", setup.old[key]))
        versions = {_expected(key, data_, setup.corpus): label for label, data_ in allowed}
        assert got in versions, f"{where}: {key} matches neither its old nor its new version"
        # The manifest may lag behind the index, never run ahead of it.
        sha = snap["manifest"].get(key)
        if sha is not None:
            label = versions[got]
            version = setup.new[key] if label == "new" else setup.old[key]
            assert sha == hashlib.sha256(version).hexdigest() or (
                setup.new.get(key) == setup.old.get(key)
            ), f"{where}: the manifest claims a version of {key} the index does not hold"
    claimed = set(snap["manifest"]) - set(snap["docs"])
    assert not claimed, f"{where}: the manifest claims unindexed files: {sorted(claimed)[:3]}"
    if incremental:
        # Only briefs the update touched may be missing (a bulk update deletes before adding).
        missing = {k for k in setup.old if k not in snap["docs"] and k in setup.new}
        touched = {k for k in missing if setup.old[k] != setup.new[k]}
        assert missing <= touched, f"{where}: unchanged briefs were lost: {sorted(missing)[:3]}"


def _kill_points(total: int, before_manifest: list[int], seed: int) -> list[int]:
    """KILL_POINTS events: the last two just before a manifest write, the rest at random."""
    rng = random.Random(seed)
    chosen = set(before_manifest[-2:][:KILL_POINTS])
    rest = [e for e in range(1, total + 1) if e not in chosen]
    chosen.update(rng.sample(rest, min(KILL_POINTS - len(chosen), len(rest))))
    return sorted(chosen)


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("incremental", [False, True], ids=["build", "update"])
@pytest.mark.parametrize("mode", ["single", "bulk"])
def test_kill_and_resume(setup: Setup, tmp_path: Path, mode: str, incremental: bool) -> None:
    def fresh(name: str) -> Path:
        data = tmp_path / name
        if incremental:
            shutil.copytree(setup.template, data)
        return data

    # A run to the end counts the events, so kill points cover the whole update.
    _status, out = run_driver(fresh("count"), setup.corpus, mode)
    total, _indexed, *before_manifest = map(int, out.split())
    points = _kill_points(
        total, before_manifest, seed=zlib.crc32(f"{SEED}-{mode}-{incremental}".encode())
    )

    def kill_check_resume(point: int) -> None:
        where = f"{mode} {'update' if incremental else 'build'} killed at event {point}/{total}"
        data = fresh(f"kill-{point}")
        status, _ = run_driver(data, setup.corpus, mode, kill_at=point)
        assert status == -signal.SIGKILL, f"{where}: the driver was not killed ({status})"
        folder = paths.index_dir(data, [setup.corpus])
        if whoosh_index.exists_in(str(folder)):  # killed before the index existed: no check
            check_consistent(setup, data, incremental=incremental, where=where)
        if incremental:
            lib = Library([setup.corpus], data, Glossary.load([]))
            lib.index.open()
            assert lib.index.rebuilt_reason is None, f"{where}: {lib.index.rebuilt_reason}"
            lib.close()
        # Resume the way it was killed (the bulk writer adds without replacing: a brief the
        # manifest lost track of would be indexed twice if the library did not notice).
        run_driver(data, setup.corpus, mode)
        resumed = snapshot(data, setup.corpus)
        assert resumed["duplicates"] == [], where
        assert resumed["docs"] == setup.reference["docs"], f"{where}: resumed != clean build"
        assert resumed["manifest"] == setup.reference["manifest"], where

    # Two at a time: the machine has two cores, and each kill is mostly a subprocess.
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(kill_check_resume, points))
