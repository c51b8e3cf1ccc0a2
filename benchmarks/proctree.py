"""Run a command and sample the resident memory of its whole process tree.

Whoosh's bulk writer forks worker processes, and the window may start an indexer child: the
memory goal is about all of them together, which neither ``resource.getrusage`` (the largest
single child) nor ``/usr/bin/time`` reports. Linux only (reads ``/proc``); elsewhere the peak
is reported as 0.

    python benchmarks/proctree.py -- python -m briefreader index CORPUS --json
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _children() -> dict[int, list[int]]:
    """Parent pid -> child pids, from one pass over /proc."""
    out: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the fields follow the last ")".
        fields = stat[stat.rfind(b")") + 2 :].split()
        out.setdefault(int(fields[1]), []).append(int(entry.name))
    return out


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def anon_bytes(pid: int) -> int:
    """Private anonymous memory: RSS without the mapped index files the kernel can drop."""
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"RssAnon:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def _pss(pid: int) -> int:
    """Proportional set size: each page shared by n processes counts 1/n to each (forked
    workers share their parent's pages until they write them: plain RSS counts those once
    per process, PSS once in all)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def _tree_sum(root: int, measure: Callable[[int], int]) -> int:
    """``measure`` of ``root`` and each of its descendants right now, added up."""
    if not os.path.isdir("/proc"):
        return 0
    kids = _children()
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += measure(pid)
        stack.extend(kids.get(pid, ()))
    return total


def tree_pss(root: int) -> int:
    """Bytes of ``root`` and its descendants by proportional set size (see :func:`_pss`)."""
    return _tree_sum(root, _pss)


def tree_rss(root: int, *, anon: bool = False) -> int:
    """Bytes resident in ``root`` and all its descendants right now (``anon``: private only).

    Whoosh maps its index files into memory, so plain RSS grows with the index pages a
    search touched: shared, file-backed pages that cost no swap and are given back under
    pressure. ``anon`` counts what the processes really allocated.
    """
    return _tree_sum(root, anon_bytes if anon else _rss)


@dataclass
class Run:
    """What a sampled run returned: exit code, output, wall time and peak tree memory."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss: int
    #: The peak of the tree's proportional set size (shared pages counted once in all).
    peak_pss: int = 0


def run(
    cmd: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    interval: float = 0.1,
    timeout: float | None = None,
) -> Run:
    """Run ``cmd`` to completion, sampling its tree's RSS every ``interval`` seconds."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(env) if env is not None else None,
    )
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss(proc.pid))
            peak[1] = max(peak[1], tree_pss(proc.pid))
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        done.set()
        sampler.join()
    return Run(proc.returncode, out, err, time.perf_counter() - t0, peak[0], peak[1])


def main(argv: Sequence[str]) -> int:
    """Command line: print the run's figures as JSON after its own output."""
    cmd = list(argv[argv.index("--") + 1 :] if "--" in argv else argv)
    r = run(cmd)
    sys.stdout.write(r.stdout)
    sys.stderr.write(r.stderr)
    print(
        json.dumps(
            {
                "seconds": round(r.seconds, 3),
                "peak_rss_mb": r.peak_rss / 2**20,
                "peak_pss_mb": r.peak_pss / 2**20,
            }
        )
    )
    return r.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
