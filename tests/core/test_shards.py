"""A bulk build's reading workers write what they read into segments of their own
(core/index/shard.py, core/extract.py): the index must hold what one process reading and
writing gives, brief for brief; a worker that dies loses nothing but the file it died on;
batches and a cancel leave an index the manifest describes and the next update completes.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path
from typing import Any

import formats_kit as kit
import pytest
from test_extract import crash_on_marked, index_contents, make_folder, no_workers_left

from briefreader.core import extract, library_update
from briefreader.core.briefdocs import FileJob, FileOutcome, read_for_update
from briefreader.core.glossary import Glossary
from briefreader.core.index import prepare_candidates, shard
from briefreader.core.library import Library


def glossary() -> Glossary:
    g = Glossary.load([])
    g.add_actor("Popular Mobilization Forces", "militia", aliases=["PMF", "Hashd"])
    g.add_actor("Hadi al-Amiri", "person", aliases=["Amiri"])
    return g


def bulk_build(root: Path, data: Path, processes: int, monkeypatch: pytest.MonkeyPatch,
               **update: Any) -> tuple[Any, dict[str, Any], dict[str, Any], Library]:  # fmt: skip
    monkeypatch.setenv(extract.PROCESSES_ENV, str(processes))
    lib = Library([root], data, glossary())
    report = lib.update(bulk=True, **update)
    manifest = json.loads(lib.index.manifest_path.read_text())
    return report, index_contents(lib), manifest, lib


def segments(lib: Library) -> list[Any]:
    return [leaf.reader().segment() for leaf, _seg in lib.index.evaluator().leaves]


def test_workers_write_what_one_process_writes(
    qapp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_folder(tmp_path / "corpus", pdfs=True)
    here, here_docs, here_manifest, one = bulk_build(root, tmp_path / "here", 0, monkeypatch)
    pool, pool_docs, pool_manifest, two = bulk_build(root, tmp_path / "pool", 2, monkeypatch)
    try:
        assert no_workers_left()
        assert len(here_docs) > 30
        # Brief for brief: ids, texts, actors (matched in the workers), copy keys, dates.
        assert pool_docs == here_docs
        assert any(f["actors"] for f in pool_docs.values())
        assert pool_manifest == here_manifest
        assert pool.to_json() | {"seconds": 0} == here.to_json() | {"seconds": 0}
        assert len(segments(one)) == 1 and len(segments(two)) == 2
        # Each worker's segment has its term file and its candidate names, counted as it
        # was written: nothing is left to read back after the commit.
        folder = Path(two.index.folder)
        for seg in segments(two):
            assert (folder / f"candidates-{seg.segment_id()}.json").is_file()
        assert (
            prepare_candidates(two.index, two.backend.name_finder(), two.backend.glossary_key())
            == 0
        )
        # What a worker counted as it wrote (the words written in lower case learnt by its
        # writer, not read from the texts) is what reading the stored texts back counts.
        written = {p.name: json.loads(p.read_text("utf-8")) for p in folder.glob("candidates-*")}
        assert all(count["lower"] for count in written.values())
        for path in folder.glob("candidates-*"):
            path.unlink()
        finder, key = two.backend.name_finder(), two.backend.glossary_key()
        assert prepare_candidates(two.index, finder, key) == len(written)
        read = {p.name: json.loads(p.read_text("utf-8")) for p in folder.glob("candidates-*")}
        assert read == written
        found = {(c.name, c.briefs, c.mentions) for c in two.workbench.candidates(min_briefs=2)}
        assert found == {
            (c.name, c.briefs, c.mentions) for c in one.workbench.candidates(min_briefs=2)
        }
        for query in ("Hashd", "Amiri NOT Sadr", '"Popular Mobilization"', "comment:pressure"):
            a, b = one.search(query, limit=100), two.search(query, limit=100)
            assert a.total == b.total and a.total > 0
            # The same briefs with the same scores (exact ties may stand in another order);
            # a group of copies of equal score is shown by the same place in both builds,
            # whatever their document numbers.
            assert sorted((h.id, h.copies, round(h.score, 9)) for h in a.hits) == sorted(
                (h.id, h.copies, round(h.score, 9)) for h in b.hits
            )
            assert any(h.copies for h in a.hits)
    finally:
        one.close()
        two.close()


def test_a_worker_that_dies_loses_only_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Its segment, not yet closed, held other files: they are read and written again by
    another worker before the commit, each once."""
    root = make_folder(tmp_path / "corpus")
    kit.make_html(root / "pages", "crash-me.html", title="Never indexed")
    monkeypatch.setattr(extract, "read_for_update", crash_on_marked)
    with caplog.at_level("WARNING", logger="briefreader.core.extract"):
        report, docs, manifest, lib = bulk_build(root, tmp_path / "pool", 2, monkeypatch)
    try:
        assert no_workers_left()
        assert any("read again" in r.getMessage() for r in caplog.records)
        [line] = [p for p in report.problems if "crash-me" in p.path]
        assert "the reader stopped on this file" in line.reason
        s = lib.index.searcher()
        ids = [f["id"] for f in s.all_stored_fields()]
        assert len(ids) == len(set(ids))  # nothing written twice
    finally:
        lib.close()
    monkeypatch.setattr(extract, "read_for_update", extract.read_for_update)
    _r, expected, expected_manifest, here = bulk_build(root, tmp_path / "here", 0, monkeypatch)
    here.close()
    assert docs == {k: v for k, v in expected.items() if k != "pages/crash-me.html"}
    assert set(manifest) == set(expected_manifest) - {str(root / "pages" / "crash-me.html")}


def test_batches_commit_every_workers_segment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_folder(tmp_path / "corpus")
    monkeypatch.setattr(library_update, "BULK_BATCH", 12)
    monkeypatch.setattr(library_update, "BULK_BATCH_MAX", 12)
    # Read ahead no further than a file or two: each commit then finds new briefs in the
    # workers' segments (with the default, the first commit may find them all written).
    monkeypatch.setattr(extract, "AHEAD_WRITING", 2)
    _r, docs, manifest, lib = bulk_build(root, tmp_path / "pool", 2, monkeypatch)
    try:
        segs = segments(lib)
        assert len(segs) >= 3  # several commits, a segment a worker each
        assert sum(seg.doc_count_all() for seg in segs) == len(docs)
        # No file of a segment the table of contents does not name is left behind.
        names = {seg.segment_id() for seg in segs}
        folder = Path(lib.index.folder)
        left = {p.name.split(".")[0] for p in folder.glob("MAIN_*")} - names - {"MAIN_WRITELOCK"}
        assert not left
    finally:
        lib.close()
    _r, expected, expected_manifest, here = bulk_build(root, tmp_path / "here", 0, monkeypatch)
    here.close()
    assert docs == expected
    assert manifest == expected_manifest


def test_a_cancelled_bulk_build_is_completed_by_the_next_update(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_folder(tmp_path / "corpus")
    seen: list[int] = []
    report, docs, manifest, lib = bulk_build(
        root, tmp_path / "pool", 2, monkeypatch,
        progress=lambda done, _total, _path: seen.append(done), cancel=lambda: len(seen) >= 8,
    )  # fmt: skip
    try:
        assert no_workers_left()
        assert report.added > 0 and len(seen) == 8
        # Every file the manifest names has all its briefs in the index; files read ahead
        # of the cancel may be in the index without it (redone, never doubled, next time).
        keys = [f["key"] for f in docs.values()]
        for key, entry in manifest.items():
            items = entry[5] if len(entry) > 5 else 1
            assert keys.count(key) == items
        again = lib.update(bulk=True)
        assert again.added + again.updated + again.unchanged + again.rematched > 0
        complete = index_contents(lib)
        s = lib.index.searcher()
        ids = [f["id"] for f in s.all_stored_fields()]
        assert len(ids) == len(set(ids))
    finally:
        lib.close()
    _r, expected, _m, here = bulk_build(root, tmp_path / "here", 0, monkeypatch)
    here.close()
    assert complete == expected


def read_with_a_failing_disk(job: FileJob, sink: Any = None, progress: Any = None) -> FileOutcome:
    """A reader whose worker cannot write its segment (a full disk): its flush raises."""
    if multiprocessing.parent_process() is not None:

        def full(_self: object) -> None:
            raise OSError(28, "No space left on device")

        shard.ShardWriter.flush = full  # type: ignore[method-assign]
    return read_for_update(job, sink, progress)


def read_with_a_dying_writer(job: FileJob, sink: Any = None, progress: Any = None) -> FileOutcome:
    """A reader whose worker ends whenever it is asked to close its segment."""
    if multiprocessing.parent_process() is not None:

        def die(_self: object) -> None:
            os._exit(9)

        shard.ShardWriter.flush = die  # type: ignore[method-assign]
    return read_for_update(job, sink, progress)


@pytest.mark.parametrize(
    ("reader", "error"),
    [(read_with_a_failing_disk, "could not be written"), (read_with_a_dying_writer, "ended")],
    ids=["full disk", "worker always ends"],
)
def test_a_segment_that_cannot_be_written_stops_the_update_and_keeps_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: Any, error: str
) -> None:
    root = make_folder(tmp_path / "corpus")
    _r, before, manifest, lib = bulk_build(root, tmp_path / "data", 2, monkeypatch)
    lib.close()
    more = root / "more"
    more.mkdir()
    for n in range(30):
        kit.make_html(more, f"late{n}.html", title=f"Late page {n}")
    monkeypatch.setattr(extract, "read_for_update", reader)
    lib = Library([root], tmp_path / "data", glossary())
    try:
        with pytest.raises((OSError, RuntimeError), match=error):
            lib.update(bulk=True)
        assert no_workers_left()
        # Nothing of the failed batch was committed; what was there is there, undamaged.
        assert index_contents(lib) == before
        assert json.loads(lib.index.manifest_path.read_text()) == manifest
        monkeypatch.setattr(extract, "read_for_update", read_for_update)
        again = lib.update(bulk=True)
        assert again.added == 30 and lib.index.rebuilt_reason is None
    finally:
        lib.close()


def read_with_small_segments(job: FileJob, sink: Any = None, progress: Any = None) -> FileOutcome:
    """The real reader, in a worker whose segments close every few thousand tokens."""
    if multiprocessing.parent_process() is not None:
        shard.ROLL_TOKENS = 2_000
    return read_for_update(job, sink, progress)


def test_a_large_mailbox_is_written_as_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its messages go from the reader to a worker's segment a message at a time, and the
    segment is closed and another begun as it grows: memory bounded by the segment, not by
    the mailbox."""
    root = tmp_path / "corpus"
    root.mkdir()
    words = " ".join(f"word{n}" for n in range(120))
    messages = [
        kit.message(
            subject=f"Item {n} on the Hashd",
            text=f"{kit.ARTICLE} {words} {n}.\n\nComment: {kit.COMMENT}\n",
        )  # fmt: skip
        for n in range(150)
    ]
    kit.make_mbox(root, messages, name="big.mbox")
    monkeypatch.setattr(library_update, "STREAM_FROM", 1)  # "large": any size, here
    monkeypatch.setattr(extract, "read_for_update", read_with_small_segments)
    monkeypatch.setenv(extract.PROCESSES_ENV, "2")
    lib = Library([root], tmp_path / "data", glossary())
    try:
        report = lib.update()  # bulk, one file: a worker all the same
        assert report.added == 150
        assert len(segments(lib)) >= 4  # closed and begun again while the file was read
        docs = index_contents(lib)
        manifest = json.loads(lib.index.manifest_path.read_text())
        assert lib.search("Hashd", limit=5).total == 150
    finally:
        lib.close()
    monkeypatch.setattr(extract, "read_for_update", read_for_update)
    _r, expected, expected_manifest, here = bulk_build(root, tmp_path / "here", 0, monkeypatch)
    here.close()
    assert docs == expected
    assert manifest == expected_manifest


def never_ready(_conn: Any) -> None:
    """A worker that ends before it says it is ready (a broken build, a process limit)."""
    os._exit(1)


def test_workers_that_cannot_start_leave_the_build_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_folder(tmp_path / "corpus")

    def start(pool: Any) -> Any:
        ours, theirs = pool.context.Pipe(duplex=True)
        process = pool.context.Process(target=never_ready, args=(theirs,), daemon=True)
        process.start()
        theirs.close()
        return extract._Worker(process, ours)

    monkeypatch.setattr(extract._Pool, "_start", start)
    report, docs, manifest, lib = bulk_build(root, tmp_path / "data", 2, monkeypatch)
    lib.close()
    monkeypatch.undo()
    _r, expected, expected_manifest, here = bulk_build(root, tmp_path / "here", 0, monkeypatch)
    here.close()
    assert docs == expected and len(docs) > 30
    assert manifest == expected_manifest
    assert report.added == len(expected)
