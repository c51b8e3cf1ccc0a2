"""The actor page's graph: each link's count is what a search for the three actors finds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from briefreader import paths
from briefreader.core.glossary import Glossary
from briefreader.core.index.actors import GRAPH_SIZE
from briefreader.core.library import Library


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    data = tmp_path_factory.mktemp("links-data")
    library = Library([paths.sample_corpus_dir()], data, Glossary.load([paths.bundled_glossary()]))
    library.update(bulk=False)
    yield library
    library.close()


def test_links_agree_with_search(sample: Library) -> None:
    page = sample.local.actor_page("Iran")
    leading = {c.actor_id for c in page.company[:GRAPH_SIZE]}
    assert page.links
    for a, b, n in page.links:
        assert a in leading and b in leading and a != b
        names = [sample.glossary.describe(x)[0] for x in ("iran", a, b)]
        query = " AND ".join(f'actor:"{name}"' for name in names)
        assert n == sample.search(query, limit=1, facets=False).total, query
