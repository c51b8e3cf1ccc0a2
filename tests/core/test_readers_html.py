"""Tests for the web page reader: the main text of saved news pages, metadata, hostile pages."""

from __future__ import annotations

import datetime as dt
import quopri
import tracemalloc
from pathlib import Path

import formats_kit as kit
import pytest
from workcount import cpu_growth  # same folder: pytest puts it on the path

from briefreader.core.brief import Brief, BriefError
from briefreader.core.readers import read_file, webpage


def exact(brief: Brief) -> None:
    assert brief.text[brief.article_start : brief.article_end] == brief.article
    if brief.comment is not None:
        assert brief.text[brief.comment_start : brief.comment_end] == brief.comment


def test_a_saved_news_page_gives_its_article_and_comment(tmp_path: Path) -> None:
    result = read_file(kit.make_html(tmp_path), file_id="page.html")
    [brief] = result.briefs
    exact(brief)
    assert brief.format == "html"
    assert brief.title == "Badr leader warns against disarming the Hashd"
    assert brief.date == dt.date(2019, 3, 12)
    assert brief.source == "Rudaw"
    assert brief.article == kit.ARTICLE
    assert brief.comment == kit.COMMENT
    for boilerplate in ("Home", "Share on Facebook", "Most read", "Great article", "Copyright",
                        "never run", "Privacy"):  # fmt: skip
        assert boilerplate not in brief.text


def test_metadata_when_the_page_has_no_heading(tmp_path: Path) -> None:
    html = """<html><head><title>Sadr calls for technocrats - Al-Monitor</title>
    <meta name="date" content="2019-03-13"><meta property="og:site_name" content="Al-Monitor">
    </head><body><div id="content"><p>Muqtada al-Sadr called on Monday for a government of
    technocrats, saying the parties had failed the country and must step aside now.</p>
    <p>Comment: The call is aimed at Amiri's Fatah bloc, which wants the interior
    ministry.</p></div></body></html>"""
    path = tmp_path / "sadr.htm"
    path.write_text(html, encoding="utf-8")
    [brief] = read_file(path, file_id="sadr.htm").briefs
    exact(brief)
    assert brief.title == "Sadr calls for technocrats"
    assert brief.date == dt.date(2019, 3, 13)
    assert brief.source == "Al-Monitor"
    assert brief.comment is not None and brief.comment.startswith("The call")


def test_json_ld_and_time_element_give_the_date(tmp_path: Path) -> None:
    html = """<html><head><script type="application/ld+json">{"@graph": [{"@type": "WebPage"},
    {"@type": "NewsArticle", "headline": "Oil output rises", "datePublished": "2020-02-01",
    "publisher": {"name": "Iraq Oil Report"}}]}</script></head><body><article>
    <h1>Oil output rises</h1><p>Iraqi oil output rose in February according to SOMO data
    released on Saturday, the ministry said in a statement.</p></article></body></html>"""
    path = tmp_path / "oil.html"
    path.write_text(html, encoding="utf-8")
    [brief] = read_file(path, file_id="oil.html").briefs
    assert (brief.title, brief.date, brief.source) == (
        "Oil output rises",
        dt.date(2020, 2, 1),
        "Iraq Oil Report",
    )


def test_a_round_up_page_becomes_items(tmp_path: Path) -> None:
    items = "".join(
        f"<h2>{title}</h2><p>{line}</p><p>{text}</p><p><b>Comment:</b> {comment}</p>"
        for title, line, text, comment in [
            ("Amiri warns against disarming the Hashd", "Rudaw, 12 March 2019", kit.ARTICLE,
             kit.COMMENT),
            ("Sadr calls for a technocrat government", "Al-Monitor, 12 March 2019",
             "Muqtada al-Sadr called on Monday for a government of technocrats, saying the "
             "parties had failed the country.", "Aimed at Fatah."),
        ]
    )  # fmt: skip
    html = f"""<html><head><title>Daily round-up</title></head><body><nav><a href="/">Home</a>
    </nav><article><h1>Daily round-up, 12 March 2019</h1>{items}</article>
    <footer>Copyright</footer></body></html>"""
    path = tmp_path / "roundup.html"
    path.write_text(html, encoding="utf-8")
    briefs = read_file(path, file_id="roundup.html").briefs
    assert [b.title for b in briefs] == [
        "Amiri warns against disarming the Hashd",
        "Sadr calls for a technocrat government",
    ]
    assert [b.source for b in briefs] == ["Rudaw", "Al-Monitor"]
    assert [b.comment for b in briefs] == [kit.COMMENT, "Aimed at Fatah."]
    for brief in briefs:
        exact(brief)


def test_a_round_up_page_without_an_article_element_becomes_items(tmp_path: Path) -> None:
    """Saved from a mail client or a word processor: a title, a date and items under ``h2``s
    straight in the body, a place and a date then the outlet under each headline. The main
    text extractor gives such a page without its headings; they are put back where the text
    that follows them on the page begins, and the page splits into its items."""
    rows = [
        ("PMF leaders meet in Baghdad over budget dispute", "Baghdad, 13 March 2024 – Shafaq News",
         "Senior commanders of the Popular Mobilization Forces met on Wednesday in Baghdad to "
         "discuss the allocation of salaries in the federal budget.", "The dispute recurs."),
        ("Kurdistan Region resumes oil talks with Ankara", "Erbil, 12 March 2024 – Rudaw",
         "Officials of the Kurdistan Regional Government held a new round of talks with "
         "Turkish representatives on resuming exports through the pipeline.", "Little new."),
        ("Protests in Basra over power cuts", "Basra, 11 March 2024 | Al-Sumaria",
         "Hundreds of residents blocked roads in the Zubair district on Monday, protesting "
         "prolonged power cuts as temperatures rose.", "A warning for the summer."),
    ]  # fmt: skip
    items = "".join(
        f"<h2>{title}</h2><p><i>{line}</i></p><p>{text}</p><p><b>Comment:</b> {comment}</p>"
        for title, line, text, comment in rows
    )
    html = f"""<html><head><meta charset="utf-8"><title>Iraq Daily Round-up</title></head>
    <body><div class="menu"><h3>Sections</h3><a href="/a">Politics</a></div>
    <h1>Iraq Daily Round-up</h1><p>14 March 2024</p>{items}</body></html>"""
    path = tmp_path / "roundup.html"
    path.write_text(html, encoding="utf-8")
    briefs = read_file(path, file_id="roundup.html").briefs
    assert [b.title for b in briefs] == [title for title, *_ in rows]
    assert [b.date for b in briefs] == [dt.date(2024, 3, d) for d in (13, 12, 11)]
    assert [b.source for b in briefs] == ["Shafaq News", "Rudaw", "Al-Sumaria"]
    assert [b.article for b in briefs] == [text for _t, _l, text, _c in rows]
    assert [b.comment for b in briefs] == [comment for *_, comment in rows]
    for brief in briefs:
        exact(brief)
        assert brief.text.startswith(f"## {brief.title}\n")
        assert "Sections" not in brief.text and "Daily Round-up" not in brief.text


def test_a_text_file_saved_as_a_web_page_keeps_its_comment(tmp_path: Path) -> None:
    """LibreOffice saves a text file as one ``pre``: its blank lines are its paragraphs,
    which the extractor joined, so "Comment:" no longer started one."""
    html = f"""<html><head><title></title></head><body lang="en-US"><pre class="western">
{kit.ARTICLE}

Comment: {kit.COMMENT}</pre></body></html>"""
    path = tmp_path / "brief.html"
    path.write_text(html, encoding="utf-8")
    [brief] = read_file(path, file_id="brief.html").briefs
    assert brief.article == kit.ARTICLE
    assert brief.comment == kit.COMMENT


def test_code_in_a_pre_stays_as_it_is(tmp_path: Path) -> None:
    code = "def f(x):\n    return x\n\n\nprint(f(2))"
    html = f"""<html><head><title>Notes</title></head><body><article><p>{kit.ARTICLE}</p>
    <pre>{code}</pre></article></body></html>"""
    path = tmp_path / "notes.html"
    path.write_text(html, encoding="utf-8")
    [brief] = read_file(path, file_id="notes.html").briefs
    assert "    return x" in brief.text


def test_a_page_saved_as_a_single_file_is_read(tmp_path: Path) -> None:
    """Browsers save "Webpage, Single File" as a MIME message (.mhtml, .mht): the page in
    quoted-printable, in its own charset, with its pictures beside it."""
    from email.mime.image import MIMEImage
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    page = kit.news_page(title="Badr warns").replace("Baghdad mounts", "Baghdad mounts, café")
    archive = MIMEMultipart("related", type="text/html")
    archive["Subject"] = "Badr warns"
    archive["Snapshot-Content-Location"] = "https://news.example/badr"
    html = MIMEText(page, "html", "windows-1252")
    html.replace_header("Content-Transfer-Encoding", "quoted-printable")
    html.set_payload(quopri.encodestring(page.encode("windows-1252")).decode("ascii"))
    html["Content-Location"] = "https://news.example/badr"
    archive.attach(html)
    archive.attach(MIMEImage(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "gif"))
    for suffix in (".mhtml", ".mht"):
        path = tmp_path / f"page{suffix}"
        path.write_bytes(archive.as_bytes())
        [brief] = read_file(path, file_id=path.name).briefs
        assert brief.format == "html"
        assert brief.article == kit.ARTICLE
        assert brief.comment == kit.COMMENT.replace("Baghdad mounts", "Baghdad mounts, café")
    broken = tmp_path / "broken.mhtml"
    broken.write_bytes(b"MIME-Version: 1.0\r\nContent-Type: image/png\r\n\r\nnot a page")
    with pytest.raises(BriefError, match="no web page"):
        read_file(broken, file_id="broken.mhtml")


def test_a_page_saved_as_a_safari_web_archive_is_read(tmp_path: Path) -> None:
    """Safari's "Save As" gives a .webarchive: a binary property list holding the page's
    bytes, their encoding's name, and the pictures beside them."""
    import plistlib

    page = kit.news_page(title="Badr warns").replace("Baghdad mounts", "Baghdad mounts, café")
    archive = {
        "WebMainResource": {
            "WebResourceData": page.encode("windows-1252"),
            "WebResourceMIMEType": "text/html",
            "WebResourceTextEncodingName": "windows-1252",
            "WebResourceURL": "https://news.example/badr",
            "WebResourceFrameName": "",
        },
        "WebSubresources": [
            {"WebResourceData": b"GIF89a", "WebResourceMIMEType": "image/gif",
             "WebResourceURL": "https://news.example/logo.gif"},
        ],
    }  # fmt: skip
    path = tmp_path / "Badr warns.webarchive"
    path.write_bytes(plistlib.dumps(archive, fmt=plistlib.FMT_BINARY))
    [brief] = read_file(path, file_id=path.name).briefs
    assert brief.format == "html" and brief.article == kit.ARTICLE
    assert brief.comment == kit.COMMENT.replace("Baghdad mounts", "Baghdad mounts, café")
    picture = dict(archive, WebMainResource={"WebResourceData": b"\x89PNG",
                                             "WebResourceMIMEType": "image/png"})  # fmt: skip
    path.write_bytes(plistlib.dumps(picture, fmt=plistlib.FMT_BINARY))
    with pytest.raises(BriefError, match="holds no web page"):
        read_file(path, file_id=path.name)
    path.write_bytes(b"bplist00 cut short")
    with pytest.raises(BriefError, match="damaged web archive"):
        read_file(path, file_id=path.name)


def _wrap(line: str) -> str:
    """``line`` broken in two as a word processor wraps its HTML source."""
    words = line.split(" ")
    return " ".join(words[:2]) + "\n" + " ".join(words[2:])


def test_line_breaks_of_the_source_inside_bold_are_spaces(tmp_path: Path) -> None:
    """LibreOffice writes its HTML in lines of 70 characters, breaking inside a bold
    headline or an italic date line; a browser shows spaces there, and so must the text the
    digest splitter reads. A pre keeps its lines."""
    items = "".join(
        f"<p><b>{_wrap(title)}</b></p>\n<p><i>{_wrap(line)}</i></p>\n"
        f"<p>{text}</p>\n<p><b>Comment:</b> {comment}</p>\n"
        for title, line, text, comment in [
            ("Talks in Najaf over security", "Najaf, 15 March 2024 – Al-Monitor",
             "Officials met on Monday to discuss the province's security plan.", "Late."),
            ("Clashes in Karbala over budget", "Karbala, 13 March 2024 – Rudaw",
             "Hundreds protested outside the governor's office on Sunday.", "Expected."),
            ("Protest in Kirkuk over power", "Kirkuk, 12 March 2024 – Reuters",
             "Residents blocked roads over power cuts in the city.", "A warning."),
        ]
    )  # fmt: skip
    html = f"""<html><head><meta charset="utf-8"><title>Digest</title></head><body>
    <p><font size="5"><b>Iraq\nMonthly Digest</b></font></p><p>March 2024</p>{items}
    <pre>keep
  these  lines</pre></body></html>"""
    path = tmp_path / "digest.html"
    path.write_text(html, encoding="utf-8")
    briefs = read_file(path, file_id="digest.html").briefs
    assert [b.title for b in briefs] == [
        "Talks in Najaf over security",
        "Clashes in Karbala over budget",
        "Protest in Kirkuk over power",
    ]
    assert [b.source for b in briefs] == ["Al-Monitor", "Rudaw", "Reuters"]
    assert [b.comment for b in briefs][:2] == ["Late.", "Expected."]
    assert briefs[-1].text.endswith("keep\n  these  lines")


def test_a_web_archives_pictures_are_not_read() -> None:
    """The page is found from the parts' headers, in a multipart nested in another and
    after a picture; the pictures are neither parsed nor decoded (parsing a whole 64 MB
    archive with the email package took 400 MB)."""
    from email.mime.image import MIMEImage
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    archive = MIMEMultipart("related")
    archive.attach(MIMEImage(b"\x89PNG" + bytes(range(256)) * 40_000, "png"))  # 10 MB
    alternative = MIMEMultipart("alternative")
    alternative.attach(MIMEText("the plain text", "plain"))
    alternative.attach(MIMEText("<p>The page, café</p>", "html", "windows-1252"))
    archive.attach(alternative)
    data = archive.as_bytes()
    tracemalloc.start()
    try:
        page = webpage.html_of_archive(data, Path("page.mhtml"))
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert page.decode("utf-8-sig") == "<p>The page, café</p>"
    assert peak < len(data) // 10, peak


def test_headings_the_extractor_kept_are_not_added_twice(tmp_path: Path) -> None:
    html = f"""<html><head><title>Badr warns</title></head><body><div class="menu"><h2>Most
    read</h2><p>Other story</p></div><article><h1>Badr warns</h1><p>{kit.ARTICLE}</p>
    <h2>Background</h2><p>The Hashd was formed in 2014 after the fall of Mosul to the
    Islamic State group.</p></article></body></html>"""
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    [brief] = read_file(path, file_id="page.html").briefs
    assert brief.text.count("Background") == 1
    assert "Most read" not in brief.text


def test_a_page_full_of_scripts_and_remote_things(tmp_path: Path) -> None:
    scripts = "".join(f"<script>var x{i} = fetch('https://evil.example/{i}');</script>"
                      for i in range(300))  # fmt: skip
    images = "".join(f'<img src="https://img.example/{i}.jpg">' for i in range(300))
    html = f"""<html><head>{scripts}<link rel="import" href="https://evil.example/x">
    </head><body onload="steal()">{images}<iframe src="https://evil.example/f"></iframe>
    <article><p>{kit.ARTICLE}</p></article>{scripts}</body></html>"""
    path = tmp_path / "hostile.html"
    path.write_text(html, encoding="utf-8")
    [brief] = read_file(path, file_id="hostile.html").briefs  # the network is refused in tests
    assert kit.ARTICLE in brief.text
    assert "fetch" not in brief.text and "evil" not in brief.text


@pytest.mark.parametrize(
    "data",
    [
        b"<html><head><script>x()</script></head><body></body></html>",
        b"<html><body><img src='https://img.example/a.jpg'><script>go()</script></body></html>",
        b"\x00\x01\x02\x03" * 100,
    ],
)
def test_a_page_without_text_is_an_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "empty.html"
    path.write_bytes(data)
    with pytest.raises(BriefError):
        read_file(path, file_id="empty.html")


def test_broken_markup_and_a_declared_charset(tmp_path: Path) -> None:
    html = ('<html><head><meta charset="windows-1252"><title>Caf\xe9 talks</title></head>'
            "<body><div><p>Talks in the caf\xe9 went on <b>all night <i>long, with no deal "
            "in sight and nobody willing to give ground on the budget</p></div>")  # fmt: skip
    path = tmp_path / "broken.html"
    path.write_bytes(html.encode("cp1252"))
    [brief] = read_file(path, file_id="broken.html").briefs
    assert "caf\xe9" in brief.text
    assert brief.title == "Caf\xe9 talks"


def test_a_page_laid_out_in_tables_keeps_its_headings_and_data(tmp_path: Path) -> None:
    # Old sites and HTML newsletters put the whole page in a table; the article in its cell
    # must still read as headed paragraphs, and a data table inside it as a table.
    story = kit.ARTICLE
    html = f"""<html><head><title>Weekly digest - Gulf Monitor</title></head><body>
    <table width="100%"><tr><td class="nav"><a href="/">Home</a> | <a href="/a">Archive</a>
    </td></tr><tr><td class="content"><h2>Basra protests continue</h2><p>{story}</p>
    <h2>Oil exports steady</h2><p>Exports held at about 3.4 million barrels a day in the first
    two months of the year, the ministry said, despite the protests in Basra.</p>
    <table><tr><th>Month</th><th>Barrels a day</th></tr><tr><td>January</td><td>3,450,000</td>
    </tr><tr><td>February</td><td>3,480,000</td></tr></table></td></tr>
    <tr><td class="footer">You receive this because you subscribed.</td></tr></table>
    </body></html>"""
    path = tmp_path / "digest.html"
    path.write_text(html, encoding="utf-8")
    text = "\n".join(b.text for b in read_file(path, file_id="digest.html").briefs)
    assert "## Basra protests continue" in text and "## Oil exports steady" in text
    assert "| January | 3,450,000 |" in text
    assert story in text
    assert "Archive" not in text and "subscribed" not in text


def test_a_data_table_with_paragraphs_in_its_cells_stays_a_table(tmp_path: Path) -> None:
    # Word processors write a paragraph into every cell; that is still a data table.
    rows = "".join(
        f"<tr><td><p class='MsoNormal'>{name}</p></td><td><p class='MsoNormal'>{seats}</p>"
        "</td></tr>"
        for name, seats in [("Sairoon", 54), ("Fatah", 48), ("Nasr", 42)]
    )
    html = f"""<html><head><title>Seats - Election brief</title></head><body><div>
    <p>{kit.ARTICLE}</p><table border="1"><tr><td><p class='MsoNormal'>List</p></td>
    <td><p class='MsoNormal'>Seats</p></td></tr>{rows}</table></div></body></html>"""
    path = tmp_path / "seats.html"
    path.write_text(html, encoding="utf-8")
    [brief] = read_file(path, file_id="seats.html").briefs
    assert "| Sairoon | 54 |" in brief.text


def test_a_paragraph_of_bare_text_beside_blocks_is_kept(tmp_path: Path) -> None:
    # A weekly's page (LWN's markup): a story's first paragraph straight after its byline's
    # div, in no <p>, inside the element trafilatura takes for the article's body.
    bare = (" The Fatah bloc split on <a href='/x'>Monday</a> over the interior ministry, two"
            " of its leaders said, after weeks of talks with the Sairoon list had failed to give"
            " it the post it wanted for its own candidate. ")  # fmt: skip
    html = f"""<html><head><title>Weekly edition</title></head><body><div class="ArticleText">
    <p>{kit.ARTICLE}</p><p><a href="/c">Comments (3 posted)</a></p>
    <h2><a href="/s">Fatah bloc splits</a></h2><div class="byline"> By <b>A. Writer</b><br>
    March 25, 2019 </div>{bare}<p>{kit.COMMENT} Talks go on.</p><p>{kit.ARTICLE} Again.</p>
    </div></body></html>"""
    path = tmp_path / "weekly.html"
    path.write_text(html, encoding="utf-8")
    text = "\n".join(b.text for b in read_file(path, file_id="weekly.html").briefs)
    assert "The Fatah bloc split on Monday over the interior ministry" in " ".join(text.split())


def _long_page(paragraphs: int) -> bytes:
    rows = "".join(
        f"<li>Item {n}: the council met on day {n} to discuss the budget.</li>\n"
        for n in range(paragraphs)
    )
    return (
        "<html><head><title>A year of notes</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/about'>About the site</a></nav>"
        f"<article><h1>A year of notes</h1><ul>{rows}</ul></article>"
        "<footer>All rights reserved</footer></body></html>"
    ).encode()


def test_a_very_long_page_keeps_all_its_text_in_linear_time(tmp_path: Path) -> None:
    """A document saved as one page (tens of thousands of paragraphs) is read whole, without
    the main-text extractor, whose time grows with the square of the paragraphs; menus and
    footers still go. The CPU time of four times the paragraphs stays near four times."""
    path = tmp_path / "year.html"
    path.write_bytes(_long_page(40_000))
    read = read_file(path, file_id="year.html")
    (brief,) = read.briefs
    assert "Item 0: the council met on day 0" in brief.text
    assert "Item 39999: the council met on day 39999" in brief.text
    assert brief.text.count("the council met") == 40_000
    assert "About the site" not in brief.text and "All rights reserved" not in brief.text
    assert any("very long page" in w for w in read.warnings), read.warnings

    pages = {n: _long_page(n) for n in (12_000, 48_000)}
    growth = cpu_growth(lambda n: webpage.extract_html(pages[n], path), 12_000, 48_000, rounds=2)
    assert growth < 4 * 1.8, growth


def test_a_page_of_many_line_breaks_is_read_whole_and_apart(tmp_path: Path) -> None:
    """200,000 lines in one paragraph (as a text pasted into a page): past the element limit
    the page is read whole, each line its own, without the extractor's time and memory."""
    lines = "".join(f"line {n} of the log<br>" for n in range(200_000))
    path = tmp_path / "log.html"
    path.write_text(f"<html><body><nav>Menu</nav><article><p>{lines}</p></article></body></html>")
    read = read_file(path, file_id="log.html")
    text = read.briefs[0].text
    assert "line 0 of the log\nline 1 of the log\n" in text
    assert "line 199999 of the log" in text and "Menu" not in text
    assert any("very long page" in w for w in read.warnings)


def test_the_whole_text_of_a_page_keeps_each_block_once() -> None:
    """The plain text a page falls back on: nested blocks are not read twice, a line break
    ends a line, a table row's cells stand apart on their line, menus and scripts go."""
    import lxml.html

    tree = lxml.html.document_fromstring(
        "<html><body><nav>Menu</nav><div><div>Loose words"
        "<p>First <b>bold</b> words<br>next line</p>"
        "<ul><li>one</li><li>two <i>more</i></li></ul></div></div>"
        "<table><tr><td>Badr</td><td>22 seats</td></tr></table>"
        "<script>var x = 1;</script><footer>Share</footer></body></html>"
    )
    text = webpage._plain_text(tree)
    assert text.split("\n\n") == [
        "Loose words",
        "First bold words\nnext line",
        "one",
        "two more",
        "Badr\t22 seats",
    ]


def _nested_page(depth: int) -> bytes:
    return (
        "<html><head><title>Deep</title></head><body>"
        "<p>Opening paragraph of the article, as every browser shows it to its reader.</p>"
        + "<div>" * depth
        + "<p>The paragraph deep inside, which a browser shows as well.</p>"
        + "</div>" * depth
        + "<p>Closing paragraph after the nesting.</p><p>Comment: the analyst's words.</p>"
        "</body></html>"
    ).encode()


def test_a_page_nested_past_the_parsers_usual_depth_is_read_whole(tmp_path: Path) -> None:
    """Past 256 nested elements libxml2 drops the rest of a page without an error: the page
    is read again past that limit and all of its text is kept, with a note."""
    path = tmp_path / "deep.html"
    path.write_bytes(_nested_page(300))
    read = read_file(path, file_id="deep.html")
    (brief,) = read.briefs
    assert "The paragraph deep inside" in brief.article
    assert "Closing paragraph after the nesting." in brief.article
    assert brief.comment.strip() == "the analyst's words."
    assert any("nested very deep" in w for w in read.warnings), read.warnings
    shallow = webpage.extract_html(_nested_page(200), path)
    assert "Closing paragraph" in shallow.text and not shallow.warnings


def test_a_page_nested_deeper_than_can_be_read_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "deeper.html"
    path.write_bytes(_nested_page(5_000))
    with pytest.raises(BriefError, match="nest over 2,048 deep"):
        read_file(path, file_id="deeper.html")


def test_a_page_of_megabytes_of_text_in_one_piece_is_read_whole(tmp_path: Path) -> None:
    """Past 10 MB in one text node libxml2 drops the whole page: it is read again."""
    log = "".join(f"entry {n}: the convoy passed the checkpoint\n" for n in range(300_000))
    path = tmp_path / "log.html"
    path.write_text(f"<html><body><pre>{log}</pre><p>Comment: read it all.</p></body></html>")
    assert path.stat().st_size > 10 << 20
    read = read_file(path, file_id="log.html")
    (brief,) = read.briefs
    assert "entry 0: the convoy" in brief.article and "entry 299999: the convoy" in brief.article
    assert brief.comment.strip() == "read it all."
    assert any("usual limits" in w for w in read.warnings), read.warnings


def _newsletter_page(comment_style: str = "<i>Comment: {}</i>") -> str:
    """An HTML newsletter as mail programs lay it out: one column of table cells, each item
    a bold headline, a source line and its text in one cell."""
    items = [
        ("Kataib Hezbollah threatens US forces in Syria", "Reuters, 12 March 2024",
         kit.ARTICLE, kit.COMMENT),
        ("Sudani meets Barzani in Erbil over the budget", "Kurdistan 24, 11 March 2024",
         "Prime Minister Mohammed Shia al-Sudani met KDP leader Masoud Barzani in Erbil on "
         "Monday to discuss salaries and oil exports through Turkey, officials said.",
         "Barzani sees him as a partner."),
    ]  # fmt: skip
    cells = "".join(
        f'<tr><td style="padding:10px"><b>{title}</b><br><span>{line}</span><br><br>{text}'
        f"<br><br>{comment_style.format(comment)}</td></tr>"
        for title, line, text, comment in items
    )
    return f"""<html><head><title>Gulf Monitor Daily</title></head><body>
    <table width="600" align="center"><tr><td><a href="https://x.example/view">View this
    email in your browser</a></td></tr>{cells}<tr><td>You are receiving this email because you
    subscribed. <a href="u">Unsubscribe</a></td></tr></table></body></html>"""


def test_a_newsletter_laid_out_in_one_column_of_cells_becomes_items(tmp_path: Path) -> None:
    """A table whose rows hold one cell each is layout: each cell's headline, source line,
    text and comment read as the paragraphs they show as, not as one table row."""
    path = tmp_path / "letter.html"
    path.write_text(_newsletter_page(), encoding="utf-8")
    briefs = read_file(path, file_id="letter.html").briefs
    assert [b.title for b in briefs] == [
        "Kataib Hezbollah threatens US forces in Syria",
        "Sudani meets Barzani in Erbil over the budget",
    ]
    assert [b.source for b in briefs] == ["Reuters", "Kurdistan 24"]
    assert [b.date for b in briefs] == [dt.date(2024, 3, 12), dt.date(2024, 3, 11)]
    assert briefs[0].article == kit.ARTICLE
    for brief in briefs:
        exact(brief)
        assert "|" not in brief.text
    # The comment was set in italics whole: its marker is read, its look kept.
    assert briefs[0].comment == f"*{kit.COMMENT}*"


@pytest.mark.parametrize(
    "style",
    ["<i>Comment \u2013 {}</i>", "<b>Analyst comment: {}</b>", "<em>COMMENT - {}</em>",
     "<b>Comment</b> \u2013 {}"],
)  # fmt: skip
def test_a_comment_set_in_emphasis_whole_is_found(tmp_path: Path, style: str) -> None:
    path = tmp_path / "letter.html"
    path.write_text(_newsletter_page(style), encoding="utf-8")
    briefs = read_file(path, file_id="letter.html").briefs
    assert len(briefs) == 2
    assert briefs[0].comment is not None
    assert briefs[0].comment.strip("*_") == kit.COMMENT
    assert "omment" not in briefs[0].article


def test_a_one_column_list_is_read_and_a_grid_stays_a_table(tmp_path: Path) -> None:
    html = f"""<html><head><title>Seats - Election brief</title></head><body><div>
    <p>{kit.ARTICLE}</p><table><tr><td>Sairoon</td></tr><tr><td>Fatah</td></tr></table>
    <table border="1"><tr><td>List</td><td>Seats</td></tr><tr><td>Nasr</td><td>42</td></tr>
    </table></div></body></html>"""
    path = tmp_path / "seats.html"
    path.write_text(html, encoding="utf-8")
    [brief] = read_file(path, file_id="seats.html").briefs
    assert "| Nasr | 42 |" in brief.text
    assert "Sairoon" in brief.text and "| Sairoon |" not in brief.text
