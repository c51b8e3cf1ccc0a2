"""Forwarded messages: the brief is the forwarded message (its subject, date, sender and
text), as Gmail, Outlook and Apple Mail write a forward, in plain text and in HTML."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import formats_kit as kit
import pytest

from briefreader.core.readers import read_file
from briefreader.core.readers.common import Extracted
from briefreader.core.readers.forwarded import take_forwarded, without_prefix

ARTICLE = (
    "Hadi al-Amiri said on Monday that any attempt to disarm the Popular Mobilization Forces "
    "would be resisted, speaking to supporters in Basra. He added that the forces were part "
    "of the state."
)
COMMENT = "Amiri's warning comes as Washington presses Baghdad on the factions."
TITLE = "Badr leader warns against disarming the Hashd"

GMAIL = (
    "FYI, see below.\n\n---------- Forwarded message ---------\n"
    "From: Iraq Watch <news@iraqwatch.example>\nDate: Tue, Mar 12, 2024 at 9:30 AM\n"
    f"Subject: {TITLE}\nTo: <analyst@example.org>\n\n\n{ARTICLE}\n\nComment: {COMMENT}\n"
)
OUTLOOK = (
    "Please see below.\n\n________________________________\n"
    "From: Iraq Watch [mailto:news@iraqwatch.example]\n"
    "Sent: Tuesday, March 12, 2024 9:30 AM\nTo: Analyst\n"
    f"Subject: FW: {TITLE}\n\n{ARTICLE}\n\nComment: {COMMENT}\n"
)
APPLE = (
    "\n\nBegin forwarded message:\n\n"
    "From: Iraq Watch <news@iraqwatch.example>\n"
    f"Subject: {TITLE}\nDate: 12 March 2024 at 09:30:00 GMT\nTo: analyst@example.org\n\n"
    f"{ARTICLE}\n\nComment: {COMMENT}\n"
)
OUTLOOK_HTML = (
    "<html><body><div class=WordSection1><p class=MsoNormal>FYI<o:p></o:p></p>"
    "<div><div style='border:none;border-top:solid #E1E1E1 1.0pt'>"
    "<p class=MsoNormal><b>From:</b> Iraq Watch &lt;news@iraqwatch.example&gt;<br>"
    "<b>Sent:</b> Tuesday, March 12, 2024 9:30 AM<br><b>To:</b> Analyst<br>"
    f"<b>Subject:</b> {TITLE}<o:p></o:p></p></div></div>"
    f"<p class=MsoNormal>{ARTICLE}<o:p></o:p></p>"
    f"<p class=MsoNormal>Comment: {COMMENT}<o:p></o:p></p></div></body></html>"
)
GMAIL_HTML = (
    '<div dir="ltr">FYI, see below.<br><br><div class="gmail_quote">'
    '<div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>'
    'From: <strong class="gmail_sendername">Iraq Watch</strong> '
    "&lt;news@iraqwatch.example&gt;<br>Date: Tue, Mar 12, 2024 at 9:30 AM<br>"
    f"Subject: {TITLE}<br>To: &lt;analyst@example.org&gt;<br></div><br><br>"
    f'<div dir="ltr"><p>{ARTICLE}</p><p>Comment: {COMMENT}</p></div></div></div>'
)


def read(tmp_path: Path, text: str | None, html: str | None = None):
    path = kit.make_eml(
        tmp_path,
        "fwd.eml",
        subject=f"Fwd: {TITLE}",
        sender="A Colleague <colleague@example.org>",
        date="Wed, 13 Mar 2024 08:00:00 +0000",
        text=text,
        html=html,
    )
    (brief,) = read_file(path, file_id="fwd.eml").briefs
    return brief


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (GMAIL, None),
        (OUTLOOK, None),
        (APPLE, None),
        ("FYI\n\n(plain)\n", OUTLOOK_HTML),
        (GMAIL, GMAIL_HTML),
    ],
    ids=["gmail", "outlook", "apple", "outlook-html", "gmail-html"],
)
def test_the_forwarded_message_is_the_brief(tmp_path: Path, text: str, html: str | None) -> None:
    brief = read(tmp_path, text, html)
    assert brief.title == TITLE
    assert brief.date == dt.date(2024, 3, 12)
    assert brief.source == "Iraq Watch"
    assert " ".join(brief.article.split()) == ARTICLE
    assert brief.comment == COMMENT
    for other in ("FYI", "Please see", "From:", "Subject", "colleague", "Forwarded"):
        assert other not in brief.text, other


def test_a_long_note_above_the_forward_is_kept(tmp_path: Path) -> None:
    note = (
        "Worth reading closely: this is the first time Badr has said so in public, and it "
        "matters for the budget talks.\nIt also contradicts what the deputy said last week.\n"
        "We should watch the Sadrists' answer.\nMore tomorrow."
    )
    brief = read(tmp_path, note + "\n\n" + GMAIL.split("\n\n", 1)[1])
    assert brief.title == TITLE and brief.source == "Iraq Watch"
    assert brief.text.startswith("Worth reading closely")
    assert ARTICLE[:40] in brief.article
    assert "From:" not in brief.text


def test_a_forward_of_a_forward_is_followed_to_the_first_message(tmp_path: Path) -> None:
    outer = (
        "See the one below.\n\n---------- Forwarded message ---------\n"
        "From: Second Person <second@example.org>\nDate: Wed, Mar 13, 2024 at 7:00 AM\n"
        f"Subject: Fwd: {TITLE}\nTo: <colleague@example.org>\n\n" + GMAIL
    )
    brief = read(tmp_path, outer)
    assert brief.title == TITLE
    assert brief.date == dt.date(2024, 3, 12)
    assert brief.source == "Iraq Watch"
    assert brief.text.startswith("Hadi al-Amiri")


def test_a_message_that_is_no_forward_stays_as_it_is() -> None:
    text = (
        "Daily round-up\n\nFrom: the desk's notes on the day, read with care.\n\n"
        f"{ARTICLE}\n\nComment: {COMMENT}\n"
    )
    extracted = Extracted(text=text, title="Round-up")
    assert not take_forwarded(extracted)
    assert extracted.text == text and extracted.title == "Round-up"


def test_subject_prefixes() -> None:
    assert without_prefix("Fwd: FW: Report") == "Report"
    assert without_prefix("TR : WG: Bericht") == "Bericht"
    assert without_prefix("Forward guidance") == "Forward guidance"
    assert without_prefix("RE: Report") == "RE: Report"
