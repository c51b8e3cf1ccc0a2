"""The groups of briefs that hold the same article (exact or near copies), from the index.

Every brief's article leaves copy keys in the ``copykeys`` field (``core/copies.py``). Briefs
that share a key are candidates; their MinHash signatures then say whether they are copies
(from ``copies.NEAR`` on; an exact copy scores 1.0). Most keys belong to one brief only, so
the work is finding the few shared ones among a million: each segment's keys are read from
its term file as arrays (a segment without one yet is read term by term), joined over the
segments with the deleted briefs taken out, and sorted by their hashes, in which shared keys
stand side by side. The groups are kept for the life of the searcher (a commit brings a new
one): tens of milliseconds at 100,000 briefs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from briefreader.core import copies
from briefreader.core.index.termfile import key_hash, term_key

log = logging.getLogger(__name__)

FIELD = "copykeys"
#: A key held by more briefs than this is boilerplate (a standard disclaimer), not a copy.
MAX_SHARED = 50
_PREFIX = np.frombuffer(FIELD.encode() + b"\x00", dtype=np.uint8)


@dataclass(frozen=True, slots=True)
class CopyGroups:
    """The groups of one searcher: as ids (``groups``, each sorted; ``of`` maps an id to its
    group) and as arrays for a search to fold its matches with (``members``: every grouped
    document number, ascending; ``group_of``: each member's group number; ``rank_of``: its
    brief id's place in its group, which decides between places of equal standing, so that
    the place shown does not hang on how the index was built)."""

    groups: list[tuple[str, ...]] = field(default_factory=list)
    of: dict[str, tuple[str, ...]] = field(default_factory=dict)
    members: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    group_of: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    rank_of: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))

    def others(self, brief_id: str) -> tuple[str, ...]:
        """The other briefs holding ``brief_id``'s article."""
        return tuple(b for b in self.of.get(brief_id, ()) if b != brief_id)


NONE = CopyGroups()


def _from_term_file(tf: Any) -> tuple[np.ndarray, np.ndarray]:
    """(key hash, local document) for every copy key of a segment's term file."""
    kpos, keys = tf.kpos, tf.keys
    rows = np.flatnonzero((kpos[1:] - kpos[:-1]) > len(_PREFIX))
    for i, byte in enumerate(_PREFIX):  # narrowed byte by byte: few rows start "co..."
        rows = rows[keys[kpos[rows] + i] == byte]
    counts = tf.ppos[rows + 1] - tf.ppos[rows]
    total = int(counts.sum())
    starts = tf.ppos[rows] - (np.cumsum(counts) - counts)
    gather = np.repeat(starts, counts) + np.arange(total, dtype=np.int64)
    return np.repeat(tf.hashes[rows], counts), tf.ids[gather].astype(np.int64)


def _from_reader(reader: Any) -> tuple[np.ndarray, np.ndarray]:
    """The same, read through Whoosh (a segment whose term file is not written yet)."""
    hashes: list[int] = []
    docs: list[int] = []
    if FIELD not in reader.schema:
        return np.empty(0, np.uint64), np.empty(0, np.int64)
    for term, _info in reader.iter_field(FIELD):
        btext = term if isinstance(term, bytes) else str(term).encode("utf-8")
        h = key_hash(term_key(FIELD, btext))
        for d in reader.postings(FIELD, btext).all_ids():
            hashes.append(h)
            docs.append(int(d))
    return np.array(hashes, dtype=np.uint64), np.array(docs, dtype=np.int64)


def copy_groups(searcher: Any, segments: list[Any]) -> CopyGroups:
    """Each group of briefs holding the same article (groups of two or more; a brief is in
    one group at most). ``segments`` are the evaluator's segment arrays
    (``postings.SegmentArrays``: offset, deleted mask, term file)."""
    all_hashes: list[np.ndarray] = []
    all_docs: list[np.ndarray] = []
    for seg in segments:
        tf = seg.terms
        if tf is not None and FIELD in tf.fields:
            h, d = _from_term_file(tf)
        else:
            h, d = _from_reader(seg.reader)
        if seg.deleted is not None and len(d):
            live = ~seg.deleted[d]
            h, d = h[live], d[live]
        all_hashes.append(h)
        all_docs.append(d + seg.offset)
    if not all_hashes:
        return NONE
    hashes = np.concatenate(all_hashes)
    docs = np.concatenate(all_docs)
    if len(hashes) < 2:
        return NONE
    order = np.argsort(hashes, kind="stable")
    hashes, docs = hashes[order], docs[order]
    # Runs of one hash: where a key is shared, its briefs stand side by side.
    starts = np.flatnonzero(np.concatenate(([True], hashes[1:] != hashes[:-1])))
    lengths = np.diff(np.concatenate((starts, [len(hashes)])))
    shared = (lengths >= 2) & (lengths <= MAX_SHARED)
    if not shared.any():
        return NONE
    signatures: dict[int, tuple[int, ...]] = {}

    def signature(docnum: int) -> tuple[int, ...]:
        got = signatures.get(docnum)
        if got is None:
            stored = searcher.stored_fields(docnum) or {}
            got = signatures[docnum] = copies.decode_signature(str(stored.get("copysig", "")))
        return got

    pairs: set[tuple[int, int]] = set()
    for start, length in zip(starts[shared].tolist(), lengths[shared].tolist(), strict=True):
        run = sorted(set(docs[start : start + length].tolist()))
        for i, a in enumerate(run):
            for b in run[i + 1 :]:
                if (a, b) not in pairs and (
                    copies.similarity(signature(a), signature(b)) >= copies.NEAR
                ):
                    pairs.add((a, b))
    if not pairs:
        return NONE
    members = {d for pair in pairs for d in pair}
    ids = {d: str((searcher.stored_fields(d) or {}).get("id", "")) for d in members}
    docnum = {i: d for d, i in ids.items()}
    joined = [tuple(g) for g in copies.group(ids.values(), ((ids[a], ids[b]) for a, b in pairs))]
    of = {brief_id: g for g in joined for brief_id in g}
    numbered = sorted((docnum[b], n, r) for n, g in enumerate(joined) for r, b in enumerate(g))
    return CopyGroups(
        groups=joined,
        of=of,
        members=np.array([d for d, _n, _r in numbered], dtype=np.int64),
        group_of=np.array([n for _d, n, _r in numbered], dtype=np.int64),
        rank_of=np.array([r for _d, _n, r in numbered], dtype=np.int64),
    )


def fold(groups: CopyGroups, tiers: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Of each group's members among a search's matches, the ones to leave out: all but the
    best (the first tier before the second, then the higher score, then the brief id first
    in order). ``tiers``: (ids ascending, scores) of each tier, best tier first. Returns the
    left-out document numbers, ascending."""
    if not len(groups.members):
        return np.empty(0, np.int64)
    found_ids, found_groups, found_tiers, found_scores, found_ranks = [], [], [], [], []
    for rank, (ids, scores) in enumerate(tiers):
        if not len(ids):
            continue
        pos = np.searchsorted(groups.members, ids)
        pos[pos >= len(groups.members)] = len(groups.members) - 1
        at = groups.members[pos] == ids
        if not at.any():
            continue
        found_ids.append(ids[at])
        found_groups.append(groups.group_of[pos[at]])
        found_ranks.append(groups.rank_of[pos[at]])
        found_tiers.append(np.full(int(at.sum()), rank, dtype=np.int64))
        found_scores.append(scores[at])
    if not found_ids:
        return np.empty(0, np.int64)
    ids = np.concatenate(found_ids)
    grp = np.concatenate(found_groups)
    ranks = np.concatenate(found_ranks)
    # A member's rank is its own within its group: nothing is left to tie after it.
    order = np.lexsort((ranks, -np.concatenate(found_scores), np.concatenate(found_tiers), grp))
    grp_sorted = grp[order]
    first = np.concatenate(([True], grp_sorted[1:] != grp_sorted[:-1]))
    return np.sort(ids[order][~first])
