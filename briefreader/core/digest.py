"""Digests: one text holding several items (a daily round-up, a monthly PDF) becomes one brief each.

Any reader's text goes through :func:`split_digest` after it has been parsed as one brief. The
splitter is conservative: a brief with subheadings, a numbered list of points or a long
comment must stay whole, so a text is split only where its layout clearly says "several items":

1. **Dated headlines**: two or more headline lines (a heading, a numbered line or a short line of
   its own), each followed by a date / source line ("Rudaw, 12 March 2019", "12.03.2019 |
   Al-Monitor", "Source: X  Date: Y"). When those headlines are all headings of one level, or
   all numbered, the other headlines of that kind start items too.
2. **Headed items with comments**: two or more headings of one level, at least half of whose
   sections hold their own comment marker.
3. **Numbered headlines**: three or more consecutively numbered headline lines, each a paragraph
   of its own with text after it.
4. **A comment closing each item**: two or more comment markers, with a headline line between
   each comment and the next item's text (and one before the first item's text).

What comes before the first item (the digest's own title, a table of contents) is no item. Each
item's brief has as ``text`` the item's slice of the digest (headline first), so it reads as
the item only and its offsets are exact in it; its title, date and source come from its
headline and date line, falling back on the digest's own date and source.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from briefreader.core.brief import Brief
from briefreader.core.datelines import LETTER, DateLine, Item, read_dateline
from briefreader.core.newsexport import export_items
from briefreader.core.parse import (
    COMMENT_MARKER,
    clean_title,
    first_sentence,
    read_header,
    shorten,
    skip_blank_lines,
    split_sections,
)

MAX_HEADLINE = 160  # characters: a longer line is text, not a headline
MAX_HEADLINE_WORDS = 25
_HEADING = re.compile(r"[ \t]{0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*")
_NUMBERED = re.compile(r"[ \t]{0,3}(\d{1,3})[.)][ \t]+(\S.*?)[ \t]*")
_BULLET = re.compile(r"[ \t]*(?:[-*+\u2022][ \t]|>)")


# --------------------------------------------------------------------------------------------
# Lines and blocks


#: Past this many paragraphs, a text whose paragraphs are shorter than :data:`_MIN_MEAN_BLOCK`
#: characters on average is kept whole: a list of words or a text made to be split, never a
#: round-up of articles (its items' paragraphs are sentences). Each paragraph costs a few
#: hundred bytes here: a 20 MB text of one-letter paragraphs took 2.5 GB and a minute.
_MANY_BLOCKS = 20_000
_MIN_MEAN_BLOCK = 24


@dataclass(frozen=True, slots=True)
class _Block:
    """A paragraph (or a heading line) as offsets: from ``start`` to ``end``, its first line
    ending at ``first_end``; ``second`` its second line's (start, end) when it has exactly
    two; ``lines`` 1, 2 or 3 for more (what a headline block may have is all that counts;
    :func:`_is_list` reads a longer one's lines again from the text)."""

    start: int
    end: int
    first_end: int
    second: tuple[int, int] | None
    lines: int


def _block(lines: list[tuple[int, int]]) -> _Block:
    return _Block(
        lines[0][0], lines[-1][1], lines[0][1], lines[1] if len(lines) == 2 else None,
        min(len(lines), 3),
    )  # fmt: skip


def _blocks(text: str, start: int) -> list[_Block] | None:
    """Paragraphs from ``start``; a Markdown heading is a block of its own. None when there
    are too many for their length to be items' (see :data:`_MANY_BLOCKS`)."""
    most = max(_MANY_BLOCKS, (len(text) - start) // _MIN_MEAN_BLOCK)
    blocks: list[_Block] = []
    current: list[tuple[int, int]] = []
    pos = start
    while pos <= len(text):
        end = text.find("\n", pos)
        line_end = len(text) if end < 0 else end
        line = text[pos:line_end]
        if not line.strip():
            if current:
                blocks.append(_block(current))
                current = []
        elif _HEADING.fullmatch(line):
            if current:
                blocks.append(_block(current))
            blocks.append(_Block(pos, line_end, line_end, None, 1))
            current = []
        elif len(current) < 3:
            current.append((pos, line_end))
        else:
            current[-1] = (pos, line_end)  # only the first lines and the end are kept
        if len(blocks) > most:
            return None
        if end < 0:
            break
        pos = end + 1
    if current:
        blocks.append(_block(current))
    return blocks


def _is_comment(line: str) -> bool:
    return COMMENT_MARKER.match(line) is not None


def _headline_text(line: str) -> str | None:
    """The words of a line that could be a headline, or None."""
    stripped = line.strip()
    if not stripped or len(stripped) > MAX_HEADLINE or _BULLET.match(line):
        return None
    if _is_comment(line) or read_dateline(line) is not None:
        return None
    plain = clean_title(stripped)
    if not LETTER.search(plain) or len(plain.split()) > MAX_HEADLINE_WORDS:
        return None
    if plain.endswith((".", ",", ";", ":")) and not plain.endswith("..."):
        return None
    return plain


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A block that may open an item."""

    block: int  # index in the block list
    kind: str  # "heading", "numbered", "plain"
    level: int  # heading level; the number for "numbered"; 0 for "plain"
    title: str
    dateline: DateLine | None
    body_start: int  # offset after the headline and its date line


def _candidate(text: str, blocks: list[_Block], index: int) -> _Candidate | None:
    block = blocks[index]
    first = text[block.start : block.first_end]
    heading = _HEADING.fullmatch(first)
    kind, level = "plain", 0
    if heading is not None:
        if _is_comment(first):
            return None
        # A numbered heading's number is no part of its title ("## 2. Sudani meets
        # Barzani"), as a numbered line's is not: a Word or HTML round-up reads as its PDF.
        numbered = _NUMBERED.fullmatch(heading.group(2))
        words = numbered.group(2) if numbered is not None else heading.group(2)
        kind, level, title = "heading", len(heading.group(1)), clean_title(words)
        if not title:
            return None
    else:
        numbered = _NUMBERED.fullmatch(first)
        words = _headline_text(numbered.group(2) if numbered else first)
        if words is None:
            return None
        if numbered is not None:
            kind, level = "numbered", int(numbered.group(1))
        title = words
    body_start = block.first_end
    dateline: DateLine | None = None
    if block.second is not None:
        dateline = read_dateline(text[block.second[0] : block.second[1]])
        if dateline is None:
            return None  # a two-line paragraph that is no headline + date line
        body_start = block.end
    elif block.lines > 2:
        return None
    elif index + 1 < len(blocks) and blocks[index + 1].lines == 1:
        following = blocks[index + 1]
        dateline = read_dateline(text[following.start : following.end])
        if dateline is not None:
            body_start = following.end
    if not _has_body_after(blocks, index, dateline is not None and block.lines == 1):
        return None
    return _Candidate(index, kind, level, title, dateline, body_start)


def _has_body_after(blocks: list[_Block], index: int, dateline_block: bool) -> bool:
    return index + 1 + int(dateline_block) < len(blocks)


# --------------------------------------------------------------------------------------------
# Finding the items


def _has_comment(text: str, start: int, end: int) -> bool:
    """Whether a comment marker starts a paragraph (or is a heading) in text[start:end]."""
    previous_blank = True
    for line in text[start:end].split("\n"):
        if line.strip():
            if (previous_blank or line.lstrip().startswith("#")) and _is_comment(line):
                return True
            previous_blank = False
        else:
            previous_blank = True
    return False


def _dated(cands: list[_Candidate]) -> list[_Candidate]:
    dated = [c for c in cands if c.dateline is not None]
    if len(dated) > 2 and dated[0].kind == "heading":
        # "# Daily round-up" and its date over "## " items: the digest's own title.
        top, rest = dated[0].level, dated[1:]
        if all(c.kind == "heading" and c.level > top for c in rest):
            dated = rest
    if len(dated) < 2:
        return []
    kinds = {(c.kind, c.level if c.kind == "heading" else 0) for c in dated}
    if len(kinds) == 1:
        kind, level = next(iter(kinds))
        if kind != "plain":
            return [c for c in cands if c.kind == kind and (kind != "heading" or c.level == level)]
    return dated


def _headed(text: str, blocks: list[_Block], cands: list[_Candidate]) -> list[_Candidate]:
    headings = [c for c in cands if c.kind == "heading"]
    if len(headings) < 2:
        return []
    # Every heading line but a comment's, as (block index, level), in text order.
    levels: list[tuple[int, int]] = []
    for i, block in enumerate(blocks):
        line = text[block.start : block.end]
        h = _HEADING.fullmatch(line)
        if h is not None and not _is_comment(line):
            levels.append((i, len(h.group(1))))
    for level in range(1, 7):
        chosen = [c for c in headings if c.level == level]
        if len(chosen) < 2:
            continue
        # A section ends at the next heading of this level or higher.
        section_end: dict[int, int] = {}
        next_start = len(text)
        for i, heading_level in reversed(levels):
            if heading_level == level:
                section_end[i] = next_start
            if heading_level <= level:
                next_start = blocks[i].start
        commented = sum(
            _has_comment(text, blocks[c.block].start, section_end.get(c.block, len(text)))
            for c in chosen
        )
        if commented >= 2 and commented * 2 >= len(chosen):
            return chosen
    return []


def _numbered(text: str, blocks: list[_Block], cands: list[_Candidate]) -> list[_Candidate]:
    numbered = [c for c in cands if c.kind == "numbered"]
    best: list[_Candidate] = []
    run: list[_Candidate] = []
    for c in numbered:
        if run and c.level == run[-1].level + 1:
            run.append(c)
        else:
            run = [c]
        if len(run) > len(best):
            best = list(run)
    if len(best) >= 3:
        return best
    if len(best) == 2:
        ends = [blocks[best[1].block].start, len(text)]
        if all(
            _has_comment(text, blocks[c.block].start, e) for c, e in zip(best, ends, strict=True)
        ):
            return best
    return []


def _is_list(text: str, block: _Block) -> bool:
    """Whether every line of ``block`` is a bullet or a numbered point."""
    s = block.start
    while s <= block.end:
        e = text.find("\n", s, block.end)
        e = block.end if e < 0 else e
        if not (_BULLET.match(text, s, e) or _NUMBERED.fullmatch(text, s, e)):
            return False
        s = e + 1
    return True


def _comment_closed(text: str, blocks: list[_Block], cands: list[_Candidate]) -> list[_Candidate]:
    """Items each closed by a comment, a headline line before each item's text."""
    markers = [i for i, b in enumerate(blocks) if _is_comment(text[b.start : b.first_end])]
    if len(markers) < 2:
        return []
    by_block = {c.block: c for c in cands}
    chosen: list[_Candidate] = []
    # The first item's headline: the last one before the first paragraph of text (not a
    # headline, its date line or a list such as a table of contents) ahead of the first marker.
    first: _Candidate | None = None
    covered = -1
    for i in range(markers[0]):
        if i in by_block:
            first = by_block[i]
            covered = first.body_start
        elif blocks[i].end <= covered or _is_list(text, blocks[i]):
            continue
        elif first is not None:
            break
    if first is None:
        return []
    chosen.append(first)
    for previous, marker in zip(markers, markers[1:], strict=False):
        between = [by_block[i] for i in range(previous + 1, marker) if i in by_block]
        if not between:
            return []
        chosen.append(between[0])
    return chosen


#: A line drawn between items ("-----", "=====", "* * *"), or a page's number alone ("Page
#: 3", "3 of 12"), as a document's foot leaves it at its last item's end.
_RULE = re.compile(
    r"[ \t]*(?:([-=*_~\u2013\u2014\u2022#])(?:[ \t]*\1){2,}"
    r"|(?:page[ \t]+)?\d{1,4}(?:[ \t]*(?:of|/)[ \t]*\d{1,4})?)[ \t]*",
    re.IGNORECASE,
)


def _without_rules(text: str, start: int, end: int) -> int:
    """Where text[start:end] ends without its trailing blank lines, the rule lines drawn
    under it and a page number, which belong to no item."""
    end = _trimmed(text, start, end)
    while end > start:
        line_start = text.rfind("\n", start, end) + 1
        if line_start <= start or not _RULE.fullmatch(text, line_start, end):
            break
        end = _trimmed(text, start, line_start)
    return end


def _trimmed(text: str, start: int, end: int) -> int:
    """``end`` moved back over white space, not before ``start`` (no copy of the text: a
    run of thousands of rule lines is walked back once)."""
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def find_items(text: str, start: int = 0) -> list[Item]:
    """The items of a digest in ``text`` from ``start``; [] when the text is one brief."""
    exported = export_items(text, start)
    if exported:
        return exported
    blocks = _blocks(text, start)
    if blocks is None or len(blocks) < 4:
        return []
    cands = [c for i in range(len(blocks)) if (c := _candidate(text, blocks, i)) is not None]
    if len(cands) < 2:
        return []
    chosen = (
        _dated(cands)
        or _headed(text, blocks, cands)
        or _numbered(text, blocks, cands)
        or _comment_closed(text, blocks, cands)
    )
    if len(chosen) < 2:
        return []
    items: list[Item] = []
    for n, c in enumerate(chosen):
        item_start = blocks[c.block].start
        item_end = blocks[chosen[n + 1].block].start if n + 1 < len(chosen) else len(text)
        item_end = _without_rules(text, item_start, item_end)
        if not items and item_end <= c.body_start and len(chosen) - n > 2:
            continue  # a title and a date with no text under them: the digest's own heading
        items.append(
            Item(
                start=item_start,
                end=item_end,
                title=c.title,
                body_start=min(c.body_start, item_end),
                date=c.dateline.date if c.dateline else None,
                source=c.dateline.source if c.dateline else None,
            )
        )
    return items


# --------------------------------------------------------------------------------------------
# Items as briefs


def child_id(base: str, part: str | int) -> str:
    """The id of a part of ``base``: ``file#3`` for item 3 of a file, ``file#12/3`` within one."""
    return f"{base}{'/' if '#' in base else '#'}{part}"


def text_sha256(text: str) -> str:
    """The content hash of a brief whose text was extracted or cut, not read as it is on disk."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def split_digest(brief: Brief) -> list[Brief]:
    """One brief per item of ``brief``'s text, or ``[brief]`` when it is not a digest.

    Item n's id is :func:`child_id` of ``brief.id`` and n; its ``file_id`` is the file's.
    """
    items = find_items(brief.text, read_header(brief.text)[1])
    if not items:
        return [brief]
    return list(_item_briefs(brief, items))


def _item_briefs(brief: Brief, items: list[Item]) -> Iterator[Brief]:
    for n, item in enumerate(items, start=1):
        text = brief.text[item.start : item.end]
        article_start = skip_blank_lines(text, item.body_start - item.start)
        article, comment, comment_start = split_sections(text, article_start)
        title = item.title or shorten(first_sentence(article)) or f"Item {n}"
        page = brief.page_at(item.start)
        breaks = tuple(b - item.start for b in brief.page_breaks if item.start < b < item.end)
        yield dataclasses.replace(
            brief,
            id=child_id(brief.id, n),
            text=text,
            title=shorten(title),
            date=item.date or brief.date,
            source=item.source or brief.source,
            article=article,
            article_start=article_start,
            comment=comment,
            comment_start=comment_start,
            sha256=text_sha256(text),
            file_id=brief.file_id or brief.id,
            item=n,
            page=page,
            page_breaks=breaks,
        )
