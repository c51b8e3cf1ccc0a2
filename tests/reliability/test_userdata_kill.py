"""Notes written in a burst survive a SIGKILL at any statement.

A child process adds notes one after another and prints an acknowledgement after each
returns; it SIGKILLs itself when SQLite is about to run its N-th statement (counted with a
trace callback, so the points are the same on every run). Every acknowledged note must be
there afterwards, nothing else but the one in flight, and ``PRAGMA integrity_check`` must pass.
``BRIEFREADER_KILL_POINTS`` and ``BRIEFREADER_KILL_SEED`` choose how many points and which.
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from briefreader.core.userdata import DB_NAME, UserData

KILL_POINTS = int(os.environ.get("BRIEFREADER_KILL_POINTS", "5"))
SEED = int(os.environ.get("BRIEFREADER_KILL_SEED", "1"))
BURST = 30

CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from briefreader.core.brief import Brief
    from briefreader.core.userdata import UserData

    data, kill_at, burst = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    count = {"n": 0}

    def trace(statement):
        count["n"] += 1
        if count["n"] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    db = UserData.open(data)
    db.conn.set_trace_callback(trace)
    for i in range(burst):
        text = f"brief text {i % 3}"
        brief = Brief(f"b{i % 3}.md", Path("x"), text, "t", None, None, None, (), text, 0,
                      None, None, f"{i % 3:064d}")
        db.add_note(brief, f"note-{i}")
        print(f"ack note-{i}", flush=True)
    print(f"statements {count['n']}", flush=True)
    """
)


def burst(data: Path, kill_at: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(data), str(kill_at), str(BURST)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def kill_points() -> list[int]:
    """Statement numbers to die at, drawn once from the seed (a clean run counts them)."""
    # Each note runs the same handful of statements (BEGIN, snapshot, insert, COMMIT,
    # read back); the points are spread over the whole burst.
    per_note = 5
    rng = random.Random(SEED)
    return sorted(rng.sample(range(1, per_note * BURST + 1), KILL_POINTS))


def test_a_clean_burst_counts_its_statements(tmp_path: Path) -> None:
    UserData.open(tmp_path).close()
    out = burst(tmp_path, 0)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-1] == f"statements {5 * BURST}"


@pytest.mark.parametrize("kill_at", kill_points())
def test_every_acknowledged_note_survives_a_kill(tmp_path: Path, kill_at: int) -> None:
    UserData.open(tmp_path).close()  # the schema exists before the burst
    out = burst(tmp_path, kill_at)
    assert out.returncode == -9, out.stderr
    acked = {line.split()[1] for line in out.stdout.splitlines() if line.startswith("ack ")}
    conn = sqlite3.connect(tmp_path / DB_NAME)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        found = {r[0] for r in conn.execute("SELECT body FROM notes")}
    finally:
        conn.close()
    in_flight = {f"note-{len(acked)}"}
    assert acked <= found <= acked | in_flight
    with UserData.open(tmp_path) as db:  # and it opens as sound, with nothing moved aside
        assert db.notices == []
        assert {n.body for n in db.notes()} == found
