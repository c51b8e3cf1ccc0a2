"""Phrases checked by positions, with arrays: which documents hold the words in order.

A phrase's candidates are the documents that have every word (an intersection of posting
lists); for those alone the positions are decoded, all at once, and compared by numpy. The
evaluator keeps each answer with its segment's arrays (segments never change).
"""

from __future__ import annotations

import itertools
import pickle
from collections.abc import Sequence

import numpy as np

from briefreader.core.index.fast import TermPostings
from briefreader.core.index.positions import position_keys as compact_keys

_EMPTY = np.empty(0, dtype=np.int32)


def phrase_documents(posts: Sequence[TermPostings], slop: int) -> np.ndarray:
    """The documents (local numbers, ascending) whose positions hold the words of ``posts``
    (each word's postings with their values) in order, each within ``slop`` of the one before.
    """
    if not posts:
        return _EMPTY
    cand = posts[0].ids
    for post in posts[1:]:
        cand = np.intersect1d(cand, post.ids, assume_unique=True)
    reach: np.ndarray | None = None
    for post in posts:
        _common, _ia, ib = np.intersect1d(cand, post.ids, assume_unique=True, return_indices=True)
        assert post.values is not None
        here = position_keys([post.values[i] for i in ib])
        if reach is None:
            reach = here
            continue
        # Keep each position whose nearest reached position before it (in the same document:
        # a document's keys are 2**32 apart) lies within the slop.
        before = np.searchsorted(reach, here, side="left") - 1
        ok = before >= 0
        gap = here - reach[np.maximum(before, 0)]
        ok &= (gap >= 1) & (gap <= max(1, slop))
        reach = here[ok]
        if not len(reach):
            break
    if reach is None or not len(reach):
        return _EMPTY
    found = np.unique(reach >> 32)
    return cand[found.astype(np.int64)]


def position_keys(values: list[bytes]) -> np.ndarray:
    """Every position of a term in each of some documents, as ascending int64 keys
    ``index << 32 | position`` (``index``: the document's place in ``values``).

    The values are the compact format's (``positions.py``), or, in an index written with
    Whoosh's own Positions format, a 4-byte count then the pickled list of position deltas:
    each unpickled in C, the running sums one numpy step for all of them.
    """
    if not values:
        return np.empty(0, np.int64)
    if not any(v[4:6] == b"\x80\x02" for v in values):
        return compact_keys(values)
    # One pickle for all of them: each value's list-building opcodes (between its PROTO and
    # STOP) leave one list on the stack, so MARK + all of them + LIST gives a list of lists.
    bodies = [v[6:-1] if v.endswith(b".") else v[6:] for v in values]
    if all(v.startswith(b"\x80\x02", 4) for v in values):
        lists = pickle.loads(b"\x80\x02(" + b"".join(bodies) + b"l.")
    else:  # another pickle protocol: one at a time
        lists = [pickle.loads(v[4:] if v.endswith(b".") else v[4:] + b".") for v in values]
    lengths = np.fromiter((len(c) for c in lists), dtype=np.int64, count=len(lists))
    total = int(lengths.sum())
    flat = np.fromiter(itertools.chain.from_iterable(lists), dtype=np.int64, count=total)
    sums = np.cumsum(flat)
    ends = np.cumsum(lengths)
    # Restart the running sum at each document: subtract the sum reached before it.
    before = np.concatenate(([0], sums[ends[:-1] - 1])) if len(ends) > 1 else np.zeros(1, np.int64)
    positions = sums - np.repeat(before, lengths)
    owners = np.repeat(np.arange(len(lists), dtype=np.int64), lengths)
    keys = (owners << 32) | positions
    keys.sort()
    return keys
