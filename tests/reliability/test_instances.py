"""Two instances: a second one never corrupts the index; it waits or reads.

The real entry point runs in subprocesses while this test process holds the update lock,
as a first instance busy indexing would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from briefreader import paths
from briefreader.core import index as bix
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library

BRIEF = "Title: Brief {n}\nDate: 2020-01-0{n}\n\nA drone strike near Baghdad, report {n}.\n"


def _cli(data: Path, *args: str, wait: float = 0.3) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, BRIEFREADER_DATA_DIR=str(data), BRIEFREADER_LOCK_TIMEOUT=str(wait))
    return subprocess.run(
        [sys.executable, "-m", "briefreader", "--data-dir", str(data), *args],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for n in range(1, 7):
        (folder / f"2020-01-0{n}_brief.md").write_text(BRIEF.format(n=n), "utf-8")
    return folder


def _state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.mark.timeout(120)
def test_second_instance_while_the_first_indexes(corpus: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert _cli(data, "index", str(corpus)).returncode == 0
    folder = paths.index_dir(data, [corpus.resolve()])
    (corpus / "2020-01-09_late.md").write_text(BRIEF.format(n=9), "utf-8")
    first = bix.BriefIndex(folder)
    with first.locked():  # the first instance is indexing
        before = _state(folder)
        busy = _cli(data, "index", str(corpus))
        assert busy.returncode == 1
        assert busy.stderr.strip().splitlines() == [
            "briefreader: another briefreader is updating this index; try again when it has"
            " finished"
        ]
        found = _cli(data, "search", "drone", "--json")
        assert found.returncode == 0, found.stderr
        assert len(json.loads(found.stdout)["hits"]) == 6  # the index as it is: read-only
        assert _state(folder) == before, "the second instance wrote to the index"
    # The first one done, the next update picks up what changed.
    after = _cli(data, "index", str(corpus))
    assert after.returncode == 0 and "1 new" in after.stdout


@pytest.mark.timeout(120)
def test_two_builds_at_once_give_one_sound_index(corpus: Path, tmp_path: Path) -> None:
    """Both start on an empty data folder: one builds, the other waits its turn (or says
    why not); the index equals a build made alone."""
    data = tmp_path / "data"
    env = dict(os.environ, BRIEFREADER_DATA_DIR=str(data), BRIEFREADER_LOCK_TIMEOUT="30")
    cmd = [sys.executable, "-m", "briefreader", "--data-dir", str(data), "index", str(corpus)]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]  # fmt: skip
    results = [p.communicate(timeout=100) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    added = sorted(int(out.split(" new")[0].rsplit(" ", 1)[-1]) for out, _err in results)
    assert added == [0, 6], results
    lib = Library([corpus], data, Glossary.load([]))
    reader = lib.index
    reader.open(create=False)
    keys = [s["key"] for _n, s in reader.searcher().reader().iter_docs()]
    assert sorted(keys) == sorted(str(p) for p in corpus.resolve().iterdir())
    lib.close()


def test_a_read_only_library_never_writes(corpus: Path, tmp_path: Path) -> None:
    lib = Library([corpus], tmp_path / "data", Glossary.load([]))
    lib.update()
    reader = lib.reader()
    with pytest.raises(RuntimeError, match="read-only"):
        reader.update()
    assert len(reader.search("drone").hits) == 6
    reader.close()
    lib.close()
