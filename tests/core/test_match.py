"""The matcher's rules, each on sentences from a real brief, plus properties on any text."""

from __future__ import annotations

import importlib.util
import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefreader.core.brief import ARTICLE, COMMENT, Brief
from briefreader.core.match import (
    APOSTROPHES,
    QUOTES,
    Matcher,
    Mention,
    alias_key,
    fold,
    is_case_sensitive_alias,
    is_word_char,
)

# Sentences from the sample brief (shared/seed/000_476c018fafa87246.txt).
SEED_OPENING = (
    "Ali Shamkhani, the secretary of Iran’s Supreme National Security Council, has said that a "
    "“new foreign plot” is underway to dismantle Tehran-backed Popular Mobilization Forces "
    "(P.M.F.) in neighboring Iraq, the Iranian media reported."
)
SEED_QUDS = (
    "While some P.M.F. units are Iraqi nationalists and follow Iraq’s top cleric Grand Ayatollah "
    "Ali Sistani, many prominent groups within P.M.F. have close ties with Qassem Suleimani, "
    "the head of the IRGC’s elite Quds Force."
)
SEED_DIVERSITY = (
    "What makes Sunnis in Iraq and the region particularly worried is that, despite P.M.F.’s "
    "diversity, it is the Iran-backed militia units within the P.M.F. – such as Asaib Ahl "
    "al-Haq and the Badr Organization – which hold significant influence over Iraqi politics."
)

ENTRIES: list[tuple[str, str, bool]] = [
    ("Iran", "iran", False),
    ("Islamic Republic of Iran", "iran", False),
    ("Iraq", "iraq", False),
    ("Tehran", "tehran", False),
    ("Popular Mobilization Forces", "pmf", False),
    ("P.M.F.", "pmf", True),
    ("PMF", "pmf", True),
    ("IRGC", "irgc", True),
    ("Islamic Revolutionary Guard Corps", "irgc", False),
    ("Quds Force", "quds-force", False),
    ("Qassem Suleimani", "qassem-suleimani", False),
    ("Suleimani", "qassem-suleimani", False),
    ("United States", "united-states", False),
    ("US", "united-states", True),
    ("U.S.", "united-states", True),
    ("Asa'ib Ahl al-Haq", "asaib-ahl-al-haq", False),
    ("Asaib Ahl al-Haq", "asaib-ahl-al-haq", False),
    ("AAH", "asaib-ahl-al-haq", True),
    ("Badr Organization", "badr-organization", False),
    ("Ali Khamenei", "ali-khamenei", False),
    ("Khamenei", "ali-khamenei", False),
    ("Supreme Leader Ali", "supreme-leader", False),
    ("Ali Sistani", "ali-sistani", False),
    ("Grand Ayatollah Ali Sistani", "ali-sistani", False),
    ("Haider al-Abadi", "haider-al-abadi", False),
    ("İstanbul", "istanbul", False),
    ("Zürich", "zurich", False),
]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(ENTRIES)


def spans(mentions: list[Mention]) -> list[tuple[str, str]]:
    return [(m.actor_id, m.text) for m in mentions]


def at(text: str, needle: str, nth: int = 0) -> int:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start


def check_offsets(text: str, mentions: list[Mention], offset: int = 0) -> None:
    for m in mentions:
        assert text[m.start - offset : m.end - offset] == m.text


def test_seed_opening_exact_offsets(matcher: Matcher) -> None:
    found = matcher.find(SEED_OPENING)
    expected = [
        ("iran", at(SEED_OPENING, "Iran’s"), "Iran"),
        ("tehran", at(SEED_OPENING, "Tehran"), "Tehran"),
        ("pmf", at(SEED_OPENING, "Popular"), "Popular Mobilization Forces"),
        ("pmf", at(SEED_OPENING, "P.M.F."), "P.M.F."),
        ("iraq", at(SEED_OPENING, "Iraq,"), "Iraq"),
    ]
    assert [(m.actor_id, m.start, m.text) for m in found] == expected
    for m in found:
        assert m.end == m.start + len(m.text)
    check_offsets(SEED_OPENING, found)


def test_hyphen_is_a_boundary(matcher: Matcher) -> None:
    assert spans(matcher.find("Tehran-backed")) == [("tehran", "Tehran")]
    assert spans(matcher.find("the Iran-backed militia")) == [("iran", "Iran")]
    assert spans(matcher.find("Iraqi-Iranian talks")) == []


def test_whole_words_only(matcher: Matcher) -> None:
    assert matcher.find("the Iranian media and Iraqi officials, Tehranis, Quds Forces") == []
    assert matcher.find("XIran IranX Iran2 2Iran") == []
    assert spans(matcher.find("(Iran)")) == [("iran", "Iran")]


def test_possessives_cover_only_the_name(matcher: Matcher) -> None:
    found = matcher.find(SEED_DIVERSITY)
    assert spans(found)[:3] == [("iraq", "Iraq"), ("pmf", "P.M.F."), ("iran", "Iran")]
    assert found[1].start == at(SEED_DIVERSITY, "P.M.F.’s")
    for text in ("Iran’s", "Iran's", "Iran‘s", "Iranʼs"):
        assert spans(matcher.find(text)) == [("iran", "Iran")], text
    assert spans(matcher.find("P.M.F.'s men")) == [("pmf", "P.M.F.")]


def test_irgc_possessive_and_quds_force(matcher: Matcher) -> None:
    found = matcher.find(SEED_QUDS)
    assert ("irgc", "IRGC") in spans(found)
    assert ("quds-force", "Quds Force") in spans(found)
    irgc = next(m for m in found if m.actor_id == "irgc")
    assert irgc.start == at(SEED_QUDS, "IRGC’s")
    # The longer alias wins where both start at the same place.
    assert spans(found)[0:2] == [("pmf", "P.M.F."), ("iraq", "Iraq")]
    assert ("ali-sistani", "Grand Ayatollah Ali Sistani") in spans(found)
    assert ("qassem-suleimani", "Qassem Suleimani") in spans(found)
    check_offsets(SEED_QUDS, found)


def test_longest_alias_wins_over_contained_one() -> None:
    m = Matcher(
        [("Quds Force", "quds-force", False), ("IRGC Quds Force", "irgc-qf", False)]
        + [("IRGC", "irgc", True)]
    )
    assert spans(m.find("the IRGC Quds Force struck")) == [("irgc-qf", "IRGC Quds Force")]
    assert spans(m.find("the IRGC’s elite Quds Force")) == [
        ("irgc", "IRGC"),
        ("quds-force", "Quds Force"),
    ]


def test_leftmost_match_wins_overlaps(matcher: Matcher) -> None:
    text = "Iran’s Supreme Leader Ali Khamenei requested two things"
    found = matcher.find(text)
    assert spans(found) == [
        ("iran", "Iran"),
        ("supreme-leader", "Supreme Leader Ali"),
        ("ali-khamenei", "Khamenei"),
    ]
    starts = [m.start for m in found]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))


def test_capitals_alias_matches_only_as_written(matcher: Matcher) -> None:
    assert matcher.find("He told us that the plan was ours.") == []
    assert matcher.find("us troops, Us troops, uS troops") == []
    assert spans(matcher.find("US troops")) == [("united-states", "US")]
    assert spans(matcher.find("US-backed, the US.")) == [
        ("united-states", "US"),
        ("united-states", "US"),
    ]
    assert spans(matcher.find("irgc and Irgc")) == []
    assert spans(matcher.find("the p.m.f. and aah")) == []


def test_case_insensitive_for_ordinary_aliases(matcher: Matcher) -> None:
    assert spans(matcher.find("TEHRAN and tehran")) == [("tehran", "TEHRAN"), ("tehran", "tehran")]
    assert spans(matcher.find("the united states")) == [("united-states", "united states")]


def test_match_case_actor() -> None:
    m = Matcher([("Badr", "badr", is_case_sensitive_alias("Badr", True))])
    assert spans(m.find("the Badr Organization")) == [("badr", "Badr")]
    assert m.find("BADR and badr") == []


def test_is_case_sensitive_alias() -> None:
    assert is_case_sensitive_alias("US", False)
    assert is_case_sensitive_alias("IRGC", False)
    assert is_case_sensitive_alias("P.M.F.", False)
    assert is_case_sensitive_alias("AL-QAEDA", False)
    assert not is_case_sensitive_alias("Iran", False)
    assert not is_case_sensitive_alias("Q", False)  # one letter is not an acronym
    assert not is_case_sensitive_alias("Q.", False)
    assert not is_case_sensitive_alias("حزب الله", False)  # uncased script
    assert is_case_sensitive_alias("Badr", True)


def test_alias_ending_in_dot(matcher: Matcher) -> None:
    for text in ("the P.M.F.", "the P.M.F., which", "the P.M.F. now", "(P.M.F.)"):
        assert spans(matcher.find(text)) == [("pmf", "P.M.F.")], text
    # Written without the final dot, as before a possessive or at a careless hand.
    assert spans(matcher.find("the P.M.F’s units")) == [("pmf", "P.M.F")]
    assert spans(matcher.find("the P.M.F units")) == [("pmf", "P.M.F")]
    assert spans(matcher.find("U.S. forces and U.S forces")) == [
        ("united-states", "U.S."),
        ("united-states", "U.S"),
    ]


def test_typographic_apostrophes_and_quotes_are_equal() -> None:
    m = Matcher(
        [
            ("Asa'ib Ahl al-Haq", "aah", False),
            ("Ahl al‘Bayt", "bayt", False),
            ('The "Base"', "base", False),
        ]
    )
    assert spans(m.find("Asa’ib Ahl al-Haq and Asa'ib Ahl al-Haq")) == [
        ("aah", "Asa’ib Ahl al-Haq"),
        ("aah", "Asa'ib Ahl al-Haq"),
    ]
    assert spans(m.find("Ahl al'Bayt")) == [("bayt", "Ahl al'Bayt")]
    assert spans(m.find("so-called The “Base” group")) == [("base", "The “Base”")]


def test_whitespace_runs_match_one_space(matcher: Matcher) -> None:
    text = "dismantle [Tehran-backed Popular\n  Mobilization\tForces] now"
    found = matcher.find(text)
    assert spans(found) == [("tehran", "Tehran"), ("pmf", "Popular\n  Mobilization\tForces")]
    check_offsets(text, found)
    nbsp = "Popular\u00a0Mobilization\u2003Forces"
    assert spans(matcher.find(nbsp)) == [("pmf", nbsp)]
    # A single space in the text does not match a run the alias does not have.
    assert matcher.find("PopularMobilization Forces") == []


def test_unicode_offsets_are_code_points(matcher: Matcher) -> None:
    text = "🙂🙂 İİ Ça été dit — naïve “quote” Tehran, then 𝔘𝔖 Iraq and İstanbul, ZÜRICH."
    found = matcher.find(text)
    assert spans(found) == [
        ("tehran", "Tehran"),
        ("iraq", "Iraq"),
        ("istanbul", "İstanbul"),
        ("zurich", "ZÜRICH"),
    ]
    assert found[0].start == text.index("Tehran")
    assert found[2].start == text.index("İstanbul")
    check_offsets(text, found)


def test_length_changing_lowercase_does_not_shift_offsets(matcher: Matcher) -> None:
    # "İ".lower() is two code points; folding must keep one per character.
    assert len("İ".lower()) == 2
    text = "İİİİ Tehran İ Iraq"
    found = matcher.find(text)
    assert [(m.start, m.end) for m in found] == [(5, 11), (14, 18)]
    assert len(fold(text)) == len(text)


def test_combining_marks_are_part_of_a_word() -> None:
    m = Matcher([("Jose", "jose", False)])
    assert m.find("Jose\u0301 said") == []  # decomposed "José"
    assert spans(m.find("Jose said")) == [("jose", "Jose")]


def test_offset_and_section(matcher: Matcher) -> None:
    found = matcher.find("see Iraq", offset=100, section=COMMENT)
    assert found == [Mention("iraq", 104, 108, "Iraq", COMMENT)]


def test_find_in_brief_uses_brief_offsets(matcher: Matcher) -> None:
    article = SEED_OPENING + "\n\n"
    comment = "Comment: " + SEED_QUDS
    text = "Title line\n\n" + article + comment
    brief = Brief(
        id="000.txt",
        path=Path("000.txt"),
        text=text,
        title="Title line",
        date=None,
        source=None,
        author=None,
        tags=(),
        article=article,
        article_start=text.index(article),
        comment=comment,
        comment_start=text.index(comment),
        sha256="",
    )
    found = matcher.find_in_brief(brief)
    assert {m.section for m in found} == {ARTICLE, COMMENT}
    for m in found:
        assert brief.text[m.start : m.end] == m.text
    assert [m.start for m in found] == sorted(m.start for m in found)
    first_comment = next(m for m in found if m.section == COMMENT)
    assert first_comment.start >= brief.comment_start  # type: ignore[operator]


def test_name_spans_are_the_mentions_places(matcher: Matcher) -> None:
    """Candidate names leave out what the glossary names: the places of find()'s mentions."""
    from briefreader.core.match import NameSpans

    text = "The P.M.F. and Iraq’s government met Iran, and the Islamic Republic of Iran."
    places = [(m.start, m.end) for m in matcher.find(text)]
    assert len(places) == 4
    assert matcher.name_spans(text) == places == NameSpans(matcher)(text)
    assert matcher.name_spans("") == [] == Matcher([]).name_spans(text)


def test_the_index_keeps_each_sections_actors_as_the_mentions_give_them(
    matcher: Matcher,
) -> None:
    """``actors_in_brief`` (what the index takes, no Mention objects) gives the actor of each
    mention ``find_in_brief`` finds, section by section; the ranking counts them."""
    from briefreader.core.briefdocs import actors_of

    article = "Iran and Iraq met. Iraq asked Iran twice; Iraq again.\n\n"
    comment = "Comment: Iraq said no, and Iran meant it, Iran said."
    text = "Talks\n\n" + article + comment
    brief = Brief(
        id="t.txt", path=Path("t.txt"), text=text, title="Talks", date=None, source=None,
        author=None, tags=(), article=article, article_start=text.index(article),
        comment=comment, comment_start=text.index(comment), sha256="",
    )  # fmt: skip
    found = matcher.find_in_brief(brief)
    ids = matcher.actors_in_brief(brief)
    assert ids == (
        [m.actor_id for m in found if m.section == ARTICLE],
        [m.actor_id for m in found if m.section == COMMENT],
    )
    assert ids[0].count("iraq") == 3 and ids[1].count("iran") == 2
    every, in_article, in_comment = actors_of(ids)
    assert in_article == ("iraq", "iran")  # three mentions before two
    assert every[:2] == ("iran", "iraq")  # four each: the first mentioned first
    assert in_comment == ("iran", "iraq")  # two mentions before one, though Iraq came first
    no_comment = Brief(
        id="a.txt", path=Path("a.txt"), text=article, title="", date=None, source=None,
        author=None, tags=(), article=article, article_start=0, comment=None,
        comment_start=None, sha256="",
    )  # fmt: skip
    assert matcher.actors_in_brief(no_comment) == (ids[0], [])


def test_first_entry_wins_a_shared_alias() -> None:
    m = Matcher([("Hezbollah", "hezbollah-lb", False), ("Hezbollah", "hezbollah-iq", False)])
    assert [x.actor_id for x in m.find("Hezbollah")] == ["hezbollah-lb"]


def test_exact_case_beats_insensitive_on_same_letters() -> None:
    m = Matcher([("Aah", "exclamation", False), ("AAH", "asaib", True)])
    assert [x.actor_id for x in m.find("AAH")] == ["asaib"]
    assert [x.actor_id for x in m.find("aah")] == ["exclamation"]


def test_exact_case_beats_insensitive_whichever_actor_sorts_first() -> None:
    """Where "AAH" is written, the acronym's entry is the one hit there: a second hit for
    the word at the same place would win the sort by actor id."""
    for entries in (
        [("Aah", "aaa-word", False), ("AAH", "zzz-acronym", True)],
        [("AAH", "zzz-acronym", True), ("Aah", "aaa-word", False)],
    ):
        m = Matcher(entries)
        assert spans(m.find("AAH, aah, Aah")) == [
            ("zzz-acronym", "AAH"),
            ("aaa-word", "aah"),
            ("aaa-word", "Aah"),
        ]


def test_first_exact_case_entry_of_a_written_form_wins() -> None:
    """Exact-case entries of one fold each keep their written form; of two entries written
    alike the first wins, and other capitals fall to the case-insensitive entry."""
    m = Matcher([("US", "zz", True), ("Us", "mm", True), ("US", "aa", True), ("us", "word", False)])
    assert spans(m.find("US, Us, uS, us")) == [
        ("zz", "US"),
        ("mm", "Us"),
        ("word", "uS"),
        ("word", "us"),
    ]
    assert len(m) == 1


def test_written_alias_beats_another_actors_variant_without_dots() -> None:
    """ "P.M.F" written as an alias wins over the dotless variant of an earlier "P.M.F.",
    exact-case or not."""
    for case_sensitive in (True, False):
        m = Matcher([("P.M.F.", "aaa", case_sensitive), ("P.M.F", "zzz", case_sensitive)])
        assert spans(m.find("the P.M.F units")) == [("zzz", "P.M.F")]
        assert spans(m.find("the P.M.F. units")) == [("aaa", "P.M.F.")]


def test_exact_case_variant_beats_insensitive_alias() -> None:
    """The dotless variant of an acronym still beats a case-insensitive alias of the same
    letters on text written as the acronym, and only there."""
    m = Matcher([("p.m.f", "aaa-word", False), ("P.M.F.", "zzz-pmf", True)])
    assert spans(m.find("the P.M.F units")) == [("zzz-pmf", "P.M.F")]
    assert spans(m.find("the p.m.f units, the P.m.F units")) == [
        ("aaa-word", "p.m.f"),
        ("aaa-word", "P.m.F"),
    ]


def test_matcher_of_exact_case_names_only_or_insensitive_names_only() -> None:
    """Either kind of name alone makes a working matcher, whole or as the narrow one of
    :meth:`Matcher.spans_of`."""
    exact = Matcher([("US", "us", True), ("U.N.", "un", True)])
    loose = Matcher([("United States", "us", False)])
    text = "The US, the United States and the U.N; us and un."
    assert spans(exact.find(text)) == [("us", "US"), ("un", "U.N")]
    assert spans(loose.find(text)) == [("us", "United States")]
    both = Matcher([*exact.entries, *loose.entries])
    us, un = frozenset({"us"}), frozenset({"un"})
    assert both.spans_of(text, us, Matcher(e for e in both.entries if e[1] == "us")) == [
        (4, 6),
        (12, 25),
    ]
    assert both.spans_of(text, us, loose) == [(12, 25)]
    assert both.spans_of(text, un, exact) == [(34, 37)]
    assert loose.spans_of(text, us, loose) == [(12, 25)]
    assert exact.spans_of(text, un, exact) == [(34, 37)]
    nothing = Matcher([("...", "x", True)])
    assert nothing.find(text) == [] and both.spans_of(text, us, nothing) == []
    assert (len(exact), len(loose), len(both), len(nothing)) == (3, 1, 4, 0)


def test_boundaries_next_to_apostrophes_and_marks() -> None:
    """U+02BC is alphanumeric to Python but an apostrophe here; a combining mark, or any
    other letter, continues the word."""
    m = Matcher([("KH", "kh", True), ("Badr", "badr", False)])
    assert spans(m.find("KH\u02bcs men and Badr\u02bcs")) == [("kh", "KH"), ("badr", "Badr")]
    assert m.find("KH\u0301 KHé éKH Badr\u0301 Badr2 ßBadr") == []


def test_useless_entries_and_empty_input() -> None:
    assert Matcher([]).find("Iran") == []
    m = Matcher(
        [("", "x", False), ("  ", "x", False), ("...", "x", False), ("Iran", "iran", False)]
    )
    assert len(m) == 1
    assert m.find("") == []
    assert spans(m.find("Iran ...")) == [("iran", "Iran")]


def test_matcher_pickles(matcher: Matcher) -> None:
    clone = pickle.loads(pickle.dumps(matcher))
    assert clone.find(SEED_QUDS) == matcher.find(SEED_QUDS)
    assert clone.entries == matcher.entries


def test_alias_key_normalises_typography() -> None:
    assert alias_key("  Asa’ib   Ahl\nal-Haq ") == "Asa'ib Ahl al-Haq"
    assert alias_key("“Base”") == '"Base"'


# -- properties ----------------------------------------------------------------------------

FRAGMENTS = [
    "Iran",
    "Iran’s",
    "P.M.F.",
    "P.M.F",
    "US",
    "us",
    "Popular Mobilization Forces",
    "Asa’ib Ahl al-Haq",
    "İstanbul",
    "İ",
    "-",
    " ",
    "\n",
    "’s",
    ".",
    ",",
    "🙂",
    "é",
    "\u0301",
    "Quds Force",
    "IRGC",
]
ANY_TEXT = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3))).map("".join),
)


@settings(max_examples=400, deadline=None)
@given(ANY_TEXT, st.integers(min_value=0, max_value=10_000))
def test_property_find_is_well_formed(text: str, offset: int) -> None:
    m = Matcher(ENTRIES)
    found = m.find(text, offset=offset)
    for a, b in zip(found, found[1:], strict=False):
        assert a.end <= b.start
    for mention in found:
        start, end = mention.start - offset, mention.end - offset
        assert 0 <= start < end <= len(text)
        assert text[start:end] == mention.text
        assert start == 0 or not is_word_char(text[start - 1])
        assert end == len(text) or not is_word_char(text[end])
        assert is_word_char(text[start]) or not mention.text[0].isspace()


# A slow, obviously correct matcher to compare against, on a small alphabet.
REF_ENTRIES: list[tuple[str, str, bool]] = [
    ("US", "us", True),
    ("Abu", "abu", False),
    ("Abu Sa", "abu-sa", False),
    ("A.B.", "ab", True),
    ("Sa'ba", "saba", False),
    ("İs", "is", False),
    ("bus", "bus", True),
    ("Ab-Us", "ab-us", False),
]
REF_ALPHABET = "abuAUsSB .'’\n-İé0"


def _char_equal(pattern: str, char: str, case_sensitive: bool) -> bool:
    if pattern == "'":
        return char == "'" or char in APOSTROPHES
    if pattern == '"':
        return char == '"' or char in QUOTES
    if case_sensitive:
        return pattern == char
    return fold(pattern) == fold(char)


def _match_at(key: str, text: str, i: int, case_sensitive: bool) -> int | None:
    """End of ``key`` matched at text[i], or None; one alias space eats a whitespace run."""
    j = i
    for p in key:
        if p == " ":
            if j >= len(text) or not text[j].isspace():
                return None
            while j < len(text) and text[j].isspace():
                j += 1
        else:
            if j >= len(text) or not _char_equal(p, text[j], case_sensitive):
                return None
            j += 1
    return j


def reference_find(entries: list[tuple[str, str, bool]], text: str) -> list[tuple[int, int, str]]:
    keyed = [(alias_key(a), i, cs, 0, n) for n, (a, i, cs) in enumerate(entries)]
    keyed += [(k.rstrip("."), i, cs, 1, n) for k, i, cs, _, n in keyed if k.endswith(".")]
    best: dict[tuple[int, int], tuple[tuple[bool, int, int], str]] = {}
    for key, actor_id, cs, phase, n in keyed:
        for i in range(len(text)):
            end = _match_at(key, text, i, cs)
            if end is None:
                continue
            if i > 0 and is_word_char(text[i - 1]) or end < len(text) and is_word_char(text[end]):
                continue
            rank = (not cs, phase, n)
            if (i, end) not in best or rank < best[(i, end)][0]:
                best[(i, end)] = (rank, actor_id)
    out: list[tuple[int, int, str]] = []
    reached = 0
    for (s, e), (_, actor_id) in sorted(best.items(), key=lambda kv: (kv[0][0], -kv[0][1])):
        if s >= reached:
            out.append((s, e, actor_id))
            reached = e
    return out


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(REF_ALPHABET),
            st.sampled_from(["US", "Abu Sa", "A.B.", "Sa’ba", "İS", "bus", "Ab-Us", "  "]),
        ),
        max_size=30,
    ).map("".join)
)
def test_property_agrees_with_reference(text: str) -> None:
    found = [(m.start, m.end, m.actor_id) for m in Matcher(REF_ENTRIES).find(text)]
    assert found == reference_find(REF_ENTRIES, text)


TIE_ALIASES = ["US", "Us", "us", "U.S.", "U.S", "u.s.", "Abu", "ABU", "A.B.", "a.b", "Sa’ba"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(TIE_ALIASES), st.booleans()), max_size=8),
    st.lists(st.sampled_from([*TIE_ALIASES, *REF_ALPHABET, "SA'BA", "US’s"]), max_size=12),
    st.sampled_from([" ", "", "  "]),
)
def test_property_ties_agree_with_reference(
    aliases: list[tuple[str, bool]], words: list[str], between: str
) -> None:
    """Entries of a few aliases that share letters (mixed case, exact and not, with and
    without dots), each its own actor, keep the reference's winners: exact case first, then
    written aliases before variants, then entry order."""
    entries = [(alias, f"a{n}", exact) for n, (alias, exact) in enumerate(aliases)]
    text = between.join(words)
    found = [(m.start, m.end, m.actor_id) for m in Matcher(entries).find(text)]
    assert found == reference_find(entries, text)


# -- scale -----------------------------------------------------------------------------------

BIG = Path(__file__).resolve().parents[2] / "benchmarks" / "bigglossary.py"


@pytest.mark.slow
def test_big_real_glossary_matches_the_seed() -> None:
    spec = importlib.util.spec_from_file_location("bigglossary_for_test", BIG)
    assert spec is not None and spec.loader is not None
    big = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(big)
    if big.data_dir() is None:
        pytest.skip("../shared/data (CAMEO, OFAC) not found")
    actors = big.load_actors()
    entries = big.entries(actors)
    assert len(entries) >= 20_000
    m = Matcher(entries)
    found = m.find(SEED_OPENING + " " + SEED_QUDS)
    assert {"Ali Shamkhani", "Iran", "Iraq", "Tehran", "IRGC"} <= {x.text for x in found}
    for a, b in zip(found, found[1:], strict=False):
        assert a.end <= b.start


_CHAIN_ENTRIES = [
    ("Popular Mobilization", "pmf", False),
    ("Popular Mobilization Forces", "pmf", False),
    ("Mobilization Forces Command", "mfc", False),
    ("Forces Command", "fc", False),
    ("Command", "cmd", False),
    ("Kataib Hezbollah", "kh", False),
    ("Hezbollah", "hzb", False),
    ("KH", "kh", True),
    ("US", "us", True),
    ("United States", "us", False),
    ("States", "states", False),
    ("P.M.F.", "pmf", False),
]
_CHAIN_WORDS = [
    "Popular Mobilization Forces Command",
    "Mobilization Forces Command",
    "Forces Command",
    "Popular Mobilization",
    "Popular Mobilization Forces",
    "Kataib Hezbollah",
    "United States",
    "Popular",
    "Mobilization",
    "Forces",
    "Command",
    "Kataib",
    "Hezbollah",
    "KH",
    "kh",
    "US",
    "us",
    "United",
    "States",
    "P.M.F.",
    "P.M.F",
    "said the",
    "and",
    "of",
    "a long way",
]


@settings(max_examples=400, deadline=None)
@given(
    words=st.lists(st.sampled_from(_CHAIN_WORDS), min_size=0, max_size=80),
    seps=st.lists(st.sampled_from([" ", " ", " ", "  ", "\n\n", ", ", "\u2019s "]), min_size=1),
    asked=st.sets(
        st.sampled_from(["pmf", "mfc", "fc", "cmd", "kh", "hzb", "us", "states"]),
        min_size=1,
        max_size=3,
    ),
)
def test_spans_of_equal_the_whole_texts_mentions(
    words: list[str], seps: list[str], asked: set[str]
) -> None:
    """Reading only stretches around the asked actors' names keeps exactly what reading the
    whole text keeps, through chains of overlapping names, whitespace runs and
    possessives (the stretch starts where no name spans; else the whole text is read)."""
    text = "".join(w + seps[i % len(seps)] for i, w in enumerate(words))
    whole = Matcher(_CHAIN_ENTRIES)
    ids = frozenset(asked)
    narrow = Matcher(e for e in _CHAIN_ENTRIES if e[1] in ids)
    want = [(m.start, m.end) for m in whole.find(text) if m.actor_id in ids]
    assert whole.spans_of(text, ids, narrow) == want


def test_spans_of_reads_a_stretch_not_the_whole_text() -> None:
    """In a long text, the glossary reads the stretch around the one place the asked name
    stands, and finds the same as a whole read."""
    whole = Matcher(_CHAIN_ENTRIES)
    narrow = Matcher(e for e in _CHAIN_ENTRIES if e[1] == "kh")
    filler = "The United States and Hezbollah said. " * 400
    text = filler + "Kataib Hezbollah struck. " + filler
    scanned: list[tuple[int, int | None]] = []
    real = whole._scan

    def spy(prep, a=0, b=None):  # type: ignore[no-untyped-def]
        scanned.append((a, b))
        return real(prep, a, b)

    whole._scan = spy  # type: ignore[method-assign]
    got = whole.spans_of(text, frozenset({"kh"}), narrow)
    assert got == [(len(filler), len(filler) + len("Kataib Hezbollah"))]
    assert scanned and all(b is not None and b - a < 200 for a, b in scanned)


@pytest.mark.parametrize("length", [10, 11, 40, 41])
def test_spans_of_follows_a_chain_of_overlapping_names_back_to_its_start(length: int) -> None:
    """Names that each overlap the next ("w0 w1", "w1 w2", ...) are kept every other one
    from the chain's start: where the chain runs back past the stretch read, the whole text
    is read, so that the asked name is kept or dropped as a whole read decides."""
    words = [f"word{i:03d}x" for i in range(length + 1)]
    pairs = zip(words, words[1:], strict=False)
    entries = [(f"{a} {b}", f"a{i}", False) for i, (a, b) in enumerate(pairs)]
    whole = Matcher(entries)
    text = "Before it all. " + " ".join(words) + " and after."
    for asked in (f"a{length - 1}", f"a{length - 2}"):
        ids = frozenset({asked})
        narrow = Matcher(e for e in entries if e[1] == asked)
        want = [(m.start, m.end) for m in whole.find(text) if m.actor_id in ids]
        assert whole.spans_of(text, ids, narrow) == want, asked


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*"ab .\n\t\u00a0\u2019\u201c-", "   "]), max_size=60))
def test_normalise_collapses_space_runs_and_maps_offsets_back(pieces: list[str]) -> None:
    """Each run of spaces (after every other space became one) is one space, and every
    normalised offset maps back onto the same character of the text."""
    import re

    from briefreader.core.match import REPLACEMENTS, normalise_mapped

    text = "".join(pieces)
    plain = text
    for old, new in REPLACEMENTS:
        plain = plain.replace(old, new)
    norm, starts, shifts = normalise_mapped(text)
    assert norm == re.sub(" {2,}", " ", plain)
    for i, c in enumerate(norm):
        k = -1
        if starts is not None and shifts is not None:
            k = max((j for j, s in enumerate(starts) if s <= i), default=-1)
        original = i + shifts[k] if k >= 0 and shifts is not None else i
        assert plain[original] == c
