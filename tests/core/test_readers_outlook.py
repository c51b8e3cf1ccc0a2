"""Outlook messages (.msg): read as the email reader reads an .eml (title, date, source, text,
comment, attachments and forwarded messages as briefs of their own), from files written by the
compound-file and MAPI specifications (tests/ole_kit.py); hostile files refused with a reason."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import formats_kit as kit
import ole_kit
import pytest
from ole_kit import Msg, make_msg

from briefreader.core.brief import BriefError
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library
from briefreader.core.readers import read_file, rtf

BODY = f"{kit.ARTICLE}\n\nComment: {kit.COMMENT}\n"
ARABIC = "قال مسؤولون عراقيون إن قوات الحشد الشعبي انتشرت في كركوك بعد انسحاب البيشمركة."


def test_a_plain_outlook_message(tmp_path: Path) -> None:
    path = make_msg(tmp_path, Msg(body=BODY))
    read = read_file(path, file_id="m.msg")
    [brief] = read.briefs
    assert read.format == "email" and brief.format == "email" and brief.id == "m.msg"
    assert brief.title == "Badr leader warns against disarming the Hashd"
    assert brief.date == dt.date(2019, 3, 12)
    assert brief.source == "Iraq Watch"
    assert (brief.article, brief.comment) == (kit.ARTICLE, kit.COMMENT)
    assert read.warnings == []


def test_the_html_body_in_its_code_page_wins_over_the_plain_one(tmp_path: Path) -> None:
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
        f"</head><body><p>{ARABIC}</p><p>Comment: a warning to Erbil.</p></body></html>"
    ).encode("cp1256")
    path = make_msg(tmp_path, Msg(body="(plain text lost)", html=html, codepage=1256))
    [brief] = read_file(path, file_id="m.msg").briefs
    assert brief.article == ARABIC and brief.comment == "a warning to Erbil."


def test_string_properties_in_the_messages_code_page(tmp_path: Path) -> None:
    subject = "قوات الحشد الشعبي في كركوك"
    msg = Msg(subject=subject, sender_name="مرصد العراق", body=BODY, unicode=False, codepage=1256)
    [brief] = read_file(make_msg(tmp_path, msg), file_id="m.msg").briefs
    assert brief.title == subject and brief.source == "مرصد العراق"


def test_strings_in_the_message_code_page_and_html_in_the_internet_one(tmp_path: Path) -> None:
    """A Windows-1256 desktop sending UTF-8 mail: each text in its own code page."""
    html = f"<html><body><p>{ARABIC}</p><p>Comment: a warning.</p></body></html>".encode()
    subject = "قوات الحشد الشعبي في كركوك"
    msg = Msg(subject=subject, html=html, codepage=65001, message_codepage=1256, unicode=False)
    [brief] = read_file(make_msg(tmp_path, msg), file_id="m.msg").briefs
    assert brief.title == subject and brief.article == ARABIC


def test_a_received_messages_internet_headers_give_its_list(tmp_path: Path) -> None:
    headers = (
        "Received: from mx.example.org by mail.example.org; Tue, 12 Mar 2019 06:30:02 +0000\r\n"
        "From: Iraq Watch <news@iraqwatch.example>\r\n"
        "List-Id: Iraq Morning Brief <brief.iraqwatch.example>\r\n"
        "Date: Tue, 12 Mar 2019 09:30:00 +0300\r\n"
        "Subject: Badr leader warns\r\n\r\n"
    )
    msg = Msg(body=BODY, headers=headers, sender_name="", sender_address="", sent=None)
    [brief] = read_file(make_msg(tmp_path, msg), file_id="m.msg").briefs
    assert brief.source == "Iraq Morning Brief"
    assert brief.date == dt.date(2019, 3, 12)
    assert brief.title == "Badr leader warns against disarming the Hashd"  # its own subject


def test_attachments_and_a_forwarded_message_are_briefs_of_their_own(tmp_path: Path) -> None:
    forwarded = Msg(
        subject="Kirkuk oil exports resume",
        body="Oil began to flow again through the Kirkuk pipeline.\n\nComment: A deal held.\n",
        attachments=[("figures.txt", b"Exports\n\nThe figures for March rose by a third.\n")],
    )
    notes = b"Analyst notes\n\nThe Hashd law is back before parliament.\n\nComment: Watch Amiri.\n"
    msg = Msg(body=BODY, attachments=[("notes.txt", notes), ("logo.png", b"\x89PNG"), forwarded])
    read = read_file(make_msg(tmp_path, msg), file_id="m.msg")
    by_id = {b.id: b for b in read.briefs}
    assert set(by_id) == {
        "m.msg",
        "m.msg#notes.txt",
        "m.msg#Kirkuk oil exports resume.eml",
        "m.msg#Kirkuk oil exports resume.eml/figures.txt",
    }
    assert by_id["m.msg#notes.txt"].comment == "Watch Amiri."
    assert by_id["m.msg#notes.txt"].parent == "m.msg"
    inner = by_id["m.msg#Kirkuk oil exports resume.eml"]
    assert inner.title == "Kirkuk oil exports resume" and inner.comment == "A deal held."
    assert by_id["m.msg#Kirkuk oil exports resume.eml/figures.txt"].parent == inner.id


def test_forwards_nested_past_the_bound_are_a_warning(tmp_path: Path) -> None:
    msg = Msg(subject="level 0", body="Level 0 text.\n")
    for level in range(1, 12):
        msg = Msg(subject=f"level {level}", body=f"Level {level} text.\n", attachments=[msg])
    read = read_file(make_msg(tmp_path, msg), file_id="m.msg")
    assert len(read.briefs) == 8  # the message and seven forwards inside it
    assert any("nested over 8 deep" in w for w in read.warnings)


def test_a_message_with_only_its_rich_text_body(tmp_path: Path) -> None:
    rtf = (
        rb"{\rtf1\ansi\ansicpg1252{\fonttbl\f0\fswiss Arial;}\f0 " + kit.ARTICLE.encode()
        + rb"\par\par Comment: " + kit.COMMENT.encode("cp1252").replace(b"'", b"\\'27")
        + rb"\par}"
    )  # fmt: skip
    msg = Msg(rtf=ole_kit.compressed_rtf(rtf))
    [brief] = read_file(make_msg(tmp_path, msg), file_id="m.msg").briefs
    assert brief.article == kit.ARTICLE and brief.comment == kit.COMMENT


def test_compressed_rtf_as_the_specification_gives_it() -> None:
    """[MS-OXRTFCP]'s own example, with references into the dictionary."""
    example = bytes.fromhex(
        "2d0000002b0000004c5a4675f1c5c7a703000a0072637067313235423"
        "20af32068656c090020627705b06c647d0a800fa0"
    )
    assert rtf.decompress_rtf(example) == b"{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"From: someone\n\nnot a compound file", "not an Outlook message"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "damaged Outlook message"),
        (ole_kit.compound_file({"WordDocument": b"x" * 100}), "no message properties"),
    ],
    ids=["text", "truncated", "another-ole-file"],
)
def test_what_is_no_outlook_message_is_refused_with_a_reason(
    tmp_path: Path, data: bytes, reason: str
) -> None:
    path = tmp_path / "bad.msg"
    path.write_bytes(data)
    with pytest.raises(BriefError) as caught:
        read_file(path, file_id="bad.msg")
    assert reason in caught.value.reason


def test_a_cut_short_message_is_refused_not_crashed(tmp_path: Path) -> None:
    whole = ole_kit.compound_file(ole_kit.message_tree(Msg(body=BODY * 40)))
    for keep in (0.3, 0.6, 0.9):
        path = tmp_path / "cut.msg"
        path.write_bytes(whole[: int(len(whole) * keep)])
        with pytest.raises(BriefError, match="damaged Outlook message"):
            read_file(path, file_id="cut.msg")


def test_an_outlook_message_attached_to_an_email(tmp_path: Path) -> None:
    inner = ole_kit.compound_file(ole_kit.message_tree(Msg(subject="Inner", body=BODY)))
    path = kit.make_eml(tmp_path, attachments=[("inner.msg", inner, "application/vnd.ms-outlook")])
    read = read_file(path, file_id="m.eml")
    inner_brief = next(b for b in read.briefs if b.id == "m.eml#inner.msg")
    assert inner_brief.title == "Inner" and inner_brief.parent == "m.eml"


def test_outlook_messages_in_the_library(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_msg(corpus, Msg(body=BODY), name="Badr leader warns.msg")
    (corpus / "broken.msg").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 cut")
    lib = Library([corpus], tmp_path / "data", Glossary.load([]))
    try:
        report = lib.update(bulk=False)
        assert report.formats == {"msg": 1} and report.added == 1
        assert [Path(p.path).name for p in report.skipped] == ["broken.msg"]
        [hit] = lib.search("disarmed", limit=5).hits
        assert hit.id == "Badr leader warns.msg" and hit.title.startswith("Badr leader")
    finally:
        lib.close()
