"""The team archive's tests run against a real PostgreSQL server.

The server is the one .ci/run started (``BRIEFREADER_TEST_PG``), else one these tests start
in a temporary folder when the server binaries are here. Without either they skip, saying
why; under ``CI=true`` that skip is a failure instead (CI must have run them). Only the
tests that ask for a server are affected: the rest of the suite never needs one.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pgserver
import pytest

psycopg = pytest.importorskip("psycopg")

from briefreader.core.archive.backend import init  # noqa: E402
from briefreader.core.library import Library  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
_numbers = itertools.count(1)


def no_server(reason: str) -> None:
    """Skip (locally) or fail (under CI=true) a test that needs a PostgreSQL server."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI must run the team archive's tests, but: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_base() -> Iterator[str]:
    """A superuser URL of a running server (its ``postgres`` database)."""
    url = os.environ.get("BRIEFREADER_TEST_PG")
    if url:
        yield url
        return
    reason = pgserver.why_not()
    if reason:
        no_server(reason)
    server = pgserver.Server()
    try:
        yield server.url
    finally:
        server.remove()


def _with_db(base: str, name: str) -> str:
    head, _sep, _db = base.rpartition("/")
    return f"{head}/{name}"


@pytest.fixture
def pg_admin(pg_base: str) -> Iterator[object]:
    conn = psycopg.connect(pg_base, autocommit=True)
    yield conn
    conn.close()


@pytest.fixture
def archive_url(pg_base: str, pg_admin: object) -> Iterator[str]:
    """A fresh, initialised archive database of its own for one test."""
    name = f"briefreader_test_{os.getpid()}_{next(_numbers)}"
    pg_admin.execute(f'DROP DATABASE IF EXISTS "{name}"')  # type: ignore[attr-defined]
    pg_admin.execute(f'CREATE DATABASE "{name}"')  # type: ignore[attr-defined]
    url = _with_db(pg_base, name)
    init(url)
    yield url
    pg_admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[attr-defined]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A copy of the sample corpus (tests may change it)."""
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest)
    return dest


@pytest.fixture(params=["local", "archive"])
def backend(request: pytest.FixtureRequest, corpus: Path, tmp_path: Path) -> Iterator[Library]:
    """The sample corpus behind either backend: the local index or a team archive."""
    data = tmp_path / "data"
    if request.param == "local":
        lib = Library.open([corpus], data_dir=data)
    else:
        url = request.getfixturevalue("archive_url")
        lib = Library.open_archive(url, [corpus], data_dir=data)
    lib.update()
    yield lib
    lib.close()


@pytest.fixture
def pair(corpus: Path, archive_url: str, tmp_path: Path) -> Iterator[tuple[Library, Library]]:
    """The sample corpus indexed locally and pushed to an archive: (local, archive)."""
    local = Library.open([corpus], data_dir=tmp_path / "local")
    local.update()
    arc = Library.open_archive(archive_url, [corpus], data_dir=tmp_path / "arc")
    arc.update()
    yield local, arc
    local.close()
    arc.close()
