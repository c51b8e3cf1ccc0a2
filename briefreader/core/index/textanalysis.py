"""A text field's analysis taken apart from the Whoosh analyzer the schema holds, and the
tokens a segment's writer keeps of each text field (``segwriter.py``).

Whoosh's analyzer makes a token object a word and runs it through each filter; here the
same steps (its pattern, lower case, stop list and sizes, its stem function) are read from
the analyzer itself and applied through a cache of tokens, each index word numbered once,
so that a text's words are a few calls in C. An analyzer of any other shape is not taken
apart (the writer then analyses that field Whoosh's way).
"""

from __future__ import annotations

import array
from collections.abc import Callable
from typing import Any

import numpy as np
from whoosh import fields as wfields
from whoosh import formats as wformats
from whoosh.analysis import analyzers as wanalyzers
from whoosh.analysis import filters as wfilters
from whoosh.analysis import morph as wmorph
from whoosh.analysis import tokenizers as wtokenizers
from whoosh.system import pack_uint

from briefreader.core.search.words import finds_tokens, written_in_lower_case
from briefreader.core.search.words import tokens as shared_tokens

_STOP = ()  # a stopped or too-short token in the token cache (falsy, and not a miss)
#: The token cache is emptied past this many distinct tokens.
_TOKEN_CACHE = 500_000


class TextAnalysis:
    """A text field's analysis taken apart: the analyzer's tokenizer pattern, lower case,
    stop list and sizes, and its stem function, applied through a cache of tokens.

    :meth:`words` gives the index words of a text in order with the position Whoosh's
    analyzer gives the first (the stop filter numbers the others after it, one by one)."""

    def __init__(self, expression: Any, stops: frozenset[str], minsize: int,
                 maxsize: int | None, stem: Callable[[str], str],
                 ignore: frozenset[str]) -> None:  # fmt: skip
        self.expression = expression
        self.stops = stops
        self.minsize = minsize
        self.maxsize = maxsize
        self.stem = stem
        self.ignore = ignore
        #: token as written -> (lower-cased word, index word, index word's number, lower-cased
        #: word's number), or () (a stop word or too short); a token met first is learnt as
        #: it is looked up.
        self.cache: _TokenCache = _TokenCache(self._learn_one)
        #: Whether the pattern finds the index's own tokens (search.words.TOKEN's, or those of
        #: a pattern an earlier index holds), which may have been read already for an
        #: article's fingerprint.
        self.shared = finds_tokens(expression)
        #: Index words numbered as they are first met (for the life of this object: one
        #: segment's writer), and by number.
        self.numbers: dict[str, int] = {}
        self.stems: list[str] = []
        #: The lower-cased words (the spelling list's), numbered the same way.
        self.word_numbers: dict[str, int] = {}
        self.words_by_number: list[str] = []
        #: The tokens met that are written in lower case, all of each (stop words and short
        #: ones too): a candidate name's test of a capitalised word (core/index/candidates.py),
        #: learnt here with the tokens rather than read again from the texts.
        self.lower_tokens: set[str] = set()

    @classmethod
    def of_analyzer(cls, ana: Any) -> TextAnalysis | None:
        """The parts of a ``StemmingAnalyzer``-shaped chain (a regex tokenizer matching words,
        lower case, a renumbering stop filter, a stem filter), else None."""
        if not isinstance(ana, wanalyzers.CompositeAnalyzer):
            return None
        items = list(ana.items)
        if len(items) != 4:
            return None
        tok, low, stop, stem = items
        if (
            type(tok) is not wtokenizers.RegexTokenizer
            or tok.gaps
            or tok.expression.groups
            or type(low) is not wfilters.LowercaseFilter
            or type(stop) is not wfilters.StopFilter
            or not stop.renumber
            or type(stem) is not wmorph.StemFilter
            or stem.lang
        ):
            return None
        return cls(
            tok.expression, frozenset(stop.stops), int(stop.min), stop.max, stem.stemfn,
            frozenset(stem.ignore),
        )  # fmt: skip

    def _learn_one(self, token: str) -> tuple[str, str, int, int] | tuple[()]:
        """A token's entry in the cache, made (see ``cache``)."""
        word = token.lower()
        if written_in_lower_case(token):
            self.lower_tokens.add(token)
        if len(word) < self.minsize or (self.maxsize is not None and len(word) > self.maxsize):
            return _STOP
        if word in self.stops:
            return _STOP
        index_word = word if word in self.ignore else self.stem(word)
        # Whoosh encodes each term as it is added: a word that cannot be written (a lone
        # surrogate) fails its document there, never the commit.
        index_word.encode("utf-8")
        word.encode("utf-8")
        number = self.numbers.get(index_word)
        if number is None:
            number = self.numbers[index_word] = len(self.stems)
            self.stems.append(index_word)
        word_number = self.word_numbers.get(word)
        if word_number is None:
            word_number = self.word_numbers[word] = len(self.words_by_number)
            self.words_by_number.append(word)
        return (word, index_word, number, word_number)

    def words(self, text: str) -> tuple[int, list[tuple[str, str, int, int]]]:
        """(position of the first index word, each kept token's (word, index word, its
        number, the word's number))."""
        tokens = shared_tokens(text) if self.shared else self.expression.findall(text)
        if not tokens:
            return 0, []
        get = self.cache.__getitem__
        kept: list[tuple[str, str, int, int]] = list(filter(None, map(get, tokens)))
        if not kept:
            return 0, []
        # The first kept token's place: a text seldom opens on more than a stop word or two
        # (a list of every token's entry to search was a fifth of this method's time).
        first = 0
        while not get(tokens[first]):
            first += 1
        return first, kept


class _TokenCache(dict[str, Any]):
    """Tokens' cache entries: a token looked up for the first time is learnt then (one call
    for the new tokens of a text, none for the rest), and the cache is emptied when it
    grows past ``_TOKEN_CACHE`` tokens (the words' numbers are kept, not their tokens)."""

    __slots__ = ("learn",)

    def __init__(self, learn: Callable[[str], Any]) -> None:
        super().__init__()
        self.learn = learn

    def __missing__(self, token: str) -> Any:
        if len(self) >= _TOKEN_CACHE:
            self.clear()
        got = self[token] = self.learn(token)
        return got


class TextTokens:
    """One analysed text field's tokens in the segment being written: each kept token's
    index word number (``TextAnalysis.numbers``) in the order they came, and each text's
    run of them (its document, the position of its first token, how many; the others
    follow one by one, as the stop filter numbers them). Postings are made of them, sorted,
    at the commit (:meth:`arrays`)."""

    __slots__ = ("analysis", "counts", "docs", "firsts", "tid")

    def __init__(self, analysis: TextAnalysis) -> None:
        self.analysis = analysis
        self.tid = array.array("i")
        # A run a text rather than a document and a position a token: 4 bytes a token held
        # instead of 12, and no per-token arrays made while the briefs are written.
        self.docs = array.array("i")
        self.firsts = array.array("i")
        self.counts = array.array("i")

    def add(self, docnum: int, first: int, numbers: array.array[int]) -> None:
        self.tid.extend(numbers)
        self.docs.append(docnum)
        self.firsts.append(first)
        self.counts.append(len(numbers))

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(word number, document, position) of every token, as int32 arrays."""
        tid = np.frombuffer(self.tid, dtype=np.int32)
        counts = np.frombuffer(self.counts, dtype=np.int32)
        doc = np.repeat(np.frombuffer(self.docs, dtype=np.int32), counts)
        # A token's position: its text's first, plus how far into the text's run it is.
        starts = np.cumsum(counts, dtype=np.int64) - counts
        shift = starts - np.frombuffer(self.firsts, dtype=np.int32)
        pos = (np.arange(len(tid), dtype=np.int64) - np.repeat(shift, counts)).astype(np.int32)
        return tid, doc, pos


#: What ``field.index`` gives: (term bytes, frequency, weight, encoded value) a term.
Indexed = list[tuple[bytes, int, float, bytes]]


def simple_index(field: Any) -> Callable[[str], Indexed] | None:
    """``field.index`` of a string for the two plain shapes of the schema's other fields,
    without Whoosh's token objects (tens of microseconds a value, for keys, ids and copy
    keys that are each a brief's own): an ID field (the whole value one term, Existence)
    and a comma-separated KEYWORD field (each part stripped, lower-cased if asked,
    Frequency). None for any other shape (Whoosh's own analysis is used)."""
    ana, fmt = field.analyzer, field.format
    if type(field) is wfields.ID and type(fmt) is wformats.Existence:
        lower = _lowercased(ana, wtokenizers.IDTokenizer)
        if lower is None:
            return None
        boost = fmt.field_boost

        def one_term(value: str) -> Indexed:
            return [((value.lower() if lower else value).encode("utf-8"), 1, boost, b"")]

        return one_term
    if type(field) is wfields.KEYWORD and type(fmt) is wformats.Frequency:
        items = list(ana.items) if isinstance(ana, wanalyzers.CompositeAnalyzer) else []
        if len(items) < 2 or type(items[1]) is not wfilters.StripFilter:
            return None
        tok = items[0]
        if (
            type(tok) is not wtokenizers.RegexTokenizer
            or tok.gaps
            or tok.expression.pattern != "[^,]+"
        ):
            return None
        rest = items[2:]
        if rest and (len(rest) > 1 or type(rest[0]) is not wfilters.LowercaseFilter):
            return None
        lower_parts = bool(rest)
        find = tok.expression.findall
        boost = fmt.field_boost

        def comma_terms(value: str) -> Indexed:
            counts: dict[str, int] = {}
            for part in find(value):
                word = part.strip()
                if lower_parts:
                    word = word.lower()
                counts[word] = counts.get(word, 0) + 1
            return [
                (word.encode("utf-8"), n, float(n) * boost, pack_uint(n))
                for word, n in counts.items()
            ]

        return comma_terms
    return None


def _lowercased(ana: Any, tokenizer: type) -> bool | None:
    """Whether ``ana`` is ``tokenizer`` alone (False) or followed by a LowercaseFilter
    (True); None for anything else."""
    if type(ana) is tokenizer:
        return False
    if isinstance(ana, wanalyzers.CompositeAnalyzer):
        items = list(ana.items)
        if (
            len(items) == 2
            and type(items[0]) is tokenizer
            and type(items[1]) is wfilters.LowercaseFilter
        ):
            return True
    return None
