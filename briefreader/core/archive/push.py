"""Briefs into the archive: in batches with COPY, idempotent by content hash, resumable.

Each batch is one transaction: COPY into a temporary table, then, under one advisory lock
(so concurrent pushes merge one batch at a time and their word counts stay exact), drop the
rows whose brief is already there with the same hash, take the replaced briefs' words out of
the statistics, upsert, and add the new words. A push killed mid-way loses at most the batch
it was in; pushed again, everything committed is recognised by its hash and skipped before
it is even parsed. Two pushes of the same brief leave one row (the id is the key).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import psycopg

from briefreader.core import formats
from briefreader.core.archive import analysis, best
from briefreader.core.archive.errors import ArchiveReadOnlyError
from briefreader.core.archive.schema import LOCK_NAMESPACE, LOCK_PUSH
from briefreader.core.brief import ARTICLE, COMMENT, Brief, BriefError
from briefreader.core.briefdocs import (
    actors_of,
    briefs_of_file,
    read_file_for_update,
    readable_suffixes,
    rel_id,
)
from briefreader.core.glossary import Glossary
from briefreader.core.parse import iter_brief_files
from briefreader.core.report import Problem, UpdateReport
from briefreader.core.search.fields import fold_field
from briefreader.core.walk import is_saved_page_folder

log = logging.getLogger(__name__)

#: Briefs per transaction: a kill loses at most this many, re-sent by the next push
#: (BRIEFREADER_ARCHIVE_BATCH sets another size).
BATCH = 500


def default_batch() -> int:
    try:
        return max(1, int(os.environ.get("BRIEFREADER_ARCHIVE_BATCH", BATCH)))
    except ValueError:
        return BATCH


COLUMNS = (
    "id", "sha256", "title", "date", "source", "source_key", "author", "tags", "tag_keys",
    "head", "article", "mid", "comment", "tail", "encoding", "metadata", "warnings",
    "actors", "actors_article", "actors_comment", "words_a", "words_b", "words_c", "tsv",
)  # fmt: skip
_COLS = ", ".join(COLUMNS)
_UPDATE = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS if c != "id")

ProgressFn = Callable[[int, int, str], None]


def row_of(brief: Brief, actors: Sequence[str], by_section: Mapping[str, Sequence[str]]) -> tuple:
    """The archive row of a parsed brief and the actors it names (most mentioned first)."""
    return row_and_words(brief, actors, by_section)[0]


def row_and_words(
    brief: Brief, actors: Sequence[str], by_section: Mapping[str, Sequence[str]]
) -> tuple[tuple, dict[str, set[str]]]:
    """The archive row of a parsed brief, and the distinct index words of each section
    weight that its tsvector holds (what term_stats counts; a bulk load counts them here)."""
    text = brief.text
    a0, a1 = brief.article_start, brief.article_end
    if brief.comment is not None and brief.comment_start is not None:
        c0, c1 = brief.comment_start, brief.comment_start + len(brief.comment)
        mid, tail = text[a1:c0], text[c1:]
    else:
        mid, tail = text[a1:], ""
    literal, counts, distinct = analysis.tsvector(
        [("title", brief.title), ("article", brief.article), ("comment", brief.comment or "")]
    )
    return (
        brief.id, brief.sha256, brief.title, brief.date, brief.source or "",
        fold_field(brief.source or ""), brief.author, list(brief.tags),
        [fold_field(t) for t in brief.tags], text[:a0], brief.article, mid, brief.comment, tail,
        brief.encoding, json.dumps(brief.metadata, ensure_ascii=False), list(brief.warnings),
        list(actors), list(by_section.get(ARTICLE, ())), list(by_section.get(COMMENT, ())),
        counts.get("A", 0), counts.get("B", 0), counts.get("C", 0), literal,
    ), distinct  # fmt: skip


def _stage(conn: psycopg.Connection[Any]) -> None:
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS stage (LIKE briefs INCLUDING DEFAULTS) "
        "ON COMMIT DELETE ROWS"
    )


def can_push(conn: psycopg.Connection[Any]) -> bool:
    row = conn.execute(
        "SELECT has_table_privilege('briefs', 'INSERT') AND "
        "has_table_privilege('briefs', 'UPDATE') AND has_table_privilege('term_stats', 'UPDATE')"
    ).fetchone()
    return bool(row and row[0])


def push_rows(conn: psycopg.Connection[Any], rows: Sequence[tuple]) -> tuple[int, int]:
    """One batch in one transaction; (added, updated). ``conn`` is in autocommit mode."""
    with conn.transaction():
        _stage(conn)
        with conn.cursor() as cur:
            with cur.copy(f"COPY stage ({_COLS}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_NAMESPACE, LOCK_PUSH))
            cur.execute(
                "DELETE FROM stage s USING briefs b WHERE b.id = s.id AND b.sha256 = s.sha256"
            )
            # What is replaced leaves the statistics first.
            cur.execute(
                """SELECT count(*), coalesce(sum(b.words_a), 0), coalesce(sum(b.words_b), 0),
                          coalesce(sum(b.words_c), 0), coalesce(sum(cardinality(b.actors)), 0)
                   FROM briefs b JOIN stage s ON s.id = b.id"""
            )
            old = cur.fetchone() or (0, 0, 0, 0, 0)
            if old[0]:
                _count_words(cur, "briefs b JOIN stage s ON s.id = b.id", "b", -1)
            cur.execute(
                f"INSERT INTO briefs ({_COLS}) SELECT {_COLS} FROM stage "
                f"ON CONFLICT (id) DO UPDATE SET {_UPDATE}, pushed_at = now(), "
                "pushed_by = current_user"
            )
            cur.execute(
                """SELECT count(*), coalesce(sum(words_a), 0), coalesce(sum(words_b), 0),
                          coalesce(sum(words_c), 0), coalesce(sum(cardinality(actors)), 0)
                   FROM stage"""
            )
            new = cur.fetchone() or (0, 0, 0, 0, 0)
            if new[0]:
                _count_words(cur, "stage s", "s", 1)
                deltas = [n - o for n, o in zip(new, old, strict=True)]
                cur.execute(
                    """UPDATE totals SET value = value + d.delta
                       FROM unnest(ARRAY['briefs', 'words_a', 'words_b', 'words_c', 'actors'],
                                   %s::bigint[]) AS d(name, delta)
                       WHERE totals.name = d.name""",
                    (deltas,),
                )
                best.add_briefs(cur, "stage s")
    return int(new[0]) - int(old[0]), int(old[0])


def _count_words(cur: Any, source: str, alias: str, sign: int) -> None:
    """Add (or take away) each brief's distinct words per section to term_stats, and their
    occurrences there (``cf``: related briefs' Bo1 weighs a word by its rate in the articles).

    ts_filter keeps one section's positions and the unnested rows list its words once each
    with their positions there, both in C: far cheaper than unnesting every position's
    weight and removing repeats.
    """
    parts = " UNION ALL ".join(
        f"""SELECT u.lexeme, '{w.upper()}'::"char" AS field, array_length(u.positions, 1) AS tf
            FROM {source}, unnest(ts_filter({alias}.tsv, '{{{w}}}')) u"""
        for w in "abc"
    )
    cur.execute(
        f"""INSERT INTO term_stats (lexeme, field, ndoc, cf)
            SELECT lexeme, field, {int(sign)} * count(*), {int(sign)} * sum(tf) FROM ({parts}) x
            GROUP BY 1, 2 ORDER BY 1, 2
            ON CONFLICT (lexeme, field) DO UPDATE SET ndoc = term_stats.ndoc + EXCLUDED.ndoc,
                                                      cf = term_stats.cf + EXCLUDED.cf"""
    )


def known_hashes(conn: psycopg.Connection[Any], ids: Sequence[str]) -> dict[str, str]:
    """The content hash the archive holds for each of ``ids`` it has."""
    rows = conn.execute("SELECT id, sha256 FROM briefs WHERE id = ANY(%s)", (list(ids),))
    return dict(rows.fetchall())


def push_folders(
    conn: psycopg.Connection[Any],
    roots: Sequence[Path],
    glossary: Glossary,
    *,
    progress: ProgressFn | None = None,
    batch: int | None = None,
) -> UpdateReport:
    """Push every brief file under ``roots``; a brief already there unchanged is skipped."""
    t0 = time.perf_counter()
    report = UpdateReport()
    if not can_push(conn):
        raise ArchiveReadOnlyError("this role may search the team archive but not push to it")
    files = list(_files(roots, report))
    batch = batch or default_batch()
    for start in range(0, len(files), batch):
        chunk = files[start : start + batch]
        # Every file's briefs (a digest's items, a mailbox's messages, a PDF's text), then
        # only those whose text the archive does not hold yet are pushed.
        parsed: list[tuple[Path, Brief]] = []
        for n, (root, path) in enumerate(chunk, start + 1):
            if progress is not None:
                progress(n, len(files), str(path))
            try:
                data, _digest = read_file_for_update(path)
                briefs, warnings = briefs_of_file(path, rel_id(path, root), data)
            except (BriefError, OSError) as exc:
                reason = exc.reason if isinstance(exc, BriefError) else f"cannot read: {exc}"
                report.problems.append(Problem(str(path), reason))
                continue
            report.problems.extend(Problem(str(path), w, "warning") for w in warnings)
            parsed.extend((path, b) for b in briefs)
        have = known_hashes(conn, [b.id for _path, b in parsed])
        rows = []
        for _path, brief in parsed:
            if have.get(brief.id) == brief.sha256:
                report.unchanged += 1
                continue
            every, article, comment = actors_of(glossary.matcher().actors_in_brief(brief))
            rows.append(row_of(brief, every, {ARTICLE: article, COMMENT: comment}))
        if rows:
            added, updated = push_rows(conn, rows)
            report.added += added
            report.updated += updated
            # Rows dropped as already there (another push got them in first) count unchanged.
            report.unchanged += len(rows) - added - updated
    report.seconds = time.perf_counter() - t0
    return report


def _files(roots: Sequence[Path], report: UpdateReport) -> Iterator[tuple[Path, Path]]:
    seen: set[str] = set()
    for root in roots:
        if not root.is_dir():
            report.problems.append(Problem(str(root), "corpus folder not found"))
            continue

        def skipped(path: Path, reason: str) -> None:
            report.problems.append(Problem(str(path), reason))

        # Links out of the folder are never pushed: the archive is shared with the team.
        for path in iter_brief_files(
            root,
            skipped=skipped,
            suffixes=readable_suffixes(),
            folder_is_part=is_saved_page_folder,
            by_content=formats.is_read_by_content,
        ):
            brief_id = rel_id(path, root)
            if brief_id in seen:  # two folders with the same relative path: the first wins
                continue
            seen.add(brief_id)
            yield root, path


def batched(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
