"""The test folders are not packages: pytest imports each test module by its file name."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_no_two_test_modules_share_a_file_name() -> None:
    # Two "test_window.py" in two folders stop the whole collection with "import file
    # mismatch" (a CI run failed so).
    names = Counter(p.name for p in TESTS.rglob("test_*.py"))
    assert [name for name, n in names.items() if n > 1] == []
    assert names["test_layout.py"] == 1
