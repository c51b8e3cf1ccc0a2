"""``briefreader index``'s progress: the JSON lines the window's indexer child prints
(``--progress-json``) and the bar on a terminal, both telling a long PDF's pages."""

from __future__ import annotations

import io
import json
from pathlib import Path

import formats_kit as kit
import pytest
from tqdm import tqdm

from briefreader.cli import indexing, main
from briefreader.cli.common import ProgressBar, part_text
from briefreader.core import extract
from briefreader.core.extract import Part

PAGES = 200


def test_progress_json_lines_carry_the_pages(
    qapp: object,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    texts = [f"Page {n} on the Hashd." for n in range(PAGES)]
    pdf = kit.make_pdf(corpus, "report.pdf", pages=texts)
    monkeypatch.setattr(extract, "PART_EVERY", 0.0)  # every page told, however quick
    monkeypatch.setattr(indexing, "_stop_cleanly_on_term", lambda: None)  # pytest's SIGTERM
    code = main(["index", str(corpus), "--data-dir", str(tmp_path / "data"), "--progress-json"])
    assert code == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[-1]["report"]["added"] >= 1
    progress = lines[:-1]
    assert progress[0] == {"done": 1, "total": 1, "path": str(pdf)}
    pages = progress[1:]
    assert pages, "no page told"
    for line in pages:
        assert set(line) == {"done", "total", "path", "page", "pages"}
        assert (line["done"], line["total"], line["path"], line["pages"]) == (1, 1, str(pdf), PAGES)
    told = [line["page"] for line in pages]
    assert told == list(range(1, PAGES + 1))


def test_a_file_after_a_long_one_is_never_dropped(capsys: pytest.CaptureFixture[str]) -> None:
    """Lines go at most ten a second, but the next file's first line after a long file's
    pages always goes: the window would show that file still being read."""
    now = [100.0]
    progress = indexing._progress_json(clock=lambda: now[0])
    progress(1, 9, "/c/a.md")
    now[0] += 0.2
    progress(2, 9, "/c/long.pdf", None)
    now[0] += 0.2
    progress(2, 9, "/c/long.pdf", Part(7, 10))
    now[0] += 0.01
    progress(3, 9, "/c/b.md")  # within a tenth of a second: goes all the same
    progress(4, 9, "/c/c.md")  # dropped, as ever
    now[0] += 0.01
    progress(4, 9, "/c/d.pdf", Part(1, 10))  # dropped too
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines == [
        {"done": 1, "total": 9, "path": "/c/a.md"},
        {"done": 2, "total": 9, "path": "/c/long.pdf"},
        {"done": 2, "total": 9, "path": "/c/long.pdf", "page": 7, "pages": 10},
        {"done": 3, "total": 9, "path": "/c/b.md"},
    ]


def test_the_bar_names_the_long_file_and_its_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tqdm, "monitor_interval", 0)  # no thread of tqdm's left running
    out = io.StringIO()
    bar = ProgressBar(out)
    bar(1, 40, "/c/a.md")
    bar(2, 40, "/c/report.pdf")
    bar(2, 40, "/c/report.pdf", Part(412, 2000))
    bar(2, 40, "/c/\x1b]0;owned\x07.pdf", Part(413, 2000))  # a terminal's escape in a name
    bar(3, 40, "/c/b.md")
    bar.close()
    shown = out.getvalue()
    assert "report.pdf, page 412 of 2000" in shown
    assert "\x1b" not in shown and "\\x1b]0;owned\\x07.pdf, page 413 of 2000" in shown
    assert "2/40" in shown and "file" in shown


def test_a_long_name_is_cut_in_the_middle() -> None:
    said = part_text("a" * 300 + "-end.pdf", Part(2, 2))
    assert said == "a" * 19 + "…" + "a" * 11 + "-end.pdf, page 2 of 2"
    assert part_text("x.pdf", Part(1, 2)) == "x.pdf, page 1 of 2"
