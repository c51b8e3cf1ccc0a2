"""One command for every speed figure, each beside a baseline from the same run.

    python benchmarks/run.py --size 10000          # a full run (corpus and index cached)
    python benchmarks/run.py --size 200 --quick    # CI: every row, tiny and fast

The corpus is generated once per size and seed under ``--data-root`` (default
/work/bench-data, or $BRIEFREADER_BENCH_DATA) and the bulk-built index is kept beside it with
the figures of its build, so later runs at the same size reuse both (``--rebuild`` builds
again). Everything else is measured in this run. Wall-clock figures move with whatever else
the machine runs: quote the ratios. Rows whose stage failed say so instead of aborting.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import proctree, synth  # noqa: E402
from briefreader import paths  # noqa: E402

#: The bare Whoosh build is single-process and slow: above this many briefs its rate is
#: measured on the first files only (the rate, not the whole corpus).
BARE_BUILD_SAMPLE = 10_000


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


@dataclass
class Row:
    """One line of the table: our figure, the baseline's, and how they compare."""

    what: str
    ours: str
    base: str = ""
    ratio: str = ""
    goal: str = ""
    note: str = ""


@dataclass
class Table:
    rows: list[Row] = field(default_factory=list)

    def add(
        self,
        what: str,
        ours: float | str,
        base: float | str | None = None,
        *,
        fmt: str = "{:.1f}",
        goal: str = "",
        note: str = "",
    ) -> None:
        def show(v: float | str | None) -> str:
            if v is None:
                return ""
            return v if isinstance(v, str) else fmt.format(v)

        ratio = ""
        if isinstance(ours, (int, float)) and isinstance(base, (int, float)) and base:
            ratio = f"{ours / base:.2f}"
        self._keep(Row(what, show(ours), show(base), ratio, goal, note))

    def failed(self, what: str, exc: BaseException) -> None:
        self._keep(Row(what, "FAILED", note=f"{type(exc).__name__}: {exc}"[:120]))

    def _keep(self, row: Row) -> None:
        # Also at once on stderr: a long run stopped half-way still leaves its figures.
        print("  " + " | ".join(c for c in _cells(row) if c), file=sys.stderr, flush=True)
        self.rows.append(row)

    def render(self, markdown: bool = False) -> str:
        head = Row("what", "briefreader", "baseline", "ratio", "goal", "baseline / note")
        rows = [head, *self.rows]
        if markdown:
            lines = ["| " + " | ".join(_cells(head)) + " |", "|---|---:|---:|---:|---|---|"]
            lines += ["| " + " | ".join(_cells(r)) + " |" for r in self.rows]
            return "\n".join(lines)
        widths = [max(len(_cells(r)[i]) for r in rows) for i in range(6)]
        widths[5] = 0
        out = []
        for r in rows:
            cells = _cells(r)
            out.append(
                "  ".join(
                    c.ljust(w) if i in (0, 4, 5) else c.rjust(w)
                    for i, (c, w) in enumerate(zip(cells, widths, strict=True))
                ).rstrip()
            )
        return "\n".join(out)


def _cells(r: Row) -> list[str]:
    return [r.what, r.ours, r.base, r.ratio, r.goal, r.note]


# -- corpus and builds -----------------------------------------------------------------


def corpus_for(root: Path, size: int, seed: int) -> Path:
    """The cached synthetic corpus of ``size`` briefs (generated on first use)."""
    folder = root / f"corpus-n{size}-s{seed}"
    stamp = folder / ".complete"
    if stamp.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    t0 = time.perf_counter()
    synth.generate(folder, size, seed=seed, glossary=paths.bundled_glossary())
    stamp.write_text(str(size))
    print(f"generated {size} briefs in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return folder


def brief_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*") if p.suffix in (".md", ".txt"))


def cli_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "briefreader", *args]


def build_ours(corpus: Path, data: Path, rebuild: bool) -> dict[str, Any]:
    """Bulk-build with the real command line, sampling the memory of all its processes."""
    record = data / "build.json"
    if record.exists() and not rebuild:
        cached = json.loads(record.read_text())
        cached["cached"] = True
        return dict(cached)
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    r = proctree.run(cli_cmd("index", str(corpus), "--data-dir", str(data), "--json", "-q"))
    if r.returncode != 0:
        raise RuntimeError(f"index failed: {r.stderr.strip()[-300:]}")
    report = json.loads(r.stdout)
    out = {
        "briefs": report["indexed"],
        "seconds": r.seconds,
        "peak_rss": r.peak_rss,
        "peak_pss": r.peak_pss,
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    record.write_text(json.dumps(out, indent=1))
    out["cached"] = False
    return out


def bare_whoosh_build(files: Sequence[Path], folder: Path) -> float:
    """The baseline: the same schema fed by a plain loop, single process, one commit."""
    from whoosh import index as windex  # the benchmark may use Whoosh directly

    from briefreader.core import index as bix

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    ix = windex.create_in(str(folder), bix.make_schema())
    t0 = time.perf_counter()
    w = ix.writer(limitmb=128)
    for f in files:
        text = f.read_text("utf-8", errors="replace")
        article, _, comment = text.partition("\nComment:")
        w.add_document(key=str(f), id=f.name, title=article[:80], article=article, comment=comment)
    w.commit()
    ix.close()
    return time.perf_counter() - t0


def fts5_build(files: Sequence[Path], db: Path) -> tuple[sqlite3.Connection, float]:
    """SQLite FTS5 from the standard library over the same text, porter-stemmed."""
    db.unlink(missing_ok=True)
    con = sqlite3.connect(str(db))
    con.execute(
        "CREATE VIRTUAL TABLE briefs USING fts5(key UNINDEXED, title, article, comment, "
        "date UNINDEXED, actors, tokenize='porter unicode61')"
    )
    t0 = time.perf_counter()
    with con:
        for f in files:
            text = f.read_text("utf-8", errors="replace")
            article, _, comment = text.partition("\nComment:")
            date = ""
            for line in article.splitlines()[:6]:
                if line.startswith("Date:"):
                    date = line[5:].strip()
            con.execute(
                "INSERT INTO briefs VALUES (?, ?, ?, ?, ?, ?)",
                (str(f), article[:80], article, comment, date, ""),
            )
    return con, time.perf_counter() - t0


def segment_count(index_folder: Path) -> int:
    """How many segments the index's latest generation has (each one is searched in turn)."""
    from whoosh import index as windex

    ix = windex.open_dir(str(index_folder))
    try:
        return len(ix._segments())
    finally:
        ix.close()


# -- search --------------------------------------------------------------------------------


def page_in(folder: Path) -> int:
    """Read every file under ``folder`` once (into the OS page cache); the bytes read."""
    total = 0
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            with path.open("rb") as f:
                while chunk := f.read(1 << 20):
                    total += len(chunk)
    return total


def fts5_query(text: str, opts: dict[str, Any], glossary: Any) -> tuple[str, str]:
    """The FTS5 MATCH expression and ORDER BY for one logged query."""
    words: list[str] = []
    if text.startswith('"'):
        words.append(text)
    else:
        words.extend(f'"{w}"' for w in text.split())
    for actor_id in opts.get("actors", ()):
        actor = glossary.get(actor_id) if glossary is not None else None
        name = actor.name if actor is not None else str(actor_id)
        words.append('"' + name.replace('"', "") + '"')
    order = "date DESC" if opts.get("sort") == "newest" else "rank"
    return " AND ".join(words), order


def fts5_ms(con: sqlite3.Connection, text: str, opts: dict[str, Any], glossary: Any) -> float:
    """One logged query on FTS5: the top 20 with snippets plus the total count, as the app
    shows them; its time in ms."""
    match, order = fts5_query(text, opts, glossary)
    t0 = time.perf_counter()
    try:
        con.execute(
            "SELECT key, title, date, snippet(briefs, 2, '[', ']', '…', 24) FROM briefs "
            f"WHERE briefs MATCH ? ORDER BY {order} LIMIT 20",
            (match,),
        ).fetchall()
        con.execute("SELECT count(*) FROM briefs WHERE briefs MATCH ?", (match,)).fetchone()
    except sqlite3.OperationalError:
        pass
    return (time.perf_counter() - t0) * 1000


class BareWhoosh:
    """Whoosh as its tutorial uses it: MultifieldParser, search, highlight the top 20."""

    def __init__(self, index_folder: Path) -> None:
        from whoosh import index as windex
        from whoosh import qparser

        self.ix = windex.open_dir(str(index_folder))
        self.searcher = self.ix.searcher()
        self.parser = qparser.MultifieldParser(["title", "article", "comment"], self.ix.schema)
        self.any_parser = qparser.MultifieldParser(
            ["title", "article", "comment"], self.ix.schema, group=qparser.OrGroup
        )

    def __enter__(self) -> BareWhoosh:
        return self

    def __exit__(self, *exc: object) -> None:
        self.searcher.close()
        self.ix.close()

    def query(self, text: str, opts: dict[str, Any], any_word: bool = False) -> float:
        """Milliseconds for one query, from text to highlighted first page (``any_word``:
        the words ORed, as a question must be searched to find anything)."""
        t0 = time.perf_counter()
        q = (self.any_parser if any_word else self.parser).parse(text)
        sortedby = "date" if opts.get("sort") == "newest" else None
        results = self.searcher.search(q, limit=20, sortedby=sortedby, reverse=bool(sortedby))
        for hit in results:
            hit.highlights("article")
        return (time.perf_counter() - t0) * 1000


def query_log(lib: Any, n: int, seed: int = 7) -> list[tuple[str, dict[str, Any]]]:
    """A reproducible mix: common and rare words, actor names, phrases, filters, date sort."""
    rng = random.Random(seed)
    s = lib.index.searcher()
    words = [t.decode() for t in s.lexicon("article")]
    freq = sorted(words, key=lambda w: -s.doc_frequency("article", w))
    common, rare = freq[20:400], freq[len(freq) // 2 :] or freq
    actors = [a for a in list(lib.glossary.actors.values())[:60]]
    out: list[tuple[str, dict[str, Any]]] = []
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


def long_questions(lib: Any, n: int, seed: int = 3) -> list[tuple[str, dict[str, Any]]]:
    """Twelve-word questions: twelve running words of a random brief's article, as a user
    pastes a sentence (feedback, three fields and both tiers make these the costly ones)."""
    rng = random.Random(seed)
    s = lib.index.searcher()
    out: list[tuple[str, dict[str, Any]]] = []
    tries = 0
    while len(out) < n and tries < n * 20:
        tries += 1
        words = str(s.stored_fields(rng.randrange(s.doc_count_all())).get("article") or "")
        words = [w.strip('.,;:"()[]') for w in words.split()]
        words = [w for w in words if w.isalpha()]
        if len(words) > 24:
            i = rng.randrange(len(words) - 12)
            out.append((" ".join(words[i : i + 12]), {}))
    return out


# -- the app in a child process ----------------------------------------------------------


def probe(*args: str, timeout: float = 600) -> dict[str, Any]:
    """Run app_probe.py offscreen and return its JSON line."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BRIEFREADER_PROBE_T0=repr(time.time()))
    r = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "app_probe.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )
    for line in r.stdout.splitlines():
        if line.startswith("PROBE "):
            return dict(json.loads(line[6:]))
    raise RuntimeError(f"probe {args[0]} failed: {r.stderr.strip()[-300:]}")


# -- the run -------------------------------------------------------------------------------


#: Stages named by ``--skip`` (the first word of a stage's name: build, re-check, add,
#: search, matcher, window, result, stall).
SKIP: set[str] = set()


def stage(table: Table, what: str, fn: Callable[[], None]) -> None:
    """Run one group of rows; a failure becomes a FAILED row, not a lost table."""
    if what.split()[0] in SKIP:
        print(f"[{what}: skipped]", file=sys.stderr, flush=True)
        return
    t0 = time.perf_counter()
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - the table must come out whatever breaks
        table.failed(what, exc)
    print(f"[{what}: {time.perf_counter() - t0:.1f} s]", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=10_000, help="briefs in the corpus")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (CI)")
    ap.add_argument("--queries", type=int, help="queries in the log (default 300, quick 60)")
    ap.add_argument("--rebuild", action="store_true", help="build the cached index again")
    ap.add_argument(
        "--data-root",
        type=Path,
        default=Path(os.environ.get("BRIEFREADER_BENCH_DATA", "/work/bench-data")),
    )
    ap.add_argument("--stall-seconds", type=float, help="how long to watch indexing (60, quick 20)")
    ap.add_argument(
        "--bare-sample",
        type=int,
        default=BARE_BUILD_SAMPLE,
        help="files the bare single-process Whoosh build rate is measured on (default 10000)",
    )
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument(
        "--skip",
        action="append",
        default=[],
        help="skip a stage: build, re-check, add, search, matcher, window, result, stall "
        "(repeatable; a skipped build still reuses the cached index)",
    )
    args = ap.parse_args(argv)
    SKIP.clear()
    SKIP.update(args.skip)
    quick = args.quick
    nq = args.queries or (60 if quick else 300)
    root: Path = args.data_root
    root.mkdir(parents=True, exist_ok=True)
    table = Table()
    started = time.perf_counter()

    corpus = corpus_for(root, args.size, args.seed)
    files = brief_files(corpus)
    n = len(files)
    data = root / f"data-n{args.size}-s{args.seed}"
    scratch = Path(tempfile.mkdtemp(prefix="brbench-", dir=root))
    ctx: dict[str, Any] = {}

    def builds() -> None:
        ours = build_ours(corpus, data, args.rebuild)
        sample = files[: args.bare_sample]
        bare_s = bare_whoosh_build(sample, scratch / "bare")
        rate, bare_rate = ours["briefs"] / ours["seconds"], len(sample) / bare_s
        note = "bare Whoosh, 1 process" + (
            f", first {len(sample)} files" if len(sample) < n else ""
        )
        if ours.get("cached"):
            note += f"; ours cached from {ours['when']}"
        table.add(
            "build: briefs/s (bulk)", rate, bare_rate, fmt="{:.0f}", goal=">= 1.6x", note=note
        )
        con, fts_s = fts5_build(files, scratch / "fts.db")
        ctx["fts"] = con
        table.add("build: briefs/s vs FTS5", rate, n / fts_s, fmt="{:.0f}", note="SQLite FTS5")
        ten = root / f"data-n10000-s{args.seed}" / "build.json"
        if args.size != 10_000 and ten.exists():
            rec = json.loads(ten.read_text())
            table.add(
                f"build: rate at {args.size} / at 10k",
                rate,
                rec["briefs"] / rec["seconds"],
                fmt="{:.0f}",
                goal=">= 0.85x",
                note="briefs/s at 10,000 (its own cached build)",
            )
        table.add(
            "build: peak RSS, all processes (MB)",
            ours["peak_rss"] / 2**20,
            fmt="{:.0f}",
            goal="<= 1536",
            note="forked workers' shared pages counted once per process",
        )
        if ours.get("peak_pss"):
            table.add(
                "build: peak PSS, all processes (MB)",
                ours["peak_pss"] / 2**20,
                fmt="{:.0f}",
                note="shared pages counted once in all (what the machine gives)",
            )

    stage(table, "build", builds)

    from briefreader.core.library import Library

    lib = Library.open([corpus], data_dir=data)
    ctx["lib"] = lib
    table.add(
        "index: segments",
        float(segment_count(lib.index.folder)),
        fmt="{:.0f}",
        note="after the bulk build",
    )

    def recheck() -> None:
        # Settle first (not timed): an interrupted earlier run may have left briefs to drop.
        lib.update()
        times = []
        for _ in range(3 if not quick else 2):
            t0 = time.perf_counter()
            r = lib.update()
            times.append(time.perf_counter() - t0)
            if r.added or r.updated or r.removed:
                raise RuntimeError(f"corpus changed: {r.summary()}")
        t0 = time.perf_counter()
        for f in files:
            f.stat()
        stat_s = time.perf_counter() - t0
        table.add(
            "re-check unchanged (s)",
            statistics.median(times),
            stat_s,
            fmt="{:.2f}",
            goal="<= 2 s",
            note="os.stat of every file",
        )

    stage(table, "re-check", recheck)

    def add100() -> None:
        extra = corpus / "zz-bench-added"
        shutil.rmtree(extra, ignore_errors=True)
        new = synth.generate(extra, 100, seed=args.seed + 1000, glossary=paths.bundled_glossary())
        before = segment_count(lib.index.folder)
        try:
            t0 = time.perf_counter()
            r = lib.update()
            add_s = time.perf_counter() - t0
            after = segment_count(lib.index.folder)
            if r.added != 100:
                raise RuntimeError(f"expected 100 new briefs: {r.summary()}")
            con = ctx.get("fts")
            base = None
            if con is not None:
                t0 = time.perf_counter()
                fts_more = [(p, p.read_text("utf-8").partition("\nComment:")) for p in new]
                with con:
                    con.executemany(
                        "INSERT INTO briefs VALUES (?, ?, ?, ?, '', '')",
                        [(str(p), a[:80], a, c) for p, (a, _, c) in fts_more],
                    )
                base = time.perf_counter() - t0
            table.add(
                "add 100 briefs (s)",
                add_s,
                base,
                fmt="{:.2f}",
                goal="<= 5 s",
                note=f"FTS5 insert; segments {before} -> {after}",
            )
        finally:
            shutil.rmtree(extra, ignore_errors=True)
            t0 = time.perf_counter()
            r = lib.update()
            table.add("remove those 100 again (s)", time.perf_counter() - t0, fmt="{:.2f}")

    if "add" not in args.skip:
        stage(table, "add 100", add100)

    def search() -> None:
        lib.update()  # opens the index (a no-op re-check when the re-check stage ran)
        log = query_log(lib, nq)
        questions = long_questions(lib, 60 if not quick else 20)
        # The index's files into the operating system's page cache, as FTS5's just written
        # database is: "cold" below means our own caches empty (as after start-up), not the
        # disk read that either engine would pay alike after a reboot.
        t0 = time.perf_counter()
        read = page_in(lib.index.folder)
        table.add(
            "index files paged in before the log (s)",
            time.perf_counter() - t0,
            fmt="{:.1f}",
            note=f"{read / 2**30:.2f} GB read once, as FTS5's database is after its build",
        )

        # What the window and `briefreader search` send: the first page of 20 with
        # snippets, exact totals and facets, the time limit on: every default as it is.
        def ours_ms(text: str, opts: dict[str, Any]) -> tuple[float, bool]:
            t0 = time.perf_counter()
            res = lib.search(text, limit=20, **opts)
            return (time.perf_counter() - t0) * 1000, res.partial

        con = ctx.get("fts")
        ours, bare, fts, partial = [], [], [], 0
        turns = ("bare", "ours", "fts"), ("ours", "fts", "bare"), ("fts", "bare", "ours")
        with BareWhoosh(lib.index.folder) as bw:
            # Cold: the first pass meets every query's postings unread (the postings cache
            # is empty), as after start-up; the figures are this pass.
            for i, (text, opts) in enumerate(log):
                # Interleaved, each in turn first, so that none always meets the CPU caches
                # as another left them nor always gets the quieter moment of a shared machine.
                for who in turns[i % 3]:
                    if who == "bare":
                        bare.append(bw.query(text, opts))
                    elif who == "fts":
                        if con is not None:
                            fts.append(fts5_ms(con, text, opts, lib.glossary))
                    else:
                        ms, cut = ours_ms(text, opts)
                        ours.append(ms)
                        partial += cut
            warm = [ours_ms(text, opts)[0] for text, opts in log]
            long_ours, long_bare, long_partial = [], [], 0
            for i, (text, opts) in enumerate(questions):
                for who in ("ours", "bare") if i % 2 else ("bare", "ours"):
                    if who == "bare":
                        long_bare.append(bw.query(text, opts, any_word=True))
                    else:
                        ms, cut = ours_ms(text, opts)
                        long_ours.append(ms)
                        long_partial += cut
        fts_warm = [fts5_ms(con, t, o, lib.glossary) for t, o in log] if con is not None else []
        note = f"bare Whoosh on the same index, {len(log)} queries, cold cache"
        for label, q, goal in (("median", 0.5, "<= FTS5"), ("p95", 0.95, "<= 50 ms")):
            a = percentile(ours, q)
            table.add(f"search {label} (ms)", a, percentile(bare, q), goal=goal, note=note)
            if fts:
                table.add(
                    f"search {label} vs FTS5 (ms)",
                    a,
                    percentile(fts, q),
                    note="SQLite FTS5, each query in turn with ours and bare Whoosh's",
                )
        table.add("search max (ms)", max(ours), max(bare), note="bare Whoosh")
        table.add(
            "search again, warm cache: median (ms)",
            percentile(warm, 0.5),
            percentile(bare, 0.5),
            note=f"p95 {percentile(warm, 0.95):.1f} ms; the same log a second time",
        )
        if fts_warm:
            table.add(
                "search again, in a row: median vs FTS5 (ms)",
                percentile(warm, 0.5),
                percentile(fts_warm, 0.5),
                note=f"each log a second time, alone; FTS5 p95 {percentile(fts_warm, 0.95):.1f}",
            )
        table.add(
            "answers marked partial", float(partial), fmt="{:.0f}", goal="0", note=f"of {len(log)}"
        )
        for label, q in (("median", 0.5), ("p95", 0.95)):
            table.add(
                f"twelve-word questions {label} (ms)",
                percentile(long_ours, q),
                percentile(long_bare, q),
                goal="p95 <= 50 ms",
                note=f"{len(questions)} questions; bare Whoosh ORs the words; "
                f"{long_partial} partial",
            )
        cache = lib.index.arrays
        table.add(
            "postings cache after the log (MB)",
            cache.bytes / 2**20,
            cache.max_bytes / 2**20,
            fmt="{:.0f}",
            goal="<= 256 MB",
            note="baseline: its bound",
        )
        related_ms = []
        s = lib.index.searcher()
        rng = random.Random(5)
        for docnum in rng.sample(range(s.doc_count_all()), 40 if not quick else 10):
            brief_id = s.stored_fields(docnum).get("id")
            if brief_id:
                t0 = time.perf_counter()
                lib.related(brief_id, limit=8)  # as the reading pane asks for them
                related_ms.append((time.perf_counter() - t0) * 1000)
        table.add(
            "related briefs, whole index: median (ms)",
            percentile(related_ms, 0.5),
            goal="<= 50 ms",
            note=f"p95 {percentile(related_ms, 0.95):.0f} ms, {len(related_ms)} briefs",
        )
        for text in ("*a*", "minist~2"):
            t0 = time.perf_counter()
            res = lib.search(text, limit=20)
            ms = (time.perf_counter() - t0) * 1000
            notice = "; ".join(res.notices)[:60]
            table.add(f"search {text!r} (ms)", ms, note=f"{res.total} hits; {notice}")

    stage(table, "search", search)
    lib.close()

    def matcher() -> None:
        from benchmarks import bench_matcher as bm
        from benchmarks.bigglossary import data_dir as gloss_dir
        from benchmarks.bigglossary import entries, load_actors
        from briefreader.core.match import Matcher

        folder = gloss_dir()
        if folder is None:
            raise RuntimeError("../shared/data (CAMEO, OFAC) not found")
        items = entries(load_actors(folder))
        names = [a for a, _i, _c in items]
        brief = bm.synthetic_brief(names, 1500)
        small = items[:20_000]
        builds = bm.time_runs(lambda: Matcher(small), 2 if quick else 5)
        table.add(
            f"matcher build, {len(small)} names (ms)", statistics.median(builds), goal="<= 200 ms"
        )
        all_builds = bm.time_runs(lambda: Matcher(items), 1 if quick else 3)
        ac = Matcher(items)
        ac.find(brief)
        scans = bm.time_runs(lambda: ac.find(brief), 20 if quick else 200)
        # The regex needs seconds per brief over every name: quick runs give it fewer names.
        rx_items = items[:2000] if quick else items
        t0 = time.perf_counter()
        rx = bm.RegexMatcher(rx_items)
        rx_build = (time.perf_counter() - t0) * 1000
        rx_scans = bm.time_runs(lambda: rx.find(brief), 1 if quick else 3)
        sub = " (regex: first 2,000 names)" if quick else ""
        table.add(
            f"matcher build, {len(items)} names (ms)",
            statistics.median(all_builds),
            rx_build,
            fmt="{:.0f}",
            note="re alternation" + sub,
        )
        words = len(brief.split())
        table.add(
            f"matcher per {words}-word brief, median (ms)",
            statistics.median(scans),
            statistics.median(rx_scans),
            fmt="{:.2f}",
            goal="<= 2 ms",
            note="re alternation" + sub,
        )
        table.add("matcher p95 (ms)", percentile(scans, 0.95), fmt="{:.2f}")

    stage(table, "matcher", matcher)

    def window() -> None:
        bare = probe("bare")
        runs = [
            probe(
                "start",
                "--corpus",
                str(corpus),
                "--data-dir",
                str(data),
                "--briefs",
                "5" if quick else "30",
            )
            for _ in range(1 if quick else 3)
        ]
        first = [r["first_paint_ms"] for r in runs]
        ready = [r["searchable_ms"] for r in runs]
        opened = [ms for r in runs for ms in r["open_ms"]]
        opened_next = [ms for r in runs for ms in r.get("open_next_ms", [])]
        table.add(
            "cold start to first paint (ms)",
            statistics.median(first),
            bare["first_paint_ms"],
            fmt="{:.0f}",
            goal="<= 1000 ms",
            note="bare QMainWindow + QListView, same interpreter",
        )
        table.add(
            "cold start to searchable (ms)",
            statistics.median(ready),
            bare["first_paint_ms"],
            fmt="{:.0f}",
            goal="<= 1500 ms",
            note="first results shown; baseline as above",
        )
        info = runs[-1]
        table.add(
            "open brief, p95 to painted (ms)",
            percentile(opened, 0.95),
            fmt="{:.0f}",
            goal="<= 30 ms",
            note=f"median {statistics.median(opened):.0f}; not prepared ahead, shuffled; last: "
            f"{info.get('open_words')} words, {info.get('open_mentions')} marks",
        )
        if opened_next:
            table.add(
                "open next result, p95 to painted (ms)",
                percentile(opened_next, 0.95),
                fmt="{:.0f}",
                goal="<= 30 ms",
                note=f"median {statistics.median(opened_next):.0f}; prepared while the one "
                "before was read",
            )
        table.add(
            "idle memory, index open (MB)",
            statistics.median(r["idle_anon_mb"] for r in runs),
            bare["idle_anon_mb"],
            fmt="{:.0f}",
            goal="<= 350 MB",
            note="private (RssAnon), all processes; bare window",
        )
        table.add(
            "idle RSS incl. mapped index (MB)",
            statistics.median(r["idle_rss_mb"] for r in runs),
            bare["idle_rss_mb"],
            fmt="{:.0f}",
            note="plain RSS: also counts the index pages Whoosh mapped",
        )

    if "window" not in args.skip:
        stage(table, "window", window)

    def result_list() -> None:
        rows = "100000"
        frames = "30" if quick else "200"
        ours = probe("list", "--rows", rows, "--frames", frames)
        bare = probe("list", "--rows", rows, "--frames", frames, "--bare")
        table.add(
            "result list 100k: shown (ms)",
            ours["shown_ms"],
            bare["shown_ms"],
            fmt="{:.0f}",
            goal="<= 300 ms",
            note="bare QListView + QStringListModel",
        )
        table.add(
            "result list: scroll frame p95 (ms)",
            percentile(ours["frame_ms"], 0.95),
            percentile(bare["frame_ms"], 0.95),
            goal="<= 16.7 ms",
            note=f"max {max(ours['frame_ms']):.0f} vs {max(bare['frame_ms']):.0f}",
        )

    if "list" not in args.skip:
        stage(table, "result list", result_list)

    def stall() -> None:
        seconds = args.stall_seconds or (20.0 if quick else 60.0)
        fresh = scratch / "stall-data"
        r = probe(
            "stall", "--corpus", str(corpus), "--data-dir", str(fresh), "--seconds", str(seconds)
        )
        how = "whole corpus" if r["finished"] else f"first {r['seconds']:.0f} s"
        table.add(
            "GUI stall while indexing, max (ms)",
            r["max_gap_ms"],
            fmt="{:.0f}",
            goal="<= 50 ms",
            note=f"{how}: {r['indexed']}/{r['total']} briefs; p99 {r['p99_gap_ms']:.0f} ms",
        )

    if "stall" not in args.skip:
        stage(table, "stall", stall)

    if "fts" in ctx:
        ctx["fts"].close()
    shutil.rmtree(scratch, ignore_errors=True)
    print(
        f"\nbriefreader benchmarks: {n} briefs (seed {args.seed}), "
        f"{time.perf_counter() - started:.0f} s\n"
    )
    print(table.render(markdown=args.markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
