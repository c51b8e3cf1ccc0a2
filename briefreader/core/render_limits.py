"""When Markdown is too complex to lay out in bounded time: counted from the text alone.

Python-Markdown's work grows faster than the text in many ways. Past the limits below a brief
is shown as plain text instead (its marks kept): hand-written briefs stay far below them, and
within them Markdown's extra work stays around a tenth of a second.
"""

from __future__ import annotations

import re

#: It recurses once per level of list or quote: 500 nested list levels raise RecursionError.
MAX_INDENT = 120
MAX_QUOTE_DEPTH = 40
#: "[" and an unclosed "<" are rescanned to their paragraph's end (10,000 "![": minutes).
MAX_INLINE_OPENERS = 400
#: Every other inline match (emphasis, code, tags, entities, line breaks) copies the rest
#: of its paragraph: their marks times its characters, per paragraph (32,000 "*a*": 1 s).
MAX_INLINE_WORK = 500_000_000
#: A block is cut at each heading, rule, underline or definition line in it and the rest
#: read again: such lines times lines, per block (8,000 one-line headings in a row: 1.4 s).
MAX_BLOCK_RESCANS = 2_000_000
#: Each fenced code block is cut out of the whole text: fences times characters (25,000
#: empty fences: 5 s).
MAX_FENCE_WORK = 300_000_000
#: Blocks are taken from the front of a list: their number squared (64,000: 2 s).
MAX_BLOCKS = 20_000
#: A tag opened and never closed ("<b" and no ">") is read up to the next ">", each time:
#: the characters so read, in all (8,000 "<a" in paragraphs of their own: 10 s); an
#: unclosed "<![CDATA[" up to the next "]]>", ten times slower (2,000 in a block: 11 s).
MAX_TAG_SCAN = 5_000_000
MAX_CDATA_SCAN = 500_000
#: Each piece of raw HTML or entity is put back by one pattern of every piece's place:
#: pieces squared ("<" and "&" counted; 12,500 raw HTML blocks: 1 s).
MAX_RAW_HTML = 10_000
#: Raw HTML nested deeper than this (16,000 nested <div>: 1 s, growing with the square).
MAX_HTML_DEPTH = 2_000
#: Each footnote reference looks for its definition in a list: definitions x references.
MAX_FOOTNOTE_WORK = 4_000_000
#: With an abbreviation defined, each element is looked for among its siblings: elements
#: squared (one abbreviation and 16,000 paragraphs: 2.9 s).
MAX_ABBREVIATION_WORK = 25_000_000
_DEEP = re.compile(r"^[ \t>]{31,}", re.MULTILINE)  # shorter prefixes are within both limits
#: Blank lines between blocks (Markdown's paragraphs; the plain text's too).
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_SPLIT_LINE = re.compile(r"^[ \t>]*(?:#|:[ \t]|[-*_=][-*_= \t]*$)", re.MULTILINE)
_FENCE_LINE = re.compile(r"^[ \t>]*(?:`{3}|~{3})", re.MULTILINE)
_INLINE_MARKS = ("*", "_", "`", "<", "&", "\\", "  \n")
_TAG_EDGE = re.compile(r"<[A-Za-z]|>")
_CDATA_EDGE = re.compile(r"<!\[CDATA\[|\]\]>")
_TAG_NAME = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
_VOID_TAGS = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
     "track", "wbr")
)  # fmt: skip
_FOOTNOTE = re.compile(r"^[ ]{0,3}\[\^[^\]\n]+\]:", re.MULTILINE)
_ABBREVIATION = re.compile(r"^\*\[[^\]\n]*\][ ]?:", re.MULTILINE)


def too_complex(md: str) -> bool:
    """True when Markdown would take unbounded time or recursion to render (see above)."""
    return complexity(md) is not None


def complexity(md: str) -> str | None:
    """Which limit above laying ``md`` out would pass, or None: counted in one pass or a
    few, from the text alone."""
    for m in _DEEP.finditer(md):
        prefix = m.group(0)
        if prefix.count(">") > MAX_QUOTE_DEPTH or len(prefix.expandtabs(4)) > MAX_INDENT:
            return "nesting"
    blocks = PARAGRAPH_BREAK.split(md)
    if len(blocks) > MAX_BLOCKS:
        return "blocks"
    lines = md.count("\n") + 1
    marks = sum(md.count(c) for c in _INLINE_MARKS)
    # Each count per block only when the whole text's bound passes the limit.
    if _openers(md) > MAX_INLINE_OPENERS and any(_openers(b) > MAX_INLINE_OPENERS for b in blocks):
        return "inline openers"
    if marks * len(md) > MAX_INLINE_WORK and (
        sum(sum(b.count(c) for c in _INLINE_MARKS) * len(b) for b in blocks) > MAX_INLINE_WORK
    ):
        return "inline marks"
    splits = len(_SPLIT_LINE.findall(md))
    if splits * lines > MAX_BLOCK_RESCANS and (
        sum(len(_SPLIT_LINE.findall(b)) * (b.count("\n") + 1) for b in blocks) > MAX_BLOCK_RESCANS
    ):
        return "headings and rules"
    if ("```" in md or "~~~" in md) and len(_FENCE_LINE.findall(md)) * len(md) > MAX_FENCE_WORK:
        return "fences"
    if md.count("<") + md.count("&") > MAX_RAW_HTML:
        return "raw html"
    if "<" in md:
        if _scan_to_close(md, _TAG_EDGE, ">") > MAX_TAG_SCAN:
            return "unclosed tags"
        if "<![" in md and _scan_to_close(md, _CDATA_EDGE, "]]>") > MAX_CDATA_SCAN:
            return "unclosed tags"
        if md.count("<") > MAX_HTML_DEPTH and _html_depth(md) > MAX_HTML_DEPTH:
            return "html nesting"
    if "[^" in md and len(_FOOTNOTE.findall(md)) * md.count("[^") > MAX_FOOTNOTE_WORK:
        return "footnotes"
    if "*[" in md and _ABBREVIATION.search(md) is not None:
        elements = len(blocks) + lines + marks
        if elements * elements > MAX_ABBREVIATION_WORK:
            return "abbreviations"
    return None


def _openers(text: str) -> int:
    """Brackets and unclosed angle brackets: what the slow inline patterns rescan."""
    return max(text.count("["), text.count("<") - text.count(">"))


def _scan_to_close(md: str, edges: re.Pattern[str], close: str) -> int:
    """The characters read looking for the end of each opening that ``edges`` finds: up to
    the next ``close`` (found by ``edges`` too), or the text's end."""
    total = 0
    opened: list[int] = []
    for m in edges.finditer(md):
        if m.group() == close:
            total += len(opened) * m.start() - sum(opened)
            opened.clear()
        else:
            opened.append(m.start())
    return total + len(opened) * len(md) - sum(opened)


def _html_depth(md: str) -> int:
    """How deep raw HTML tags nest (an element never closed counts as open to the end)."""
    depth = deepest = 0
    for m in _TAG_NAME.finditer(md):
        if m.group(1):
            depth = max(0, depth - 1)
        elif m.group(2).lower() not in _VOID_TAGS:
            depth += 1
            deepest = max(deepest, depth)
    return deepest
