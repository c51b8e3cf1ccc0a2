"""What the index holds and how text becomes index words: fields, analysis, weights.

Everything that, when changed, needs the index rebuilt (bump SCHEMA_VERSION).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from whoosh import columns, fields, scoring
from whoosh.analysis import StemmingAnalyzer

from briefreader.core.copies import fingerprint
from briefreader.core.index.positions import CompactPositions
from briefreader.core.records import IndexDoc
from briefreader.core.search.fields import fold_field
from briefreader.core.search.ranking import BM25_B, BM25_K1, FIELD_BOOSTS, idf
from briefreader.core.search.words import STOP_WORDS, TOKEN, stem
from briefreader.core.search.words import analysed_terms as _analysed_terms
from briefreader.core.search.words import term_counts as _term_counts

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
#: 11: Snowball English stems (core.search.words) instead of Whoosh's Porter stems.
#: 12: the text fields' positions packed as deltas of one width (positions.py) instead of
#: Whoosh's pickled lists, and an exact copy key for short articles (core/copies.py).
SCHEMA_VERSION = 12

# The ranking and the words are the search's, shared with the team archive: core/search.
_TOKEN = TOKEN


def analyzer() -> Any:
    """The text fields' analysis, shared by the schema and by lookups of names in the index."""
    # Whoosh's default tokenizer keeps dotted acronyms whole ("P.M.F." -> "p.m.f") and splits
    # "Iran’s" into "iran" + "s"; the minimum size of 2 then drops the stray "s".
    # The stems are Snowball's (core.search.words.stem), as the team archive makes them.
    return StemmingAnalyzer(expression=_TOKEN, minsize=2, stoplist=STOP_WORDS, stemfn=stem)


def _text(ana: Any, **kwargs: Any) -> fields.TEXT:
    """A text field whose positions are kept in the compact format (positions.py)."""
    field = fields.TEXT(analyzer=ana, **kwargs)
    field.format = CompactPositions(field_boost=field.format.field_boost)
    return field


def make_schema() -> fields.Schema:
    ana = analyzer()
    return fields.Schema(
        key=fields.ID(stored=True, unique=True),
        id=fields.ID(stored=True),
        title=_text(ana, stored=True, field_boost=FIELD_BOOSTS["title"]),
        article=_text(ana, stored=True, spelling=True),
        comment=_text(ana, stored=True, field_boost=FIELD_BOOSTS["comment"]),
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


# Snippets and marks re-find the query's words in stored text, the writer counts them: the
# analysis without Whoosh's token objects, written once for both stores (core/search/words).
stem_of = stem
term_counts = _term_counts
analysed_terms = _analysed_terms


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
