"""``python -m briefreader``: the same entry point as the installed ``briefreader`` script."""

from __future__ import annotations

import multiprocessing
import sys

from briefreader.cli import main

if __name__ == "__main__":
    # The bulk index writer starts processes; in a frozen app on Windows and macOS (spawn)
    # each child re-runs this entry point, and freeze_support() turns it into the worker.
    multiprocessing.freeze_support()
    sys.exit(main())
