"""Offline and safe rendering: nothing in a brief can fetch, run or open anything.

The rendered HTML may keep links only to http(s) and mailto, and images only from the
brief's own folder; the app never loads Qt's network module; the suite's socket guard works.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from briefreader.core.parse import parse_text
from briefreader.core.render import render_brief, render_markdown

HOSTILE = [
    "![pixel](http://tracker.example/p.gif)",
    "![pixel](//tracker.example/p.gif)",
    "![ref image][r]\n\n[r]: https://tracker.example/r.png",
    '<img src="https://tracker.example/a.png" onerror="alert(1)">',
    '<img srcset="https://tracker.example/a.png 2x" src="local.png">',
    '<img src="file:///etc/passwd">',
    '<img src="../outside.png">',
    '<img src="escape.png">',  # a symlink in the brief's folder that points outside it
    '<link rel="stylesheet" href="http://evil.example/s.css">',
    '<style>@import url("http://evil.example/i.css");</style>',
    '<p style="background:url(http://evil.example/b.png)">styled</p>',
    '<iframe src="http://evil.example/frame"></iframe>',
    '<script src="http://evil.example/s.js"></script>',
    "<script>fetch('http://evil.example')</script>",
    '<svg><image href="http://evil.example/svg.png"/></svg>',
    '<svg><use xlink:href="http://evil.example/u.svg#x"/></svg>',
    '<object data="http://evil.example/o"></object>',
    '<embed src="http://evil.example/e">',
    '<video poster="http://evil.example/v.png" src="http://evil.example/v.mp4"></video>',
    '<audio src="http://evil.example/a.mp3"></audio>',
    '<picture><source srcset="http://evil.example/p.png"></picture>',
    '<base href="http://evil.example/">',
    '<meta http-equiv="refresh" content="0; url=http://evil.example/">',
    '<form action="http://evil.example/f"><input name="q"></form>',
    '<body onload="alert(1)">x</body>',
    '<div onmouseover="alert(1)">hover</div>',
    '<a href="http://safe.example/" onclick="steal()">click</a>',
    '<a href="javascript:alert(1)">js</a>',
    '<a href=" JaVaScRiPt:alert(1)">js</a>',
    '<a href="&#106;avascript:alert(1)">js</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<a href="data:text/html,<script>alert(1)</script>">data</a>',
    '<a href="file:///etc/passwd">file</a>',
    "[md js](javascript:alert(1))",
    "[md file](file:///etc/passwd)",
    "<file:///etc/passwd>",
    "[ok](https://safe.example/ok) and <mailto:analyst@example.org>",
]
_ATTR = re.compile(r"""\b([a-z:-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.I)
_FORBIDDEN_TAGS = re.compile(
    r"<\s*(script|style|link|iframe|object|embed|svg|video|audio|source|picture|base|meta|"
    r"form|input|body)\b",
    re.I,
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    brief_dir = tmp_path / "briefs"
    brief_dir.mkdir()
    (brief_dir / "local.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (brief_dir / "escape.png").symlink_to(tmp_path / "outside.png")
    return brief_dir


def _assert_safe(html: str, folder: Path) -> None:
    assert not _FORBIDDEN_TAGS.search(html), html
    for name, raw in _ATTR.findall(html):
        value = raw.strip("\"'")
        name = name.lower()
        assert not name.startswith("on"), html
        assert name not in ("style", "srcset", "action", "poster", "xlink:href", "data"), html
        if name == "href":
            assert re.match(r"(https?://|mailto:|actor:)", value), value
        if name == "src":
            assert value.startswith("file://"), value
            assert Path(value[7:]).resolve().is_relative_to(folder.resolve()), value


@pytest.mark.parametrize("md", HOSTILE)
def test_hostile_markup_renders_safe(md: str, folder: Path) -> None:
    _assert_safe(render_markdown(md, folder), folder)


def test_a_whole_hostile_brief_renders_safe(folder: Path) -> None:
    text = "Title: Hostile\n\n" + "\n\n".join(HOSTILE) + "\n\nComment: " + HOSTILE[3] + "\n"
    brief = parse_text(text, brief_id="hostile.md", path=folder / "hostile.md")
    rendered = render_brief(brief, [], [])
    for part in (rendered.header_html, rendered.article_html, rendered.comment_html or ""):
        _assert_safe(part, folder)
    assert 'href="https://safe.example/ok"' in rendered.article_html
    assert 'href="mailto:analyst@example.org"' in rendered.article_html
    assert "local.png" in rendered.article_html  # the one image from the brief's folder


def test_the_suites_network_guard_refuses_every_connection() -> None:
    with pytest.raises(AssertionError, match="network"):
        socket.create_connection(("192.0.2.1", 80), timeout=0.1)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(AssertionError, match="network"):
            sock.connect(("192.0.2.1", 80))
        with pytest.raises(AssertionError, match="network"):
            sock.connect_ex(("192.0.2.1", 80))
    finally:
        sock.close()
    with pytest.raises(AssertionError, match="network"):
        socket.getaddrinfo("example.org", 80)


@pytest.mark.timeout(60)
def test_the_app_never_loads_qt_network() -> None:
    """QtNetwork opens sockets below Python's socket module; the app must not load it."""
    code = (
        "import os, sys\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "import briefreader.cli, briefreader.ui.app, briefreader.ui.main_window\n"
        "import briefreader.ui.workers, briefreader.ui.widgets.brief_browser\n"
        "import briefreader.ui.widgets.reading_pane, briefreader.ui.models\n"
        "print(sorted(m for m in sys.modules if 'QtNetwork' in m or 'QtWebEngine' in m))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=50, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout
