"""Index build, re-check and search latency of briefreader beside a bare Whoosh loop.

    python benchmarks/bench_index.py --count 10000

Generates (or reuses) a synthetic corpus, then measures in one process, on the same files:
- the bare baseline: one Whoosh writer, the same schema, each file read and split at its
  comment marker with no glossary, committed once;
- briefreader's full build (Library.update: parse, match actors, multi-process writer);
- re-checking the unchanged corpus;
- search latency over a fixed query log (words, phrases, actors, filters, date sort),
  from query text to the first page with snippets, beside the bare Whoosh search.
Prints medians, 95th percentiles and ratios. Wall-clock figures: the machine is shared, so
compare ratios from one run, not absolute numbers across runs.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import synth

# One baseline, percentile and query log for both scripts: run.py is the harness.
from benchmarks.run import bare_whoosh_build, percentile, query_log
from briefreader import paths
from briefreader.core.library import Library


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--queries", type=int, default=120)
    ap.add_argument("--corpus", type=Path, help="reuse this corpus folder")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument(
        "--single", action="store_true", help="also time a one-process build (the window's)"
    )
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="brbench-"))
    corpus = args.corpus or work / "corpus"
    if not args.corpus:
        t0 = time.perf_counter()
        synth.generate(corpus, args.count, seed=1, glossary=paths.bundled_glossary())
        print(f"generated {args.count} briefs in {time.perf_counter() - t0:.1f} s")
    files = sorted(p for p in corpus.rglob("*") if p.suffix in (".md", ".txt"))
    n = len(files)

    bare_s = bare_whoosh_build(files, work / "bare")
    single_s = None
    if args.single:
        one = Library.open([corpus], data_dir=work / "data-single")
        t0 = time.perf_counter()
        one.update(bulk=False)
        single_s = time.perf_counter() - t0
        one.close()
    lib = Library.open([corpus], data_dir=work / "data")
    t0 = time.perf_counter()
    report = lib.update()
    build_s = time.perf_counter() - t0
    assert report.indexed == n, report.summary()

    recheck = []
    for _ in range(3):
        t0 = time.perf_counter()
        r = lib.update()
        recheck.append(time.perf_counter() - t0)
        assert r.added == r.updated == 0

    log = query_log(lib, args.queries)
    lib.search("warmup")
    ours = []
    for text, opts in log:
        t0 = time.perf_counter()
        lib.search(text, limit=20, **opts)  # type: ignore[arg-type]
        ours.append((time.perf_counter() - t0) * 1000)

    from whoosh import index as windex
    from whoosh import qparser

    bare_ix = windex.open_dir(str(work / "bare"))
    bare = []
    with bare_ix.searcher() as s:
        parser = qparser.MultifieldParser(["title", "article", "comment"], bare_ix.schema)
        for text, _opts in log:
            t0 = time.perf_counter()
            results = s.search(parser.parse(text), limit=20)
            for hit in results:
                hit.highlights("article")
            bare.append((time.perf_counter() - t0) * 1000)

    print(f"\nbriefs: {n}", flush=True)
    print(f"{'what':<34}{'briefreader':>14}{'bare Whoosh':>14}{'ratio':>8}")
    rate, bare_rate = n / build_s, n / bare_s
    print(f"{'full build (briefs/s)':<34}{rate:>14.0f}{bare_rate:>14.0f}{rate / bare_rate:>8.2f}")
    if single_s is not None:
        one = n / single_s
        label = "  one process (briefs/s)"
        print(f"{label:<34}{one:>14.0f}{bare_rate:>14.0f}{one / bare_rate:>8.2f}")
    print(f"{'re-check unchanged (s, median)':<34}{statistics.median(recheck):>14.2f}")
    for label, q in (("search median (ms)", 0.5), ("search p95 (ms)", 0.95)):
        a, b = percentile(ours, q), percentile(bare, q)
        print(f"{label:<34}{a:>14.1f}{b:>14.1f}{a / b:>8.2f}")
    lib.close()
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"kept {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
