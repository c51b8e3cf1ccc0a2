"""Related briefs on the archive: every brief holding a key word or an actor ranked when
they are few, else bounded candidates (each key word's best-briefs list or its first
matches, each actor's first briefs, a rough score, the best few ranked with the full
score). Checked against the exhaustive ranking (every brief holding a key word or an actor)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from briefreader.core.archive import best, related, search
from briefreader.core.library import Library


def _pushed(url: str, corpus: Path, tmp_path: Path) -> list[str]:
    lib = Library.open_archive(url, [corpus], data_dir=tmp_path / "data")
    lib.update()
    ids = [h.id for h in lib.search("", limit=100, facets=False).hits]
    lib.close()
    return ids


def _both(url: str, ids: list[str], limit: int) -> list[tuple[list[str], list[str]]]:
    with psycopg.connect(url) as conn:
        return [
            (
                [h.id for h in related.related(conn, i, limit)],
                [h.id for h in related.exhaustive(conn, i, limit)],
            )
            for i in ids
        ]


def test_related_equals_the_exhaustive_ranking_when_the_candidates_are_all_matches(
    archive_url: str, corpus: Path, tmp_path: Path
) -> None:
    """On a small archive the candidates are every brief holding a key word or an actor:
    the same briefs in the same order as ranking all of them."""
    ids = _pushed(archive_url, corpus, tmp_path)
    assert len(ids) == 32
    pairs = _both(archive_url, ids, 10)
    assert all(exhaustive for _b, exhaustive in pairs)
    assert [b for b, _e in pairs] == [e for _b, e in pairs]


def test_related_from_small_lists_agrees_with_the_exhaustive_ranking(
    archive_url: str, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tiny thresholds, so that most key words have a list and the rough score cuts
    the candidates: the best related brief is the exhaustive one's best for most briefs,
    and the first five share most of their briefs."""
    monkeypatch.setattr(best, "MIN_BRIEFS", 3)
    monkeypatch.setattr(best, "KEEP", 4)
    monkeypatch.setattr(search, "LISTS_ABOVE", 3)
    monkeypatch.setattr(related, "LIST_TAKE", 4)
    monkeypatch.setattr(related, "PER_WORD", 3)
    monkeypatch.setattr(related, "DEPTH", 8)
    monkeypatch.setattr(related, "EXHAUSTIVE_MAX", 0)  # the bounded path, not every brief
    monkeypatch.setenv("BRIEFREADER_ARCHIVE_BATCH", "5")
    ids = _pushed(archive_url, corpus, tmp_path)
    with psycopg.connect(archive_url) as conn:
        assert conn.execute("SELECT count(*) FROM best_words").fetchone()[0] > 20
    pairs = _both(archive_url, ids, 5)
    top = sum(b[:1] == e[:1] for b, e in pairs) / len(pairs)
    overlap = sum(len(set(b) & set(e)) for b, e in pairs) / sum(len(e) for _b, e in pairs)
    print(f"top-1 agreement {top:.2f}, top-5 overlap {overlap:.2f}")
    assert all(len(b) == len(e) for b, e in pairs)
    assert top >= 0.8 and overlap >= 0.7


def test_related_leaves_out_the_briefs_it_is_told_to(
    archive_url: str, corpus: Path, tmp_path: Path
) -> None:
    """``exclude`` (a brief's copies, as the backend passes them) are never among its
    related briefs, on either path; the others keep their order."""
    ids = _pushed(archive_url, corpus, tmp_path)
    with psycopg.connect(archive_url) as conn:
        for brief_id in ids[::5]:
            for rank in (related.related, related.exhaustive):
                first = [h.id for h in rank(conn, brief_id, 6)]
                assert brief_id not in first and len(first) == 6
                left = [h.id for h in rank(conn, brief_id, 5, exclude=first[:1])]
                assert left == first[1:], (rank.__name__, brief_id)
