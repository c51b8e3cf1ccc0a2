"""Ingest speed: the whole ``briefreader index`` beside Recoll's ``recollindex``, same folder.

    python benchmarks/ingest.py                      # ~2,000 files in a temporary folder
    python benchmarks/ingest.py --quick              # ~300 files, 3 rounds
    python benchmarks/ingest.py --folder DIR --keep  # make (or reuse) the folder DIR

A realistic mixed folder is written first (not timed): text and Markdown briefs and digests
(texts from ``synth.py``), saved news pages with their menus, scripts and comment sections,
round-up pages, PDFs written by Qt (single briefs and digests of up to 80 pages) beside the
public sample PDFs, Word files (single briefs and news-archive exports), emails (some with
a PDF or Word attachment, some newsletter round-ups) and a few mailboxes. The makers are
``tests/formats_kit.py``'s.

Then, alternating (the first of a round alternates too), each round in a fresh data folder /
configuration folder so both build from nothing:

- ours: the real command line, ``briefreader index FOLDER --data-dir FRESH --json`` (the
  defaults; ``--json`` only to read the counts afterwards);
- Recoll: ``recollindex -c CONFDIR`` with ``topdirs = FOLDER`` and nothing else set, its
  python filters run by the system's python3 (``/usr/bin`` first on PATH: the filters need
  lxml, which Debian's python3-lxml gives). Skipped, with a message, when not installed.

Our package's bytecode is written before the rounds, as an installed app has it (pip compiles a
wheel's modules at install; an editable install run with PYTHONDONTWRITEBYTECODE would compile
every module in every run, 0.17 s before the workers start). The folder is read once before
the rounds so that both meet it in the page cache. Files per
second are the folder's files over the wall time (the same numerator for both); briefs per
second are the briefs our index holds. ``--per-format`` also times one run of each on each
format's own sub-folder.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import email.utils
import html
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(1, str(REPO / "tests"))

import formats_kit as kit  # noqa: E402 - the tests' makers of real files

from benchmarks import synth  # noqa: E402
from briefreader.core.extract import PROCESSES_ENV  # noqa: E402

SAMPLES = REPO.parent / "shared" / "data" / "formats" / "pdf-samples"

#: Sub-folders of the corpus, one a format (``--per-format`` times each alone).
FORMATS = ("text", "html", "pdf", "docx", "email")

#: Characters drawn on one PDF page (10 pt on A4 holds about 5,000; paragraphs waste some).
PAGE_CHARS = 3_200


# -- the corpus ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Story:
    """One synthetic brief's parts, to be written in any format."""

    title: str
    date: dt.date
    source: str
    paragraphs: tuple[str, ...]
    comment: tuple[str, ...]

    def plain(self, *, dated: bool = True) -> str:
        """The story as a round-up item or a single brief: headline, date line, text."""
        head = f"{self.title}\n{self.source}, {long_date(self.date)}\n\n" if dated else ""
        body = "\n\n".join(self.paragraphs)
        if self.comment:
            body += "\n\nComment: " + "\n\n".join(self.comment)
        return head + body


def long_date(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def stories(scratch: Path, count: int, seed: int) -> tuple[list[Story], list[Path]]:
    """``count`` synthetic briefs (synth.py): their parts, and the files synth wrote."""
    files = synth.generate(scratch, count, seed=seed, glossary=REPO / "resources" / "glossary.toml")
    out: list[Story] = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        if not text.startswith("Title: "):
            continue  # a plain file: no title or date to carry into other formats
        head, _, body = text.partition("\n\n")
        meta = dict(line.split(": ", 1) for line in head.splitlines() if ": " in line)
        paras = [clean(p) for p in body.strip().split("\n\n") if p.strip()]
        comment: list[str] = []
        for i, p in enumerate(paras):
            for marker in ("Comment: ", "Comment:"):
                if p.startswith(marker):
                    comment = [p[len(marker) :].strip(), *paras[i + 1 :]]
                    break
            if p == "## Comment" or p == "Comment":
                comment = paras[i + 1 :]
            if comment:
                paras = paras[:i]
                break
        out.append(
            Story(
                meta["Title"],
                dt.date.fromisoformat(meta["Date"]),
                meta.get("Source", "Reuters"),
                tuple(paras) or ("(no text)",),
                tuple(c for c in comment if c),
            )
        )
    return out, files


def clean(paragraph: str) -> str:
    """Markdown marks left out: the other formats carry the words only."""
    text = paragraph.replace("**", "")
    lines = [line.removeprefix("> ").removeprefix("- ") for line in text.splitlines()]
    return " ".join(lines).strip()


def pdf_pages(text: str) -> list[str]:
    """``text`` cut into pages at paragraph ends, each within PAGE_CHARS (Qt's drawText clips
    what does not fit on the page, so the cut is ours)."""
    pages: list[str] = []
    page = ""
    for para in text.split("\n\n"):
        while len(para) > PAGE_CHARS:  # a very long paragraph: cut at a sentence end
            cut = para.rfind(". ", 0, PAGE_CHARS) + 1 or PAGE_CHARS
            if page:
                pages.append(page)
                page = ""
            pages.append(para[:cut])
            para = para[cut:].lstrip()
        if page and len(page) + len(para) + 2 > PAGE_CHARS:
            pages.append(page)
            page = ""
        page = f"{page}\n\n{para}" if page else para
    if page:
        pages.append(page)
    return pages


def roundup_text(title: str, items: list[Story]) -> str:
    """A dated round-up: contents first, then each item's headline, date line and text."""
    contents = "\n".join(f"- {s.title}" for s in items)
    return f"# {title}\n\n{contents}\n\n" + "\n\n".join(s.plain() for s in items) + "\n"


def html_items(items: list[Story]) -> str:
    esc = html.escape
    out = []
    for s in items:
        out.append(f"<h2>{esc(s.title)}</h2><p>{esc(s.source)}, {long_date(s.date)}</p>")
        out.extend(f"<p>{esc(p)}</p>" for p in s.paragraphs)
        if s.comment:
            out.append(f"<p><b>Comment:</b> {esc(s.comment[0])}</p>")
            out.extend(f"<p>{esc(p)}</p>" for p in s.comment[1:])
    return "".join(out)


def news_page(s: Story) -> str:
    return kit.news_page(
        title=html.escape(s.title),
        paragraphs=[html.escape(p) for p in s.paragraphs],
        comment=html.escape(" ".join(s.comment)) if s.comment else None,
        published=f"{s.date.isoformat()}T09:30:00+03:00",
        site=html.escape(s.source),
    )


def roundup_page(title: str, items: list[Story]) -> str:
    """A round-up page saved from a site: the site's menus and footer around the items."""
    page = kit.news_page(title=html.escape(title), paragraphs=[], comment=None)
    start, end = page.index("<h1>"), page.index("</article>")
    return page[:start] + f"<h1>{html.escape(title)}</h1>" + html_items(items) + page[end:]


def mail_date(day: dt.date, rng: random.Random) -> str:
    when = dt.datetime(day.year, day.month, day.day, rng.randint(6, 20), rng.randint(0, 59))
    return email.utils.format_datetime(when.replace(tzinfo=dt.timezone(dt.timedelta(hours=3))))


def sender(source: str) -> str:
    slug = "".join(c for c in source.lower() if c.isalnum())[:20] or "news"
    return f"{source} <news@{slug}.example>"


@dataclass(slots=True)
class Plan:
    """How many files of each kind a corpus of about ``files`` files holds."""

    text: int
    text_digest: int
    html: int
    html_roundup: int
    pdf: int
    pdf_digest: int
    pdf_long: int
    docx: int
    docx_export: int
    eml: int
    eml_newsletter: int
    mbox: int
    mbox_messages: int

    @classmethod
    def of(cls, files: int) -> Plan:
        def part(share: float, least: int = 1) -> int:
            return max(least, round(files * share))

        return cls(
            text=part(0.30),
            text_digest=part(0.04),
            html=part(0.22),
            html_roundup=part(0.03),
            pdf=part(0.07),
            pdf_digest=part(0.015),
            pdf_long=part(0.003),
            docx=part(0.10),
            docx_export=part(0.03),
            eml=part(0.13),
            eml_newsletter=part(0.04),
            mbox=part(0.0015, 2),
            mbox_messages=40 if files < 1000 else 80,
        )


def make_corpus(folder: Path, files: int, seed: int = 1) -> dict[str, int]:
    """Write the mixed folder; the number of files of each format."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication  # Qt's PDF writer wants an application

    app = QGuiApplication.instance() or QGuiApplication(["ingest"])
    plan = Plan.of(files)
    rng = random.Random(seed)
    # Enough stories for every single file and every digest's items.
    want = plan.text + plan.html + plan.pdf + plan.docx + plan.eml
    want += 8 * (plan.text_digest + plan.html_roundup + plan.docx_export + plan.eml_newsletter)
    want += 20 * plan.pdf_digest + 70 * plan.pdf_long + plan.mbox * plan.mbox_messages
    scratch = Path(tempfile.mkdtemp(prefix="ingest-synth-"))
    try:
        pool, synth_files = stories(scratch, int(want * 1.3) + 50, seed)
        rng.shuffle(pool)
        feed = iter(pool * 3)

        def take(n: int) -> list[Story]:
            return [next(feed) for _ in range(n)]

        for sub in FORMATS:
            (folder / sub).mkdir(parents=True, exist_ok=True)
        # Text: synth's own files (Markdown with metadata, plain copies and pastes), by year.
        for i, src in enumerate(synth_files[: plan.text]):
            dest = folder / "text" / src.parent.parent.name / f"{i:05d}-{src.name}"
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
        for i in range(plan.text_digest):
            items = take(rng.randint(5, 12))
            title = f"Daily round-up, {long_date(items[0].date)}"
            dest = folder / "text" / "digests" / f"roundup-{i:04d}.md"
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(roundup_text(title, items), encoding="utf-8")
        # Web pages: single articles and round-ups, each a saved page with its boilerplate.
        for i, s in enumerate(take(plan.html)):
            (folder / "html" / f"article-{i:05d}.html").write_text(news_page(s), "utf-8")
        for i in range(plan.html_roundup):
            items = take(rng.randint(5, 10))
            page = roundup_page(f"Morning round-up, {long_date(items[0].date)}", items)
            (folder / "html" / f"roundup-{i:04d}.html").write_text(page, "utf-8")
        # PDFs: single briefs, digests (10-30 items), monthly digests (60-80 pages), samples.
        pdf = folder / "pdf"
        for i, s in enumerate(take(plan.pdf)):
            kit.make_pdf(pdf, f"brief-{i:05d}.pdf", pages=pdf_pages(s.plain()), title=s.title)
        for i in range(plan.pdf_digest):
            items = take(rng.randint(10, 30))
            title = f"Weekly digest {i + 1}"
            pages = pdf_pages(roundup_text(title, items))
            kit.make_pdf(pdf, f"digest-{i:04d}.pdf", pages=pages, title=title)
        for i in range(plan.pdf_long):
            items, pages = [], []
            while len(pages) < rng.randint(60, 80):
                items += take(5)
                pages = pdf_pages(roundup_text("Monthly digest", items))
            title = f"Monthly digest {i + 1}"
            kit.make_pdf(pdf, f"monthly-{i:03d}.pdf", pages=pages, title=title)
        for sample in sorted(SAMPLES.glob("*/*.pdf")) if SAMPLES.is_dir() else []:
            dest = pdf / "samples" / f"{sample.parent.name}-{sample.name}"
            dest.parent.mkdir(exist_ok=True)
            shutil.copyfile(sample, dest)
        # Word: single briefs (some with a table) and news-archive exports of 5-15 articles.
        word = folder / "docx"
        for i, s in enumerate(take(plan.docx)):
            blocks = [("p", p) for p in s.paragraphs]
            if s.comment:
                blocks += [("p", f"Comment: {s.comment[0]}"), *(("p", c) for c in s.comment[1:])]
            table = [["Actor", "Role"], [s.source, "source"]] if i % 7 == 0 else None
            kit.make_docx(
                word, f"brief-{i:05d}.docx", title=s.title, blocks=blocks, table=table,
                created=(s.date.year, s.date.month, s.date.day),
            )  # fmt: skip
        for i in range(plan.docx_export):
            blocks = []
            for s in take(rng.randint(5, 15)):
                blocks += [("h2", s.title), ("p", f"{s.source}, {long_date(s.date)}")]
                blocks += [("p", p) for p in s.paragraphs]
            kit.make_docx(word, f"export-{i:04d}.docx", title="News archive export", blocks=blocks)
        # Email: messages (a third with an HTML part, one in ten with an attachment),
        # newsletter round-ups, and mailboxes of a mailing list.
        mail = folder / "email"
        attachments = _attachments(scratch, take(4))
        for i, s in enumerate(take(plan.eml)):
            extra = [attachments[i % len(attachments)]] if i % 10 == 3 else []
            kit.make_eml(
                mail, f"message-{i:05d}.eml", subject=s.title, sender=sender(s.source),
                date=mail_date(s.date, rng), text=s.plain(dated=False) + "\n",
                html=news_page(s) if i % 3 == 0 else None, attachments=extra,
            )  # fmt: skip
        for i in range(plan.eml_newsletter):
            items = take(rng.randint(5, 10))
            title = f"Daily round-up, {long_date(items[0].date)}"
            kit.make_eml(
                mail, f"newsletter-{i:04d}.eml", subject=title, sender=sender("Iraq Watch"),
                date=mail_date(items[0].date, rng), text=roundup_text(title, items),
                list_id="Iraq Watch <daily.iraqwatch.example>",
            )  # fmt: skip
        for i in range(plan.mbox):
            messages = [
                kit.message(
                    subject=s.title,
                    sender=sender(s.source),
                    date=mail_date(s.date, rng),
                    text=s.plain(dated=False) + "\n",
                    list_id="Gulf list <gulf.example>",
                )  # fmt: skip
                for s in take(plan.mbox_messages)
            ]
            kit.make_mbox(mail, messages, name=f"list-{i:02d}.mbox")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    del app
    return {sub: sum(1 for p in (folder / sub).rglob("*") if p.is_file()) for sub in FORMATS}


def _attachments(scratch: Path, items: list[Story]) -> list[tuple[str, bytes, str]]:
    """A PDF and a Word file to attach to some emails."""
    out = []
    for n, s in enumerate(items[:2]):
        path = kit.make_pdf(scratch, f"att{n}.pdf", pages=pdf_pages(s.plain()), title=s.title)
        out.append((f"brief-{n}.pdf", path.read_bytes(), "application/pdf"))
    for n, s in enumerate(items[2:]):
        path = kit.make_docx(scratch, f"att{n}.docx", title=s.title,
                             blocks=[("p", p) for p in s.paragraphs])  # fmt: skip
        mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        out.append((f"brief-{n}.docx", path.read_bytes(), mime))
    return out


def files_of(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def warm(folder: Path) -> int:
    """Read every file once, so that no run meets the folder cold; the bytes read."""
    total = 0
    for path in files_of(folder):
        total += len(path.read_bytes())
    return total


# -- the runs --------------------------------------------------------------------------------


def ours_command(folder: Path, data_dir: Path) -> list[str]:
    """``briefreader index`` as installed beside this Python (else ``python -m``)."""
    script = Path(sys.executable).parent / "briefreader"
    base = [str(script)] if script.is_file() else [sys.executable, "-m", "briefreader"]
    return [*base, "index", str(folder), "--data-dir", str(data_dir), "--json"]


@dataclass(frozen=True, slots=True)
class Run:
    """One timed run: wall seconds, CPU seconds of the process and every process it waited
    for (workers, filters), and what it said."""

    seconds: float
    cpu: float
    info: dict[str, Any]


def timed(
    cmd: list[str], env: dict[str, str]
) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {done.stderr.strip()[-2000:]}")
    return seconds, cpu, done


def run_ours(folder: Path, work: Path, processes: str = "") -> Run:
    """``briefreader index``; ``processes`` sets BRIEFREADER_READ_PROCESSES ("": default)."""
    data_dir = Path(tempfile.mkdtemp(prefix="ours-", dir=work))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop(PROCESSES_ENV, None)
    if processes:
        env[PROCESSES_ENV] = processes
    seconds, cpu, done = timed(ours_command(folder, data_dir), env)
    shutil.rmtree(data_dir, ignore_errors=True)
    return Run(seconds, cpu, json.loads(done.stdout))


def recoll_env() -> dict[str, str]:
    """The system's tools first on PATH: Recoll's python filters need the system python3."""
    path = os.pathsep.join(["/usr/bin", "/bin", os.environ.get("PATH", "")])
    return {**os.environ, "PATH": path}


def run_recoll(folder: Path, work: Path) -> Run:
    """``recollindex -c CONFDIR``, a fresh configuration folder naming ``folder`` only."""
    conf = Path(tempfile.mkdtemp(prefix="recoll-", dir=work))
    (conf / "recoll.conf").write_text(f"topdirs = {folder}\n", encoding="utf-8")
    seconds, cpu, _done = timed(["recollindex", "-c", str(conf)], recoll_env())
    info = {"documents": recoll_documents(conf), "missing": missing_helpers(conf)}
    shutil.rmtree(conf, ignore_errors=True)
    return Run(seconds, cpu, info)


def recoll_documents(conf: Path) -> dict[str, int] | None:
    """Recoll's documents by MIME type (its python module, system python3), or None."""
    code = (
        "import sys, collections\n"
        "from recoll import recoll\n"
        "db = recoll.connect(confdir=sys.argv[1])\n"
        "q = db.query()\n"
        "n = q.execute('mime:*', stemming=0)\n"
        "c = collections.Counter()\n"
        "for doc in q: c[doc.mimetype] += 1\n"
        "import json; print(json.dumps(dict(c)))\n"
    )
    done = subprocess.run(
        ["/usr/bin/python3", "-c", code, str(conf)],
        capture_output=True, text=True, env=recoll_env(), check=False,
    )  # fmt: skip
    if done.returncode != 0:
        return None
    try:
        counts: dict[str, int] = json.loads(done.stdout)
    except ValueError:
        return None
    return counts


def missing_helpers(conf: Path) -> str:
    """What Recoll says it lacked to read some files (its ``missing`` file), if anything."""
    path = conf / "missing"
    return path.read_text(encoding="utf-8", errors="replace").strip() if path.is_file() else ""


def recoll_filters() -> dict[str, str]:
    """Which of Recoll's external helpers this machine has, for the formats in the folder."""
    env = recoll_env()
    out = {}
    for name in ("pdftotext", "python3"):
        found = shutil.which(name, path=env["PATH"])
        out[name] = found or "missing"
    lxml = subprocess.run(
        ["/usr/bin/python3", "-c", "import lxml"], capture_output=True, check=False
    )
    out["python3-lxml (docx filter)"] = "present" if lxml.returncode == 0 else "missing"
    version = subprocess.run(["recollindex", "-h"], capture_output=True, text=True, check=False)
    for line in (version.stdout + version.stderr).splitlines():
        if "Recoll" in line and any(ch.isdigit() for ch in line):
            out["recoll"] = line.strip()
            break
    dpkg = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Version}", "recollcmd"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if dpkg.returncode == 0:
        out["recollcmd"] = dpkg.stdout.strip()
    return out


# -- figures ---------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=2000, help="about this many files")
    ap.add_argument("--quick", action="store_true", help="about 300 files")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--folder", type=Path, help="make the corpus here (reused if not empty)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--per-format", action="store_true", help="also time each format alone")
    ap.add_argument("--no-recoll", action="store_true", help="time ours only")
    ap.add_argument(
        "--serial", action="store_true", help="also time ours reading every file in one process"
    )
    ap.add_argument(
        "--stall", type=float, metavar="S", help="also watch the window index it for S seconds"
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", type=Path, help="write the figures here too")
    args = ap.parse_args(argv)
    files = 300 if args.quick else args.files

    work = Path(tempfile.mkdtemp(prefix="ingest-"))
    folder = (args.folder or work / "corpus").resolve()
    try:
        if folder.is_dir() and any(folder.iterdir()):
            print(f"reusing the corpus in {folder}")
        else:
            t0 = time.perf_counter()
            folder.mkdir(parents=True, exist_ok=True)
            counts = make_corpus(folder, files, args.seed)
            print(
                f"made {sum(counts.values())} files in {time.perf_counter() - t0:.0f} s: {counts}"
            )
        all_files = files_of(folder)
        n = len(all_files)
        by_suffix = Counter(p.suffix.lower() for p in all_files)
        size = warm(folder)
        compileall.compile_dir(str(REPO / "briefreader"), quiet=1)
        print(f"{n} files, {size / 1e6:.1f} MB: {dict(by_suffix.most_common())}")

        recoll = shutil.which("recollindex") if not args.no_recoll else None
        if recoll is None and not args.no_recoll:
            print("recollindex not found: Recoll skipped (Debian: apt-get install recollcmd)")
        filters = recoll_filters() if recoll else {}
        if filters:
            print("Recoll's helpers: " + ", ".join(f"{k} {v}" for k, v in filters.items()))

        contenders = ["ours"] + (["serial"] if args.serial else []) + (["recoll"] if recoll else [])
        runs: dict[str, list[Run]] = {c: [] for c in contenders}
        label = {
            "ours": "briefreader index",
            "serial": "  read in 1 process",
            "recoll": "recollindex",
        }
        for r in range(args.rounds):
            shift = r % len(contenders)
            for who in contenders[shift:] + contenders[:shift]:
                if who == "recoll":
                    run = run_recoll(folder, work)
                else:
                    run = run_ours(folder, work, "0" if who == "serial" else "")
                runs[who].append(run)
                print(
                    f"round {r + 1}: {label[who]:20} {run.seconds:6.2f} s  {n / run.seconds:6.1f}"
                    f" files/s  (CPU {run.cpu:6.2f} s)",
                    flush=True,
                )
        out = summary(runs, n, size, by_suffix, args.rounds)
        out["recoll_helpers"] = filters
        print()
        for who, rows in runs.items():
            m = median([x.seconds for x in rows])
            cpu = median([x.cpu for x in rows])
            line = f"{label[who].strip():20} median {m:6.2f} s of {len(rows)}: {n / m:6.1f} files/s"
            line += f", CPU {cpu:.1f} s"
            if who != "recoll":
                briefs = int(rows[-1].info.get("indexed", 0))
                line += f", {briefs} briefs, {briefs / m:.1f} briefs/s"
            print(line)
        if "ratio" in out:
            print(
                f"ours / Recoll, files per second: {out['ratio']:.2f} (CPU: {out['cpu_ratio']:.2f})"
            )
            docs = out.get("recoll_documents")
            if docs:
                print("  Recoll's documents by type: " + json.dumps(docs, sort_keys=True))
            if out.get("recoll_missing"):
                print("  Recoll's missing helpers: " + out["recoll_missing"].replace("\n", "; "))
        if args.per_format:
            out["per_format"] = per_format(folder, work, bool(recoll))
        if args.stall:
            print()
            out["stall"] = stall(folder, work, args.stall)
            if args.serial:
                out["stall_serial"] = stall(folder, work, args.stall, "0")
        if args.json:
            args.json.write_text(json.dumps(out, indent=1, default=str), encoding="utf-8")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def summary(
    runs: dict[str, list[Run]], n: int, size: int, by_suffix: Counter[str], rounds: int
) -> dict[str, Any]:
    """The figures of a run, JSON-ready."""
    ours = runs["ours"]
    ours_m = median([x.seconds for x in ours])
    report = ours[-1].info
    briefs = int(report.get("indexed", 0))
    out: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}",
        "load": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "files": n,
        "megabytes": round(size / 1e6, 1),
        "suffixes": dict(by_suffix),
        "rounds": rounds,
        "seconds": {k: [x.seconds for x in v] for k, v in runs.items()},
        "cpu_seconds": {k: [x.cpu for x in v] for k, v in runs.items()},
        "ours_files_per_s": n / ours_m,
        "ours_briefs": briefs,
        "ours_briefs_per_s": briefs / ours_m,
        "ours_formats": report.get("formats"),
        "ours_problems": len(report.get("skipped", [])),
    }
    if runs.get("recoll"):
        theirs = runs["recoll"]
        rec_m = median([x.seconds for x in theirs])
        out.update(
            recoll_files_per_s=n / rec_m,
            recoll_documents=theirs[-1].info.get("documents"),
            recoll_missing=theirs[-1].info.get("missing"),
            ratio=rec_m / ours_m,
            cpu_ratio=median([x.cpu for x in theirs]) / median([x.cpu for x in ours]),
        )
    return out


def stall(folder: Path, work: Path, seconds: float, processes: str = "") -> dict[str, Any]:
    """The window indexing the folder (its indexer child), watched by a 5 ms heartbeat on
    the GUI thread (app_probe.py stall, the measure run.py reports): the longest gap.
    ``processes`` sets BRIEFREADER_READ_PROCESSES for the indexer child ("": default)."""
    data_dir = Path(tempfile.mkdtemp(prefix="stall-", dir=work))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop(PROCESSES_ENV, None)
    if processes:
        env[PROCESSES_ENV] = processes
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "app_probe.py"), "stall", "--corpus",
         str(folder), "--data-dir", str(data_dir), "--seconds", str(seconds)],
        capture_output=True, text=True, env=env, check=False, timeout=seconds + 300,
    )  # fmt: skip
    for line in done.stdout.splitlines():
        if line.startswith("PROBE "):
            got: dict[str, Any] = json.loads(line[6:])
            how = "whole folder" if got.get("finished") else f"first {got['seconds']:.0f} s"
            how += ", read in 1 process" if processes == "0" else ""
            print(
                f"window indexing the folder ({how}): longest GUI gap {got['max_gap_ms']:.0f}"
                f" ms, p99 {got['p99_gap_ms']:.0f} ms, median {got['median_gap_ms']:.1f} ms"
            )
            return got
    raise RuntimeError(f"stall probe failed: {done.stderr.strip()[-1000:]}")


def per_format(folder: Path, work: Path, recoll: bool) -> dict[str, dict[str, float]]:
    """One run of each on each format's sub-folder: seconds and files per second."""
    out: dict[str, dict[str, float]] = {}
    print("\nper format (one run each):")
    for sub in FORMATS:
        part = folder / sub
        if not part.is_dir():
            continue
        n = len(files_of(part))
        run = run_ours(part, work)
        ours = run.seconds
        row = {"files": n, "ours_s": ours, "ours_cpu": run.cpu}
        row["briefs"] = float(run.info.get("indexed", 0))
        line = f"  {sub:6} {n:5} files  ours {ours:6.2f} s ({n / ours:6.1f} files/s)"
        if recoll:
            other = run_recoll(part, work)
            theirs = other.seconds
            row["recoll_s"], row["recoll_cpu"] = theirs, other.cpu
            line += f"  Recoll {theirs:6.2f} s ({n / theirs:6.1f} files/s)"
            line += f"  ratio {theirs / ours:.2f}"
        out[sub] = row
        print(line)
    return out


if __name__ == "__main__":
    sys.exit(main())
