"""Tests for the Word reader: files written by python-docx, the same with parts rewritten (what
each part gives, as python-docx gave it when it was the reader), broken packages, and zip bombs
posing as .docx."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import formats_kit as kit
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefreader.core.brief import BriefError
from briefreader.core.readers import read_file
from briefreader.core.readers.word import BOMB, extract_docx


def _repacked(source: Path, target: Path, change: dict[str, Any]) -> Path:
    """``source``'s package written to ``target`` with parts replaced (name: bytes or a
    function of the old bytes) or added."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            data = old.read(item)
            how = change.get(item.filename)
            new.writestr(item, how(data) if callable(how) else how if how is not None else data)
        for name, data in change.items():
            if name not in old.namelist():
                new.writestr(name, data)
    return target


def test_a_macro_enabled_word_file_reads_as_a_docx_and_its_macros_are_left_alone(
    tmp_path: Path,
) -> None:
    source = kit.make_docx(tmp_path, created=(2019, 3, 12))
    main = b"wordprocessingml.document.main+xml"
    path = _repacked(
        source,
        tmp_path / "brief.docm",
        {
            "[Content_Types].xml": lambda d: d.replace(
                b"application/vnd.openxmlformats-officedocument." + main,
                b"application/vnd.ms-word.document.macroEnabled.main+xml",
            ),
            "word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macros never run nor read",
        },
    )
    assert b"macroEnabled" in zipfile.ZipFile(path).read("[Content_Types].xml")
    [docm] = read_file(path, file_id="brief.docm").briefs
    [docx] = read_file(source, file_id="brief.docm").briefs
    assert docm.format == "docx"
    assert (docm.title, docm.article, docm.comment, docm.date) == (
        docx.title, docx.article, docx.comment, docx.date,
    )  # fmt: skip


def test_a_word_brief(tmp_path: Path) -> None:
    path = kit.make_docx(tmp_path, created=(2019, 3, 12))
    [brief] = read_file(path, file_id="brief.docx").briefs
    assert brief.format == "docx"
    assert brief.title == "Badr leader warns against disarming the Hashd"
    assert brief.text.startswith("# Badr leader")  # the Heading 1 style, as a heading line
    assert brief.article == kit.ARTICLE
    assert brief.comment == kit.COMMENT
    assert brief.date == dt.date(2019, 3, 12)


def test_core_properties_give_the_title_when_the_text_names_none(tmp_path: Path) -> None:
    path = kit.make_docx(tmp_path, title=None, core_title="Amiri on the Hashd")
    [brief] = read_file(path, file_id="b.docx").briefs
    assert brief.title == "Amiri on the Hashd"
    assert brief.date is None  # python-docx's template date is not the brief's


def test_tables_and_a_bold_comment(tmp_path: Path) -> None:
    path = kit.make_docx(
        tmp_path,
        blocks=[("p", kit.ARTICLE), ("bold", "Comment"), ("p", kit.COMMENT)],
        table=[["Actor", "Role"], ["Amiri", "Badr leader"]],
    )
    [brief] = read_file(path, file_id="b.docx").briefs
    assert brief.comment is not None
    assert brief.comment.startswith(kit.COMMENT)
    assert "Actor | Role\nAmiri | Badr leader" in brief.text


def test_a_news_archive_export_becomes_items(tmp_path: Path) -> None:
    blocks: list[tuple[str, str]] = []
    for n, source in enumerate(["Rudaw", "Al-Monitor", "Kurdistan 24"], start=1):
        blocks += [
            ("h2", f"Headline number {n} about Iraq"),
            ("p", f"{source}, {10 + n} March 2019"),
            ("p", f"Story {n}. " + kit.ARTICLE),
        ]
    path = kit.make_docx(tmp_path, title="Export", blocks=blocks)
    briefs = read_file(path, file_id="export.docx").briefs
    assert [b.title for b in briefs] == [f"Headline number {n} about Iraq" for n in (1, 2, 3)]
    assert [b.date for b in briefs] == [dt.date(2019, 3, 10 + n) for n in (1, 2, 3)]
    assert [b.source for b in briefs] == ["Rudaw", "Al-Monitor", "Kurdistan 24"]
    assert all(b.article.startswith("Story") for b in briefs)


def test_a_zip_bomb_is_refused_unopened(tmp_path: Path) -> None:
    path = kit.make_zip_bomb_docx(tmp_path)
    assert path.stat().st_size < 2 << 20
    with pytest.raises(BriefError) as caught:
        read_file(path, file_id="bomb.docx")
    assert caught.value.reason == BOMB


def test_many_entries_too_large_together(tmp_path: Path) -> None:
    path = tmp_path / "wide.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", "<w:document/>")
        for i in range(100):
            zf.writestr(f"word/media/{i}.bin", b"\0" * (3 << 20))
    with pytest.raises(BriefError) as caught:
        read_file(path, file_id="wide.docx")
    assert caught.value.reason == BOMB


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"PK\x03\x04 not really a zip", "damaged Word file"),
        (b"plain text pretending", "damaged Word file"),
    ],
)
def test_damaged_word_files(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "bad.docx"
    path.write_bytes(data)
    with pytest.raises(BriefError) as caught:
        read_file(path, file_id="bad.docx")
    assert caught.value.reason.startswith(reason)


def test_a_zip_that_is_no_word_file(tmp_path: Path) -> None:
    path = tmp_path / "other.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(BriefError) as caught:
        read_file(path, file_id="other.docx")
    assert "not a Word document" in caught.value.reason


def test_a_word_file_with_broken_xml(tmp_path: Path) -> None:
    good = kit.make_docx(tmp_path)
    path = tmp_path / "broken.docx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for entry in src.infolist():
            data = src.read(entry)
            if entry.filename == "word/document.xml":
                data = data[: len(data) // 2]
            dst.writestr(entry, data)
    with pytest.raises(BriefError) as caught:
        read_file(path, file_id="broken.docx")
    assert caught.value.reason.startswith("damaged Word file")


# --------------------------------------------------------------------------------------------
# The package read part by part: what each part gives, as python-docx gave it before

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def repack(tmp_path: Path, parts: dict[str, str | bytes | None], name: str = "b.docx") -> Path:
    """A Word file written by python-docx, with parts replaced, added or (None) left out."""
    source = kit.make_docx(tmp_path, "source-" + name)
    path = tmp_path / name
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for entry in src.infolist():
            data = parts.get(entry.filename, src.read(entry))
            if data is not None:
                dst.writestr(entry.filename, data)
        for part_name, data in parts.items():
            if data is not None and part_name not in src.namelist():
                dst.writestr(part_name, data)
    return path


def part_of(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name).decode()


def document(body: str) -> str:
    return f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>{body}</w:body></w:document>'


def para(text: str, style: str | None = None, run_properties: str = "") -> str:
    pstyle = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    rpr = f"<w:rPr>{run_properties}</w:rPr>" if run_properties else ""
    return f'<w:p>{pstyle}<w:r>{rpr}<w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def text_of(path: Path) -> str:
    return extract_docx(path, path).text


def test_paragraph_text_as_word_shows_it(tmp_path: Path) -> None:
    body = (
        '<w:p><w:r><w:t xml:space="preserve">See </w:t></w:r><w:hyperlink r:id="rId99">'
        '<w:r><w:t>the report</w:t></w:r></w:hyperlink><w:r><w:t xml:space="preserve"> now.'
        "</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>a</w:t><w:tab/><w:t>b</w:t><w:br/><w:t>c</w:t>"
        '<w:br w:type="page"/><w:t>d</w:t><w:cr/><w:t>e</w:t><w:noBreakHyphen/><w:t>f</w:t>'
        "</w:r></w:p>"
        # content controls and tracked insertions inside a paragraph are read, and so are
        # block-level content controls (python-docx read none of them)
        '<w:p><w:r><w:t xml:space="preserve">Kept </w:t></w:r><w:sdt><w:sdtContent><w:r>'
        "<w:t>control</w:t></w:r></w:sdtContent></w:sdt><w:ins><w:r><w:t>inserted</w:t></w:r>"
        "</w:ins><w:r><w:t>end</w:t></w:r></w:p>"
        "<w:sdt><w:sdtContent>" + para("In a block control") + "</w:sdtContent></w:sdt>"
    )
    path = repack(tmp_path, {"word/document.xml": document(body)})
    assert text_of(path) == (
        "See the report now.\n\na b\ncd\ne-f\n\nKept controlinsertedend\n\nIn a block control\n"
    )


def test_tables_with_merged_and_nested_cells(tmp_path: Path) -> None:
    def cell(text: str, properties: str = "") -> str:
        return f"<w:tc><w:tcPr>{properties}</w:tcPr>{para(text) if text else '<w:p/>'}</w:tc>"

    nested = "<w:tbl><w:tr>" + cell("nested") + cell("cells") + "</w:tr></w:tbl>"
    body = (
        "<w:tbl><w:tr>"
        + cell("Wide", '<w:gridSpan w:val="2"/>')
        + cell("Third")
        + "</w:tr><w:tr>"
        + cell("Tall", '<w:vMerge w:val="restart"/>')
        + cell("B2")
        + f"<w:tc>{nested}{para('after nested')}</w:tc>"
        + "</w:tr><w:tr>"
        + cell("", "<w:vMerge/>")
        + cell("B3")
        + cell("C3")
        + "</w:tr><w:tr>"
        + cell("")
        + cell("")
        + cell("")
        + '</w:tr><w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>'
        + cell("late")
        + cell("start")
        + "</w:tr></w:tbl>"
    )
    path = repack(tmp_path, {"word/document.xml": document(body)})
    assert text_of(path) == (
        "Wide | Third\nTall | B2 | after nested\nnested | cells\nTall | B3 | C3\nlate | start\n"
    )


def test_a_merge_with_no_cell_above_is_a_damaged_file(tmp_path: Path) -> None:
    body = para(kit.ARTICLE) + (
        "<w:tbl><w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc></w:tr></w:tbl>"
    )
    path = repack(tmp_path, {"word/document.xml": document(body)})
    with pytest.raises(BriefError) as caught:
        text_of(path)
    assert caught.value.reason == "damaged Word file (ValueError)"


def test_style_names_mark_headings_titles_and_lists(tmp_path: Path) -> None:
    styles = part_of(kit.make_docx(tmp_path, "template.docx"), "word/styles.xml").replace(
        "</w:styles>",
        '<w:style w:type="paragraph" w:styleId="Kop2"><w:name w:val="heading 2"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="Chapter"><w:name w:val="Chapter"/>'
        '<w:basedOn w:val="Heading1"/></w:style>'
        '<w:style w:type="character" w:styleId="CharHead"><w:name w:val="heading 1"/>'
        "</w:style>"
        '<w:style w:type="paragraph" w:styleId="Twice"><w:name w:val="heading 3"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="Twice"><w:name w:val="Normal"/></w:style>'
        "</w:styles>",
    )
    body = "".join(
        para(f"Styled {style_id}", style_id)
        for style_id in ("Kop2", "Chapter", "CharHead", "Twice", "Title", "ListBullet", "Nowhere")
    )
    path = repack(tmp_path, {"word/document.xml": document(body), "word/styles.xml": styles})
    assert text_of(path).split("\n\n") == [
        "## Styled Kop2",  # by its name, whatever its id
        "Styled Chapter",  # a style based on a heading is not one
        "Styled CharHead",  # a character style: the paragraph has the default style
        "### Styled Twice",  # of two styles with one id, the first
        "# Styled Title",
        "- Styled ListBullet",
        "Styled Nowhere\n",
    ]


def test_the_default_paragraph_style_is_the_last_marked_default(tmp_path: Path) -> None:
    styles = part_of(kit.make_docx(tmp_path, "template.docx"), "word/styles.xml").replace(
        "</w:styles>",
        '<w:style w:type="paragraph" w:default="1" w:styleId="Plain"><w:name w:val="heading 4"/>'
        "</w:style></w:styles>",
    )
    body = para("Unstyled") + para("Styled", "Heading2")
    path = repack(tmp_path, {"word/document.xml": document(body), "word/styles.xml": styles})
    assert text_of(path) == "#### Unstyled\n\n## Styled\n"


def test_styles_read_once_are_not_mixed_up(tmp_path: Path) -> None:
    template = part_of(kit.make_docx(tmp_path, "template.docx"), "word/styles.xml")
    body = document(para("Styled", "Mine") + para(kit.ARTICLE))
    for n, name in enumerate(["heading 1", "List Number", "Quote", "heading 1"]):
        styles = template.replace(
            "</w:styles>",
            f'<w:style w:type="paragraph" w:styleId="Mine"><w:name w:val="{name}"/></w:style>'
            "</w:styles>",
        )
        path = repack(tmp_path, {"word/document.xml": body, "word/styles.xml": styles}, f"{n}.docx")
        first = text_of(path).split("\n\n")[0]
        assert first == {"heading 1": "# Styled", "List Number": "- Styled"}.get(name, "Styled")


@pytest.mark.parametrize(
    ("properties", "bold"),
    [
        ("<w:b/>", True),
        ('<w:b w:val="1"/>', True),
        ('<w:b w:val="on"/>', True),
        ('<w:b w:val="0"/>', False),
        ('<w:b w:val="false"/>', False),
        ('<w:b w:val="yes"/>', False),  # not a value Word writes: python-docx stopped on it
        ("<w:bCs/>", False),
        ('<w:rStyle w:val="Strong"/>', False),  # bold by a style does not count
    ],
)
def test_a_paragraph_set_wholly_in_bold(tmp_path: Path, properties: str, bold: bool) -> None:
    path = repack(tmp_path, {"word/document.xml": document(para("Comment", None, properties))})
    assert text_of(path) == ("**Comment**\n" if bold else "Comment\n")


@pytest.mark.parametrize(
    ("created", "date"),
    [
        ("2019-03-12T10:00:00Z", dt.date(2019, 3, 12)),
        ("2019-03-12T01:30:00+03:00", dt.date(2019, 3, 11)),  # in UTC, the day before
        ("2019-03-12T22:30:00-05:00", dt.date(2019, 3, 13)),
        ("2019-03-12", dt.date(2019, 3, 12)),
        ("2019-03", dt.date(2019, 3, 1)),
        ("1989-12-31T10:00:00Z", None),
        ("not a date", None),
        ("", None),  # python-docx stopped on an empty date
    ],
)
def test_the_created_date(tmp_path: Path, created: str, date: dt.date | None) -> None:
    path = kit.make_docx(tmp_path)
    core = part_of(path, "docProps/core.xml")
    start = core.index("<dcterms:created")
    end = core.index("</dcterms:created>") + len("</dcterms:created>")
    core = core[:start] + f"<dcterms:created>{created}</dcterms:created>" + core[end:]
    path = repack(tmp_path, {"docProps/core.xml": core})
    assert extract_docx(path, path).date == date


def test_a_word_file_without_core_properties_takes_its_title_from_its_text(
    tmp_path: Path,
) -> None:
    """python-docx made up core properties titled "Word Document" for such a file."""
    rels = part_of(kit.make_docx(tmp_path, "template.docx"), "_rels/.rels")
    start = rels.index('<Relationship Id="rId3"')
    rels = rels[:start] + rels[rels.index("/>", start) + 2 :]
    body = para("Amiri on the Hashd") + para(kit.ARTICLE)
    path = repack(
        tmp_path,
        {"word/document.xml": document(body), "docProps/core.xml": None, "_rels/.rels": rels},
    )
    got = extract_docx(path, path)
    assert got.title is None and got.author is None and got.date is None
    [brief] = read_file(path, file_id="b.docx").briefs
    assert brief.title == "Amiri on the Hashd"


def test_the_main_document_is_found_by_the_package_relationships(tmp_path: Path) -> None:
    source = kit.make_docx(tmp_path, "template.docx")
    path = repack(
        tmp_path,
        {
            "_rels/.rels": part_of(source, "_rels/.rels").replace(
                'Target="word/document.xml"', 'Target="word/main.xml"'
            ),
            "[Content_Types].xml": part_of(source, "[Content_Types].xml").replace(
                "/word/document.xml", "/word/main.xml"
            ),
            "word/main.xml": document(para("The main document") + para(kit.ARTICLE)),
        },
    )
    assert text_of(path).startswith("The main document\n\n")


def content_types_with(tmp_path: Path, old: str, new: str) -> dict[str, str | bytes | None]:
    types = part_of(kit.make_docx(tmp_path, "template.docx"), "[Content_Types].xml")
    assert old in types
    return {"[Content_Types].xml": types.replace(old, new)}


@pytest.mark.parametrize(
    ("parts", "reason"),
    [
        ({"[Content_Types].xml": None}, "damaged Word file (KeyError)"),
        ({"_rels/.rels": None}, "damaged Word file (KeyError)"),  # no main document
        ({"word/styles.xml": None}, "damaged Word file (KeyError)"),  # related, not there
        ({"word/_rels/document.xml.rels": "<Relationships"}, "damaged Word file (XMLSyntaxError)"),
        ({"docProps/core.xml": "<cp:coreProperties"}, "damaged Word file (XMLSyntaxError)"),
        (
            {"word/document.xml": f'<w:document xmlns:w="{W}"/>'},
            "damaged Word file (AttributeError)",
        ),
    ],
)
def test_damaged_packages(
    tmp_path: Path, parts: dict[str, str | bytes | None], reason: str
) -> None:
    path = repack(tmp_path, parts)
    with pytest.raises(BriefError) as caught:
        text_of(path)
    assert caught.value.reason == reason


def test_a_word_file_with_macros_is_no_word_document(tmp_path: Path) -> None:
    main = "wordprocessingml.document.main+xml"
    parts = content_types_with(tmp_path, main, "ms-word.document.macroEnabled.main+xml")
    with pytest.raises(BriefError) as caught:
        text_of(repack(tmp_path, parts))
    assert caught.value.reason == "damaged Word file (ValueError)"


def test_parts_the_reader_does_not_read_are_not_parsed(tmp_path: Path) -> None:
    """python-docx refused a file whose settings or numbering part was broken XML."""
    path = repack(tmp_path, {"word/settings.xml": "<w:settings", "word/numbering.xml": "<"})
    assert text_of(path).startswith("# Badr leader")


def test_a_relationship_without_a_target(tmp_path: Path) -> None:
    rels = part_of(kit.make_docx(tmp_path, "template.docx"), "word/_rels/document.xml.rels")
    path = repack(
        tmp_path, {"word/_rels/document.xml.rels": rels.replace('Target="numbering.xml"', "")}
    )
    with pytest.raises(BriefError) as caught:  # python-docx stopped on a TypeError
        text_of(path)
    assert caught.value.reason == "damaged Word file (a relationship without a target)"


def test_a_part_that_cannot_be_unpacked(tmp_path: Path) -> None:
    path = kit.make_docx(tmp_path)
    with zipfile.ZipFile(path) as zf:
        entry = zf.getinfo("word/document.xml")
    data = bytearray(path.read_bytes())
    start = entry.header_offset + 30 + len(entry.filename) + 10
    data[start : start + 20] = b"\xff" * 20  # the deflated stream broken, not its directory
    path.write_bytes(bytes(data))
    with pytest.raises(BriefError) as caught:  # python-docx stopped on zlib's error
        text_of(path)
    assert caught.value.reason == "damaged Word file (word/document.xml cannot be unpacked)"


# Cells, rows and paragraphs in shapes a hostile or careless writer might give.
_CELL_PROPERTIES = st.sampled_from(
    [
        "",
        "<w:vMerge/>",
        '<w:vMerge w:val="restart"/>',
        '<w:vMerge w:val="continue"/>',
        '<w:gridSpan w:val="2"/>',
        '<w:gridSpan w:val="0"/>',
        '<w:gridSpan w:val="-3"/>',
        '<w:gridSpan w:val="x"/>',
        "<w:gridSpan/>",
        '<w:gridSpan w:val="2"/><w:vMerge/>',
    ]
)
_PARAGRAPHS = st.sampled_from(
    [
        "<w:p/>",
        para("text"),
        para("Heading", "Heading1"),
        para("bold", None, '<w:b w:val="maybe"/>'),
        "<w:p><w:pPr><w:pStyle/></w:pPr><w:r><w:t>no style id</w:t></w:r></w:p>",
        '<w:p><w:hyperlink><w:r><w:br w:type="x"/><w:t>link</w:t></w:r></w:hyperlink></w:p>',
    ]
)


@st.composite
def _tables(draw: st.DrawFn) -> str:
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        before = draw(st.sampled_from(["", '<w:trPr><w:gridBefore w:val="1"/></w:trPr>']))
        cells = "".join(
            f"<w:tc><w:tcPr>{draw(_CELL_PROPERTIES)}</w:tcPr>{draw(_PARAGRAPHS)}</w:tc>"
            for _ in range(draw(st.integers(0, 3)))
        )
        rows.append(f"<w:tr>{before}{cells}</w:tr>")
    return "<w:tbl>" + "".join(rows) + "</w:tbl>"


@settings(max_examples=60, deadline=None)
@given(blocks=st.lists(st.one_of(_PARAGRAPHS, _tables()), max_size=5))
def test_any_document_body_is_read_or_refused(tmp_path_factory: Any, blocks: list[str]) -> None:
    folder = tmp_path_factory.mktemp("any")
    path = repack(folder, {"word/document.xml": document("".join(blocks))})
    try:
        got = text_of(path)
    except BriefError as exc:
        assert exc.reason.startswith(("damaged Word file", "no text"))
    else:
        assert got.endswith("\n") and got.strip()


def _with_notes(tmp_path: Path, body: str, notes: dict[str, str]) -> Path:
    """A Word file whose body is ``body`` and whose footnotes and endnotes parts hold
    ``notes`` (id "f3" a footnote of id 3, "e1" an endnote), with Word's separators."""
    source = kit.make_docx(tmp_path, "template.docx")
    parts: dict[str, str | bytes | None] = {"word/document.xml": document(body)}
    types = part_of(source, "[Content_Types].xml")
    rels = part_of(source, "word/_rels/document.xml.rels")
    for kind, letter in (("footnote", "f"), ("endnote", "e")):
        own = "".join(
            f'<w:{kind} w:id="{key[1:]}">{para(text)}</w:{kind}>'
            for key, text in notes.items()
            if key[0] == letter
        )
        separator = (
            f'<w:{kind} w:type="separator" w:id="-1">'
            f"<w:p><w:r><w:separator/></w:r></w:p></w:{kind}>"
        )
        parts[f"word/{kind}s.xml"] = f'<w:{kind}s xmlns:w="{W}">{separator}{own}</w:{kind}s>'
        types = types.replace(
            "</Types>",
            f'<Override PartName="/word/{kind}s.xml" ContentType="application/vnd.'
            f'openxmlformats-officedocument.wordprocessingml.{kind}s+xml"/></Types>',
        )
        rels = rels.replace(
            "</Relationships>",
            f'<Relationship Id="rIdN{letter}" Type="{REL}{kind}s" Target="{kind}s.xml"/>'
            "</Relationships>",
        )
    parts["[Content_Types].xml"] = types
    parts["word/_rels/document.xml.rels"] = rels
    return repack(tmp_path, parts, "notes.docx")


def _ref(kind: str, note_id: str) -> str:
    style = '<w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
    return f'<w:r>{style}<w:{kind}Reference w:id="{note_id}"/></w:r>'


def test_footnotes_and_endnotes_follow_the_paragraph_that_cites_them(tmp_path: Path) -> None:
    """Numbered where cited, their text a paragraph after the citing one: a source cited in
    the article stays in the article, one cited in the comment in the comment."""
    body = (
        f"<w:p><w:r><w:t>Amiri spoke in Basra</w:t></w:r>{_ref('footnote', '2')}"
        "<w:r><w:t>.</w:t></w:r></w:p>"
        + para("He added that the forces were part of the state.")
        + f"<w:p><w:r><w:t>Comment: His warning matters</w:t></w:r>{_ref('endnote', '1')}"
        f'{_ref("footnote", "9")}<w:r><w:t xml:space="preserve"> before the vote.</w:t></w:r></w:p>'
    )
    path = _with_notes(
        tmp_path, body, {"f2": "Rudaw, 12 March 2019.", "e1": "Our brief of 3 March."}
    )
    (brief,) = read_file(path, file_id="notes.docx").briefs
    assert brief.article == (
        "Amiri spoke in Basra[1].\n\n[1] Rudaw, 12 March 2019.\n\n"
        "He added that the forces were part of the state."
    )
    # An endnote is numbered in the same run; a reference to no note (id 9) reads as nothing.
    assert brief.comment == "His warning matters[2] before the vote.\n\n[2] Our brief of 3 March."
    assert "separator" not in brief.text


def test_a_round_up_laid_out_in_a_one_column_table_becomes_items(tmp_path: Path) -> None:
    """Each item in a cell of a one-column table (a bold headline, its source line, its text
    and comment, as paragraphs of the cell), written by python-docx: one brief an item."""
    import docx

    document = docx.Document()
    document.add_paragraph("Weekly media digest")
    grid = document.add_table(rows=0, cols=1)
    stories = [("Amiri warns against disarming the Hashd", "Rudaw, 12 March 2019"),
               ("Sadr calls for a technocrat government", "Al-Monitor, 11 March 2019")]  # fmt: skip
    for headline, line in stories:
        box = grid.add_row().cells[0]
        box.paragraphs[0].add_run(headline).bold = True
        box.add_paragraph(line)
        box.add_paragraph(kit.ARTICLE)
        box.add_paragraph(f"Comment: {kit.COMMENT}")
    path = tmp_path / "digest.docx"
    document.save(str(path))
    briefs = read_file(path, file_id="d.docx").briefs
    assert [b.title for b in briefs] == [headline for headline, _ in stories]
    assert [b.source for b in briefs] == ["Rudaw", "Al-Monitor"]
    assert [b.date for b in briefs] == [dt.date(2019, 3, 12), dt.date(2019, 3, 11)]
    assert all(b.article == kit.ARTICLE and b.comment == kit.COMMENT for b in briefs)
