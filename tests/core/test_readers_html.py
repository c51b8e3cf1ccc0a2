"""Tests for the web page reader: the main text of saved news pages, metadata, hostile pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import formats_kit as kit
import pytest

from briefreader.core.brief import Brief, BriefError
from briefreader.core.readers import read_file


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
