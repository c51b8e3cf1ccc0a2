"""The team archive at scale: bulk load and push rates, first-page latency.

    python benchmarks/archive_scale.py --archive URL [--count 1000000] [--queries 300]
        [--workers 2] [--keep] [--reuse] [--warm] [--push-sample 2000] [--copy-until HH:MM]
        [--load-only]

Synthetic briefs (``benchmarks/synth.py``'s generator, seed 1 as the local benchmarks) are
made in memory and COPYed straight into a scratch database on the server of URL (created,
and dropped unless ``--keep``): each row as the push makes it (parsed, matched against the
bundled glossary, analysed by ``core/archive``) by worker processes, the indexes built
after the load, the word statistics counted from the rows, the best-briefs lists started,
then VACUUM ANALYZE. No file is written. Then the same kind of 300-query log as
``benchmarks/run.py`` (common and rare words, actor names, phrases, a date sort, an actor
filter) is asked through ``Library.search``: the first page of 20 with snippets,
then the same with facets; last, ``--push-sample`` more briefs go through the push itself
(its rate into an archive of that size).
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg
import synth

from briefreader import paths
from briefreader.core.archive import best as archive_best
from briefreader.core.archive import push
from briefreader.core.archive import related as archive_related
from briefreader.core.archive.backend import init
from briefreader.core.archive.reanalyse import recount_words
from briefreader.core.brief import ARTICLE, COMMENT
from briefreader.core.briefdocs import actors_of
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library
from briefreader.core.parse import parse_bytes


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))]


def texts(count: int, seed: int = 1, prefix: str = ""):  # type: ignore[no-untyped-def]
    """(brief id, file text) of ``count`` synthetic briefs, made as synth.generate makes
    files (one ``random.Random(seed)``, drawn in order: it cannot be split across workers)."""
    rng = random.Random(seed)
    writer = synth._Writer(rng, synth.load_actors(synth.DEFAULT_GLOSSARY))
    span = (synth.LAST_DAY - synth.FIRST_DAY).days
    start = synth.FIRST_DAY.toordinal()
    for i in range(count):
        date = dt.date.fromordinal(start + rng.randint(0, span))
        markdown = rng.random() < 0.8
        title, text = writer.brief(date, markdown)
        name = f"{synth._slug(title)}-{i:07d}.md" if markdown else f"{date}_{i:07d}.txt"
        yield f"{prefix}{date.year:04d}/{date.month:02d}/{name}", text


_GLOSSARY: Glossary | None = None


def _worker_init() -> None:
    global _GLOSSARY
    _GLOSSARY = Glossary.load([paths.bundled_glossary()])


def row(brief_id: str, text: str, glossary: Glossary) -> tuple[tuple, dict[str, set[str]]]:
    """The archive row of one brief as the push makes it (parse, match, analyse), and its
    distinct words per section (what term_stats counts)."""
    brief = parse_bytes(text.encode("utf-8"), brief_id=brief_id, path=Path(brief_id))
    every, article, comment = actors_of(glossary.matcher().actors_in_brief(brief))
    return push.row_and_words(brief, every, {ARTICLE: article, COMMENT: comment})


def _analyse(chunk: list[tuple[str, str]]) -> list[tuple]:
    """A worker's share: the rows of a chunk of briefs."""
    assert _GLOSSARY is not None
    return [row(brief_id, text, _GLOSSARY)[0] for brief_id, text in chunk]


def _chunks(items, size: int):  # type: ignore[no-untyped-def]
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def bulk_load(
    conn: Any, count: int, workers: int, until: dt.datetime | None = None
) -> dict[str, float]:
    """COPY ``count`` synthetic briefs straight into an empty archive's tables.

    The rows are the push's own (``push.row_and_words``: parse, match, analyse), made by
    ``workers`` processes while this one draws the texts in order; the briefs' indexes are
    dropped first and built once at the end; term_stats is counted from the tsvectors as the
    migration counts it, totals from the rows; then the best-briefs lists and VACUUM ANALYZE. Past
    ``until`` (UTC) no more briefs are drawn: the archive holds those copied so far.
    """
    t0 = time.perf_counter()
    indexes = conn.execute(
        """SELECT indexname, indexdef FROM pg_indexes
           WHERE tablename = 'briefs' AND indexname <> 'briefs_pkey'"""
    ).fetchall()
    for name, _def in indexes:
        conn.execute(f"DROP INDEX {name}")
    conn.execute("ALTER TABLE briefs DROP CONSTRAINT briefs_pkey")
    sums = [0, 0, 0, 0]
    done = 0
    cols = ", ".join(push.COLUMNS)
    with multiprocessing.Pool(workers, initializer=_worker_init) as pool:
        batches = pool.imap(_analyse, _chunks(texts(count), 250), chunksize=1)
        for part in _chunks(batches, 40):  # 10,000 briefs a COPY
            with conn.cursor() as cur, cur.copy(f"COPY briefs ({cols}) FROM STDIN") as copy:
                for rows in part:
                    for r in rows:
                        copy.write_row(r)
                        sums[0] += 1
                        sums[1] += r[-4]
                        sums[2] += r[-3]
                        sums[3] += r[-2]
            done = sums[0]
            rate = done / (time.perf_counter() - t0)
            print(f"  {done:,} briefs copied, {rate:.0f} briefs/s", file=sys.stderr, flush=True)
            if until is not None and dt.datetime.now(dt.UTC) >= until:
                print(f"  stopped at {until:%H:%M} UTC", file=sys.stderr, flush=True)
                pool.terminate()
                break
    copied = time.perf_counter() - t0
    # Each word's briefs and occurrences per section, counted from the tsvectors as the
    # schema's re-analysis counts them (related briefs' key words need the occurrences).
    with conn.cursor() as cur:
        recount_words(cur)
    conn.execute(
        """UPDATE totals SET value = d.value FROM unnest(
               ARRAY['briefs', 'words_a', 'words_b', 'words_c'], %s::bigint[]) AS d(name, value)
           WHERE totals.name = d.name""",
        (sums,),
    )
    t = time.perf_counter()
    conn.execute("ALTER TABLE briefs ADD PRIMARY KEY (id)")
    for _name, definition in indexes:
        conn.execute(definition)
    indexed = time.perf_counter() - t
    t = time.perf_counter()
    conn.execute("VACUUM ANALYZE")
    vacuum = time.perf_counter() - t
    t = time.perf_counter()
    best = archive_best.rebuild(conn)
    best_s = time.perf_counter() - t
    conn.execute("VACUUM ANALYZE")
    total = time.perf_counter() - t0
    return {"seconds": total, "copy_seconds": copied, "rate": sums[0] / copied,
            "index_seconds": indexed, "vacuum_seconds": vacuum, "best_seconds": best_s,
            "best_words": best}  # fmt: skip


def push_sample(conn: Any, count: int, batch: int, glossary: Glossary) -> dict[str, float]:
    """The push rate into the loaded archive: ``count`` more briefs (another seed) through
    the push's own code, in batches, as ``briefreader index --archive`` sends them."""
    t0 = time.perf_counter()
    server = 0.0
    made = (row(i, text, glossary)[0] for i, text in texts(count, seed=2, prefix="push/"))
    for chunk in push.batched(made, batch):
        t = time.perf_counter()
        push.push_rows(conn, chunk)
        server += time.perf_counter() - t
    total = time.perf_counter() - t0
    return {"seconds": total, "server_seconds": server, "rate": count / total}


def query_log(conn: Any, glossary: Glossary, n: int, seed: int = 7) -> list[tuple[str, dict]]:
    """The mix of benchmarks/run.py's query_log, its words taken from the archive's stats."""
    rng = random.Random(seed)
    words = [
        w
        for (w,) in conn.execute(
            """SELECT lexeme FROM term_stats WHERE field = 'B' AND lexeme ~ '^[a-z]+$'
               ORDER BY ndoc DESC"""
        ).fetchall()
    ]
    common, rare = words[20:400], words[len(words) // 2 :] or words
    actors = list(glossary.actors.values())[:60]
    out: list[tuple[str, dict]] = []
    for i in range(n):
        kind = i % 6
        if kind == 0:
            out.append((rng.choice(common), {}))
        elif kind == 1:
            out.append((f"{rng.choice(common)} {rng.choice(rare)}", {}))
        elif kind == 2:
            out.append((rng.choice(actors).name, {}))
        elif kind == 3:
            out.append((f'"{rng.choice(common)} {rng.choice(common)}"', {}))
        elif kind == 4:
            out.append((f"{rng.choice(common)} {rng.choice(common)}", {"sort": "newest"}))
        else:
            out.append((rng.choice(common), {"actors": [rng.choice(actors).id]}))
    return out


def timed(lib: Library, log: list[tuple[str, dict]], **kw: Any) -> list[float]:
    out = []
    for text, opts in log:
        t = time.perf_counter()
        lib.search(text, limit=20, **opts, **kw)
        out.append((time.perf_counter() - t) * 1000)
    return out


def related_agreement(conn: Any, ids: list[str]) -> tuple[float, float, float]:
    """How far the bounded related briefs agree with ranking every brief holding one of
    the same words: (share with the same first brief, share of the ten shared, the
    exhaustive ranking's median ms)."""
    same = shared = wanted = 0
    slow = []
    for brief_id in ids:
        bounded = [h.id for h in archive_related.related(conn, brief_id, 10)]
        t = time.perf_counter()
        full = [h.id for h in archive_related.exhaustive(conn, brief_id, 10)]
        slow.append((time.perf_counter() - t) * 1000)
        same += bounded[:1] == full[:1]
        shared += len(set(bounded) & set(full))
        wanted += len(full)
    return same / max(len(ids), 1), shared / max(wanted, 1), statistics.median(slow or [0.0])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--archive", metavar="URL", required=True, help="a server to load into")
    ap.add_argument("--count", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--workers", type=int, default=2, help="processes making the rows")
    ap.add_argument(
        "--push-sample",
        type=int,
        default=2000,
        metavar="N",
        help="then push N more briefs through the push code (its rate)",
    )
    ap.add_argument("--batch", type=int, default=500, help="the push sample's batch size")
    ap.add_argument("--keep", action="store_true", help="keep the scratch database")
    ap.add_argument(
        "--reuse",
        action="store_true",
        help="search a scratch database kept by --keep (migrated, its lists "
        "rebuilt if it has none) instead of loading one",
    )
    ap.add_argument("--database", default="briefreader_scale", help="the scratch database")
    ap.add_argument("--warm", action="store_true", help="ask the whole log once, untimed")
    ap.add_argument("--copy-until", metavar="HH:MM", help="stop drawing briefs at this UTC time")
    ap.add_argument(
        "--related-check",
        type=int,
        default=0,
        metavar="N",
        help="compare the related briefs of the first N with the exhaustive ranking's",
    )
    ap.add_argument(
        "--load-only",
        action="store_true",
        help="load (with --keep) and stop: ask the log later with --reuse, e.g. under a lock "
        "that keeps other timing runs off the machine",
    )
    args = ap.parse_args(argv)
    until = None
    if args.copy_until:
        hour, minute = (int(x) for x in args.copy_until.split(":"))
        until = dt.datetime.now(dt.UTC).replace(hour=hour, minute=minute, second=0)

    glossary = Glossary.load([paths.bundled_glossary()])
    db = args.database
    url = f"{args.archive.rsplit('/', 1)[0]}/{db}"
    loaded: dict[str, float] = {}
    if not args.reuse:
        with psycopg.connect(args.archive, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {db}")
    try:
        init(url)
        with psycopg.connect(url, autocommit=True) as conn:
            if not args.reuse:
                print(f"copying {args.count:,} synthetic briefs ({args.workers} workers)")
                loaded = bulk_load(conn, args.count, args.workers, until)
            elif conn.execute("SELECT count(*) FROM best_words").fetchone()[0] == 0:
                t = time.perf_counter()
                loaded["best_words"] = archive_best.rebuild(conn)
                loaded["best_seconds"] = time.perf_counter() - t
                conn.execute("VACUUM ANALYZE")
            n = conn.execute("SELECT value FROM totals WHERE name = 'briefs'").fetchone()[0]
            size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            db_size = size.fetchone()[0]
            log = query_log(conn, glossary, args.queries)
        if args.load_only:
            print(f"\n{n:,} briefs, database {db_size} after VACUUM ANALYZE")
            for key, value in loaded.items():
                print(f"| bulk load: {key} | {value:,.0f} |")
            return 0
        with tempfile.TemporaryDirectory() as tmp:
            lib = Library.open_archive(url, data_dir=tmp)
            lib.glossary = glossary
            # Connection and the first catalogue reads; with --warm, the whole log once (a
            # server in use has its hot pages cached; a load leaves them cold).
            timed(lib, log if args.warm else log[:20], facets=False)
            page = timed(lib, log, facets=False, snippets=True)
            whole = timed(lib, log, facets=True, snippets=True)
            ids = [h.id for h in lib.search("", limit=50, facets=False).hits]
            related = []
            for brief_id in ids:
                t = time.perf_counter()
                lib.related(brief_id, limit=10)
                related.append((time.perf_counter() - t) * 1000)
            lib.close()
        agreement = None
        if args.related_check:
            with psycopg.connect(url, autocommit=True) as conn:
                agreement = related_agreement(conn, ids[: args.related_check])
        pushed = None
        if args.push_sample:
            with psycopg.connect(url, autocommit=True) as conn:
                pushed = push_sample(conn, args.push_sample, args.batch, glossary)
    finally:
        if not args.keep:
            with psycopg.connect(args.archive, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    facets_only = [w - p for w, p in zip(whole, page, strict=True)]
    print(f"\n{n:,} briefs, database {db_size} after VACUUM ANALYZE")
    print("| what | figure |\n|---|---:|")
    if "rate" in loaded:
        print(f"| bulk load, briefs/s (make, parse, match, analyse, COPY) | {loaded['rate']:.0f} |")
        print(f"| bulk load: COPY, s | {loaded['copy_seconds']:.0f} |")
        print(
            f"| bulk load: primary key and indexes built after, s | {loaded['index_seconds']:.0f} |"
        )
        print(f"| bulk load: VACUUM ANALYZE, s | {loaded['vacuum_seconds']:.0f} |")
        print(f"| bulk load: in all, s | {loaded['seconds']:.0f} |")
    if "best_seconds" in loaded:
        print(
            f"| best-briefs lists started for {loaded['best_words']:,} words, s |"
            f" {loaded['best_seconds']:.0f} |"
        )
    if pushed:
        print(
            f"| push of {args.push_sample:,} more briefs (batches of {args.batch}), briefs/s,"
            f" end to end | {pushed['rate']:.0f} |"
        )
        print(f"| of which COPY + merge + lists on the server, s (of {pushed['seconds']:.0f} s) |"
              f" {pushed['server_seconds']:.0f} |")  # fmt: skip
    if agreement:
        print(
            f"| related briefs against ranking every match ({args.related_check} briefs):"
            f" top-1 same / top-10 shared, exhaustive p50 ms | {agreement[0]:.2f} /"
            f" {agreement[1]:.2f}, {agreement[2]:.0f} |"
        )
    for label, values in (
        ("first page with snippets", page),
        ("first page with snippets and facets", whole),
        ("facets' share (difference)", facets_only),
        ("related briefs (50 briefs)", related),
    ):
        print(
            f"| {label}: p50 / p95 / max, ms | {statistics.median(values):.0f} /"
            f" {percentile(values, 0.95):.0f} / {max(values):.0f} |"
        )
    kinds = ["word", "common + rare", "actor name", "phrase", "newest", "word + actor filter"]
    for k, kind in enumerate(kinds):
        sub = [page[i] for i in range(k, len(page), 6)]
        subw = [whole[i] for i in range(k, len(whole), 6)]
        print(
            f"| {kind}: p50 / p95, ms (with facets) | {statistics.median(sub):.0f} /"
            f" {percentile(sub, 0.95):.0f} ({statistics.median(subw):.0f} /"
            f" {percentile(subw, 0.95):.0f}) |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
