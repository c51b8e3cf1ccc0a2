"""Faults: a push killed mid-way then pushed again, two overlapping pushes at
once, and the server stopped in the middle of a session. Every brief must end up in the
archive exactly once, with word statistics equal to a recount."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pgserver
import psycopg
import pytest
from conftest import no_server
from test_archive import REPO, assert_statistics_exact

from briefreader.core.archive.backend import init
from briefreader.core.archive.errors import ArchiveUnavailableError
from briefreader.core.library import Library

WORDS = [
    "militia", "drone", "ceasefire", "parliament", "border", "envoy", "pipeline", "sanctions",
    "convoy", "brigade", "tribunal", "harbour", "refinery", "corridor", "airstrike", "summit",
]  # fmt: skip


def make_briefs(folder: Path, numbers: range) -> None:
    for n in numbers:
        words = " ".join(WORDS[(n * 7 + k) % len(WORDS)] for k in range(40))
        path = folder / f"{n // 100:02d}" / f"brief-{n:04d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"Title: Brief {n} on {WORDS[n % len(WORDS)]}\nDate: 2020-01-{n % 28 + 1:02d}\n\n"
            f"{words} number{n}.\n\nComment: {WORDS[n % 5]} matters.\n",
            "utf-8",
        )


def push_process(url: str, folder: Path, data: Path, batch: int) -> subprocess.Popen[str]:
    env = {**os.environ, "BRIEFREADER_DATA_DIR": str(data), "BRIEFREADER_ARCHIVE_BATCH": str(batch)}
    return subprocess.Popen(
        [sys.executable, "-m", "briefreader", "index", "--archive", url, str(folder),
         "--progress-json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=env,
    )  # fmt: skip


def count(url: str) -> int:
    with psycopg.connect(url) as conn:
        return int(conn.execute("SELECT count(*) FROM briefs").fetchone()[0])


def test_killed_push_then_pushed_again_has_every_brief_once(
    archive_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "briefs"
    make_briefs(folder, range(600))
    proc = push_process(archive_url, folder, tmp_path / "data", batch=50)
    assert proc.stdout is not None
    for line in proc.stdout:  # wait for progress past a few committed batches, then kill
        if json.loads(line).get("done", 0) >= 230:
            proc.send_signal(signal.SIGKILL)
            break
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    done = count(archive_url)
    assert 0 < done < 600  # killed mid-way: some batches in, the rest not
    assert_statistics_exact(archive_url)
    lib = Library.open_archive(archive_url, [folder], data_dir=tmp_path / "data")
    report = lib.update()
    lib.close()
    assert (report.added, report.unchanged) == (600 - done, done)
    assert count(archive_url) == 600
    assert_statistics_exact(archive_url)


def test_two_overlapping_pushes_at_once_leave_every_brief_once(
    archive_url: str, tmp_path: Path
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    make_briefs(a, range(0, 400))
    make_briefs(b, range(200, 600))  # 200-399 in both, under the same ids
    procs = [
        push_process(archive_url, folder, tmp_path / f"data-{folder.name}", batch=40)
        for folder in (a, b)
    ]
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1])["report"])
    assert sum(r["added"] for r in reports) == 600
    assert count(archive_url) == 600
    assert_statistics_exact(archive_url)


def test_server_stopped_mid_session_then_back(corpus: Path, tmp_path: Path) -> None:
    reason = pgserver.why_not()
    if reason:
        no_server(reason)
    server = pgserver.Server()
    try:
        with psycopg.connect(server.url, autocommit=True) as admin:
            admin.execute("CREATE DATABASE faults")
        url = server.url.rsplit("/", 1)[0] + "/faults"
        init(url)
        lib = Library.open_archive(url, [corpus], data_dir=tmp_path)
        lib.update()
        assert lib.search("PMF").total == 24
        server.stop()
        with pytest.raises(ArchiveUnavailableError) as err:
            lib.search("PMF")
        assert "cannot be reached" in str(err.value) and "\n" not in str(err.value)
        with pytest.raises(ArchiveUnavailableError):  # still down: the same clear error
            lib.search("Iran")
        server.start()
        assert lib.search("PMF").total == 24  # resumes on its own
        lib.close()
    finally:
        server.remove()
        shutil.rmtree(tmp_path / "unused", ignore_errors=True)
