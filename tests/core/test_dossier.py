"""The dossier export: every quoted sentence is the brief's own text at its offsets."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefreader import paths
from briefreader.core.dossier import DossierHead, dossier_html, dossier_markdown, write_dossier
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library
from briefreader.core.records import CommentSentence

_SENTENCE = re.compile(r"^<!-- sentence (\d+) (\d+) -->$")


def quotes(markdown: str) -> list[tuple[int, int, str]]:
    """(start, end, quoted text) of each sentence, read back from the Markdown as a tool
    would: the quote's lines without "> ", joined by newlines, without the bold marks, with
    their HTML entities read back."""
    out: list[tuple[int, int, str]] = []
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        m = _SENTENCE.match(line)
        if not m:
            continue
        body: list[str] = []
        for quoted in lines[i + 1 :]:
            if not quoted.startswith(">"):
                break
            body.append(quoted[2:] if quoted.startswith("> ") else "")
        quoted = html.unescape("\n".join(body).replace("**", ""))
        out.append((int(m.group(1)), int(m.group(2)), quoted))
    return out


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    data = tmp_path_factory.mktemp("dossier-data")
    library = Library([paths.sample_corpus_dir()], data, Glossary.load([paths.bundled_glossary()]))
    library.update(bulk=False)
    yield library
    library.close()


def test_every_quote_is_the_brief_text_at_its_offsets(sample: Library, tmp_path: Path) -> None:
    counts = sample.actor_counts()
    actor_id = max(counts, key=lambda a: counts[a])
    actor = sample.actor(actor_id)
    assert actor is not None
    page = sample.local.actor_page(actor.name)
    comments = sample.local.actor_comments(actor.name, 0)
    assert comments == page.comments  # the whole dossier, in the page's order
    target = tmp_path / "dossier.md"
    write_dossier(target, DossierHead.of(actor.name, actor.kind, page), comments)
    text = target.read_text("utf-8")
    found = quotes(text)
    assert len(found) == len(comments) > 0
    for (start, end, quoted), c in zip(found, comments, strict=True):
        assert (start, end) == (c.start, c.end)
        assert sample.brief(c.id).text[start:end] == quoted
    # Each brief is one heading, newest first; each mention is in bold.
    headings = [line for line in text.split("\n") if line.startswith("## ")]
    assert len(headings) == len({c.id for c in comments})
    assert text.count("**") >= 2 * len(comments)


def test_paging_the_dossier_gives_the_whole(sample: Library) -> None:
    counts = sample.actor_counts()
    actor_id = max(counts, key=lambda a: counts[a])
    whole = sample.local.actor_comments(actor_id, 0)
    first = sample.local.actor_page(actor_id, comment_briefs=2).comments
    rest = sample.local.actor_comments(actor_id, 2, None)
    assert first + rest == whole
    assert len({c.id for c in first}) == min(2, len({c.id for c in whole}))


def test_marks_and_lines() -> None:
    c = CommentSentence(
        "a.md", dt.date(2020, 1, 3), "Strike", "Iran will answer,\nbut KH first.", 10, 41,
        ((0, 4), (22, 24)),
    )  # fmt: skip
    head = DossierHead("Iran", "state", 3, 1, 1, 0)
    md = dossier_markdown(head, [c], today=dt.date(2026, 1, 1))
    assert "> **Iran** will answer,\n> but **KH** first." in md
    assert quotes(md) == [(10, 41, c.text)]
    assert "## 2020-01-03 · Strike" in md
    page = dossier_html(head, [c])
    assert "<b>Iran</b> will answer" in page and "<blockquote>" in page
