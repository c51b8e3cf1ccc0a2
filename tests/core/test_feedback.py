"""The feedback step (RM3-like pseudo-relevance feedback): who gets it, and that it only
re-orders what the typed words found."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_index import BRIEFS, GLOSSARY, write_corpus  # same folder: pytest puts it on the path

from briefreader.core.glossary import Glossary
from briefreader.core.index import searching
from briefreader.core.library import Library

PROSE = "Iraq militias elections"


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    g = tmp_path / "g.toml"
    g.write_text(GLOSSARY, "utf-8")
    library = Library([write_corpus(tmp_path / "corpus")], tmp_path / "data", Glossary.load([g]))
    assert library.update().added == len(BRIEFS)
    yield library
    library.close()


def _feedback_for(lib: Library, text: str) -> object | None:
    """The feedback query the search would add for ``text`` (None: no feedback)."""
    s = lib.index.searcher()
    ev = lib.index.evaluator()
    parsed = lib.builder.parse(text, s.reader())
    if parsed.some_words is None:
        return None
    loose = ev.run(parsed.some_words)
    return searching._feedback_query(ev, parsed, loose)


def test_a_question_typed_as_prose_gets_feedback(lib: Library) -> None:
    fb = _feedback_for(lib, PROSE)
    assert fb is not None
    # Words of the best briefs, weighted, in every text field: the typed words among them.
    words = {leaf.text for leaf in fb.leaves()}
    assert {"iraq", "militia"} <= words
    assert {leaf.fieldname for leaf in fb.leaves()} == {"title", "article", "comment"}


@pytest.mark.parametrize(
    "text",
    [
        "Iraq militias",  # too few words
        '"early elections" Iraq militias',  # a phrase
        "title:Iraq militias elections",  # a field
        "Ira* militias elections",  # a wildcard
        "Iraq~ militias elections",  # a fuzzy word
        "Iraq militias -elections",  # a minus word
        "Iraq AND militias AND elections",  # explicit AND
        "Iraq OR militias OR elections",  # explicit OR
    ],
)
def test_what_the_user_spelled_out_gets_no_feedback(lib: Library, text: str) -> None:
    assert _feedback_for(lib, text) is None


def test_date_sorts_never_ask_for_feedback(lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = searching._feedback_query

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append("called")
        return real(*args, **kwargs)

    monkeypatch.setattr(searching, "_feedback_query", spy)
    lib.search(PROSE, sort="newest")
    lib.search(PROSE, sort="oldest")
    assert calls == []
    lib.search(PROSE)
    assert calls == ["called"]


def test_feedback_only_reorders(lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same briefs, same tiers, same totals and facets with and without it; only scores move."""
    with_fb = lib.search(PROSE, limit=50)
    monkeypatch.setattr(searching, "_feedback_query", lambda *a, **k: None)
    without = lib.search(PROSE, limit=50)
    assert with_fb.total == without.total >= 3
    assert with_fb.total_all_words == without.total_all_words
    assert with_fb.facets == without.facets
    tiers = {h.id: h.tier for h in without.hits}
    assert {h.id: h.tier for h in with_fb.hits} == tiers
    # Within each tier the order follows the scores, and feedback added to them.
    by_id = {h.id: h.score for h in without.hits}
    assert all(h.score > by_id[h.id] for h in with_fb.hits)
    for res in (with_fb, without):
        for tier in (1, 2):
            scores = [h.score for h in res.hits if h.tier == tier]
            assert scores == sorted(scores, reverse=True)


def test_feedback_reranks_only_the_head_of_each_tier(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below FEEDBACK_DEPTH a brief keeps its score, and still ranks below the reranked."""
    monkeypatch.setattr(searching, "_feedback_query", lambda *a, **k: None)
    plain = {h.id: h.score for h in lib.search(PROSE, limit=50).hits}
    monkeypatch.undo()
    monkeypatch.setattr(searching, "FEEDBACK_DEPTH", 1)
    res = lib.search(PROSE, limit=50)
    for tier in (1, 2):
        hits = [h for h in res.hits if h.tier == tier]
        if not hits:
            continue
        assert hits[0].score > plain[hits[0].id]  # the head got feedback
        assert all(h.score == pytest.approx(plain[h.id]) for h in hits[1:])  # the rest not
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert {h.id for h in res.hits} == set(plain)
