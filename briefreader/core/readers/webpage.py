"""Saved web pages (.html, .htm, .xhtml): the page's main text and its own metadata.

The main text (not menus, footers, share buttons or comment sections) comes from trafilatura,
as Markdown: headings as ``#`` lines, paragraphs apart, bold kept, so a "**Comment:**"
paragraph and a round-up's headings reach the comment rule and the digest splitter. The title,
date, source and author come from the page's metadata (Open Graph, JSON-LD, ``<meta>``,
``<time datetime>``, ``<title>``), read here with lxml. Nothing is fetched and no script runs:
the page is parsed from the bytes on disk only, and neither library is given a URL. Before
trafilatura reads a page, its layout tables and the bare text beside its blocks are made into
plain blocks, so pages laid out in tables (old sites, newsletters) keep their headings and
paragraphs, and after it the headings it left out are put back: both in
:mod:`.webpage_blocks`. Measured on real saved pages by ``benchmarks/html_f1.py``.

A page saved "complete" comes with a ``Name_files`` folder of images and scripts beside it,
which the folder walk leaves out (``walk.is_saved_page_folder``); a page saved as a
single file (.mht, .mhtml) is a MIME message whose HTML part is read (:func:`html_of_archive`).
"""

from __future__ import annotations

import configparser
import functools
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree

from briefreader.core import formats
from briefreader.core.brief import BriefError
from briefreader.core.parse import COMMENT_NAME, COMMENT_SEPARATOR, decode
from briefreader.core.readers.common import Extracted, date_from_metadata, too_large
from briefreader.core.readers.webpage_blocks import DROP_TAGS, as_blocks, restore_headings

log = logging.getLogger(__name__)

FORMAT = "html"
SUFFIXES = formats.SUFFIXES_BY_FORMAT[FORMAT]
MAX_BYTES = 50 << 20
#: Web archives (the page, its images and style sheets in one MIME message).
ARCHIVE_SUFFIXES = (".mht", ".mhtml", ".webarchive")
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
_CHROME_TAGS = ("nav", "header", "footer", "aside", "form", "button")
#: Paragraph-like elements, counted to tell a page from a document saved as one.
_BLOCK_TAGS = ("p", "li", "div", "td", "dd", "dt", "pre", "blockquote", "h1", "h2", "h3", "h4")
#: Pages of more paragraphs than this are a document (a year's digest, an archive export
#: saved as HTML), not an article among menus: all their text is kept, without the main-text
#: extractor, whose work grows with the square of the paragraphs past a few thousand (10,000
#: list items took it 1.4 s, 20,000 took 7 s, 200,000 a page of 8 MB over a minute).
MAX_MAIN_TEXT_BLOCKS = 10_000
#: The same for elements of any kind (line breaks, links, spans): the extractor's time and
#: memory grow with them too (500,000 line breaks in one paragraph: 20 s and 1.1 GB).
MAX_MAIN_TEXT_ELEMENTS = 60_000


def html_of_archive(data: bytes, path: Path) -> bytes:
    """The page of a web archive: Safari's (:func:`html_of_webarchive`), or else a MIME
    one (:func:`html_of_mhtml`)."""
    if data.startswith(b"bplist00") or path.suffix.lower() == ".webarchive":
        return html_of_webarchive(data, path)
    return html_of_mhtml(data, path)


def html_of_webarchive(data: bytes, path: Path) -> bytes:
    """The page of Safari's web archive (.webarchive, Safari's "Save As" default): a property
    list whose main resource holds the page's bytes and their text encoding's name. Given as
    UTF-8 with a byte order mark when the encoding is named, as for a MIME archive."""
    import plistlib

    try:
        archive = plistlib.loads(data)
    except Exception as exc:  # plistlib raises many kinds on a damaged list
        log.debug("cannot read %s as a web archive", path, exc_info=True)
        raise BriefError(path, f"damaged web archive ({type(exc).__name__})") from None
    main = archive.get("WebMainResource") if isinstance(archive, dict) else None
    if not isinstance(main, dict) or not isinstance(main.get("WebResourceData"), bytes):
        raise BriefError(path, "no web page in the web archive")
    page: bytes = main["WebResourceData"]
    kind = str(main.get("WebResourceMIMEType") or "text/html").lower()
    if "html" not in kind and "xml" not in kind:
        raise BriefError(path, f"the web archive holds no web page ({kind[:40]})")
    encoding = main.get("WebResourceTextEncodingName")
    if isinstance(encoding, str) and encoding:
        try:
            return b"\xef\xbb\xbf" + page.decode(encoding, "replace").encode("utf-8")
        except LookupError:
            pass
    return page


def html_of_mhtml(data: bytes, path: Path) -> bytes:
    """The page of a web archive (.mht, .mhtml: a MIME message holding the page and its
    images, as browsers save "Webpage, Single File"): its first HTML part's bytes, found
    from the parts' headers (the pictures are neither parsed nor decoded: the email
    package's parse of a whole 64 MB archive took 400 MB). A part whose charset MIME names
    is given as UTF-8 with a byte order mark, which the page's own declaration then does
    not override."""
    import email
    import email.errors
    import email.policy

    try:
        span = _html_part(data, 0, len(data), 0)
        if span is None:
            raise BriefError(path, "no web page in the web archive")
        part = email.message_from_bytes(data[span[0] : span[1]], policy=email.policy.compat32)
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            raise BriefError(path, "no web page in the web archive")
        charset = part.get_content_charset()
        if charset:
            try:
                return b"\xef\xbb\xbf" + payload.decode(charset, "replace").encode("utf-8")
            except LookupError:
                pass
        return payload
    except (email.errors.MessageError, ValueError, TypeError) as exc:
        raise BriefError(path, f"damaged web archive ({type(exc).__name__})") from None


#: Multiparts inside multiparts an archive may nest, at most.
_ARCHIVE_DEPTH = 4
_HEADERS_END = re.compile(rb"\r?\n\r?\n")


def _html_part(data: bytes, start: int, end: int, depth: int) -> tuple[int, int] | None:
    """Where the first text/html part of the MIME entity ``data[start:end]`` (headers and
    body) is, looking into multiparts ``_ARCHIVE_DEPTH`` deep."""
    import email
    import email.policy

    blank = _HEADERS_END.search(data, start, end)
    body = blank.end() if blank else end
    headers = email.message_from_bytes(data[start:body], policy=email.policy.compat32)
    kind = headers.get_content_type()
    if kind == "text/html":
        return start, end
    boundary = headers.get_boundary() if kind.startswith("multipart/") else None
    if not boundary or depth >= _ARCHIVE_DEPTH or blank is None:
        return None
    mark = b"--" + boundary.encode("ascii", "replace")
    at = data.find(mark, body, end)
    while at >= 0 and not data.startswith(mark + b"--", at):
        part = data.find(b"\n", at, end) + 1
        if part == 0:
            return None
        following = data.find(b"\n" + mark, part, end)
        part_end = following if following >= 0 else end
        found = _html_part(data, part, part_end, depth + 1)
        if found is not None:
            return found
        at = following + 1 if following >= 0 else -1
    return None


def extract_html(data: bytes | str, path: Path) -> Extracted:
    """The main text and metadata of an HTML page given as bytes, or as text already decoded
    (an email's HTML part, by its MIME charset: a ``<meta charset>`` in it is then not
    followed)."""
    if len(data) > MAX_BYTES:
        raise BriefError(path, too_large("web page", len(data), MAX_BYTES))
    notes: list[str] = []
    if isinstance(data, str):
        text = data
    else:
        text, _encoding, notes = _decode_html(data, path)
    tree, deep = _parse(text, path)
    meta = _metadata(tree)
    blocks = sum(1 for _ in tree.iter(*_BLOCK_TAGS))
    elements = sum(1 for _ in tree.iter())
    if deep:
        # The main-text extractor parses the page again within the usual limits, and would
        # lose what lies past them: the whole text instead.
        whole = (
            "a page past the HTML parser's usual limits (elements nested very deep, or "
            "megabytes of text in one piece)"
        )
    elif blocks > MAX_MAIN_TEXT_BLOCKS or elements > MAX_MAIN_TEXT_ELEMENTS:
        whole = f"a very long page ({elements:,} elements)"
    else:
        whole = ""
    if whole:
        body = _plain_text(tree)
        if body.strip():
            notes.append(f"{whole}: all of its text was kept, its main text was not picked out")
    else:
        body = _main_text(as_blocks(tree))
        if body.strip():
            body = restore_headings(tree, body)
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


def _parser(huge: bool = False) -> lxml.html.HTMLParser:
    # no_network is lxml's default; said here so no one turns it off by accident.
    return lxml.html.HTMLParser(
        encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True,
        huge_tree=huge,
    )  # fmt: skip


def _parse(text: str, path: Path) -> tuple[lxml.html.HtmlElement, bool]:
    """The page's tree, and whether it is read past libxml2's usual limits.

    Past 256 nested elements, or 10 MB of text in one piece, libxml2 stops reading and drops
    the rest of the page without an error (a browser shows all of it): such a page is read
    again with its "huge" option, which reads 2,048 levels deep and a gigabyte of text;
    deeper than that, it is reported, never cut short."""
    data = text.encode("utf-8")
    for huge in (False, True):
        parser = _parser(huge)
        try:
            tree = lxml.html.document_fromstring(data, parser=parser)
        except (etree.ParserError, ValueError) as exc:
            raise BriefError(path, f"damaged web page ({exc})") from None
        if not any(e.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT for e in parser.error_log):
            return tree, huge
    raise BriefError(
        path, "a web page whose elements nest over 2,048 deep: not read (a browser may show "
        "more of it than can be read)",
    )  # fmt: skip


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


def _main_text(page: lxml.html.HtmlElement) -> str:
    """The article's text of the parsed ``page`` as Markdown, by trafilatura; "" when it
    finds none. trafilatura reads a copy of the tree: the page is not parsed twice."""
    import trafilatura  # imported here: it takes a while, and only web pages need it

    try:
        result = trafilatura.extract(page, options=_extractor())
    except (ValueError, TypeError, etree.LxmlError, RecursionError) as exc:
        log.debug("main text extraction failed: %s", exc)
        return ""
    return _tidy_markdown(result or "")


@functools.cache
def _extractor() -> Any:
    """trafilatura's options, made once (a page's own cost a fifth of a millisecond): Markdown
    with tables and emphasis; no comments, images, links, deduplication or metadata."""
    from trafilatura.settings import Extractor

    return Extractor(
        config=_trafilatura_config(), output_format="markdown", comments=False, tables=True,
        images=False, links=False, formatting=True, dedup=False, with_metadata=False,
    )  # fmt: skip


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
    """Paragraphs apart by one blank line, no trailing spaces; a comment paragraph set in
    italics or bold whole opens on its marker (see :data:`_EMPHASISED_COMMENT`)."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    tidy = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return _EMPHASISED_COMMENT.sub(r"\g<marker> \g<mark>", tidy)


#: A paragraph in italics or bold from its comment marker on ("*Comment – The move...*",
#: as pages set an analyst's comment): the marker is taken out of the emphasis ("Comment –
#: *The move...*"), so that it is read as the marker it is and the comment keeps its look.
_EMPHASISED_COMMENT = re.compile(
    rf"^(?P<mark>\*\*|__|\*|_)[ \t]*(?P<marker>{COMMENT_NAME}[ \t]*{COMMENT_SEPARATOR})"
    r"[ \t]*(?=\S)(?!(?P=mark))",
    re.IGNORECASE | re.MULTILINE,
)


def _plain_text(tree: lxml.html.HtmlElement) -> str:
    """Every paragraph of the page's body, for a page the main-text extractor gave up on or
    is not given (a very long page): each block's own text once (a block's nested blocks
    are paragraphs of their own), a line break where the page has one. Linear: every piece
    of text is read by its nearest block alone."""
    for bad in list(tree.iter(*DROP_TAGS, *_CHROME_TAGS)):
        bad.drop_tree()
    bodies = tree.xpath("//body")
    root = bodies[0] if bodies else tree
    blocks: list[str] = []
    for element in root.iter(*_PLAIN_BLOCKS):
        own = _own_text(element)
        if element.tag != "pre":
            lines = (_SPACES.sub(" ", line).strip(" \t") for line in own.split("\n"))
            own = "\n".join(line for line in lines if line)
        own = own.strip("\n")
        if not own.strip():
            continue
        if element.tag in _HEADINGS:
            own = "#" * int(element.tag[1]) + " " + " ".join(own.split())
        blocks.append(own)
    return "\n\n".join(blocks)


_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
#: Runs of white space but tabs (a table row's cells stay apart) and line breaks.
_SPACES = re.compile(r"[^\S\t\n]+")
#: Elements whose text is a paragraph of its own in a page's plain text.
_PLAIN_BLOCKS = (
    *_HEADINGS, "p", "li", "pre", "div", "blockquote", "dd", "dt", "section",
    "article", "main", "body", "figcaption", "caption", "address", "ul", "ol", "table", "tr",
)  # fmt: skip
_PLAIN_BLOCK_SET = frozenset(_PLAIN_BLOCKS)


def _own_text(element: lxml.html.HtmlElement) -> str:
    """The text of ``element`` that no nested block holds: its own text, its inline
    children's (a ``<br>`` a line break) and the text after each child (a nested block's
    own text is its paragraph; a line break stands in its place)."""
    pieces = [element.text or ""]
    stack: list[tuple[Iterator[Any], str]] = [(iter(element), "")]
    while stack:
        children, tail = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            pieces.append(tail)
            continue
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "br" or tag in _PLAIN_BLOCK_SET:
            pieces.append("\n")
            pieces.append(child.tail or "")
        else:
            if tag in ("td", "th"):
                pieces.append("\t")  # a row's cells on its line
            pieces.append(child.text or "")
            stack.append((iter(child), child.tail or ""))
    return "".join(pieces)


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
