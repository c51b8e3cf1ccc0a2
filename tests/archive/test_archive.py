"""What only the team archive does: the same answers as the local index, roles, sslmode,
an unreachable server, hostile queries, pushing twice, and the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefreader.core.archive.backend import ArchiveBackend
from briefreader.core.archive.errors import (
    ArchiveError,
    ArchiveReadOnlyError,
    ArchiveUnavailableError,
)
from briefreader.core.library import Library

REPO = Path(__file__).resolve().parents[2]

#: Queries whose totals must agree between the backends (fuzzy words excepted: the
#: archive searches them as written).
SAME = [
    "militia disarm", '"foreign plot"', "PMF", 'actor:"Badr Organization"', "title:election",
    "milit*", "date:>2020", "date:[to 2017]", "Iran NOT Syria", "source:rudaw", "Iran AND Iraq",
    "Iran OR Syria", "Iran -Syria", "comment:Sadr", "article:drone", "tag:elections",
    "date:2017-03", "Sulei?ani", "militias", "Popular Mobilization Forces", "US", "told us",
    "Kataib Hezbollah drone", "(Iran OR Iraq) AND militia", "NOT Iran", "", "KH", "*",
    "title:(election Iraq)", "Iran* Iraq",
]  # fmt: skip


def test_same_totals_as_the_local_index(pair: tuple[Library, Library]) -> None:
    local, arc = pair
    for query in SAME:
        a, b = local.search(query), arc.search(query)
        assert (a.total, a.total_all_words) == (b.total, b.total_all_words), query


def test_push_again_changes_nothing_and_a_changed_file_replaces(
    corpus: Path, archive_url: str, tmp_path: Path
) -> None:
    arc = Library.open_archive(archive_url, [corpus], data_dir=tmp_path)
    first = arc.update()
    assert (first.added, first.unchanged) == (32, 0)
    again = arc.update()
    assert (again.added, again.updated, again.unchanged) == (0, 0, 32)
    brief = next(corpus.rglob("*kirkuk-takeover.md"))
    brief.write_text(brief.read_text("utf-8") + "\nComment: zanzibarian marmalade\n", "utf-8")
    third = arc.update()
    assert (third.added, third.updated, third.unchanged) == (0, 1, 31)
    assert arc.search("zanzibarian").total == 1
    assert arc.doc_count() == 32
    assert_statistics_exact(archive_url)
    arc.close()


def assert_statistics_exact(url: str) -> None:
    """Every brief once, and the word statistics equal to a recount from the tsvectors."""
    import psycopg

    with psycopg.connect(url) as conn:
        n, distinct = conn.execute("SELECT count(*), count(DISTINCT id) FROM briefs").fetchone()
        assert n == distinct
        assert conn.execute("SELECT value FROM totals WHERE name='briefs'").fetchone()[0] == n
        named = conn.execute("SELECT coalesce(sum(cardinality(actors)), 0) FROM briefs")
        assert (
            conn.execute("SELECT value FROM totals WHERE name='actors'").fetchone()[0]
            == (named.fetchone()[0])
        )
        # ndoc: the briefs holding a word in a section; cf: its positions there, all briefs.
        wrong = conn.execute(
            """WITH recount AS (
                   SELECT lexeme, w::"char" AS field, count(DISTINCT b.id) AS ndoc,
                          count(*) AS cf
                   FROM briefs b, unnest(b.tsv) u, unnest(u.weights) w GROUP BY 1, 2)
               SELECT count(*) FROM recount r FULL JOIN
                   (SELECT * FROM term_stats WHERE ndoc <> 0) t USING (lexeme, field)
               WHERE r.ndoc IS DISTINCT FROM t.ndoc OR r.cf IS DISTINCT FROM t.cf"""
        ).fetchone()[0]
        assert wrong == 0
        left = conn.execute("SELECT count(*) FROM term_stats WHERE ndoc = 0 AND cf <> 0")
        assert left.fetchone()[0] == 0


def test_read_only_role_searches_but_cannot_write(
    corpus: Path, archive_url: str, pg_admin: object, tmp_path: Path
) -> None:
    writer = Library.open_archive(archive_url, [corpus], data_dir=tmp_path)
    writer.update()
    writer.close()
    role = f"reader_{os.getpid()}"
    pg_admin.execute(f"DROP ROLE IF EXISTS {role}")  # type: ignore[attr-defined]
    pg_admin.execute(f"CREATE ROLE {role} LOGIN IN ROLE briefreader_reader")  # type: ignore[attr-defined]
    try:
        url = archive_url.replace("postgres@", f"{role}@", 1)
        reader = Library.open_archive(url, [corpus], data_dir=tmp_path)
        assert reader.search("PMF").total == 24 and reader.archive is not None
        with pytest.raises(ArchiveReadOnlyError):
            reader.update()
        with pytest.raises(ArchiveReadOnlyError, match="glossary"):
            reader.archive.set_team_glossary('[[actor]]\nname = "Xavier"\nkind = "person"\n')
        reader.close()
    finally:
        pg_admin.execute(f"DROP OWNED BY {role}")  # type: ignore[attr-defined]
        pg_admin.execute(f"DROP ROLE IF EXISTS {role}")  # type: ignore[attr-defined]


def test_team_glossary_is_merged_in(corpus: Path, archive_url: str, tmp_path: Path) -> None:
    arc = Library.open_archive(archive_url, [corpus], data_dir=tmp_path)
    assert arc.archive is not None
    arc.archive.set_team_glossary(
        '[[actor]]\nname = "Zanzibar Group"\nkind = "organisation"\naliases = ["ZGX"]\n'
    )
    arc.close()
    again = Library.open_archive(archive_url, [corpus], data_dir=tmp_path)
    assert again.find_actor("ZGX") is not None
    again.close()


def test_sslmode_is_passed_through(archive_url: str, tmp_path: Path) -> None:
    """The test server has no SSL: sslmode=require must fail, sslmode=disable work."""
    sep = "&" if "?" in archive_url else "?"
    with pytest.raises(ArchiveUnavailableError, match="SSL"):
        ArchiveBackend(archive_url + sep + "sslmode=require").doc_count()
    lib = Library.open_archive(archive_url + sep + "sslmode=disable", data_dir=tmp_path)
    assert lib.doc_count() == 0
    lib.close()


def test_unreachable_server_is_one_clear_line(tmp_path: Path) -> None:
    lib = Library.open_archive("postgresql://nobody@127.0.0.1:9/none", data_dir=tmp_path)
    with pytest.raises(ArchiveUnavailableError) as err:
        lib.search("Iran")
    assert "cannot be reached" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(ArchiveError, match="password"):
        Library.open_archive("postgresql://u:secret@127.0.0.1:9/x", data_dir=tmp_path)


_HOSTILE = st.text(
    alphabet=st.sampled_from(list("ab Iran\"'()*?~:-+[]<>=;\\%_$\x00\t\nANDORNOT éط1/")),
    max_size=60,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=_HOSTILE)
def test_hostile_query_text_never_breaks_the_archive(
    pair: tuple[Library, Library], text: str
) -> None:
    """Any text is a query: never an error, never SQL (the briefs are all still there)."""
    _local, arc = pair
    res = arc.search(text, limit=3)
    assert res.total >= 0
    assert arc.doc_count() == 32


def run_cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BRIEFREADER_DATA_DIR": str(data)}
    return subprocess.run(
        [sys.executable, "-m", "briefreader", *args],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=120,
    )  # fmt: skip


def test_command_line(corpus: Path, archive_url: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    push = run_cli(data, "index", "--archive", archive_url, str(corpus), "--json")
    assert push.returncode == 0, push.stderr
    assert json.loads(push.stdout)["added"] == 32
    found = run_cli(data, "search", "--archive", archive_url, "foreign plot", "--json")
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)["hits"]
    assert hits[0]["id"] == "2017-11-24_shamkhani-foreign-plot.txt"
    shown = run_cli(data, "show", "--archive", archive_url, hits[0]["id"], "--json")
    original = (corpus / hits[0]["id"]).read_bytes().decode("utf-8").replace("\r\n", "\n")
    assert json.loads(shown.stdout)["article"] in original
    glossary = run_cli(data, "glossary", "--archive", archive_url, "--json")
    counts = {a["id"]: a["briefs"] for a in json.loads(glossary.stdout)}
    assert counts["popular-mobilization-forces"] == 24
    into = tmp_path / "pulled"
    pulled = run_cli(
        data, "archive", "pull", "--archive", archive_url, "--into", str(into), "actor:Badr"
    )
    assert pulled.returncode == 0, pulled.stderr
    assert len([p for p in into.rglob("*.*") if not p.name.startswith(".")]) == 7
    local = run_cli(data, "search", "Badr", "--json")
    assert json.loads(local.stdout)["total"] == 7  # the pulled slice, indexed locally
    down = run_cli(data, "search", "--archive", "postgresql://x@127.0.0.1:9/x", "Iran")
    assert down.returncode == 1
    assert down.stderr.count("\n") == 1 and "cannot be reached" in down.stderr
