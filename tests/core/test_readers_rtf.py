"""The RTF reader: what a reader of the document sees, its metadata, digests, hostile files.

The files are written here as Word and LibreOffice write them (RTF is text): font and colour
tables, \\info, \\uN with fallback characters, code-page bytes, fields, pictures, headers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from workcount import cpu_growth  # same folder: pytest puts it on the path

from briefreader.core.brief import BriefError
from briefreader.core.readers import NOT_READ, SUFFIXES, format_of, read_file
from briefreader.core.readers.rtf import extract_rtf

HEAD = (
    r"{\rtf1\ansi\ansicpg1252\deff0\deflang1033"
    r"{\fonttbl{\f0\froman\fcharset0 Times New Roman;}{\f1\fswiss\fcharset0 Arial;}}"
    r"{\colortbl;\red0\green0\blue0;}"
    r"{\stylesheet{\s0 Normal;}{\s1\b heading 1;}}"
    r"{\*\generator Microsoft Word 16.0;}"
    r"{\info{\title Badr leader warns the Hashd}{\author Desk}"
    r"{\creatim\yr2019\mo3\dy12\hr9\min30}{\revtim\yr2020\mo1\dy1}}"
    "\n"
)

BRIEF = (
    HEAD
    + r"{\header\pard\plain Internal use only\par}"
    + r"{\footer\pard\plain Page {\field{\*\fldinst PAGE}{\fldrslt 1}}\par}"
    + r"\pard\plain\s1\b Badr leader warns against disarming the Hashd\par"
    + "\n"
    + r"\pard\plain Hadi al-\'c1mir\u237?'s speech in Basra drew a crowd; the "
    + r"\u8220\'93PMF\u8221\'94 must stay armed, he said.\par"
    + r"{\*\shppict{\pict\pngblip\bin4 {}{}}}"
    + r"\pard See {\field{\*\fldinst HYPERLINK \"http://example.org\"}{\fldrslt the report}}"
    + r"{\footnote\pard A footnote.\par}.\line Second line.\par"
    + "\n"
    + r"\trowd\cellx2000\cellx4000\pard\intbl Badr\cell 22 seats\cell\row"
    + "\n"
    + r"{\*\unknowndest hidden words}"
    + r"\pard Comment: Badr's position hardens before the vote.\par}"
)


def write(tmp_path: Path, text: str, name: str = "brief.rtf") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("latin-1"))
    return path


def test_rtf_is_read_not_listed_as_unread() -> None:
    assert ".rtf" in SUFFIXES and ".rtf" not in NOT_READ
    assert format_of(Path("x.RTF")) == "rtf"


def test_a_brief_as_word_saves_it(tmp_path: Path) -> None:
    result = read_file(write(tmp_path, BRIEF), file_id="brief.rtf")
    (brief,) = result.briefs
    assert brief.format == "rtf"
    assert brief.title == "Badr leader warns against disarming the Hashd"
    assert brief.date == dt.date(2019, 3, 12)
    assert brief.article.startswith(
        "Hadi al-\u00c1mir\u00ed's speech in Basra drew a crowd; the \u201cPMF\u201d must stay"
    )
    assert "See the report." in brief.article
    assert "Second line." in brief.article
    assert "Badr\t22 seats" in brief.article
    assert brief.comment == "Badr's position hardens before the vote."
    for hidden in (
        "Internal use",
        "Page",
        "HYPERLINK",
        "footnote",
        "hidden words",
        "Times New Roman",
        "Normal",
        "Microsoft",
        "{}",
        "Desk",
    ):
        assert hidden not in brief.text, hidden


def test_metadata_title_when_the_text_has_no_heading(tmp_path: Path) -> None:
    text = HEAD + r"\pard Militias gathered in Mosul on Monday, officials said.\par}"
    extracted = extract_rtf(write(tmp_path, text), tmp_path / "x.rtf")
    assert extracted.title == "Badr leader warns the Hashd"
    assert extracted.author == "Desk"
    assert extracted.date == dt.date(2019, 3, 12)


def test_code_page_bytes_and_characters_beyond_the_basic_plane(tmp_path: Path) -> None:
    # "Japan" in Shift-JIS bytes; U+1F600 as a surrogate pair
    text = r"{\rtf1\ansi\ansicpg932 \pard \'93\'fa\'96\'7b and \u-10179?\u-8704? end\par}"
    extracted = extract_rtf(write(tmp_path, text), tmp_path / "x.rtf")
    assert extracted.text == "\u65e5\u672c and \U0001f600 end\n"


def test_a_digest_in_rtf_becomes_items(tmp_path: Path) -> None:
    items = []
    for n, (title, day) in enumerate(
        [("Sadr calls for protests", 12), ("Kurdish parties agree", 13), ("Oil exports resume", 14)]
    ):
        items.append(
            rf"\pard\b {title}\b0\par\pard Rudaw, {day} March 2019\par"
            rf"\pard Item {n} text about the day's events in Iraq and what was said.\par"
            rf"\pard Comment: View {n}.\par"
        )
    text = r"{\rtf1\ansi \pard\b Daily round-up\b0\par " + "".join(items) + "}"
    briefs = read_file(write(tmp_path, text, "roundup.rtf"), file_id="roundup.rtf").briefs
    assert [b.title for b in briefs] == [
        "Sadr calls for protests",
        "Kurdish parties agree",
        "Oil exports resume",
    ]
    assert [b.date for b in briefs] == [dt.date(2019, 3, d) for d in (12, 13, 14)]
    assert [b.comment for b in briefs] == ["View 0.", "View 1.", "View 2."]
    assert [b.id for b in briefs] == ["roundup.rtf#1", "roundup.rtf#2", "roundup.rtf#3"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"Just text, no RTF.", "not an RTF file"),
        (rb"{\rtf1\ansi{\fonttbl{\f0 Arial;}}{\*\generator x;}}", "no text"),
    ],
)
def test_files_that_are_not_read_say_why(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "bad.rtf"
    path.write_bytes(data)
    with pytest.raises(BriefError, match=reason):
        read_file(path, file_id="bad.rtf")


def test_a_truncated_file_gives_what_it_holds(tmp_path: Path) -> None:
    text = BRIEF[: BRIEF.index("Second line")]
    (brief,) = read_file(write(tmp_path, text), file_id="brief.rtf").briefs
    assert "speech in Basra" in brief.article


def test_hostile_nesting_and_size_stay_linear(tmp_path: Path) -> None:
    """A million nested groups read without recursion; the time per byte stays flat (CPU,
    four times the file against once, in the same process)."""
    deep = r"{\rtf1 " + "{" * 1_000_000 + "deep words" + "}" * 1_000_000 + "}"
    extracted = extract_rtf(deep.encode(), tmp_path / "deep.rtf")
    assert extracted.text == "deep words\n"

    files = {
        n: (
            r"{\rtf1\ansi "
            + r"\pard\plain\f0\fs24 Words of a paragraph, \u8217? and \'e9.\par" * n
            + "}"
        ).encode()
        for n in (10_000, 40_000)
    }
    growth = cpu_growth(lambda n: extract_rtf(files[n], tmp_path / "x.rtf"), 10_000, 40_000)
    assert growth < 4 * 1.8, growth


@pytest.mark.parametrize(
    "data",
    [
        rb"{\rtf1 a\u-999999? b\u99999999? c}",  # out of range either way
        rb"{\rtf1 a\uc999999999\u233 b}",  # skips past the group's end: stops there
        rb"{\rtf1 a\bin9999999999 b}",  # data longer than the file
        rb"{\rtf1\ansicpg99999 a\'e9}",  # a code page nobody has
        rb"{\rtf1 a}}}}}}{{{{ b",  # unbalanced
        rb"{\rtf1 a\'zz\'",  # broken escapes at the end
    ],
)
def test_hostile_control_words_never_stop_the_reader(tmp_path: Path, data: bytes) -> None:
    extracted = extract_rtf(data, tmp_path / "x.rtf")
    assert extracted.text.startswith("a")
