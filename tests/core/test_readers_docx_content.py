"""Tests for the Word reader on what python-docx never read: content controls, tracked changes,
fields, smart tags and custom XML, tables nested in cells, text boxes and mc:AlternateContent.

Each file is a package python-docx wrote with its document part replaced by the
WordprocessingML under test, as another tool would have written it."""

from __future__ import annotations

import functools
import io
import itertools
import re
import zipfile
from collections import Counter
from pathlib import Path

import formats_kit as kit
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from briefreader.core.brief import BriefError
from briefreader.core.readers import read_file, word
from briefreader.core.readers.word import body_blocks, extract_docx

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NAMESPACES = {
    "w": W,
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "v": "urn:schemas-microsoft-com:vml",
}


@functools.cache
def _template() -> bytes:
    import docx

    out = io.BytesIO()
    docx.Document().save(out)
    return out.getvalue()


def docx_bytes(body: str) -> bytes:
    """A Word file written by python-docx whose document body is ``body``."""
    declarations = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NAMESPACES.items())
    part = f"<w:document {declarations}><w:body>{body}</w:body></w:document>"
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_template())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst,
    ):
        for entry in src.infolist():
            is_document = entry.filename == "word/document.xml"
            dst.writestr(entry.filename, part.encode() if is_document else src.read(entry))
    return out.getvalue()


def text_of(body: str) -> str:
    return extract_docx(docx_bytes(body), Path("b.docx")).text


# WordprocessingML, a piece at a time


def run(text: str, properties: str = "") -> str:
    rpr = f"<w:rPr>{properties}</w:rPr>" if properties else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{text}</w:t></w:r>'


def para(*content: str, style: str | None = None) -> str:
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{ppr}{''.join(content)}</w:p>"


def sdt(*content: str) -> str:
    return (
        '<w:sdt><w:sdtPr><w:alias w:val="Control"/><w:id w:val="1"/></w:sdtPr>'
        f"<w:sdtContent>{''.join(content)}</w:sdtContent></w:sdt>"
    )


def table(*rows: str) -> str:
    return f"<w:tbl><w:tblPr/><w:tblGrid/>{''.join(rows)}</w:tbl>"


def row(*cells: str) -> str:
    return f"<w:tr>{''.join(cells)}</w:tr>"


def cell(*content: str, properties: str = "") -> str:
    return f"<w:tc><w:tcPr>{properties}</w:tcPr>{''.join(content) or '<w:p/>'}</w:tc>"


def text_cell(text: str, properties: str = "") -> str:
    return cell(para(run(text)) if text else "", properties=properties)


def change(kind: str, *content: str) -> str:
    """A tracked change: ins, del, moveTo or moveFrom."""
    attributes = 'w:id="9" w:author="Analyst" w:date="2019-03-12T10:00:00Z"'
    return f"<w:{kind} {attributes}>{''.join(content)}</w:{kind}>"


def deleted_run(text: str) -> str:
    return f'<w:r><w:delText xml:space="preserve">{text}</w:delText></w:r>'


def field_char(kind: str) -> str:
    return f'<w:r><w:fldChar w:fldCharType="{kind}"/></w:r>'


def instruction(text: str) -> str:
    return f'<w:r><w:instrText xml:space="preserve">{text}</w:instrText></w:r>'


def field(code: str | list[str], *result: str) -> str:
    """A complex field: begin, its instruction, separate, its result, end."""
    code_runs = [instruction(code)] if isinstance(code, str) else code
    return (
        field_char("begin")
        + "".join(code_runs)
        + field_char("separate")
        + "".join(result)
        + field_char("end")
    )


def text_box(*blocks: str) -> str:
    """A run holding a text box as Word writes one: DrawingML, and VML for older readers."""
    content = f"<w:txbxContent>{''.join(blocks)}</w:txbxContent>"
    return (
        "<w:r><mc:AlternateContent>"
        '<mc:Choice Requires="wps"><w:drawing><wp:anchor behindDoc="0" locked="0"'
        ' layoutInCell="1" allowOverlap="1" simplePos="0" relativeHeight="2">'
        '<wp:simplePos x="0" y="0"/><wp:extent cx="1828800" cy="914400"/>'
        '<wp:docPr id="1" name="Text Box 1"/><a:graphic><a:graphicData'
        ' uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f"<wps:wsp><wps:txbx>{content}</wps:txbx><wps:bodyPr/></wps:wsp>"
        "</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
        '<mc:Fallback><w:pict><v:shape id="Text Box 1" style="width:144pt;height:72pt">'
        f"<v:textbox>{content}</v:textbox></v:shape></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r>"
    )


def vml_text_box(*blocks: str) -> str:
    return (
        '<w:r><w:pict><v:shape id="Old box"><v:textbox>'
        f"<w:txbxContent>{''.join(blocks)}</w:txbxContent>"
        "</v:textbox></v:shape></w:pict></w:r>"
    )


# --------------------------------------------------------------------------------------------
# Content controls, tracked changes, fields, smart tags


def test_content_controls_around_blocks_rows_cells_and_runs() -> None:
    body = (
        sdt(para(run("Amiri warns the government"), style="Heading1"), sdt(para(run("Nested"))))
        + para(run("Said on "), sdt(run("12 March 2019")), run("."))
        + table(
            sdt(row(text_cell("Actor"), sdt(text_cell("Role")))),
            row(cell(sdt(para(run("Amiri")))), text_cell("Badr leader")),
        )
    )
    assert text_of(body) == (
        "# Amiri warns the government\n\nNested\n\nSaid on 12 March 2019.\n\n"
        "Actor | Role\nAmiri | Badr leader\n"
    )


def test_runs_in_a_control_count_for_the_bold_rule() -> None:
    bold = "<w:b/>"
    body = (
        para(sdt(run("Comment", bold)))
        + para(run("Half ", bold), sdt(run("plain")))
        + para(change("ins", run("Inserted comment", bold)))
        # a hyperlink's runs do not count, as python-docx left them out of a paragraph's runs
        + para(f'<w:hyperlink w:anchor="x">{run("Only a bold link", bold)}</w:hyperlink>')
    )
    assert text_of(body) == (
        "**Comment**\n\nHalf plain\n\n**Inserted comment**\n\nOnly a bold link\n"
    )


def test_tracked_changes_read_as_if_accepted() -> None:
    body = (
        para(
            run("Amiri "),
            change("del", deleted_run("rejected ")),
            change("ins", run("welcomed ")),
            run("the plan"),
            change("del", run(" in full")),  # a deleted run with w:t, as some tools write it
            run("."),
        )
        + para(change("moveFrom", run("Moved sentence.")))
        + para(run("Kept. "), change("moveTo", run("Moved sentence.")))
        + para(change("ins", run("Inserted "), change("del", deleted_run("then deleted "))))
    )
    assert text_of(body) == "Amiri welcomed the plan.\n\nKept. Moved sentence.\n\nInserted\n"


def test_a_tracked_brief_reads_as_accepted(tmp_path: Path) -> None:
    body = (
        para(run("Badr leader warns against disarming the Hashd"), style="Heading1")
        + para(run(kit.ARTICLE))
        + para(
            run("Comment: "),
            change("del", deleted_run("Amiri is bluffing. ")),
            change("ins", run(kit.COMMENT)),
        )
    )
    path = tmp_path / "tracked.docx"
    path.write_bytes(docx_bytes(body))
    [brief] = read_file(path, file_id="tracked.docx").briefs
    assert brief.title == "Badr leader warns against disarming the Hashd"
    assert brief.comment == kit.COMMENT
    assert "bluffing" not in brief.text


def test_simple_and_complex_fields_give_their_results() -> None:
    body = (
        para(
            run("Dated "),
            '<w:fldSimple w:instr=" DATE \\@ &quot;d MMMM yyyy&quot; ">',
            run("12 March 2019"),
            "</w:fldSimple>",
        )
        + para(
            run("See "),
            field(' HYPERLINK "https://example.org/amiri" ', run("the report")),
            run("."),
        )
        # the instruction over several runs, the result over several too
        + para(
            field([instruction(" PAGE"), instruction(" \\* ROMAN ")], run("X"), run("IV")),
        )
    )
    text = text_of(body)
    assert text == "Dated 12 March 2019\n\nSee the report.\n\nXIV\n"


def test_nested_fields() -> None:
    # An IF field whose instruction holds a MERGEFIELD (its result is instruction too), and
    # whose result holds a PAGE field (its result is read).
    merge = field(" MERGEFIELD Name ", run("«Name»"))
    instruction_runs = [instruction(" IF "), merge, instruction(' = "" "none" "some" ')]
    body = para(
        field(instruction_runs, run("Pages: "), field(" PAGE ", run("7"))),
        run(" left."),
    )
    assert text_of(body) == "Pages: 7 left.\n"


def test_a_field_over_several_paragraphs() -> None:
    """A table of contents: begun in one paragraph, its result running on, ended in another."""
    body = (
        para(field_char("begin"), instruction(' TOC \\o "1-3" \\h '), field_char("separate"))
        + para(run("Amiri on the Hashd"), run("\t1"))
        + para(run("Muhandis on Kataib"), run("\t2"), field_char("end"))
        + para(run("After the contents."))
    )
    assert text_of(body) == (
        "Amiri on the Hashd 1\n\nMuhandis on Kataib 2\n\nAfter the contents.\n"
    )


def test_fields_without_a_result_and_stray_field_marks() -> None:
    body = para(
        run("Indexed"), field_char("begin"), instruction(' XE "Amiri" '), field_char("end")
    ) + para(field_char("separate"), run("stray separate"), field_char("end"), run(" and end"))
    assert text_of(body) == "Indexed\n\nstray separate and end\n"


def test_smart_tags_custom_xml_and_bidirectional_runs() -> None:
    smart = (
        '<w:smartTag w:uri="urn:schemas-microsoft-com:office:smarttags" w:element="place">'
        '<w:smartTagPr><w:attr w:name="n" w:val="not text"/></w:smartTagPr>'
        + run("Baghdad")
        + "</w:smartTag>"
    )
    body = (
        '<w:customXml w:element="article">'
        + para(
            smart,
            run(" and "),
            f'<w:customXml w:element="city">{run("Erbil")}</w:customXml>',
            run(", "),
            f'<w:dir w:val="rtl">{run("بغداد")}</w:dir>',
            run(" "),
            f'<w:bdo w:val="rtl">{run("أربيل")}</w:bdo>',
            f'<w:hyperlink w:anchor="x">{sdt(run(" (map)"))}</w:hyperlink>',
        )
        + "</w:customXml>"
    )
    assert text_of(body) == "Baghdad and Erbil, بغداد أربيل (map)\n"


# --------------------------------------------------------------------------------------------
# Tables nested in cells


def test_a_table_nested_in_a_cell_gives_its_rows_after_the_row() -> None:
    inner = table(
        row(text_cell("Badr"), text_cell("leader")), row(text_cell("PMF"), text_cell("deputy"))
    )
    innermost = table(row(text_cell("third"), text_cell("level")))
    body = table(
        row(text_cell("Actor"), cell(para(run("Roles")), inner, para(run("and more")))),
        row(text_cell("Muhandis"), cell(table(row(text_cell("second"), cell(innermost))))),
        row(text_cell("Last"), text_cell("row")),
    )
    assert text_of(body) == (
        "Actor | Roles and more\nBadr | leader\nPMF | deputy\n"
        "Muhandis | \nsecond | \nthird | level\n"
        "Last | row\n"
    )


def test_a_one_column_table_is_a_box_of_paragraphs() -> None:
    """A round-up laid out in a table of one column (each item in a cell) reads as its
    paragraphs do, in order, a table nested among them as its rows; a grid of two columns
    stays one line a row, and so does a one-column table inside a cell."""
    bold = "<w:b/>"
    item = cell(
        para(run("Kataib Hezbollah threatens US forces", bold)),
        para(run("Reuters, 12 March 2024")),
        table(row(text_cell("Inner"), text_cell("grid"))),
        para(run("Comment: A shift.")),
    )
    body = table(row(item), row(text_cell("Second item.")))
    assert text_of(body) == (
        "**Kataib Hezbollah threatens US forces**\n\nReuters, 12 March 2024\n\n"
        "Inner | grid\n\nComment: A shift.\n\nSecond item.\n"
    )
    grid = table(row(text_cell("Actor"), text_cell("Role")), row(text_cell("Amiri")))
    assert text_of(grid) == "Actor | Role\nAmiri\n"
    boxed = table(row(text_cell("Outer"), cell(table(row(text_cell("a")), row(text_cell("b"))))))
    assert text_of(boxed) == "Outer | \na\nb\n"


def test_a_layout_table_holding_only_a_table() -> None:
    body = para(run("Before.")) + table(row(cell(table(row(text_cell("A"), text_cell("B"))))))
    assert text_of(body) == "Before.\n\nA | B\n"


def test_a_merged_cell_holding_a_nested_table_gives_it_once() -> None:
    nested = table(row(text_cell("n1"), text_cell("n2")))
    body = table(
        row(
            cell(para(run("Tall")), nested, properties='<w:vMerge w:val="restart"/>'),
            text_cell("B1"),
        ),
        row(text_cell("", "<w:vMerge/>"), text_cell("B2")),
    )
    assert text_of(body) == "Tall | B1\nn1 | n2\nTall | B2\n"


def test_merges_through_rows_and_cells_in_controls() -> None:
    body = table(
        sdt(row(text_cell("Tall", '<w:vMerge w:val="restart"/>'), text_cell("A1"))),
        row(sdt(text_cell("", "<w:vMerge/>")), text_cell("A2")),
        sdt(row(text_cell("", '<w:vMerge w:val="continue"/>'), sdt(text_cell("A3")))),
    )
    assert text_of(body) == "Tall | A1\nTall | A2\nTall | A3\n"


def test_a_merge_continued_at_the_top_of_a_nested_table_is_a_damaged_file() -> None:
    body = para(run(kit.ARTICLE)) + table(row(cell(table(row(text_cell("", "<w:vMerge/>"))))))
    with pytest.raises(BriefError) as caught:
        text_of(body)
    assert caught.value.reason == "damaged Word file (ValueError)"


def test_the_repeats_of_merged_cells_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(word, "REPEATS_MAX", 12)
    body = table(
        row(text_cell("Tall text", '<w:vMerge w:val="restart"/>'), text_cell("r1")),
        row(text_cell("", "<w:vMerge/>"), text_cell("r2")),  # 9 characters repeated, 3 left
        row(text_cell("", "<w:vMerge/>"), text_cell("r3")),  # 9 more would pass 12
    )
    assert text_of(body) == "Tall text | r1\nTall text | r2\n | r3\n"


def test_a_long_merge_down_a_long_table() -> None:
    rows = [row(text_cell("Tall", '<w:vMerge w:val="restart"/>'), text_cell("r0"))]
    rows += [row(text_cell("", "<w:vMerge/>"), text_cell(f"r{n}")) for n in range(1, 3000)]
    assert text_of(table(*rows)) == "".join(f"Tall | r{n}\n" for n in range(3000))


# --------------------------------------------------------------------------------------------
# Text boxes and mc:AlternateContent


def test_a_text_box_is_read_once_after_its_paragraph() -> None:
    body = (
        para(run("Article text."), text_box(para(run("Sidebar: who is Amiri?"))), run(" More."))
        + para(run("Next paragraph."))
        + para(
            vml_text_box(para(run("An old-style box")), table(row(text_cell("x"), text_cell("y"))))
        )
    )
    assert text_of(body) == (
        "Article text. More.\n\nSidebar: who is Amiri?\n\nNext paragraph.\n\n"
        "An old-style box\n\nx | y\n"
    )


def test_a_text_box_in_a_cell_is_part_of_the_cell() -> None:
    box = text_box(para(run("boxed")), table(row(text_cell("in"), text_cell("box"))))
    body = table(row(text_cell("A"), cell(para(run("text"), box))))
    assert text_of(body) == "A | text boxed\nin | box\n"


def test_alternate_content_reads_one_branch() -> None:
    def alternate(*branches: str) -> str:
        return f"<mc:AlternateContent>{''.join(branches)}</mc:AlternateContent>"

    def choice(text: str) -> str:
        return f'<mc:Choice Requires="w14">{run(text)}</mc:Choice>'

    def fallback(text: str) -> str:
        return f"<mc:Fallback>{run(text)}</mc:Fallback>"

    body = (
        para(run("a"), alternate(choice("B"), fallback("b")), run("c"))
        + para(run("d"), alternate(choice("E"), choice("e"), fallback("e")), run("f"))
        + para(run("g"), alternate(fallback("H")), run("i"))
        + para(run("j"), alternate(), run("k"))
        + f"<mc:AlternateContent><mc:Choice>{para(run('Block choice'))}</mc:Choice>"
        + f"<mc:Fallback>{para(run('Block fallback'))}</mc:Fallback></mc:AlternateContent>"
    )
    assert text_of(body) == "aBc\n\ndEf\n\ngHi\n\njk\n\nBlock choice\n"


# --------------------------------------------------------------------------------------------
# Depth


def w(name: str) -> str:
    return f"{{{W}}}{name}"


def test_content_controls_5000_deep_are_read() -> None:
    """The walk keeps its own stack: nesting costs no recursion (built in memory, as no XML
    parser lxml has reads a file this deep: see the next test)."""
    body = etree.Element(w("body"))
    parent = body
    for _ in range(5000):
        parent = etree.SubElement(etree.SubElement(parent, w("sdt")), w("sdtContent"))
    parent = etree.SubElement(parent, w("p"))
    for _ in range(5000):
        parent = etree.SubElement(etree.SubElement(parent, w("sdt")), w("sdtContent"))
    etree.SubElement(etree.SubElement(parent, w("r")), w("t")).text = "Deep text"
    assert body_blocks(body) == ["Deep text"]


def test_tables_1000_deep_are_read() -> None:
    body = etree.Element(w("body"))
    parent = body
    for level in range(1000):
        cell_element = etree.SubElement(
            etree.SubElement(etree.SubElement(parent, w("tbl")), w("tr")), w("tc")
        )
        p = etree.SubElement(cell_element, w("p"))
        etree.SubElement(etree.SubElement(p, w("r")), w("t")).text = f"level {level}"
        parent = cell_element
    # The outermost table has one column, a box: its paragraph is a paragraph; the tables
    # nested in it are lines, one a row.
    assert body_blocks(body) == ["level 0", "\n".join(f"level {level}" for level in range(1, 1000))]


@pytest.mark.parametrize(("depth", "read"), [(120, True), (5000, False)])
def test_deeply_nested_files(depth: int, read: bool) -> None:
    """A file is read as deep as the XML parser goes (libxml2: 256 levels, 120 controls in a
    body), and past that refused as damaged, as python-docx refused it."""
    body = "".join(
        ["<w:sdt><w:sdtContent>"] * depth
        + [para(run("Deep text"))]
        + ["</w:sdtContent></w:sdt>"] * depth
    )
    if read:
        assert text_of(body) == "Deep text\n"
    else:
        with pytest.raises(BriefError) as caught:
            text_of(body)
        assert caught.value.reason == "damaged Word file (XMLSyntaxError)"


# --------------------------------------------------------------------------------------------
# Any mix: what is shown is read once, what is not is never read


class _Words:
    """Unique words: 'seenN' for text a reader sees, 'goneN' for text they do not."""

    def __init__(self) -> None:
        self._count = itertools.count()

    def new(self, prefix: str) -> str:
        return f"{prefix}{next(self._count)}"


Piece = tuple[str, list[str], list[str]]  # WordprocessingML, words shown, words not shown


def _inline(draw: st.DrawFn, words: _Words, depth: int) -> Piece:
    """Paragraph content."""
    kinds = ["run"]
    if depth > 0:
        kinds += ["wrap", "del", "moveFrom", "field", "no result", "simple", "alternate", "box"]
    kind = draw(st.sampled_from(kinds))
    if kind == "run":
        word_ = words.new("seen")
        return run(f" {word_} ", draw(st.sampled_from(["", "<w:b/>"]))), [word_], []
    xml, shown, hidden = _inlines(draw, words, depth - 1)
    if kind == "wrap":
        tag = draw(
            st.sampled_from(
                ["sdt", "ins", "moveTo", "smartTag", "customXml", "hyperlink", "dir", "bdo"]
            )
        )
        if tag == "sdt":
            return sdt(xml), shown, hidden
        return f"<w:{tag}>{xml}</w:{tag}>", shown, hidden
    if kind in ("del", "moveFrom"):
        gone = words.new("gone")
        return change(kind, deleted_run(f" {gone} "), xml), [], [gone, *shown, *hidden]
    if kind == "simple":
        gone = words.new("gone")
        return f'<w:fldSimple w:instr=" {gone} ">{xml}</w:fldSimple>', shown, [*hidden, gone]
    if kind == "alternate":
        other, other_shown, other_hidden = _inlines(draw, words, depth - 1)
        alternate = (
            f"<mc:AlternateContent><mc:Choice>{xml}</mc:Choice>"
            f"<mc:Fallback>{other}</mc:Fallback></mc:AlternateContent>"
        )
        return alternate, shown, [*hidden, *other_shown, *other_hidden]
    if kind == "box":
        box, box_shown, box_hidden = _blocks(draw, words, depth - 1)
        return text_box(box), box_shown, box_hidden
    # a complex field: what is in its instruction is not shown, its result is
    gone = words.new("gone")
    code = [instruction(f" {gone} "), xml, instruction(" \\* MERGEFORMAT ")]
    if kind == "no result":
        xml = field_char("begin") + "".join(code) + field_char("end")
        return xml, [], [gone, *shown, *hidden]
    result, result_shown, result_hidden = _inlines(draw, words, depth - 1)
    return field(code, result), result_shown, [gone, *shown, *hidden, *result_hidden]


def _inlines(draw: st.DrawFn, words: _Words, depth: int) -> Piece:
    pieces = [_inline(draw, words, depth) for _ in range(draw(st.integers(1, 3)))]
    return _joined(pieces)


def _block(draw: st.DrawFn, words: _Words, depth: int) -> Piece:
    kinds = ["para"] + (["control", "custom", "table", "alternate"] if depth > 0 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "para":
        xml, shown, hidden = _inlines(draw, words, depth)
        return para(xml), shown, hidden
    if kind == "table":
        rows = []
        for _ in range(draw(st.integers(1, 2))):
            cells = []
            for _ in range(draw(st.integers(1, 2))):
                content = _blocks(draw, words, depth - 1)
                cells.append((cell(content[0]), content[1], content[2]))
                if draw(st.booleans()):
                    cells[-1] = (sdt(cells[-1][0]), cells[-1][1], cells[-1][2])
            xml, shown, hidden = _joined(cells)
            rows.append((sdt(row(xml)) if draw(st.booleans()) else row(xml), shown, hidden))
        xml, shown, hidden = _joined(rows)
        return table(xml), shown, hidden
    xml, shown, hidden = _blocks(draw, words, depth - 1)
    if kind == "control":
        return sdt(xml), shown, hidden
    if kind == "custom":
        return f'<w:customXml w:element="x">{xml}</w:customXml>', shown, hidden
    other, other_shown, other_hidden = _blocks(draw, words, depth - 1)
    alternate = (
        f"<mc:AlternateContent><mc:Choice>{xml}</mc:Choice>"
        f"<mc:Fallback>{other}</mc:Fallback></mc:AlternateContent>"
    )
    return alternate, shown, [*hidden, *other_shown, *other_hidden]


def _blocks(draw: st.DrawFn, words: _Words, depth: int) -> Piece:
    return _joined([_block(draw, words, depth) for _ in range(draw(st.integers(1, 3)))])


def _joined(pieces: list[Piece]) -> Piece:
    return (
        "".join(xml for xml, _, _ in pieces),
        [word_ for _, shown, _ in pieces for word_ in shown],
        [word_ for _, _, hidden in pieces for word_ in hidden],
    )


@st.composite
def _documents(draw: st.DrawFn) -> Piece:
    return _blocks(draw, _Words(), draw(st.integers(0, 3)))


@settings(max_examples=150, deadline=None)
@given(document=_documents())
def test_what_is_shown_is_read_once_and_nothing_else(document: Piece) -> None:
    body, shown, hidden = document
    try:
        text = text_of(body)
    except BriefError as exc:
        assert exc.reason == "no text in the Word file"
        assert not shown
        return
    found = Counter(re.findall(r"\b(?:seen|gone)\d+\b", text))
    assert found == Counter(shown)
    assert not set(found) & set(hidden)


# Elements in any order and place, with values a careless or hostile writer might give.
_TAGS = [
    "w:p", "w:r", "w:t", "w:tbl", "w:tr", "w:tc", "w:sdt", "w:sdtContent", "w:ins", "w:del",
    "w:hyperlink", "w:fldSimple", "w:fldChar", "w:instrText", "mc:AlternateContent",
    "mc:Choice", "mc:Fallback", "w:drawing", "w:txbxContent", "w:tcPr", "w:vMerge",
    "w:gridSpan", "w:trPr", "w:gridBefore", "w:pPr", "w:pStyle", "w:rPr", "w:b", "w:br",
]  # fmt: skip
_ATTRIBUTES = [
    "", ' w:val="continue"', ' w:val="restart"', ' w:val="2"', ' w:val="0"', ' w:val="-1"',
    ' w:val="x"', ' w:fldCharType="begin"', ' w:fldCharType="separate"',
    ' w:fldCharType="end"', ' w:val="Heading1"',
]  # fmt: skip


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda tag, attributes, inner: f"<{tag}{attributes}>{''.join(inner)}</{tag}>",
        st.sampled_from(_TAGS),
        st.sampled_from(_ATTRIBUTES),
        st.lists(children, max_size=4),
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(st.recursive(st.just("word"), _element, max_leaves=40), max_size=4))
def test_any_mix_of_elements_is_read_or_refused(blocks: list[str]) -> None:
    try:
        text = text_of("".join(blocks))
    except BriefError as exc:
        assert exc.reason.startswith(("damaged Word file (ValueError)", "no text"))
    else:
        assert text.endswith("\n") and text.strip()
