"""How briefs are ranked, for both stores: BM25F's parameters and section weights, and the
pseudo-relevance feedback step's sizes and weight.

Changed here, a ranking changes for the local index and the team archive at once (the
relevance gate runs both: ``benchmarks/relevance.py``, ``tests/archive/test_backends.py``).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Sequence

#: BM25 parameters, chosen by the mean MAP over Cranfield and CISI (benchmarks/RELEVANCE.md):
#: b 0.85 lifts both (0.75 -> 0.85: Cranfield +0.004, CISI +0.001); k1 between 0.9 and 2.0
#: moves neither by more than 0.002.
BM25_K1 = 1.2
BM25_B = 0.85
TITLE_BOOST = 1.0
#: The sections a brief's words are searched in.
TEXT_FIELDS = ("title", "article", "comment")
#: Section weights for BM25F. Measured on Cranfield (benchmarks/RELEVANCE.md), a title boost
#: above 1 lowers mean average precision: the title words are usually in the text as well,
#: so the title already counts twice.
FIELD_BOOSTS = {"title": TITLE_BOOST, "article": 1.0, "comment": 0.9}


def idf(docs: float, df: float) -> float:
    """How much a word found in ``df`` of ``docs`` briefs weighs: the Robertson-Sparck Jones
    idf, kept positive (a word in most briefs still counts a little)."""
    return math.log(1.0 + (docs - df + 0.5) / (df + 0.5))


def repeat_weight(times: int) -> float:
    """How much a word typed ``times`` times in one query weighs (once: 1). A long question
    names what matters to it more than once ("... retrieval ... retrieval systems")."""
    return float(times)


#: Pseudo-relevance feedback (RM3-like): a question of at least FEEDBACK_MIN_WORDS plain words
#: is re-ranked with the FEEDBACK_TERMS most telling words of its FEEDBACK_DOCS best briefs,
#: mixed in with weight FEEDBACK_WEIGHT. It only re-orders what the words found.
FEEDBACK_MIN_WORDS = 3
FEEDBACK_DOCS = 10
FEEDBACK_TERMS = 30
FEEDBACK_WEIGHT = 0.5
#: Characters of each best brief read for its words (the local index's stored text).
FEEDBACK_CHARS = 20000
#: The feedback re-ranks the best this many briefs of each tier (the rest keep their order).
FEEDBACK_DEPTH = 1000


def feedback_scale(typed_words: float, norm: float) -> float:
    """The factor that makes the chosen feedback words, whose weights sum to ``norm``, weigh
    FEEDBACK_WEIGHT of the query, the ``typed_words`` (their weights summed: 1 a word typed
    once) the rest, as in RM3."""
    if norm <= 0:
        return 0.0
    return typed_words * FEEDBACK_WEIGHT / (1.0 - FEEDBACK_WEIGHT) / norm


def feedback_shares(scores: Sequence[float]) -> list[float]:
    """Each of the best briefs' share of the feedback: a softmax of their scores."""
    if not scores:
        return []
    top = max(scores)
    raw = [math.exp(s - top) for s in scores]
    total = sum(raw)
    return [r / total for r in raw]


def feedback_words(
    briefs: Iterable[tuple[float, Iterable[tuple[str, float]]]], k: int = FEEDBACK_TERMS
) -> list[tuple[str, float]]:
    """The ``k`` most telling words of the best briefs, with their weights: each brief is
    (its share, its (word, count) pairs), a word's weight the sum over briefs of the
    brief's share times the word's share of the brief's words (P(word | brief), as in RM3);
    ties by the word. The local index computes the same over its term files' arrays."""
    weights: dict[str, float] = {}
    for share, counts in briefs:
        pairs = list(counts)
        length = sum(tf for _w, tf in pairs)
        if length <= 0:
            continue
        scale = share / length
        for word, tf in pairs:
            weights[word] = weights.get(word, 0.0) + scale * tf
    if len(weights) > k > 0:
        # Only the words at or above the k-th weight are sorted (thousands of words, 30 kept).
        cut = heapq.nlargest(k, weights.values())[-1]
        weights = {w: x for w, x in weights.items() if x >= cut}
    return sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
