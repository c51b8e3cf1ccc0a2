"""What the index holds and how text becomes index words: fields, analysis, weights.

Everything that, when changed, needs the index rebuilt (bump SCHEMA_VERSION).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterator
from typing import Any

from whoosh import columns, fields, scoring
from whoosh.analysis import StemmingAnalyzer
from whoosh.lang.porter import stem as _porter

from briefreader.core.copies import fingerprint
from briefreader.core.records import IndexDoc
from briefreader.core.search.ranking import BM25_B, BM25_K1, FIELD_BOOSTS, idf
from briefreader.core.search.words import STOP_WORDS, TOKEN

log = logging.getLogger(__name__)


#: Bump when the schema or the analysis changes; an index of another version is rebuilt.
#: 2: the longer stop list and the new field weights. 3: facet columns.
#: 4: "*" is no longer part of a word. 5: a tags column for the tags facet.
#: 6: a month field. 7: the actors of each section (actors_article, actors_comment) and
#: where the comment starts; the unused month field dropped. 8: word pairs (pairs_title,
#: pairs_article, pairs_comment) so that a two-word phrase is one posting list. 9: the word
#: pairs moved to the term files (termfile.py): as Whoosh terms they made the index seven
#: times its size and the build half again as long. 10: copy keys and signatures of each
#: article (copies.py), so that the same article in several places is listed once.
SCHEMA_VERSION = 10

# The ranking and the words are the search's, shared with the team archive: core/search.
#: User-facing field names -> index fields.
FIELD_ALIASES = {
    "title": "title",
    "article": "article",
    "comment": "comment",
    "actor": "actors",
    "actors": "actors",
    # Actor ids as indexed, by section (the actor workbench's "named in the comment only").
    "actors_article": "actors_article",
    "actors_comment": "actors_comment",
    "source": "source",
    "tag": "tags",
    "tags": "tags",
    "date": "date",
}


_TOKEN = TOKEN


def analyzer() -> Any:
    """The text fields' analysis, shared by the schema and by lookups of names in the index."""
    # Whoosh's default tokenizer keeps dotted acronyms whole ("P.M.F." -> "p.m.f") and splits
    # "Iran’s" into "iran" + "s"; the minimum size of 2 then drops the stray "s".
    return StemmingAnalyzer(expression=_TOKEN, minsize=2, stoplist=STOP_WORDS)


def make_schema() -> fields.Schema:
    ana = analyzer()
    return fields.Schema(
        key=fields.ID(stored=True, unique=True),
        id=fields.ID(stored=True),
        title=fields.TEXT(analyzer=ana, stored=True, field_boost=FIELD_BOOSTS["title"]),
        article=fields.TEXT(analyzer=ana, stored=True, spelling=True),
        comment=fields.TEXT(analyzer=ana, stored=True, field_boost=FIELD_BOOSTS["comment"]),
        actors=fields.KEYWORD(stored=True, commas=True, scorable=True),
        actors_article=fields.KEYWORD(commas=True),
        actors_comment=fields.KEYWORD(commas=True),
        comment_start=fields.STORED(),
        source=fields.KEYWORD(commas=True, lowercase=True),
        # Facets read these per-document columns instead of stored fields or postings.
        source_name=fields.ID(stored=True, sortable=True),
        actor_list=fields.COLUMN(columns.VarBytesColumn()),
        tag_list=fields.COLUMN(columns.VarBytesColumn()),
        tags=fields.KEYWORD(stored=True, commas=True, lowercase=True),
        date=fields.DATETIME(stored=True, sortable=True),
        year=fields.ID(sortable=True),
        has_comment=fields.BOOLEAN(),
        # The article's copy keys (an exact key and MinHash bands) and its signature.
        copykeys=fields.KEYWORD(commas=True),
        copysig=fields.STORED(),
    )


def fold_field(value: str) -> str:
    """A source or tag as the index keeps it: commas as spaces, blanks run together, lower case."""
    return " ".join(value.replace(",", " ").split()).lower()


def to_whoosh(doc: IndexDoc) -> dict[str, Any]:
    """The Whoosh fields of ``doc`` as the writer takes them."""
    fields_: dict[str, Any] = {
        "key": doc.key,
        "id": doc.id,
        "title": doc.title,
        "article": doc.article,
        "comment": doc.comment,
        "actors": ",".join(doc.actors),
        "actors_article": ",".join(doc.actors_article),
        "actors_comment": ",".join(doc.actors_comment),
        "comment_start": doc.comment_start,
        "source": fold_field(doc.source),
        "source_name": doc.source,
        "actor_list": ",".join(doc.actors).encode("utf-8"),
        "tag_list": ",".join(fold_field(t) for t in doc.tags).encode("utf-8"),
        "tags": ",".join(fold_field(t) for t in doc.tags),
        "has_comment": doc.has_comment,
    }
    if doc.date is not None:
        fields_["date"] = dt.datetime(doc.date.year, doc.date.month, doc.date.day)
        fields_["year"] = str(doc.date.year)
    print_ = fingerprint(doc.article)
    if print_ is not None:
        fields_["copykeys"] = ",".join(print_.keys)
        fields_["copysig"] = print_.encoded()
    return fields_


# Snippets and marks re-find the query's words in stored text. Whoosh's highlighter runs the
# whole analysis chain token by token; this does the same tokenising, lower-casing, stop-word
# and stemming steps with a compiled pattern and a stem cache, several times faster.
_STEMS: dict[str, str] = {}


def stem_of(word: str) -> str:
    """The stem of a lower-cased word, as the analyzer makes it (cached)."""
    stem = _STEMS.get(word)
    if stem is None:
        if len(_STEMS) > 200_000:
            _STEMS.clear()
        stem = _STEMS[word] = _porter(word)
        return stem
    return stem


def term_counts(text: str) -> dict[str, int]:
    """How often each index term occurs in ``text`` (what :func:`analysed_terms` yields,
    counted): tokens are counted in C first, and each distinct word is stemmed once."""
    out: dict[str, int] = {}
    # Lower-casing the whole text first (one C call) can differ from lower-casing each token
    # only for the rare letters whose lower case is longer; weights, not offsets, come of it.
    for word, n in Counter(_TOKEN.findall(text.lower())).items():
        if len(word) >= 2 and word not in STOP_WORDS:
            stem = stem_of(word)
            out[stem] = out.get(stem, 0) + n
    return out


def analysed_terms(text: str) -> Iterator[str]:
    """The index terms of ``text``, as the analyzer makes them (fast path, no positions)."""
    for m in _TOKEN.finditer(text):
        word = m.group().lower()
        if len(word) >= 2 and word not in STOP_WORDS:
            yield stem_of(word)


class _BM25(scoring.BM25F):
    """BM25F with the Robertson-Sparck Jones idf instead of Whoosh's ``log(N/(df+1)) + 1``.

    Whoosh's "+ 1" keeps common words worth at least one rare word's third or so; the textbook
    idf lets the rare words of a long question decide the order.
    """

    def idf(self, searcher: Any, fieldname: str, text: Any) -> float:
        parent = searcher.get_parent()
        df = parent.doc_frequency(fieldname, text)
        n = parent.doc_count_all()
        return idf(n, df)


def scoring_model() -> Any:
    return _BM25(B=BM25_B, K1=BM25_K1)
