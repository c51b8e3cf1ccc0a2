"""The same article in several places: exact and near copies, found by fingerprints.

An article reaches an analyst more than once: as its own web page and as an item of the
day's round-up, in two newsletters, in a PDF digest and an email. Each copy is a brief of its
own (it may carry its own comment), but a search should list the article once, with its other
places beside it.

Two fingerprints are taken of each brief's article, after folding case, punctuation and
spacing away:

- an **exact key**, the hash of the folded words: identical articles share it;
- a **MinHash signature** of its word 4-shingles (:data:`SIGNATURE` values), cut into
  :data:`BANDS` bands. Two articles whose shingle sets overlap by a Jaccard similarity *J*
  share at least one band with probability ``1 - (1 - J**ROWS)**BANDS``: 0.9998 at *J* 0.8,
  0.67 at 0.6. Candidates that share a band are then compared signature to signature, and
  count as copies from :data:`NEAR` on (the same text with a different header, footer or
  boilerplate line).

Articles of fewer than :data:`MIN_SHINGLES` distinct shingles are not compared for near
copies: two short notes (or two texts of one repeated paragraph) alike by chance are not one
article. A short article of :data:`MIN_EXACT_WORDS` words and more still has its exact key
(and the signature that key's candidates are checked with): the same short news item sent
twice is one article. The
index stores the keys as terms, so the briefs sharing one stand side by side in its term
files (see ``index.copies``).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from briefreader.core.search.words import tokens_ahead

#: Articles of fewer distinct word 4-shingles than this are not compared for near copies: too
#: short, or a few sentences repeated, which says too little to tell one article from another.
MIN_SHINGLES = 40
#: A shorter article of at least this many words is still matched to its exact copies (a
#: paragraph, not a greeting or a cover line that many messages share).
MIN_EXACT_WORDS = 20
SHINGLE = 4
SIGNATURE = 32
BANDS = 8
ROWS = SIGNATURE // BANDS
#: Estimated Jaccard similarity from which two articles are copies of one another.
NEAR = 0.75

# Multiply-shift hash functions (a * x + b mod 2**64, top 32 bits; a odd), with fixed
# parameters so that fingerprints agree across processes, runs and machines.
_RNG = np.random.default_rng(20261206)
_A = _RNG.integers(0, 1 << 63, SIGNATURE, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B = _RNG.integers(0, 1 << 63, SIGNATURE, dtype=np.uint64)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """``keys`` are the terms the index stores (one exact key, one per band; a short
    article's exact key alone);
    ``signature`` the MinHash values, kept to check a candidate."""

    keys: tuple[str, ...]
    signature: tuple[int, ...]

    def encoded(self) -> str:
        """The signature as stored: hex values joined by spaces."""
        return " ".join(f"{v:x}" for v in self.signature)


def decode_signature(text: str) -> tuple[int, ...]:
    """The stored form of :meth:`Fingerprint.encoded`, read back (() if unreadable)."""
    try:
        values = tuple(int(part, 16) for part in text.split())
    except ValueError:
        return ()
    return values if len(values) == SIGNATURE else ()


def words_of(text: str) -> list[str]:
    """The article's words as compared: case-folded, punctuation and spacing gone."""
    folded = _folded(text)
    return folded.split(" ") if folded else []


def _folded(text: str) -> str:
    """The article's words, case-folded, one space apart: the index's tokens (read once for
    the fingerprint and the index, see ``tokens_ahead``) cut at their dots."""
    joined = " ".join(tokens_ahead(text)).replace(".", " ")
    # Case folding maps letters to letters (never to a space), so the whole line folds as
    # its words would one by one; ASCII folds letter for letter.
    return joined.lower() if joined.isascii() else joined.casefold()


#: Fingerprints taken ahead, by article (see :func:`remember`), each used once.
_AHEAD: dict[str, Fingerprint | None] = {}
#: Fingerprints taken ahead are forgotten past this many (a reading worker's are used a few
#: files later; briefs never indexed must not hold memory).
AHEAD_KEPT = 4096
_MISSING = Fingerprint((), ())


def remember(articles: Iterable[str], prints: Iterable[Fingerprint | None]) -> None:
    """Fingerprints another process took of ``articles`` (a reading worker, while this
    process writes the index): :func:`fingerprint` gives each once instead of taking it."""
    if len(_AHEAD) > AHEAD_KEPT:
        _AHEAD.clear()
    for article, got in zip(articles, prints, strict=False):
        _AHEAD[article] = got


def forget() -> None:
    """Drop the fingerprints taken ahead and not used (an update that ended early): they
    hold their articles."""
    _AHEAD.clear()


def fingerprint(article: str) -> Fingerprint | None:
    """The copy keys and signature of an article (None when it is too short to tell: under
    :data:`MIN_EXACT_WORDS` words, or a long text of too few distinct shingles)."""
    if _AHEAD:
        got = _AHEAD.pop(article, _MISSING)
        if got is not _MISSING:
            return got
    return take_fingerprint(article)


def take_fingerprint(article: str) -> Fingerprint | None:
    """:func:`fingerprint`, always taken here."""
    joined = _folded(article).encode("utf-8", "surrogatepass")
    # The words as bytes (a word holds no space), each encoded once with the rest.
    words = joined.split(b" ") if joined else []
    short = len(words) < MIN_SHINGLES + SHINGLE - 1
    if short and len(words) < MIN_EXACT_WORDS:
        return None
    exact = zlib.crc32(joined)
    exact2 = zlib.adler32(b" ".join(reversed(words)))
    exact_key = f"x:{exact:08x}{exact2:08x}"
    # Each word hashed once; a shingle's hash combines its words' (a polynomial in uint64).
    word_hashes = np.fromiter(map(zlib.crc32, words), dtype=np.uint64, count=len(words))
    n = len(words) - SHINGLE + 1
    combined = word_hashes[:n].copy()
    for offset in range(1, SHINGLE):
        combined *= np.uint64(1_000_003)
        combined += word_hashes[offset : offset + n]
    # Enough distinct shingles among the first few is enough (a repeat changes no minimum,
    # so the rest need not be made distinct): sorting every shingle was a quarter of it.
    if short:
        hashes = combined  # the exact key alone: its signature checks that key's candidates
    elif len(set(combined[: 4 * MIN_SHINGLES].tolist())) >= MIN_SHINGLES:
        hashes = combined
    else:
        hashes = np.unique(combined)
        if len(hashes) < MIN_SHINGLES:
            return None
    signature = _minhash(hashes)
    if short:
        return Fingerprint((exact_key,), signature)
    bands = tuple(
        f"b{band}:{zlib.crc32(repr(signature[band * ROWS : (band + 1) * ROWS]).encode()):08x}"
        for band in range(BANDS)
    )
    return Fingerprint((exact_key, *bands), signature)


#: Shingles hashed by every function at once: a block of them is 2 MB of uint64s, so that a
#: long article's signature takes no more memory than a short one's (a 20 MB article's took
#: 770 MB at once).
_BLOCK = 8192


def _minhash(hashes: np.ndarray) -> tuple[int, ...]:
    """Each function's least value over the shingles ``hashes`` (its top 32 bits): every
    function over a block of shingles at once, uint64 arithmetic wrapping (mod 2**64). The
    top bits are taken of the least value, which is the least of the top bits."""
    least = np.full(SIGNATURE, np.iinfo(np.uint64).max, dtype=np.uint64)
    for start in range(0, len(hashes), _BLOCK):
        values = np.multiply(hashes[start : start + _BLOCK, None], _A[None, :])
        values += _B
        np.minimum(least, values.min(axis=0), out=least)
    least >>= np.uint64(32)
    return tuple(least.tolist())


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """The Jaccard similarity two signatures estimate (0.0 if either is missing)."""
    if len(a) != SIGNATURE or len(b) != SIGNATURE:
        return 0.0
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / SIGNATURE


def group(members: Iterable[str], pairs: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Connected groups of ``members`` joined by ``pairs`` (groups of one left out)."""
    parent: dict[str, str] = {m: m for m in members}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        if a in parent and b in parent:
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    out: dict[str, list[str]] = {}
    for m in parent:
        out.setdefault(root(m), []).append(m)
    return [sorted(g) for g in out.values() if len(g) > 1]
