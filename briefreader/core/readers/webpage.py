"""Saved web pages (.html, .htm, .xhtml): the page's main text and its own metadata.

The main text (not menus, footers, share buttons or comment sections) comes from trafilatura,
as Markdown: headings as ``#`` lines, paragraphs apart, bold kept, so a "**Comment:**"
paragraph and a round-up's headings reach the comment rule and the digest splitter. The title,
date, source and author come from the page's metadata (Open Graph, JSON-LD, ``<meta>``,
``<time datetime>``, ``<title>``), read here with lxml. Nothing is fetched and no script runs:
the page is parsed from the bytes on disk only, and neither library is given a URL. Before
trafilatura reads a page, its layout tables and the bare text beside its blocks are made into
plain blocks (:func:`_as_blocks`), so pages laid out in tables (old sites, newsletters) keep
their headings and paragraphs. Measured on real saved pages by ``benchmarks/html_f1.py``.

A page saved "complete" comes with a ``Name_files`` folder of images and scripts beside it,
which the folder walk leaves out (``walk.is_saved_page_folder``); a page saved as a
single file (.mht, .mhtml) is a MIME message whose HTML part is read (:func:`html_of_archive`).
"""

from __future__ import annotations

import bisect
import configparser
import copy
import functools
import json
import logging
import re
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree

from briefreader.core.brief import BriefError
from briefreader.core.parse import decode
from briefreader.core.readers.common import Extracted, date_from_metadata, too_large

log = logging.getLogger(__name__)

SUFFIXES = (".html", ".htm", ".xhtml", ".shtml", ".mht", ".mhtml")
FORMAT = "html"
MAX_BYTES = 50 << 20
#: Web archives (the page, its images and style sheets in one MIME message).
ARCHIVE_SUFFIXES = (".mht", ".mhtml")
MAX_ARCHIVE_BYTES = 100 << 20

_TITLE_KEYS = ("og:title", "twitter:title", "dc.title", "title")
_DATE_KEYS = (
    "article:published_time", "og:article:published_time", "datepublished", "date",
    "pubdate", "publishdate", "publish-date", "dc.date.issued", "dc.date", "dcterms.created",
    "dcterms.date", "sailthru.date", "parsely-pub-date", "article.published", "published_time",
    "article:modified_time", "og:updated_time", "datemodified",
)  # fmt: skip
_SOURCE_KEYS = ("og:site_name", "application-name", "publisher", "dc.publisher")
_AUTHOR_KEYS = ("author", "article:author", "dc.creator", "byl", "sailthru.author")
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg")
_CHROME_TAGS = ("nav", "header", "footer", "aside", "form", "button")


def html_of_archive(data: bytes, path: Path) -> bytes:
    """The page of a web archive (.mht, .mhtml: a MIME message holding the page and its
    images, as browsers save "Webpage, Single File"): its first HTML part's bytes. A part
    whose charset MIME names is given as UTF-8 with a byte order mark, which the page's own
    declaration then does not override."""
    import email
    import email.errors
    import email.policy

    try:
        msg = email.message_from_bytes(data, policy=email.policy.compat32)
        for part in msg.walk():
            if part.get_content_type() != "text/html":
                continue
            payload = part.get_payload(decode=True)
            if not isinstance(payload, bytes):
                continue
            charset = part.get_content_charset()
            if charset:
                try:
                    return b"\xef\xbb\xbf" + payload.decode(charset, "replace").encode("utf-8")
                except LookupError:
                    pass
            return payload
    except (email.errors.MessageError, ValueError, TypeError, RecursionError) as exc:
        raise BriefError(path, f"damaged web archive ({type(exc).__name__})") from None
    raise BriefError(path, "no web page in the web archive")


def extract_html(data: bytes, path: Path) -> Extracted:
    """The main text and metadata of an HTML page given as bytes."""
    if len(data) > MAX_BYTES:
        raise BriefError(path, too_large("web page", len(data), MAX_BYTES))
    text, _encoding, notes = _decode_html(data, path)
    try:
        tree = lxml.html.document_fromstring(text.encode("utf-8"), parser=_parser())
    except (etree.ParserError, ValueError) as exc:
        raise BriefError(path, f"damaged web page ({exc})") from None
    meta = _metadata(tree)
    body = _main_text(_as_blocks(text, tree))
    if body.strip():
        body = _restore_headings(tree, body)
    if not body.strip():
        body = _plain_text(tree)
        if body.strip():
            notes.append("no main text found: the whole page's text was kept")
    if not body.strip():
        raise BriefError(path, "no text in the page")
    return Extracted(
        text=body.strip() + "\n",
        title=meta.get("title"),
        date=date_from_metadata(meta.get("date")),
        source=meta.get("source"),
        author=meta.get("author"),
        warnings=notes,
    )


def _parser() -> lxml.html.HTMLParser:
    # no_network is lxml's default; said here so no one turns it off by accident.
    return lxml.html.HTMLParser(
        encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True
    )


_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def _decode_html(data: bytes, path: Path) -> tuple[str, str, list[str]]:
    """Decode by the page's declared charset, else as a text brief is decoded."""
    declared = _META_CHARSET.search(data[:4096])
    if declared is not None and not data.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        name = declared.group(1).decode("ascii", "replace").lower()
        try:
            return data.decode(name), name, []
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return decode(data)
    except BriefError as exc:
        raise BriefError(path, exc.reason) from None


def _as_blocks(html: str, tree: lxml.html.HtmlElement) -> str:
    """The page with layout tables and loose text made into plain blocks; else ``html`` itself.

    Older sites and HTML newsletters lay the whole page out in tables; trafilatura reads a
    table's cells as table cells, so an article inside one loses its headings and paragraph
    breaks (all of it one line) and the data tables nested in it are dropped. A table is
    layout, not data, when it says so (``role="presentation"``) or when it holds a heading or
    another table: then its rows and cells become ``div``s and what they hold stays as it was.
    A data table, even one with paragraphs in its cells (as word processors write them), is
    left alone.

    A container may also hold a paragraph as bare text beside its blocks (a story's first
    paragraph after a byline ``div``, say); trafilatura skips such text, so each run of it,
    with its links and emphasis, becomes a ``p`` of its own.

    Line breaks in the page's source are spaces to a browser, but trafilatura keeps those
    inside bold and italic text (word processors wrap their HTML at 70 characters, so a
    bold headline came out as "**Talks in\nErbil**"): where emphasis holds one, every line
    break of the page's text is made a space.
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
        return html
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
            cell.tag = "div"
        table.tag = "div"
        table.attrib.pop("role", None)
    for box in list(page.iter(*_CONTAINERS)):
        if _has_loose_text(box):
            _wrap_loose_text(box)
    return str(lxml.html.tostring(page, encoding="unicode"))


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
        and element.tag not in _DROP_TAGS
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
        if element.tag == "table" and (element.get("role") or "").strip().lower() in (
            "presentation",
            "none",
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


def _main_text(html: str) -> str:
    """The article's text as Markdown, by trafilatura; "" when it finds none."""
    import trafilatura  # imported here: it takes a while, and only web pages need it

    try:
        result = trafilatura.extract(
            html,
            config=_trafilatura_config(),
            output_format="markdown",
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            include_formatting=True,
            deduplicate=False,
            with_metadata=False,
        )
    except (ValueError, TypeError, etree.LxmlError, RecursionError) as exc:
        log.debug("main text extraction failed: %s", exc)
        return ""
    return _tidy_markdown(result or "")


_HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_UNSEEN_TAGS = frozenset(_DROP_TAGS)
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


def _restore_headings(tree: lxml.html.HtmlElement, body: str) -> str:
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


@functools.cache
def _trafilatura_config() -> configparser.ConfigParser:
    """trafilatura's settings for saved pages: no timer, our size limit, short briefs kept.

    Below ``MIN_EXTRACTED_SIZE`` characters trafilatura tries its fallback extractors, whose
    text has no paragraphs; a one-paragraph brief with its comment is often shorter than the
    default 250, so the limit is lowered. ``EXTRACTION_TIMEOUT`` 0: no alarm signal, which only
    works on a main thread.
    """
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "100")
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
    config.set("DEFAULT", "MAX_FILE_SIZE", str(MAX_BYTES))
    config.set("DEFAULT", "EXTENSIVE_DATE_SEARCH", "off")
    return config


def _tidy_markdown(text: str) -> str:
    """Paragraphs apart by one blank line, no trailing spaces."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _plain_text(tree: lxml.html.HtmlElement) -> str:
    """Every paragraph of the page's body, for a page the main-text extractor gave up on."""
    for bad in tree.xpath("//" + " | //".join(_DROP_TAGS + _CHROME_TAGS)):
        bad.drop_tree()
    bodies = tree.xpath("//body")
    root = bodies[0] if bodies else tree
    blocks: list[str] = []
    for element in root.iter("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "pre", "div"):
        if element.tag == "div" and element.find(".//p") is not None:
            continue
        own = " ".join(element.text_content().split())
        if not own:
            continue
        if element.tag.startswith("h") and len(element.tag) == 2:
            own = "#" * int(element.tag[1]) + " " + own
        if not blocks or blocks[-1] != own:
            blocks.append(own)
    return "\n\n".join(blocks)


def _metadata(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """Title, date, source and author from the page's own metadata, the first found of each."""
    found: dict[str, str] = {}
    metas: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        value = (meta.get("content") or "").strip()
        if key and value and key not in metas:
            metas[key] = value
    ld = _json_ld(tree)

    def first(keys: tuple[str, ...]) -> str | None:
        for key in keys:
            if metas.get(key):
                return metas[key]
        return None

    title = first(_TITLE_KEYS) or ld.get("headline") or ld.get("name")
    if not title:
        titles = tree.xpath("//title")
        title = " ".join(titles[0].text_content().split()) if titles else None
    source = first(_SOURCE_KEYS) or ld.get("publisher")
    if title and source:
        title = re.sub(rf"\s*[|\-\u2013\u2014:]\s*{re.escape(source)}.*$", "", title) or title
    date = first(_DATE_KEYS[:-3]) or ld.get("datePublished")
    if not date:
        times = tree.xpath("//time[@datetime]")
        date = times[0].get("datetime") if times else None
    date = date or first(_DATE_KEYS[-3:]) or ld.get("dateModified")
    author = first(_AUTHOR_KEYS) or ld.get("author")
    for key, value in (("title", title), ("date", date), ("source", source), ("author", author)):
        if value and value.strip():
            found[key] = " ".join(value.split())
    return found


def _json_ld(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """headline, name, datePublished, dateModified, publisher and author from JSON-LD."""
    out: dict[str, str] = {}
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        for node in _ld_nodes(data):
            for key in ("headline", "name", "datePublished", "dateModified"):
                value = node.get(key)
                if isinstance(value, str) and key not in out:
                    out[key] = value
            for key in ("publisher", "author"):
                value = node.get(key)
                if isinstance(value, list) and value:
                    value = value[0]
                if isinstance(value, dict):
                    value = value.get("name")
                if isinstance(value, str) and key not in out:
                    out[key] = value
    return out


_ARTICLE_TYPES = {"article", "newsarticle", "blogposting", "reportagenewsarticle", "report"}


def _ld_nodes(data: object) -> list[dict[str, object]]:
    """The article nodes of a JSON-LD document (top level, a list, or an @graph)."""
    nodes: list[dict[str, object]] = []
    stack = [data]
    while stack and len(nodes) < 50:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            kind = item.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(isinstance(k, str) and k.lower() in _ARTICLE_TYPES for k in kinds):
                nodes.append(item)
            graph = item.get("@graph")
            if isinstance(graph, list):
                stack.extend(reversed(graph))
    return nodes
