"""The window's indexer child: `briefreader index --progress-json` run by Workers.

Indexing in a thread holds the GIL and stalls the window; a child process does not. These
tests check the plumbing: progress arrives, the report is rebuilt, a reader opens, and a child
that fails says why.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import sys
from pathlib import Path

import pytest

from briefreader.core.library import BULK_THRESHOLD, Library
from briefreader.ui.workers import Workers

REPO = Path(__file__).resolve().parents[2]


def test_child_indexes_and_reports(
    qtbot, corpus: Path, glossary_file: Path, _data_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    lib = Library.open([corpus], data_dir=_data_dir, glossary_files=[glossary_file])
    workers = Workers(lib, index_in_child=True)
    progress: list[tuple[int, int]] = []
    workers.indexProgress.connect(lambda done, total, _p: progress.append((done, total)))
    with qtbot.waitSignal(workers.indexFinished, timeout=60000) as blocker:
        workers.update_index()
        assert workers.indexing and workers.busy
    report = blocker.args[0]
    assert report.added == 4 and report.indexed == 4 and not report.skipped
    assert progress and progress[-1] == (4, 4)
    qtbot.waitUntil(lambda: workers.reader is not None, timeout=20000)
    assert workers.reader is not None
    res = workers.reader.search("Suleimani")
    assert res.total >= 2
    # The child used the extra glossary: the actor is in the index.
    assert "qassem-suleimani" in workers.reader.actor_counts()
    assert not workers.indexing
    workers.shutdown()
    workers.reader.close()
    lib.close()


def test_child_failure_is_reported(qtbot, tmp_path: Path, _data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    lib = Library.open([tmp_path / "missing"], data_dir=_data_dir)
    workers = Workers(lib, index_in_child=True)
    with qtbot.waitSignal(workers.indexFailed, timeout=60000) as blocker:
        workers.update_index()
    assert "corpus folder not found" in blocker.args[0]
    assert not workers.indexing and not workers.busy
    workers.shutdown()
    lib.close()


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_child_bulk_builds_with_fork_refused(
    qtbot, tmp_path: Path, _data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The window's first index of a large folder on a Python that behaves as Windows' does
    (spawn the default, fork refused: tests/nofork): the child is spawned, builds with the
    bulk writer, and the window gets its report and searches the index."""
    spec = importlib.util.spec_from_file_location("synth_for_ui", REPO / "benchmarks" / "synth.py")
    assert spec is not None and spec.loader is not None
    synth = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = synth
    spec.loader.exec_module(synth)
    count = BULK_THRESHOLD + 10
    corpus = tmp_path / "corpus"
    synth.generate(corpus, count, seed=5)
    nofork = str(REPO / "tests" / "nofork")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([nofork, os.environ.get("PYTHONPATH", "")]))
    started = tmp_path / "started.log"  # a line from each Python started with fork refused
    monkeypatch.setenv("BRIEFREADER_NO_FORK_LOG", str(started))
    lib = Library.open([corpus], data_dir=_data_dir)
    workers = Workers(lib, index_in_child=True)
    progress: list[tuple[int, int]] = []
    workers.indexProgress.connect(lambda done, total, _p: progress.append((done, total)))
    failed: list[str] = []
    workers.indexFailed.connect(failed.append)
    with qtbot.waitSignal(workers.indexFinished, timeout=540000) as blocker:
        workers.update_index()
    report = blocker.args[0]
    assert not failed
    assert report.added == count and not report.skipped
    assert progress[-1] == (count, count)
    # Bulk built: one segment with its term file (the bulk writer works in the child itself,
    # core/index/segwriter.py: text briefs need no reading worker and one segment no pool).
    assert len(list(lib.index.folder.rglob("*.terms"))) >= 1
    # The child was spawned.
    lines = started.read_text("utf-8").splitlines()
    assert any(" index " in line and "--progress-json" in line for line in lines)
    qtbot.waitUntil(lambda: workers.reader is not None, timeout=20000)
    assert workers.reader is not None
    assert workers.reader.search("minister").total > 0
    workers.shutdown()
    workers.reader.close()
    lib.close()


def test_the_window_reads_the_pages_the_child_prints(capsys: pytest.CaptureFixture[str]) -> None:
    """What ``index --progress-json`` prints (cli/indexing.py) is what the window reads back
    (workers.child_progress): the file, and a long file's pages or a mailbox's bytes."""
    from briefreader.cli import indexing
    from briefreader.core.extract import Part
    from briefreader.ui.workers import child_progress

    progress = indexing._progress_json(clock=itertools.count(1).__next__)  # a second a line
    told = [
        (1, 3, "/c/a.md", None),
        (2, 3, "/c/<b>report</b>.pdf", Part(412, 2000)),
        (3, 3, "/c/box.mbox", Part(1 << 20, 3 << 20, "byte")),
    ]
    for event in told:
        progress(*event)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [child_progress(line) for line in lines] == told
    assert lines[1]["page"] == 412 and lines[1]["pages"] == 2000
    # A line the window cannot read (another version's, a damaged one) is passed over.
    assert child_progress({"done": 1, "total": 3, "page": "x", "pages": 2}) is None
    assert child_progress({"done": 4, "total": 9}) == (4, 9, "", None)
