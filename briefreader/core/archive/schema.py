"""The archive's tables, versioned and migrated forward (``briefreader archive init URL``).

Each migration runs in its own transaction under an advisory lock, so two ``init`` runs at
once apply it once; a version number above ours means a newer briefreader wrote the archive.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import psycopg

from briefreader.core.archive.errors import ArchiveSchemaError

log = logging.getLogger(__name__)

#: Any advisory lock key taken by briefreader: (namespace, purpose).
LOCK_NAMESPACE = 0x62726566  # "bref"
LOCK_MIGRATE = 1
LOCK_PUSH = 2

#: Group roles made by init: members of the first may search, of the second also push.
READER_ROLE = "briefreader_reader"
WRITER_ROLE = "briefreader_writer"


# Text columns keep a brief's decoded text exactly: head + article + mid + comment + tail is
# the file's text (the metadata header, the comment marker, what follows), so offsets into
# it (actor marks, notes) are the same as for the local file, without storing it twice.
# tsv holds the same index words as the local index (core.archive.analysis), weighted by
# section: A title, B article, C comment; term_stats counts briefs per word and section
# (BM25's document frequency) and the word's occurrences there (cf, from schema 3); totals
# holds the brief count and words per section.
def _reanalyse(conn: psycopg.Connection[Any]) -> None:
    from briefreader.core.archive.reanalyse import reanalyse  # it needs the analysis, not us

    log.info("re-analysed %d briefs with the new index words", reanalyse(conn))


#: Each step is fixed SQL text (no user input) or a function given the connection.
Step = str | Callable[[psycopg.Connection[Any]], None]

MIGRATIONS: list[tuple[int, list[Step]]] = [
    (
        1,
        [
            """CREATE TABLE briefs (
                id text PRIMARY KEY,
                sha256 text NOT NULL,
                title text NOT NULL,
                date date,
                source text NOT NULL DEFAULT '',
                source_key text NOT NULL DEFAULT '',
                author text,
                tags text[] NOT NULL DEFAULT '{}',
                tag_keys text[] NOT NULL DEFAULT '{}',
                head text NOT NULL DEFAULT '',
                article text NOT NULL,
                mid text NOT NULL DEFAULT '',
                comment text,
                tail text NOT NULL DEFAULT '',
                encoding text NOT NULL DEFAULT 'utf-8',
                metadata jsonb NOT NULL DEFAULT '{}',
                warnings text[] NOT NULL DEFAULT '{}',
                actors text[] NOT NULL DEFAULT '{}',
                actors_article text[] NOT NULL DEFAULT '{}',
                actors_comment text[] NOT NULL DEFAULT '{}',
                words_a integer NOT NULL DEFAULT 0,
                words_b integer NOT NULL DEFAULT 0,
                words_c integer NOT NULL DEFAULT 0,
                tsv tsvector NOT NULL,
                pushed_at timestamptz NOT NULL DEFAULT now(),
                pushed_by text NOT NULL DEFAULT current_user
            )""",
            "CREATE INDEX briefs_tsv ON briefs USING gin (tsv)",
            "CREATE INDEX briefs_actors ON briefs USING gin (actors)",
            "CREATE INDEX briefs_actors_article ON briefs USING gin (actors_article)",
            "CREATE INDEX briefs_actors_comment ON briefs USING gin (actors_comment)",
            "CREATE INDEX briefs_tags ON briefs USING gin (tag_keys)",
            "CREATE INDEX briefs_source ON briefs (source_key)",
            "CREATE INDEX briefs_date ON briefs (date)",
            """CREATE TABLE term_stats (
                lexeme text NOT NULL,
                field "char" NOT NULL,
                ndoc integer NOT NULL,
                PRIMARY KEY (lexeme, field)
            )""",
            "CREATE INDEX term_stats_prefix ON term_stats (lexeme text_pattern_ops)",
            """CREATE TABLE totals (
                name text PRIMARY KEY,
                value bigint NOT NULL
            )""",
            """INSERT INTO totals VALUES
                ('briefs', 0), ('words_a', 0), ('words_b', 0), ('words_c', 0)""",
            # The team's shared glossary: TOML as the glossary files hold it, one row.
            """CREATE TABLE glossary (
                name text PRIMARY KEY,
                toml text NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now(),
                updated_by text NOT NULL DEFAULT current_user
            )""",
        ],
    ),
    (
        2,
        [
            # Each common word's best briefs (core.archive.best): what a first page over
            # more matches than can be scored is chosen from. An archive migrated to this
            # version gets its lists started by its next push.
            """CREATE TABLE best_words (
                lexeme text PRIMARY KEY,
                floor real NOT NULL,
                kept integer NOT NULL
            )""",
            """CREATE TABLE best_briefs (
                lexeme text NOT NULL,
                id text NOT NULL,
                score real NOT NULL,
                PRIMARY KEY (lexeme, id)
            )""",
            "CREATE INDEX best_briefs_id ON best_briefs (id)",
            # Date sorts read these in order and stop at the page's end (ties by id).
            "CREATE INDEX briefs_newest ON briefs (date DESC NULLS LAST, id)",
            "CREATE INDEX briefs_oldest ON briefs (date, id)",
            "DROP INDEX briefs_date",
        ],
    ),
    # The index words became Snowball English stems (core.search.words), as the local
    # index's schema 11: every brief's words are made again from its text. term_stats also
    # counts each word's occurrences per section (cf: related briefs' key words by Bo1),
    # filled by the re-analysis.
    (
        3,
        [
            "ALTER TABLE term_stats ADD COLUMN IF NOT EXISTS cf bigint NOT NULL DEFAULT 0",
            _reanalyse,
        ],
    ),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]

_META = "CREATE TABLE IF NOT EXISTS archive_meta (key text PRIMARY KEY, value text NOT NULL)"


def version(conn: psycopg.Connection[Any]) -> int:
    """The archive's schema version; 0 for a database briefreader never initialised."""
    row = conn.execute("SELECT to_regclass('archive_meta') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return 0
    row = conn.execute("SELECT value FROM archive_meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def check(conn: psycopg.Connection[Any], where: str) -> None:
    """Raise :class:`ArchiveSchemaError` unless the archive is at our schema version."""
    have = version(conn)
    if have == SCHEMA_VERSION:
        return
    if have == 0:
        raise ArchiveSchemaError(
            f"{where} is not a briefreader archive yet: run `briefreader archive init URL`"
        )
    if have < SCHEMA_VERSION:
        raise ArchiveSchemaError(
            f"{where} has schema {have}, this briefreader needs {SCHEMA_VERSION}: run "
            "`briefreader archive init URL` to migrate it"
        )
    raise ArchiveSchemaError(
        f"{where} was written by a newer briefreader (schema {have}); update briefreader"
    )


def migrate(conn: psycopg.Connection[Any]) -> tuple[int, int]:
    """Bring the schema to SCHEMA_VERSION; (version before, version after).

    ``conn`` must be in autocommit mode: each migration is its own transaction.
    """
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_NAMESPACE, LOCK_MIGRATE))
        conn.execute(_META)
    before = version(conn)
    if before > SCHEMA_VERSION:
        raise ArchiveSchemaError(
            f"the archive was written by a newer briefreader (schema {before})"
        )
    for number, statements in MIGRATIONS:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_NAMESPACE, LOCK_MIGRATE))
            if version(conn) >= number:
                continue  # another init applied it meanwhile
            for statement in statements:
                if callable(statement):
                    statement(conn)
                else:
                    conn.execute(statement)  # fixed text, no user input
            conn.execute(
                "INSERT INTO archive_meta VALUES ('schema_version', %s) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                (str(number),),
            )
            log.info("archive schema migrated to %s", number)
    _grant_roles(conn)
    return before, SCHEMA_VERSION


def _grant_roles(conn: psycopg.Connection[Any]) -> None:
    """Create the reader and writer group roles where this role may (else leave it to the
    database's owner: members of the reader role can search, of the writer role push)."""
    tables = "briefs, term_stats, totals, glossary, archive_meta, best_words, best_briefs"
    try:
        with conn.transaction():
            for role in (READER_ROLE, WRITER_ROLE):
                exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
                if exists.fetchone() is None:
                    conn.execute(f"CREATE ROLE {role} NOLOGIN")  # a constant name
            conn.execute(f"GRANT SELECT ON {tables} TO {READER_ROLE}, {WRITER_ROLE}")
            conn.execute(f"GRANT INSERT, UPDATE, DELETE ON {tables} TO {WRITER_ROLE}")
    except psycopg.errors.InsufficientPrivilege:
        log.info("no privilege to create the archive's roles; left to the database owner")
