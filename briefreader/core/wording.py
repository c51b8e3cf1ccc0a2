"""Counted nouns in the words a reader expects: "1 brief", "4 briefs", "1 problem"."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and ``noun``, in the plural unless ``n`` is 1 (never "brief(s)", never "1 briefs")."""
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"
