"""Run one real index update and SIGKILL itself at a chosen point (crash-safety tests).

    python kill_driver.py DATA_DIR CORPUS {bulk,single}

``BRIEFREADER_KILL_AT=N`` kills the process at its N-th event; without it the update runs
to the end and prints the number of events, the briefs indexed, and the events just before
each manifest write, so a test knows the range to pick from.
Events are the points where a crash hurts most: every file the index creates, renames or
deletes, every atomic replace (manifest, problems, glossary state), and every 25th brief
read. Only the main process counts: its helpers (forked, or spawned ones that import this
script again, the bulk build's writing workers among them) must not.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage

from briefreader.core.glossary import Glossary
from briefreader.core.library import Library

#: The driver's own process, as its spawned helpers also know it (they run this module
#: again, with the environment it started them with).
MAIN = int(os.environ.setdefault("BRIEFREADER_KILL_DRIVER", str(os.getpid())))
KILL_AT = int(os.environ.get("BRIEFREADER_KILL_AT", "0"))
events = 0


def event() -> None:
    global events
    if os.getpid() != MAIN:
        return
    events += 1
    if events == KILL_AT:
        os.kill(MAIN, signal.SIGKILL)


def counted(fn: Any) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        event()
        result = fn(*args, **kwargs)
        event()
        return result

    return wrapper


for name in ("create_file", "rename_file", "delete_file"):
    setattr(FileStorage, name, counted(getattr(FileStorage, name)))

#: Events right before a manifest write: a kill there finds a committed index whose manifest
#: lags behind, the window where ordering mistakes show.
manifest_events: list[int] = []
_replace = counted(os.replace)


def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
    if os.getpid() == MAIN and Path(dst).name == "manifest.json":
        manifest_events.append(events + 1)
    _replace(src, dst, *args, **kwargs)


os.replace = replace


def main() -> int:
    data, corpus, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    glossary = Glossary.load([Path(sys.argv[4])] if len(sys.argv) > 4 else [])
    lib = Library([corpus], data, glossary)

    def progress(done: int, _total: int, _path: str) -> None:
        if done % 25 == 0:
            event()

    report = lib.update(progress=progress, bulk=(mode == "bulk"))
    lib.close()
    print(events, report.indexed, *manifest_events, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
