"""Text written a paragraph a line (Word's and LibreOffice's "plain text", Notepad, many mail
programs): no blank line between paragraphs, so the comment marker, headlines and date lines
are read at each line's start."""

from __future__ import annotations

import textwrap
from pathlib import Path

import formats_kit as kit
from workcount import grows_linearly  # same folder: pytest puts it on the path

from briefreader.core import parse
from briefreader.core.parse import lines_as_paragraphs, parse_text
from briefreader.core.readers import read_file

ARTICLE = [
    "Hadi al-Amiri, the head of the Badr Organization, said on Tuesday that the Popular "
    "Mobilization Forces would never be disarmed, and that any plan to do so had been written "
    "abroad by those who wanted Iraq weak.",
    "Speaking in Baghdad after a meeting with the prime minister, Amiri said the forces had "
    "defeated the Islamic State when the army could not, and that their place in the state was "
    "settled by law.",
]
COMMENT = (
    "Amiri's warning comes as pressure on Baghdad mounts to bring the militias under the "
    "state's control before the elections; it is aimed at the prime minister as much as at "
    "Washington."
)
ITEMS = [
    ("Amiri warns against disarming the Hashd", "12 March 2019 | Rudaw"),
    ("Sadr calls for a technocrat government", "13 March 2019 | Al-Mada"),
    ("Turkish jets strike PKK positions in Qandil", "14 March 2019 | Anadolu Agency"),
]


def test_a_brief_a_paragraph_a_line_has_its_comment() -> None:
    flat = "\n".join([*ARTICLE, f"Comment: {COMMENT}"]) + "\n"
    brief = parse_text(flat, brief_id="b.txt", path=Path("b.txt"))
    assert brief.comment == COMMENT
    assert brief.article.split("\n\n") == ARTICLE
    # Offsets point into the text that is shown and indexed.
    assert brief.comment_start is not None
    assert brief.text[brief.comment_start :].rstrip() == COMMENT
    assert brief.text[brief.article_start :].startswith(brief.article)


def test_a_digest_a_paragraph_a_line_becomes_its_items(tmp_path: Path) -> None:
    lines = ["Iraq round-up, March 2019"]
    for title, dateline in ITEMS:
        lines += [title, dateline, *ARTICLE, f"Comment: {COMMENT}"]
    # As LibreOffice writes "Text (encoded)": a byte order mark, a line a paragraph.
    path = tmp_path / "roundup.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\r\n")
    briefs = read_file(path, file_id="roundup.txt").briefs
    assert [b.title for b in briefs] == [t for t, _ in ITEMS]
    assert [b.source for b in briefs] == ["Rudaw", "Al-Mada", "Anadolu Agency"]
    assert [str(b.date) for b in briefs] == ["2019-03-12", "2019-03-13", "2019-03-14"]
    assert [b.comment for b in briefs] == [COMMENT] * 3
    assert all(b.article.split("\n\n") == ARTICLE for b in briefs)


def test_a_header_stays_a_header() -> None:
    flat = "Title: Amiri's warning\nDate: 2019-03-12\n\n" + "\n".join(
        [*ARTICLE, f"Comment: {COMMENT}"]
    )
    brief = parse_text(flat, brief_id="b.txt", path=Path("b.txt"))
    assert (brief.title, str(brief.date), brief.comment) == (
        "Amiri's warning",
        "2019-03-12",
        COMMENT,
    )


def test_text_wrapped_by_hand_is_left_as_it_is() -> None:
    # Wrapped at 72: a "Comment:" at a line's start inside a paragraph is the paragraph's text.
    wrapped = "\n\n".join(textwrap.fill(p, 72) for p in ARTICLE)
    assert lines_as_paragraphs(wrapped) == wrapped
    text = textwrap.fill(ARTICLE[0] + " The minister declined to", 72) + "\nComment: he said.\n"
    assert lines_as_paragraphs(text) == text
    assert parse_text(text, brief_id="b.txt", path=Path("b.txt")).comment is None


def test_paragraphs_already_apart_are_left_as_they_are() -> None:
    apart = "\n\n".join([*ARTICLE, f"Comment: {COMMENT}"]) + "\n"
    assert lines_as_paragraphs(apart) == apart
    # A list of short lines under a long paragraph is a list, not paragraphs.
    listed = ARTICLE[0] + "\n\n" + "\n".join(f"- point {n}" for n in range(8)) + "\n"
    assert lines_as_paragraphs(listed) == listed


def test_every_line_a_paragraph_is_linear() -> None:
    def make(n: int) -> object:
        text = "\n".join([ARTICLE[0], "a short line"] * n)
        return lambda: parse.lines_as_paragraphs(text)

    assert grows_linearly(make, 2_000) < 2.2


def test_a_plain_text_email_a_paragraph_a_line_has_its_comment(tmp_path: Path) -> None:
    body = "\n".join([*ARTICLE, f"Comment: {COMMENT}"]) + "\n"
    path = kit.make_eml(tmp_path, text=body)
    (brief,) = read_file(path, file_id="message.eml").briefs
    assert brief.comment == COMMENT
    assert brief.article.split("\n\n") == ARTICLE
