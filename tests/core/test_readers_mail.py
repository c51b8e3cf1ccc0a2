"""Tests for the email reader: .eml and .mbox written by the standard library, attachments,
newsletters, malformed MIME, and the policy messages are read with (the default one's answers)."""

from __future__ import annotations

import datetime as dt
import email
import email.message
import email.policy
import io
import re
from pathlib import Path

import formats_kit as kit
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefreader.core.brief import BriefError
from briefreader.core.readers import read_file
from briefreader.core.readers.mail import (
    MAX_FORWARDED_DEPTH,
    MAX_MESSAGE,
    POLICY,
    safe_name,
    split_mbox,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_a_plain_message(tmp_path: Path) -> None:
    [brief] = read_file(kit.make_eml(tmp_path), file_id="m.eml").briefs
    assert brief.id == "m.eml" and brief.format == "email"
    assert brief.title == "Badr leader warns against disarming the Hashd"
    assert brief.date == dt.date(2019, 3, 12)
    assert brief.source == "Iraq Watch"
    assert brief.article == kit.ARTICLE
    assert brief.comment == kit.COMMENT


def test_the_html_part_wins_and_list_id_is_the_source(tmp_path: Path) -> None:
    path = kit.make_eml(
        tmp_path,
        text="View this newsletter in your browser.",
        html=kit.news_page(title="Weekly letter"),
        list_id='"Gulf Brief" <gulf.lists.example>',
    )
    [brief] = read_file(path, file_id="m.eml").briefs
    assert brief.source == "Gulf Brief"
    assert brief.title == "Badr leader warns against disarming the Hashd"  # the Subject
    assert brief.comment == kit.COMMENT
    assert "Share on Facebook" not in brief.text


def test_a_newsletter_round_up_becomes_items(tmp_path: Path) -> None:
    path = kit.make_eml(tmp_path, subject="Daily round-up", text=kit.ROUNDUP_DATED)
    briefs = read_file(path, file_id="r.eml").briefs
    assert [b.id for b in briefs] == ["r.eml#1", "r.eml#2", "r.eml#3"]
    assert [b.source for b in briefs] == ["Rudaw", "Al-Monitor", "Kurdistan 24"]


def _bold(line: str) -> str:
    return re.sub(r"[*]{2}(.+?)[*]{2}", r"<b>\1</b>", line)


@pytest.mark.parametrize(
    "sign_off",
    [
        "Best regards,\nAnalysis Unit\n+964 770 000 0000",
        "Thanks\nSara",
        "--\nIraq Watch, Erbil\nUnsubscribe: reply STOP",
        "**Kind regards**\n\nThe Gulf desk",
    ],
)
def test_a_sign_off_does_not_end_the_comment(tmp_path: Path, sign_off: str) -> None:
    text = f"{kit.ARTICLE}\n\nComment: {kit.COMMENT}\n\n{sign_off}\n"
    html = (
        f"<html><body><div class=WordSection1><p class=MsoNormal>{kit.ARTICLE}</p>"
        f"<p class=MsoNormal><b>Comment:</b> {kit.COMMENT}</p>"
        + "".join(f"<p class=MsoNormal>{_bold(line)}</p>" for line in sign_off.split("\n") if line)
        + "</div></body></html>"
    )
    for name, kwargs in (("plain.eml", {"text": text}), ("html.eml", {"html": html})):
        [brief] = read_file(kit.make_eml(tmp_path, name, **kwargs), file_id=name).briefs
        assert brief.comment == kit.COMMENT, name


def test_a_comment_that_goes_on_after_a_thanks_keeps_it(tmp_path: Path) -> None:
    long_line = "The militia's leaders will not give up their weapons while the " * 2
    comment = f"{kit.COMMENT}\n\nThanks\n\n{long_line.strip()}"
    text = f"{kit.ARTICLE}\n\nComment: {comment}\n"
    [brief] = read_file(kit.make_eml(tmp_path, text=text), file_id="m.eml").briefs
    assert brief.comment == comment


def test_attachments_become_briefs_of_their_own(qapp: object, tmp_path: Path) -> None:
    docx_data = kit.make_docx(tmp_path).read_bytes()
    pdf_data = kit.make_pdf(tmp_path, pages=[kit.ROUNDUP_DATED]).read_bytes()
    path = kit.make_eml(
        tmp_path,
        attachments=[
            ("report.docx", docx_data, DOCX),
            ("digest.pdf", pdf_data, "application/pdf"),
            ("notes.txt", b"Short note on Sadr.\n\nComment: none.", "text/plain"),
            ("logo.png", b"\x89PNG\r\n", "image/png"),
            ("old.wpd", b"\xffWPC", "application/vnd.wordperfect"),
            ("../../evil#name.txt", b"Sneaky text.", "text/plain"),
        ],
    )
    result = read_file(path, file_id="m.eml")
    ids = [b.id for b in result.briefs]
    assert ids == [
        "m.eml",
        "m.eml#report.docx",
        "m.eml#digest.pdf/1",
        "m.eml#digest.pdf/2",
        "m.eml#digest.pdf/3",
        "m.eml#notes.txt",
        "m.eml#evil_name.txt",
    ]
    assert all(b.parent == "m.eml" for b in result.briefs[1:])
    assert result.briefs[0].parent is None
    assert {b.file_id for b in result.briefs[1:]} == {"m.eml"}
    assert [b.format for b in result.briefs[1:3]] == ["docx", "pdf"]
    assert result.briefs[2].page == 1
    assert any("old.wpd" in w and ".docx" in w for w in result.warnings)
    assert not any("logo.png" in w for w in result.warnings)


def test_a_mailbox_streamed_message_by_message(tmp_path: Path) -> None:
    messages = [
        kit.message(subject=f"Message {n}", text=f"Body {n} about Baghdad.\n") for n in (1, 2, 3)
    ]
    messages[1] = kit.message(
        subject="Round-up", text=kit.ROUNDUP_NUMBERED + "\nFrom the desk: a line\n"
    )
    path = kit.make_mbox(tmp_path, messages)
    seen: list[tuple[int, int]] = []
    result = read_file(path, file_id="box.mbox", progress=lambda d, t: seen.append((d, t)))
    assert [b.id for b in result.briefs] == [
        "box.mbox#1",
        "box.mbox#2/1",
        "box.mbox#2/2",
        "box.mbox#2/3",
        "box.mbox#3",
    ]
    assert result.briefs[0].title == "Message 1"
    assert result.briefs[-1].article == "Body 3 about Baghdad."
    assert seen and seen[-1][0] == seen[-1][1] == path.stat().st_size
    for brief in result.briefs:
        assert brief.text[brief.article_start : brief.article_end] == brief.article


def test_split_mbox_keeps_from_lines_inside_bodies() -> None:
    data = (
        b"From a@b Tue Mar 12 09:30:00 2019\nSubject: one\n\nline\n>From here on\nFrom x\n\n"
        b"From c@d Tue Mar 12 09:31:00 2019\nSubject: two\n\nbody\n"
    )
    parts = list(split_mbox(io.BytesIO(data)))
    assert [n for n, _data, _done in parts] == [1, 2]
    first = parts[0][1]
    assert first is not None and b"From here on\nFrom x\n" in first


def test_an_oversized_message_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "big.mbox"
    with path.open("wb") as out:
        out.write(b"From a@b Tue Mar 12 09:30:00 2019\nSubject: huge\n\n")
        line = b"x" * 1000 + b"\n"
        for _ in range(MAX_MESSAGE // len(line) + 10):
            out.write(line)
        out.write(b"\nFrom c@d Tue Mar 12 09:31:00 2019\nSubject: small\n\nSmall body.\n")
    result = read_file(path, file_id="big.mbox")
    assert [b.id for b in result.briefs] == ["big.mbox#2"]
    assert any("message 1" in w and "too large" in w for w in result.warnings)


@pytest.mark.parametrize(
    "data",
    [
        b"Subject: =?utf-8?q?broken=\nFrom: <<<\nDate: yesterday\nContent-Type: multipart/mixed;"
        b' boundary="b"\n\n--b\nContent-Type: text/plain; charset=no-such-charset\n\n'
        b"Body text about Sadr.\n--b\nContent-Type: application/pdf; name=x.pdf\n"
        b"Content-Transfer-Encoding: base64\n\n!!!not base64!!!\n",
        b"Content-Type: multipart/alternative\n\nno boundary at all, just text about Iraq\n",
        b"Subject: \xff\xfe bytes\nContent-Transfer-Encoding: quoted-printable\n\nA=ZZ line =\n",
        b"Content-Type: text/html\n\n<p>Only <b>unclosed html about Erbil",
    ],
)
def test_malformed_mime_never_crashes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "bad.eml"
    path.write_bytes(data)
    try:
        result = read_file(path, file_id="bad.eml")
    except BriefError as exc:
        assert exc.reason
    else:
        for brief in result.briefs:
            assert brief.text[brief.article_start : brief.article_end] == brief.article


def test_a_malformed_message_is_a_warning_with_its_defects(tmp_path: Path) -> None:
    data = (
        b'Subject: Broken\nContent-Type: multipart/mixed; boundary="zz"\n\n'
        b"--zz\nContent-Type: text/plain\n\nText about Mosul.\n"
    )  # no closing boundary
    path = tmp_path / "defect.eml"
    path.write_bytes(data)
    result = read_file(path, file_id="defect.eml")
    assert result.briefs[0].article == "Text about Mosul."
    assert any("malformed email" in w for w in result.warnings)


def _nested(depth: int) -> bytes:
    """A message whose parts nest ``depth`` deep, its text at the bottom."""
    opened = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n' for i in range(depth)
    )
    closed = "".join(f"--b{i}--\n" for i in reversed(range(depth)))
    head = "From: desk@example.org\nSubject: Deep\nMIME-Version: 1.0\n"
    return (head + opened + "Content-Type: text/plain\n\nText about Kirkuk.\n" + closed).encode()


def test_parts_nested_too_deeply_are_a_clear_problem(tmp_path: Path) -> None:
    """Two thousand nested parts: the file is refused with the reason, not a reader crash;
    in a mailbox the message is a warning and the next message is read."""
    path = tmp_path / "deep.eml"
    path.write_bytes(_nested(2_000))
    with pytest.raises(BriefError, match="nested too deeply"):
        read_file(path, file_id="deep.eml")
    good = kit.message(subject="Fine", text="Text about Basra.\n\nComment: Calm.\n").as_bytes()
    box = tmp_path / "box.mbox"
    box.write_bytes(
        b"From desk@example.org Tue Mar 12 10:00:00 2024\n" + _nested(2_000) + b"\n"
        b"From desk@example.org Tue Mar 12 11:00:00 2024\n" + good + b"\n"
    )
    result = read_file(box, file_id="box.mbox")
    assert [b.title for b in result.briefs] == ["Fine"]
    assert any("nested too deeply" in w for w in result.warnings)
    # Nested a few levels, as real messages are, the text is read.
    path.write_bytes(_nested(5))
    assert read_file(path, file_id="deep.eml").briefs[0].article == "Text about Kirkuk."


def test_a_mailbox_with_nothing_in_it(tmp_path: Path) -> None:
    path = tmp_path / "empty.mbox"
    path.write_bytes(b"")
    with pytest.raises(BriefError):
        read_file(path, file_id="empty.mbox")


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("a#b/c.txt", "c.txt"),
        ("we#ird?.txt", "we_ird_.txt"),
        ("", "attachment"),
        ("x" * 200 + ".pdf", "x" * 76 + ".pdf"),
    ],
)
def test_safe_attachment_names(name: str, safe: str) -> None:
    assert safe_name(name) == safe


# --------------------------------------------------------------------------------------------
# The reading policy: email.policy.default, each MIME header value parsed once

VARIED = [
    kit.message(attachments=[("report.docx", b"PK\x03\x04", DOCX)]).as_bytes(),
    b'Subject: =?utf-8?q?Caf=C3=A9?=\nContent-Type: multipart/mixed; boundary="m"\n\n'
    b'--m\nContent-Type: text/plain (plain text); charset="ISO-8859-1"\n\nCaf\xe9.\n'
    b"--m\nContent-Type: text/plain\nContent-Disposition: attachment;\n"
    b" filename*0*=utf-8''%C3%9Cber%20;\n filename*1=\"blick.txt\"\n\nOne.\n"
    b'--m\nContent-Type: text/plain; name="=?iso-8859-1?q?r=E9sum=E9.txt?="\n'
    b"Content-Disposition: attachment\n\nTwo.\n"
    b"--m\nContent-Type: TEXT/HTML; CHARSET=windows-1252\nContent-Transfer-Encoding: Base64\n\n"
    b'PHA+SGk8L3A+\n--m\nContent-Type: text\nContent-Disposition: inline; filename=""\n\n'
    b"Three.\n--m--\n",
    b"Content-Type: multipart/alternative\n\nno boundary at all\n",
    b"Content-Type:\nContent-Disposition: ;;; =\nContent-Transfer-Encoding: x-uuencode\n\nx\n",
]


def _described(msg: email.message.Message) -> list[object]:
    """What the readers ask of a message's parts and headers."""
    parts = [
        (
            part.get_content_type(),
            part.get_filename(),
            part.get_content_charset(),
            part.get_params(),
            part.get_content_disposition(),
            part.get_boundary(),
            sorted(type(defect).__name__ for defect in part.defects),
        )
        for part in msg.walk()
    ]
    headers = [
        (name, str(value), [type(d).__name__ for d in getattr(value, "defects", ())])
        for name, value in msg.items()
    ]
    return [parts, headers]


@pytest.mark.parametrize("data", VARIED)
def test_the_reading_policy_reads_as_the_default_one(data: bytes) -> None:
    default = _described(email.message_from_bytes(data, policy=email.policy.default))
    assert _described(email.message_from_bytes(data, policy=POLICY)) == default
    assert _described(email.message_from_bytes(data, policy=POLICY)) == default  # shared now


def _header(policy: email.policy.Policy, name: str, value: str) -> object:
    try:
        header = policy.header_fetch_parse(name, value)
    except Exception as exc:  # noqa: BLE001 - the same error either way is what is tested
        return type(exc)
    return (
        str(header),
        getattr(header, "name", None),
        [type(d).__name__ for d in getattr(header, "defects", ())],
        dict(getattr(header, "params", {})),
        getattr(header, "content_type", None),
        getattr(header, "content_disposition", None),
        getattr(header, "cte", None),
    )


@settings(max_examples=200)
@given(
    name=st.sampled_from(["Content-Type", "content-disposition", "Content-Transfer-Encoding"]),
    value=st.text(st.sampled_from("ab/;=\" \t\n()*'%=?qQ:@,\\\xe9\udcff"), max_size=40)
    | st.sampled_from(['text/plain; charset="utf-8"', "attachment; filename*=utf-8''a%20b"]),
)
def test_a_shared_header_is_the_one_the_default_policy_makes(name: str, value: str) -> None:
    expected = _header(email.policy.default, name, value)
    assert _header(POLICY, name, value) == expected
    assert _header(POLICY, name, value) == expected


def _forwarding(inner: email.message.EmailMessage, **kwargs: object) -> email.message.EmailMessage:
    """``inner`` forwarded as an attachment (message/rfc822), as mail programs do."""
    outer = kit.message(
        subject="Fwd: " + str(inner["Subject"]), text="See the message below.\n", **kwargs
    )  # type: ignore[arg-type]
    outer.add_attachment(inner)
    return outer


def test_a_message_forwarded_as_an_attachment_is_a_brief_of_its_own(tmp_path: Path) -> None:
    """The forwarded message is read as a message: its Subject, Date, sender, text and
    comment, a child of the message it came in; its own attachments are its children."""
    inner = kit.message(
        subject="Kataib Hezbollah statement on Al-Asad",
        sender="Desk <desk@example.org>",
        date="Mon, 02 Mar 2020 08:00:00 +0000",
        attachments=[("notes.txt", b"Short note on Sadr.\n\nComment: none.", "text/plain")],
    )
    path = tmp_path / "fwd.eml"
    path.write_bytes(_forwarding(inner, sender="Analyst <me@example.org>").as_bytes())
    result = read_file(path, file_id="fwd.eml")
    outer, forwarded, note = result.briefs
    assert outer.id == "fwd.eml" and outer.article.startswith("See the message below")
    assert forwarded.id == "fwd.eml#Kataib Hezbollah statement on Al-Asad.eml"
    assert forwarded.parent == "fwd.eml" and forwarded.file_id == "fwd.eml"
    assert forwarded.title == "Kataib Hezbollah statement on Al-Asad"
    assert forwarded.date == dt.date(2020, 3, 2)
    assert forwarded.source == "Desk"
    assert forwarded.article == kit.ARTICLE
    assert forwarded.comment == kit.COMMENT
    # The forwarded message's attachment is its own, not the forwarding message's.
    assert note.id == forwarded.id + "/notes.txt"
    assert note.parent == forwarded.id
    assert result.warnings == []


def test_a_forwarded_message_alone_in_an_empty_message(tmp_path: Path) -> None:
    """A message whose only content is the forwarded one (Outlook's "forward as
    attachment"): the message lists it, and the forwarded one holds the text; in a mailbox
    too, and two forwarded messages with one subject keep apart."""
    inner = kit.message(subject="Same subject")
    outer = kit.message(subject="Two items", text=None)
    outer.add_attachment(inner)
    outer.add_attachment(kit.message(subject="Same subject", text="Other text on Basra.\n"))
    box = kit.make_mbox(tmp_path, [outer])
    briefs = read_file(box, file_id="b.mbox").briefs
    assert [b.id for b in briefs] == [
        "b.mbox#1",
        "b.mbox#1/Same subject.eml",
        "b.mbox#1/Same subject~2.eml",
    ]
    assert "Same subject.eml" in briefs[0].article
    assert briefs[1].comment == kit.COMMENT
    assert briefs[2].article == "Other text on Basra."


def _forwarded_chain(depth: int) -> bytes:
    """A message forwarded within forwarded messages ``depth`` times."""
    msg = kit.message(subject="Innermost")
    for level in range(depth):
        msg = _forwarding(msg, date=f"Tue, 12 Mar 2019 {level % 24:02d}:00:00 +0000")
        msg.replace_header("Subject", f"Level {level}")
    return msg.as_bytes()


def test_forwarded_messages_nested_deep_are_read_to_a_bound(tmp_path: Path) -> None:
    """Forwarded messages inside forwarded messages: read a few levels deep, then a
    warning; each message's own parts are read once, however deep (no level reads the
    levels below it again)."""
    path = tmp_path / "chain.eml"
    path.write_bytes(_forwarded_chain(3))
    briefs = read_file(path, file_id="c.eml").briefs
    assert [b.title for b in briefs] == ["Level 2", "Level 1", "Level 0", "Innermost"]
    assert [b.parent for b in briefs[1:]] == [b.id for b in briefs[:-1]]
    assert briefs[-1].comment == kit.COMMENT

    path.write_bytes(_forwarded_chain(MAX_FORWARDED_DEPTH + 5))
    result = read_file(path, file_id="c.eml")
    assert len(result.briefs) == MAX_FORWARDED_DEPTH + 1
    assert "Innermost" not in [b.title for b in result.briefs]
    [said] = result.warnings
    assert f"nested over {MAX_FORWARDED_DEPTH} deep" in said


@pytest.mark.parametrize(
    ("content_type", "params", "said"),
    [
        ("application/pkcs7-mime", {"smime-type": "enveloped-data"}, "encrypted message (S/MIME)"),
        ("application/x-pkcs7-mime", {}, "encrypted message (S/MIME)"),
        ("application/pkcs7-mime", {"smime-type": "signed-data"}, "signed message wrapped whole"),
        ("application/ms-tnef", {}, "winmail.dat"),
    ],
)
def test_a_message_whose_text_is_wrapped_says_why(
    tmp_path: Path, content_type: str, params: dict[str, str], said: str
) -> None:
    """Encrypted mail, S/MIME's opaque signature and Outlook's winmail.dat hold the text in a
    form not read: the message is still listed, and a warning says why its text is not
    there."""
    msg = kit.message(subject="Wrapped", text=None)
    maintype, subtype = content_type.split("/")
    msg.set_content(b"\x30\x82\x01\x00" * 50, maintype=maintype, subtype=subtype,
                    filename="smime.p7m", params=params)  # fmt: skip
    path = tmp_path / "wrapped.eml"
    path.write_bytes(msg.as_bytes())
    result = read_file(path, file_id="w.eml")
    [brief] = result.briefs
    assert brief.title == "Wrapped" and "smime.p7m" in brief.article
    assert len([w for w in result.warnings if said in w]) == 1


def test_a_signed_message_is_read_without_a_warning(tmp_path: Path) -> None:
    """multipart/signed keeps the text readable beside its signature: no warning."""
    msg = kit.message(subject="Signed")
    msg.make_mixed()
    msg.set_type("multipart/signed")
    msg.set_param("protocol", "application/pkcs7-signature")
    msg.add_attachment(b"\x30\x82sig", maintype="application", subtype="pkcs7-signature",
                       filename="smime.p7s")  # fmt: skip
    path = tmp_path / "signed.eml"
    path.write_bytes(msg.as_bytes())
    result = read_file(path, file_id="s.eml")
    assert result.briefs[0].comment == kit.COMMENT
    assert result.warnings == []


def test_a_newsletters_footer_does_not_end_the_last_comment(tmp_path: Path) -> None:
    """How to unsubscribe, why the mail came and the sender's copyright end many
    newsletters, in the HTML part and the plain one: they are no part of the last item."""
    footer = (
        "You are receiving this email because you subscribed at gulf.example.\n\n"
        "Unsubscribe | Update your preferences\n\n"
        "\u00a9 2024 Gulf Monitor. All rights reserved."
    )
    text = f"{kit.ARTICLE}\n\nComment: {kit.COMMENT}\n\n{footer}\n"
    html = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
    for kwargs in ({"text": text}, {"text": "See the HTML part.", "html": html}):
        path = kit.make_eml(tmp_path, **kwargs)  # type: ignore[arg-type]
        [brief] = read_file(path, file_id="m.eml").briefs
        assert brief.comment == kit.COMMENT


@pytest.mark.parametrize(
    "last",
    [
        "The court ruled on the copyright claims of the station's reporters on Monday.",
        "Readers who unsubscribe " + "from the service lose its archive. " * 20,
    ],
)
def test_a_last_paragraph_that_only_mentions_such_words_is_kept(tmp_path: Path, last: str) -> None:
    text = f"{kit.ARTICLE}\n\nComment: {kit.COMMENT}\n\n{last.strip()}\n"
    [brief] = read_file(kit.make_eml(tmp_path, text=text), file_id="m.eml").briefs
    assert brief.comment is not None and brief.comment.endswith(last.strip())


def test_an_apple_mail_message_is_read(tmp_path: Path) -> None:
    """Apple Mail keeps each message as .emlx: its length in bytes on the first line, the
    message, then Mail's own properties, which are no part of it."""
    message = kit.message(subject="Emlx brief").as_bytes()
    plist = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict><key>flags</key>'
        b"<integer>8590195713</integer></dict></plist>\n"
    )
    path = tmp_path / "12345.emlx"
    path.write_bytes(b"%d\n" % len(message) + message + plist)
    result = read_file(path, file_id="12345.emlx")
    [brief] = result.briefs
    assert brief.title == "Emlx brief" and brief.format == "email"
    assert brief.comment == kit.COMMENT and "plist" not in brief.text
    assert result.warnings == []


def test_a_message_opening_on_a_number_is_not_taken_for_apple_mails(tmp_path: Path) -> None:
    path = tmp_path / "bare.eml"
    path.write_bytes(b"2024\nwas a hard year for Basra, officials said on Sunday.\n")
    [brief] = read_file(path, file_id="bare.eml").briefs
    assert "was a hard year for Basra" in brief.text


# --------------------------------------------------------------------------------------------
# Charsets as mailers write them

_ARABIC = "قال مسؤولون عراقيون إن قوات الحشد الشعبي انتشرت في كركوك بعد انسحاب البيشمركة."
_HEADER = (
    b"From: Iraq Watch <news@iraqwatch.example>\nTo: analyst@example.org\n"
    b"Subject: Kirkuk\nDate: Tue, 12 Mar 2019 09:30:00 +0300\nMessage-ID: <k@iraqwatch>\n"
    b"MIME-Version: 1.0\nContent-Transfer-Encoding: 8bit\n"
)


def _raw_message(tmp_path: Path, content_type: bytes, body: bytes) -> Path:
    path = tmp_path / "raw.eml"
    path.write_bytes(_HEADER + b"Content-Type: " + content_type + b"\n\n" + body)
    return path


@pytest.mark.parametrize(
    ("charset", "text"),
    [
        ("windows-1256", _ARABIC),
        ("iso-8859-1", "Le ministre a déclaré à Bagdad que la sécurité s'était détériorée."),
        ("iso-8859-8-i", "ראש הממשלה אמר כי הממשלה תפעל נגד האיום בגבול הצפוני."),
    ],
    ids=["arabic", "french", "hebrew"],
)
def test_an_html_part_is_read_in_its_mime_charset_whatever_its_meta_says(
    tmp_path: Path, charset: str, text: str
) -> None:
    """Outlook's HTML mail declares its charset twice, in MIME and in a <meta>: the part's
    text, decoded by MIME, must not be decoded a second time by the <meta>."""
    codec = "iso-8859-8" if charset.endswith("-i") else charset
    html = (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        f"</head><body><p>{text}</p><p>Comment: the analyst reads it as a warning.</p>"
        "</body></html>"
    ).encode(codec)
    path = _raw_message(tmp_path, f"text/html; charset={charset}".encode(), html)
    read = read_file(path, file_id="raw.eml")
    [brief] = read.briefs
    assert brief.article == text and brief.comment == "the analyst reads it as a warning."
    assert read.warnings == []


@pytest.mark.parametrize(
    ("content_type", "why"),
    [
        (b"text/plain", "8-bit text with no charset"),
        (b"text/plain; charset=us-ascii", "not in its declared charset (us-ascii)"),
        (b"text/plain; charset=utf-8", "not in its declared charset (utf-8)"),
        (b"text/plain; charset=x-unheard-of", "an unknown charset (x-unheard-of)"),
        (b"text/html", "8-bit text with no charset"),
    ],
)
def test_text_that_does_not_fit_its_charset_is_read_in_its_own_with_a_warning(
    tmp_path: Path, content_type: bytes, why: str
) -> None:
    """Never replacement characters in silence: the code page is told by the letters."""
    body = f"{_ARABIC}\n\nComment: the analyst reads it as a warning.\n"
    if content_type.startswith(b"text/html"):
        body = f"<html><body><p>{_ARABIC}</p><p>Comment: the analyst reads it as a warning.</p>"
    path = _raw_message(tmp_path, content_type, body.encode("cp1256"))
    read = read_file(path, file_id="raw.eml")
    [brief] = read.briefs
    assert brief.article == _ARABIC
    [warning] = read.warnings
    assert why in warning and "Windows-1256" in warning


def test_curly_quotes_in_latin_1_mail_are_windows_1252s(tmp_path: Path) -> None:
    body = b"The minister said \x93we will not\x94 \x96 twice.\n\nComment: a signal.\n"
    path = _raw_message(tmp_path, b"text/plain; charset=iso-8859-1", body)
    [brief] = read_file(path, file_id="raw.eml").briefs
    assert brief.article == "The minister said \u201cwe will not\u201d \u2013 twice."


@pytest.mark.parametrize("declared", [b"text/plain; charset=windows-1256", b"text/plain"])
def test_a_subject_in_raw_8_bit_bytes_is_read_in_the_messages_code_page(
    tmp_path: Path, declared: bytes
) -> None:
    """Old mailers write the Subject's bytes as they are, in the body's code page, instead of
    RFC 2047's encoded words: the title must not be replacement characters."""
    subject = "قوات الحشد الشعبي تنتشر في كركوك"
    path = tmp_path / "raw.eml"
    path.write_bytes(
        _HEADER.replace(b"Subject: Kirkuk", b"Subject: " + subject.encode("cp1256"))
        + b"Content-Type: "
        + declared
        + b"\n\n"
        + f"{_ARABIC}\n\nComment: a warning.\n".encode("cp1256")
    )
    [brief] = read_file(path, file_id="raw.eml").briefs
    assert brief.title == subject and brief.article == _ARABIC


def test_an_unnamed_document_part_is_named_by_its_type(tmp_path: Path) -> None:
    """Some mailers and scanners send a document with no file name: it is read all the same,
    named by its type; an unnamed text part stays the message's text."""
    msg = kit.message()
    docx_data = kit.make_docx(tmp_path, title="Scanned memo").read_bytes()
    msg.add_attachment(docx_data, maintype="application", subtype=DOCX.split("/")[1])
    msg.add_attachment(b"A stray unnamed text part.", maintype="text", subtype="plain")
    path = tmp_path / "unnamed.eml"
    path.write_bytes(msg.as_bytes())
    read = read_file(path, file_id="m.eml")
    assert [b.id for b in read.briefs] == ["m.eml", "m.eml#attachment.docx"]
    assert read.briefs[1].title == "Scanned memo"


def test_an_unquoted_from_line_in_a_body_stays_in_its_message() -> None:
    """Mailing lists' archives leave a paragraph that opens on "From " unquoted: only a line
    with a delivery date, followed by a header, opens the next message."""
    data = (
        b"From analyst at example.org  Mon Mar  4 12:00:00 2019\nFrom: analyst at example.org\n"
        b"Subject: one\n\nFirst paragraph.\n\nFrom the start of the war in 2003, at 10:00,\n"
        b"Comment: the same message.\n\nFrom Baghdad, a note.\nSubject: still the body\n\n"
        b"From - Tue Mar 12 09:31:00 2019\nX-Mozilla-Status: 0001\nSubject: two\n\nbody\n\n"
        b"From MAILER-DAEMON Thu Jan  1 00:00:00 1970\nReturn-Path: <x@y>\n\nthree\n"
    )
    parts = list(split_mbox(io.BytesIO(data)))
    assert [n for n, _data, _done in parts] == [1, 2, 3]
    first = parts[0][1]
    assert first is not None
    assert b"From the start of the war in 2003, at 10:00,\nComment: the same" in first
    assert b"From Baghdad, a note.\nSubject: still the body\n" in first
    assert parts[1][1] is not None and parts[1][1].startswith(b"X-Mozilla-Status: 0001\n")
    assert parts[2][1] == b"Return-Path: <x@y>\n\nthree\n"
    assert parts[-1][2] == len(data)


def test_a_lists_tag_is_left_out_of_the_title(tmp_path: Path) -> None:
    """Mailing lists put their name before every subject; the title is the subject's own.
    A tag that is not the list's, or a message not from a list, keeps its brackets."""
    archive = tmp_path / "2019-March.mbox"
    archive.write_bytes(
        b"From analyst at example.org  Mon Mar  4 12:00:00 2019\n"
        b"From: analyst at example.org (Iraq Watch)\nDate: Mon, 4 Mar 2019 12:00:00 +0000\n"
        b"Subject: [iraq-watch] Talks in Erbil\n\nThe talks went on.\n\n"
        b"From analyst at example.org  Tue Mar  5 12:00:00 2019\n"
        b"From: analyst at example.org (Iraq Watch)\nSubject: Re: [iraq-watch] Talks in Erbil\n"
        b"\nThey ended.\n"
    )
    titles = [b.title for b in read_file(archive, file_id="a.mbox").briefs]
    assert titles == ["Talks in Erbil", "Re: Talks in Erbil"]
    cases = {
        b"List-Id: Iraq Watch <iraq-watch.lists.example.org>\nSubject: [Iraq-Watch] Talks\n": (
            "Talks"
        ),
        b"List-Id: <iraq-watch.lists.example.org>\nSubject: [Update] Talks\n": "[Update] Talks",
        b"From: desk@example.org\nSubject: [iraq-watch] Talks\n": "[iraq-watch] Talks",
    }
    for n, (head, title) in enumerate(cases.items()):
        one = tmp_path / f"m{n}.eml"
        one.write_bytes(head + b"\nBody text about the talks.\n")
        assert read_file(one, file_id=one.name).briefs[0].title == title
