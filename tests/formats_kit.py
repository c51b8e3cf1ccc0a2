"""Sample briefs and digests in every format briefreader reads, made with real tools.

Shared by the reader and digest tests and by integration and end-to-end tests: each ``make_*``
function writes a real file (python-docx for Word, the standard library for emails and
mailboxes, Qt's PDF writer for PDFs, HTML in the shapes saved news pages have) and returns its
path. Qt is imported only inside the PDF makers, so tests of the Qt-free core can import this.
"""

from __future__ import annotations

import email.message
import email.policy
import email.utils
import mailbox
import zipfile
from collections.abc import Sequence
from pathlib import Path

# --------------------------------------------------------------------------------------------
# Texts

ARTICLE = (
    "Hadi al-Amiri said on Tuesday that the Popular Mobilization Forces would never be "
    "disarmed, and that any plan to do so was written abroad."
)
COMMENT = "Amiri's warning comes as US pressure on Baghdad mounts."

SINGLE = f"""Badr leader warns against disarming the Hashd

{ARTICLE}

Comment: {COMMENT}
"""

ROUNDUP_DATED = f"""# Daily round-up, 12 March 2019

- Amiri warns against disarming the Hashd
- Sadr calls for a technocrat government
- Turkish jets strike PKK positions in Qandil

Amiri warns against disarming the Hashd
Rudaw, 12 March 2019

{ARTICLE}

Comment: {COMMENT}

Sadr calls for a technocrat government
12.03.2019 | Al-Monitor

Muqtada al-Sadr called on Monday for a government of technocrats, saying the parties had
failed the country.

Turkish jets strike PKK positions in Qandil
Source: Kurdistan 24  Date: 11 March 2019

Turkish warplanes struck suspected PKK positions in the Qandil mountains overnight.

Analyst comment: Ankara keeps up the pressure before the local elections.
"""

ROUNDUP_HEADED = """# Weekly digest

## Iran and the PMF

Shamkhani said a foreign plot is underway to dismantle the PMF. He spoke in Tehran.

**Comment:** Most likely France.

## Kurdish oil exports

Erbil exported more oil in February. Baghdad objected to the sales again.

## Comment

Tensions will rise before the budget vote.
"""

ROUNDUP_NUMBERED = """Round-up

1. Iran warns Iraq

Iran warned Iraq about foreign troops in a long statement on Sunday.

2. Turkey strikes PKK

Turkish jets struck targets in Qandil on Monday morning.

3. Oil output rises

Iraqi oil output rose in February according to SOMO data.
"""

ROUNDUP_COMMENTED = """Daily brief

Iran warns Iraq over US troops

Iran warned Iraq about foreign troops in a long statement on Sunday.

Comment: This is new.

Turkey strikes PKK

Turkish jets struck targets in Qandil on Monday morning.

Analyst comment: Expected after Sunday's attack.
"""


# --------------------------------------------------------------------------------------------
# HTML


def news_page(
    *,
    title: str = "Badr leader warns against disarming the Hashd",
    paragraphs: Sequence[str] = (ARTICLE,),
    comment: str | None = COMMENT,
    published: str = "2019-03-12T09:30:00+03:00",
    site: str = "Rudaw",
) -> str:
    """A saved news page: menus, share buttons, scripts, remote images and a comments section."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    if comment is not None:
        body += f"\n<p><strong>Comment:</strong> {comment}</p>"
    return f"""<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>{title} | {site} - Latest news</title>
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="{site}">
<meta property="article:published_time" content="{published}">
<link rel="stylesheet" href="https://cdn.example.com/site.css">
<script src="https://tracker.example.com/t.js"></script>
<script>document.write('<img src="https://tracker.example.com/pixel.gif">');</script>
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "{title}", "datePublished": "{published}",
 "publisher": {{"@type": "Organization", "name": "{site}"}}}}</script>
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/politics">Politics</a></li><li><a href="/sport">Sport</a></li></ul></nav></header>
<div class="share"><a href="https://facebook.com/share">Share on Facebook</a>
<a href="https://twitter.com/intent">Tweet</a></div>
<main><article>
<h1>{title}</h1>
<time datetime="{published}">12 March 2019</time>
<img src="https://images.example.com/amiri.jpg" alt="Hadi al-Amiri">
{body}
</article></main>
<aside><h3>Most read</h3><ul><li><a href="/a">Ten things about oil prices</a></li>
<li><a href="/b">Football results of the week</a></li></ul></aside>
<section id="comments" class="comments"><h3>3 comments</h3>
<div class="comment"><p>Great article, thanks for sharing this with us!</p></div>
<div class="comment"><p>I disagree with everything the author wrote here.</p></div>
</section>
<footer><p>Copyright 2019 {site}. All rights reserved.</p>
<a href="/privacy">Privacy policy</a> <a href="/contact">Contact us</a></footer>
<script>window.alert("never run");</script>
</body></html>
"""


def make_html(folder: Path, name: str = "page.html", **kwargs: object) -> Path:
    path = folder / name
    path.write_text(news_page(**kwargs), encoding="utf-8")  # type: ignore[arg-type]
    return path


# --------------------------------------------------------------------------------------------
# Word


def make_docx(
    folder: Path,
    name: str = "brief.docx",
    *,
    title: str | None = "Badr leader warns against disarming the Hashd",
    blocks: Sequence[tuple[str, str]] = (("p", ARTICLE), ("p", f"Comment: {COMMENT}")),
    table: Sequence[Sequence[str]] | None = None,
    core_title: str | None = None,
    created: tuple[int, int, int] | None = None,
) -> Path:
    """A Word file written by python-docx: ("h1"/"h2"/"p"/"bold", text) blocks and a table."""
    import datetime as dt

    import docx

    document = docx.Document()
    if title is not None:
        document.add_heading(title, level=1)
    for kind, text in blocks:
        if kind.startswith("h"):
            document.add_heading(text, level=int(kind[1:]))
        elif kind == "bold":
            document.add_paragraph().add_run(text).bold = True
        else:
            document.add_paragraph(text)
    if table is not None:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                grid.cell(r, c).text = cell
    if core_title is not None:
        document.core_properties.title = core_title
    if created is not None:
        document.core_properties.created = dt.datetime(*created, 10, 0, 0)
    path = folder / name
    document.save(str(path))
    return path


def make_zip_bomb_docx(folder: Path, name: str = "bomb.docx", size: int = 300 << 20) -> Path:
    """A .docx-shaped zip whose document part unpacks to ``size`` bytes of zeros."""
    path = folder / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as part:
            chunk = b"\0" * (1 << 20)
            for _ in range(size >> 20):
                part.write(chunk)
    return path


# --------------------------------------------------------------------------------------------
# OpenDocument text (no tool on CI writes it: the package by its specification, ODF 1.2)

ODT_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"'
)


def odt_paragraphs(text: str) -> str:
    """A plain text's paragraphs as ``text:p`` elements, a line break inside one kept."""
    from xml.sax.saxutils import escape

    paragraphs = [p.strip("\n") for p in text.split("\n\n") if p.strip()]
    return "".join(
        "<text:p>" + escape(p).replace("\n", "<text:line-break/>") + "</text:p>" for p in paragraphs
    )


def make_odt(
    folder: Path,
    body: str,
    name: str = "brief.odt",
    *,
    title: str = "",
    created: str = "",
    kind: str = "text",
) -> Path:
    """An .odt whose ``office:text`` holds ``body`` (ODF XML), with a meta.xml of ``title``
    and ``created``; ``kind`` "spreadsheet" makes the body an ``office:spreadsheet``."""
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODT_NAMESPACES} '
        f'office:version="1.2"><office:body><office:{kind}>{body}</office:{kind}>'
        "</office:body></office:document-content>"
    )
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {ODT_NAMESPACES}>'
        f"<office:meta><dc:title>{title}</dc:title>"
        f"<meta:creation-date>{created}</meta:creation-date></office:meta></office:document-meta>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.text"/></manifest:manifest>'
    )
    path = folder / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text",
            compress_type=zipfile.ZIP_STORED,
        )  # fmt: skip
        zf.writestr("content.xml", content)
        zf.writestr("meta.xml", meta)
        zf.writestr("META-INF/manifest.xml", manifest)
    return path


# --------------------------------------------------------------------------------------------
# Email


def message(
    *,
    subject: str = "Badr leader warns against disarming the Hashd",
    sender: str = "Iraq Watch <news@iraqwatch.example>",
    date: str = "Tue, 12 Mar 2019 09:30:00 +0300",
    text: str | None = f"{ARTICLE}\n\nComment: {COMMENT}\n",
    html: str | None = None,
    list_id: str | None = None,
    attachments: Sequence[tuple[str, bytes, str]] = (),
) -> email.message.EmailMessage:
    """A real MIME message; attachments as (file name, data, MIME type)."""
    msg = email.message.EmailMessage(policy=email.policy.SMTP)
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = "analyst@example.org"
    msg["Date"] = date
    msg["Message-ID"] = email.utils.make_msgid(domain="example.org")
    if list_id is not None:
        msg["List-Id"] = list_id
    if text is not None:
        msg.set_content(text)
    if html is not None:
        if text is None:
            msg.set_content(html, subtype="html")
        else:
            msg.add_alternative(html, subtype="html")
    for filename, data, mime in attachments:
        maintype, subtype = mime.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg


def make_eml(folder: Path, name: str = "message.eml", **kwargs: object) -> Path:
    path = folder / name
    path.write_bytes(message(**kwargs).as_bytes())  # type: ignore[arg-type]
    return path


def make_mbox(
    folder: Path, messages: Sequence[email.message.EmailMessage], name: str = "list.mbox"
) -> Path:
    """An mbox written by the standard library's mailbox module."""
    path = folder / name
    box = mailbox.mbox(str(path), create=True)
    try:
        box.lock()
        for msg in messages:
            box.add(msg)
        box.flush()
        box.unlock()
    finally:
        box.close()
    return path


# --------------------------------------------------------------------------------------------
# PDF (needs Qt: only the tests that make PDFs import it)


def make_pdf(
    folder: Path,
    name: str = "brief.pdf",
    *,
    pages: Sequence[str] = (SINGLE,),
    title: str = "",
    pictures: Sequence[int] = (),
) -> Path:
    """A real PDF with a text layer, one string per page, written by Qt's QPdfWriter; the
    pages numbered in ``pictures`` (from 0) also draw a picture, as a scanned page is."""
    from PySide6.QtCore import QMarginsF, QRectF, Qt
    from PySide6.QtGui import (
        QFont,
        QImage,
        QPageLayout,
        QPageSize,
        QPainter,
        QPdfWriter,
        QTextOption,
    )

    path = folder / name
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    writer.setResolution(300)
    if title:
        writer.setTitle(title)
    painter = QPainter(writer)
    try:
        font = QFont("DejaVu Sans")
        font.setPointSizeF(10)
        painter.setFont(font)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WordWrap)
        area = painter.viewport()
        for number, page in enumerate(pages):
            if number:
                writer.newPage()
            if number in pictures:
                image = QImage(600, 800, QImage.Format.Format_RGB32)
                image.fill(Qt.GlobalColor.lightGray)
                painter.drawImage(0, 0, image)
            if page:
                rect = QRectF(0, 0, area.width(), area.height())
                painter.drawText(rect, page, option)
    finally:
        painter.end()
    return path


def attach_to_pdf(path: Path, files: Sequence[tuple[str, bytes]]) -> Path:
    """Embed ``files`` (name, data) in the PDF at ``path``, as PDFium's writer (pypdfium2)
    embeds them (a report with its annexes, a portfolio)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        for name, data in files:
            document.new_attachment(name).set_data(data)
        document.save(str(path) + ".new")
    finally:
        document.close()
    Path(str(path) + ".new").replace(path)
    return path


def make_image_pdf(folder: Path, name: str = "scan.pdf") -> Path:
    """A PDF whose only page is a picture: what a scanner gives, with no text layer."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter, QPdfWriter

    image = QImage(400, 200, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    path = folder / name
    writer = QPdfWriter(str(path))
    painter = QPainter(writer)
    try:
        painter.drawImage(0, 0, image)
    finally:
        painter.end()
    return path


def truncated(data: bytes, keep: float = 0.5) -> bytes:
    return data[: int(len(data) * keep)]
