"""Does each stage stay linear in its input? Doubles it and times each stage.

    .venv/bin/python benchmarks/scale.py             # 25k to 200k mentions, 12.5k to 100k aliases
    .venv/bin/python benchmarks/scale.py --quick     # an eighth of those sizes, fewer repeats

A brief of 25,000, 50,000, 100,000 and 200,000 actor mentions (about 2.3 MB at the largest:
paragraphs of sentences dense with the bundled glossary's names) goes through every stage a
brief meets: parse, match, the candidate-names count over an index holding it, indexing it
(a fresh index, the real update), the hit positions of the query "PMF Baghdad", the search
with its snippet, rendering with the marks, and opening it with the query as the window
does. Then glossary files of 12,500 to 100,000 aliases are loaded: one actor with every alias
(one a line), and actors of four names each. Each figure is the median of ``--repeat`` runs;
the ratio is the time over the time at half the size. The goal is at most 2.2 per doubling.
A baseline row per table does work linear by construction on as many fresh strings: what
the machine gives linear work at those sizes.
Times are this process's CPU time (``--wall`` for the wall clock, which on a shared machine
moves with whatever else runs), each size in turn within each round.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefreader import paths  # noqa: E402
from briefreader.core.glossary import Glossary  # noqa: E402
from briefreader.core.index.candidates import candidates  # noqa: E402
from briefreader.core.library import Library  # noqa: E402
from briefreader.core.parse import parse_text  # noqa: E402
from briefreader.core.reading import prepare_brief  # noqa: E402
from briefreader.core.render import render_brief  # noqa: E402

MENTIONS = (25_000, 50_000, 100_000, 200_000)
ALIASES = (12_500, 25_000, 50_000, 100_000)
GOAL = 2.2
QUERY = "PMF Baghdad"
#: Names of the bundled glossary the brief is made of (the query's two among them).
NAMES = (
    "PMF", "Baghdad", "Kataib Hezbollah", "Iran", "Erbil", "Tehran", "Muqtada al-Sadr",
    "United States", "Mosul", "Kirkuk", "Basra", "Syria", "Damascus", "Najaf", "Anbar",
)  # fmt: skip
_VERBS = ("met", "warned", "visited", "said it would support", "accused", "left", "joined")
_LINKS = ("and", "with", "after talks in", "near", "while")


def brief_text(mentions: int, seed: int = 1) -> str:
    """A brief naming the glossary's actors ``mentions`` times, in paragraphs of eight
    sentences of five names: about 11.5 characters a mention."""
    rng = random.Random(seed)
    sentences: list[str] = []
    for _ in range(mentions // 5):
        a, b, c, d, e = (rng.choice(NAMES) for _ in range(5))
        sentences.append(f"{a} {rng.choice(_VERBS)} {b} {rng.choice(_LINKS)} {c}, {d} and {e}.")
    paragraphs = [" ".join(sentences[i : i + 8]) for i in range(0, len(sentences), 8)]
    return "Title: Scale\nDate: 2024-01-01\nTags: scale\n\n" + "\n\n".join(paragraphs) + "\n"


def glossary_one_actor(aliases: int) -> str:
    """One actor with every alias, one a line (the shape that took 32 s at 50,000)."""
    lines = "".join(f'  "Alias Number {i}",\n' for i in range(aliases))
    return f'[[actor]]\nname = "Big Actor"\nkind = "militia"\naliases = [\n{lines}]\n'


def glossary_many_actors(aliases: int) -> str:
    """Actors of four names each (a name and three aliases), on one line each."""
    out = []
    for i in range((aliases + 3) // 4):
        names = ", ".join(f'"Actor {i} Alias {k}"' for k in range(3))
        out.append(f'[[actor]]\nname = "Actor {i}"\nkind = "person"\naliases = [{names}]\n')
    return "\n".join(out)


#: What a figure measures: this process's CPU time (the machine is shared: wall-clock time
#: there moves with other people's work), or the wall clock with ``--wall``.
CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}


def timed(fn: Callable[[], object], clock: Callable[[], float]) -> float:
    """Seconds of one run of ``fn``, the garbage of earlier runs collected first and what
    is alive frozen: the collector's passes then cost what the stage makes, not the other
    sizes' libraries this process keeps meanwhile."""
    gc.collect()
    gc.freeze()
    try:
        t = clock()
        fn()
        return clock() - t
    finally:
        gc.unfreeze()


class BriefStages:
    """Every stage on one brief of a given size, in a temporary library."""

    def __init__(self, mentions: int, glossary: Glossary, tmp: Path) -> None:
        self.glossary = glossary
        self.text = brief_text(mentions)
        self.tmp = tmp
        self.corpus = tmp / "corpus"
        self.corpus.mkdir()
        self.path = self.corpus / "big.md"
        self.path.write_text(self.text, "utf-8")
        self.lib = Library([self.corpus], tmp / "data", glossary)
        self.lib.update(bulk=False)
        self.brief = self.lib.brief("big.md")
        self.mentions = glossary.mentions(self.brief)
        self.hits = self.lib.hit_spans(self.brief, QUERY)
        self._fresh = 0

    def close(self) -> None:
        self.lib.close()

    def parse(self) -> object:
        return parse_text(self.text, brief_id="big.md", path=self.path)

    def match(self) -> object:
        return self.glossary.mentions(self.brief)

    def candidate_names(self) -> object:
        matcher = self.glossary.matcher()

        def find(text: str) -> list[tuple[int, int]]:
            return [(m.start, m.end) for m in matcher.find(text)]

        def known(name: str) -> bool:
            return self.glossary.lookup(name) is not None

        return candidates(self.lib.index, find, known, min_briefs=1)  # never kept: counted

    def index(self) -> object:
        self._fresh += 1
        lib = Library([self.corpus], self.tmp / f"index-{self._fresh}", self.glossary)
        try:
            return lib.update(bulk=False)
        finally:
            lib.close()

    def hit_positions(self) -> object:
        return self.lib.hit_spans(self.brief, QUERY)

    def snippets(self) -> object:
        results = self.lib.search(QUERY)
        assert results.hits and results.hits[0].snippet is not None
        return results

    def render(self) -> object:
        return render_brief(self.brief, self.mentions, self.hits, self.glossary.describe)

    def open(self) -> object:
        return prepare_brief(self.lib, "big.md", QUERY, related=False)


def baseline(n: int) -> object:
    """Work linear in ``n`` by construction: ``n`` fresh strings put in a dict and looked up
    again. Its ratio is what the machine gives linear work of that size (memory and caches
    are slower for more data; a shared machine more so)."""
    keys = [f"name {i}" for i in range(n)]
    table = {k: i for i, k in enumerate(keys)}
    return sum(table[k] for k in keys)


BRIEF_STAGES: tuple[tuple[str, Callable[[BriefStages], object]], ...] = (
    ("parse", BriefStages.parse),
    ("match", BriefStages.match),
    ("candidate names", BriefStages.candidate_names),
    ("index one brief", BriefStages.index),
    ("search hit positions", BriefStages.hit_positions),
    ("search with snippets", BriefStages.snippets),
    ("render with marks", BriefStages.render),
    ("open with a query", BriefStages.open),
)
GLOSSARY_STAGES: tuple[tuple[str, Callable[[int], str]], ...] = (
    ("glossary load: one actor", glossary_one_actor),
    ("glossary load: 4 names an actor", glossary_many_actors),
)


def table(rows: list[tuple[str, list[float]]], sizes: dict[str, Sequence[int]]) -> str:
    """Markdown: per stage, the median time per size and the ratio per doubling."""
    out = []
    for what, unit in (("mentions", "brief"), ("aliases", "glossary")):
        names = [r for r in rows if r[0].startswith("glossary") == (unit == "glossary")]
        if not names:
            continue
        head = [f"stage ({what})", *(f"{n:,}" for n in sizes[unit]), "ratios", "worst"]
        out.append("| " + " | ".join(head) + " |")
        out.append("|---|" + "---:|" * len(sizes[unit]) + "---|---:|")
        for name, times in names:
            ratios = [b / a for a, b in zip(times, times[1:], strict=False) if a > 0]
            worst = max(ratios, default=0.0)
            flag = "" if worst <= GOAL else " (over)"
            cells = [name, *(_ms(t) for t in times), " / ".join(f"{r:.2f}" for r in ratios)]
            if "baseline" in name:
                flag = " (the machine)"
            out.append("| " + " | ".join([*cells, f"{worst:.2f}{flag}"]) + " |")
        out.append("")
    return "\n".join(out)


def _progress(round_: int, name: str, times: list[float]) -> None:
    cells = " ".join(_ms(t) for t in times)
    print(f"  round {round_ + 1}, {name}: {cells}", file=sys.stderr, flush=True)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="an eighth of the sizes, 3 repeats")
    ap.add_argument("--repeat", type=int, help="runs per figure (default 5, quick 3)")
    ap.add_argument("--only", action="append", default=[], help="stages whose name has this")
    ap.add_argument("--wall", action="store_true", help="wall-clock time, not CPU time")
    args = ap.parse_args(argv)
    repeat = args.repeat or (3 if args.quick else 5)
    scale = 8 if args.quick else 1
    sizes: dict[str, Sequence[int]] = {
        "brief": [n // scale for n in MENTIONS],
        "glossary": [n // scale for n in ALIASES],
    }

    def wanted(name: str) -> bool:
        return not args.only or any(o in name for o in args.only)

    clock = CLOCKS["wall" if args.wall else "cpu"]
    glossary = Glossary.load([paths.bundled_glossary()])
    runs: dict[str, list[list[float]]] = {}
    with contextlib.ExitStack() as stack:
        briefs = []
        for n in sizes["brief"] if any(wanted(name) for name, _ in BRIEF_STAGES) else []:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="brscale-")))
            stages = BriefStages(n, glossary, tmp)
            stack.callback(stages.close)
            assert len(stages.mentions) >= n, (len(stages.mentions), n)
            print(
                f"brief of {len(stages.mentions):,} mentions, {len(stages.text):,} "
                f"characters, {len(stages.hits):,} hits",
                file=sys.stderr,
                flush=True,
            )
            briefs.append(stages)
        glossaries: list[tuple[str, list[Path]]] = []
        for name, make in GLOSSARY_STAGES:
            if wanted(name):
                tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="brscale-")))
                files = []
                for n in sizes["glossary"]:
                    path = tmp / f"glossary-{n}.toml"
                    path.write_text(make(n), "utf-8")
                    names = sum(len(a.names) for a in Glossary.load([path]).actors.values())
                    assert names >= n, (names, n)
                    files.append(path)
                glossaries.append((name, files))
        # Every size in turn within each round, so that a change in the machine's load
        # falls on all of them alike.
        for round_ in range(repeat):
            for unit, what in (("brief", "mentions"), ("glossary", "aliases")):
                name = f"baseline: {what}" if unit == "brief" else "glossary baseline: aliases"
                if (briefs if unit == "brief" else glossaries) and wanted(name):
                    times = [timed(partial(baseline, n), clock) for n in sizes[unit]]
                    runs.setdefault(name, []).append(times)
            for name, stage in BRIEF_STAGES:
                if wanted(name):
                    times = [timed(partial(stage, b), clock) for b in briefs]
                    runs.setdefault(name, []).append(times)
                    _progress(round_, name, times)
            for name, files in glossaries:
                times = [timed(partial(Glossary.load, [f]), clock) for f in files]
                runs.setdefault(name, []).append(times)
                _progress(round_, name, times)
    rows = {
        name: [statistics.median(r[k] for r in rounds) for k in range(len(rounds[0]))]
        for name, rounds in runs.items()
    }
    print(table(list(rows.items()), sizes))
    worst = max(
        (
            b / a
            for name, times in rows.items()
            if "baseline" not in name
            for a, b in zip(times, times[1:], strict=False)
        ),
        default=0.0,
    )
    print(f"worst ratio per doubling of a stage: {worst:.2f} (goal <= {GOAL})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
