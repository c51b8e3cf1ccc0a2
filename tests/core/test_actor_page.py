"""The actor workbench's core: an actor page and candidate actors, checked against searches."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from briefreader import paths
from briefreader.core.glossary import Glossary
from briefreader.core.library import Library
from briefreader.core.sentences import sentence_spans

GLOSSARY = """
[[actor]]
name = "Popular Mobilization Forces"
kind = "militia"
aliases = ["PMF", "P.M.F.", "Hashd al-Shaabi"]

[[actor]]
name = "Iran"
kind = "state"
aliases = ["Islamic Republic"]

[[actor]]
name = "United States"
kind = "state"
aliases = ["US", "U.S."]

[[actor]]
name = "Muqtada al-Sadr"
kind = "person"
aliases = ["Sadr"]
"""


def _brief(title: str, date: str, article: str, comment: str | None) -> str:
    head = f"Title: {title}\nDate: {date}\nSource: Wire\n\n{article}\n"
    return head + (f"\nComment: {comment}\n" if comment is not None else "")


BRIEFS = {
    "a.md": _brief(
        "PMF parade",
        "2019-01-10",
        "The PMF held a parade in Baghdad. Iran sent observers. Kataib Sayyid al-Shuhada marched.",
        "The Hashd al-Shaabi wants to be seen. Nothing else matters. Iran is pleased.",
    ),
    "b.md": _brief(
        "Budget talks",
        "2019-01-20",
        "Parliament debated the budget. Kataib Sayyid al-Shuhada demanded salaries.",
        "The P.M.F. payroll is the real question. The U.S. objects to it.",
    ),
    "c.md": _brief(
        "Sadr speaks",
        "2019-03-02",
        "Sadr spoke against the US and Iran. Kataib Sayyid al-Shuhada stayed silent.",
        "Sadr is positioning himself. The PMF did not answer him.",
    ),
    "d.md": _brief(
        "Strike",
        "2020-01-03",
        "A US strike hit a convoy near the airport. The PMF mourned.",
        "Escalation follows. Iran will answer through its allies.",
    ),
    "e.md": _brief("Quiet week", "2020-02-01", "Nothing happened in Basra this week.", None),
    "f.md": "Title: Undated note\n\nThe Popular Mobilization Forces recruited again.\n",
}


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in BRIEFS.items():
        (corpus / name).write_text(text, "utf-8")
    g = tmp_path / "g.toml"
    g.write_text(GLOSSARY, "utf-8")
    library = Library([corpus], tmp_path / "data", Glossary.load([g]))
    library.update()
    yield library
    library.close()


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    data = tmp_path_factory.mktemp("sample-data")
    glossary = Glossary.load([paths.bundled_glossary()])
    library = Library([paths.sample_corpus_dir()], data, glossary)
    library.update(bulk=False)
    yield library
    library.close()


def total(library: Library, text: str) -> int:
    return library.search(text, limit=1, facets=False, snippets=False).total


def check_page(library: Library, name: str) -> None:
    """Every count of the page is what a search for the same thing finds."""
    page = library.local.actor_page(name, company_limit=1000)
    actor = library.find_actor(name)
    assert actor is not None and page.actor_id == actor.id
    aid = actor.id
    assert page.briefs == total(library, f'actor:"{name}"')
    assert sum(m.briefs for m in page.timeline) == page.briefs
    for m in page.timeline:
        assert m.article <= m.briefs and m.comment <= m.briefs
    assert sum(m.article for m in page.timeline) == total(library, f"actors_article:{aid}")
    assert sum(m.comment for m in page.timeline) == total(library, f"actors_comment:{aid}")
    for c in page.company:
        assert c.actor_id != aid
        assert c.briefs == total(library, f"actors:{aid} AND actors:{c.actor_id}"), c
    scores = [c.score for c in page.company]
    assert scores == sorted(scores, reverse=True)
    assert page.comment_only == total(library, f"actors_comment:{aid} NOT actors_article:{aid}")
    assert page.article_only == total(library, f"actors_article:{aid} NOT actors_comment:{aid}")
    matcher = library.glossary.matcher()
    dates = [c.date for c in page.comments if c.date is not None]
    assert dates == sorted(dates, reverse=True)
    for c in page.comments:
        brief = library.brief(c.id)
        assert brief.text[c.start : c.end] == c.text
        assert brief.comment_start is not None and c.start >= brief.comment_start
        assert any(m.actor_id == aid for m in matcher.find(c.text)), c.text
        assert c.title == brief.title and c.date == brief.date
    # Every comment naming the actor gives at least one sentence.
    assert {c.id for c in page.comments} == {
        h.id for h in library.search(f"actors_comment:{aid}", limit=1000, facets=False).hits
    }


def test_page_on_a_written_corpus(lib: Library) -> None:
    page = lib.local.actor_page("P.M.F.")  # any alias
    assert page.actor_id == "popular-mobilization-forces"
    assert page.briefs == 5
    months = {m.month: (m.briefs, m.article, m.comment) for m in page.timeline}
    assert months == {
        "2019-01": (2, 1, 2),
        "2019-03": (1, 0, 1),
        "2020-01": (1, 1, 0),
        None: (1, 1, 0),
    }
    assert page.comment_only == 2  # b.md, c.md
    assert page.article_only == 2  # d.md, f.md
    assert [c.text for c in page.comments] == [
        "The PMF did not answer him.",
        "The P.M.F. payroll is the real question.",
        "The Hashd al-Shaabi wants to be seen.",
    ]
    company = {c.actor_id: c.briefs for c in page.company}
    assert company == {"iran": 3, "united-states": 3, "muqtada-al-sadr": 1}
    check_page(lib, "PMF")
    check_page(lib, "Iran")
    check_page(lib, "Sadr")


def test_unknown_actor(lib: Library) -> None:
    with pytest.raises(KeyError):
        lib.local.actor_page("Nobody At All")


def test_candidates_on_a_written_corpus(lib: Library) -> None:
    found = {c.name: c for c in lib.local.candidates(min_briefs=3)}
    assert "Kataib Sayyid al-Shuhada" in found
    kss = found["Kataib Sayyid al-Shuhada"]
    assert (kss.briefs, kss.mentions) == (3, 3)
    assert "Kataib Sayyid al-Shuhada" in kss.example
    assert lib.brief(kss.example_id).text.count(kss.example) == 1
    for name in found:
        assert lib.glossary.lookup(name) is None, name
    assert "The" not in found and "Nothing" not in found
    assert "Kataib Sayyid al-Shuhada" not in {c.name for c in lib.local.candidates(min_briefs=4)}


def test_sample_corpus_pages_agree_with_search(sample: Library) -> None:
    counts = sample.actor_counts()
    commonest = sorted((a for a in counts if counts[a]), key=lambda a: -counts[a])
    for actor_id in commonest[:4] + commonest[-2:]:
        actor = sample.actor(actor_id)
        assert actor is not None
        check_page(sample, actor.name)


def test_sample_corpus_candidates(sample: Library) -> None:
    found = sample.local.candidates()
    assert found
    names = {lookup for c in found for lookup in [c.name]}
    for name in names:
        assert sample.glossary.lookup(name) is None, name
    for c in found:
        assert c.briefs >= 3 and c.mentions >= c.briefs
        assert c.example in sample.brief(c.example_id).text
    assert [c.briefs for c in found] == sorted((c.briefs for c in found), reverse=True)


def test_sentences_keep_acronyms_and_titles_whole() -> None:
    text = "The P.M.F. commander spoke. Gen. Smith agreed!  Then the U.S. The end"
    got = [text[a:b] for a, b in sentence_spans(text)]
    assert got == ["The P.M.F. commander spoke.", "Gen. Smith agreed!", "Then the U.S.", "The end"]
