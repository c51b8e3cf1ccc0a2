"""Search relevance of briefreader's search, as users get it, beside the engines a user could
pick instead, on every test collection in ``../shared/data`` (Cranfield, CISI).

    python benchmarks/relevance.py                      # print the tables
    python benchmarks/relevance.py --collection cisi    # one collection
    python benchmarks/relevance.py --check benchmarks/relevance_baseline.json
    python benchmarks/relevance.py --record benchmarks/relevance_baseline.json

Each document becomes a brief file (``# title`` on the first line, then the authors where the
collection's peers read them, then the text) in a temporary corpus, indexed by
:class:`Library` in a temporary data folder. Every question goes through ``Library.search``
with its defaults, as the app and ``briefreader search`` send it: default mode, the question
as typed (punctuation, brackets and all), snippets, facets and the time limit included.
Twice: ``lib.search(text, limit=1000)`` for MAP, and ``lib.search(text)`` (the first page of
20) for P@10 and nDCG@10 of what a user sees; and once more with the question in capitals,
as analysts paste cables (MAP and empty answers). Answers that the time limit cut short
(``SearchResults.partial``) and questions answered with nothing are counted.

Beside it, in the same run over the same documents and text, the question's words ORed for
each:
- SQLite FTS5 (standard library ``sqlite3``, ``tokenize='porter'``, columns title and text,
  ``ORDER BY bm25(...)``), every word as typed (a repeated word is ORed again, and weighs
  more: as the issue's and the data README's figures were measured);
- a textbook BM25 (k1 1.2, b 0.75; Robertson-Sparck Jones idf
  ``log(1 + (N - df + 0.5) / (df + 0.5))``) over Whoosh's StemmingAnalyzer tokens, each
  distinct word once.

Judgements (``../shared/data/README.md``): Cranfield's query number in ``cranqrel`` is the
question's position in ``cran.qry`` (1..225), not its ``.I``; codes 1-4 are relevant, -1 is
not; nDCG@10 uses graded gains (code 1 -> 4, 2 -> 3, 3 -> 2, 4 -> 1). CISI's query number in
``CISI.REL`` is the question's ``.I``; every listed pair is relevant (gain 1); 76 of the 112
questions are judged, and the measures are over those (empty answers over all of them).
MAP and P@10 use binary relevance; nDCG@10 the discount 1/log2(rank + 1) and the ideal
ordering of all the question's judged documents. Top 1,000.

``--check FILE`` exits 1 when, for any collection, the MAP at depth 1,000 is below the floor
in FILE, more than its tolerance below the MAP recorded there, below ``min_ratio`` times the
best same-run peer's (FTS5 or the textbook BM25), or when any answer came back partial or
empty (in capitals too). A collection missing from ``--data`` (default ``../shared/data``) is
skipped with a message (exit 0), or fails the run when the environment variable ``CI`` is
``true``: under CI a skipped gate is a failed gate.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from briefreader.core.library import Library
from briefreader.core.records import SearchResults

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEPTH = 1000
#: What ``--check`` falls back on when the baseline file leaves them out.
TOLERANCE = 0.01
MAX_PARTIAL = 0
MAX_EMPTY = 0
#: MAP over the best same-run peer's (FTS5 or textbook BM25) at least this.
MIN_RATIO = 1.0
CRANFIELD_GAINS = {1: 4, 2: 3, 3: 2, 4: 1}


# -- the collections --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Doc:
    id: int
    title: str
    authors: str
    text: str


@dataclass(slots=True)
class Loaded:
    docs: list[Doc]
    #: (question number as the judgements name it, text)
    questions: list[tuple[int, str]]
    #: question number -> {doc id: gain}; only judged questions
    qrels: dict[int, dict[int, int]]


def read_smart(path: Path) -> list[dict[str, str]]:
    """Records of a SMART file: one dict per ``.I``, fields keyed by their letter."""
    records: list[dict[str, str]] = []
    current: dict[str, list[str]] | None = None
    key = ""
    for line in path.read_text("latin-1").splitlines():
        m = re.match(r"^\.([A-Z])(?:\s+(.*))?$", line)
        if m:
            if m.group(1) == "I":
                if current is not None:
                    records.append({k: " ".join(" ".join(v).split()) for k, v in current.items()})
                current = {"I": [m.group(2) or ""]}
                key = ""
            else:
                key = m.group(1)
                assert current is not None
                current.setdefault(key, [])
            continue
        if current is not None and key:
            current[key].append(line)
    if current is not None:
        records.append({k: " ".join(" ".join(v).split()) for k, v in current.items()})
    return records


def load_cranfield(folder: Path) -> Loaded:
    """Title and text (the peers' figures in the data README read those); questions are
    numbered by position, codes 1-4 relevant and graded, -1 not."""
    docs = [
        Doc(int(d["I"]), d.get("T", ""), "", d.get("W", ""))
        for d in read_smart(folder / "cran.all.1400")
    ]
    questions = [(i, q.get("W", "")) for i, q in enumerate(read_smart(folder / "cran.qry"), 1)]
    qrels: dict[int, dict[int, int]] = {}
    for line in (folder / "cranqrel").read_text("latin-1").splitlines():
        parts = line.split()
        if len(parts) >= 3 and int(parts[2]) in CRANFIELD_GAINS:
            qrels.setdefault(int(parts[0]), {})[int(parts[1])] = CRANFIELD_GAINS[int(parts[2])]
    return Loaded(docs, questions, qrels)


def load_cisi(folder: Path) -> Loaded:
    """Title, authors and text (``.X`` ignored); questions are their ``.W`` and numbered by
    their ``.I``; every judged pair is relevant."""
    docs = [
        Doc(int(d["I"]), d.get("T", ""), d.get("A", ""), d.get("W", ""))
        for d in read_smart(folder / "CISI.ALL")
    ]
    questions = [(int(q["I"]), q.get("W", "")) for q in read_smart(folder / "CISI.QRY")]
    qrels: dict[int, dict[int, int]] = {}
    for line in (folder / "CISI.REL").read_text("latin-1").splitlines():
        parts = line.split()
        if len(parts) >= 2:
            qrels.setdefault(int(parts[0]), {})[int(parts[1])] = 1
    return Loaded(docs, questions, qrels)


@dataclass(frozen=True, slots=True)
class Collection:
    name: str
    label: str
    folder: str
    files: tuple[str, ...]
    load: Callable[[Path], Loaded]


COLLECTIONS = (
    Collection(
        "cranfield", "Cranfield", "cranfield", ("cran.all.1400", "cran.qry", "cranqrel"),
        load_cranfield,
    ),
    Collection("cisi", "CISI", "cisi", ("CISI.ALL", "CISI.QRY", "CISI.REL"), load_cisi),
)  # fmt: skip


def doc_text(doc: Doc) -> str:
    """What every engine reads of a document: title, authors, text."""
    return " ".join(part for part in (doc.title, doc.authors, doc.text) if part)


def write_corpus(docs: list[Doc], folder: Path) -> None:
    """One Markdown brief per document: the title as a ``#`` heading, then authors and text."""
    folder.mkdir(parents=True, exist_ok=True)
    for doc in docs:
        body = "\n\n".join(part for part in (doc.authors.strip(), doc.text.strip()) if part)
        title = doc.title.strip()
        text = f"# {title}\n\n{body}\n" if title else f"{body}\n"
        if text.strip():
            (folder / f"{doc.id:04d}.md").write_text(text, "utf-8")


def in_capitals(text: str) -> str:
    """A question as a cable or a telegram writes it."""
    return text.upper()


# -- the peers ---------------------------------------------------------------------------------


class TextbookBM25:
    """BM25 with plain dicts over StemmingAnalyzer tokens: the yardstick, not the product."""

    def __init__(self, docs: dict[int, str], k1: float = 1.2, b: float = 0.75) -> None:
        from whoosh.analysis import StemmingAnalyzer  # tokens only

        self.analyzer = StemmingAnalyzer()
        self.k1, self.b = k1, b
        self.postings: dict[str, dict[int, int]] = {}
        self.length: dict[int, int] = {}
        for doc_id, text in docs.items():
            counts = Counter(t.text for t in self.analyzer(text))
            self.length[doc_id] = sum(counts.values())
            for term, tf in counts.items():
                self.postings.setdefault(term, {})[doc_id] = tf
        self.n = len(docs)
        self.avgdl = sum(self.length.values()) / max(1, self.n)

    def search(self, text: str, limit: int = DEPTH) -> list[int]:
        scores: dict[int, float] = {}
        for term in dict.fromkeys(t.text for t in self.analyzer(text)):
            posting = self.postings.get(term)
            if not posting:
                continue
            df = len(posting)
            idf = math.log(1 + (self.n - df + 0.5) / (df + 0.5))
            for doc_id, tf in posting.items():
                norm = self.k1 * (1 - self.b + self.b * self.length[doc_id] / self.avgdl)
                scores[doc_id] = scores.get(doc_id, 0.0) + idf * tf * (self.k1 + 1) / (tf + norm)
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        return [doc_id for doc_id, _ in ranked[:limit]]


class FTS5:
    """SQLite's full-text search (porter stemmer over unicode61 tokens), ranked by its bm25()."""

    def __init__(self, docs: list[Doc]) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE d USING fts5(title, text, tokenize='porter')")
        self.db.executemany(
            "INSERT INTO d(rowid, title, text) VALUES (?, ?, ?)",
            [(d.id, d.title, " ".join(p for p in (d.authors, d.text) if p)) for d in docs],
        )

    def search(self, text: str, limit: int = DEPTH) -> list[int]:
        # Every word as typed, repeats too: the engine weighs a repeated word more.
        words = re.findall(r"[^\W_]+", text.lower())
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        rows = self.db.execute(
            "SELECT rowid FROM d WHERE d MATCH ? ORDER BY bm25(d), rowid LIMIT ?", (match, limit)
        )
        return [int(r[0]) for r in rows]


# -- measures ----------------------------------------------------------------------------------


def average_precision(ranking: list[int], judged: dict[int, int]) -> float:
    found = 0
    total = 0.0
    for rank, doc_id in enumerate(ranking[:DEPTH], 1):
        if doc_id in judged:
            found += 1
            total += found / rank
    return total / len(judged) if judged else 0.0


def precision_at(ranking: list[int], judged: dict[int, int], k: int = 10) -> float:
    return sum(1 for d in ranking[:k] if d in judged) / k


def ndcg_at(ranking: list[int], judged: dict[int, int], k: int = 10) -> float:
    dcg = sum(judged.get(d, 0) / math.log2(r + 1) for r, d in enumerate(ranking[:k], 1))
    ideal = sorted(judged.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(r + 1) for r, g in enumerate(ideal, 1))
    return dcg / idcg if idcg else 0.0


def evaluate(runs: dict[int, list[int]], qrels: dict[int, dict[int, int]]) -> dict[str, Any]:
    """MAP, P@10 and nDCG@10 over the judged questions; empty answers over all of them."""
    judged = sorted(qrels)
    return {
        "map": statistics.fmean(average_precision(runs.get(q, []), qrels[q]) for q in judged),
        "p10": statistics.fmean(precision_at(runs.get(q, []), qrels[q]) for q in judged),
        "ndcg10": statistics.fmean(ndcg_at(runs.get(q, []), qrels[q]) for q in judged),
        "empty": sorted(q for q, ranking in runs.items() if not ranking),
    }


# -- the run -----------------------------------------------------------------------------------


def _brief_ids(results: SearchResults) -> list[int]:
    return [int(Path(h.id).stem) for h in results.hits]


def _ask(
    lib: Any,
    questions: list[tuple[int, str]],
    limit: int | None,
    pages: dict[int, list[tuple[int, Any]]] | None = None,
) -> tuple[dict[int, list[int]], list[int], list[float]]:
    """Each question through ``lib.search`` (its defaults; ``limit`` if given): the rankings,
    the questions cut short by the time limit, the latencies; each hit's snippet kept in
    ``pages`` when given."""
    runs: dict[int, list[int]] = {}
    partial: list[int] = []
    latencies: list[float] = []
    for number, text in questions:
        t = time.perf_counter()
        results = lib.search(text) if limit is None else lib.search(text, limit=limit)
        latencies.append(time.perf_counter() - t)
        runs[number] = _brief_ids(results)
        if pages is not None:
            pages[number] = list(zip(runs[number], (h.snippet for h in results.hits), strict=True))
        if results.partial:
            partial.append(number)
    return runs, partial, latencies


def agreement(
    local: dict[int, list[tuple[int, Any]]], archive: dict[int, list[tuple[int, Any]]]
) -> dict[str, float]:
    """How alike the two stores answer the same questions on their first pages: the share
    of pages with the same briefs in the same order, the mean share of a page's briefs both
    list, and the share of the briefs both list whose snippets are the same."""
    same_pages = overlap = 0.0
    shared = same = 0
    for number, mine in local.items():
        theirs = archive.get(number, [])
        same_pages += [i for i, _s in mine] == [i for i, _s in theirs]
        mine_ids, their_snips = {i for i, _s in mine}, dict(theirs)
        both = mine_ids & set(their_snips)
        overlap += len(both) / max(len(mine_ids), len(their_snips), 1)
        for i, snip in mine:
            if i in both:
                shared += 1
                same += snip == their_snips[i]
    n = max(len(local), 1)
    return {
        "same_first_page": same_pages / n,
        "first_page_overlap": overlap / n,
        "shared_hits": shared,
        "same_snippets": same / shared if shared else 1.0,
    }


def run(coll: Collection, data: Path, work: Path, archive: str | None = None) -> dict[str, Any]:
    """Index one collection, ask every question as a user would, and measure the peers."""
    t_run = time.perf_counter()
    loaded = coll.load(data)
    corpus = work / "corpus"
    write_corpus(loaded.docs, corpus)
    t0 = time.perf_counter()
    lib = Library.open([corpus], data_dir=work / "data")
    report = lib.update()
    index_seconds = time.perf_counter() - t0
    if report.problems:
        print(f"warning: {len(report.problems)} files had problems: {report.problems[:3]}")

    # The user's path: Library.search's defaults (snippets, facets, the time limit), only
    # the depth raised to 1,000 for MAP; then the first page exactly as the app asks for it.
    capitals = [(n, in_capitals(text)) for n, text in loaded.questions]
    deep, deep_partial, deep_latencies = _ask(lib, loaded.questions, DEPTH)
    pages: dict[int, list[tuple[int, Any]]] = {}
    page, page_partial, page_latencies = _ask(lib, loaded.questions, None, pages)
    caps, caps_partial, _ = _ask(lib, capitals, DEPTH)
    lib.close()
    ours_seconds = sum(deep_latencies) + sum(page_latencies)

    through_archive = _archive_run(archive, corpus, work, loaded, pages) if archive else None

    t0 = time.perf_counter()
    fts5 = FTS5(loaded.docs)
    fts5_runs = {n: fts5.search(text) for n, text in loaded.questions}
    fts5_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    bm25 = TextbookBM25({d.id: doc_text(d) for d in loaded.docs})
    bm25_runs = {n: bm25.search(text) for n, text in loaded.questions}
    bm25_seconds = time.perf_counter() - t0

    return {
        "name": coll.name,
        "label": coll.label,
        "documents": len(loaded.docs),
        "questions": len(loaded.questions),
        "judged_questions": len(loaded.qrels),
        "index_seconds": index_seconds,
        "median_query_seconds": statistics.median(deep_latencies),
        "median_page_seconds": statistics.median(page_latencies),
        "ours_seconds": ours_seconds,
        "ours": evaluate(deep, loaded.qrels),
        "first_page": evaluate(page, loaded.qrels),
        "capitals": evaluate(caps, loaded.qrels),
        "fts5": evaluate(fts5_runs, loaded.qrels),
        "fts5_seconds": fts5_seconds,
        "baseline": evaluate(bm25_runs, loaded.qrels),
        "bm25_seconds": bm25_seconds,
        "partial_deep": deep_partial,
        "partial_page": page_partial,
        "partial_capitals": caps_partial,
        "seconds": time.perf_counter() - t_run,
        "archive": through_archive,
    }


#: The team archive's MAP must be at least this times the local search's, in the same run.
ARCHIVE_MIN_RATIO = 0.95
#: Of the first-page hits both stores list, at least this share must have the same snippet
#: (one snippet routine, core/search/snippets; a word's rarity may differ in the last digits).
ARCHIVE_SAME_SNIPPETS = 0.95


def _archive_run(
    url: str,
    corpus: Path,
    work: Path,
    loaded: Loaded,
    local_pages: dict[int, list[tuple[int, Any]]],
) -> dict[str, Any]:
    """The same corpus pushed to a scratch database on the archive's server, the same
    questions through ``Library.search`` (its defaults, depth 1,000 for MAP), and
    its first pages and snippets compared with the local ones (``local_pages``)."""
    import psycopg

    from briefreader.core.archive.backend import init

    scratch = f"briefreader_relevance_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {scratch}")
        admin.execute(f"CREATE DATABASE {scratch}")
    target = f"{url.rsplit('/', 1)[0]}/{scratch}" if "://" in url else f"{url} dbname={scratch}"
    try:
        init(target)
        lib = Library.open_archive(target, [corpus], data_dir=work / "archive-data")
        t0 = time.perf_counter()
        lib.update()
        push_seconds = time.perf_counter() - t0
        deep, _partial, latencies = _ask(lib, loaded.questions, DEPTH)
        pages: dict[int, list[tuple[int, Any]]] = {}
        page, _partial, _ = _ask(lib, loaded.questions, None, pages)
        lib.close()
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")
    return {
        "ours": evaluate(deep, loaded.qrels),
        "first_page": evaluate(page, loaded.qrels),
        "push_seconds": push_seconds,
        "median_query_seconds": statistics.median(latencies),
        "agreement": agreement(local_pages, pages),
    }


def best_peer(res: dict[str, Any]) -> tuple[str, float]:
    """The better same-run peer by MAP: its name and MAP."""
    fts5, bm25 = res["fts5"]["map"], res["baseline"]["map"]
    return ("FTS5", fts5) if fts5 >= bm25 else ("BM25", bm25)


def _listed(numbers: list[int]) -> str:
    some = ", ".join(map(str, numbers[:10]))
    return f" ({some}{', ...' if len(numbers) > 10 else ''})" if numbers else ""


def print_table(res: dict[str, Any]) -> None:
    ours, page, caps = res["ours"], res["first_page"], res["capitals"]
    fts5, base = res["fts5"], res["baseline"]
    n = res["questions"]
    print(
        f"{res['label']}: {res['documents']} documents, {n} questions "
        f"({res['judged_questions']} judged); Library.search with its defaults"
    )
    peer, peer_map = best_peer(res)
    print(f"  {'measure':<24}{'briefreader':>12}{'FTS5':>9}{'BM25':>9}{'ours/best':>11}")
    rows = (
        ("MAP@1000", ours["map"], fts5["map"], base["map"]),
        ("P@10 (first page)", page["p10"], fts5["p10"], base["p10"]),
        ("nDCG@10 (first page)", page["ndcg10"], fts5["ndcg10"], base["ndcg10"]),
        ("MAP@1000, in capitals", caps["map"], fts5["map"], base["map"]),
    )
    for label, value, a, b in rows:
        best = max(a, b)
        ratio = value / best if best else float("nan")
        print(f"  {label:<24}{value:>12.4f}{a:>9.4f}{b:>9.4f}{ratio:>11.3f}")
    print(
        f"  {'empty answers':<24}{len(ours['empty']):>12}{len(fts5['empty']):>9}"
        f"{len(base['empty']):>9}   of {n}; in capitals {len(caps['empty'])}"
        f"{_listed(ours['empty'] or caps['empty'])}"
    )
    for label, key in (
        ("depth 1000", "partial_deep"),
        ("first page", "partial_page"),
        ("capitals", "partial_capitals"),
    ):
        if res[key]:
            print(f"  partial answers, {label}: {len(res[key])} of {n}{_listed(res[key])}")
    print(
        f"  best peer {peer} {peer_map:.4f}; index {res['index_seconds']:.1f} s; median question"
        f" {res['median_query_seconds'] * 1000:.0f} ms (limit=1000), first page"
        f" {res['median_page_seconds'] * 1000:.0f} ms; all our questions"
        f" {res['ours_seconds']:.1f} s (FTS5 {res['fts5_seconds']:.1f} s, BM25"
        f" {res['bm25_seconds']:.1f} s, both with indexing); run {res['seconds']:.0f} s"
    )
    arc = res.get("archive")
    if arc:
        ratio = arc["ours"]["map"] / ours["map"] if ours["map"] else float("nan")
        print(
            f"  team archive: MAP@1000 {arc['ours']['map']:.4f} ({ratio:.3f}x local), P@10"
            f" {arc['first_page']['p10']:.4f}, empty answers {len(arc['ours']['empty'])};"
            f" push {arc['push_seconds']:.1f} s, median question"
            f" {arc['median_query_seconds'] * 1000:.0f} ms (limit=1000)"
        )
        agree = arc["agreement"]
        print(
            f"  same first page as local {agree['same_first_page']:.3f} of questions, first-page"
            f" overlap {agree['first_page_overlap']:.3f}, same snippet"
            f" {agree['same_snippets']:.3f} of {agree['shared_hits']} hits both list"
        )


def check(res: dict[str, Any], baseline: dict[str, Any]) -> list[str]:
    """One collection's reasons to fail the gate, in words; empty when it passes.

    ``baseline``: the collection's entry of the baseline file (``floor``, ``recorded``,
    ``min_ratio``; ``tolerance``, ``max_partial`` and ``max_empty`` may come from the file's
    top level)."""
    label = res.get("label", "")
    floor = float(baseline.get("floor", {}).get("map", 0.0))
    recorded = float(baseline["recorded"]["map"])
    tolerance = float(baseline.get("tolerance", TOLERANCE))
    max_partial = int(baseline.get("max_partial", MAX_PARTIAL))
    max_empty = int(baseline.get("max_empty", MAX_EMPTY))
    # Figures are recorded to four decimals (0.3445 is 0.34449 measured): compare at that.
    got = round(res["ours"]["map"], 4)
    failures = []
    if got < floor:
        failures.append(f"{label} MAP {got:.4f} is below the floor {floor:.4f}")
    if got < recorded - tolerance:
        failures.append(
            f"{label} MAP {got:.4f} is more than {tolerance} below the recorded {recorded:.4f}"
        )
    # The ratio to the best peer of the same run: a change that lowers ours relative to the
    # peers on the same documents is a loss even when the absolute figure holds.
    min_ratio = float(baseline.get("min_ratio", MIN_RATIO))
    peer, peer_map = best_peer(res)
    if peer_map > 0 and got / peer_map < min_ratio:
        failures.append(
            f"{label} MAP {got:.4f} is {got / peer_map:.3f}x the same-run {peer} ({peer_map:.4f});"
            f" the gate is {min_ratio:.2f}x"
        )
    arc = res.get("archive")
    if arc and arc["ours"]["map"] < ARCHIVE_MIN_RATIO * res["ours"]["map"]:
        failures.append(
            f"{label}: the team archive's MAP {arc['ours']['map']:.4f} is below"
            f" {ARCHIVE_MIN_RATIO}x the local {res['ours']['map']:.4f}"
        )
    if arc and arc["agreement"]["same_snippets"] < ARCHIVE_SAME_SNIPPETS:
        failures.append(
            f"{label}: only {arc['agreement']['same_snippets']:.3f} of the hits both stores list"
            f" have the same snippet on both (at least {ARCHIVE_SAME_SNIPPETS} wanted)"
        )
    empties = [("", res["ours"]), (" in capitals", res.get("capitals"))]
    if arc:
        empties.append((" through the team archive", arc["ours"]))
    for how, figures in empties:
        if figures is not None and len(figures["empty"]) > max_empty:
            failures.append(
                f"{label}: {len(figures['empty'])} questions{how} were answered with nothing"
                f" (at most {max_empty} allowed): {_listed(figures['empty']).strip(' ()')}"
            )
    for how, key in (
        ("at depth 1000", "partial_deep"),
        ("on first pages", "partial_page"),
        ("in capitals", "partial_capitals"),
    ):
        if len(res.get(key, [])) > max_partial:
            failures.append(
                f"{label}: {len(res[key])} answers {how} were partial (the time limit cut them"
                f" short; at most {max_partial} allowed)"
            )
    return failures


def _entry(baseline: dict[str, Any], name: str) -> dict[str, Any] | None:
    """A collection's gate, the file's top-level settings filled in."""
    entry = baseline.get("collections", {}).get(name)
    if entry is None:
        return None
    shared = {k: v for k, v in baseline.items() if k != "collections"}
    return {**shared, **entry}


def record_of(res: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    """The baseline entry of a collection's run (its floor kept from ``old``)."""
    ours, page, caps = res["ours"], res["first_page"], res["capitals"]
    floor = float(old.get("floor", {}).get("map", round(ours["map"] - TOLERANCE, 4)))
    return {
        "floor": {"map": floor},
        "recorded": {
            "map": round(ours["map"], 4),
            "p10_first_page": round(page["p10"], 4),
            "ndcg10_first_page": round(page["ndcg10"], 4),
            "map_capitals": round(caps["map"], 4),
            "fts5_map": round(res["fts5"]["map"], 4),
            "bm25_map": round(res["baseline"]["map"], 4),
        },
        "min_ratio": float(old.get("min_ratio", MIN_RATIO)),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="the folder holding cranfield/, cisi/"
    )
    ap.add_argument(
        "--collection",
        action="append",
        choices=[c.name for c in COLLECTIONS],
        help="only this collection (may be repeated); default: every one",
    )
    ap.add_argument("--check", type=Path, help="fail if the run misses the gate in this JSON")
    ap.add_argument("--record", type=Path, help="write this run's figures to this JSON")
    ap.add_argument(
        "--archive",
        metavar="URL",
        help="also search through a team archive on this server (a scratch database is "
        f"created and dropped); --check then wants its MAP >= {ARCHIVE_MIN_RATIO}x the local",
    )
    args = ap.parse_args(argv)
    under_ci = os.environ.get("CI") == "true"

    baseline: dict[str, Any] = {}
    if args.check:
        try:
            baseline = json.loads(args.check.read_text("utf-8"))
            for entry in baseline["collections"].values():
                float(entry["recorded"]["map"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            print(f"FAIL: cannot read the recorded figures in {args.check}: {exc!r}")
            return 1

    chosen = [c for c in COLLECTIONS if not args.collection or c.name in args.collection]
    status = 0
    results: list[dict[str, Any]] = []
    for coll in chosen:
        folder = args.data / coll.folder
        missing = [name for name in coll.files if not (folder / name).is_file()]
        if missing:
            absent = ", ".join(missing)
            print(f"skipped: the {coll.label} collection is not in {folder} (no {absent})")
            if under_ci:
                print("FAIL: CI=true, and a skipped relevance gate under CI is a failed one")
                status = 1
            continue
        with tempfile.TemporaryDirectory(prefix=f"briefreader-relevance-{coll.name}-") as tmp:
            res = run(coll, folder, Path(tmp), args.archive)
        print_table(res)
        results.append(res)
        if args.check:
            gate = _entry(baseline, coll.name)
            if gate is None:
                print(f"FAIL: {args.check} records no figures for {coll.label}")
                status = 1
                continue
            failures = check(res, gate)
            for reason in failures:
                print(f"FAIL: {reason}")
            if failures:
                status = 1
            else:
                print(
                    f"ok: {coll.label} MAP {res['ours']['map']:.4f} (floor"
                    f" {gate.get('floor', {}).get('map')}, recorded {gate['recorded']['map']},"
                    f" {best_peer(res)[0]} {best_peer(res)[1]:.4f}), no partial or empty answers"
                )
    if len(results) > 1:
        mean = statistics.fmean(r["ours"]["map"] for r in results)
        peers = statistics.fmean(best_peer(r)[1] for r in results)
        print(f"mean MAP over {len(results)} collections: {mean:.4f} (best peers {peers:.4f})")
    if args.record and results:
        # A run that misses its floor, or was cut short or empty, is not a figure to defend.
        old: dict[str, Any] = {}
        if args.record.is_file():
            old = json.loads(args.record.read_text("utf-8"))
        kept = dict(old.get("collections", {}))
        for res in results:
            prior = kept.get(res["name"], {})
            floor = float(prior.get("floor", {}).get("map", 0.0))
            bad = (
                res["ours"]["map"] < floor
                or res["partial_deep"]
                or res["partial_page"]
                or res["ours"]["empty"]
                or res["capitals"]["empty"]
            )
            if bad:
                print(
                    f"not recorded in {args.record}: {res['label']} MAP below the floor {floor}"
                    " or partial or empty answers"
                )
                return 1
            kept[res["name"]] = record_of(res, prior)
        record = {
            "tolerance": float(old.get("tolerance", TOLERANCE)),
            "max_partial": int(old.get("max_partial", MAX_PARTIAL)),
            "max_empty": int(old.get("max_empty", MAX_EMPTY)),
            "collections": kept,
        }
        args.record.write_text(json.dumps(record, indent=2) + "\n", "utf-8")
        print(f"recorded in {args.record}")
    return status


if __name__ == "__main__":
    sys.exit(main())
