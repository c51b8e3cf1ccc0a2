"""Files read in worker processes (core/extract.py) while the index is written.

What the workers read must be what reading in the updating process gives (same ids, same
texts, same report); a file that fails or kills its worker is one line in the report and the
rest are indexed; a cancel leaves a consistent index that the next update completes; the
workers are spawned, never forked, and end with their parent.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import formats_kit as kit
import pytest

from briefreader.core import briefdocs, copies, extract
from briefreader.core.briefdocs import FileJob, read_for_update
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library

REPO = Path(__file__).resolve().parents[2]


def make_folder(root: Path, *, pdfs: bool = False) -> Path:
    """A mixed folder: text briefs and digests, web pages, Word files, emails, a mailbox; more
    files for the format readers than the pool's threshold."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "roundup.txt").write_text(kit.ROUNDUP_DATED, "utf-8")
    (root / "single.md").write_text(kit.SINGLE, "utf-8")
    (root / "headed.md").write_text(kit.ROUNDUP_HEADED, "utf-8")
    pages = root / "pages"
    pages.mkdir()
    for n in range(10):
        kit.make_html(pages, f"page{n}.html", title=f"Page {n} on the Hashd", site=f"Site {n}")
    kit.make_docx(root, "brief.docx")
    for n in range(3):
        blocks = [("h2", f"Export item {n} {k}") for k in range(3)]
        blocks = [b for h in blocks for b in (h, ("p", f"Rudaw, {10 + n} March 2019"),
                                              ("p", kit.ARTICLE))]  # fmt: skip
        kit.make_docx(root, f"export{n}.docx", title="Export", blocks=blocks)
    mail = root / "mail"
    mail.mkdir()
    for n in range(4):
        kit.make_eml(mail, f"m{n}.eml", subject=f"Message {n} about Amiri")
    kit.make_eml(mail, "roundup.eml", subject="Daily round-up", text=kit.ROUNDUP_DATED)
    kit.make_mbox(mail, [kit.message(subject=f"List item {n}") for n in range(6)])
    (root / "broken.docx").write_bytes(b"PK\x03\x04 not a word file")
    if pdfs:
        kit.make_pdf(root, "one.pdf")
        kit.make_pdf(root, "digest.pdf", pages=[kit.ROUNDUP_DATED, kit.ROUNDUP_DATED])
    return root


def others(root: Path) -> int:
    return sum(1 for p in root.rglob("*") if p.is_file() and p.suffix not in (".md", ".txt"))


def index_contents(lib: Library) -> dict[str, dict[str, Any]]:
    """Every brief the index holds, by id: its stored fields (no file read)."""
    s = lib.index.searcher()
    return {fields["id"]: dict(fields) for fields in s.all_stored_fields()}


def build(root: Path, data: Path, processes: int, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv(extract.PROCESSES_ENV, str(processes))
    lib = Library([root], data, Glossary.load([]))
    try:
        report = lib.update(bulk=False)
        return report, index_contents(lib), json.loads(lib.index.manifest_path.read_text())
    finally:
        lib.close()


def no_workers_left() -> bool:
    return not [p for p in multiprocessing.active_children() if p.name == "briefreader-reader"]


# -- the same as reading here ----------------------------------------------------------------


def test_the_pool_gives_what_reading_here_gives(
    qapp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_folder(tmp_path / "corpus", pdfs=True)
    assert others(root) >= extract.MIN_POOL_FILES
    here, here_docs, here_manifest = build(root, tmp_path / "here", 0, monkeypatch)
    pool, pool_docs, pool_manifest = build(root, tmp_path / "pool", 2, monkeypatch)
    assert no_workers_left()
    assert len(here_docs) > 30
    assert pool_docs == here_docs  # same ids, titles, texts, actors, dates, provenance
    assert pool_manifest == here_manifest
    assert pool.to_json() | {"seconds": 0} == here.to_json() | {"seconds": 0}
    assert "pages/page3.html" in pool_docs and "digest.pdf#6" in pool_docs
    assert any("broken.docx" in p.path for p in pool.skipped)


def test_outcomes_come_back_in_order_whatever_the_workers_finish_first(tmp_path: Path) -> None:
    root = make_folder(tmp_path / "corpus")
    files = sorted(p for p in root.rglob("*") if p.is_file())
    jobs = [FileJob(p, p.name) for p in files]
    with extract.outcomes(jobs, processes=3) as got:
        pooled = list(got)
    assert pooled == [read_for_update(job) for job in jobs]
    assert no_workers_left()


def test_the_workers_take_the_copy_fingerprints_of_what_they_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The updating process is the busier one: the workers take the fingerprints of the
    briefs they read (core/copies.py), and the writer gets the same ones without taking
    them again."""
    root = make_folder(tmp_path / "corpus")
    long_text = [f"{kit.ARTICLE} Paragraph {n} of a long article." for n in range(6)]
    kit.make_html(root / "pages", "long.html", paragraphs=long_text)
    jobs = [FileJob(p, p.name) for p in sorted(root.rglob("*")) if p.is_file()]
    taken_here: list[str] = []
    real = copies.take_fingerprint

    def spy(article: str) -> Any:
        taken_here.append(article)
        return real(article)

    with extract.outcomes(jobs, processes=2) as got:
        read = list(got)
        monkeypatch.setattr(copies, "take_fingerprint", spy)  # here: the workers have started
        worker_briefs = [
            b
            for job, o in zip(jobs, read, strict=True)
            if extract.pooled(job)
            for b in o.briefs or ()
        ]
        assert len(worker_briefs) > 10
        prints = [copies.fingerprint(b.article) for b in worker_briefs]
    assert prints == [real(b.article) for b in worker_briefs]
    assert any(p is not None for p in prints)
    # Taken here only for an article read twice (a copy: each remembered print is used once).
    assert len(taken_here) <= len(worker_briefs) - len({b.article for b in worker_briefs})
    # Nothing is kept once the update ends (what it read and did not write held memory).
    before = len(taken_here)
    assert copies.fingerprint(worker_briefs[-1].article) == prints[-1]
    assert len(taken_here) == before + 1


def test_a_touched_but_unchanged_file_is_not_read_again(tmp_path: Path) -> None:
    path = kit.make_html(tmp_path, "page.html")
    first = read_for_update(FileJob(path, "page.html"))
    assert first.briefs
    again = read_for_update(FileJob(path, "page.html", first.sha256))
    assert again.briefs is None and again.sha256 == first.sha256 and again.failed is None


def test_few_files_are_read_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[object] = []
    monkeypatch.setattr(extract._Pool, "__init__", lambda self, *a: started.append(a))
    jobs = [FileJob(kit.make_html(tmp_path, f"p{n}.html"), f"p{n}") for n in range(3)]
    with extract.outcomes(jobs, processes=4) as got:
        assert all(o.briefs for o in got)
    assert not started


def test_a_smoke_test_can_ask_for_the_pool_with_few_files(tmp_path: Path) -> None:
    jobs = [FileJob(kit.make_html(tmp_path, f"p{n}.html"), f"p{n}") for n in range(3)]
    with extract.outcomes(jobs, processes=2, min_files=1) as got:
        read = [next(got)]
        names = [p.name for p in multiprocessing.active_children()]
        read += list(got)
    assert names.count("briefreader-reader") == 2
    assert [o.briefs[0].id for o in read if o.briefs] == ["p0", "p1", "p2"]
    assert no_workers_left()


# -- failures --------------------------------------------------------------------------------


def crash_on_marked(job: FileJob, sink: Any = None, progress: Any = None) -> briefdocs.FileOutcome:
    """A reader that kills its worker on a file named crash*, as a fatal bug in a format
    library would (run in the worker: spawned, it imports this module there)."""
    if job.path.name.startswith("crash") and multiprocessing.parent_process() is not None:
        os._exit(3)
    return read_for_update(job, sink, progress)


def test_a_file_that_kills_its_worker_is_a_problem_and_the_rest_are_indexed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_folder(tmp_path / "corpus")
    kit.make_html(root / "pages", "crash-me.html", title="Never indexed")
    monkeypatch.setattr(extract, "read_for_update", crash_on_marked)
    report, docs, manifest = build(root, tmp_path / "pool", 2, monkeypatch)
    assert no_workers_left()
    [line] = [p for p in report.problems if "crash-me" in p.path]
    assert "the reader stopped on this file" in line.reason
    assert "pages/crash-me.html" not in docs
    monkeypatch.setattr(extract, "read_for_update", read_for_update)
    _r, expected, _m = build(root, tmp_path / "here", 0, monkeypatch)
    assert docs == {k: v for k, v in expected.items() if k != "pages/crash-me.html"}
    # Not recorded as a file to pass over: the next update tries it again.
    assert str(root / "pages" / "crash-me.html") not in manifest
    lib = Library([root], tmp_path / "pool", Glossary.load([]))
    try:
        again = lib.update(bulk=False)
        assert again.added == 1 and "pages/crash-me.html" in index_contents(lib)
    finally:
        lib.close()


def test_a_reader_error_is_one_line_in_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(path: Path, *_a: object, **_k: object) -> Any:
        if path.name == "brief.docx":
            raise KeyError("w:body")
        return original(path, *_a, **_k)

    original = briefdocs.briefs_of_file
    monkeypatch.setattr(briefdocs, "briefs_of_file", broken)
    root = make_folder(tmp_path / "corpus")
    report, docs, _m = build(root, tmp_path / "here", 0, monkeypatch)
    [line] = [p for p in report.problems if p.path.endswith("brief.docx")]
    assert line.reason.startswith("could not be read: the reader stopped on this file (KeyError")
    assert "export0.docx#1" in docs


# -- cancel and kill -------------------------------------------------------------------------


def test_a_cancel_midway_leaves_a_consistent_index_the_next_update_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_folder(tmp_path / "corpus")
    monkeypatch.setenv(extract.PROCESSES_ENV, "2")
    seen: list[int] = []
    lib = Library([root], tmp_path / "data", Glossary.load([]))
    try:
        first = lib.update(
            progress=lambda done, _total, _path: seen.append(done),
            cancel=lambda: len(seen) >= 8,
            bulk=False,
        )
        assert no_workers_left()
        assert first.added > 0 and len(seen) == 8
        docs = index_contents(lib)
        manifest = json.loads(lib.index.manifest_path.read_text())
        # The manifest names exactly the files whose briefs are all in the index.
        keys = {fields["key"] for fields in docs.values()}
        assert set(manifest) == keys
        for key, entry in manifest.items():
            items = entry[5] if len(entry) > 5 else 1
            assert sum(1 for f in docs.values() if f["key"] == key) == items
        second = lib.update(bulk=False)
        # (Matched again: a cancelled update does not record the glossary it matched with.)
        assert second.unchanged + second.rematched == len(docs) and second.added > 0
        complete = index_contents(lib)
    finally:
        lib.close()
    _r, expected, _m = build(root, tmp_path / "here", 0, monkeypatch)
    assert complete == expected


KILL_SCRIPT = """
import json, multiprocessing, sys, time
from pathlib import Path
from briefreader.core import extract
from briefreader.core.briefdocs import FileJob

if __name__ == "__main__":
    files = sorted(p for p in Path(sys.argv[1]).rglob("*") if p.is_file())
    with extract.outcomes([FileJob(p, p.name) for p in files] * 50, processes=2) as got:
        next(got)
        pids = [p.pid for p in multiprocessing.active_children()]
        print(json.dumps(pids), flush=True)
        for _ in got:
            time.sleep(1)  # the test kills this process meanwhile
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")
def test_workers_end_when_their_parent_is_killed(tmp_path: Path) -> None:
    root = make_folder(tmp_path / "corpus")
    script = tmp_path / "reader.py"
    script.write_text(KILL_SCRIPT, "utf-8")
    with subprocess.Popen(
        [sys.executable, str(script), str(root)], stdout=subprocess.PIPE, text=True, cwd=REPO
    ) as parent:
        try:
            assert parent.stdout is not None
            pids = json.loads(parent.stdout.readline())
            assert len(pids) == 2 and all(alive(pid) for pid in pids)
        finally:
            parent.kill()
    deadline = time.monotonic() + 20
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)  # polling another process's end: there is no event to wait on
    assert not any(alive(pid) for pid in pids)


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped by init, does not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


# -- spawn, with fork refused as on Windows ----------------------------------------------------

SPAWN_SCRIPT = """
import json, multiprocessing, os, sys
from pathlib import Path

def refuse(*_a, **_k):
    raise ValueError("cannot find context for 'fork'")

if __name__ == "__main__":
    multiprocessing.set_start_method("spawn", force=True)
    real = multiprocessing.get_context
    multiprocessing.get_context = lambda m=None: refuse() if m in ("fork", "forkserver") \
        else real(m)
    os.fork = refuse
    import multiprocessing.process as mp_process
    started = []
    start = mp_process.BaseProcess.start
    def record(self):
        started.append((self.name, type(self).__name__))
        start(self)
    mp_process.BaseProcess.start = record

    from briefreader.core.glossary import Glossary
    from briefreader.core.library import Library
    lib = Library([Path(sys.argv[1])], Path(sys.argv[2]), Glossary.load([]))
    report = lib.update(bulk=False)
    ids = sorted(f["id"] for f in lib.index.searcher().all_stored_fields())
    lib.close()
    print(json.dumps({"ids": ids, "started": started, "added": report.added}))
"""


def test_the_pool_works_with_spawn_and_fork_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_folder(tmp_path / "corpus")
    script = tmp_path / "spawned.py"
    script.write_text(SPAWN_SCRIPT, "utf-8")
    env = {**os.environ, extract.PROCESSES_ENV: "2"}
    done = subprocess.run(
        [sys.executable, str(script), str(root), str(tmp_path / "data")],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=240, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert got["started"] == [["briefreader-reader", "SpawnProcess"]] * 2
    _r, expected, _m = build(root, tmp_path / "here", 0, monkeypatch)
    assert got["ids"] == sorted(expected) and got["added"] == len(expected)
