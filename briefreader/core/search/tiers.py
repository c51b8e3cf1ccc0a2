"""The two tiers of a query, for both stores: every group of words wants all its words in the
first tier (all words), some of them in the second (some words).

A query is read by each store into its own tree (Whoosh query objects on the local index,
:mod:`core.archive.query`'s nodes on the team archive); the rule that turns the all-words
tree into the some-words tree is written once here, over the small set of questions a
:class:`TreeShape` answers about a store's tree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

N = TypeVar("N")


class TreeShape(Protocol[N]):
    """What the tiers need to know of, and make in, a store's query tree."""

    def kind(self, node: N) -> str:
        """The node's kind: "group" (words side by side, an implicit AND), "not", "leaf", or
        "other" (an explicit AND, an OR: kept, its children loosened)."""
        ...

    def children(self, node: N) -> Sequence[N]: ...

    def is_free(self, node: N) -> bool:
        """A word or phrase the user typed (maybe widened to an actor), not a constraint."""
        ...

    def all_words(self, node: N) -> N:
        """The node in its all-words form (what a NOT takes away stays so)."""
        ...

    def rebuild(self, node: N, children: list[N]) -> N:
        """The same kind of node over other children."""
        ...

    def all_of(self, children: list[N], like: N | None) -> N:
        """An AND of ``children`` (with ``like``'s weight when given)."""
        ...

    def any_of(self, children: list[N], like: N | None) -> N:
        """An OR of ``children`` (with ``like``'s weight when given)."""
        ...


def some_words(node: N, shape: TreeShape[N]) -> N:
    """The some-words form of a query tree: every group of words side by side wants some of
    its free words (ORed) and all of its constraints (each loosened in turn); an explicit
    AND or OR keeps its parts, each loosened; what a NOT takes away stays as typed (loosened,
    it would take away more)."""
    kind = shape.kind(node)
    if kind == "not":
        return shape.all_words(node)
    if kind == "leaf":
        return node
    parts = [some_words(c, shape) for c in shape.children(node)]
    if kind != "group":
        return shape.rebuild(node, parts)
    free = [p for p in parts if shape.is_free(p)]
    fixed = [p for p in parts if not shape.is_free(p)]
    if len(free) < 2:
        return shape.all_of(parts, node)
    if not fixed:
        return shape.any_of(free, node)
    return shape.all_of([*fixed, shape.any_of(free, None)], node)
