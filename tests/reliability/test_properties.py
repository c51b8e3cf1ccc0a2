"""Any bytes, any query, any glossary: no exception escapes, costs stay bounded.

Property tests (hypothesis) for the parser's decoding, the query handling and the glossary
loader, and a list of pathological queries that must finish (pytest-timeout) with a notice
where something was limited.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from briefreader import paths
from briefreader.core.brief import BriefError
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library
from briefreader.core.parse import decode, parse_bytes
from briefreader.core.querytext import MAX_FUZZY_EDITS, MAX_WORD_CHARS

FAST = settings(max_examples=100, deadline=None)


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """The sample corpus indexed once for the module."""
    data = tmp_path_factory.mktemp("props")
    library = Library([paths.sample_corpus_dir()], data, Glossary.load([paths.bundled_glossary()]))
    library.update()
    yield library
    library.close()


# -- the parser ------------------------------------------------------------------------------


def _check_brief(data: bytes) -> None:
    try:
        brief = parse_bytes(data, brief_id="x.md", path=Path("x.md"))
    except BriefError as exc:
        assert exc.reason and "\n" not in exc.reason
        return
    text = brief.text
    assert text[brief.article_start : brief.article_start + len(brief.article)] == brief.article
    if brief.comment is not None:
        assert brief.comment_start is not None
        start = brief.comment_start
        assert text[start : start + len(brief.comment)] == brief.comment
    assert "\r" not in text and "\n" not in brief.title


@FAST
@given(st.binary(max_size=600))
def test_any_bytes_parse_or_are_refused_with_a_reason(data: bytes) -> None:
    _check_brief(data)


@FAST
@given(
    st.text(max_size=300),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252"]),
)
def test_any_text_in_any_encoding_parses_or_is_refused(text: str, encoding: str) -> None:
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode(encoding, errors="replace")
    _check_brief(data)


_LATIN = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x24F, exclude_characters="\x7f"),
    min_size=8,
    max_size=300,
)


_MOSTLY_ASCII = st.tuples(
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=8),
    st.text(alphabet=st.characters(min_codepoint=0xA0, max_codepoint=0x24F), max_size=8),
).map(lambda parts: _interleave(*parts))


def _interleave(ascii_text: str, latin: str) -> str:
    """Each ASCII character followed by a Latin letter while they last: at least half ASCII."""
    padded = latin.ljust(len(ascii_text))[: len(ascii_text)]
    return "".join(a + b for a, b in zip(ascii_text, padded, strict=True))


@FAST
@given(_MOSTLY_ASCII, st.sampled_from(["utf-16-le", "utf-16-be"]))
def test_utf16_without_a_byte_order_mark_is_recognised(text: str, encoding: str) -> None:
    """Mostly-Latin text (any European language) has a NUL in every other byte in UTF-16."""
    assume(text.strip())
    decoded, used, warnings = decode(text.encode(encoding))
    assert (decoded, used) == (text, encoding)
    assert any("no byte order mark" in w for w in warnings)


@FAST
@given(_MOSTLY_ASCII)
def test_western_text_in_windows_1252_is_read_as_it(text: str) -> None:
    """Mostly-ASCII Latin text saved as cp1252 is never taken for another script's code
    page (its accented letters never run three in a row)."""
    try:
        data = text.encode("cp1252")
    except UnicodeEncodeError:
        data = text.encode("cp1252", errors="replace")
    assume(not _is_utf8(data))
    _decoded, used, _warnings = decode(data)
    assert used == "cp1252"


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@FAST
@given(_LATIN, st.integers(min_value=0), st.binary(min_size=1, max_size=3))
def test_a_few_bad_bytes_in_utf8_keep_the_rest_readable(text: str, where: int, junk: bytes) -> None:
    """Broken bytes in the middle of UTF-8 with accents: the accents survive (not cp1252)."""
    text = "Caf\u00e9 na\u00efve r\u00e9sum\u00e9 " + text
    data = text.encode("utf-8")
    cut = where % (len(data) + 1)
    while 0 < cut < len(data) and (data[cut] & 0xC0) == 0x80:
        cut -= 1  # not inside a character
    bad = bytes(b | 0x80 for b in junk)  # continuation-or-lead bytes that cannot stand alone
    damaged = data[:cut] + b"\xff" + bad + data[cut:]
    # FF FE or FE FF at the very start is a UTF-16 byte order mark, not damage.
    assume(not damaged.startswith((b"\xff\xfe", b"\xfe\xff")))
    decoded, used, warnings = decode(damaged)
    assert used == "utf-8" and any("invalid UTF-8" in w for w in warnings)
    assert decoded.startswith(data[:cut].decode("utf-8").replace("\r\n", "\n").replace("\r", "\n"))


# -- queries ---------------------------------------------------------------------------------

_QUERY_BITS = st.sampled_from(
    ['"', "(", ")", "*", "?", "~", "~9", "^", "^2", ":", "-", "+", "AND", "OR", "NOT", "title:",
     "actor:", "date:", "[", "]", "{", "}", "to", "PMF", "Iran", "P.M.F.", "\u201c", "\u2019s",
     "\x00", "\\", "/", "'", "a" * 70, " "]
)  # fmt: skip


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=120), st.lists(_QUERY_BITS, max_size=40).map(" ".join)))
def test_any_query_searches_without_raising(lib: Library, text: str) -> None:
    res = lib.search(text, limit=5)
    assert len(res.hits) == min(5, res.total) or res.partial
    assert len({h.id for h in res.hits}) == len(res.hits)
    assert all(isinstance(n, str) and n for n in res.notices)


PATHOLOGICAL = {
    "leading wildcard": ("*a", None),
    "wildcard both sides": ("*a*", "matched too many words"),
    "many wildcards": (" ".join(["*a*"] * 100), "matched too many words"),
    "huge fuzzy": ("militia~9", "fuzzy matching was limited"),
    "fuzzy overflow": ("iran~99999999999999999999", "fuzzy matching was limited"),
    "many huge fuzzy": (" ".join(["government~9"] * 60), "fuzzy matching was limited"),
    "5,000 terms": (" ".join(f"w{i}" for i in range(5000)), "cut to its first"),
    "5,000 real words": (" ".join(["iran", "iraq", "pmf", "militia"] * 1250), "cut to its first"),
    "nested parentheses": ("(" * 1000 + "iran" + ")" * 1000, "cut to its first"),
    "unclosed parentheses": ("(" * 500 + "iran", None),
    "2,000-letter word": ("a" * 2000, f"longer than {MAX_WORD_CHARS}"),
    "long words": (" ".join(["x" * 300] * 20), f"longer than {MAX_WORD_CHARS}"),
    "or chain": (" OR ".join(["iran"] * 1000), None),
    "not chain": (" ".join(["-iran"] * 1000), None),
    "question marks": ("?" * 60, None),
    "proximity": ('"iran iraq"~99999', None),
}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_queries_finish_with_a_notice(lib: Library, name: str) -> None:
    text, notice = PATHOLOGICAL[name]
    res = lib.search(text, limit=10)
    assert len(res.hits) == min(10, res.total) or res.partial
    if notice is not None:
        assert any(notice in n for n in res.notices), res.notices
    if res.hits:
        brief = lib.brief(res.hits[0].id)
        spans = lib.hit_spans(brief, text)
        text = brief.text
        assert spans == sorted(spans)
        for a, b in spans:  # whole words (or names), never a piece of one or a trailing space
            assert 0 <= a < b <= len(text)
            assert text[a:b] == text[a:b].strip()
            assert a == 0 or not text[a - 1].isalnum()
            assert b == len(text) or not text[b].isalnum()


def test_fuzzy_limit_keeps_small_distances(lib: Library) -> None:
    assert not any("fuzzy" in n for n in lib.search(f"militia~{MAX_FUZZY_EDITS}").notices)


# -- glossary ----------------------------------------------------------------------------------

_GOOD = st.builds(
    lambda n, k: f'[[actor]]\nname = "Actor {n}"\nkind = "{k}"\naliases = ["A{n}x"]\n',
    st.integers(min_value=0, max_value=10**6),
    st.sampled_from(["person", "state", "militia"]),
)
_BAD = st.sampled_from(
    [
        '[[actor]]\nname = "Broken\n',
        '[[actor]]\nname = "B"\naliases = ["x"\nkind = "state"\n',
        "[[actor]]\nname = = 3\n",
        '[[actor]]\nname = "C"\nname = "D"\n',
    ]
)


@FAST
@given(st.lists(st.tuples(st.booleans(), _GOOD, _BAD), min_size=1, max_size=8))
def test_a_glossary_with_broken_entries_keeps_the_good_ones(
    tmp_path_factory: pytest.TempPathFactory, entries: list[tuple[bool, str, str]]
) -> None:
    chunks = [good if ok else bad for ok, good, bad in entries]
    text = "\n".join(chunks)
    path = tmp_path_factory.mktemp("g") / "glossary.toml"
    path.write_text(text, "utf-8")
    glossary = Glossary.load([path])
    good_names = {c.split('"')[1] for c, (ok, _g, _b) in zip(chunks, entries, strict=True) if ok}
    assert {a.name for a in glossary.actors.values()} == good_names
    errors = [p for p in glossary.problems if p.severity == "error"]
    broken = sum(not ok for ok, _g, _b in entries)
    assert len(errors) == broken
    lines = text.splitlines()
    for problem in errors:  # each points into the broken entry it is about
        assert problem.path == path and problem.line is not None
        header = max(i for i in range(problem.line) if lines[i].startswith("[[actor]]"))
        assert "Actor " not in "\n".join(lines[header : problem.line])
