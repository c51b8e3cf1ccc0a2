"""Markdown -> HTML that is safe to show: sanitised with nh3, links limited to
http/https/mailto, images only from the brief's own folder; a text too complex to lay out
(:mod:`briefreader.core.render_limits`) shown as it is, escaped."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import markdown
import nh3

from briefreader.core.render_limits import PARAGRAPH_BREAK, too_complex

_MARKDOWN_EXTENSIONS = ["extra", "sane_lists"]

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
    "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s",
    "samp", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "u", "ul", "var",
}  # fmt: skip
# Dropped together with their content (the rest of the unknown tags keep their text).
CLEAN_CONTENT_TAGS = {"script", "style", "iframe", "object", "embed", "noscript", "template"}
BRIEF_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "abbr": {"title"},
    "ol": {"start"},
}
# Only our own mark-up may carry these: a brief cannot forge an actor or a hit.
MARK_ATTRIBUTES: dict[str, set[str]] = {
    **BRIEF_ATTRIBUTES,
    "span": {"class", "data-actor", "title"},
    "mark": {"class"},
}
_URL_SCHEMES = {"http", "https", "mailto"}
# A tag in nh3's output (attribute values are always double-quoted there) or a text run.
TAG = re.compile(r"<(?:\"[^\"]*\"|'[^']*'|[^'\">])*>")
_UNSAFE_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\U000f0000-\U0010ffff]")
_ATTRIBUTE = re.compile(r"([^\s=/>]+)(?:=\"([^\"]*)\")?")
PLAIN_NOTICE = (
    "This text is shown without formatting: its Markdown is too deeply nested or too"
    " complex to lay out."
)


def sanitise(fragment: str, attributes: dict[str, set[str]]) -> str:
    return nh3.clean(
        fragment,
        tags=_TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes=attributes,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def _local_image(src: str, base_dir: Path | None) -> str | None:
    """A ``file://`` URL for an image inside ``base_dir`` that exists, else None."""
    if base_dir is None or not src:
        return None
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or src.startswith(("/", "\\")):
        return None  # remote, scheme-relative or absolute
    relative = unquote(parts.path)
    if not relative or "\\" in relative or relative.startswith("/"):
        return None
    if any(part == ".." for part in relative.split("/")):
        return None
    try:
        root = base_dir.resolve()
        target = (root / relative).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            return None
    except (OSError, ValueError):
        return None
    return target.as_uri()


def _image_attributes(tag: str) -> dict[str, str] | None:
    """An ``<img>`` tag's attributes, unescaped; None for any other tag."""
    if tag[:5].lower() != "<img " and tag.lower() != "<img>":
        return None
    return {
        name.lower(): html.unescape(value or "") for name, value in _ATTRIBUTE.findall(tag[4:-1])
    }


def image_as_text(tag: str, base_dir: Path | None) -> str | None:
    """What a reader sees of an ``<img>`` tag that will not be shown: its alt text, escaped;
    None for an image that will be shown, or a tag that is no image."""
    attrs = _image_attributes(tag)
    if attrs is None or _local_image(attrs.get("src", ""), base_dir) is not None:
        return None
    return html.escape(attrs.get("alt", ""), quote=False)


def fix_images(fragment: str, base_dir: Path | None) -> str:
    """Keep only images from the brief's folder; any other image becomes its alt text."""

    def replace(m: re.Match[str]) -> str:
        tag = m[0]
        attrs = _image_attributes(tag)
        if attrs is None:
            return tag
        url = _local_image(attrs.get("src", ""), base_dir)
        alt = attrs.get("alt", "")
        if url is None:
            return html.escape(alt, quote=False)
        out = f'<img src="{html.escape(url)}" alt="{html.escape(alt)}"'
        if attrs.get("title"):
            out += f' title="{html.escape(attrs["title"])}"'
        return out + ">"

    return TAG.sub(replace, fragment)


def safe_source(md: str) -> str:
    """Replace characters that would confuse the pipeline, one for one (offsets stay put).

    Lone surrogates cannot cross into nh3; C0 controls include the STX/ETX markers
    Python-Markdown uses internally; our placeholder planes must not occur in the brief.
    """
    return _UNSAFE_CHARS.sub("\ufffd", md)


def _markdown_to_html(md: str) -> str:
    # A fresh Markdown object per call: instances keep state and are not thread-safe.
    return markdown.Markdown(extensions=_MARKDOWN_EXTENSIONS, output_format="html").convert(md)


def _plain_html(md: str) -> str:
    """The text itself, escaped, one paragraph per blank-line-separated block."""
    blocks = [b.strip("\n") for b in PARAGRAPH_BREAK.split(md)]
    body = "".join(
        "<p>" + html.escape(b, quote=False).replace("\n", "<br>\n") + "</p>\n"
        for b in blocks
        if b.strip()
    )
    return f"<p><em>{PLAIN_NOTICE}</em></p>\n{body}"


def layout(source: str, plain: bool) -> tuple[str, bool]:
    """Markdown -> HTML, or the text as it is when ``plain`` (decided once per text, before
    any mark goes in) or when Python-Markdown recurses too deep for a nesting the limits
    above did not foresee; and whether it is the text as it is.

    The plain text is escaped here and holds no tag but ours: it is never sanitised, since
    nh3 takes time growing with the square of the "&" in a paragraph (333,000: 16 s).
    """
    if not plain:
        try:
            return _markdown_to_html(source), False
        except RecursionError:
            pass
    return _plain_html(source), True


def safe_html(source: str, plain: bool, base_dir: Path | None) -> str:
    """Sanitised HTML for a source holding no marks (see :func:`layout`)."""
    converted, plain = layout(source, plain)
    if plain:
        return converted
    return fix_images(sanitise(converted, BRIEF_ATTRIBUTES), base_dir)


def render_markdown(md: str, base_dir: Path | None) -> str:
    """Markdown -> sanitised HTML; images resolve only inside ``base_dir`` (None: no images)."""
    source = safe_source(md)
    return safe_html(source, too_complex(source), base_dir)
