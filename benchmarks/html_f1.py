"""How well the web page reader finds a saved page's main text: word-level F1 on real pages.

For each page, our reader reads ``source.html`` exactly as the app does (``read_file`` on a
copy named ``page.html``; the text of every brief it gives, article and comment, joined, since
a page may be split into a digest's items), and the result is compared with the page's
hand-checked main text, ``expected.html`` with its tags stripped. Both sides are cut into
lower-case words of letters and digits and compared as bags of words (each word counted as
often as it occurs), as the article-extraction benchmarks do: precision is the share of our
words that are in the expected text, recall the share of the expected words we found, F1
their harmonic mean. Plain ``trafilatura.extract`` with its default settings runs on the same
pages in the same run, as the baseline.

The pages are not in this repository (they are other sites' content). They come from Mozilla
Readability's public test suite (the ``mozilla/readability`` repository on GitHub, folder
``test/test-pages/<name>/``): real saved pages (``source.html``) with the main text a person
checked (``expected.html``). Lay them out as::

    PAGES/<name>/source.html
    PAGES/<name>/expected.html

and run::

    .venv/bin/python -m benchmarks.html_f1 PAGES [--json out.json] [--only name,...]

Every sub-folder holding both files is a page. Without the folder the benchmark says so and
exits 0 (nothing measured). Nothing is fetched: the pages are read from disk only.

A copy of a page may be condensed (as the cache used for benchmarks/RESULTS.md is): script,
style and SVG bodies, comments, ``img``/``link`` elements and the values of ``href``, ``src``
and ``data-*`` attributes dropped, white space collapsed; every visible word, element,
``class``, ``id``, ``role`` and ``aria-*`` attribute kept, since they are what an extractor
reads. An ``expected.html`` may be rebuilt from the source's main element where it is the
suite's output unchanged; RESULTS.md names the pages where that was done.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import lxml.html

from briefreader.core.brief import BriefError
from briefreader.core.readers import read_file

_WORD = re.compile(r"[^\W_]+")
# Elements whose start and end separate words even when the markup has no space there.
_BLOCKS = frozenset(
    ("address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
     "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
     "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul")
)  # fmt: skip
_NO_TEXT = frozenset(("script", "style", "noscript", "template", "head"))


@dataclass(slots=True)
class Score:
    """Word-level precision, recall and F1 of one extraction against the expected text."""

    precision: float
    recall: float
    f1: float


@dataclass(slots=True)
class PageResult:
    name: str
    words_expected: int
    ours: Score
    baseline: Score
    seconds_ours: float
    seconds_baseline: float


def words(text: str) -> Counter[str]:
    """The bag of lower-case words (runs of letters and digits) in ``text``."""
    return Counter(_WORD.findall(text.lower()))


def score(found: str, expected: str) -> Score:
    """Bag-of-words precision, recall and F1 of ``found`` against ``expected``."""
    got, want = words(found), words(expected)
    common = sum((got & want).values())
    n_got, n_want = sum(got.values()), sum(want.values())
    if n_got == 0 and n_want == 0:
        return Score(1.0, 1.0, 1.0)
    precision = common / n_got if n_got else 0.0
    recall = common / n_want if n_want else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1)


def html_text(html: bytes) -> str:
    """The text of a UTF-8 HTML fragment, block elements kept apart so their words do not join."""
    root = lxml.html.fromstring(html, parser=lxml.html.HTMLParser(encoding="utf-8"))
    parts: list[str] = []

    def walk(element: lxml.html.HtmlElement) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        block = tag in _BLOCKS
        if tag not in _NO_TEXT:
            if block:
                parts.append("\n")
            if element.text:
                parts.append(element.text)
            for child in element:
                walk(child)
            if block:
                parts.append("\n")
        if element.tail:
            parts.append(element.tail)

    walk(root)
    return "".join(parts)


def ours(source: Path, work: Path) -> str:
    """Our reader's text for a saved page: every brief's article and comment, in order."""
    page = work / "page.html"
    shutil.copyfile(source, page)
    try:
        result = read_file(page, file_id="page.html")
    except BriefError:
        return ""
    parts: list[str] = []
    for brief in result.briefs:
        parts.append(brief.article)
        if brief.comment:
            parts.append(brief.comment)
    return "\n\n".join(parts)


def baseline(source: Path) -> str:
    """Plain trafilatura with its default settings."""
    import trafilatura

    return trafilatura.extract(source.read_bytes()) or ""


def pages(folder: Path, only: set[str] | None) -> list[Path]:
    """Every sub-folder holding both a source.html and an expected.html, by name."""
    found = [
        d
        for d in sorted(folder.iterdir())
        if d.is_dir() and (d / "source.html").is_file() and (d / "expected.html").is_file()
    ]
    return [d for d in found if only is None or d.name in only]


def run(folder: Path, only: set[str] | None = None) -> list[PageResult]:
    results: list[PageResult] = []
    with tempfile.TemporaryDirectory(prefix="html-f1-") as tmp:
        work = Path(tmp)
        for page in pages(folder, only):
            expected = html_text((page / "expected.html").read_bytes())
            start = time.perf_counter()
            text = ours(page / "source.html", work)
            mid = time.perf_counter()
            base = baseline(page / "source.html")
            end = time.perf_counter()
            results.append(
                PageResult(
                    page.name,
                    sum(words(expected).values()),
                    score(text, expected),
                    score(base, expected),
                    mid - start,
                    end - mid,
                )
            )
    return results


def _summary(label: str, scores: list[Score]) -> str:
    def both(values: list[float]) -> str:
        return f"{statistics.fmean(values):.3f} / {statistics.median(values):.3f}"

    return (
        f"{label:<12} P {both([s.precision for s in scores])}   "
        f"R {both([s.recall for s in scores])}   F1 {both([s.f1 for s in scores])}"
    )


def report(results: list[PageResult]) -> str:
    lines = [
        f"{'page':<30} {'words':>6}  {'ours P':>6} {'R':>5} {'F1':>5}   "
        f"{'base P':>6} {'R':>5} {'F1':>5}"
    ]
    for r in results:
        lines.append(
            f"{r.name:<30} {r.words_expected:>6}  {r.ours.precision:6.3f} {r.ours.recall:5.3f} "
            f"{r.ours.f1:5.3f}   {r.baseline.precision:6.3f} {r.baseline.recall:5.3f} "
            f"{r.baseline.f1:5.3f}"
        )
    lines.append("")
    lines.append(f"{len(results)} pages; mean / median")
    lines.append(_summary("ours", [r.ours for r in results]))
    lines.append(_summary("trafilatura", [r.baseline for r in results]))
    lines.append(
        f"seconds a page (mean): ours {statistics.fmean(r.seconds_ours for r in results):.3f}, "
        f"baseline {statistics.fmean(r.seconds_baseline for r in results):.3f}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", type=Path, help="folder of <name>/source.html + expected.html")
    parser.add_argument("--json", type=Path, help="also write every page's figures here")
    parser.add_argument("--only", help="comma-separated page names to run")
    args = parser.parse_args(argv)
    if not args.pages.is_dir():
        print(
            f"skipped: no page folder at {args.pages} (see this script's docstring for where "
            "the pages come from and how to lay them out)"
        )
        return 0
    only = set(args.only.split(",")) if args.only else None
    results = run(args.pages, only)
    if not results:
        print(f"skipped: no <name>/source.html + expected.html pairs in {args.pages}")
        return 0
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
