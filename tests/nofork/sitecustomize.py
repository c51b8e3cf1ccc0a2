"""Imported by every Python started with this folder on PYTHONPATH: fork refused (nofork.py)."""

import nofork

nofork.refuse_fork()
