"""News-archive exports (Nexis Uni, LexisNexis, Factiva): one brief per article, its title,
date and publication from the archive's header, its text without the archive's fields."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import formats_kit as kit
import pytest
from workcount import cpu_growth  # same folder: pytest puts it on the path

from briefreader.core.digest import split_digest
from briefreader.core.newsexport import export_items, is_marker
from briefreader.core.parse import parse_text
from briefreader.core.readers import read_file

STORIES = [
    (
        "Militia leaders meet in Baghdad over the budget",
        "Shafaq News",
        dt.date(2024, 3, 13),
        "Leaders of the Popular Mobilization Forces met on Tuesday in Baghdad to discuss the "
        "federal budget, according to officials who attended the meeting.",
    ),
    (
        "Kurdish parties agree on an election date",
        "Rudaw English",
        dt.date(2024, 3, 14),
        "The two main Kurdish parties agreed on Wednesday to hold regional elections in June, "
        "ending months of deadlock over the regional parliament's mandate.",
    ),
    (
        "Oil exports to resume through the Ceyhan pipeline",
        "Reuters",
        dt.date(2024, 3, 15),
        "Iraq expects oil exports through the Ceyhan pipeline to resume within weeks, the "
        "oil ministry said on Friday, after a halt of a year.",
    ),
]

COVER = [
    "User Name: Jane Analyst",
    "Date and Time: Wednesday, March 20, 2024 10:12:00 AM EST",
    "Job Number: 219876543",
    "Documents (3)",
    *[f"{n}. {s[0]}\nClient/Matter: -None-\nSearch Terms: Iraq" for n, s in enumerate(STORIES, 1)],
    "Search Type: Terms and Connectors",
]


def nexis_uni_blocks(comment_on: int | None = None) -> list[list[str]]:
    """Each article's paragraphs as Nexis Uni lays them out, the cover first."""
    out = [list(COVER)]
    for n, (title, source, day, text) in enumerate(STORIES):
        article = [
            title,
            source,
            f"{day:%B} {day.day}, {day.year} {day:%A}",
            "Copyright 2024 Example Media Ltd. All Rights Reserved",
            "Section: NEWS; Length: 412 words",
            "Byline: Staff Writer",
            "Body",
            text,
            "The talks are to go on next week, the officials said.",
        ]
        if n == comment_on:
            article.append("Comment: The analyst's reading of it.")
        article += [
            "Classification",
            "Language: ENGLISH",
            "Subject: POLITICS (90%); ELECTIONS (72%)",
            f"Load-Date: {day:%B} {day.day + 1}, {day.year}",
            "End of Document",
        ]
        out.append(article)
    return out


def texts(blocks: list[list[str]]) -> str:
    return "\n\n".join("\n\n".join(b) for b in blocks) + "\n"


def check(briefs: list, comment_on: int | None = None) -> None:
    assert [b.title for b in briefs] == [s[0] for s in STORIES]
    assert [b.source for b in briefs] == [s[1] for s in STORIES]
    assert [b.date for b in briefs] == [s[2] for s in STORIES]
    for n, (brief, story) in enumerate(zip(briefs, STORIES, strict=True)):
        article = " ".join(brief.article.split())
        assert article.startswith(story[3]), article
        for field in ("Copyright", "Length:", "Byline", "Load-Date", "End of Document"):
            assert field not in brief.article
            assert field not in (brief.comment or "")
        assert "User Name" not in brief.text
        if n == comment_on:
            assert brief.comment == "The analyst's reading of it."
        else:
            assert not brief.comment
        # The offsets are exact: the article is where the brief says it is.
        assert brief.text[brief.article_start :].startswith(brief.article[:40])


def parse(text: str, name: str = "export.txt"):
    return split_digest(parse_text(text, brief_id=name, path=Path(name)))


def test_nexis_uni_text_is_one_brief_per_article_without_the_cover() -> None:
    briefs = parse(texts(nexis_uni_blocks(comment_on=1)))
    check(briefs, comment_on=1)
    assert [b.id for b in briefs] == ["export.txt#1", "export.txt#2", "export.txt#3"]


def test_nexis_uni_word_file(tmp_path: Path) -> None:
    blocks = [("p", line) for block in nexis_uni_blocks() for line in block]
    # The titles and "Body" are bold in a Nexis Uni download.
    bold = {s[0] for s in STORIES} | {"Body"}
    blocks = [("bold" if text in bold else kind, text) for kind, text in blocks]
    path = kit.make_docx(tmp_path, "nexis.docx", title=None, blocks=blocks)
    check(read_file(path, file_id="nexis.docx").briefs)


def test_nexis_uni_pdf_with_end_of_document_on_every_page(qapp: object, tmp_path: Path) -> None:
    """Each article on pages of its own: "End of Document" closes every page, yet it is not
    taken for a running foot."""
    pages = ["\n".join(block) for block in nexis_uni_blocks()]
    path = kit.make_pdf(tmp_path, "nexis.pdf", pages=pages)
    briefs = read_file(path, file_id="nexis.pdf").briefs
    check(briefs)
    assert [b.page for b in briefs] == [2, 3, 4]


def test_lexisnexis_text_opens_each_article_with_its_number() -> None:
    parts = ["Search request: Iraq\n"]
    for n, (title, source, day, text) in enumerate(STORIES, 1):
        parts.append(
            f"                 {n} of 3 DOCUMENTS\n\n           {source}\n\n"
            f"        {day:%B} {day.day}, {day.year} {day:%A}\n           Final Edition\n\n"
            f"{title}\n\nBYLINE: Staff Writer\n\nSECTION: A; Pg. 12\n\nLENGTH: 523 words\n\n"
            f"{text}\n\nThe talks are to go on next week.\n\n"
            f"LOAD-DATE: {day:%B} {day.day + 1}, {day.year}\n\nLANGUAGE: ENGLISH\n\n"
            f"             Copyright 2024 {source}\n\n"
        )
    check(parse("\n".join(parts)))


def test_factiva_text_closes_each_article_with_its_document_code() -> None:
    parts = []
    for title, source, day, text in STORIES:
        parts.append(
            f"{title}\nBy Staff Writer\n412 words\n{day.day} {day:%B} {day.year}\n10:42\n"
            f"{source}\nCODE\nEnglish\n(c) 2024 {source}. All Rights Reserved.\n\n"
            f"{text}\n\nThe talks are to go on next week.\n\n"
            f"Document CODE000020240313ek3d00{day.day:03d}\n\n"
        )
    parts.append("Search Summary\nText\tIraq\n")
    check(parse("".join(parts)))


@pytest.mark.parametrize(
    "text",
    [
        # A brief that mentions the end of a document, once.
        "Title: A brief\n\nThe talks ended.\n\nEnd of Document\n\nComment: none.\n",
        # Markers without the archive's fields: a digest's own layout decides.
        "One\n\nEnd of Document\n\nTwo\n\nEnd of Document\n\nThree\n",
        # Fields, but no markers.
        "Headline\n\nLength: 400 words\n\nBody\n\nText of it.\n\nLoad-Date: May 1, 2024\n",
    ],
)
def test_other_texts_are_not_exports(text: str) -> None:
    assert export_items(text) == []


def test_markers() -> None:
    assert is_marker("End of Document")
    assert is_marker("  **END OF DOCUMENT** ")
    assert is_marker("12 of 100 DOCUMENTS")
    assert is_marker("Document LBA0000020240313ek3d00abc")
    assert not is_marker("The end of the document")
    assert not is_marker("Document 12")


def test_linear_in_hostile_exports() -> None:
    """Thousands of markers, with and without fields between them: the time per line stays
    flat (CPU time, the larger input against the smaller, in the same process)."""

    body = "Title\nSource\nMarch 1, 2024\nLength: 4 words\nBody\nText.\nEnd of Document\n"
    texts = {
        n: body * n + "End of Document\n" * n + ("x " * 50 + "\n") * n for n in (2_000, 16_000)
    }
    growth = cpu_growth(lambda n: export_items(texts[n]), 2_000, 16_000)
    assert growth < 8 * 1.8, growth
