"""A team archive as a search backend: the library's searches answered by PostgreSQL.

:class:`ArchiveBackend` is a :class:`~briefreader.core.search.backend.SearchBackend` (``search``,
``found_among``, ``stored_of``, ``brief``, ``related``, ``hit_spans``, actor counts,
``doc_count``), with the archive's own questions beside it: pushing corpus folders, the
team's shared glossary, pulling briefs into a local folder. A
:class:`~briefreader.core.library.Library` opened with ``Library.open_archive`` holds one; the
actor workbench, which reads the local index only, is not here. The connection is opened on
first use and again after the server went away, so searching resumes on its own.

This package never imports the local index: the query builder's rewrite (actor names widened to
their ids) is handed in by the library (``rewrite``), and the glossary as the library has it
(``glossary_of``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from briefreader import paths
from briefreader.core.archive import connect as pg
from briefreader.core.archive import push, schema, search
from briefreader.core.archive import related as similar
from briefreader.core.archive.errors import (
    ArchiveError,
    ArchiveReadOnlyError,
    ArchiveUnavailableError,
)
from briefreader.core.archive.pull import Puller, PullError, PullReport
from briefreader.core.archive.query import compile_query, to_sql
from briefreader.core.archive.snippets import beside_mentions
from briefreader.core.atomic import write_text_atomic
from briefreader.core.brief import Brief, BriefError
from briefreader.core.glossary import Glossary
from briefreader.core.querytext import has_operators, prepare_query
from briefreader.core.records import SORTS, Filters, Hit, SearchResults
from briefreader.core.report import Problem, UpdateReport
from briefreader.core.search.backend import Rewrite

log = logging.getLogger(__name__)

#: The shared glossary's row in the archive.
TEAM_GLOSSARY = "team"


def glossary_cache(data_dir: Path, target: str) -> Path:
    """Where the team glossary last read from an archive is kept, for when it is offline."""
    digest = hashlib.sha256(pg.describe(target).encode("utf-8")).hexdigest()[:16]
    return Path(data_dir) / "archives" / f"{digest}.glossary.toml"


def team_glossary_files(data_dir: Path, target: str) -> list[Path]:
    """The glossaries a library over this archive loads, in order: the bundled one, the
    team's (read from the archive now if it answers, else the copy kept from last time) and
    the user's."""
    cache = glossary_cache(data_dir, target)
    probe = ArchiveBackend(target)
    try:
        toml = probe.team_glossary()
        if toml is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(cache, toml)
    except ArchiveError as exc:
        log.info("team glossary not refreshed: %s", exc)
    finally:
        probe.close()
    return [paths.bundled_glossary(), cache, paths.user_glossary(data_dir)]


def _no_rewrite(text: str) -> tuple[str, set[str], list[str]]:
    return text, set(), []


class ArchiveBackend:
    """The searches of a library over a team archive (a libpq URL or service name).

    ``glossary_of`` gives the library's glossary as it is now (actor marks in snippets and hit
    spans, the briefs pushed); ``rewrite`` is the query builder's rewrite of a query's text.
    Without them (a first look at the server, for its team glossary) queries are read as
    typed and no actor is marked.
    """

    #: Its briefs are rows of the archive, not files of the corpus folders.
    is_archive = True

    def __init__(
        self,
        target: str,
        *,
        glossary_of: Callable[[], Glossary] | None = None,
        rewrite: Rewrite | None = None,
    ) -> None:
        pg.conninfo(target)  # a bad URL or a password in it: said at once
        self.target = target
        #: The archive's host and database, as the front ends show it (never a password).
        self.name = pg.describe(target)
        if glossary_of is None:
            empty = Glossary()
            glossary_of = lambda: empty  # noqa: E731 - no actor to mark
        self._glossary_of = glossary_of
        self._rewrite = rewrite or _no_rewrite
        self._conn: Any = None

    # -- the connection ------------------------------------------------------------------

    def _connection(self) -> Any:
        if self._conn is not None and self._conn.closed:
            self._conn = None
        if self._conn is None:
            conn = pg.connect(self.target)
            try:
                with pg.plain_errors(self.name):
                    schema.check(conn, self.name)
                    # Searches are short: compiling them to machine code (JIT, on by default
                    # for costly plans) adds 50-200 ms to answers that need a few.
                    conn.execute("SET jit = off")
            except Exception:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def _run(self, work: Callable[[Any], Any]) -> Any:
        """Run ``work(conn)``; a lost server drops the connection, the next call reconnects."""
        try:
            with pg.plain_errors(self.name):
                return work(self._connection())
        except ArchiveUnavailableError:
            self.close()
            raise

    def reader(self) -> ArchiveBackend:
        """Another backend on the same archive, with its own connection (for other threads)."""
        return ArchiveBackend(self.target, glossary_of=self._glossary_of, rewrite=self._rewrite)

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # a dead connection may fail to close: it is gone anyway
                log.debug("closing the archive connection failed", exc_info=True)

    # -- writing -------------------------------------------------------------------------

    def push(
        self,
        corpora: Sequence[Path],
        glossary: Glossary,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> UpdateReport:
        """Push the corpus folders' briefs to the archive (new and changed ones only)."""
        return self._run(lambda conn: push.push_folders(conn, corpora, glossary, progress=progress))

    def rebuild(self) -> None:
        """Refused: a team archive is shared, and never thrown away from here."""
        raise ArchiveError("a team archive is never thrown away from briefreader")

    def team_glossary(self) -> str | None:
        """The team's shared glossary (TOML), or None if the archive has none yet."""

        def read(conn: Any) -> str | None:
            row = conn.execute(
                "SELECT toml FROM glossary WHERE name = %s", (TEAM_GLOSSARY,)
            ).fetchone()
            return row[0] if row else None

        return self._run(read)

    def set_team_glossary(self, toml: str) -> None:
        """Replace the team's shared glossary (writer roles only)."""

        def write(conn: Any) -> None:
            conn.execute(
                """INSERT INTO glossary (name, toml) VALUES (%s, %s)
                   ON CONFLICT (name) DO UPDATE SET toml = EXCLUDED.toml, updated_at = now(),
                   updated_by = current_user""",
                (TEAM_GLOSSARY, toml),
            )

        try:
            self._run(write)
        except ArchiveReadOnlyError:
            raise ArchiveReadOnlyError(
                "this role may search the team archive but not edit its glossary"
            ) from None

    # -- reading -------------------------------------------------------------------------

    def search(
        self,
        text: str,
        filters: Filters,
        *,
        limit: int = 20,
        offset: int = 0,
        sort: str = "relevance",
        facets: bool = True,
        snippets: bool = True,
        time_limit: float | None = None,
    ) -> SearchResults:
        """The same search as the local index's (``text`` already tamed), answered by the
        archive; ``time_limit`` is the server's own statement timeout's business."""
        del time_limit
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}")
        compiled, named = self._compile(text, [])
        return self._run(
            lambda conn: search.run(
                conn,
                compiled,
                text,
                limit=limit,
                offset=offset,
                sort=sort,
                filters=filters,
                facets=facets,
                snippets=snippets,
                actors=named,
                actor_spans=self._actor_spans,
                source_url=self.name,
            )
        )

    def found_among(self, text: str, ids: Sequence[str], filters: Filters) -> list[str]:
        """Which of ``ids`` :meth:`search` finds (either tier): one statement over those rows."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return []
        compiled, _named = self._compile(text, [])
        if text.strip() and compiled.strict is None:
            return []  # stop words only: the search finds nothing
        params: list[object] = [wanted]
        loose = to_sql(compiled.loose, params)
        filt = search.filters_sql(filters, params)
        rows = self._run(
            lambda conn: conn.execute(
                f"SELECT b.id FROM briefs b WHERE b.id = ANY(%s) AND ({loose}) AND {filt}",
                params,
            ).fetchall()
        )
        found = {row[0] for row in rows}
        return [i for i in wanted if i in found]

    def stored_of(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The stored fields of each of ``ids`` the archive holds, as the local index keeps
        them (:data:`~briefreader.core.search.backend.STORED_FIELDS`)."""
        wanted = list(dict.fromkeys(i.removeprefix("archive:") for i in ids))
        if not wanted:
            return {}
        rows = self._run(
            lambda conn: conn.execute(
                """SELECT id, title, article, comment, date, source, tag_keys, actors, head, mid
                   FROM briefs WHERE id = ANY(%s)""",
                (wanted,),
            ).fetchall()
        )
        out: dict[str, dict[str, Any]] = {}
        for brief_id, title, article, comment, date, source, tags, actors, head, mid in rows:
            fields: dict[str, Any] = {
                "key": f"archive:{brief_id}",
                "id": brief_id,
                "title": title,
                "article": article,
                "comment": comment or "",
                "comment_start": (
                    len(head) + len(article) + len(mid) if comment is not None else None
                ),
                "source_name": source,
                "tags": ",".join(tags),
                "actors": ",".join(actors),
            }
            if date is not None:
                fields["date"] = dt.datetime(date.year, date.month, date.day)
            out[brief_id] = fields
        return out

    def _compile(self, text: str, notices: list[str]) -> tuple[Any, frozenset[str]]:
        rewritten, named, rw_notices = self._rewrite(text.replace("\x00", " "))
        compiled = compile_query(rewritten, [*notices, *rw_notices], operators=has_operators(text))
        return compiled, frozenset(named)

    def _actor_spans(self, text: str, actor_ids: frozenset[str]) -> list[tuple[int, int]]:
        return [
            (m.start, m.end)
            for m in self._glossary_of().matcher().find(text)
            if m.actor_id in actor_ids
        ]

    def hit_spans(self, brief: Brief, text: str) -> list[tuple[int, int]]:
        """Offsets in ``brief.text`` of the words the query (as searched) matches, found here
        in the brief's text as the archive's snippets find them."""
        compiled, named = self._compile(text, [])
        terms = frozenset(w for w, _ in compiled.terms)
        prefixes = tuple(p for p, _ in compiled.prefixes)
        out: list[tuple[int, int]] = []
        for _section, start, body in brief.sections():
            marks = search.analysis.spans(body, terms, prefixes)
            mentions = self._actor_spans(body, named) if named else []
            kept = beside_mentions(marks, mentions)
            out.extend((start + a, start + b) for a, b in kept)
        return out

    def brief(self, ref: str) -> Brief:
        """A brief of the archive by id (``archive:ID`` too, as hits' keys have it).

        Never a local file, even when the id names one: an id is whatever a pusher sent.
        """
        return self._archive_brief(ref.removeprefix("archive:"))

    def _archive_brief(self, brief_id: str) -> Brief:
        def fetch(conn: Any) -> Any:
            return conn.execute(
                """SELECT id, sha256, title, date, source, author, tags, head, article, mid,
                          comment, tail, encoding, metadata, warnings
                   FROM briefs WHERE id = %s""",
                (brief_id,),
            ).fetchone()

        row = self._run(fetch)
        if row is None:
            raise BriefError(brief_id, "no such brief in the team archive")
        try:
            return brief_of(row)
        except (TypeError, ValueError) as exc:
            log.warning("archive row %r cannot be read: %s", brief_id, exc)
            raise BriefError(brief_id, "its row in the team archive is malformed") from None

    def copies_of(self, brief_id: str) -> tuple[str, ...]:
        """The archive does not fold copies of one article yet: none are known."""
        return ()

    def related(self, brief_id: str, limit: int = 10) -> list[Hit]:
        """Briefs like this one (:mod:`.related`); its copies are not among them."""
        key = brief_id.removeprefix("archive:")
        others = self.copies_of(key)
        return self._run(lambda conn: similar.related(conn, key, limit, exclude=others))

    def actor_document_counts(self) -> dict[str, int]:
        """Briefs naming each actor among their main actors."""

        def count(conn: Any) -> dict[str, int]:
            rows = conn.execute(
                "SELECT a, count(*) FROM briefs, unnest(actors) a GROUP BY a"
            ).fetchall()
            return {a: int(n) for a, n in rows}

        result: dict[str, int] = self._run(count)
        return result

    def doc_count(self) -> int:
        """The briefs the archive holds (its running total)."""
        row = self._run(
            lambda conn: conn.execute("SELECT value FROM totals WHERE name = 'briefs'").fetchone()
        )
        return int(row[0]) if row else 0

    # -- the offline slice ---------------------------------------------------------------

    def pull(self, text: str, dest: Path, *, limit: int = 100_000) -> PullReport:
        """Write the briefs a query finds into ``dest`` (a local corpus folder) as plain
        brief files named after their ids (:mod:`.pull`); a row that cannot be written is
        reported and left out, the others arrive."""
        results = self.search(
            prepare_query(text)[0], Filters(), limit=limit, facets=False, snippets=False
        )
        report = PullReport()
        with Puller(dest, self.name, report) as puller:
            for brief_id in sorted({hit.id for hit in results.hits}):
                try:
                    puller.put(brief_id, self._archive_brief(brief_id).text)
                except (BriefError, PullError) as exc:
                    report.skipped.append(Problem(brief_id, exc.reason))
                except OSError as exc:
                    reason = f"cannot be written: {exc.strerror or exc}"
                    report.skipped.append(Problem(brief_id, reason))
        return report


def brief_of(row: Sequence[Any]) -> Brief:
    """A Brief from an archive row: its text is the file's decoded text again."""
    (brief_id, sha256, title, date, source, author, tags, head, article, mid, comment, tail,
     encoding, metadata, warnings) = row  # fmt: skip
    text = head + article + mid + (comment or "") + tail
    comment_start = len(head) + len(article) + len(mid) if comment is not None else None
    return Brief(
        id=brief_id,
        path=Path(brief_id),
        text=text,
        title=title,
        date=date,
        source=source or None,
        author=author,
        tags=tuple(tags),
        article=article,
        article_start=len(head),
        comment=comment,
        comment_start=comment_start,
        sha256=sha256,
        encoding=encoding,
        metadata=dict(metadata or {}),
        warnings=tuple(warnings),
        on_disk=False,
    )


def iter_ids(backend: ArchiveBackend) -> Iterator[str]:
    """Every brief id in the archive (tests and the benchmarks)."""
    rows = backend._run(lambda conn: conn.execute("SELECT id FROM briefs ORDER BY id").fetchall())
    for (brief_id,) in rows:
        yield brief_id


def init(target: str) -> tuple[int, int]:
    """Create or migrate the archive's schema; (version before, version after)."""
    conn = pg.connect(target)
    try:
        with pg.plain_errors(pg.describe(target)):
            return schema.migrate(conn)
    finally:
        conn.close()
