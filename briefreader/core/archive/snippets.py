"""A hit's snippet on the team archive: the query's index words and the actors it named,
found in the stored text, and the search's own snippet routine (core/search/snippets), the
one the local index uses, choosing the passage."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from briefreader.core.records import Snippet
from briefreader.core.search.snippets import (
    ACTOR_KEY,
    Weights,
    beside_mentions,
    best_snippet,
    lead_snippet,
    term_positions,
)

ActorSpans = Callable[[str, frozenset[str]], list[tuple[int, int]]]


def snippet(
    stored: Mapping[str, str | None],
    terms: frozenset[str],
    prefixes: tuple[str, ...],
    actors: frozenset[str],
    actor_spans: ActorSpans,
    weights: Weights | None = None,
) -> Snippet | None:
    """The passage of the article, comment or title with the query's rarest words, marked;
    the article's opening words when nothing is marked (as on the local index)."""

    def spans(text: str) -> list[tuple[int, int]]:
        words = term_positions(text, terms, prefixes)
        return beside_mentions(words, actor_spans(text, actors)) if actors else words

    found = None
    if terms or prefixes or actors:
        found = best_snippet(stored, spans, weights)
    return found if found is not None else lead_snippet(stored)


__all__ = ["ACTOR_KEY", "ActorSpans", "beside_mentions", "snippet"]
