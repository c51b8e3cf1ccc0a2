"""The team archive at scale (issue 17): push rate, first-page search and facets latency.

    python benchmarks/archive_scale.py --archive URL [--count 1000000] [--queries 300]

Synthetic briefs (``benchmarks/synth.py``'s generator, the same seed as the local
benchmarks) are made in memory, parsed, matched against the bundled glossary and pushed in
batches with COPY by the archive's own code (``core/archive/push.py``): no file is written.
They go into a scratch database on the server of URL (created, and dropped unless
``--keep``). Then the same kind of 300-query log as ``benchmarks/run.py`` (common and rare
words, actor names, phrases, a date sort, an actor filter) is asked through
``ArchiveLibrary.search``: the first page of 20 with snippets, then the same with facets.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
from briefreader.core.archive import push
from briefreader.core.archive.library import ArchiveLibrary, init
from briefreader.core.brief import ARTICLE, COMMENT
from briefreader.core.briefdocs import main_actors
from briefreader.core.glossary import Glossary
from briefreader.core.parse import parse_bytes


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))]


def rows(count: int, glossary: Glossary, seed: int = 1):  # type: ignore[no-untyped-def]
    """Archive rows of ``count`` synthetic briefs, made as synth.generate makes files."""
    rng = random.Random(seed)
    writer = synth._Writer(rng, synth.load_actors(synth.DEFAULT_GLOSSARY))
    span = (synth.LAST_DAY - synth.FIRST_DAY).days
    start = synth.FIRST_DAY.toordinal()
    for i in range(count):
        date = dt.date.fromordinal(start + rng.randint(0, span))
        markdown = rng.random() < 0.8
        title, text = writer.brief(date, markdown)
        name = f"{synth._slug(title)}-{i:07d}.md" if markdown else f"{date}_{i:07d}.txt"
        brief_id = f"{date.year:04d}/{date.month:02d}/{name}"
        brief = parse_bytes(text.encode("utf-8"), brief_id=brief_id, path=Path(brief_id))
        mentions = glossary.mentions(brief)
        by_section = {
            s: main_actors([m for m in mentions if m.section == s]) for s in (ARTICLE, COMMENT)
        }
        yield push.row_of(brief, main_actors(mentions), by_section)


def load(conn: Any, count: int, batch: int, glossary: Glossary) -> dict[str, float]:
    t0 = time.perf_counter()
    server = 0.0
    done = 0
    for chunk in push.batched(rows(count, glossary), batch):
        t = time.perf_counter()
        push.push_rows(conn, chunk)
        server += time.perf_counter() - t
        done += len(chunk)
        if done % (batch * 10) == 0:
            rate = done / (time.perf_counter() - t0)
            print(f"  {done:,} briefs pushed, {rate:.0f} briefs/s", file=sys.stderr, flush=True)
    total = time.perf_counter() - t0
    return {"seconds": total, "copy_merge_seconds": server, "rate": count / total}


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


def timed(lib: ArchiveLibrary, log: list[tuple[str, dict]], **kw: Any) -> list[float]:
    out = []
    for text, opts in log:
        t = time.perf_counter()
        lib.search(text, limit=20, **opts, **kw)
        out.append((time.perf_counter() - t) * 1000)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--archive", metavar="URL", required=True, help="a server to load into")
    ap.add_argument("--count", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--batch", type=int, default=5000)
    ap.add_argument("--keep", action="store_true", help="keep the scratch database")
    ap.add_argument("--database", default="briefreader_scale", help="the scratch database")
    args = ap.parse_args(argv)

    glossary = Glossary.load([paths.bundled_glossary()])
    db = args.database
    with psycopg.connect(args.archive, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {db}")
    url = f"{args.archive.rsplit('/', 1)[0]}/{db}"
    try:
        init(url)
        with psycopg.connect(url, autocommit=True) as conn:
            print(f"pushing {args.count:,} synthetic briefs in batches of {args.batch:,}")
            pushed = load(conn, args.count, args.batch, glossary)
            t = time.perf_counter()
            conn.execute("VACUUM ANALYZE")
            vacuum = time.perf_counter() - t
            size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            db_size = size.fetchone()[0]
            log = query_log(conn, glossary, args.queries)
        with tempfile.TemporaryDirectory() as tmp:
            lib = ArchiveLibrary.open_archive(url, data_dir=tmp)
            lib.glossary = glossary
            timed(lib, log[:20], facets=False)  # connection and the first catalogue reads
            page = timed(lib, log, facets=False, snippets=True)
            whole = timed(lib, log, facets=True, snippets=True)
            ids = [h.id for h in lib.search("", limit=50, facets=False).hits]
            related = []
            for brief_id in ids:
                t = time.perf_counter()
                lib.related(brief_id, limit=10)
                related.append((time.perf_counter() - t) * 1000)
            lib.close()
    finally:
        if not args.keep:
            with psycopg.connect(args.archive, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    facets_only = [w - p for w, p in zip(whole, page, strict=True)]
    print(f"\n{args.count:,} briefs, database {db_size} after VACUUM ANALYZE ({vacuum:.0f} s)")
    print("| what | figure |\n|---|---:|")
    print(f"| push, briefs/s (make, parse, match, analyse, COPY, merge) | {pushed['rate']:.0f} |")
    print(
        f"| of which COPY + merge on the server, s (of {pushed['seconds']:.0f} s) |"
        f" {pushed['copy_merge_seconds']:.0f} |"
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
        sub = [whole[i] for i in range(k, len(whole), 6)]
        print(
            f"| {kind} (with facets): p50 / p95, ms | {statistics.median(sub):.0f} /"
            f" {percentile(sub, 0.95):.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
