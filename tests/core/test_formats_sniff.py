"""Files told by their content: the mail programs' mailboxes and messages without a suffix
(Thunderbird's ``Inbox``, Apple Mail's exported ``Name.mbox/mbox``, Maildir and MH messages)
are read, their bookkeeping files are named in the report, and a text that only looks a little
like a message is not taken for one."""

from __future__ import annotations

import email.utils
from pathlib import Path

import formats_kit as kit
import pytest

from briefreader.core import formats
from briefreader.core.briefdocs import is_readable, not_read_reason
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library
from briefreader.core.readers import read_file


def thunderbird_mbox(subjects: list[str]) -> bytes:
    """A mailbox as Thunderbird keeps it: no suffix, "From - date" lines, its own status
    headers, CRLF line ends (Windows)."""
    out = []
    for n, subject in enumerate(subjects):
        msg = kit.message(subject=subject, text=f"{kit.ARTICLE} Item {n}.\n\nComment: Seen {n}.\n")
        body = msg.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        out.append(
            b"From - Tue Mar 12 09:30:00 2019\r\nX-Mozilla-Status: 0001\r\n"
            b"X-Mozilla-Status2: 00000000\r\n" + body + b"\r\n"
        )
    return b"".join(out)


def maildir_message(subject: str) -> bytes:
    """One message as a mail server delivers it into Maildir: trace fields first, folded."""
    msg = kit.message(subject=subject)
    trace = (
        b"Return-Path: <news@iraqwatch.example>\n"
        b"Delivered-To: analyst@example.org\n"
        b"Received: from mail.iraqwatch.example (mail.iraqwatch.example [192.0.2.7])\n"
        b"\tby mx.example.org with ESMTPS id 4Xyz; Tue, 12 Mar 2019 09:30:02 +0300\n"
    )
    return trace + msg.as_bytes().replace(b"\r\n", b"\n")


# --------------------------------------------------------------------------------------------
# The sniffing itself


def test_a_mailbox_a_message_and_a_pdf_are_told_by_their_first_bytes() -> None:
    assert formats.sniff_bytes(thunderbird_mbox(["One"])) == ".mbox"
    std = kit.message().as_bytes()
    assert formats.sniff_bytes(b"From MAILER-DAEMON Tue Mar 12 09:30:00 2019\n" + std) == ".mbox"
    assert formats.sniff_bytes(maildir_message("Two")) == ".eml"
    assert formats.sniff_bytes(std) == ".eml"
    assert formats.sniff_bytes(b"\r\n\x00junk%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj") == ".pdf"


@pytest.mark.parametrize(
    "head",
    [
        b"<!DOCTYPE html>\n<html lang=en><head><title>x</title>",
        b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- saved by wget -->\n<HTML>\n<body>",
        b"  <html><body>a mirror's index</body></html>",
    ],
)
def test_a_web_page_a_mirror_saved_without_a_suffix_is_told(head: bytes) -> None:
    assert formats.sniff_bytes(head) == ".html"


def test_a_page_saved_by_a_site_mirror_reads(tmp_path: Path) -> None:
    path = tmp_path / "article.php?id=12"
    path.write_text(kit.news_page(title="Badr warns"), "utf-8")
    [brief] = read_file(path, file_id=path.name).briefs
    assert brief.format == "html" and brief.article == kit.ARTICLE


@pytest.mark.parametrize(
    "head",
    [
        b"<htmlish> is no tag a page opens with\n",
        b"Notes on <html> tags for the web team\n",
        b"From the start of the war, Basra's port has been the prize.\nComment: not mail.\n",
        b"From: the analyst desk\n\nA note that opens like a header but has only one field.\n",
        b"Title: Badr leader warns\nDate: 2019-03-12\n\nArticle text.\n",  # no origin field
        b"Subject: x\nDate: y\nthis line is no field, so this is no header\n",
        b"\tFrom: folded first line\nDate: y\n",
        b"# A Markdown brief\n\nFrom: Reuters\nDate: today\n",
        b"",
        bytes(range(256)),
    ],
)
def test_texts_that_only_look_a_little_like_mail_are_not_taken_for_it(head: bytes) -> None:
    assert formats.sniff_bytes(head) is None


def test_a_header_cut_by_the_window_is_judged_on_its_whole_lines() -> None:
    long_value = b"x" * formats.SNIFF_BYTES
    head = (b"From: a@example.org\nDate: Tue, 12 Mar 2019\nReceived: " + long_value)[
        : formats.SNIFF_BYTES
    ]
    assert formats.sniff_bytes(head) == ".eml"


def test_known_suffixes_are_not_sniffed_and_bookkeeping_files_are_named(tmp_path: Path) -> None:
    picture = tmp_path / "looks-like-mail.jpg"
    picture.write_bytes(kit.message().as_bytes())
    assert formats.reading_suffix(picture) is None  # a known type: its reason stands
    assert not is_readable(picture)
    inbox = tmp_path / "Inbox"
    inbox.write_bytes(thunderbird_mbox(["One"]))
    assert formats.reading_suffix(inbox) == ".mbox" and formats.format_of(inbox) == "email"
    assert is_readable(inbox)
    assert "Thunderbird" in not_read_reason(tmp_path / "Inbox.msf")
    assert "Apple Mail" in not_read_reason(tmp_path / "Export.mbox" / "table_of_contents")
    assert "without a type" in not_read_reason(tmp_path / "notes")
    assert formats.sniff(tmp_path / "missing") is None


# --------------------------------------------------------------------------------------------
# In the library


@pytest.fixture
def mail_folder(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    tb = root / "Mail" / "Local Folders"
    tb.mkdir(parents=True)
    (tb / "Inbox").write_bytes(thunderbird_mbox(["Sadr bloc quits talks", "Kirkuk oil resumes"]))
    (tb / "Inbox.msf").write_bytes(b'// <!-- <mdb:mork:z v="1.4"/> -->\n< <(a=c)> >')
    apple = root / "Iraq Watch.mbox"
    apple.mkdir()
    kit.make_mbox(apple, [kit.message(subject="Basra protests grow")], name="mbox")
    (apple / "table_of_contents").write_bytes(b"\x00\x01bplist00\x00" * 8)
    maildir = root / "Maildir" / "new"
    maildir.mkdir(parents=True)
    (maildir / "1552372202.M388P4021.mx,S=2048").write_bytes(maildir_message("PMF budget vote"))
    (root / "notes").write_text("A note to self, no brief.\n", "utf-8")
    return root


def test_mail_programs_folders_are_read_and_their_bookkeeping_named(
    mail_folder: Path, tmp_path: Path
) -> None:
    lib = Library([mail_folder], tmp_path / "data", Glossary.load([]))
    try:
        report = lib.update(bulk=False)
        assert report.formats == {"eml": 1, "mbox": 2}
        assert report.indexed == 4 and report.added == 4
        reasons = {Path(p.path).name: p.reason for p in report.skipped}
        assert set(reasons) == {"Inbox.msf", "table_of_contents", "notes"}
        assert "Thunderbird" in reasons["Inbox.msf"]
        assert "Apple Mail" in reasons["table_of_contents"]
        hits = lib.search("Kirkuk", limit=5).hits
        assert [h.id for h in hits] == ["Mail/Local Folders/Inbox#2"]
        assert hits[0].title == "Kirkuk oil resumes"
        brief = lib.brief("Mail/Local Folders/Inbox#2")
        assert brief.format == "email" and brief.comment == "Seen 1."
        assert [h.id for h in lib.search("Basra protests", limit=5).hits] == [
            "Iraq Watch.mbox/mbox#1"
        ]
        maildir = lib.search("PMF budget", limit=5).hits
        assert [h.id for h in maildir] == ["Maildir/new/1552372202.M388P4021.mx,S=2048"]
        assert maildir[0].date is not None and maildir[0].date.isoformat() == "2019-03-12"
        # Opened by its path, as the window's File > Open and a dropped file do.
        opened = lib.brief(str(mail_folder / "Mail" / "Local Folders" / "Inbox"))
        assert opened.title == "Sadr bloc quits talks"
        again = lib.update(bulk=False)
        assert (again.added, again.updated, again.unchanged, again.reread) == (0, 0, 4, 0)
    finally:
        lib.close()


def test_an_update_tells_each_file_by_its_content_once(
    mail_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Maildir of 50,000 messages is 50,000 files opened to be told: once an update, not
    once in the walk and again in the plan."""
    lib = Library([mail_folder], tmp_path / "data", Glossary.load([]))
    try:
        lib.update(bulk=False)
        told: list[str] = []
        real = formats.sniff

        def counting(path: Path) -> str | None:
            told.append(path.name)
            return real(path)

        monkeypatch.setattr(formats, "sniff", counting)
        assert lib.update(bulk=False).unchanged == 4
        # The three mail files without a suffix, and the note that is none.
        assert sorted(told) == sorted(["Inbox", "mbox", "1552372202.M388P4021.mx,S=2048", "notes"])
    finally:
        lib.close()


def test_a_mailbox_without_a_suffix_is_read_like_one_with_it(tmp_path: Path) -> None:
    data = thunderbird_mbox(["One", "Two", "Three"])
    (tmp_path / "Sent").write_bytes(data)
    (tmp_path / "Sent.mbox").write_bytes(data)
    bare = read_file(tmp_path / "Sent", file_id="Sent")
    named = read_file(tmp_path / "Sent.mbox", file_id="Sent")
    assert bare.format == named.format == "email"
    assert [(b.id, b.title, b.text) for b in bare.briefs] == [
        (b.id, b.title, b.text) for b in named.briefs
    ]
    assert [b.title for b in bare.briefs] == ["One", "Two", "Three"]


def test_a_file_of_no_known_content_keeps_its_reason(tmp_path: Path) -> None:
    path = tmp_path / "LICENSE"
    path.write_text("Permission is hereby granted, free of charge...\n", "utf-8")
    with pytest.raises(Exception, match="files are not read"):
        read_file(path, file_id="LICENSE")


def test_a_message_date_in_the_maildir_trace_is_not_the_message_date(tmp_path: Path) -> None:
    path = tmp_path / "1552372202.M1P2.host"
    path.write_bytes(maildir_message("PMF budget vote"))
    (brief,) = read_file(path, file_id=path.name).briefs
    sent = email.utils.parsedate_to_datetime("Tue, 12 Mar 2019 09:30:00 +0300")
    assert brief.title == "PMF budget vote" and brief.date == sent.date()


def test_an_attachment_whose_name_says_nothing_is_told_by_its_content(tmp_path: Path) -> None:
    """Mailers name attachments "ATT00001" or "Report": a message inside one still reads."""
    inner = kit.message(subject="Kirkuk oil resumes").as_bytes()
    path = kit.make_eml(
        tmp_path,
        attachments=[
            ("ATT00001", inner, "application/octet-stream"),
            ("logo", b"\x89PNG\r\n\x1a\n", "application/octet-stream"),
        ],
    )
    read = read_file(path, file_id="m.eml")
    titles = {b.id: b.title for b in read.briefs}
    assert titles["m.eml#ATT00001"] == "Kirkuk oil resumes"
    assert set(titles) == {"m.eml", "m.eml#ATT00001"} and read.warnings == []
