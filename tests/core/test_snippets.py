"""Snippets: the passage that shows the query's most telling words, and never raw markup."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_index import GLOSSARY  # same folder: pytest puts it on the path

from briefreader.core.glossary import Glossary
from briefreader.core.library import Library

FILLER = "The council met again and the talks went on without any agreement. " * 8

BRIEFS = {
    # "PMF" is everywhere in this brief and in the others; "disarm" once, far from the start.
    "pmf-disarm.md": (
        "Title: Militia politics\nDate: 2021-01-01\n\n"
        "The PMF held a parade. Popular Mobilization Forces leaders spoke. The PMF said more. "
        + FILLER
        + "Only late in the day did anyone mention plans to disarm the brigades.\n"
    ),
    "pmf-1.md": "Title: One\nDate: 2020-01-01\n\nThe PMF held another parade in Baghdad.\n",
    "pmf-2.md": "Title: Two\nDate: 2020-02-01\n\nThe PMF and the government talked.\n",
    "html.md": (
        "Title: Pasted page\nDate: 2022-01-01\n\n"
        '<p>The minister <img src="http://example.org/drone.png" alt="drone picture"> said '
        "the drone strike was a mistake.</p>\n"
    ),
}


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    (tmp_path / "g.toml").write_text(GLOSSARY, "utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in BRIEFS.items():
        (corpus / name).write_text(text, "utf-8")
    library = Library([corpus], tmp_path / "data", Glossary.load([tmp_path / "g.toml"]))
    assert library.update().added == len(BRIEFS)
    yield library
    library.close()


def _snippet(lib: Library, query: str, brief_id: str) -> tuple[str, list[str]]:
    hit = next(h for h in lib.search(query).hits if h.id == brief_id)
    assert hit.snippet is not None
    marked = [hit.snippet.text[a:b] for a, b in hit.snippet.marks]
    return hit.snippet.text, marked


def test_the_snippet_shows_the_rarest_word_of_the_query(lib: Library) -> None:
    text, marked = _snippet(lib, "PMF disarm", "pmf-disarm.md")
    assert "disarm" in marked, text  # the rare word, not three mentions of the common actor


def test_a_snippet_never_shows_html_tags(lib: Library) -> None:
    text, marked = _snippet(lib, "drone", "html.md")
    assert "<" not in text and "src=" not in text, text
    # The hit inside the tag's address is not shown; the word in the sentence is.
    assert marked == ["drone"]
    assert "drone strike" in text


def test_the_lead_snippet_of_a_browse_has_no_tags(lib: Library) -> None:
    hit = next(h for h in lib.search("").hits if h.id == "html.md")
    assert hit.snippet is not None
    assert hit.snippet.text.startswith("The minister said the drone strike")


def test_an_actors_marks_equal_the_whole_glossarys_mentions_of_it(tmp_path: Path) -> None:
    """Snippets mark an asked-for actor's mentions with a matcher of that actor's names
    first (a section holding none is skipped): every section of the sample corpus, for every
    actor and some pairs of actors, gets exactly the whole glossary's mentions of them."""
    import random

    from briefreader import paths
    from briefreader.core.parse import iter_brief_files, parse_file

    g = Glossary.load([paths.bundled_glossary()])
    library = Library([paths.sample_corpus_dir()], tmp_path / "data", g)
    spans = library.builder.actor_spans
    texts: list[str] = []
    root = paths.sample_corpus_dir()
    for path in sorted(iter_brief_files(root)):
        brief = parse_file(path, root)
        texts += [brief.title or "", brief.article or "", brief.comment or ""]
    ids = sorted(g.actors)
    rng = random.Random(2)
    named = sorted({m.actor_id for t in texts for m in g.matcher().find(t)})
    asked = [frozenset([a]) for a in rng.sample(ids, 30) + named[:30]] + [
        frozenset(rng.sample(ids, 2)) for _ in range(20)
    ]
    marked = 0
    for actor_ids in asked:
        for text in texts:
            whole = [(m.start, m.end) for m in g.matcher().find(text) if m.actor_id in actor_ids]
            assert spans(text, actor_ids) == whole, (sorted(actor_ids), text[:60])
            marked += bool(whole)
    assert marked > 30
