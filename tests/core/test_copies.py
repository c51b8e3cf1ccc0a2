"""The same article in several places is one result, with its other places listed: exact
copies (a round-up item and its own page), near copies (the same text with other
boilerplate), and never two different articles that merely share words."""

from __future__ import annotations

import random
import tracemalloc
from pathlib import Path

import formats_kit as kit
import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefreader.core import copies
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library

random.seed(7)
_VOCAB = [f"w{n}" for n in range(4000)]


def _article(n: int = 300) -> str:
    return " ".join(random.choice(_VOCAB) for _ in range(n))


def test_fingerprints_tell_copies_from_other_articles() -> None:
    base = _article()
    near = "Share this story. Follow us. " + base + " Read more at example.org today."
    other = _article()
    half = " ".join(base.split()[:150] + other.split()[:150])
    fb, fn, fo, fh = (copies.fingerprint(t) for t in (base, near, other, half))
    assert fb and fn and fo and fh
    assert copies.fingerprint(base.upper().replace(" ", "  ,")).keys[0] == fb.keys[0]
    assert copies.similarity(fb.signature, fn.signature) >= copies.NEAR
    assert set(fb.keys[1:]) & set(fn.keys[1:])  # a shared band makes them candidates
    assert copies.similarity(fb.signature, fo.signature) < 0.2
    assert copies.similarity(fb.signature, fh.signature) < copies.NEAR
    assert copies.fingerprint("too short to tell " * 3) is None
    assert copies.decode_signature(fb.encoded()) == fb.signature


@given(st.text(max_size=400))
def test_any_text_fingerprints_without_error(text: str) -> None:
    got = copies.fingerprint(text)
    assert got is None or (
        len(got.keys) in (1, copies.BANDS + 1) and len(got.signature) == copies.SIGNATURE
    )


def test_a_short_article_keeps_its_exact_key_only() -> None:
    """Too short to compare for near copies, long enough to be one paragraph: its exact
    copies share its one key; a near copy or another short article shares none."""
    rng = random.Random(11)  # not the module's: the tests below read its sequence
    note = " ".join(rng.choice(_VOCAB) for _ in range(30))
    got = copies.fingerprint(note)
    assert got is not None and got.keys[0].startswith("x:") and len(got.keys) == 1
    again = copies.fingerprint(note.upper().replace(" ", " , "))
    assert again is not None and again.keys == got.keys
    assert copies.similarity(got.signature, again.signature) == 1.0
    edited = copies.fingerprint(note + " today")
    assert edited is not None and edited.keys != got.keys
    words = note.split()
    assert copies.fingerprint(" ".join(words[: copies.MIN_EXACT_WORDS - 1])) is None
    assert copies.fingerprint(" ".join(words[: copies.MIN_EXACT_WORDS])) is not None
    # Long enough for bands: the short rule does not apply.
    longer = copies.fingerprint(" ".join(rng.choice(_VOCAB) for _ in range(60)))
    assert longer is not None and len(longer.keys) == copies.BANDS + 1


def test_the_same_short_item_in_two_emails_is_one_result(tmp_path: Path) -> None:
    """A 30-word news item sent twice, with other subjects, footers and comments: one
    result with its other place; a different short item on the same story stays apart."""
    root = tmp_path / "corpus"
    root.mkdir()
    item = (
        "Hadi al-Amiri said on Tuesday that the Popular Mobilization Forces would never be "
        "disarmed, and that any plan to do so was written abroad by people who do not know "
        "the country at all."
    )
    other = (
        "Hadi al-Amiri said on Tuesday that the Popular Mobilization Forces would keep "
        "their weapons, and that the plan to disarm them was drafted abroad by people who "
        "never lived in the country."
    )
    (root / "monday.md").write_text(_brief("Amiri rejects plan", item, "Expected."), "utf-8")
    (root / "tuesday.md").write_text(_brief("Forwarded: Amiri", item, "Noted."), "utf-8")
    (root / "story.md").write_text(_brief("Amiri again", other), "utf-8")
    lib = Library([root], tmp_path / "data", Glossary.load([]))
    try:
        lib.update(bulk=False)
        res = lib.search("Amiri", limit=10)
        ids = sorted((h.id, *h.copies) for h in res.hits)
        assert ids == [("monday.md", "tuesday.md"), ("story.md",)] or ids == [
            ("story.md",),
            ("tuesday.md", "monday.md"),
        ]
        assert res.folded == 1
        assert lib.copies_of("monday.md") == ("tuesday.md",)
        assert "tuesday.md" not in [h.id for h in lib.related("monday.md")]
    finally:
        lib.close()


def _brief(title: str, body: str, comment: str = "") -> str:
    return f"Title: {title}\n\n{body}\n" + (f"\nComment: {comment}\n" if comment else "")


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    story, other = _article(), _article()
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "page.md").write_text(_brief("Page", story, "From the page."), "utf-8")
    (root / "roundup-item.md").write_text(_brief("Item", story, "From the round-up."), "utf-8")
    (root / "mirror.md").write_text(
        _brief("Mirror", "Subscribe now. " + story + " All rights reserved."), "utf-8"
    )
    (root / "other.md").write_text(_brief("Other", other), "utf-8")
    (root / "mixed.md").write_text(
        _brief("Mixed", " ".join(story.split()[:120] + other.split()[:180])), "utf-8"
    )
    library = Library([root], tmp_path / "data", Glossary.load([]))
    library.update(bulk=False)
    library.story = story  # type: ignore[attr-defined]
    yield library
    library.close()


def test_copies_are_one_result_with_their_other_places(lib: Library) -> None:
    word = lib.story.split()[10]  # type: ignore[attr-defined]
    res = lib.search(word, limit=20)
    ids = [h.id for h in res.hits]
    shown = [i for i in ids if i in {"page.md", "roundup-item.md", "mirror.md"}]
    assert len(shown) == 1, ids  # three places, one result
    hit = next(h for h in res.hits if h.id == shown[0])
    assert set(hit.copies) == {"page.md", "roundup-item.md", "mirror.md"} - {hit.id}
    assert "mixed.md" in ids  # shares words, not the article: a result of its own
    assert res.folded == 2 and res.total == len(ids)
    listing = lib.search("", limit=20)
    assert listing.total == 3 and listing.folded == 2


def test_a_copy_found_alone_is_listed(lib: Library) -> None:
    res = lib.search("Subscribe", limit=20)
    assert [h.id for h in res.hits] == ["mirror.md"]
    assert set(res.hits[0].copies) == {"page.md", "roundup-item.md"}
    assert res.folded == 0


def test_a_digest_item_and_an_email_of_the_same_article(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    long_article = " ".join([kit.ARTICLE] * 2) + " " + _article(40)
    (root / "2019-03-12_roundup.txt").write_text(
        kit.ROUNDUP_DATED.replace(kit.ARTICLE, long_article), "utf-8"
    )
    (root / "single.txt").write_text(kit.SINGLE.replace(kit.ARTICLE, long_article), "utf-8")
    lib = Library([root], tmp_path / "data", Glossary.load([]))
    try:
        lib.update(bulk=False)
        res = lib.search("disarmed", limit=10)
        assert len(res.hits) == 1
        assert set((res.hits[0].id, *res.hits[0].copies)) == {
            "2019-03-12_roundup.txt#1",
            "single.txt",
        }
    finally:
        lib.close()


def test_groups_are_the_same_read_from_term_files_or_from_whoosh(lib: Library) -> None:
    from briefreader.core.index.copies import copy_groups

    ev = lib.index.evaluator()
    segments = [seg for _leaf, seg in ev.leaves]
    assert any(seg.terms is not None for seg in segments)  # the fast path is taken
    fast = copy_groups(ev.searcher, segments)
    for seg in segments:
        seg.terms = None  # as before the term files are written
    slow = copy_groups(ev.searcher, segments)
    assert fast.groups == slow.groups == [("mirror.md", "page.md", "roundup-item.md")]
    assert list(fast.members) == list(slow.members) and len(fast.members) == 3


def test_a_removed_copy_leaves_its_group(lib: Library, tmp_path: Path) -> None:
    (tmp_path / "corpus" / "page.md").unlink()
    lib.update(bulk=False)
    assert lib.index.copy_groups().groups == [("mirror.md", "roundup-item.md")]
    assert lib.copies_of("mirror.md") == ("roundup-item.md",)
    assert "roundup-item.md" not in [h.id for h in lib.related("mirror.md")]


def _reference_signature(article: str) -> tuple[int, ...] | None:
    """The MinHash signature over the distinct shingles, taken the long way."""
    import zlib

    import numpy as np

    words = copies.words_of(article)
    if len(words) < copies.MIN_SHINGLES + copies.SHINGLE - 1:
        return None
    shingles = {tuple(words[i : i + copies.SHINGLE]) for i in range(len(words) - 3)}
    if len(shingles) < copies.MIN_SHINGLES:
        return None
    hashes = []
    for sh in shingles:
        h = 0
        for w in sh:
            h = (h * 1_000_003 + zlib.crc32(w.encode("utf-8", "surrogatepass"))) % (1 << 64)
        hashes.append(h)
    arr = np.array(hashes, dtype=np.uint64)
    values = (copies._A[None, :] * arr[:, None] + copies._B[None, :]) >> np.uint64(32)
    return tuple(int(v) for v in values.min(axis=0))


@pytest.mark.parametrize(
    "article",
    [
        " ".join(f"w{i % 997} x{i % 13}" for i in range(3000)),  # long, many distinct
        "the same short note again. " * 200,  # a few sentences repeated: too little
        " ".join(f"w{i}" for i in range(30)) * 20 + " tail words " * 40,  # repeats first
        "Iran’s P.M.F. café " + " ".join(f"Ünïcode{i}" for i in range(400)),
        " ".join(f"v{i % 4999} y{i % 7}" for i in range(20_000)),  # several blocks of shingles
    ],
)
def test_the_signature_is_the_minimum_over_the_distinct_shingles(article: str) -> None:
    """The fingerprint skips making every shingle distinct once the first few are distinct
    enough (a repeat changes no minimum): the same signature as the long way."""
    got = copies.fingerprint(article)
    want = _reference_signature(article)
    assert (got.signature if got is not None else None) == want


def test_a_long_articles_signature_takes_less_memory_than_its_shingles_by_its_functions() -> None:
    """The functions hash a block of shingles at a time: a 1,000,000-word article's signature
    never holds every shingle by every function (256 MB) at once."""
    rng = random.Random(5)
    article = " ".join(f"w{rng.randrange(5000)}" for _ in range(1_000_000))
    tracemalloc.start()
    try:
        got = copies.take_fingerprint(article)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert got is not None and len(got.signature) == copies.SIGNATURE
    assert peak < 1_000_000 * copies.SIGNATURE * 8, peak


def test_more_like_this_lists_another_article_once(tmp_path: Path) -> None:
    """The three places of one article are "more like" a fourth brief on the same story:
    the list names one of them, as a search does, not the three."""
    story = _article()
    root = tmp_path / "corpus"
    root.mkdir()
    for name in ("page.md", "roundup-item.md", "mirror.md"):
        (root / name).write_text(_brief(name, story), "utf-8")
    follow_up = " ".join(story.split()[:100] + _article(100).split())
    (root / "follow-up.md").write_text(_brief("Follow-up", follow_up), "utf-8")
    (root / "other.md").write_text(_brief("Other", _article()), "utf-8")
    lib = Library([root], tmp_path / "data", Glossary.load([]))
    try:
        lib.update(bulk=False)
        related = [h.id for h in lib.related("follow-up.md")]
        assert len([i for i in related if i in {"page.md", "roundup-item.md", "mirror.md"}]) == 1
        assert related and related[0] in {"page.md", "roundup-item.md", "mirror.md"}
    finally:
        lib.close()


_WORD = __import__("re").compile(r"\w+")


@given(
    st.text(
        st.sampled_from(list("ab AZ.._-'’\n\t3٣ßİΣςéﬁ") + ["Ǆ", "\u0301", "\ud800"]),
        max_size=60,
    )
)
def test_an_articles_words_are_its_word_runs_case_folded(text: str) -> None:
    """The words compared are the text's runs of word characters, each case-folded: read
    from the index's tokens (dotted acronyms cut at their dots), folded a line at a time."""
    want = [w.casefold() for w in _WORD.findall(text)]
    assert copies.words_of(text) == want


def test_of_copies_with_the_same_score_the_first_brief_id_is_shown() -> None:
    """Which place of a group a search shows does not hang on document numbers (a build by
    the reading workers numbers the briefs otherwise than one by one process): the higher
    tier first, then the higher score, then the brief id first in order."""
    import numpy as np

    from briefreader.core.index.copies import CopyGroups, fold

    # Group 0: b.md (document 3) and a.md (document 7); group 1: c.md (5) and d.md (9).
    groups = CopyGroups(
        groups=[("a.md", "b.md"), ("c.md", "d.md")],
        members=np.array([3, 5, 7, 9]),
        group_of=np.array([0, 1, 0, 1]),
        rank_of=np.array([1, 0, 0, 1]),
    )
    ids, same = np.array([3, 5, 7, 9]), np.array([2.0, 2.0, 2.0, 2.0])
    assert fold(groups, [(ids, same)]).tolist() == [3, 9]  # a.md and c.md shown
    higher = np.array([2.5, 2.0, 2.0, 2.0])  # b.md scores higher: it is shown
    assert fold(groups, [(ids, higher)]).tolist() == [7, 9]
    # A first-tier match stands before a better-scored second-tier one.
    second = (np.array([3, 5, 7]), np.array([2.0, 2.0, 2.0]))
    assert fold(groups, [(np.array([9]), np.array([1.0])), second]).tolist() == [3, 5]
