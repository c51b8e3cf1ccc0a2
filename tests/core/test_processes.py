"""How the core starts helper processes (core/processes.py), and the helpers started so.

One place chooses: fork only on Linux, on the main thread of a process running no other
thread, where fork is not refused; spawn everywhere else. Whatever the choice, a helper ends
when its parent is killed, and the index's helper pools give what one process gives; a bulk
update killed midway leaves the index free for the next one.
"""

from __future__ import annotations

import importlib
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from briefreader.core import processes
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library

REPO = Path(__file__).resolve().parents[2]
candidates_module = importlib.import_module("briefreader.core.index.candidates")
#: The CI run with fork refused (tests/nofork): every helper is spawned there.
NO_FORK = os.environ.get("BRIEFREADER_NO_FORK") == "1"


def _linux_fork_expected() -> bool:
    """Fork in a fresh process where it is safe: Linux, not refused."""
    return sys.platform.startswith("linux") and not NO_FORK


def _fork_expected_here() -> bool:
    """The same in this process, which must also run no other thread: a window test before
    this one leaves Qt's pool threads, which ran Python code and so count as threads (the
    answer is then spawn, as the window's own process gets)."""
    return _linux_fork_expected() and threading.active_count() == 1


def test_fork_is_chosen_only_where_it_is_safe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(processes.START_METHOD_ENV, raising=False)
    assert processes.fork_allowed() is _fork_expected_here()
    assert processes.start_method() == ("fork" if _fork_expected_here() else "spawn")
    # Helpers that inherit nothing are spawned everywhere.
    assert processes.start_method(inherit=False) == "spawn"
    assert processes.context(inherit=False).get_start_method() == "spawn"
    # Off the main thread (a Qt window's worker), fork could copy a lock another thread holds.
    seen: list[str] = []
    worker = threading.Thread(target=lambda: seen.append(processes.start_method()))
    worker.start()
    worker.join()
    assert seen == ["spawn"]
    # Another thread running beside the main one: the same.
    release = threading.Event()
    beside = threading.Thread(target=release.wait)
    beside.start()
    try:
        assert processes.start_method() == "spawn"
    finally:
        release.set()
        beside.join()
    # The user's word.
    monkeypatch.setenv(processes.START_METHOD_ENV, "spawn")
    assert processes.start_method() == "spawn"
    monkeypatch.delenv(processes.START_METHOD_ENV)
    # Windows and macOS.
    for platform in ("win32", "darwin"):
        monkeypatch.setattr(sys, "platform", platform)
        assert processes.start_method() == "spawn"
    monkeypatch.undo()


def test_fork_refused_means_spawn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(processes.START_METHOD_ENV, raising=False)
    real = multiprocessing.get_context

    def refuse(method: str | None = None) -> multiprocessing.context.BaseContext:
        if method == "fork":
            raise ValueError("cannot find context for 'fork'")
        return real(method)

    monkeypatch.setattr(multiprocessing, "get_context", refuse)
    assert processes.start_method() == "spawn"
    assert processes.context().get_start_method() == "spawn"


HELPER_SCRIPT = """
import json, sys, time
from briefreader.core import processes

def helper():
    processes.die_with_parent()
    while True:
        time.sleep(60)

if __name__ == "__main__":
    ctx = processes.context()
    child = ctx.Process(target=helper, daemon=True)
    child.start()
    print(json.dumps({"pid": child.pid, "method": ctx.get_start_method()}), flush=True)
    while True:
        time.sleep(60)  # the test kills this process meanwhile
"""


def _wait_gone(pids: list[int], seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)  # polling another process's end: there is no event to wait on
    return not any(_alive(pid) for pid in pids)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped by init, does not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


def _env(method: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop(processes.START_METHOD_ENV, None)
    if method == "spawn":
        env[processes.START_METHOD_ENV] = "spawn"
    return env


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")
@pytest.mark.parametrize("method", ["default", "spawn"])
def test_a_helper_ends_when_its_parent_is_killed(tmp_path: Path, method: str) -> None:
    script = tmp_path / "parent.py"
    script.write_text(HELPER_SCRIPT, "utf-8")
    with subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=REPO,
        env=_env(method),
    ) as parent:  # fmt: skip
        try:
            assert parent.stdout is not None
            got = json.loads(parent.stdout.readline())
            assert _alive(got["pid"])
        finally:
            parent.kill()
    expected = "fork" if method == "default" and _linux_fork_expected() else "spawn"
    assert got["method"] == expected
    assert _wait_gone([got["pid"]])


WRITER_SCRIPT = """
import json, sys, time
from pathlib import Path
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library

if __name__ == "__main__":
    import multiprocessing
    lib = Library([Path(sys.argv[1])], Path(sys.argv[2]), Glossary.load([]))

    def progress(done, total, path):
        # Midway through the bulk writer's first batch, with its postings in memory.
        if done == 260:
            pids = [p.pid for p in multiprocessing.active_children()]
            print(json.dumps(pids), flush=True)
            while True:
                time.sleep(60)  # the test kills this process meanwhile

    lib.update(progress=progress, bulk=True)
"""

BRIEF = (
    "Title: Note {n}\nDate: 2019-01-{day:02d}\n\nKataib Sayyid al-Shuhada marched in Basra {n}.\n"
)


def _small_corpus(root: Path, count: int) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (root / f"{n:04d}.md").write_text(BRIEF.format(n=n, day=n % 28 + 1), "utf-8")
    return root


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")
@pytest.mark.parametrize("method", ["default", "spawn"])
def test_a_killed_bulk_update_ends_its_helpers_and_frees_the_index(
    tmp_path: Path, method: str
) -> None:
    corpus = _small_corpus(tmp_path / "corpus", 300)
    data = tmp_path / "data"
    script = tmp_path / "indexer.py"
    script.write_text(WRITER_SCRIPT, "utf-8")
    with subprocess.Popen(
        [sys.executable, str(script), str(corpus), str(data)],
        stdout=subprocess.PIPE, text=True, cwd=REPO, env=_env(method),
    ) as parent:  # fmt: skip
        try:
            assert parent.stdout is not None
            # The bulk writer works in the updating process (core/index/segwriter.py):
            # whatever helpers there are (none for text briefs) end with it.
            pids = json.loads(parent.stdout.readline())
            assert all(_alive(pid) for pid in pids)
        finally:
            parent.kill()
    assert _wait_gone(pids)
    # Nothing holds the index: the next update takes the lock at once and completes it.
    lib = Library([corpus], data, Glossary.load([]))
    try:
        lib.update(lock_timeout=0)
        assert lib.index.doc_count() == 300
    finally:
        lib.close()


def _segmented_library(tmp_path: Path) -> Library:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    g = tmp_path / "g.toml"
    g.write_text('[[actor]]\nname = "Iran"\nkind = "state"\n', "utf-8")
    lib = Library([corpus], tmp_path / "data", Glossary.load([g]))
    for n in range(1, 5):  # one segment per update
        text = BRIEF.format(n=n, day=n).replace("Basra", f"Basra with Abu Ali{n} and Iran")
        (corpus / f"{n}.md").write_text(text, "utf-8")
        lib.update()
    return lib


def test_spawned_helpers_keep_the_candidates_and_term_files_one_process_keeps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = _segmented_library(tmp_path)
    folder = lib.index.folder
    try:
        assert len(lib.index.evaluator().leaves) >= 2

        def kept(pattern: str) -> dict[str, bytes]:
            found = sorted(folder.rglob(pattern))
            return {p.name: p.read_bytes() for p in found}

        # What one process wrote while updating.
        counts, terms = kept("candidates-*.json"), kept("*.terms")
        assert counts and terms
        for path in [*folder.rglob("candidates-*.json"), *folder.rglob("*.terms")]:
            path.unlink()
        monkeypatch.setenv(processes.START_METHOD_ENV, "spawn")
        started: list[str] = []
        real_context = processes.context

        def recording(*, inherit: bool = True) -> multiprocessing.context.BaseContext:
            ctx = real_context(inherit=inherit)
            started.append(ctx.get_start_method())
            return ctx

        monkeypatch.setattr(processes, "context", recording)
        assert lib.index.write_term_files(procs=2) == len(terms)
        read = candidates_module.prepare_candidates(
            lib.index, lib.local.name_finder(), lib.local.glossary_key(), procs=2
        )
        assert read == len(counts)
        assert started == ["spawn", "spawn"]
        assert kept("*.terms") == terms
        assert kept("candidates-*.json") == counts
    finally:
        lib.close()


def test_a_name_finder_that_does_not_pickle_is_run_here_under_spawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = _segmented_library(tmp_path)
    folder = lib.index.folder
    try:
        counts = {p.name: p.read_bytes() for p in folder.glob("candidates-*.json")}
        for path in folder.glob("candidates-*.json"):
            path.unlink()
        monkeypatch.setenv(processes.START_METHOD_ENV, "spawn")
        finder = lib.local.name_finder()

        def local(text: str) -> list[tuple[int, int]]:  # a closure: it does not pickle
            return finder(text)

        pools: list[int] = []
        monkeypatch.setattr(
            multiprocessing.context.SpawnContext, "Pool", lambda *a, **k: pools.append(1)
        )
        read = candidates_module.prepare_candidates(
            lib.index, local, lib.local.glossary_key(), procs=2
        )
        assert read == len(counts) and not pools
        assert {p.name: p.read_bytes() for p in folder.glob("candidates-*.json")} == counts
    finally:
        lib.close()
