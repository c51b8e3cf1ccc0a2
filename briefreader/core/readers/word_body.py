"""The body of a Word document (WordprocessingML) as the text a reader of it sees, in document
order: the blocks of text the Word reader (core.readers.word) joins into a brief's text.

Headings (the "Heading 1".."Heading 6" and "Title" styles) become ``#`` lines and every
paragraph its own block, so the digest splitter sees a news-archive export's headlines and the
comment rule its "Comment:" paragraphs; a paragraph set wholly in bold stays bold (``**...**``),
as Word users mark a "Comment" that way. A table becomes one line per row, its cells apart by
" | "; but a table of one column (no row holding two cells: a box a round-up's items are laid
out in) gives its cells' paragraphs as paragraphs, as they show.

A paragraph's text is its runs', wherever they sit in it: in hyperlinks, content controls,
tracked insertions and moves, fields' results (a simple field's runs; a complex field's runs
between its separate and end marks, fields nested in it likewise), smart tags, custom XML and
bidirectional runs (a tab or ptab a tab, a line break or carriage return a newline, a page or
column break nothing, a non-breaking hyphen "-"). Deleted and moved-away text, a field's
instruction and ruby annotations are not read. Content controls and custom XML around
paragraphs, tables, rows or cells are read as what they hold. A table nested in a cell gives
its rows as lines after the line of the row that holds it. A text box (DrawingML or VML) gives
its paragraphs and tables after the paragraph it is anchored in, or to its cell's line; of
mc:AlternateContent only the first Choice is read (else the Fallback), so a text box Word
writes twice, as DrawingML and as VML, is read once. A footnote or endnote (given by the Word
reader) is numbered where it is referenced, "[1]", and its text follows that paragraph as a
paragraph of its own, "[1] Rudaw, 12 March 2019", so that it stays in the section (article or
comment) that cites it. Comments, headers and footers are not read, nor is a file's altChunk;
a content control's placeholder text is read,
as Word shows it, and so is text formatted hidden, as python-docx read it. A file python-docx
could write gives the text python-docx gave this reader before, so that an index's briefs stay
the same, python-docx's rules included: the bold rule looks at a paragraph's runs but not its
hyperlinks', and a vertically merged cell's text is repeated on every row it spans. The one
change on purpose: a table of one column gives paragraphs, where it gave one line a cell.

The body is read in one walk without recursion, so nesting as deep as the XML parser takes
(libxml2 refuses more than 256 levels, as it did under python-docx) costs no stack, and in time
linear in the document: the cell above a merged cell is found by a binary search of the row
above, and the repeats of merged cells add at most REPEATS_MAX characters.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from typing import Any

from briefreader.core.readers.common import clean_text

# The WordprocessingML namespace, as lxml writes it before a tag's name.
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _R, _T, _BR = W + "p", W + "r", W + "t", W + "br"
_HYPERLINK, _TBL, _TR, _TC = W + "hyperlink", W + "tbl", W + "tr", W + "tc"
_VAL, _TYPE = W + "val", W + "type"
_NO_BREAK_HYPHEN = W + "noBreakHyphen"
_RUN_MARKS = {W + "tab": "\t", W + "ptab": "\t", W + "cr": "\n", _NO_BREAK_HYPHEN: "-"}
_FOOTNOTE_REF, _ENDNOTE_REF, _ID = W + "footnoteReference", W + "endnoteReference", W + "id"
#: A document's notes' text by kind ("footnote", "endnote") and id.
Notes = dict[tuple[str, str], str]
_HEADING_STYLE = re.compile(r"heading\s*([1-6])$", re.IGNORECASE)

# A paragraph's style name by its style id (None for a paragraph that names no style).
_StyleName = Callable[[str | None], str]

_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_ALTERNATE, _CHOICE, _FALLBACK = _MC + "AlternateContent", _MC + "Choice", _MC + "Fallback"
_FIELD_CHAR, _FIELD_CHAR_TYPE = W + "fldChar", W + "fldCharType"

# Never read: deleted and moved-away text, field instructions, ruby annotations (their base
# text is read) and properties (which hold change marks and tab stops, never text).
_SKIP = frozenset(
    W + name
    for name in (
        "del",
        "moveFrom",
        "delText",
        "instrText",
        "delInstrText",
        "rt",
        "pPr",
        "rPr",
        "tblPr",
        "tblGrid",
        "tblPrEx",
        "trPr",
        "tcPr",
        "sdtPr",
        "sdtEndPr",
        "sectPr",
        "customXmlPr",
        "smartTagPr",
    )
)
# Run children the walk goes into: they may hold a text box (or, for ruby, runs).
_RUN_CONTAINERS = frozenset({W + "drawing", W + "pict", W + "object", W + "ruby", _ALTERNATE})

# What the walk does at an element; every other element it goes into.
_SKIPPED, _PARA, _RUN, _TABLE, _ROW, _CELL, _LINK, _ALT = range(1, 9)
_STARTS = dict.fromkeys(_SKIP, _SKIPPED) | {
    _P: _PARA,
    _R: _RUN,
    _TBL: _TABLE,
    _TR: _ROW,
    _TC: _CELL,
    _HYPERLINK: _LINK,
    _ALTERNATE: _ALT,
}

# How many characters a vertically merged cell's text may add, all told, by being repeated on
# every row the merge spans (as python-docx gave it); past that a continued cell reads empty,
# so that a hostile table (one long cell, a million rows continuing it) stays linear.
REPEATS_MAX = 1_000_000

# The walk keeps a frame for each paragraph, table, row and cell open around where it is. A
# paragraph or table that ends goes to its frame's sink, the innermost of the body, a cell or a
# paragraph: the body makes it a block, a cell its line (paragraphs) or lines after its row
# (tables), and a paragraph keeps it to follow it (a text box's, which sits in a run).


class _Blocks:
    """The body's text: a paragraph a block, a table a block of its rows' lines."""

    __slots__ = ("blocks", "style_name")

    def __init__(self, style_name: _StyleName) -> None:
        self.blocks: list[str] = []
        self.style_name = style_name

    @property
    def sink(self) -> _Sink:
        return self

    def add(self, item: _Paragraph | list[str]) -> None:
        if isinstance(item, list):
            self.blocks.append("\n".join(item))
        else:
            self.blocks.append(_paragraph(item, self.style_name))


class _Paragraph:
    """A paragraph being read: its text, its own runs that show text (for the bold rule), and
    the paragraphs and tables met inside it (a text box's), which follow it."""

    __slots__ = ("after", "element", "links", "pieces", "runs")

    def __init__(self, element: Any) -> None:
        self.element = element
        self.pieces: list[str] = []
        self.runs: list[Any] = []  # its own runs that show text (not its hyperlinks')
        self.links = 0  # hyperlinks open in it
        self.after: list[_Paragraph | list[str]] = []

    @property
    def sink(self) -> _Sink:
        return self

    def add(self, item: _Paragraph | list[str]) -> None:
        self.after.append(item)

    def text(self) -> str:
        return "".join(self.pieces)


class _Cell:
    """A table cell being read: its paragraphs and the lines of the tables nested in it, in
    order; its text is its paragraphs' (one line, in the row's line), the nested lines follow
    the row's line (or, in a one-column table, all of them are blocks in order)."""

    __slots__ = ("element", "items", "span", "text")

    def __init__(self, element: Any, span: int) -> None:
        self.element = element
        self.span = span
        self.items: list[_Paragraph | list[str]] = []
        self.text = ""

    @property
    def nested(self) -> list[str]:
        return [line for item in self.items if isinstance(item, list) for line in item]

    @property
    def sink(self) -> _Sink:
        return self

    def add(self, item: _Paragraph | list[str]) -> None:
        self.items.append(item)


class _Table:
    """A table being read: its lines so far, and its last row (for merges)."""

    __slots__ = ("above", "cells", "element", "lines", "sink")

    def __init__(self, element: Any, sink: _Sink) -> None:
        self.element = element
        self.sink = sink  # where paragraphs misplaced in the table go, and its lines
        self.lines: list[str] = []
        self.above: _Row | None = None  # the row read last
        #: Each row's one cell while no row has more (a layout box), else None.
        self.cells: list[_Cell] | None = []


class _Row:
    """A row being read: its cells (a continued merge as the cell it continues) and, for
    finding the cell above a continued merge, where each cell starts in the grid."""

    __slots__ = ("cells", "element", "maxima", "own", "prefix", "prefixes", "skip", "table")

    def __init__(self, element: Any, table: _Table) -> None:
        self.element = element
        self.table = table
        self.cells: list[_Cell] = []
        self.own: list[bool] = []  # False for a cell continuing a merge from above
        self.prefix = 0  # grid columns the cells so far span
        self.prefixes: list[int] = []  # columns spanned before each cell
        self.maxima: list[int] = []  # the largest of those so far: a sorted list to search
        self.skip: int | None = None

    @property
    def sink(self) -> _Sink:
        return self.table.sink

    def skipped(self) -> int:
        if self.skip is None:
            self.skip = _skipped(self.element)
        return self.skip

    def append(self, cell: _Cell, span: int, own: bool) -> None:
        self.prefixes.append(self.prefix)
        self.maxima.append(max(self.prefix, self.maxima[-1]) if self.maxima else self.prefix)
        self.prefix += span
        self.cells.append(cell)
        self.own.append(own)

    def cell_above(self) -> _Cell:
        """The cell (merges resolved) in the row above that starts at the grid column where the
        next cell of this row starts; ValueError when there is none.

        The first cell of the row above starting at or past that column, as python-docx
        looked along the row (spans are never negative in a file Word wrote, but may be in
        any other); the maxima make it a binary search, not a walk along the row.
        """
        above = self.table.above
        if above is None:
            raise ValueError("a cell continues a merge from above the table")
        column = self.skipped() + self.prefix
        target = column - above.skipped()
        k = bisect.bisect_left(above.maxima, target)
        if k == len(above.maxima) or above.prefixes[k] != target:
            raise ValueError(f"no cell above at grid column {column}")
        return above.cells[k]


_Sink = _Blocks | _Paragraph | _Cell
_Frame = _Blocks | _Paragraph | _Cell | _Table | _Row


def _no_style(style_id: str | None) -> str:
    """No styles known: every paragraph's style is nameless."""
    return ""


def body_blocks(
    body: Any,
    style_name: _StyleName = _no_style,
    repeats_max: int | None = None,
    notes: Notes | None = None,
) -> list[str]:
    """The blocks of text of a document's body (or any element holding paragraphs and tables),
    in document order; ``style_name`` names a paragraph's style by its id (the styles part's
    names), ``repeats_max`` bounds the repeats of merged cells (REPEATS_MAX when None).

    One walk over the tree without recursion, so that nesting (content controls in content
    controls, tables in tables) costs no stack however deep; what it keeps while it walks is
    the children still to see at each level and a frame for each paragraph, table, row and
    cell open around the element it is at.
    """
    walk = _Walk(style_name, REPEATS_MAX if repeats_max is None else repeats_max, notes or {})
    return walk.read(body)


class _Walk:
    """One walk's state: the frames open and the complex fields open."""

    def __init__(self, style_name: _StyleName, repeats_max: int, notes: Notes) -> None:
        self.notes = notes
        self.noted = 0  # notes referenced so far: the next one's number less one
        self.blocks = _Blocks(style_name)
        self.frames: list[_Frame] = [self.blocks]
        self.fields: list[bool] = []  # open complex fields, the innermost last: in instruction?
        self.hidden = 0  # how many of them are in their instruction (then no text is read)
        self.repeats = repeats_max

    def read(self, body: Any) -> list[str]:
        """Walk the tree depth first, keeping the children still to see at each level (an
        element ends when its children run out); a run's own text is read at once, and the
        walk goes into the run only when it holds a drawing or the like."""
        frames = self.frames
        start = _STARTS.get
        # The level walked: the children still to see, and what ends with them (a code, and
        # the frame or paragraph it ends).
        children: Iterator[Any] = iter(body)
        end, frame = 0, None
        stack: list[tuple[Iterator[Any], int, Any]] = []
        while True:
            element = next(children, None)
            if element is None:
                if end:
                    self._end(end, frame)
                if not stack:
                    return self.blocks.blocks
                children, end, frame = stack.pop()
                continue
            code = start(element.tag)
            inner: Any = element
            inner_end = 0
            inner_frame: _Frame | None = None
            if code == _RUN:
                top = frames[-1]
                if not self._run(element, top if type(top) is _Paragraph else None):
                    continue
            elif code is None:
                pass
            elif code == _SKIPPED:
                continue
            elif code == _PARA:
                inner_end, inner_frame = _PARA, _Paragraph(element)
                frames.append(inner_frame)
            elif code == _TABLE:
                inner_end, inner_frame = _TABLE, _Table(element, frames[-1].sink)
                frames.append(inner_frame)
            elif code == _ROW:
                top = frames[-1]
                if type(top) is _Table:  # else a row out of place, read as if not there
                    inner_end, inner_frame = _ROW, _Row(element, top)
                    frames.append(inner_frame)
            elif code == _CELL:
                top = frames[-1]
                if type(top) is _Row:  # else a cell out of place, read as if not there
                    cell = self._cell(element, top)
                    if cell is None:
                        continue  # it continues a merge: its own content is not read
                    inner_end, inner_frame = _CELL, cell
                    frames.append(cell)
            elif code == _LINK:
                top = frames[-1]
                if type(top) is _Paragraph:
                    top.links += 1
                    inner_end, inner_frame = _LINK, top
            else:  # _ALT: only one branch is read, the first Choice, else the Fallback
                inner = next(element.iterchildren(_CHOICE, _FALLBACK), None)
                if inner is None:
                    continue
            stack.append((children, end, frame))
            children, end, frame = iter(inner), inner_end, inner_frame

    def _end(self, code: int, frame: Any) -> None:
        """The end of a paragraph, table, row, cell or hyperlink: what it gave goes where it
        belongs."""
        frames = self.frames
        if code == _PARA:
            frames.pop()
            sink = frames[-1].sink
            sink.add(frame)
            for item in frame.after:
                sink.add(item)
        elif code == _TABLE:
            frames.pop()
            sink = frames[-1].sink
            if frame.cells and type(sink) is not _Cell:
                # A table of one column is a box the page is laid out in (a round-up's items
                # each in a cell), not a grid: its cells' paragraphs are paragraphs.
                for cell in frame.cells:
                    for item in cell.items:
                        sink.add(item)
            elif frame.lines:
                sink.add(frame.lines)
        elif code == _ROW:
            frames.pop()
            table = frame.table
            table.lines.extend(self._row_lines(frame))
            table.above = frame
            if table.cells is not None:
                own = [c for c, o in zip(frame.cells, frame.own, strict=True) if o and c.span > 0]
                if len(own) > 1 or not all(frame.own):
                    table.cells = None
                else:
                    table.cells.extend(own)
        elif code == _CELL:
            frames.pop()
            texts = [item.text() for item in frame.items if not isinstance(item, list)]
            frame.text = " ".join(clean_text("\n".join(texts)).split())
        else:  # _LINK
            frame.links -= 1

    def _run(self, run: Any, paragraph: _Paragraph | None) -> bool:
        """Read a run's text into its paragraph (none: a run out of place, whose fields still
        count); whether the walk must go into the run, for a text box in it."""
        pieces = paragraph.pieces if paragraph is not None else []
        shown = inside = False
        for item in run:
            tag = item.tag
            if tag == _T:
                if not self.hidden:
                    text = item.text or ""
                    pieces.append(text)
                    if text and not text.isspace():
                        shown = True
            elif tag == _FIELD_CHAR:
                self._field(item.get(_FIELD_CHAR_TYPE))
            elif tag == _BR:
                if not self.hidden and item.get(_TYPE, "textWrapping") == "textWrapping":
                    pieces.append("\n")
            elif tag in _RUN_MARKS:
                if not self.hidden:
                    pieces.append(_RUN_MARKS[tag])
                    if tag == _NO_BREAK_HYPHEN:  # the one mark that is not blank
                        shown = True
            elif tag in _RUN_CONTAINERS:
                inside = True
            elif tag in (_FOOTNOTE_REF, _ENDNOTE_REF) and not self.hidden:
                kind = "footnote" if tag == _FOOTNOTE_REF else "endnote"
                note = self.notes.get((kind, item.get(_ID, "")))
                if note is not None and paragraph is not None:
                    self.noted += 1
                    pieces.append(f"[{self.noted}]")
                    paragraph.after.append([f"[{self.noted}] {note}"])
        if shown and paragraph is not None and not paragraph.links:
            paragraph.runs.append(run)
        return inside

    def _field(self, kind: str | None) -> None:
        """A complex field's begin, separate or end: its result (between separate and end) is
        read, its instruction (between begin and separate) is not, nor anything nested in it."""
        fields = self.fields
        if kind == "begin":
            fields.append(True)
            self.hidden += 1
        elif kind == "separate":
            if fields and fields[-1]:
                fields[-1] = False
                self.hidden -= 1
        elif kind == "end" and fields and fields.pop():
            self.hidden -= 1

    def _cell(self, element: Any, row: _Row) -> _Cell | None:
        """Start a cell of the row: the cell to read, or None for one continuing a merge (its
        text is the cell's it continues, its own is not read)."""
        properties = element.find(W + "tcPr")
        span = _span(properties)
        if _merge(properties) == "continue":
            row.append(row.cell_above(), span, own=False)
            return None
        cell = _Cell(element, span)
        row.append(cell, span, own=True)
        return cell

    def _row_lines(self, row: _Row) -> list[str]:
        """The row's line, its cells apart by " | " (a cell spanning no column left out, a
        cell listed twice in a row once), then the lines of the tables nested in its cells."""
        texts: list[str] = []
        previous = None
        for cell, own in zip(row.cells, row.own, strict=True):
            if cell.span <= 0 or cell is previous:
                continue
            previous = cell
            text = cell.text
            if not own:
                if len(text) > self.repeats:
                    text = ""
                self.repeats -= len(text)
            texts.append(text)
        lines = [" | ".join(texts)] if any(texts) else []
        for cell, own in zip(row.cells, row.own, strict=True):
            if own and cell.span > 0:
                lines.extend(cell.nested)
        return lines


def _paragraph(paragraph: _Paragraph, style_name: _StyleName) -> str:
    lines = (" ".join(line.split()) for line in clean_text(paragraph.text()).split("\n"))
    text = "\n".join(line for line in lines if line)
    if not text:
        return ""
    style = style_name(_style_id(paragraph.element))
    heading = _HEADING_STYLE.match(style)
    if heading is not None:
        return "#" * int(heading.group(1)) + " " + " ".join(text.split())
    if style == "Title":
        return "# " + " ".join(text.split())
    if style.startswith("List"):
        return "- " + text
    shown = paragraph.runs
    if shown and len(text) <= 160 and all(_bold(run) for run in shown):
        return f"**{text}**"
    return text


def _style_id(p: Any) -> str | None:
    properties = p.find(W + "pPr")
    style = properties.find(W + "pStyle") if properties is not None else None
    return style.get(_VAL) if style is not None else None


def _bold(run: Any) -> bool:
    """Whether the run itself says bold (a style's bold does not count)."""
    properties = run.find(W + "rPr")
    bold = properties.find(W + "b") if properties is not None else None
    return bold is not None and bold.get(_VAL, "true") in ("1", "true", "on")


def _merge(properties: Any) -> str | None:
    """A cell's vertical merge, from its properties (tcPr)."""
    merge = properties.find(W + "vMerge") if properties is not None else None
    return merge.get(_VAL, "continue") if merge is not None else None


def _span(properties: Any) -> int:
    """How many grid columns a cell spans, from its properties (tcPr)."""
    span = properties.find(W + "gridSpan") if properties is not None else None
    value = span.get(_VAL) if span is not None else None
    return int(value) if value is not None else 1


def _skipped(row: Any) -> int:
    """How many grid columns the row leaves empty before its first cell."""
    properties = row.find(W + "trPr")
    before = properties.find(W + "gridBefore") if properties is not None else None
    value = before.get(_VAL) if before is not None else None
    return int(value) if value is not None else 0
