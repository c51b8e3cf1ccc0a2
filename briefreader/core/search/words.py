"""The words a search sees, for both stores: how a text is cut into tokens, which function
words are dropped and how the rest are stemmed, at index time and at query time alike."""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterator

import Stemmer

#: Words, keeping dotted acronyms whole. Whoosh-Reloaded's default pattern also takes "*" into
#: words, which would index Markdown's "**bold**" as "**bold": ours does not. The quantifiers
#: are possessive (nothing follows them that could make the engine give back a letter, so the
#: spans are the greedy pattern's) and save the engine its backtracking points: 12 % faster.
TOKEN = re.compile(r"\w++(?:\.\w++)*+", re.UNICODE)
#: The patterns indexes made before hold in their schema, each matching TOKEN's spans:
#: ``\w+(?:\.\w+)*`` (the same, greedy) and ``\w+(?:\.?\w+)*`` (its optional dot only
#: added ways to split a run the first ``\w+`` had taken whole).
EARLIER_TOKENS = frozenset({r"\w+(?:\.\w+)*", r"\w+(?:\.?\w+)*"})


def finds_tokens(pattern: re.Pattern[str]) -> bool:
    """Whether ``pattern`` (a schema's tokenizer's) finds TOKEN's spans in every text."""
    return pattern.flags == TOKEN.flags and (
        pattern.pattern == TOKEN.pattern or pattern.pattern in EARLIER_TOKENS
    )


#: Texts longer than this are not kept by :func:`tokens_ahead` (their tokens would be held).
AHEAD_CHARS = 2_000_000
_ahead = threading.local()


def tokens_ahead(text: str) -> list[str]:
    """TOKEN's tokens of ``text``, also kept for the next :func:`tokens` of the same text in
    this thread. An article's copy fingerprint is taken just before the index's writer
    analyses it: the two read its tokens once."""
    got = TOKEN.findall(text)
    _ahead.last = (text, got) if len(text) <= AHEAD_CHARS else None
    return got


def tokens(text: str) -> list[str]:
    """TOKEN's tokens of ``text``: those :func:`tokens_ahead` kept of this very text (given
    back once, then forgotten), else read now. The list is shared: read it, never change it."""
    last = getattr(_ahead, "last", None)
    if last is not None and last[0] is text:
        _ahead.last = None
        got: list[str] = last[1]
        return got
    return TOKEN.findall(text)


def written_in_lower_case(token: str) -> bool:
    """Whether a token is a word written in lower case, all of it ("rebels", not "iPhone" or
    "2024"): what tells a capitalised word from a name (core/index/candidates.py)."""
    return token[:1].islower() and token == token.lower()


#: Function words dropped at index and query time: long questions ("what is known about
#: ...") are otherwise ranked by their commonest words. Whoosh's own list is a subset.
STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing done down during each either
    else etc ever every few for from further had has have having he her here hers herself him
    himself his how however i if in into is it its itself just less let like made make many may
    me might more most much must my myself neither no nor not now of off often on once one only
    onto or other others otherwise our ours ourselves out over own per perhaps quite rather
    same several shall she should since so some such than that the their theirs them themselves
    then there thereby therefore these they this those though through thus to too under until
    up upon us very via was we were what whatever when whenever where whereas wherever whether
    which while who whom whose why will with within without would yet you your yours yourself
    yourselves tbd
    """.split()  # noqa: SIM905 - a word list reads best as text
)
#: Tokens shorter than this are not index words.
MIN_WORD = 2


# Index words are Snowball English stems (Porter2), for the local index and the team archive
# alike: measured on Cranfield and CISI, they rank a little better than Whoosh's Porter
# stems (benchmarks/RELEVANCE.md), and a stemmer outside Whoosh lets the archive analyse
# text as the local index does without importing it.
_STEMMER = Stemmer.Stemmer("english")
_STEMS: dict[str, str] = {}
#: The stem cache is emptied past this many words (a long build meets millions of tokens
#: but some hundreds of thousands of distinct words).
_STEM_CACHE = 500_000


def stem(word: str) -> str:
    """The stem of a lower-cased word (cached): what the index keeps of it."""
    out = _STEMS.get(word)
    if out is None:
        if len(_STEMS) > _STEM_CACHE:
            _STEMS.clear()
        out = _STEMS[word] = _STEMMER.stemWord(word)
    return out


def index_word(token: str) -> str | None:
    """The index word of one lower-cased token, or None for a stop word or a short one."""
    if len(token) < MIN_WORD or token in STOP_WORDS:
        return None
    return stem(token)


def analysed_terms(text: str) -> Iterator[str]:
    """The index words of ``text`` in order, as the analyzer makes them (no positions).

    Each token is lower-cased by itself, as the analyzer does (never the whole text at once:
    a few letters' lower case is longer than they are).
    """
    for m in TOKEN.finditer(text):
        word = m.group().lower()
        if len(word) >= MIN_WORD and word not in STOP_WORDS:
            yield stem(word)


def term_counts(text: str) -> dict[str, int]:
    """How often each index word occurs in ``text`` (what :func:`analysed_terms` yields,
    counted): tokens are counted in C first, and each distinct word is stemmed once."""
    out: dict[str, int] = {}
    # Lower-casing the whole text first (one C call) can differ from lower-casing each token
    # only for the rare letters whose lower case is longer; weights, not offsets, come of it.
    for word, n in Counter(TOKEN.findall(text.lower())).items():
        if len(word) >= MIN_WORD and word not in STOP_WORDS:
            s = stem(word)
            out[s] = out.get(s, 0) + n
    return out
