"""Migrating an archive whose index words are another analysis's (schema 2 -> 3)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from briefreader.core.archive.backend import init
from briefreader.core.archive.errors import ArchiveSchemaError
from briefreader.core.archive.schema import SCHEMA_VERSION, check
from briefreader.core.library import Library


def _state(url: str) -> dict[str, object]:
    with psycopg.connect(url) as conn:
        return {
            "tsv": conn.execute(
                "SELECT id, tsv::text, words_a, words_b, words_c FROM briefs ORDER BY id"
            ).fetchall(),
            "stats": conn.execute(
                "SELECT lexeme, field, ndoc, cf FROM term_stats WHERE ndoc > 0 ORDER BY 1, 2"
            ).fetchall(),
            "totals": conn.execute("SELECT name, value FROM totals ORDER BY name").fetchall(),
        }


def test_an_archive_of_older_index_words_is_reanalysed_by_init(
    archive_url: str, corpus: Path, tmp_path: Path
) -> None:
    lib = Library.open_archive(archive_url, [corpus], data_dir=tmp_path / "data")
    lib.update()
    before = lib.search("militia", limit=50)
    lib.close()
    pushed = _state(archive_url)
    assert pushed["tsv"] and pushed["stats"]

    # What an archive analysed otherwise looks like: other words, other statistics.
    with psycopg.connect(archive_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE briefs SET tsv = to_tsvector('simple', title), words_a = 1, "
            "words_b = 1, words_c = 1"
        )
        conn.execute("UPDATE term_stats SET ndoc = ndoc + 7, cf = 0")
        conn.execute("UPDATE totals SET value = 3")
        conn.execute("UPDATE archive_meta SET value = '2' WHERE key = 'schema_version'")
        with pytest.raises(ArchiveSchemaError, match="archive init"):
            check(conn, "the archive")
    assert _state(archive_url) != pushed

    assert init(archive_url) == (2, SCHEMA_VERSION)
    assert _state(archive_url) == pushed  # as a fresh push of the same briefs makes them

    lib = Library.open_archive(archive_url, [corpus], data_dir=tmp_path / "data")
    after = lib.search("militia", limit=50)
    lib.close()
    assert [h.id for h in after.hits] == [h.id for h in before.hits]
    assert after.total == before.total > 0
