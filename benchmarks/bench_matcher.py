"""How fast actor matching is with a real-sized glossary: Aho-Corasick against a regex.

Builds both matchers over the CAMEO + OFAC glossary (``bigglossary.py``, 50,000+ names),
then times them on a synthetic 1,500-word brief made of the seed brief's sentences with
real names sprinkled in. Prints build time, per-brief median and 95th percentile, and how
the two compare. Goals: build <= 200 ms and <= 2 ms per brief.

    .venv/bin/python -m benchmarks.bench_matcher [--runs N] [--words N]

The regex matcher lives here only: it is the baseline the figures choose against.
"""

from __future__ import annotations

import argparse
import pickle
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from benchmarks.bigglossary import data_dir, entries, load_actors
from briefreader.core.match import (
    APOSTROPHES,
    QUOTES,
    Matcher,
    Mention,
    alias_key,
    fold,
    normalise,
)

SEED_NAME = "seed/000_476c018fafa87246.txt"
_APOSTROPHE_CLASS = "['" + APOSTROPHES + "]"
_QUOTE_CLASS = '["' + QUOTES + "]"


class RegexMatcher:
    """One alternation of every alias, longest first, between word-boundary lookarounds.

    Python's ``re`` tries alternatives in order at each position, so longest-first gives the
    leftmost-longest match. Case-sensitive aliases carry a scoped ``(?-i:...)`` flag.
    """

    def __init__(self, items: Iterable[tuple[str, str, bool]]) -> None:
        self._owners: dict[str, list[tuple[str, str | None]]] = {}
        patterns: dict[str, str] = {}
        for alias, actor_id, case_sensitive in items:
            key = alias_key(alias)
            if not any(c.isalnum() for c in key):
                continue
            keys = [key]
            if key.endswith(".") and key.rstrip("."):
                keys.append(key.rstrip("."))
            for k in keys:
                options = self._owners.setdefault(fold(k), [])
                exact = k if case_sensitive else None
                if all(o != (actor_id, exact) for o in options):
                    options.append((actor_id, exact))
            body = "".join(_char_pattern(c) for c in key)
            if key.endswith("."):
                body += "?"
            pattern = f"(?-i:{body})" if case_sensitive else body
            patterns.setdefault(pattern, key)
        ordered = sorted(patterns, key=lambda p: len(patterns[p]), reverse=True)
        alternation = "|".join(ordered)
        self._regex = re.compile(rf"(?<![^\W_])(?:{alternation})(?![^\W_])", re.IGNORECASE)

    def find(self, text: str, offset: int = 0, section: str | None = None) -> list[Mention]:
        out = []
        for m in self._regex.finditer(text):
            matched = normalise(m[0])
            for actor_id, exact in self._owners.get(fold(matched), ()):
                if exact is None or exact == matched:
                    out.append(
                        Mention(actor_id, offset + m.start(), offset + m.end(), m[0], section)
                    )
                    break
        return out


def _char_pattern(c: str) -> str:
    if c == " ":
        return r"\s+"
    if c == "'":
        return _APOSTROPHE_CLASS
    if c == '"':
        return _QUOTE_CLASS
    return re.escape(c)


def synthetic_brief(names: list[str], words: int, seed: int = 1500) -> str:
    """About ``words`` words: seed-brief sentences with a real name every ~25 words."""
    folder = data_dir()
    seed_path = folder.parent / SEED_NAME if folder is not None else None
    if seed_path is not None and seed_path.is_file():
        base = seed_path.read_text(encoding="utf-8")
    else:
        base = "Officials in the capital said the talks would resume after the holiday. " * 20
    sentences = [s.strip() + " " for s in re.split(r"(?<=[.!?”])\s+", base) if s.strip()]
    rng = random.Random(seed)
    out: list[str] = []
    count = 0
    while count < words:
        sentence = rng.choice(sentences).split()
        at = rng.randrange(len(sentence) + 1)
        sentence[at:at] = [rng.choice(names) + rng.choice(["", "’s", ",", " (AFP)", "-backed"])]
        text = " ".join(sentence)
        count += len(text.split())
        out.append(text)
        if rng.random() < 0.15:
            out.append("\n\n")
    return " ".join(out)


def time_runs(fn: Callable[[], object], runs: int) -> list[float]:
    """Milliseconds each of ``runs`` calls of ``fn`` took (run.py times its stages with it)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="timed scans per strategy")
    parser.add_argument("--words", type=int, default=1500, help="words in the brief")
    parser.add_argument("--regex-runs", type=int, default=10, help="timed regex scans (slow)")
    parser.add_argument("--builds", type=int, default=5, help="timed builds (Aho-Corasick)")
    parser.add_argument("--subset", type=int, default=20_000, help="names in the small build")
    args = parser.parse_args(argv)
    folder = data_dir()
    if folder is None:
        print("skipped: ../shared/data (CAMEO, OFAC) not found", file=sys.stderr)
        return 0

    start = time.perf_counter()
    actors = load_actors(folder)
    items = entries(actors)
    load_ms = (time.perf_counter() - start) * 1000
    names = [n for a in actors for n in a.names]
    brief = synthetic_brief(names, args.words)
    print(
        f"glossary: {len(actors)} actors, {len(items)} names and aliases (read in {load_ms:.0f} ms)"
    )
    print(f"brief: {len(brief.split())} words, {len(brief)} characters")

    subset = items[: args.subset]
    subset_builds = time_runs(lambda: Matcher(subset), args.builds)
    ac_builds = time_runs(lambda: Matcher(items), args.builds)
    ac = Matcher(items)
    start = time.perf_counter()
    rx = RegexMatcher(items)
    rx_build = (time.perf_counter() - start) * 1000

    ac.find(brief)  # warm up
    ac_times = time_runs(lambda: ac.find(brief), args.runs)
    rx.find(brief)
    rx_times = time_runs(lambda: rx.find(brief), args.regex_runs)

    blob = pickle.dumps(ac)
    dumps_ms = min(time_runs(lambda: pickle.dumps(ac), 3))
    loads_ms = min(time_runs(lambda: pickle.loads(blob), 3))

    ac_found, rx_found = ac.find(brief), rx.find(brief)
    same = [(m.start, m.end, m.actor_id) for m in ac_found] == [
        (m.start, m.end, m.actor_id) for m in rx_found
    ]
    print()
    header = f"{'strategy':<26}{'names':>7}{'build ms':>10}{'median ms':>11}{'p95 ms':>9}"
    print(header + f"{'runs':>6}{'found':>7}")
    rows = [
        ("aho-corasick", len(items), statistics.median(ac_builds), ac_times, len(ac_found)),
        ("regex alternation", len(items), rx_build, rx_times, len(rx_found)),
    ]
    for label, count, build, times, found in rows:
        median, p95 = statistics.median(times), _p95(times)
        print(
            f"{label:<26}{count:>7}{build:>10.0f}{median:>11.2f}{p95:>9.2f}{len(times):>6}{found:>7}"
        )
    subset_ms = statistics.median(subset_builds)
    print(f"{'aho-corasick, first names':<26}{len(subset):>7}{subset_ms:>10.0f}")
    ratio = statistics.median(rx_times) / statistics.median(ac_times)
    print()
    print(f"regex / aho-corasick per brief: {ratio:.0f}x; identical mentions: {same}")
    size = len(blob) / 2**20
    print(f"pickled matcher: {size:.1f} MiB, dumps {dumps_ms:.0f} ms, loads {loads_ms:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    raise SystemExit(main())
