"""Shared helpers for the reliability tests: hostile files, kills, damage."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import hostile_corpus
import pytest


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[tuple[Path, dict[str, hostile_corpus.Expect]]]:
    """The small hostile corpus (no 50 MB / 2 MB files) and what to expect of each file."""
    root = tmp_path / "hostile"
    expected = hostile_corpus.make(root, big=False)
    yield root, expected
    hostile_corpus.restore(root)
