"""``briefreader actor NAME --dossier FILE``: the Markdown dossier through the real entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from briefreader import paths
from briefreader.core.parse import parse_file


def test_dossier_file_quotes_the_briefs(tmp_path: Path) -> None:
    data = tmp_path / "data"
    target = tmp_path / "pmf.md"
    proc = subprocess.run(
        [sys.executable, "-m", "briefreader", "--data-dir", str(data), "actor", "PMF", "--json",
         "--dossier", str(target)],
        capture_output=True, text=True, timeout=300, check=False,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    page = json.loads(proc.stdout)
    text = target.read_text("utf-8")
    assert text.startswith("# Popular Mobilization Forces: what the analysts wrote")
    lines = text.split("\n")
    quoted = []
    for i, line in enumerate(lines):
        if line.startswith("<!-- sentence "):
            start, end = map(int, line.split()[2:4])
            body = []
            for q in lines[i + 1 :]:
                if not q.startswith(">"):
                    break
                body.append(q[2:])
            quoted.append((start, end, "\n".join(body).replace("**", "")))
    assert [(c["start"], c["end"], c["text"]) for c in page["comments"]] == quoted
    root = paths.sample_corpus_dir()
    for c, (start, end, body) in zip(page["comments"], quoted, strict=True):
        brief = parse_file(root / c["id"], root)
        assert brief.text[start:end] == body
