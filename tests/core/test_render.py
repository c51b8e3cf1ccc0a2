"""Tests for briefreader.core.render: sanitising, local images, marks at offsets, header."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefreader.core.brief import Brief
from briefreader.core.parse import parse_text
from briefreader.core.render import (
    RenderedBrief,
    render_brief,
    render_markdown,
    render_section,
)


@dataclass(frozen=True, slots=True)
class FakeMention:
    """Stand-in for briefreader.core.match.Mention (same fields)."""

    actor_id: str
    start: int
    end: int
    text: str = ""
    section: str | None = None


def mention(text: str, word: str, actor_id: str, base: int = 0, nth: int = 0) -> FakeMention:
    start = [m.start() for m in re.finditer(re.escape(word), text)][nth]
    return FakeMention(actor_id, base + start, base + start + len(word), word)


def span_of(text: str, word: str, base: int = 0, nth: int = 0) -> tuple[int, int]:
    start = [m.start() for m in re.finditer(re.escape(word), text)][nth]
    return base + start, base + start + len(word)


def strip_tags(fragment: str) -> str:
    return re.sub(r"<[^>]+>", "", fragment)


def actor_texts(fragment: str, actor_id: str) -> list[str]:
    """The visible text inside each span for ``actor_id`` (spans never nest in themselves)."""
    pattern = rf'<span class="actor[^"]*" data-actor="{re.escape(actor_id)}"[^>]*>(.*?)</span>'
    return [strip_tags(inner) for inner in re.findall(pattern, fragment, re.S)]


def hit_texts(fragment: str) -> list[str]:
    return [strip_tags(m) for m in re.findall(r'<mark class="hit">(.*?)</mark>', fragment, re.S)]


class NestingChecker(HTMLParser):
    """Fails on crossing or unbalanced tags; void elements are fine."""

    VOID = {"br", "img", "hr", "col", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.marked: list[str] = []  # the text inside <mark> (search hits)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if "mark" in self.stack:
            self.marked.append(data)


def check_nesting(fragment: str) -> NestingChecker:
    checker = NestingChecker()
    checker.feed(fragment)
    checker.close()
    assert checker.stack == [], f"unclosed {checker.stack}"
    return checker


# --------------------------------------------------------------------------------------------
# Sanitising


@pytest.mark.parametrize(
    ("md", "forbidden"),
    [
        ("Hi <script>alert(1)</script> there", ["<script", "alert(1)"]),
        ("<img src=x onerror=alert(1)>", ["onerror", "alert"]),
        ('<iframe src="https://evil.example">inner</iframe>', ["<iframe", "evil.example"]),
        ("[click](javascript:alert(1))", ["javascript:", "alert"]),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', ["javascript", "alert"]),
        ('<a href="file:///etc/passwd">x</a>', ["file:", "/etc/passwd"]),
        ('<a href="data:text/html,<b>x</b>">x</a>', ["data:"]),
        ('<p style="color:red" onclick="go()">styled</p>', ["style=", "onclick", "go()"]),
        ("<style>body{display:none}</style>text", ["<style", "display"]),
        ('<form action="https://x.org"><input name="q"></form>', ["<form", "<input"]),
        ('<object data="x.swf"></object><embed src="x.swf">', ["<object", "<embed", "x.swf"]),
        ('<link rel="stylesheet" href="https://x.org/s.css">', ["<link", "s.css"]),
        ('<svg onload="alert(1)"><circle/></svg>', ["<svg", "onload"]),
        ('<span class="actor" data-actor="fake">forged</span>', ["data-actor", 'class="actor']),
        ('<mark class="hit">forged</mark>', ['class="hit"']),
    ],
)
def test_render_markdown_sanitises(md: str, forbidden: list[str]) -> None:
    out = render_markdown(md, None)
    for bad in forbidden:
        assert bad.lower() not in out.lower(), out


def test_links_keep_safe_schemes_and_get_rel() -> None:
    out = render_markdown(
        "[a](https://example.org/x) [b](http://example.org) [c](mailto:a@b.org) "
        '<a href="https://example.org" target="_blank" rel="opener">d</a>',
        None,
    )
    assert 'href="https://example.org/x"' in out
    assert 'href="http://example.org"' in out
    assert 'href="mailto:a@b.org"' in out
    assert out.count('rel="noopener noreferrer"') == 4
    assert "target" not in out and '"opener"' not in out


def test_markdown_features() -> None:
    out = render_markdown(
        "# H\n\n**bold** *it*\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n1. one\n2. two\n", None
    )
    for tag in ("<h1>", "<strong>", "<em>", "<table>", "<td>1</td>", "<ol>", "<li>one</li>"):
        assert tag in out


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    brief_dir = tmp_path / "briefs"
    brief_dir.mkdir()
    (brief_dir / "map.png").write_bytes(b"\x89PNG")
    (brief_dir / "img").mkdir()
    (brief_dir / "img" / "a b.png").write_bytes(b"\x89PNG")
    (tmp_path / "secret.png").write_bytes(b"\x89PNG")
    return brief_dir


def test_local_image_rewritten_to_file_url(folder: Path) -> None:
    out = render_markdown('![The map](map.png "Title")  ![spaced](img/a%20b.png)', folder)
    expected = (folder / "map.png").resolve().as_uri()
    assert f'<img src="{expected}" alt="The map" title="Title">' in out
    assert (folder / "img" / "a b.png").resolve().as_uri() in out


@pytest.mark.parametrize(
    "src",
    [
        "https://evil.example/x.png",
        "http://evil.example/x.png",
        "//evil.example/x.png",
        "../secret.png",
        "img/../../secret.png",
        "%2e%2e/secret.png",
        "/etc/passwd",
        "file:///etc/passwd",
        "data:image/png;base64,AAAA",
        "javascript:alert(1)",
        "missing.png",
        "img",
    ],
)
def test_untrusted_image_becomes_alt_text(folder: Path, src: str) -> None:
    out = render_markdown(f"Before ![alt & <text>]({src}) after", folder)
    assert "<img" not in out
    assert "alt &amp; &lt;text&gt;" in out
    assert "evil" not in out and "secret" not in out and "passwd" not in out


def test_raw_html_image_checked_too(folder: Path) -> None:
    out = render_markdown('<img src="../secret.png" alt="no"><img src="map.png" alt="yes">', folder)
    assert "secret" not in out
    assert (folder / "map.png").resolve().as_uri() in out


def test_no_base_dir_means_no_images(folder: Path) -> None:
    out = render_markdown("![map](map.png)", None)
    assert "<img" not in out and "map" in out


# --------------------------------------------------------------------------------------------
# Marks


def test_mentions_land_on_the_right_words() -> None:
    text = "Ali Shamkhani met Hammam Hamoudi in Tehran. Shamkhani spoke."
    mentions = [
        mention(text, "Shamkhani", "shamkhani", nth=0),
        mention(text, "Tehran", "tehran"),
        mention(text, "Shamkhani", "shamkhani", nth=1),
    ]
    out = render_section(text, 0, mentions, [], None)
    assert actor_texts(out, "shamkhani") == ["Shamkhani", "Shamkhani"]
    assert actor_texts(out, "tehran") == ["Tehran"]
    assert strip_tags(out).strip() == text
    check_nesting(out)


def test_section_start_converts_offsets() -> None:
    full = "Title: X\n\nThe article mentions Iraq.\n\nComment: Iraq again and Iran."
    brief = parse_text(full, brief_id="a.md", path=Path("a.md"))
    assert brief.comment is not None and brief.comment_start is not None
    iran = mention(brief.comment, "Iran", "iran", base=brief.comment_start)
    iraq_in_comment = mention(brief.comment, "Iraq", "iraq", base=brief.comment_start)
    iraq_in_article = mention(brief.article, "Iraq", "iraq", base=brief.article_start)
    assert full[iran.start : iran.end] == "Iran"
    out = render_section(
        brief.comment, brief.comment_start, [iran, iraq_in_comment, iraq_in_article], [], None
    )
    assert actor_texts(out, "iran") == ["Iran"]
    assert actor_texts(out, "iraq") == ["Iraq"]  # the article's mention is out of range


def test_hit_inside_mention_nests() -> None:
    text = "The Popular Mobilization Forces said so."
    actor = mention(text, "Popular Mobilization Forces", "pmf")
    hit = span_of(text, "Mobilization")
    out = render_section(text, 0, [actor], [hit], None)
    check_nesting(out)
    assert actor_texts(out, "pmf") == ["Popular Mobilization Forces"]
    assert hit_texts(out) == ["Mobilization"]
    inner = re.search(r'data-actor="pmf"[^>]*>(.*?)</span>', out)
    assert inner is not None and '<mark class="hit">Mobilization</mark>' in inner.group(1)


def test_hit_crossing_mention_is_split_but_well_nested() -> None:
    text = "Masoud Barzani cast his ballot."
    actor = mention(text, "Barzani", "barzani")
    hit = span_of(text, "zani cast")
    out = render_section(text, 0, [actor], [hit], None)
    check_nesting(out)
    assert "".join(actor_texts(out, "barzani")) == "Barzani"
    assert "".join(hit_texts(out)) == "zanicast" or " ".join(hit_texts(out)) == "zani cast"
    assert strip_tags(out).strip() == text


def test_marks_inside_markdown_formatting() -> None:
    text = "- **Iran** closed its airspace.\n- [Turkey](https://x.org) threatened.\n\n> Iraq too."
    mentions = [
        mention(text, "Iran", "iran"),
        mention(text, "Turkey", "turkey"),
        mention(text, "Iraq", "iraq"),
    ]
    hits = [span_of(text, "airspace")]
    out = render_section(text, 0, mentions, hits, None)
    check_nesting(out)
    assert "<strong>" in out and "<blockquote>" in out and "<li>" in out
    assert actor_texts(out, "iran") == ["Iran"]
    assert actor_texts(out, "turkey") == ["Turkey"]
    assert actor_texts(out, "iraq") == ["Iraq"]
    assert hit_texts(out) == ["airspace"]
    assert 'href="https://x.org"' in out


def test_mention_in_link_target_does_not_break_link() -> None:
    text = "See [the report](https://example.org/iran/report) now."
    out = render_section(text, 0, [mention(text, "iran", "iran")], [], None)
    assert 'href="https://example.org/iran/report"' in out
    assert "data-actor" not in out


def test_mention_across_paragraphs_wraps_only_text() -> None:
    text = "First Iran\n\nSecond para"
    out = render_section(text, 0, [FakeMention("x", 6, 18)], [], None)
    check_nesting(out)
    assert actor_texts(out, "x") == ["Iran", "Second"]
    assert "<p></p>" not in out


def test_marks_around_fenced_code_keep_the_fence() -> None:
    text = "```\ncode here\n```\nafter"
    out = render_section(text, 0, [FakeMention("x", 0, len(text))], [], None)
    assert "<pre><code>" in out
    check_nesting(out)


def test_actor_info_title_and_class() -> None:
    text = "Kataib Hezbollah fired."
    seen: list[str] = []

    def info(actor_id: str) -> tuple[str, str, str]:
        seen.append(actor_id)
        return ("Kata'ib Hezbollah", "Armed Group", 'Iraqi militia, "KH" <b>')

    out = render_section(text, 0, [mention(text, "Kataib Hezbollah", "kh")], [], None, info)
    assert 'class="actor actor-armed-group"' in out
    assert 'data-actor="kh"' in out
    tooltip = re.search(r'title="([^"]*)"', out)
    assert tooltip is not None
    assert "<b>" not in tooltip.group(1)
    checker = check_nesting(out)
    span = next(attrs for tag, attrs in checker.tags if tag == "span")
    assert span["title"] == 'Kata\'ib Hezbollah (Armed Group): Iraqi militia, "KH" <b>'
    assert seen == ["kh"]


def test_unknown_actor_defaults() -> None:
    text = "Somebody spoke."
    out = render_section(text, 0, [mention(text, "Somebody", "some-body")], [], None)
    assert 'class="actor actor-other"' in out
    assert 'title="some-body (other)"' in out


def test_marks_survive_html_special_characters() -> None:
    text = 'AT&T and <Iran> & Iraq\'s "deal"'
    mentions = [mention(text, "Iraq", "iraq")]
    out = render_section(text, 0, mentions, [span_of(text, "AT&T")], None)
    assert actor_texts(out, "iraq") == ["Iraq"]
    assert hit_texts(out) == ["AT&amp;T"]
    check_nesting(out)


def test_marks_do_not_let_raw_html_through() -> None:
    text = "Iran <script>alert(1)</script> said <img src=x onerror=alert(2)> Iran"
    mentions = [mention(text, "Iran", "iran"), mention(text, "Iran", "iran", nth=1)]
    out = render_section(text, 0, mentions, [(0, len(text))], None)
    assert "<script" not in out and "onerror" not in out and "alert" not in out
    assert actor_texts(out, "iran") == ["Iran", "Iran"]
    check_nesting(out)


def test_placeholder_lookalikes_in_text_are_harmless() -> None:
    text = "odd \U000f0000 chars \U000f0001 here"
    out = render_section(text, 0, [FakeMention("x", 0, 3)], [], None)
    assert actor_texts(out, "x") == ["odd"]
    assert "\U000f0000" not in out


# --------------------------------------------------------------------------------------------
# Marks beginning or ending inside Markdown syntax


def layout_tags(fragment: str) -> list[str]:
    """The tags of a fragment, our marks left out: what the Markdown laid out."""
    return [tag for tag, _ in check_nesting(fragment).tags if tag not in {"mark", "span"}]


def test_hit_ending_inside_image_syntax_stops_there() -> None:
    """Found by the property test: the hit ends in "![", its end went into the image's alt
    text, was dropped with the tag, and the mark ran on over the text after the image."""
    text = "0000000000000000![i](../x.png)000"
    out = render_section(text, 0, [], [(0, 18)], None)
    assert hit_texts(out) == ["0000000000000000"]
    assert strip_tags(out) == "0000000000000000i000"


@pytest.mark.parametrize(
    ("start", "marked"), [(16, "i000"), (17, "i000"), (18, "i000"), (20, "000")]
)
def test_hit_starting_inside_image_syntax_marks_what_is_shown_of_it(
    start: int, marked: str
) -> None:
    """No image shown here: its alt text is, and is marked like any text (a hit starting in
    the alt text was dropped with the tag, and nothing at all was marked)."""
    text = "0000000000000000![i](../x.png)000"
    assert hit_texts(render_section(text, 0, [], [(start, len(text))], None)) == [marked]


def test_hit_ending_in_a_shown_images_alt_text_stops_before_the_image(folder: Path) -> None:
    text = "Before ![The map](map.png) after"
    out = render_section(text, 0, [], [span_of(text, "Before ![The")], folder)
    assert [t.strip() for t in hit_texts(out)] == ["Before"]
    assert 'alt="The map"' in out and (folder / "map.png").resolve().as_uri() in out
    out = render_section(text, 0, [], [span_of(text, "map](map.png) after")], folder)
    assert hit_texts(out) == ["after"]


@pytest.mark.parametrize(
    ("text", "hit", "marked"),
    [
        ("See [the report](https://example.org/r) now.", "See [the", ["See", "the"]),
        ("See [the report](https://example.org/r) now.", "report](https://ex", ["report"]),
        (
            "See [the report][r] now.\n\n[r]: https://example.org/r",
            "See [the report][",
            ["See", "the report"],
        ),
        ("See [the report][r] now.\n\n[r]: https://example.org/r", "report][r", ["report"]),
    ],
)
def test_hit_ending_inside_a_links_brackets_keeps_the_link(
    text: str, hit: str, marked: list[str]
) -> None:
    """One in a reference's name ("][r") made it another name, and the link was gone."""
    out = render_section(text, 0, [], [span_of(text, hit)], None)
    assert [t.strip() for t in hit_texts(out)] == marked
    assert out.count('href="https://example.org/r"') == 1
    assert layout_tags(out) == layout_tags(render_section(text, 0, [], [], None))


@pytest.mark.parametrize(
    ("text", "hit", "tag", "marked"),
    [
        ("Said **bold** and more.", "Said **bold*", "strong", ["Said", "bold"]),
        ("Said **bold** and more.", "*bold** and", "strong", ["bold", "and"]),
        ("Said __bold__ and more.", "d __bold_", "strong", ["d", "bold"]),
        ("Said *it* and more.", "Said *", "em", ["Said"]),
        ("aa ***both*** bb", "**both*", "em", ["both"]),  # the mark ran on over " bb"
        ("Run `code` here.", "Run `co", "code", ["Run", "co"]),
        ("Run ``co`de`` here.", "Run ``co`de`", "code", ["Run", "co`de"]),
        ("Run ``co`de`` here.", "`co", "code", ["co"]),
    ],
)
def test_hit_ending_inside_emphasis_or_code_markers_keeps_them(
    text: str, hit: str, tag: str, marked: list[str]
) -> None:
    """A placeholder between two "*" or two "`" made them two single ones: the bold or the
    code span was gone and its markers were shown (and marked)."""
    out = render_section(text, 0, [], [span_of(text, hit)], None)
    assert [t.strip() for t in hit_texts(out)] == marked
    assert f"<{tag}>" in out
    assert layout_tags(out) == layout_tags(render_section(text, 0, [], [], None))


def test_mention_ending_inside_emphasis_markers_keeps_them() -> None:
    text = "The **Popular Mobilization** said so."
    out = render_section(text, 0, [FakeMention("pmf", 4, 27)], [], None)
    assert actor_texts(out, "pmf") == ["Popular Mobilization"]
    assert "<strong>" in out and "*" not in strip_tags(out)


def test_heading_underline_is_not_broken_by_a_mark() -> None:
    text = "Head\n==\n\nNext"
    out = render_section(text, 0, [], [span_of(text, "Head\n=")], None)
    assert hit_texts(out) == ["Head"]
    assert "<h1>" in out and "=" not in strip_tags(out)


def test_hit_from_a_footnote_stops_where_it_ends() -> None:
    """Footnotes are moved to the end of the page: the mark of a hit from a footnote into
    the text after it ran on over that text to its end, and over the link back."""
    text = "Iran[^1] said more.\n\n[^1]: A note.\n\nLater text."
    out = render_section(text, 0, [], [span_of(text, "note.\n\nLa")], None)
    assert hit_texts(out) == ["La", "note."]
    out = render_section(text, 0, [], [span_of(text, "said more.\n\n[^1]: A")], None)
    assert hit_texts(out) == ["said more.", "A"]


def test_hit_ending_in_what_is_never_shown_stops_there() -> None:
    """A script's content, and a table row's cells past its head's, are dropped with the
    placeholders in them."""
    text = "Iran <script>x</script> said"
    out = render_section(text, 0, [], [(0, 15)], None)
    assert hit_texts(out) == ["Iran"]
    assert "<script" not in out
    text = "| a | b |\n|---|---|\n| 1 | 2 | 3 |\n| 4 | 5 |"
    out = render_section(text, 0, [], [span_of(text, "1 | 2 | 3")], None)
    assert hit_texts(out) == ["1", "2"]


_SYNTAX_SAMPLES = [
    "0000![i](../x.png)000",
    "[a](https://x.org) or [b][r]\n\n[r]: https://x.org",
    "**bold**, *em*, __b__ and ***c***.",
    "Run `code` and ``co`de`` now.",
    "# Head #\n\n- one\n- two\n\n> quoted",
    "Head\n==\n\n| a | b |\n|---|---|\n| 1 | 2 |",
    "Iran[^1] said.\n\n[^1]: A note.\n\nLater.",
]


@pytest.mark.parametrize("text", _SYNTAX_SAMPLES)
def test_every_hit_marks_its_text_and_no_more_and_keeps_the_layout(text: str) -> None:
    """A hit beginning and ending anywhere: what is marked is text of the hit (whatever
    Markdown made of it), and the marks change nothing else."""
    plain = layout_tags(render_section(text, 0, [], [], None))
    for start in range(len(text)):
        for end in range(start + 1, len(text) + 1):
            out = render_section(text, 0, [], [(start, end)], None)
            marked = Counter("".join(check_nesting(out).marked).replace(" ", ""))
            assert not marked - Counter(text[start:end]), (start, end, out)
            assert layout_tags(out) == plain, (start, end, out)


# --------------------------------------------------------------------------------------------
# Whole brief


def make_brief(text: str, name: str = "2017/brief.md") -> Brief:
    return parse_text(text, brief_id=name, path=Path("/corpus") / name)


def test_render_brief_header_article_comment() -> None:
    brief = make_brief(
        "Title: Shamkhani warns < 5 & threatens\nDate: 14 November 2017\nSource: IRNA\n"
        "Author: Desk\nTags: iran, pmf\n\nShamkhani spoke in Tehran.\n\nComment: Tehran means it."
    )
    assert brief.comment is not None and brief.comment_start is not None
    mentions = [
        mention(brief.text, "Tehran", "tehran", nth=0),
        mention(brief.text, "Tehran", "tehran", nth=1),
    ]
    hits = [span_of(brief.text, "means")]
    rendered = render_brief(brief, mentions, hits)
    assert isinstance(rendered, RenderedBrief)
    header = rendered.header_html
    assert "Shamkhani warns &lt; 5 &amp; threatens" in header
    assert "14 November 2017" in header
    assert "IRNA" in header and "Desk" in header
    assert ">iran<" in header and ">pmf<" in header
    assert actor_texts(rendered.article_html, "tehran") == ["Tehran"]
    assert rendered.comment_html is not None
    assert actor_texts(rendered.comment_html, "tehran") == ["Tehran"]
    assert hit_texts(rendered.comment_html) == ["means"]
    assert hit_texts(rendered.article_html) == []
    assert "Comment:" not in rendered.article_html + rendered.comment_html
    assert "Title:" not in rendered.article_html


def test_render_brief_without_comment() -> None:
    brief = make_brief("Just an article.")
    rendered = render_brief(brief, [], [])
    assert rendered.comment_html is None
    assert "Just an article." in rendered.article_html


@pytest.mark.parametrize(
    ("date_line", "shown"),
    [("2017-11", "November 2017"), ("2017", "2017"), ("2017-11-05", "5 November 2017")],
)
def test_header_date_precision(date_line: str, shown: str) -> None:
    brief = make_brief(f"Date: {date_line}\n\nBody.")
    assert brief.date is not None and brief.date.year == 2017
    assert f">{shown}<" in render_brief(brief, [], []).header_html


def test_header_date_from_file_name() -> None:
    brief = make_brief("Body.", name="2017-11-14_x.md")
    assert brief.date == dt.date(2017, 11, 14)
    assert ">14 November 2017<" in render_brief(brief, [], []).header_html


def test_render_brief_images_relative_to_brief_folder(tmp_path: Path) -> None:
    (tmp_path / "chart.png").write_bytes(b"\x89PNG")
    brief = parse_text(
        "Body ![chart](chart.png) ![x](../chart.png)", brief_id="b.md", path=tmp_path / "b.md"
    )
    out = render_brief(brief, [], []).article_html
    assert (tmp_path / "chart.png").resolve().as_uri() in out
    assert out.count("<img") == 1


# --------------------------------------------------------------------------------------------
# Properties

_FRAGMENTS = [
    "\n", "\n\n", " ", "*", "**", "_", "`", "```\n", "# ", "- ", "1. ", "> ", "|", "---\n",
    "[a](", ")", "](http://x.org/", "<", ">", "&amp;", "&", "\\", "<script>", "</script>",
    "<img src=x onerror=alert(1)>", "<b>", "</b>", "![i](../x.png)", "Iran", "\U000f0000",
]  # fmt: skip
_markdown_text = st.lists(
    st.one_of(st.text(max_size=10), st.sampled_from(_FRAGMENTS)), max_size=30
).map("".join)


@st.composite
def text_and_spans(
    draw: st.DrawFn,
) -> tuple[str, int, list[FakeMention], list[tuple[int, int]]]:
    text = draw(_markdown_text)
    base = draw(st.integers(min_value=0, max_value=50))
    bounds = st.integers(min_value=0, max_value=len(text))
    mentions = []
    for start, end in draw(st.lists(st.tuples(bounds, bounds), max_size=6)):
        low, high = min(start, end), max(start, end)
        actor = draw(st.sampled_from(["a", "b", 'q"<x>']))
        mentions.append(FakeMention(actor, base + low, base + high))
    hits = []
    for start, end in draw(st.lists(st.tuples(bounds, bounds), max_size=4)):
        hits.append((base + min(start, end), base + max(start, end)))
    return text, base, mentions, hits


@settings(max_examples=200, deadline=None)
@given(text_and_spans())
def test_render_section_never_raises_and_stays_safe(
    case: tuple[str, int, list[FakeMention], list[tuple[int, int]]],
) -> None:
    text, base, mentions, hits = case
    out = render_section(text, base, mentions, hits, None)
    assert "<script" not in out.lower()
    assert "\U000f0000" not in out
    checker = check_nesting(out)  # every tag closed, none crossing
    # A hit mark covers its hits' text and no more (a mark left open would run on).
    # (Whitespace aside: Markdown may widen a tab.)
    covered = set()
    for a, b in hits:
        covered.update(k for k in range(max(a - base, 0), min(b - base, len(text))))
    # (Other control characters, \r and \x1f among them, count as shown: the renderer
    # shows each as U+FFFD.)
    shown = sum(not c.isspace() for c in "".join(checker.marked))
    assert shown <= sum(text[k] not in " \t\n" for k in covered)
    for tag, attrs in checker.tags:
        assert tag not in {"script", "iframe", "style", "object", "embed", "form", "svg"}
        assert not any(name.startswith("on") or name == "style" for name in attrs)
        href = (attrs.get("href") or "").strip().lower()
        assert not href.startswith(("javascript:", "data:", "file:", "vbscript:"))
        assert tag != "img"  # no base folder: no image may survive
        if tag == "span":
            assert attrs.get("data-actor") in {"a", "b", 'q"<x>'}
        if tag == "mark":
            assert attrs == {"class": "hit"}


def test_a_brief_that_is_not_a_file_here_shows_no_local_image(tmp_path: Path) -> None:
    """A team-archive brief's path is only its id: an id naming a local folder must not
    make that folder's pictures appear (nor any file be read from it)."""
    import dataclasses

    from briefreader.core.parse import parse_text
    from briefreader.core.render import render_brief

    (tmp_path / "pic.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    text = "Title: T\n\nSee ![](pic.png) here.\n\nComment: c\n"
    local = parse_text(text, brief_id="x.md", path=tmp_path / "x.md")
    assert "pic.png" in render_brief(local, [], []).article_html  # a brief on disk: shown
    archived = dataclasses.replace(local, id=str(tmp_path / "x.md"), on_disk=False)
    assert "pic.png" not in render_brief(archived, [], []).article_html
