"""A saved web page made ready for the main-text extractor, and its headings put back after.

trafilatura reads a page as its markup says, not as a browser shows it, and some pages lose
their shape on the way. Before it reads a page (:func:`as_blocks`, on a copy of the parsed
page), layout tables and the bare text beside a page's blocks are made into plain blocks, so
pages laid out in tables (old sites, newsletters) keep their headings and paragraphs; prose in
a ``pre`` (a text file a word processor saved as a web page) is made into paragraphs; and where
emphasis holds a line break of the page's source, every line break of its text outside
preformatted elements is made a space, as a browser shows it. After it,
:func:`restore_headings` puts back the headings it left out of a page without an article
element. Nothing here reads bytes or metadata: that is the reader's, :mod:`.webpage`.
"""

from __future__ import annotations

import bisect
import copy
import re
from typing import Any

import lxml.html
from lxml import etree

#: Elements whose text a browser never shows (scripts, style sheets, embedded objects).
DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg")


def as_blocks(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The page with layout tables and loose text made into plain blocks; else ``tree`` itself.

    Older sites and HTML newsletters lay the whole page out in tables; trafilatura reads a
    table's cells as table cells, so an article inside one loses its headings and paragraph
    breaks (all of it one line) and the data tables nested in it are dropped. A table is
    layout, not data, when it says so (``role="presentation"``), when it holds a heading or
    another table, or when its rows hold one cell each: then its rows and cells become
    ``div``s and what they hold stays as it was.
    A data table, even one with paragraphs in its cells (as word processors write them), is
    left alone.

    A container may also hold a paragraph as bare text beside its blocks (a story's first
    paragraph after a byline ``div``, say); trafilatura skips such text, so each run of it,
    with its links and emphasis, becomes a ``p`` of its own.

    Line breaks in the page's source are spaces to a browser, but trafilatura keeps those
    inside bold and italic text (word processors wrap their HTML at 70 characters, so a
    bold headline came out as "**Talks in\nErbil**"): where emphasis holds one, every line
    break of the page's text is made a space.

    Prose in a ``pre`` becomes paragraphs (:func:`_as_paragraphs`). The changes are made on a
    copy: ``tree`` stays the page as it is, for the metadata and :func:`restore_headings`.
    """
    tables = _layout_tables(tree)
    prose = any(_is_prose(pre) for pre in tree.iter("pre"))
    wrapped = any(_wrapped(element) for element in tree.iter(*_EMPHASIS))
    if (
        not tables
        and not prose
        and not wrapped
        and not any(_has_loose_text(box) for box in tree.iter(*_CONTAINERS))
    ):
        return tree
    page = copy.deepcopy(tree)
    if wrapped:
        _unwrap_lines(page)
    for pre in list(page.iter("pre")):
        if _is_prose(pre):
            _as_paragraphs(pre)
    for table in _layout_tables(page):
        for part in table.xpath("./thead | ./tbody | ./tfoot | ./caption"):
            part.tag = "div"
        for row in table.xpath("./tr | ./div/tr"):
            row.tag = "div"
        for cell in table.xpath("./div/td | ./div/th | ./div/div/td | ./div/div/th"):
            # A cell of text alone ("<b>Headline</b><br>Reuters, 12 March") is a paragraph:
            # trafilatura passes over a short div of bare text.
            blocks = any(_is_block(child) for child in cell)
            cell.tag = "div" if blocks or not (cell.text_content() or "").strip() else "p"
        table.tag = "div"
        table.attrib.pop("role", None)
    for box in list(page.iter(*_CONTAINERS)):
        if _has_loose_text(box):
            _wrap_loose_text(box)
    return page


_BLOCK_TAGS = frozenset(
    ("address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figure", "footer",
     "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
     "pre", "section", "table", "ul")
)  # fmt: skip
_CONTAINERS = ("body", "main", "article", "section", "div", "td", "th")


def _is_block(element: lxml.html.HtmlElement) -> bool:
    return isinstance(element.tag, str) and element.tag in _BLOCK_TAGS


#: Words a line from which preformatted text is prose (code and tables have fewer).
_PROSE_LINE_WORDS = 10


def _is_prose(pre: lxml.html.HtmlElement) -> bool:
    """Whether a ``pre`` holds prose with paragraphs (a text file a word processor saved as
    a web page does), not code or a laid-out table."""
    if len(pre):  # markup inside: left as it is
        return False
    text = (pre.text or "").strip()
    lines = [line for line in text.split("\n") if line.strip()]
    words = sum(len(line.split()) for line in lines)
    return "\n\n" in text and words >= _PROSE_LINE_WORDS * len(lines)


def _as_paragraphs(pre: lxml.html.HtmlElement) -> None:
    """A prose ``pre`` made into a ``div`` of paragraphs, one for each of its blank-line
    separated blocks (the extractor keeps its text but not its blank lines, so a "Comment:"
    paragraph no longer started one)."""
    blocks = [b.strip() for b in re.split(r"\n[ \t]*\n", pre.text or "") if b.strip()]
    pre.tag = "div"
    pre.text = None
    for name in list(pre.attrib):
        del pre.attrib[name]
    for block in blocks:
        paragraph = etree.SubElement(pre, "p")
        paragraph.text = " ".join(block.split())


_EMPHASIS = ("b", "strong", "i", "em", "u", "font", "span")
#: Where a line break is the text's own, not a space.
_PREFORMATTED = frozenset(("pre", "textarea", "script", "style", "code", "xmp", "listing"))
_LINE_BREAK = re.compile(r"[ \t\r\f\v]*\n\s*")


def _wrapped(element: lxml.html.HtmlElement) -> bool:
    """Whether emphasis holds a line break of the source between words."""
    text = element.text
    return bool(text) and "\n" in text.strip()


def _unwrap_lines(page: lxml.html.HtmlElement) -> None:
    """Every line break of the page's text made a space (as a browser shows it), but in
    preformatted text."""
    inside = 0  # depth in preformatted elements
    for event, element in etree.iterwalk(page, events=("start", "end")):
        preformatted = isinstance(element.tag, str) and element.tag in _PREFORMATTED
        if event == "start":
            inside += preformatted
            if not inside and element.text and "\n" in element.text:
                element.text = _LINE_BREAK.sub(" ", element.text)
        else:
            inside -= preformatted
            if not inside and element.tail and "\n" in element.tail:
                element.tail = _LINE_BREAK.sub(" ", element.tail)


def _has_loose_text(box: lxml.html.HtmlElement) -> bool:
    """True when ``box`` holds blocks and, beside them, text that is in none."""
    children = list(box)
    if not any(_is_block(child) for child in children):
        return False
    if (box.text or "").strip():
        return True
    return any(
        (child.tail or "").strip() or _is_inline_text(child)
        for child in children
        if isinstance(child.tag, str)
    )


def _is_inline_text(element: lxml.html.HtmlElement) -> bool:
    """An inline element (a link, emphasis...) with words in it; not a script or an image."""
    return (
        isinstance(element.tag, str)
        and element.tag not in _BLOCK_TAGS
        and element.tag not in DROP_TAGS
        and bool(element.text_content().strip())
    )


def _wrap_loose_text(box: lxml.html.HtmlElement) -> None:
    """Each run of text and inline elements between ``box``'s blocks into a ``p`` of its own.

    A run without words (an image, a script, white space) is left as it was.
    """
    out: list[lxml.html.HtmlElement] = []
    run = lxml.html.Element("p")
    run.text = box.text
    box.text = None

    def close_run() -> None:
        nonlocal run
        if (run.text or "").strip() or any(_is_inline_text(child) for child in run):
            out.append(run)
        else:
            out.extend(run)  # no words: the elements stay where they were, unwrapped
        run = lxml.html.Element("p")

    for child in list(box):
        box.remove(child)  # its tail goes with it
        if _is_block(child) or not isinstance(child.tag, str):
            close_run()
            tail, child.tail = child.tail, None
            out.append(child)
            run.text = tail
        else:
            run.append(child)
    close_run()
    box.extend(out)


def _layout_tables(tree: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The layout tables of a page, in one pass however deep its tables nest."""
    layout: dict[lxml.html.HtmlElement, None] = {}
    seen: set[lxml.html.HtmlElement] = set()
    for element in tree.iter("table", "h1", "h2", "h3", "h4", "h5", "h6"):
        if element.tag == "table" and (
            (element.get("role") or "").strip().lower() in ("presentation", "none")
            or _one_column(element)
        ):
            layout[element] = None
        # Every table above a heading or a table is layout; a stretch walked once is not
        # walked again, so the pass stays linear.
        parent = element.getparent()
        while parent is not None and parent not in seen:
            seen.add(parent)
            if parent.tag == "table":
                layout[parent] = None
            parent = parent.getparent()
    return list(layout)


def _one_column(table: lxml.html.HtmlElement) -> bool:
    """Whether every row of ``table`` holds one cell at most: a box to lay a page out (a
    newsletter's items each in a bordered cell, a headline over its text), never a grid of
    data. Its own rows only are looked at, so every row of a page is looked at once."""
    rows = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
    return bool(rows) and all(len(row.xpath("./td | ./th")) <= 1 for row in rows)


_HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_UNSEEN_TAGS = frozenset(DROP_TAGS)
#: Words of a block's start that say where it stands in the main text.
_KEY_WORDS = 6
_MARKUP = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|>[ \t]*|[-+][ \t]+|\d{1,3}[.)][ \t]+)|[*_`]")


def _key(text: str, words: int = _KEY_WORDS) -> str:
    return " ".join(_MARKUP.sub("", text).split()[:words]).lower()


def _headings_and_what_follows(tree: lxml.html.HtmlElement) -> list[tuple[int, str, str]]:
    """Each heading of the page, in order: (level, its words, the start of the first text
    after it), in one walk of the page."""
    found: list[tuple[int, str, str]] = []
    waiting: list[Any] | None = None  # the last heading, until text follows it
    inside = 0  # depth in a heading or in an element whose text is never shown

    def feed(text: str | None) -> None:
        nonlocal waiting
        if waiting is not None and text and text.strip():
            waiting[2] = " ".join(text.split()[: _KEY_WORDS * 2])
            found.append((waiting[0], waiting[1], waiting[2]))
            waiting = None

    for event, element in etree.iterwalk(tree, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _HEADING_TAGS or tag in _UNSEEN_TAGS:
            if event == "start":
                if tag in _HEADING_TAGS and not inside:
                    words = " ".join(element.text_content().split())
                    waiting = [int(tag[1]), words, ""] if words else None
                inside += 1
            else:
                inside -= 1
                if not inside:
                    feed(element.tail)
            continue
        if inside:
            continue
        feed(element.text if event == "start" else element.tail)
    return found


def restore_headings(tree: lxml.html.HtmlElement, body: str) -> str:
    """The main text with the page's headings put back where the extractor left them out.

    trafilatura keeps the headings of a page it finds an article element in, but a page
    without one (a round-up saved from a mail client, a plain page of items under ``h2``s)
    comes back as paragraphs only, and the digest splitter then sees no items. When the main
    text holds no heading, each heading of the page is put back above the line where the text
    that follows it on the page begins, if two or more are (one is a page's title, which the
    brief has already); headings whose text is not in the main text (menus, sidebars) or is
    there already as a line stay out."""
    lines = body.split("\n")
    if any(line.lstrip().startswith("#") for line in lines):
        return body  # the extractor kept the page's headings: those left out are not its own
    present = {_key(line, 1000) for line in lines}
    # Where each line starts, by its first one to _KEY_WORDS words (the following text may be
    # a link or an emphasis, only the start of its line).
    starts: dict[str, list[int]] = {}
    for number, line in enumerate(lines):
        first = _key(line).split()
        for n in range(1, len(first) + 1):
            starts.setdefault(" ".join(first[:n]), []).append(number)
    placed: list[tuple[int, str]] = []
    after = -1
    for level, words, follow in _headings_and_what_follows(tree):
        if _key(words, 1000) in present:
            continue
        candidates = starts.get(_key(follow), [])
        at = bisect.bisect_right(candidates, after)
        if at == len(candidates):
            continue
        after = candidates[at]
        placed.append((after, "#" * level + " " + words))
    if len(placed) < 2:
        return body
    out: list[str] = []
    next_heading = 0
    for number, line in enumerate(lines):
        while next_heading < len(placed) and placed[next_heading][0] == number:
            out += [placed[next_heading][1], ""]
            next_heading += 1
        out.append(line)
    return "\n".join(out)
