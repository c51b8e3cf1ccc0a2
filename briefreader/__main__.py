"""``python -m briefreader``: the same entry point as the installed ``briefreader`` script."""

from __future__ import annotations

import multiprocessing
import sys

if __name__ == "__main__":
    # Helper processes are spawned on Windows and macOS (core/processes.py): in a frozen app
    # each is this executable started again, and freeze_support() turns it into the helper
    # before anything else runs. The command line is imported only below it, so a spawned
    # helper (which imports this module as __mp_main__) does not load every command first.
    multiprocessing.freeze_support()
    from briefreader.cli import main

    sys.exit(main())
