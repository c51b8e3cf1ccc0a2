"""From what a user typed to Whoosh query trees: rewriting, actor expansion, caps."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from whoosh import fields, qparser, query
from whoosh.qparser import syntax

from briefreader.core.querytext import UNREADABLE_QUERY, has_operators
from briefreader.core.search.limits import MAX_QUERY_CHARS, MAX_QUERY_TERMS, cut_notice
from briefreader.core.search.ranking import FIELD_BOOSTS, TEXT_FIELDS, repeat_weight
from briefreader.core.search.rewrite import WORD_RE, QueryRewriter
from briefreader.core.search.snippets import beside_mentions, term_positions
from briefreader.core.search.tiers import some_words

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A user query turned into Whoosh queries: strict (all words) and loose (some words)."""

    text: str
    all_words: Any
    some_words: Any
    highlight_terms: frozenset[str]
    notices: tuple[str, ...] = ()
    #: Actors the query names (as words or with actor:): their mentions are marked as hits.
    actors: frozenset[str] = frozenset()
    #: Whether an explicit AND or OR joins groups: the user spelled the query out.
    operators: bool = False


class Words(query.CompoundQuery):
    """Words side by side (an implicit group), as the parser reads them: made into an And
    (every word) or an Or (some words) by :func:`_tiers`, never searched as such. Not an
    And, so that an explicit AND keeps its groups apart when Whoosh flattens a tree."""

    JOINT = " "
    intersect_merge = True


class _WordsGroup(syntax.GroupNode):
    qclass = Words


class _Parser(qparser.QueryParser):
    """Words side by side make a group with tiers; a typed word that is several index words
    ("shock-sound", "high-speed") wants them all, in both tiers (as on the team archive).
    Whoosh builds that word with the parser's group class: a Words group, which the some-words
    tier would loosen to "shock OR sound"."""

    def multitoken_query(
        self, spec: str, texts: Any, fieldname: str, termclass: Any, boost: float
    ) -> Any:
        if spec.lower() == "default":
            spec = "and"
        return super().multitoken_query(spec, texts, fieldname, termclass, boost)


def _text_parser(schema: fields.Schema) -> qparser.QueryParser:
    """Whoosh's MultifieldParser over the text fields, with our groups and words."""
    parser = _Parser(None, schema, group=_WordsGroup)
    parser.add_plugin(qparser.MultifieldPlugin(list(TEXT_FIELDS), fieldboosts=FIELD_BOOSTS))
    return parser


def _base_parser(schema: fields.Schema) -> qparser.QueryParser:
    parser = _text_parser(schema)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.GtLtPlugin())
    return parser


class QueryBuilder:
    """Turns what a user typed into Whoosh queries; never raises on odd input.

    ``resolve_actor`` maps a name or alias to an actor id (or None); ``actor_spans`` finds
    where a text mentions given actors, so that a brief found through another name of an
    actor the query named shows that name marked (whole, as the glossary matches it).
    """

    def __init__(
        self,
        schema: fields.Schema,
        resolve_actor: Callable[[str], str | None],
        actor_spans: Callable[[str, frozenset[str]], list[tuple[int, int]]] | None = None,
        *,
        alias_is_strict: Callable[[str], bool] | None = None,
    ) -> None:
        self.schema = schema
        self.resolve_actor = resolve_actor
        self.actor_spans = actor_spans or (lambda _text, _ids: [])
        self.alias_is_strict = alias_is_strict or (lambda _s: False)
        self.rewriter = QueryRewriter(resolve_actor, alias_is_strict=alias_is_strict)
        self._and = _base_parser(schema)
        self._plain = _text_parser(schema)

    def rewrite(self, text: str) -> tuple[str, set[str], list[str]]:
        """The query text rewritten for the parser (core.search.rewrite)."""
        return self.rewriter.rewrite(text)

    def parse(self, text: str, reader: Any = None) -> ParsedQuery:
        notices: list[str] = []
        text = text.replace("\x00", " ")
        if len(text) > MAX_QUERY_CHARS:
            text = text[:MAX_QUERY_CHARS]
            notices.append(cut_notice(MAX_QUERY_CHARS, "characters"))
        rewritten, actors, rw_notices = self.rewrite(text)
        notices.extend(rw_notices)
        try:
            strict = _merge_repeats(self._and.parse(rewritten, normalize=False)).normalize()
        except Exception:  # noqa: BLE001 - any parser failure falls back to plain words
            strict = None
        if (strict is None or strict is query.NullQuery) and text.strip():
            words = " ".join(w.group(0) for w in WORD_RE.finditer(text))
            if strict is None:
                notices.append(UNREADABLE_QUERY)
            plain = self._plain.parse(_escape_words(words), normalize=False)
            strict = _merge_repeats(plain).normalize()
        # Every group of words wants all of them in the first tier, some in the second.
        strict, loose = _tiers(strict)
        strict, n1 = _limit_terms(strict)
        loose, _ = _limit_terms(loose)
        if n1:
            notices.append(n1)
        if reader is not None:
            capped: list[str] = []
            same = loose is strict
            until = time.perf_counter() + EXPANSION_SCAN_S
            strict = _cap_expansions(strict, reader, capped, until)
            # One expansion when both tiers are the same query (a single word, explicit AND).
            loose = strict if same else _cap_expansions(loose, reader, [], until)
            if capped:
                notices.append(
                    f"{', '.join(sorted(set(capped)))} matched too many words: searched for the "
                    f"{MAX_EXPANSION} most common of them"
                )
        terms = self._highlight_terms(strict, reader)
        return ParsedQuery(
            text, strict, loose, terms, tuple(notices), frozenset(actors), has_operators(text)
        )

    def _highlight_terms(self, q: Any, reader: Any = None) -> frozenset[str]:
        """The analysed words to mark in text: what the query looks for, not what it excludes."""
        terms: set[str] = set()
        patterns: list[Any] = []

        def walk(node: Any) -> None:
            if isinstance(node, query.Not):
                return
            if node.is_leaf() and isinstance(node, query.PatternQuery | query.FuzzyTerm):
                patterns.append(node)
                return
            if node.is_leaf():
                with contextlib.suppress(Exception):
                    for fieldname, value in node.iter_all_terms(phrases=True):
                        if fieldname in TEXT_FIELDS:
                            terms.add(value.decode("utf-8") if isinstance(value, bytes) else value)
                return
            for child in node.children():
                walk(child)

        walk(q)
        if patterns and reader is not None:
            # Wildcards and fuzzy words: mark the words of the index they stand for.
            for node in patterns:
                with contextlib.suppress(Exception):
                    for fieldname, value in node.existing_terms(reader, expand=True):
                        if fieldname in TEXT_FIELDS:
                            terms.add(value.decode("utf-8") if isinstance(value, bytes) else value)
        return frozenset(terms)

    def spans(self, text: str, parsed: ParsedQuery) -> list[tuple[int, int]]:
        """Where ``text`` matches the query: its words, and mentions of the actors it named.

        Sorted; where a word lies inside an actor mention, the mention is kept whole.
        """
        words = term_positions(text, parsed.highlight_terms)
        if not parsed.actors:
            return words
        return beside_mentions(words, self.actor_spans(text, parsed.actors))


_FREE_FIELDS = frozenset((*TEXT_FIELDS, "actors"))


def is_free(q: Any) -> bool:
    """A plain word or phrase (possibly widened to an actor), not a constraint."""
    if isinstance(q, query.Not):
        return False
    try:
        leaves = list(q.leaves()) if q.is_leaf() is False else [q]
    except Exception:  # noqa: BLE001
        return False
    if not leaves:
        return False
    for leaf in leaves:
        if isinstance(leaf, query.Not) or not hasattr(leaf, "fieldname"):
            return False
        if leaf.fieldname not in _FREE_FIELDS or isinstance(leaf, query.ranges.RangeMixin):
            return False
    # An Or over the text fields (and perhaps the actors) is one word typed by the user.
    return isinstance(q, query.Or | query.Term | query.Phrase | query.Wildcard | query.FuzzyTerm)


def _merge_repeats(q: Any) -> Any:
    """A word typed several times is one word weighing :func:`repeat_weight` of its count
    (Whoosh's normalisation would keep it once, as if typed once). What a NOT takes away
    is left alone."""
    if isinstance(q, query.Not):
        return q
    if type(q) not in (query.And, query.Or, Words):
        return q.apply(_merge_repeats)
    flat: list[Any] = []

    def gather(node: Any, boost: float) -> None:
        for sub in node.subqueries:
            if type(sub) is type(node):  # merged into its parent by normalize(): first here
                gather(sub, boost * sub.boost)
            else:
                # Not normalised one by one (the whole tree is, after): the parser builds the
                # same query for the same word, and normalising each cost a fifth of a parse.
                sub = _merge_repeats(sub)
                flat.append(sub.with_boost(sub.boost * boost) if boost != 1.0 else sub)

    gather(q, 1.0)
    counts: dict[Any, int] = {}
    for sub in flat:
        counts[sub] = counts.get(sub, 0) + 1
    merged = [
        sub if n == 1 or sub is query.NullQuery else sub.with_boost(sub.boost * repeat_weight(n))
        for sub, n in counts.items()
    ]
    return q.__class__(merged, boost=q.boost)


def _strict(q: Any) -> Any:
    """Every group of words wants all its words (``Words`` -> And)."""
    if isinstance(q, Words):
        return query.And([_strict(sub) for sub in q.subqueries], boost=q.boost)
    return q.apply(_strict)


class _WhooshShape:
    """Whoosh query trees as the tiers see them (core/search/tiers.py): a ``Words`` group is
    words side by side; other compound queries are kept, their children loosened."""

    def kind(self, q: Any) -> str:
        if isinstance(q, query.Not):
            return "not"
        if isinstance(q, Words):
            return "group"
        return "leaf" if q.is_leaf() else "other"

    def children(self, q: Any) -> list[Any]:
        return list(q.children())

    def is_free(self, q: Any) -> bool:
        return is_free(q)

    def all_words(self, q: Any) -> Any:
        return _strict(q)

    def rebuild(self, q: Any, children: list[Any]) -> Any:
        # apply() calls its function on each child in children() order.
        given = iter(children)
        return q.apply(lambda _child: next(given))

    def all_of(self, children: list[Any], like: Any) -> Any:
        return query.And(children, boost=like.boost if like is not None else 1.0)

    def any_of(self, children: list[Any], like: Any) -> Any:
        # A boost of 1 given, not with_boost() later: that would deep-copy the words.
        return query.Or(children, boost=like.boost if like is not None else 1.0)


_SHAPE = _WhooshShape()


def _loose(q: Any) -> Any:
    """Every group of words wants some of its words (core.search.tiers.some_words)."""
    return some_words(q, _SHAPE)


def _tiers(q: Any) -> tuple[Any, Any]:
    """The all-words and the some-words form of a parsed query (the same object when they
    are the same query)."""
    strict, loose = _strict(q), _loose(q)
    # Not normalised: Whoosh would merge the ORed words' own ORs (a word in every text
    # field) into one, and the words would no longer be told apart.
    return strict, (strict if loose == strict else loose)


def _escape_words(words: str) -> str:
    return " ".join(w for w in words.split() if w.upper() not in ("AND", "OR", "NOT", "TO"))


#: A wildcard or fuzzy word stands for at most this many index words (the most common).
MAX_EXPANSION = 64
#: Expanding a wildcard or fuzzy word looks at most at this many candidates, for at most
#: this long per query (``word~2`` on 10,000 briefs: 52 s before, under a second now).
EXPANSION_SCAN_WORDS = 5000
EXPANSION_SCAN_S = 0.3


def _candidates_of(node: Any, reader: Any) -> Iterator[Any]:
    """The index words a wildcard or fuzzy word stands for, one at a time.

    Whoosh's own fuzzy expansion scans each segment whole before it yields anything, so a
    time limit could not stop it; here the merged lexicon is walked once, lazily, and the
    edit distance (Whoosh's) computed per candidate.
    """
    if not isinstance(node, query.FuzzyTerm):
        yield from node._btexts(reader)
        return
    from whoosh.support.levenshtein import damerau_levenshtein

    text = str(node.text)
    maxdist = int(node.maxdist)
    letters = set(text)
    prefix = text[: node.prefixlength]
    seen: set[Any] = set()
    # Segment by segment, not through the merged lexicon: merging in Python is the slow part.
    leaves = reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]
    for leaf, _offset in leaves:
        for btext in leaf.expand_prefix(node.fieldname, prefix):
            if btext in seen:
                continue
            seen.add(btext)
            word = btext.decode("utf-8") if isinstance(btext, bytes) else str(btext)
            # Cheap necessary conditions first: one edit changes the length by at most one
            # and the set of letters by at most two.
            if (
                abs(len(word) - len(text)) <= maxdist
                and len(letters.symmetric_difference(word)) <= 2 * maxdist
                and damerau_levenshtein(word, text, maxdist + 1) <= maxdist
            ):
                yield word  # text, as Whoosh's own fuzzy expansion gives it
            else:
                yield None  # lets the caller check its clock between misses


def _cap_expansions(q: Any, reader: Any, capped: list[str], deadline: float) -> Any:
    """Replace wildcards and fuzzy words that stand for too many words by their commonest.

    An unbounded "*a*" over a large index becomes an OR of tens of thousands of terms and
    takes minutes in Whoosh; capped, it takes milliseconds and the user is told.
    """

    # ``deadline``: one budget for the whole query. Whoosh scans the lexicon in Python (a
    # fuzzy word runs an edit distance per candidate, per segment): seconds on a large index.

    # A fuzzy word is expanded once, over the article's words (the largest vocabulary), and
    # the result reused for the title and the comment: three scans cost three times the time.
    fuzzy: dict[tuple[str, int, int], tuple[list[Any], bool]] = {}

    def expand(node: Any) -> tuple[list[Any], bool]:
        words: list[Any] = []
        for word in _candidates_of(node, reader):
            if word is not None:
                words.append(word)
            # Checked at every word: a fuzzy word's candidates come slowly.
            if len(words) >= EXPANSION_SCAN_WORDS or time.perf_counter() > deadline:
                return words, True
        return words, False

    def visit(node: Any) -> Any:
        if not isinstance(node, query.PatternQuery | query.FuzzyTerm):
            return node
        field = node.fieldname
        try:
            if isinstance(node, query.FuzzyTerm) and field in TEXT_FIELDS:
                key = (str(node.text), int(node.maxdist), int(node.prefixlength))
                if key not in fuzzy:
                    base = query.FuzzyTerm(
                        "article", node.text, maxdist=node.maxdist, prefixlength=node.prefixlength
                    )
                    fuzzy[key] = expand(base)
                found, cut = fuzzy[key]
                words = [w for w in found if field == "article" or (field, w) in reader]
            else:
                words, cut = expand(node)
        except Exception:  # noqa: BLE001 - leave the node alone if Whoosh cannot expand it
            return node
        if len(words) > MAX_EXPANSION:
            freq: dict[Any, int] = {}
            for i, word in enumerate(words):
                if not i & 31 and time.perf_counter() > deadline + EXPANSION_SCAN_S / 3:
                    break  # the rest count as rare
                freq[word] = reader.doc_frequency(field, word)
            words.sort(key=lambda w: -freq.get(w, 0))
            cut = True
        if cut:
            capped.append(str(node.text))
        # Expanded once, here, into plain terms that the array evaluator reads directly.
        return query.Or([query.Term(field, w, boost=node.boost) for w in words[:MAX_EXPANSION]])

    try:
        return q.accept(visit)
    except Exception:  # noqa: BLE001
        return q


def _term_count(q: Any) -> int:
    """A query's terms as a user (and the team archive) counts them: a word searched in every
    text field is one term, not three."""
    words: set[tuple[str, str]] = set()
    others = 0
    for leaf in q.leaves():
        if getattr(leaf, "fieldname", None) in TEXT_FIELDS:
            said = getattr(leaf, "text", None) or " ".join(getattr(leaf, "words", ()))
            words.add((type(leaf).__name__, str(said)))
        else:
            others += 1
    return len(words) + others


def _limit_terms(q: Any) -> tuple[Any, str | None]:
    """Cap the number of terms so that a pasted page cannot stall the search (its first
    MAX_QUERY_TERMS words are kept, as on the team archive)."""
    try:
        count = _term_count(q)
    except Exception:  # noqa: BLE001
        return q, None
    if count <= MAX_QUERY_TERMS or type(q) not in (query.And, query.Or):
        return q, None
    kept = list(q.subqueries)[:MAX_QUERY_TERMS]
    return (
        type(q)(kept, boost=q.boost),
        cut_notice(MAX_QUERY_TERMS, "terms"),
    )
