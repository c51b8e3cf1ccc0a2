"""Related briefs ("more like this") as both stores choose them: a brief's key words and the
query its likeness is scored by, written once.

A brief's key words are its most telling words by Bo1 (divergence from randomness: a word
used more in the brief than its rate over the whole collection's articles predicts), chosen
among its KEY_WORD_CANDIDATES most frequent words and normalised as Whoosh's Bo1 expansion
normalises them. The likeness query (:func:`related_terms`) asks each key
word in the article (its weight) and the comment (ARTICLE_TO_COMMENT of it), never in the
title, and each of the brief's actors with ACTOR_WEIGHT; each store scores it with its own
BM25F (the local index over its arrays, the archive in SQL) and leaves out the brief itself
and its copies.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NamedTuple

#: The brief's key words searched for.
KEY_WORDS = 12
#: Key words are chosen among this many of a brief's most frequent words: each candidate
#: costs a look-up of its collection frequency (Whoosh's own key_terms_from_text looked up
#: every word of the text: 190 ms a brief at 100,000 briefs).
KEY_WORD_CANDIDATES = 120
#: The section whose collection frequency tells a word's rate (Bo1's f).
FREQUENCY_SECTION = "article"
#: A key word's weight in the comment, as a share of its weight in the article.
COMMENT_SHARE = 0.8
#: Each of the brief's actors' weight.
ACTOR_WEIGHT = 0.6


class RelatedTerm(NamedTuple):
    """One part of a likeness query: ``text`` (an index word, or an actor's id) searched in
    ``field`` (article, comment or actors) with weight ``boost``."""

    field: str
    text: str
    boost: float


def key_word_candidates(counts: Mapping[str, float]) -> list[str]:
    """The words of a brief whose collection frequency is needed: its KEY_WORD_CANDIDATES
    most frequent (ties: the longer word, then the word)."""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))
    return [w for w, _tf in ranked[:KEY_WORD_CANDIDATES]]


def key_words(
    counts: Mapping[str, float],
    frequencies: Callable[[list[str]], Sequence[float]],
    briefs: float,
    number: int = KEY_WORDS,
) -> list[tuple[str, float]]:
    """The ``number`` most telling words of a brief with their Bo1 weights, best first.

    ``counts``: how often each index word occurs in the brief's title, article and comment
    together; ``frequencies(words)``: each word's collection frequency in
    FREQUENCY_SECTION (its occurrences over all briefs; a word the articles never use is
    not a key word); ``briefs``: how many briefs the collection holds.
    """
    candidates = key_word_candidates(counts)
    if not candidates:
        return []
    n = max(1.0, float(briefs))
    scored: list[tuple[float, str]] = []
    for word, cf in zip(candidates, frequencies(candidates), strict=True):
        if cf <= 0:
            continue
        f = cf / n
        scored.append((counts[word] * math.log2((1.0 + f) / f) + math.log2(1.0 + f), word))
    if not scored:
        return []
    scored.sort(key=lambda sw: (-sw[0], sw[1]))
    best = scored[0][0]
    # Whoosh's Bo1 normalisation: the best score run through the formula again as if it
    # were a frequency (kept as Whoosh has it: the weights, not only the order, matter).
    f = best / n
    norm = (best * math.log((1.0 + f) / f) + math.log(1.0 + f)) / math.log(2.0) if best else 1.0
    return [(word, score / norm) for score, word in scored[:number]]


def related_terms(words: Iterable[tuple[str, float]], actors: Iterable[str]) -> list[RelatedTerm]:
    """The likeness query of a brief with these key words (and Bo1 weights) and actors:
    each word in the article (its weight) and in the comment (COMMENT_SHARE of it), each
    actor with ACTOR_WEIGHT; the title is not searched."""
    out: list[RelatedTerm] = []
    for word, weight in words:
        out.append(RelatedTerm("article", word, weight))
        out.append(RelatedTerm("comment", word, weight * COMMENT_SHARE))
    out.extend(RelatedTerm("actors", actor, ACTOR_WEIGHT) for actor in actors if actor)
    return out
