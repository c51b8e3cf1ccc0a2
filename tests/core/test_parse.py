"""Tests for briefreader.core.parse: decoding, header, title, date, comment split, file walk."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefreader.core.brief import Brief, BriefError
from briefreader.core.parse import (
    BRIEF_SUFFIXES,
    MAX_BYTES,
    brief_id_for,
    decode,
    iter_brief_files,
    parse_bytes,
    parse_file,
    parse_text,
)


def parse(text: str, name: str = "brief.md") -> Brief:
    return parse_text(text, brief_id=name, path=Path("/corpus") / name)


def assert_slices(brief: Brief) -> None:
    assert brief.text[brief.article_start : brief.article_end] == brief.article
    if brief.comment is None:
        assert brief.comment_start is None
    else:
        assert brief.comment_start is not None
        assert brief.text[brief.comment_start : brief.comment_end] == brief.comment


# --------------------------------------------------------------------------------------------
# The real sample brief


@pytest.fixture
def seed_bytes(seed_path: Path) -> bytes:
    """The real brief beside the checkout (``../shared``, found by tests/conftest.py)."""
    return seed_path.read_bytes()


def test_seed_brief(seed_bytes: bytes, seed_path: Path) -> None:
    brief = parse_bytes(seed_bytes, brief_id=seed_path.name, path=seed_path)
    assert brief.title.startswith(
        "Ali Shamkhani, the secretary of Iran\u2019s Supreme National Security Council"
    )
    assert len(brief.title) <= 91
    assert brief.title.endswith("\u2026")
    assert brief.comment is not None
    assert brief.comment.startswith("Shamkhani did not identify")
    assert "Comment:" not in brief.article
    assert brief.article.startswith("Ali Shamkhani")
    assert brief.article.endswith("determination.\u201d")
    assert "P.M.F." in brief.comment
    assert brief.date is None  # nothing in the text or the file name, and never the mtime
    assert brief.metadata == {}
    assert brief.encoding == "utf-8"
    assert brief.warnings == ()
    assert brief.sha256 == hashlib.sha256(seed_bytes).hexdigest()
    assert_slices(brief)


def test_seed_brief_from_file(seed_bytes: bytes, tmp_path: Path) -> None:
    folder = tmp_path / "2017"
    folder.mkdir()
    target = folder / "2017-11-24_shamkhani.txt"
    target.write_bytes(seed_bytes)
    brief = parse_file(target, tmp_path)
    assert brief.id == "2017/2017-11-24_shamkhani.txt"
    assert brief.date == dt.date(2017, 11, 24)
    assert brief.path == target


# --------------------------------------------------------------------------------------------
# Decoding


def test_decode_utf8_bom_stripped() -> None:
    text, encoding, warnings = decode("\ufeffcaf\u00e9".encode())
    assert text == "caf\u00e9"
    assert encoding == "utf-8-sig"
    assert warnings == []


def test_decode_cp1252_with_warning() -> None:
    text, encoding, warnings = decode(b"caf\xe9 \x93quoted\x94")
    assert text == "caf\u00e9 \u201cquoted\u201d"
    assert encoding == "cp1252"
    assert len(warnings) == 1 and "UTF-8" in warnings[0]


def test_decode_cp1252_undefined_bytes_fall_back_to_latin1() -> None:
    text, encoding, _ = decode(b"a\x81b\x9dc\x80")
    assert text == "a\x81b\x9dc\u20ac"
    assert encoding == "cp1252"


_OTHER_SCRIPTS = {
    "cp1256": "قال مسؤولون عراقيون إن قوات الحشد الشعبي انتشرت في كركوك بعد انسحاب البيشمركة.\n\n"
    "تعليق: يرى المحلل أن هذه الخطوة تعزز نفوذ طهران في المدينة.",
    "cp1251": "Российские военные заявили, что войска покинули базу в Сирии.\n\n"
    "Комментарий: аналитик считает, что Москва сохраняет влияние.",
    "koi8_r": "Российские военные заявили, что войска покинули базу в Сирии.\n\n"
    "Комментарий: аналитик считает, что Москва сохраняет влияние.",
    "cp1253": "Η κυβέρνηση ανακοίνωσε νέα μέτρα για την οικονομία.\n\n"
    "Σχόλιο: ο αναλυτής θεωρεί ότι τα μέτρα δεν αρκούν.",
    "cp1255": "ראש הממשלה אמר כי הממשלה תפעל נגד האיום בגבול הצפוני.\n\nהערה: מדובר בהסלמה.",
    # English with the Arabic names quoted: the Arabic words tell the code page.
    "cp1256 ": "Hadi al-Amiri said the Popular Mobilization Forces (الحشد الشعبي) keep their "
    "arms.\n\nComment: his words (لن نسلم السلاح) are a warning.",
}


@pytest.mark.parametrize("encoding", sorted(_OTHER_SCRIPTS))
def test_decode_a_single_byte_code_page_of_another_script(encoding: str) -> None:
    """Arabic, Cyrillic, Greek or Hebrew saved by an old Windows program is read in its own
    code page, not as Western European letters."""
    original = _OTHER_SCRIPTS[encoding]
    text, used, warnings = decode(original.encode(encoding.strip()))
    assert (text, used) == (original, encoding.strip())
    assert len(warnings) == 1 and "not valid UTF-8" in warnings[0]
    assert used.upper().replace("_", "-") in warnings[0].upper()


@pytest.mark.parametrize(
    "original",
    [
        "Le ministre des Affaires étrangères a déclaré que la sécurité s'était détériorée.",
        "O ministro disse que a situação em Bagdá é difícil e que as negociações não avançaram.",
        "Die Kämpfer der Miliz zogen sich zurück, während Gespräche fortgesetzt würden.",
        "Badr warns — “we will not”, he said. Comment: the analyst’s view is “a signal”…",
    ],
)
def test_decode_western_text_stays_windows_1252(original: str) -> None:
    text, used, _ = decode(original.encode("cp1252"))
    assert (text, used) == (original, "cp1252")


@pytest.mark.parametrize("newline", [b"\r\n", b"\r"])
def test_decode_newlines_become_lf(newline: bytes) -> None:
    text, _, _ = decode(b"one" + newline + b"two" + newline + newline + b"three")
    assert text == "one\ntwo\n\nthree"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (b"\xff\xfe" + "Caf\u00e9 \u201cx\u201d\r\nB".encode("utf-16-le"), "utf-16-le"),
        (b"\xfe\xff" + "Caf\u00e9 \u201cx\u201d\r\nB".encode("utf-16-be"), "utf-16-be"),
        ("Caf\u00e9 \u201cx\u201d\r\nB".encode("utf-16-le"), "utf-16-le"),
        ("Caf\u00e9 \u201cx\u201d\r\nB".encode("utf-16-be"), "utf-16-be"),
    ],
    ids=["le-bom", "be-bom", "le-no-bom", "be-no-bom"],
)
def test_decode_utf16(data: bytes, encoding: str) -> None:
    text, found, warnings = decode(data)
    assert text == "Caf\u00e9 \u201cx\u201d\nB"
    assert found == encoding
    assert any("UTF-16" in w for w in warnings)


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 4,
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00\x01\x02\x03" * 50,
        b"text with \x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f controls",
    ],
)
def test_binary_rejected(data: bytes) -> None:
    with pytest.raises(BriefError) as info:
        parse_bytes(data, brief_id="x.txt", path=Path("x.txt"))
    assert info.value.reason == "looks like a binary file, not text"
    assert info.value.path == Path("x.txt")


def test_rare_nul_is_replaced_not_fatal() -> None:
    text, _, warnings = decode(b"a" * 300 + b"\x00" + b"b" * 300)
    assert "\x00" not in text and "\ufffd" in text
    assert warnings


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  ", b"\xef\xbb\xbf\n"])
def test_empty_file(data: bytes) -> None:
    with pytest.raises(BriefError) as info:
        parse_bytes(data, brief_id="e.md", path=Path("e.md"))
    assert info.value.reason == "empty file"


def test_too_large_bytes() -> None:
    with pytest.raises(BriefError) as info:
        parse_bytes(b"a" * (MAX_BYTES + 1), brief_id="big.txt", path=Path("big.txt"))
    assert info.value.reason.startswith("too large (")
    assert info.value.reason.endswith(" MB; the limit is 20 MB)")


def test_too_large_file_not_read(tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    with big.open("wb") as handle:
        handle.truncate(30 * 1024 * 1024)  # sparse: the size check must come before reading
    with pytest.raises(BriefError) as info:
        parse_file(big, tmp_path)
    assert info.value.reason == "too large (30.0 MB; the limit is 20 MB)"


def test_a_file_that_grew_after_its_size_was_taken_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A brief is read by its size; one written to since is still read to its end, and
    refused past the limit."""
    import os

    from briefreader.core import parse as parse_module

    brief = tmp_path / "grows.md"
    brief.write_bytes(b"Title\n\n" + b"word " * 4000)
    real = os.fstat

    def smaller(fd: int) -> os.stat_result:
        st = real(fd)
        return os.stat_result((*st[:6], 10, *st[7:]))  # st_size seen before it grew

    monkeypatch.setattr(parse_module.os, "fstat", smaller)
    assert parse_module.read_limited(brief) == brief.read_bytes()
    with brief.open("wb") as handle:
        handle.truncate(MAX_BYTES + 5)
    with pytest.raises(BriefError) as info:
        parse_module.read_limited(brief)
    assert info.value.reason.startswith("too large (")


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(BriefError) as info:
        parse_file(tmp_path / "missing.md", tmp_path)
    assert "cannot read" in info.value.reason


def test_parse_bytes_keeps_decode_warning_and_offsets() -> None:
    data = b"Title: Caf\xe9\r\n\r\nBody \x93text\x94.\r\n\r\nComment: mine\r\n"
    brief = parse_bytes(data, brief_id="w.txt", path=Path("w.txt"))
    assert brief.title == "Caf\u00e9"
    assert brief.encoding == "cp1252"
    assert brief.warnings and "UTF-8" in brief.warnings[0]
    assert "\r" not in brief.text
    assert brief.article == "Body \u201ctext\u201d."
    assert brief.comment == "mine"
    assert brief.sha256 == hashlib.sha256(data).hexdigest()
    assert_slices(brief)


# --------------------------------------------------------------------------------------------
# Metadata header


def test_header_read_and_excluded() -> None:
    text = (
        "Title: Kurds vote\nDATE: 2017-09-25\nsource: Kurdistan24\nAuthor: Erbil desk\n"
        "Tags: krg, Kurdistan; referendum,, krg\nLink: https://example.org/a\nRegion: Iraq\n"
        "\nVoters went to the polls.\n"
    )
    brief = parse(text)
    assert brief.title == "Kurds vote"
    assert brief.date == dt.date(2017, 9, 25)
    assert brief.source == "Kurdistan24"
    assert brief.author == "Erbil desk"
    assert brief.tags == ("krg", "Kurdistan", "referendum")
    assert brief.metadata["url"] == "https://example.org/a"
    assert brief.metadata["region"] == "Iraq"
    assert brief.article == "Voters went to the polls."
    assert "Title" not in brief.article
    assert_slices(brief)


def test_first_sentence_with_colon_is_not_header() -> None:
    brief = parse("Note: Iran said it would respond. More text.\n\nSecond paragraph.")
    assert brief.metadata == {}
    assert brief.article.startswith("Note: Iran said")
    assert brief.title == "Note: Iran said it would respond."


def test_unknown_key_makes_whole_block_article() -> None:
    text = "Title: Something\nSpeaker: Ali\n\nBody text."
    brief = parse(text)
    assert brief.metadata == {}
    assert brief.article == text
    assert brief.title == "Title: Something Speaker: Ali"
    assert brief.article_start == 0


def test_header_line_without_colon_makes_block_article() -> None:
    brief = parse("Title: A\nthen some prose\n\nBody.")
    assert brief.metadata == {}
    assert brief.article.startswith("Title: A")


def test_comment_line_never_header() -> None:
    brief = parse("Comment: only a comment here.")
    assert brief.metadata == {}
    assert brief.article == ""
    assert brief.comment == "only a comment here."
    assert brief.title == "only a comment here."
    assert_slices(brief)


def test_header_only() -> None:
    brief = parse("Title: Just a title\nDate: 2020\n")
    assert brief.title == "Just a title"
    assert brief.article == ""
    assert brief.date == dt.date(2020, 1, 1)
    assert_slices(brief)


# --------------------------------------------------------------------------------------------
# Titles


def test_leading_heading_is_title_and_removed() -> None:
    brief = parse("\n# The *big* __story__\n\nBody text here.\n")
    assert brief.title == "The big story"
    assert brief.article == "Body text here."
    assert_slices(brief)


def test_metadata_title_wins_and_heading_stays() -> None:
    brief = parse("Title: Meta **title**\n\n# Heading\n\nBody.")
    assert brief.title == "Meta title"
    assert brief.article.startswith("# Heading")


def test_second_level_heading_is_not_title() -> None:
    brief = parse("## Section\n\nBody text.")
    assert brief.article.startswith("## Section")
    assert brief.title == "Section Body text." or brief.title.startswith("Section")


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (
            "The U.S. envoy met Mr. Smith in Baghdad. Then he left.",
            "The U.S. envoy met Mr. Smith in Baghdad.",
        ),
        (
            "Units of the P.M.F. Many were there. Second.",
            "Units of the P.M.F. Many were there.",
        ),
        ("Gen. Soleimani arrived! Crowds cheered.", "Gen. Soleimani arrived!"),
        ("Is it over? \u201cNo,\u201d he said.", "Is it over?"),
        ("He said \u201cenough.\u201d Then silence.", "He said \u201cenough.\u201d"),
        ("Prices rose 2.5 percent. Analysts shrugged.", "Prices rose 2.5 percent."),
        ("A short one", "A short one"),
        ("**Bold** _start_ of [a link](http://x.org) text. Next.", "Bold start of a link text."),
        ("- A list item first. Then more.", "A list item first."),
    ],
)
def test_title_first_sentence(text: str, title: str) -> None:
    assert parse(text).title == title


def test_long_title_shortened_at_word_boundary() -> None:
    sentence = "word " * 40 + "end."
    title = parse(sentence).title
    assert title.endswith("\u2026")
    assert len(title) <= 91
    assert title[:-1].split(" ")[-1] == "word"  # cut at a word boundary


def test_title_falls_back_to_file_stem_when_nothing_else() -> None:
    brief = parse_text("Comment:\n", brief_id="x/lonely.md", path=Path("x/lonely.md"))
    assert brief.title == "lonely"
    assert brief.comment == ""


# --------------------------------------------------------------------------------------------
# Dates


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2017-11-14", dt.date(2017, 11, 14)),
        ("2017-11-14T09:30:00Z", dt.date(2017, 11, 14)),
        ("2017-11", dt.date(2017, 11, 1)),
        ("2017", dt.date(2017, 1, 1)),
        ("14 November 2017", dt.date(2017, 11, 14)),
        ("14 Nov 2017", dt.date(2017, 11, 14)),
        ("November 14, 2017", dt.date(2017, 11, 14)),
        ("Nov 14 2017", dt.date(2017, 11, 14)),
        ("Nov. 14, 2017", dt.date(2017, 11, 14)),
        ("14/11/2017", dt.date(2017, 11, 14)),
        ("3/2/2017", dt.date(2017, 2, 3)),
        ("November 2017", dt.date(2017, 11, 1)),
    ],
)
def test_metadata_date_forms(value: str, expected: dt.date) -> None:
    brief = parse(f"Date: {value}\n\nBody.")
    assert brief.date == expected
    assert brief.warnings == ()


@pytest.mark.parametrize("value", ["2017-02-30", "31/04/2017", "30 February 2017", "2017-13"])
def test_impossible_date_warns(value: str) -> None:
    brief = parse(f"Date: {value}\n\nBody.")
    assert brief.date is None
    assert len(brief.warnings) == 1
    assert value in brief.warnings[0]


def test_unreadable_date_warns() -> None:
    brief = parse("Date: last Tuesday\n\nBody.")
    assert brief.date is None
    assert "last Tuesday" in brief.warnings[0]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("2017-11-14_shamkhani.md", dt.date(2017, 11, 14)),
        ("brief-20171114.txt", dt.date(2017, 11, 14)),
        ("2017_11_14 notes.markdown", dt.date(2017, 11, 14)),
        ("000_476c018fafa87246.txt", None),
        ("2017-13-40_bad.md", None),
        ("123201711145.md", None),
    ],
)
def test_file_name_date(name: str, expected: dt.date | None) -> None:
    assert parse("Body.", name=name).date == expected


def test_metadata_date_beats_file_name() -> None:
    assert parse("Date: 2018\n\nBody.", name="2017-11-14.md").date == dt.date(2018, 1, 1)


# --------------------------------------------------------------------------------------------
# Article / comment split

ARTICLE = "The article says something.\nOver two lines."


@pytest.mark.parametrize(
    "marker",
    [
        "Comment:",
        "comment:",
        "COMMENT :",
        "**Comment:**",
        "**Comment**:",
        "**Comment** \u2013",
        "*Comment* -",
        "__Analyst comment__ \u2014",
        "__Comment:__",
        "__Comment__:",
        "*Comment:*",
        "Analyst comment:",
        "**Analyst comment:**",
        "**Analyst Comment**:",
        "## Comment",
        "# Comment:",
        "### Analyst comment",
        "###### Comment ##",
        "## **Comment**",
        "**Comment**",
        # alone on its line: a bold or heading "Comment" as a PDF's text gives it
        "COMMENT",
        "Comment ",
        "Analyst's comment",
    ],
)
def test_comment_markers(marker: str) -> None:
    text = f"{ARTICLE}\n\n{marker}  The comment text.\n\nMore comment.\n\n"
    if (
        marker.startswith("#")
        or marker in ("**Comment**", "COMMENT", "Comment ")
        or (marker == "Analyst's comment")
    ):
        text = f"{ARTICLE}\n\n{marker}\n\nThe comment text.\n\nMore comment.\n\n"
    brief = parse(text)
    assert brief.article == ARTICLE
    assert brief.comment == "The comment text.\n\nMore comment."
    assert_slices(brief)


def test_comments_alone_on_a_line_is_no_marker() -> None:
    """ "Comments" heads a web page's readers' comments, not the analyst's."""
    brief = parse(f"{ARTICLE}\n\nComments\n\nNo comments yet.\n")
    assert brief.comment is None


def test_heading_marker_without_blank_line_before() -> None:
    brief = parse(f"{ARTICLE}\n## Comment\nThe comment.")
    assert brief.article == ARTICLE
    assert brief.comment == "The comment."


def test_marker_mid_paragraph_ignored() -> None:
    text = "Iran said so. Comment: not a marker.\nComment: still inside the paragraph."
    brief = parse(text)
    assert brief.comment is None
    assert brief.comment_start is None
    assert brief.article == text


def test_marker_lookalikes_ignored() -> None:
    text = "Body.\n\nCommentators said it was late.\n\n**Comments were made** later."
    brief = parse(text)
    assert brief.comment is None
    assert brief.article == text


def test_first_marker_wins() -> None:
    brief = parse("Body.\n\nComment: one.\n\nComment: two.")
    assert brief.comment == "one.\n\nComment: two."


def test_no_marker() -> None:
    brief = parse("  \n\nJust an article.  \n\n\n")
    assert brief.comment is None
    assert brief.article == "Just an article."
    assert brief.article_start == 4
    assert_slices(brief)


def test_leading_whitespace_after_marker_excluded() -> None:
    brief = parse("Body.\n\nComment:\n\n   Indented start.")
    assert brief.comment == "Indented start."
    assert_slices(brief)


# --------------------------------------------------------------------------------------------
# Files


def _touch(path: Path, text: str = "Some brief text.") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_iter_brief_files(tmp_path: Path) -> None:
    _touch(tmp_path / "b.md")
    _touch(tmp_path / "a.txt")
    _touch(tmp_path / "c.MARKDOWN")
    _touch(tmp_path / "notes.docx")
    _touch(tmp_path / ".hidden.md")
    _touch(tmp_path / ".git" / "x.md")
    _touch(tmp_path / "2017" / "z.md")
    _touch(tmp_path / "2017" / "deep" / "y.txt")
    _touch(tmp_path / "2016" / "q.md")
    found = [brief_id_for(p, tmp_path) for p in iter_brief_files(tmp_path)]
    assert found == ["2016/q.md", "2017/deep/y.txt", "2017/z.md", "a.txt", "b.md", "c.MARKDOWN"]
    assert BRIEF_SUFFIXES == (".md", ".markdown", ".txt")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks here")
def test_iter_brief_files_symlink_loop(tmp_path: Path) -> None:
    _touch(tmp_path / "a" / "one.md")
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "a" / "broken.md").symlink_to(tmp_path / "nowhere.md")
    found = list(iter_brief_files(tmp_path))
    assert [p.name for p in found] == ["one.md"]


def test_brief_id_for(tmp_path: Path) -> None:
    assert brief_id_for(tmp_path / "2017" / "x.md", tmp_path) == "2017/x.md"
    assert brief_id_for(Path("/elsewhere/y.md"), tmp_path) == "y.md"


def test_parse_file_sha_and_id(tmp_path: Path) -> None:
    path = _touch(tmp_path / "sub" / "2019-03-13_visit.md", "# Visit\n\nRouhani went to Iraq.")
    brief = parse_file(path, tmp_path)
    assert brief.id == "sub/2019-03-13_visit.md"
    assert brief.title == "Visit"
    assert brief.date == dt.date(2019, 3, 13)
    assert brief.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------------------------
# Properties

_FRAGMENTS = [
    "\n", "\n\n", "\r\n", "\r", " ", ":", "#", "# ", "*", "_", ". ", "Comment:", "Title: ",
    "Date: ", "Tags: ", "**Comment:**", "## Comment", "U.S. ", "Mr. ", "\u201c", "\ufeff",
]  # fmt: skip
_brief_text = st.lists(
    st.one_of(st.text(max_size=12), st.sampled_from(_FRAGMENTS)), max_size=40
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_brief_text)
def test_parse_text_never_raises_and_offsets_hold(text: str) -> None:
    try:
        brief = parse(text)
    except BriefError as exc:
        assert exc.reason == "empty file"
        assert not text.removeprefix("\ufeff").strip()
        return
    assert "\r" not in brief.text
    assert_slices(brief)
    assert brief.article == brief.article.rstrip()
    if brief.comment is not None:
        assert brief.comment_start is not None
        assert brief.comment_start >= brief.article_end
        assert brief.comment == brief.comment.strip()
    assert brief.title
    assert len(brief.title) <= 91 or "title" in brief.metadata


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_parse_bytes_never_raises_but_brief_error(data: bytes) -> None:
    try:
        brief = parse_bytes(data, brief_id="b.txt", path=Path("b.txt"))
    except BriefError as exc:
        assert exc.reason in {"empty file", "looks like a binary file, not text"}
        return
    assert "\r" not in brief.text
    assert_slices(brief)
