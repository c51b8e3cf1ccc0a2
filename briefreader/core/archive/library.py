"""A :class:`~briefreader.core.library.Library` whose briefs live in a team archive.

The front ends talk to it as to the local library: ``search``, ``brief``, ``related``,
``hit_spans``, ``actor_counts``, ``doc_count`` and ``update`` (which pushes the corpus
folders) answer from the archive; actor marks and the glossary stay local (the team's shared
glossary, kept in the archive, is merged over the bundled and user ones). The connection is
opened on first use and again after the server went away, so searching resumes on its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
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
from briefreader.core.archive.query import compile_query
from briefreader.core.archive.snippets import beside_mentions
from briefreader.core.atomic import write_text_atomic
from briefreader.core.brief import Brief, BriefError
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library
from briefreader.core.prefs import Preferences
from briefreader.core.querytext import has_operators, order_dates, prepare_query
from briefreader.core.records import (
    SORTS,
    ActorPage,
    Candidate,
    CommentSentence,
    Filters,
    Hit,
    SearchResults,
)
from briefreader.core.report import Problem, UpdateReport
from briefreader.core.search.limits import TIME_LIMIT_S

log = logging.getLogger(__name__)

#: The shared glossary's row in the archive.
TEAM_GLOSSARY = "team"


def glossary_cache(data_dir: Path, target: str) -> Path:
    """Where the team glossary last read from an archive is kept, for when it is offline."""
    digest = hashlib.sha256(pg.describe(target).encode("utf-8")).hexdigest()[:16]
    return Path(data_dir) / "archives" / f"{digest}.glossary.toml"


class ArchiveLibrary(Library):
    """The library over a team archive (a libpq URL or service name)."""

    def __init__(
        self,
        corpora: Sequence[Path],
        data_dir: Path,
        glossary: Glossary,
        target: str,
        *,
        pushes: bool = True,
    ) -> None:
        super().__init__(corpora, data_dir, glossary)
        pg.conninfo(target)  # a bad URL or a password in it: said at once
        self.target = target
        self.name = pg.describe(target)
        #: True: :meth:`update` pushes the corpus folders to the archive (the command line's
        #: ``index --archive``). False: it keeps the local index up to date, as the window's
        #: updates do while it searches an archive (the laptop's own index stays current).
        self.pushes = pushes
        self._conn: Any = None

    @classmethod
    def open_archive(
        cls,
        target: str,
        corpora: Sequence[Path] | None = None,
        *,
        data_dir: str | os.PathLike[str] | None = None,
        glossary_files: Sequence[Path] = (),
        pushes: bool = True,
    ) -> ArchiveLibrary:
        """Like :meth:`Library.open`, over the archive; its team glossary merged in if the
        server answers (else the copy kept from last time)."""
        data = paths.data_dir(data_dir)
        cache = glossary_cache(data, target)
        probe = cls([], data, Glossary(), target)
        try:
            toml = probe.team_glossary()
            if toml is not None:
                cache.parent.mkdir(parents=True, exist_ok=True)
                write_text_atomic(cache, toml)
        except ArchiveError as exc:
            log.info("team glossary not refreshed: %s", exc)
        finally:
            probe.close()
        files = [paths.bundled_glossary(), cache, paths.user_glossary(data)]
        glossary = Glossary.load([*files, *map(Path, glossary_files)])
        if not corpora:
            corpora = Preferences.load(data).existing_corpora() or [paths.sample_corpus_dir()]
        lib = cls(list(corpora), data, glossary, target, pushes=pushes)
        lib.glossary_files = [Path(g) for g in glossary_files]
        return lib

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

    def reader(self) -> ArchiveLibrary:
        """Another library on the same archive, with its own connection (for other threads)."""
        other = ArchiveLibrary(
            self.corpora, self.data_dir, self.glossary, self.target, pushes=self.pushes
        )
        other.glossary_files = self.glossary_files
        return other

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # a dead connection may fail to close: it is gone anyway
                log.debug("closing the archive connection failed", exc_info=True)
        super().close()

    # -- writing -------------------------------------------------------------------------

    def update(
        self,
        progress: Callable[[int, int, str], None] | None = None,
        cancel: Callable[[], bool] | None = None,
        *,
        lock_timeout: float | None = None,
        bulk: bool | None = None,
    ) -> UpdateReport:
        """Push the corpus folders' briefs to the archive (new and changed ones only), or,
        for a library that does not push, update the local index as :class:`Library` does."""
        if not self.pushes:
            return super().update(progress, cancel, lock_timeout=lock_timeout, bulk=bulk)
        del cancel, lock_timeout, bulk
        return self._run(
            lambda conn: push.push_folders(conn, self.corpora, self.glossary, progress=progress)
        )

    def rebuild(self, *, lock_timeout: float | None = None) -> None:
        if not self.pushes:  # the local index, as update()
            super().rebuild(lock_timeout=lock_timeout)
            return
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
        *,
        limit: int = 20,
        offset: int = 0,
        sort: str = "relevance",
        actors: Sequence[str] = (),
        sources: Sequence[str] = (),
        tags: Sequence[str] = (),
        since: dt.date | None = None,
        until: dt.date | None = None,
        years: Sequence[int] = (),
        facets: bool = True,
        snippets: bool = True,
        time_limit: float | None = TIME_LIMIT_S,
    ) -> SearchResults:
        """The same search as the local library's, answered by the archive."""
        del time_limit  # the server's own statement timeout applies
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}")
        text, notices = prepare_query(text)
        since, until = order_dates(since, until, notices)
        actor_ids = []
        for a in actors:
            actor = self.glossary.lookup(a) or self.glossary.get(a)
            actor_ids.append(actor.id if actor else a)
        filters = Filters(
            tuple(actor_ids), tuple(sources), tuple(tags), since, until, tuple(years)
        )
        compiled, named = self._compile(text, notices)
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

    def _compile(self, text: str, notices: list[str]) -> tuple[Any, frozenset[str]]:
        rewritten, named, rw_notices = self.builder.rewrite(text.replace("\x00", " "))
        compiled = compile_query(
            rewritten, [*notices, *rw_notices], operators=has_operators(text)
        )
        return compiled, frozenset(named)

    def _actor_spans(self, text: str, actor_ids: frozenset[str]) -> list[tuple[int, int]]:
        return [
            (m.start, m.end) for m in self.glossary.matcher().find(text) if m.actor_id in actor_ids
        ]

    def hit_spans(self, brief: Brief, text: str) -> list[tuple[int, int]]:
        """Offsets in ``brief.text`` of the words the query matches (computed locally)."""
        if not text.strip():
            return []
        text = prepare_query(text)[0]
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
        return self._run(
            lambda conn: similar.related(conn, brief_id.removeprefix("archive:"), limit)
        )

    def actor_counts(self) -> dict[str, int]:
        def count(conn: Any) -> dict[str, int]:
            rows = conn.execute(
                "SELECT a, count(*) FROM briefs, unnest(actors) a GROUP BY a"
            ).fetchall()
            return {a: int(n) for a, n in rows}

        counts = self._run(count)
        return {actor_id: counts.get(actor_id, 0) for actor_id in self.glossary.actors}

    def doc_count(self) -> int:
        row = self._run(
            lambda conn: conn.execute("SELECT value FROM totals WHERE name = 'briefs'").fetchone()
        )
        return int(row[0]) if row else 0

    def actor_page(
        self, name: str, *, company_limit: int = 25, comment_briefs: int | None = None
    ) -> ActorPage:
        raise ArchiveError("the actor workbench reads the local index only, not a team archive")

    def actor_comments(
        self, name: str, start: int, count: int | None = None
    ) -> list[CommentSentence]:
        raise ArchiveError("the actor workbench reads the local index only, not a team archive")

    def last_candidates(self, min_briefs: int = 3) -> tuple[list[Candidate], bool] | None:
        return None

    def candidates(
        self, min_briefs: int = 3, cancel: Callable[[], bool] | None = None
    ) -> list[Candidate]:
        raise ArchiveError("glossary candidates are found in the local index only")

    # -- the offline slice ---------------------------------------------------------------

    def pull(self, text: str, dest: Path, *, limit: int = 100_000) -> PullReport:
        """Write the briefs a query finds into ``dest`` (a local corpus folder) as plain
        brief files named after their ids (:mod:`.pull`); a row that cannot be written is
        reported and left out, the others arrive."""
        results = self.search(text, limit=limit, facets=False, snippets=False)
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


def iter_ids(lib: ArchiveLibrary) -> Iterator[str]:
    """Every brief id in the archive (tests and the benchmarks)."""
    rows = lib._run(lambda conn: conn.execute("SELECT id FROM briefs ORDER BY id").fetchall())
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
