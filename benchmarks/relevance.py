"""Search relevance of briefreader's default ranking on the Cranfield collection.

    python benchmarks/relevance.py                      # print the table
    python benchmarks/relevance.py --check benchmarks/relevance_baseline.json
    python benchmarks/relevance.py --record benchmarks/relevance_baseline.json

Each Cranfield document becomes a brief file (``# title`` on the first line, then the text)
in a temporary corpus, indexed by :class:`Library` in a temporary data folder. Every query
goes through ``Library.search`` as the app and ``briefreader search`` send it: default mode,
the query text as typed (punctuation and all), top 1,000 results. Beside it, in the same run
and over the same documents, a textbook BM25 (k1 1.2, b 0.75; Robertson-Sparck Jones idf
``log(1 + (N - df + 0.5) / (df + 0.5))``) over Whoosh's StemmingAnalyzer tokens of title +
text, the query words ORed (each distinct query word counted once).

Judgements: the query number in ``cranqrel`` is the query's position in ``cran.qry``
(1..225), not its ``.I``; codes 1-4 are relevant, -1 is not. MAP and P@10 use binary
relevance; nDCG@10 uses graded gains, code 1 -> 4, 2 -> 3, 3 -> 2, 4 -> 1, with the
discount 1/log2(rank + 1) and the ideal ordering of all the query's judged documents.

``--check FILE`` exits 1 if briefreader's MAP is more than 0.01 below the figure recorded in
FILE. Without the collection (``../shared/data/cranfield``) the script says so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from briefreader.core.library import Library  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "cranfield"
DEPTH = 1000
TOLERANCE = 0.01
GAINS = {1: 4, 2: 3, 3: 2, 4: 1}


# -- the collection ---------------------------------------------------------------------------


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


def read_qrels(path: Path) -> dict[int, dict[int, int]]:
    """query position (1..225) -> {doc id: grade}; only codes 1-4 (relevant) are kept."""
    out: dict[int, dict[int, int]] = {}
    for line in path.read_text("latin-1").splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        q, d, code = int(parts[0]), int(parts[1]), int(parts[2])
        if code in GAINS:
            out.setdefault(q, {})[d] = GAINS[code]
    return out


def write_corpus(docs: list[dict[str, str]], folder: Path) -> None:
    """One Markdown brief per document: the title as a ``#`` heading, then the text."""
    folder.mkdir(parents=True, exist_ok=True)
    for doc in docs:
        title = doc.get("T", "").strip()
        text = doc.get("W", "").strip()
        body = f"# {title}\n\n{text}\n" if title else f"{text}\n"
        (folder / f"{int(doc['I']):04d}.md").write_text(body, "utf-8")


# -- the textbook baseline ---------------------------------------------------------------------


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


def evaluate(runs: dict[int, list[int]], qrels: dict[int, dict[int, int]]) -> dict[str, float]:
    positions = sorted(qrels)
    return {
        "map": statistics.fmean(average_precision(runs.get(q, []), qrels[q]) for q in positions),
        "p10": statistics.fmean(precision_at(runs.get(q, []), qrels[q]) for q in positions),
        "ndcg10": statistics.fmean(ndcg_at(runs.get(q, []), qrels[q]) for q in positions),
    }


# -- the run -----------------------------------------------------------------------------------


def run(data: Path, work: Path) -> dict[str, object]:
    docs = read_smart(data / "cran.all.1400")
    queries = [q.get("W", "") for q in read_smart(data / "cran.qry")]
    qrels = read_qrels(data / "cranqrel")

    corpus = work / "corpus"
    write_corpus(docs, corpus)
    t0 = time.perf_counter()
    lib = Library.open([corpus], data_dir=work / "data")
    report = lib.update()
    index_seconds = time.perf_counter() - t0
    if report.problems:
        print(f"warning: {len(report.problems)} files had problems: {report.problems[:3]}")

    ours: dict[int, list[int]] = {}
    latencies: list[float] = []
    for position, text in enumerate(queries, 1):
        t = time.perf_counter()
        results = lib.search(text, limit=DEPTH, facets=False, snippets=False, time_limit=None)
        latencies.append(time.perf_counter() - t)
        ours[position] = [int(Path(h.id).stem) for h in results.hits]
    # What a user waits for: the first page with snippets and facets, as the app asks.
    page_latencies: list[float] = []
    for text in queries[::5]:
        t = time.perf_counter()
        lib.search(text, limit=20)
        page_latencies.append(time.perf_counter() - t)
    lib.close()

    bm25 = TextbookBM25({int(d["I"]): f"{d.get('T', '')} {d.get('W', '')}" for d in docs})
    base = {pos: bm25.search(text) for pos, text in enumerate(queries, 1)}

    return {
        "documents": len(docs),
        "queries": len(queries),
        "judged_queries": len(qrels),
        "index_seconds": index_seconds,
        "median_query_seconds": statistics.median(latencies),
        "median_page_seconds": statistics.median(page_latencies),
        "ours": evaluate(ours, qrels),
        "baseline": evaluate(base, qrels),
    }


def print_table(res: dict[str, object]) -> None:
    ours = res["ours"]
    base = res["baseline"]
    assert isinstance(ours, dict) and isinstance(base, dict)
    print(
        f"Cranfield: {res['documents']} documents, {res['queries']} queries "
        f"({res['judged_queries']} with relevant documents), top {DEPTH}"
    )
    print(f"{'measure':<10}{'briefreader':>13}{'BM25 textbook':>15}{'ratio':>8}")
    for key, label in (("map", "MAP"), ("p10", "P@10"), ("ndcg10", "nDCG@10")):
        ratio = ours[key] / base[key] if base[key] else float("nan")
        print(f"{label:<10}{ours[key]:>13.4f}{base[key]:>15.4f}{ratio:>8.3f}")
    print(
        f"index {res['index_seconds']:.1f} s; median query {res['median_query_seconds'] * 1000:.1f}"
        f" ms (1,000 hits, no snippets); median first page {res['median_page_seconds'] * 1000:.1f}"
        " ms (20 hits, snippets, facets)"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the cranfield folder")
    ap.add_argument("--check", type=Path, help="fail if MAP is below the figure in this JSON")
    ap.add_argument("--record", type=Path, help="write this run's figures to this JSON")
    args = ap.parse_args(argv)

    if not (args.data / "cran.all.1400").is_file():
        print(f"skipped: the Cranfield collection is not in {args.data}")
        return 0
    with tempfile.TemporaryDirectory(prefix="briefreader-relevance-") as tmp:
        res = run(args.data, Path(tmp))
    print_table(res)
    ours = res["ours"]
    base = res["baseline"]
    assert isinstance(ours, dict) and isinstance(base, dict)
    if args.record:
        record = {
            "map": round(ours["map"], 4),
            "p10": round(ours["p10"], 4),
            "ndcg10": round(ours["ndcg10"], 4),
            "baseline_map": round(base["map"], 4),
            "tolerance": TOLERANCE,
        }
        args.record.write_text(json.dumps(record, indent=2) + "\n", "utf-8")
        print(f"recorded in {args.record}")
    if args.check:
        recorded = json.loads(args.check.read_text("utf-8"))
        floor = float(recorded["map"]) - float(recorded.get("tolerance", TOLERANCE))
        if ours["map"] < floor:
            print(f"FAIL: MAP {ours['map']:.4f} is below {floor:.4f} (recorded {recorded['map']})")
            return 1
        print(f"ok: MAP {ours['map']:.4f} >= {floor:.4f} (recorded {recorded['map']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
