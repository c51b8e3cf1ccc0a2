"""Snippets and hit marks of the local index: the query's words as the index parsed them,
re-found in stored text by the search's own snippet routine (core/search/snippets)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from briefreader.core.records import Snippet
from briefreader.core.search.snippets import (
    ACTOR_KEY,
    SNIPPET_CHARS,
    SpanIndex,
    Weights,
    best_snippet,
    lead_snippet,
    term_positions,
)

if TYPE_CHECKING:
    from briefreader.core.index.querying import ParsedQuery, QueryBuilder


def snippet_for(
    stored: dict[str, Any],
    parsed: ParsedQuery,
    builder: QueryBuilder,
    chars: int = SNIPPET_CHARS,
    weights: Weights | None = None,
) -> Snippet | None:
    """The best passage for the query (see :func:`core.search.snippets.best_snippet`)."""
    return best_snippet(stored, lambda text: builder.spans(text, parsed), weights, chars)


def hit_spans(builder: QueryBuilder, text: str, parsed: ParsedQuery) -> list[tuple[int, int]]:
    """Offsets in ``text`` of what the query matched: words as written, actor mentions."""
    return builder.spans(text, parsed)


__all__ = [
    "ACTOR_KEY",
    "SpanIndex",
    "hit_spans",
    "lead_snippet",
    "snippet_for",
    "term_positions",
]
