"""The window's indexer child: `briefreader index --progress-json` run by Workers.

Indexing in a thread holds the GIL and stalls the window; a child process does not. These
tests check the plumbing: progress arrives, the report is rebuilt, a reader opens, and a child
that fails says why.
"""

from __future__ import annotations

from pathlib import Path

from briefreader.core.library import Library
from briefreader.ui.workers import Workers


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
