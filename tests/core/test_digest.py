"""Tests for briefreader.core.digest: which texts are digests, and each item as its own brief."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import formats_kit as kit
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefreader import paths
from briefreader.core.brief import Brief
from briefreader.core.digest import child_id, find_items, read_dateline, split_digest
from briefreader.core.parse import iter_brief_files, parse_file, parse_text


def parse(text: str, name: str = "digest.md") -> Brief:
    return parse_text(text, brief_id=name, path=Path("/corpus") / name)


def assert_exact(brief: Brief) -> None:
    assert brief.text[brief.article_start : brief.article_end] == brief.article
    if brief.comment is not None:
        assert brief.comment_start is not None
        assert brief.text[brief.comment_start : brief.comment_end] == brief.comment


def test_dated_headlines_make_items_with_their_own_date_source_and_comment() -> None:
    items = split_digest(parse(kit.ROUNDUP_DATED))
    assert [b.title for b in items] == [
        "Amiri warns against disarming the Hashd",
        "Sadr calls for a technocrat government",
        "Turkish jets strike PKK positions in Qandil",
    ]
    assert [b.id for b in items] == ["digest.md#1", "digest.md#2", "digest.md#3"]
    assert [b.item for b in items] == [1, 2, 3]
    assert {b.file_id for b in items} == {"digest.md"}
    assert [b.source for b in items] == ["Rudaw", "Al-Monitor", "Kurdistan 24"]
    assert [b.date for b in items] == [
        dt.date(2019, 3, 12),
        dt.date(2019, 3, 12),
        dt.date(2019, 3, 11),
    ]
    assert items[0].comment == "Amiri's warning comes as US pressure on Baghdad mounts."
    assert items[1].comment is None
    assert items[2].comment is not None and items[2].comment.startswith("Ankara")
    for brief in items:
        assert_exact(brief)
        assert "Daily round-up" not in brief.text  # the preamble is no item
        assert brief.text.startswith(brief.title)
    assert items[0].sha256 != items[1].sha256


def test_headings_with_comments_make_items() -> None:
    items = split_digest(parse(kit.ROUNDUP_HEADED))
    assert [b.title for b in items] == ["Iran and the PMF", "Kurdish oil exports"]
    assert items[0].comment == "Most likely France."
    assert items[1].comment == "Tensions will rise before the budget vote."
    assert items[0].text.startswith("## Iran and the PMF")


def test_numbered_headlines_make_items() -> None:
    items = split_digest(parse(kit.ROUNDUP_NUMBERED))
    assert [b.title for b in items] == ["Iran warns Iraq", "Turkey strikes PKK", "Oil output rises"]
    assert all(b.comment is None for b in items)


def test_a_numbered_headings_number_is_no_part_of_its_title() -> None:
    """A round-up saved from Word or a web page ("## 1. Headline") gives the titles its PDF
    (a numbered line, "1. Headline") gives; a heading that only opens on a figure keeps it."""
    text = kit.ROUNDUP_HEADED.replace("## Iran and the PMF", "## 1. Iran and the PMF")
    text = text.replace("## Kurdish oil exports", "## 2) Kurdish oil exports")
    items = split_digest(parse(text))
    assert [b.title for b in items] == ["Iran and the PMF", "Kurdish oil exports"]
    assert items[0].text.startswith("## 1. Iran and the PMF")  # the text stays as written
    for brief in items:
        assert_exact(brief)
    kept = kit.ROUNDUP_HEADED.replace("## Iran and the PMF", "## 1.5 million flee Mosul")
    assert split_digest(parse(kept))[0].title == "1.5 million flee Mosul"


def test_a_comment_closing_each_item_makes_items() -> None:
    items = split_digest(parse(kit.ROUNDUP_COMMENTED))
    assert [b.title for b in items] == ["Iran warns Iraq over US troops", "Turkey strikes PKK"]
    assert [b.comment for b in items] == ["This is new.", "Expected after Sunday's attack."]


def test_digest_header_gives_items_its_date_and_source() -> None:
    text = "Title: Weekly digest\nDate: 2020-01-05\nSource: Team\n\n" + kit.ROUNDUP_NUMBERED
    items = split_digest(parse(text))
    assert len(items) == 3
    assert {b.date for b in items} == {dt.date(2020, 1, 5)}
    assert {b.source for b in items} == {"Team"}


@pytest.mark.parametrize(
    "text",
    [
        # Subheadings in one brief, a comment at the end.
        "# Iran's grip on the PMF\n\n## Background\n\nThe PMF was formed in 2014.\n\n"
        "## Latest\n\nShamkhani said a plot is underway.\n\nComment: Likely France.\n",
        # A numbered list of points.
        "Key points:\n\n1. Iran backs the PMF\n2. Baghdad hesitates\n3. Washington objects\n\n"
        "Comment: All three matter.\n",
        # Two numbered sections without comments.
        "1. Background\n\nThe PMF was formed in 2014 after the fatwa.\n\n2. Outlook\n\n"
        "Expect more pressure on Baghdad.\n",
        # One headline with a date line, then a long comment in several paragraphs.
        "Amiri warns\nRudaw, 12 March 2019\n\nAmiri spoke.\n\nComment: One.\n\nTwo more.\n",
        # Short lines everywhere but one comment.
        "Iran\n\nIraq\n\nSyria\n\nLebanon\n\nComment: Four places.\n",
    ],
)
def test_a_single_brief_stays_whole(text: str) -> None:
    brief = parse(text)
    assert split_digest(brief) == [brief]


def test_the_seed_brief_and_every_sample_brief_stay_whole(seed_path: Path) -> None:
    corpus = paths.sample_corpus_dir()
    files = [(p, corpus) for p in iter_brief_files(corpus)] + [(seed_path, seed_path.parent)]
    assert len(files) >= 20
    for path, root in files:
        brief = parse_file(path, root)
        assert split_digest(brief) == [brief], path


@pytest.mark.parametrize(
    ("line", "date", "source"),
    [
        ("Rudaw, 12 March 2019", dt.date(2019, 3, 12), "Rudaw"),
        ("12.03.2019 | Al-Monitor", dt.date(2019, 3, 12), "Al-Monitor"),
        ("Source: Asharq Al-Awsat  Date: 2019-03-12", dt.date(2019, 3, 12), "Asharq Al-Awsat"),
        ("Tuesday, March 12, 2019 14:05 GMT - Reuters", dt.date(2019, 3, 12), "Reuters"),
        ("Source: Kurdistan 24", None, "Kurdistan 24"),
        ("(The National, 1 February 2021)", dt.date(2021, 2, 1), "The National"),
        ("12 March 2019", dt.date(2019, 3, 12), None),
        # digits of any script (Arabic-Indic here) make a year
        ("Rudaw, \u0661\u0662 March \u0662\u0660\u0661\u0669", dt.date(2019, 3, 12), "Rudaw"),
        ("via: Reuters", None, "Reuters"),
        # a place, the date, then a dash and the outlet: the outlet alone
        ("Baghdad, 13 March 2024 – Shafaq News", dt.date(2024, 3, 13), "Shafaq News"),
        ("Baghdad, 13 March 2024, 14:05 | Shafaq News", dt.date(2024, 3, 13), "Shafaq News"),
        ("Baghdad, 13 March 2024 – 16:00", dt.date(2024, 3, 13), "Baghdad"),
        # no comma after the first part: both sides, without the separators between them
        ("Rudaw - 12 March 2019 - Baghdad", dt.date(2019, 3, 12), "Rudaw, Baghdad"),
    ],
)
def test_date_source_lines(line: str, date: dt.date | None, source: str | None) -> None:
    found = read_dateline(line)
    assert found is not None
    assert (found.date, found.source) == (date, source)


@pytest.mark.parametrize(
    "line",
    [
        "Hadi al-Amiri said on 12 March 2019 that the Hashd would never be disarmed by anyone.",
        "Iran warns Iraq",
        "",
        "Source: " + "x " * 40,
        "Rudaw, 12 March",
        "Rudaw, 12.03.19",
    ],
)
def test_not_date_source_lines(line: str) -> None:
    assert read_dateline(line) is None


def test_ids_of_parts() -> None:
    assert child_id("a/b.md", 3) == "a/b.md#3"
    assert child_id("box.mbox#12", 3) == "box.mbox#12/3"
    assert child_id("box.mbox#12", "report.pdf") == "box.mbox#12/report.pdf"


def test_items_keep_their_pages() -> None:
    brief = parse(kit.ROUNDUP_DATED)
    second = brief.text.index("Sadr calls for a technocrat government\n12")
    third = brief.text.index("Turkish jets strike PKK positions in Qandil\nSource")
    inside_second = second + 40
    paged = dataclasses.replace(brief, page=1, page_breaks=(inside_second, third))
    items = split_digest(paged)
    assert [b.page for b in items] == [1, 1, 3]
    assert items[1].page_breaks == (inside_second - second,)
    assert items[1].page_at(0) == 1
    assert items[1].page_at(40) == 2
    assert items[2].page_breaks == ()


_LINES = st.sampled_from(
    [
        "",
        "",
        "# Heading",
        "## Iran and Iraq",
        "### Comment",
        "1. Iran warns Iraq",
        "2. Turkey strikes",
        "3) Oil rises",
        "Rudaw, 12 March 2019",
        "12.03.2019 | Al-Monitor",
        "Source: X",
        "Comment: short.",
        "**Comment:** bold.",
        "Analyst comment:",
        "COMMENT - yes",
        "Comment",
        "A short headline",
        "Hadi al-Amiri said on Tuesday that the PMF would not be disarmed.",
        "- a bullet",
        "Title: not a header here",
        "   ",
        "\t#\t",
        "2019-02-30 | Bad date",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_LINES, st.text(max_size=40)), max_size=40))
def test_any_text_splits_without_error_into_exact_disjoint_items(lines: list[str]) -> None:
    text = "\n".join(lines)
    items = find_items(text)
    previous_end = 0
    for item in items:
        assert previous_end <= item.start <= item.body_start <= item.end <= len(text)
        previous_end = item.end
    if not text.strip():
        return
    brief = parse(text)
    for part in split_digest(brief):
        assert_exact(part)
        if part.item is not None:
            assert part.text in brief.text


def test_a_long_digest_of_headed_items() -> None:
    # Sections were once found by a scan per heading: 2,000 headings took seconds.
    text = "".join(f"## Item {n}\n\nText of item {n}.\n\nComment: on {n}.\n\n" for n in range(2000))
    items = find_items(text)
    assert len(items) == 2000
    assert text[items[-1].start : items[-1].end].startswith("## Item 1999")


#: A round-up's items: headline, date line, text, comment.
_ROUNDUP = [
    ("Amiri warns against disarming", "Rudaw, 12 March 2019", "Hadi al-Amiri spoke.", "Old."),
    ("Sadr calls for technocrats", "Al-Monitor, 12 March 2019", "Sadr spoke.", "New."),
    ("Jets strike PKK positions", "Kurdistan 24, 11 March 2019", "Jets struck.", "Again."),
]


def test_the_digests_own_title_and_date_over_its_items_is_no_item() -> None:
    """ "# Round-up" and its date over "## " items, each with a date line: the title is the
    digest's, not an item with no text."""
    items = "".join(
        f"## {title}\n\n{line}\n\n{text}\n\nComment: {comment}\n\n"
        for title, line, text, comment in _ROUNDUP
    )
    text = f"# Iraq Daily Round-up\n\n14 March 2019\n\n{items}"
    briefs = split_digest(parse(text))
    assert [b.title for b in briefs] == [title for title, *_ in _ROUNDUP]
    assert [b.item for b in briefs] == [1, 2, 3]
    assert [b.comment for b in briefs] == ["Old.", "New.", "Again."]
    for brief in briefs:
        assert_exact(brief)
        assert "Round-up" not in brief.text


def test_a_plain_title_and_date_over_plain_headlines_is_no_item() -> None:
    """As a PDF's text gives a round-up (no heading marks): the title line and its date,
    with no text under them before the first headline, are the digest's own."""
    items = "".join(
        f"{title}\n\n{line}\n\n{text}\n\nComment: {comment}\n\n"
        for title, line, text, comment in _ROUNDUP
    )
    briefs = split_digest(parse(f"Iraq Daily Round-up\n\n14 March 2019\n\n{items}"))
    assert [b.title for b in briefs] == [title for title, *_ in _ROUNDUP]
    assert [b.source for b in briefs] == ["Rudaw", "Al-Monitor", "Kurdistan 24"]


def test_rule_lines_between_items_belong_to_none() -> None:
    """A plain-text newsletter draws a line under each item ("-----", "=====", "* * *"); a
    document's foot leaves its page number after the last."""
    rules = ["-" * 40, "=" * 12, "* * *"]
    text = (
        "IRAQ DAILY BRIEF\n"
        + "=" * 16
        + "\n\n"
        + "".join(
            f"{n}) {title.upper()}\n{line}\n\n{body}\n\nCOMMENT: {comment}\n\n{rules[n - 1]}\n\n"
            for n, (title, line, body, comment) in enumerate(_ROUNDUP, start=1)
        )
    )
    briefs = split_digest(parse(text + "Page 3 of 3\n"))  # and a document's foot
    assert [b.title for b in briefs] == [title.upper() for title, *_ in _ROUNDUP]
    assert [b.comment for b in briefs] == [comment for *_, comment in _ROUNDUP]
    for brief in briefs:
        assert_exact(brief)
        assert brief.text.rstrip().endswith(brief.comment or "")
