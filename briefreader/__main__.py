"""``python -m briefreader``: the same entry point as the installed ``briefreader`` script."""

from __future__ import annotations

import sys

from briefreader.cli import main

if __name__ == "__main__":
    sys.exit(main())
