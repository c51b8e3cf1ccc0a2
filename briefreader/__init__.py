"""briefreader: read and search analyst briefs offline."""

from __future__ import annotations

__version__ = "0.1.0"
