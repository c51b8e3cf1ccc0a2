"""Outlook's rich-text wrapper (winmail.dat, TNEF) as other mail programs receive it: its HTML,
rich-text or plain body is the message's text, its attachments are briefs of their own; a
damaged wrapper is a warning. The wrappers are written from [MS-OXTNEF]
(tests/ole_kit.py)."""

from __future__ import annotations

import contextlib
import random
from pathlib import Path

import formats_kit as kit
import ole_kit
import pytest

from briefreader.core.readers import read_file, tnef

STUB = "This message is in Outlook's rich text: see the attachment.\n"
NOTES = b"Analyst notes\n\nThe Hashd law is back before parliament.\n\nComment: Watch Amiri.\n"


def _message(tmp_path: Path, wrapper: bytes) -> Path:
    msg = kit.message(text=STUB)
    msg.add_attachment(wrapper, maintype="application", subtype="ms-tnef", filename="winmail.dat")
    path = tmp_path / "rich.eml"
    path.write_bytes(msg.as_bytes())
    return path


def test_the_html_body_and_attachments_inside_the_wrapper(tmp_path: Path) -> None:
    html = (f"<html><body><p>{kit.ARTICLE}</p><p>Comment: {kit.COMMENT}</p></body></html>").encode(
        "cp1252"
    )
    wrapper = ole_kit.tnef(html=html, attachments=[("analyst notes.txt", NOTES)])
    read = read_file(_message(tmp_path, wrapper), file_id="m.eml")
    by_id = {b.id: b for b in read.briefs}
    assert set(by_id) == {"m.eml", "m.eml#analyst notes.txt"}  # the long name, in UTF-16
    brief = by_id["m.eml"]
    assert brief.article == kit.ARTICLE and brief.comment == kit.COMMENT
    assert by_id["m.eml#analyst notes.txt"].comment == "Watch Amiri."
    assert read.warnings == []


def test_a_rich_text_body_inside_the_wrapper(tmp_path: Path) -> None:
    rtf = (
        rb"{\rtf1\ansi\ansicpg1252{\fonttbl\f0\fswiss Arial;}\f0 " + kit.ARTICLE.encode()
        + rb"\par\par Comment: Seen before.\par}"
    )  # fmt: skip
    wrapper = ole_kit.tnef(rtf=ole_kit.compressed_rtf(rtf), body="plain fallback")
    [brief] = read_file(_message(tmp_path, wrapper), file_id="m.eml").briefs
    assert brief.article == kit.ARTICLE and brief.comment == "Seen before."


def test_a_plain_part_longer_than_the_wrappers_body_wins(tmp_path: Path) -> None:
    msg = kit.message()  # the article and comment in the plain part
    msg.add_attachment(ole_kit.tnef(body="Short."), maintype="application", subtype="ms-tnef",
                       filename="winmail.dat")  # fmt: skip
    path = tmp_path / "m.eml"
    path.write_bytes(msg.as_bytes())
    [brief] = read_file(path, file_id="m.eml").briefs
    assert brief.article == kit.ARTICLE


def test_a_damaged_wrapper_is_a_warning_and_the_plain_part_stays(tmp_path: Path) -> None:
    wrapper = ole_kit.tnef(html=b"<p>text</p>", attachments=[("n.txt", NOTES)])
    read = read_file(_message(tmp_path, wrapper[: len(wrapper) // 2]), file_id="m.eml")
    [brief] = read.briefs
    assert brief.article == STUB.strip()
    assert any("rich-text wrapper (winmail.dat) is damaged" in w for w in read.warnings)


def test_any_damage_is_a_value_error_never_another() -> None:
    whole = ole_kit.tnef(
        html=b"<p>" + b"text " * 200 + b"</p>", attachments=[("n.txt", NOTES), ("m.txt", NOTES)]
    )
    rng = random.Random(5)
    for _ in range(400):
        data = bytearray(whole)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        with contextlib.suppress(ValueError):
            tnef.read_tnef(bytes(data))
    with pytest.raises(ValueError, match="not a TNEF stream"):
        tnef.read_tnef(b"PK\x03\x04 a zip")


def test_a_plain_body_in_the_wrappers_code_page(tmp_path: Path) -> None:
    arabic = "قال مسؤولون عراقيون إن قوات الحشد الشعبي انتشرت في كركوك بعد انسحاب البيشمركة."
    wrapper = ole_kit.tnef(body=f"{arabic}\n\nComment: a warning.\n", codepage=1256)
    [brief] = read_file(_message(tmp_path, wrapper), file_id="m.eml").briefs
    assert brief.article == arabic and brief.comment == "a warning."
