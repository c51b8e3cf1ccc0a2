"""Opening the watchlist: every saved search's and watched actor's total and new count.

    python benchmarks/watchlist.py --size 100000      # the index benchmarks/run.py built
    python benchmarks/watchlist.py --size 10000 --repeat 5

What the Watchlist panel runs in the background when it is shown (and what ``briefreader
saved`` prints): :func:`briefreader.core.userlayer.statuses` over 50 saved searches and 100
watched actors, against the corpus and index ``benchmarks/run.py`` keeps under
``--data-root`` (read only: opened with ``Library.reader``, never rebuilt; the user database
is a temporary one). Each case twice, as the window shows it: the new counts first (what
the goal is about), then with every total (a search each); each its median over
``--repeat`` runs:

* nothing new since the last look (every search marked seen): the morning's usual case;
* the same, looked at again on an unchanged index with the cache the window keeps;
* ``--arrivals`` briefs arrived after the marks (their first-seen stamps moved forward in the
  temporary database, as an update would stamp them): the newest-dated briefs, as a
  morning's import brings them; then, as the worst case, as many briefs picked at random
  across every year (each search then walks its matches back to the oldest of them).

The goal is 300 ms median at 100,000 briefs.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefreader.core.library import Library  # noqa: E402
from briefreader.core.userdata import UserData  # noqa: E402
from briefreader.core.userlayer import (  # noqa: E402
    StatusCache,
    add_saved,
    current_hashes,
    statuses,
    watch,
)

GOAL_MS = 300.0


def _queries(lib: Library, n: int, seed: int) -> list[tuple[str, dict[str, Any]]]:
    """Saved searches as analysts make them: a word or two, some with an actor or a year."""
    rng = random.Random(seed)
    s = lib.index.searcher()
    words = [t.decode() for t in s.lexicon("article")]
    common = sorted(words, key=lambda w: -s.doc_frequency("article", w))[30:600]
    actors = list(lib.glossary.actors.values())
    out: list[tuple[str, dict[str, Any]]] = []
    for i in range(n):
        text = " ".join(rng.sample(common, 1 + i % 2))
        filters: dict[str, Any] = {}
        if i % 3 == 1:
            filters["actors"] = [rng.choice(actors).id]
        if i % 5 == 2:
            filters["years"] = [rng.choice((2019, 2020, 2021, 2022))]
        out.append((text, filters))
    return out


def _median_ms(fn: Any, repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--data-root",
        type=Path,
        default=Path(os.environ.get("BRIEFREADER_BENCH_DATA", "/work/bench-data")),
    )
    parser.add_argument("--searches", type=int, default=50)
    parser.add_argument("--actors", type=int, default=100)
    parser.add_argument("--arrivals", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)

    corpus = args.data_root / f"corpus-n{args.size}-s{args.seed}"
    data = args.data_root / f"data-n{args.size}-s{args.seed}"
    if not corpus.is_dir() or not data.is_dir():
        print(f"no corpus or index at {corpus} / {data}: run benchmarks/run.py first")
        return 2
    lib = Library.open([corpus], data_dir=data).reader()  # read only: never rebuilt here
    n = lib.doc_count()
    print(f"index: {n:,} briefs at {lib.index.folder}")
    actors = sorted(lib.actor_counts().items(), key=lambda kv: -kv[1])[: args.actors]
    with (
        tempfile.TemporaryDirectory(prefix="briefreader-watch-") as tmp,
        UserData.open(Path(tmp)) as ud,
    ):
        t0 = time.perf_counter()
        for k, (text, filters) in enumerate(_queries(lib, args.searches, args.seed)):
            add_saved(lib, ud, f"search {k}", text, filters)
        for actor_id, _count in actors:
            watch(lib, ud, actor_id)
        print(
            f"set-up: {args.searches} saved searches + {len(actors)} watched actors"
            f" in {time.perf_counter() - t0:.1f} s (the first stamps every brief once)"
        )
        rows: list[Any] = []
        lines: list[tuple[str, float, list[float]]] = []

        def measure(what: str) -> None:
            """The new counts as the window shows them first, then with every total."""
            for label, totals in (("new counts", False), ("with totals", True)):
                median, all_ms = _median_ms(
                    lambda t=totals: statuses(lib, ud, cache=StatusCache(), totals=t),
                    args.repeat,
                )
                lines.append((f"{what}: {label}", median, all_ms))

        measure("nothing new")
        rows = statuses(lib, ud)
        assert not any(r.new for r in rows)
        cache = StatusCache()
        statuses(lib, ud, cache=cache)
        warm, warm_all = _median_ms(lambda: statuses(lib, ud, cache=cache), args.repeat)
        lines.append(("nothing new: looked before (the window's cache)", warm, warm_all))

        newest = [h.id for h in lib.search("", sort="newest", limit=args.arrivals).hits]
        anywhere = random.Random(args.seed).sample(
            sorted(current_hashes(lib)), min(args.arrivals, n)
        )
        for what, arrived in (("newest-dated", newest), ("random-dated", anywhere)):
            # Briefs arriving after every mark: their first-seen stamps move past the marks.
            with ud.conn:
                ud.conn.execute("UPDATE first_seen SET seq = 1")
                ud.conn.executemany(
                    "UPDATE first_seen SET seq = 2 WHERE brief_id = ?", [(i,) for i in arrived]
                )
            with_news = sum(1 for r in statuses(lib, ud) if r.new)
            measure(f"{len(arrived)} {what} briefs arrived ({with_news} with news)")
    lib.close()

    def line(what: str, median: float, all_ms: list[float]) -> None:
        verdict = "within" if median <= GOAL_MS else "OVER"
        spread = ", ".join(f"{t:.0f}" for t in all_ms)
        print(f"{what}: median {median:.0f} ms ({verdict} the {GOAL_MS:.0f} ms goal) [{spread}]")

    print(f"watchlist of {len(rows)} at {n:,} briefs (first looks unless said)")
    for what, median, all_ms in lines:
        line(f"  {what}", median, all_ms)
    return 0


if __name__ == "__main__":
    sys.exit(main())
