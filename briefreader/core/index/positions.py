"""The text fields' positions format: each posting's positions as deltas of one fixed width.

Whoosh's ``Positions`` format stores a posting's positions as a pickled list of deltas: a
pickle made for each posting when it is written and unpickled for each when a phrase reads
it, about two bytes a position. Here a posting's value is Whoosh's 4-byte count (so Whoosh's
``decode_frequency`` and ``decode_weight`` read it as before), one byte giving the width of
the deltas (1, 2 or 4 bytes: the narrowest that holds the posting's largest delta), then the
deltas, little-endian; the first is the first position itself. Most postings of an article
are a word met once or a few times, a few hundred words apart: 6 to 11 bytes, where the
pickle took 13 to 20.

A segment's values are made for all its postings at once by numpy (:func:`encode_runs`), and
a phrase's are read back the same way (:func:`position_keys`); :class:`CompactPositions`
encodes and decodes one posting for Whoosh's own readers and writer, byte for byte alike.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from whoosh import formats
from whoosh.system import _INT_SIZE, pack_uint

#: Bytes before a value's deltas: the count, then the width.
HEAD = _INT_SIZE + 1
_DTYPES: dict[int, np.dtype[Any]] = {1: np.dtype("<u1"), 2: np.dtype("<u2"), 4: np.dtype("<u4")}


def widths(largest: np.ndarray) -> np.ndarray:
    """The narrowest width (bytes) that holds each of ``largest``."""
    return np.where(largest < 0x100, 1, np.where(largest < 0x10000, 2, 4))


def width_of(largest: int) -> int:
    """The narrowest width (bytes) that holds ``largest``."""
    return int(widths(np.asarray(largest)))


def _spread(freq: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Postings of ``freq`` positions each, laid end to end: each posting's first token,
    each token's posting, and each token's place in its posting."""
    first = np.cumsum(freq) - freq
    owner = np.repeat(np.arange(len(freq), dtype=np.int64), freq)
    within = np.arange(int(freq.sum()), dtype=np.int64) - first[owner]
    return first, owner, within


class CompactPositions(formats.Positions):
    """Whoosh's Positions format with each posting's deltas packed at one width (see the
    module's text): what it supports, its frequency and weight are Whoosh's."""

    def encode(self, poslist: Any) -> bytes:
        deltas = np.diff(np.asarray(poslist, dtype=np.int64), prepend=0)
        if len(deltas) and int(deltas.min()) < 0:
            raise ValueError("positions must be ascending")
        width = width_of(int(deltas.max())) if len(deltas) else 1
        return pack_uint(len(deltas)) + bytes((width,)) + deltas.astype(_DTYPES[width]).tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        width = valuestring[_INT_SIZE]
        deltas = np.frombuffer(valuestring, dtype=_DTYPES[width], offset=HEAD)
        return np.cumsum(deltas, dtype=np.int64).tolist()


def encode_runs(pos: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> list[bytes]:
    """:meth:`CompactPositions.encode` of each posting's positions ``pos[starts[i]:ends[i]]``
    (ascending in each, none empty), all at once."""
    if not len(starts):
        return []
    starts = np.asarray(starts, dtype=np.int64)
    freq = np.asarray(ends, dtype=np.int64) - starts
    first, owner, within = _spread(freq)
    p = np.asarray(pos, dtype=np.int64)[starts[owner] + within]
    deltas = np.empty(len(p), dtype=np.int64)
    deltas[0] = p[0]
    deltas[1:] = p[1:] - p[:-1]
    deltas[first] = p[first]  # each posting's first delta is its first position
    width = widths(np.maximum.reduceat(deltas, first))
    size = HEAD + freq * width
    at = np.cumsum(size) - size
    buf = np.zeros(int(size.sum()), dtype=np.uint8)
    for k in range(_INT_SIZE):  # the count, big-endian as pack_uint writes it
        buf[at + k] = (freq >> (8 * (_INT_SIZE - 1 - k))) & 0xFF
    buf[at + _INT_SIZE] = width
    token_width = width[owner]
    place = at[owner] + HEAD + within * token_width
    for k in range(4):
        wide = token_width > k if k else slice(None)
        buf[place[wide] + k] = (deltas[wide] >> (8 * k)) & 0xFF
    blob = buf.tobytes()
    return [blob[a:b] for a, b in zip(at.tolist(), (at + size).tolist(), strict=True)]


def position_keys(values: list[bytes]) -> np.ndarray:
    """Every position in each of some values, as ascending int64 keys
    ``index << 32 | position`` (``index``: the value's place in ``values``), all decoded at
    once."""
    if not values:
        return np.empty(0, np.int64)
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    buf = np.frombuffer(b"".join(values), dtype=np.uint8)
    at = np.cumsum(lengths) - lengths
    width = buf[at + _INT_SIZE].astype(np.int64)
    if not np.isin(width, (1, 2, 4)).all():
        raise ValueError("not a compact positions value")
    freq = (lengths - HEAD) // width
    first, owner, within = _spread(freq)
    token_width = width[owner]
    place = at[owner] + HEAD + within * token_width
    deltas = np.zeros(len(owner), dtype=np.int64)
    for k in range(4):
        wide = np.flatnonzero(token_width > k)
        deltas[wide] |= buf[place[wide] + k].astype(np.int64) << (8 * k)
    sums = np.cumsum(deltas)
    # Restart the running sum at each value: subtract the sum reached before it.
    before = np.concatenate(([0], sums[first[1:] - 1])) if len(values) > 1 else np.zeros(1, int)
    positions = sums - np.repeat(before, freq)
    keys = (owner << 32) | positions
    keys.sort()
    return keys
