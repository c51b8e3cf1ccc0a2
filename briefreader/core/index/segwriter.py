"""Whoosh segments written from postings gathered in memory: the same files, a fraction of
the time.

Whoosh-Reloaded's ``SegmentWriter`` runs each text field through its analyzer token object
by token object, puts every posting in a pool that pickles it to a temporary run once it
passes ``limitmb`` (and reads it back to merge the runs), then hands the postings one by one
to its postings writer, which asks the file system for a lengths column at every posting of
a field without one. For 1,232 text briefs that was 850,000 postings pickled twice and
223,000 ``stat`` calls: three quarters of an index build.

:class:`FastSegmentWriter` keeps Whoosh's writer for everything but the postings' path:
the per-document writer (stored fields, lengths, columns), the field writer and its terms
table, the postings writer's own block encoder, deletions, merges and the commit. The text
fields are analysed with the analyzer's own parts (its pattern, stop list, sizes and stem
function, read from the analyzer the schema holds) through a token cache, and each term's
postings go to the postings writer a block at a time. What lands on disk is what Whoosh
writes, byte for byte (``tests/core/test_segwriter.py`` compares segments written both ways).
Any field or analyzer this module does not recognise goes Whoosh's way, and a commit that
merges other segments in (their postings come through Whoosh's pool) falls back to Whoosh's
flush for the whole segment.

The writer also keeps, while it has them, what a term file needs (``termfile.py``): each
term's postings and each text field's word sequence, so that the term file is written
from memory at the commit instead of being read back from the segment and the stored text.
"""

from __future__ import annotations

import array
import logging
import zlib
from collections.abc import Callable
from operator import itemgetter, sub
from pathlib import Path
from pickle import dumps
from typing import Any

import numpy as np
import whoosh
from whoosh import fields as wfields
from whoosh.analysis import analyzers as wanalyzers
from whoosh.analysis import filters as wfilters
from whoosh.analysis import morph as wmorph
from whoosh.analysis import tokenizers as wtokenizers
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC as _W3_MAGIC
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3PerDocWriter, W3TermInfo
from whoosh.system import _INT_SIZE, pack_int, pack_long, pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from briefreader.core.index import termfile
from briefreader.core.index.fast import SegmentTerms

log = logging.getLogger(__name__)

#: The Whoosh release whose writer internals (the postings writer's block buffer, the
#: pool's attributes) this module drives. Any other release writes Whoosh's way.
FAST_WRITE = whoosh.__version__ == (2, 7, 5)

#: Blocks pickled shorter than this many bytes are written without zlib (see
#: :attr:`FastSegmentWriter.compress_from`).
COMPRESS_FROM = 256
#: W3TermInfo's packed statistics (flags, total weight, document frequency, shortest and
#: longest length bytes, highest weight, first and last document).
_TERMINFO = W3TermInfo._struct
#: A one-position posting's value starts with its count, 1 (``Positions.encode``).
_ONE = pack_uint(1)
_STOP = None  # a stopped or too-short token in the token cache
_FIRST = itemgetter(0)
_THIRD = itemgetter(2)
#: A field's remembered analyses are forgotten past this many values.
_VALUE_CACHE = 20_000
#: The token cache is emptied past this many distinct tokens.
_TOKEN_CACHE = 500_000


class TextAnalysis:
    """A text field's analysis taken apart: the analyzer's tokenizer pattern, lower case,
    stop list and sizes, and its stem function, applied through a cache of tokens.

    ``of`` returns the index words of a text in order with the position Whoosh's analyzer
    gives the first (the stop filter numbers the others after it, one by one)."""

    def __init__(self, expression: Any, stops: frozenset[str], minsize: int,
                 maxsize: int | None, stem: Callable[[str], str],
                 ignore: frozenset[str]) -> None:  # fmt: skip
        self.expression = expression
        self.stops = stops
        self.minsize = minsize
        self.maxsize = maxsize
        self.stem = stem
        self.ignore = ignore
        #: token as written -> (lower-cased word, index word, index word's number), or None
        #: (a stop word or too short).
        self.cache: dict[str, tuple[str, str, int] | None] = {}
        #: Index words numbered as they are first met (for the life of this object: one
        #: segment's writer), and by number.
        self.numbers: dict[str, int] = {}
        self.stems: list[str] = []

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

    def _learn(self, tokens: set[str]) -> None:
        cache = self.cache
        if len(cache) > _TOKEN_CACHE:
            cache.clear()
        stops, lo, hi, stem, ignore = self.stops, self.minsize, self.maxsize, self.stem, self.ignore
        numbers, stems = self.numbers, self.stems
        for token in tokens:
            word = token.lower()
            if len(word) < lo or (hi is not None and len(word) > hi) or word in stops:
                cache[token] = _STOP
            else:
                index_word = word if word in ignore else stem(word)
                # Whoosh encodes each term as it is added: a word that cannot be written
                # (a lone surrogate) fails its document there, never the commit.
                index_word.encode("utf-8")
                word.encode("utf-8")
                number = numbers.get(index_word)
                if number is None:
                    number = numbers[index_word] = len(stems)
                    stems.append(index_word)
                cache[token] = (word, index_word, number)

    def words(self, text: str) -> tuple[int, list[tuple[str, str, int]]]:
        """(position of the first index word, each kept token's (word, index word, its
        number))."""
        tokens = self.expression.findall(text)
        if not tokens:
            return 0, []
        cache = self.cache
        new = set(tokens).difference(cache)
        if new:
            self._learn(new)
        got = list(map(cache.__getitem__, tokens))
        kept: list[tuple[str, str, int]] = list(filter(None, got))
        if not kept:
            return 0, []
        return got.index(kept[0]), kept


#: A term's postings: document numbers (ascending), weights and values, side by side.
Postings = tuple[list[int], list[Any], list[bytes]]


class _Field:
    """One indexed field's postings in the segment being written: term -> (docnums, weights,
    values), docnums ascending; plus each document's field length where it is kept."""

    __slots__ = ("lengths", "needs_sort", "terms")

    def __init__(self) -> None:
        self.terms: dict[Any, Postings] = {}
        self.lengths: dict[int, int] = {}
        #: Terms given twice for one document (the pool sorts those by weight and value).
        self.needs_sort: set[Any] = set()


class _Text:
    """One analysed text field's tokens in the segment being written, as arrays: each kept
    token's index word number (``TextAnalysis.numbers``), document and position, in the order
    they came (documents ascending, positions ascending in each). Postings are made of them,
    sorted, at the commit."""

    __slots__ = ("analysis", "doc", "pos", "tid")

    def __init__(self, analysis: TextAnalysis) -> None:
        self.analysis = analysis
        self.doc = array.array("i")
        self.pos = array.array("i")
        self.tid = array.array("i")

    def add(self, docnum: int, first: int, numbers: array.array[int]) -> None:
        n = len(numbers)
        self.tid.extend(numbers)
        self.doc.extend(array.array("i", (docnum,)) * n)
        self.pos.extend(array.array("i", range(first, first + n)))


class FastSegmentWriter(SegmentWriter):  # type: ignore[misc]
    """Whoosh's segment writer with the postings kept in memory and written in bulk (see the
    module's docstring); with ``term_folder``, the segment's term file is written from them
    too."""

    def __init__(self, ix: Any, *, term_folder: Path | None = None, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self._fields: dict[str, _Field] = {}
        #: Where the segment's term file goes (termfile.py), written from memory at the
        #: commit; None: not written here (write_term_files reads the segment back).
        self.term_folder = term_folder
        self._pairs = termfile.PairCollector() if term_folder is not None else None
        self._term_arrays: SegmentTerms | None = None
        self._analysis: dict[str, TextAnalysis | None] = {}
        #: Other fields' analysis by value (see _analysed).
        self._generic: dict[str, dict[Any, list[tuple[bytes, int, Any, bytes]]]] = {}
        self._encode_one: dict[str, dict[int, bytes]] = {}
        #: Spelling fields: word -> the value of each of its postings (see _spelling).
        self._spell: dict[str, dict[str, list[Any]]] = {}
        self._spell_base: dict[str, str] = {}
        #: Analysed text fields' tokens (see _Text), and at the commit each document's last
        #: posting value by field (the spelling postings carry it).
        self._texts: dict[str, _Text] = {}
        self._last_values: dict[str, dict[int, bytes]] = {}
        #: The current document's kept tokens by text field (its spelling words come of it).
        self._kept: dict[str, list[tuple[str, str, int]]] = {}
        #: Blocks whose pickle is shorter than this are stored uncompressed: zlib set up
        #: for each of 80,000 one-posting blocks took a tenth of a build, for nothing (a
        #: pickle of 70 bytes came out as long). 0: every block compressed, as Whoosh does.
        self.compress_from = COMPRESS_FROM
        #: Whether this writer can take the fast path at all (else it is Whoosh's writer).
        self.fast = (
            FAST_WRITE
            and type(self.perdocwriter) is W3PerDocWriter
            and type(self.fieldwriter) is W3FieldWriter
            and type(self.codec) is W3Codec
            and self.codec._inlinelimit <= 1
            and not any(f.vector for _n, f in self.schema.items())
        )
        if self.fast:
            seen: dict[int, TextAnalysis | None] = {}
            for name, field in self.schema.items():
                if type(field) is wfields.TEXT and type(field.format).__name__ == "Positions":
                    ana = field.analyzer
                    if id(ana) not in seen:
                        seen[id(ana)] = TextAnalysis.of_analyzer(ana)
                    self._analysis[name] = seen[id(ana)]

    # -- adding ------------------------------------------------------------------------------

    def add_document(self, **fields: Any) -> None:
        if not self.fast:
            super().add_document(**fields)
            return
        self._check_state()
        perdoc = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        perdoc.start_doc(docnum)
        self._kept.clear()
        # The value of the last posting of the last indexed field: Whoosh's spelling
        # postings carry it (its add_document reuses the loop variable).
        vbytes: bytes | None = None
        try:
            for name in names:
                value = fields.get(name)
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    boost = self._field_boost(fields, name, docboost)
                    length, last = self._index(docnum, name, field, value, boost)
                    if last is not None:
                        vbytes = last
                if field.separate_spelling():
                    self._spelling(name, field, value, vbytes)
                custom = fields.get(f"_stored_{name}", value)
                perdoc.add_field(name, field, custom if field.stored else None, length)
                column = field.column_type
                if column and custom is not None:
                    perdoc.add_column_value(name, column, field.to_column_value(custom))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _field(self, name: str) -> _Field:
        got = self._fields.get(name)
        if got is None:
            got = self._fields[name] = _Field()
        return got

    def _index(self, docnum: int, name: str, field: Any, value: Any,
               boost: float) -> tuple[int, bytes | None]:  # fmt: skip
        """Add one field's postings; (its length if scorable, the last posting's value)."""
        analysis = self._analysis.get(name)
        if analysis is not None and isinstance(value, str):
            return self._index_text(docnum, name, field, value, boost, analysis)
        store = self._field(name)
        terms = store.terms
        length = 0
        last = None
        seen: set[bytes] = set()
        for tbytes, freq, weight, vbytes in self._analysed(name, field, value):
            weight *= boost
            if field.scorable:
                length += freq
            posts = terms.get(tbytes)
            if posts is None:
                terms[tbytes] = ([docnum], [weight], [vbytes])
            else:
                posts[0].append(docnum)
                posts[1].append(weight)
                posts[2].append(vbytes)
            if tbytes in seen:
                store.needs_sort.add(tbytes)
            seen.add(tbytes)
            last = vbytes
        if length:
            store.lengths[docnum] = length
        return length, last

    def _analysed(self, name: str, field: Any, value: Any) -> list[tuple[bytes, int, Any, bytes]]:
        """``field.index(value)`` as a list, remembered by value: most briefs share their
        source, tags, year and a few actors, and Whoosh's analyzers cost tens of
        microseconds a call. A remembered value's posting values are copied (a new bytes
        object each, as Whoosh makes them: see _values)."""
        cache = self._generic.get(name)
        if cache is None:
            cache = self._generic[name] = {}
        try:
            got = cache.get(value)
        except TypeError:  # not hashable
            return list(field.index(value))
        if got is None:
            if len(cache) > _VALUE_CACHE:
                cache.clear()
            got = cache[value] = list(field.index(value))
            return got
        return [(t, f, w, v[:1] + v[1:] if len(v) > 1 else v) for t, f, w, v in got]

    def _index_text(self, docnum: int, name: str, field: Any, value: str, boost: float,
                    analysis: TextAnalysis) -> tuple[int, bytes | None]:  # fmt: skip
        first, kept = analysis.words(value)
        self._kept[name] = kept
        if not kept:
            return 0, None
        numbers = array.array("i", map(_THIRD, kept))
        if self._pairs is not None:
            self._pairs.add(docnum, name, numbers, analysis.stems)
        text = self._texts.get(name)
        if text is None:
            text = self._texts[name] = _Text(analysis)
        text.add(docnum, first, numbers)
        length = len(kept) if field.scorable else 0
        if length:
            self._field(name).lengths[docnum] = length
        return length, None

    def _spelling(self, base: str, field: Any, value: Any, vbytes: bytes | None) -> None:
        """The field's unstemmed words, each a posting of document 0 in the spelling field
        (``SegmentWriter.add_document``'s way; the suggestions read them)."""
        name = field.spelling_fieldname(base)
        kept = self._kept.get(base) if isinstance(value, str) else None
        if kept is not None:
            # The value is that of the field's own last posting (its words are the field's),
            # made at the commit: the document number stands for it until then.
            words: Any = set(map(_FIRST, kept))
            ref: Any = self.docnum
            self._spell_base[name] = base
        else:
            words, ref = field.spellable_words(value), vbytes
        # Every posting of a spelling field is (0, 1, value): only the values are kept
        # here, one list a word, and the postings made of them when written.
        spell = self._spell.get(name)
        if spell is None:
            spell = self._spell[name] = {}
        get = spell.get
        for word in words:
            got = get(word)
            if got is None:
                spell[word] = [ref]
            else:
                got.append(ref)

    # -- writing -----------------------------------------------------------------------------

    def _text_postings(self) -> None:
        """The analysed text fields' postings from their token arrays (see _Text): grouped
        by term and document with numpy, each posting's positions encoded as the Positions
        format encodes them, and each document's last posting value kept for spelling."""
        for name, text in self._texts.items():
            field = self.schema[name]
            fmt = field.format
            tid = np.frombuffer(text.tid, dtype=np.int32)
            if not len(tid):
                continue
            order = np.argsort(tid, kind="stable")  # documents and positions stay ascending
            t = tid[order]
            d = np.frombuffer(text.doc, dtype=np.int32)[order]
            p = np.frombuffer(text.pos, dtype=np.int32)[order]
            cut = np.flatnonzero((t[1:] != t[:-1]) | (d[1:] != d[:-1])) + 1
            starts = np.concatenate(([0], cut))
            ends = np.concatenate((cut, [len(t)]))
            freq = ends - starts
            post_t, post_d, post_p = t[starts], d[starts], p[starts]
            values = self._values(fmt, name, freq, post_p, p, starts, ends)
            # Whoosh multiplies the frequency by the format's boost, then by the field's.
            weights = (freq.astype(np.float64) * fmt.field_boost * 1.0).tolist()
            ids = post_d.tolist()
            # Each document's last posting in Whoosh's order: the word first met last.
            by_doc = np.lexsort((post_p, post_d))
            last = np.flatnonzero(
                np.concatenate((post_d[by_doc][1:] != post_d[by_doc][:-1], [True]))
            )
            self._last_values[name] = {
                doc: values[i]
                for doc, i in zip(post_d[by_doc][last].tolist(), by_doc[last].tolist(), strict=True)
            }
            tcut = np.flatnonzero(post_t[1:] != post_t[:-1]) + 1
            tstarts = np.concatenate(([0], tcut)).tolist()
            tends = np.concatenate((tcut, [len(post_t)])).tolist()
            terms = self._field(name).terms
            words = text.analysis.stems
            for term, a, b in zip(post_t[tstarts].tolist(), tstarts, tends, strict=True):
                terms[words[term]] = (ids[a:b], weights[a:b], values[a:b])
        self._texts.clear()

    def _values(self, fmt: Any, name: str, freq: np.ndarray, first: np.ndarray,
                pos: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> list[bytes]:  # fmt: skip
        """Each posting's value: ``Positions.encode`` of its positions (a new bytes object
        each, as Whoosh encodes each posting anew: pickle writes an object met twice in a
        block as a reference)."""
        encode = fmt.encode
        values: list[bytes] = [b""] * len(freq)
        single = freq == 1
        ones = self._encode_one.get(name)
        if ones is None:
            ones = self._encode_one[name] = {}
        firsts = first[single].tolist()
        for p in set(firsts).difference(ones):
            ones[p] = encode([p])[_INT_SIZE:]
        one = _ONE
        for i, p in zip(np.flatnonzero(single).tolist(), firsts, strict=True):
            values[i] = one + ones[p]
        many = np.flatnonzero(~single)
        if len(many):
            plist = pos.tolist()
            for i, a, b in zip(many.tolist(), starts[many].tolist(), ends[many].tolist(),
                               strict=True):  # fmt: skip
                values[i] = encode(plist[a:b])
        return values

    def _spelling_postings(self) -> None:
        """The spelling fields' postings as Whoosh's pool would give them: (0, 1, value),
        a word's sorted by value."""
        for name, words in self._spell.items():
            store = self._field(name)
            last = self._last_values.get(self._spell_base.get(name, ""), {})
            for word, refs in words.items():
                values: list[bytes] = [last[r] if isinstance(r, int) else r for r in refs]
                n = len(values)
                if n > 1:
                    values.sort()
                store.terms[word] = ([0] * n, [1] * n, values)
        self._spell.clear()

    def _pool_used(self) -> bool:
        pool = self.pool
        return bool(getattr(pool, "current", None) or getattr(pool, "runs", None))

    def _flush_segment(self) -> None:
        if not self.fast:
            super()._flush_segment()
            return
        self._text_postings()
        self._spelling_postings()
        if self._pool_used():
            # Merged segments' postings came through Whoosh's pool: ours join them there.
            self._to_pool()
            super()._flush_segment()
            return
        self.perdocwriter.close()
        self._write_postings()
        self.fieldwriter.close()
        if self.term_folder is not None:
            self._write_term_file()

    def _write_term_file(self) -> None:
        """The segment's term file from the postings just written (an accelerator: a
        failure leaves it to ``write_term_files``, which reads the segment back)."""
        folder, got, pairs = self.term_folder, self._term_arrays, self._pairs
        if folder is None or got is None or pairs is None:
            return
        try:
            path = termfile.path_for(folder, str(self.newsegment.segment_id()))
            fields = termfile.fields_of(self.schema)
            termfile.write_terms(path, got, self.docnum, pairs.table(), fields)
        except Exception as exc:  # noqa: BLE001 - an accelerator only
            log.warning("term file not written with the segment: %s", exc)

    def _btext(self, name: str, term: Any) -> bytes:
        return term.encode("utf-8") if isinstance(term, str) else term

    def _to_pool(self) -> None:
        add = self.pool.add
        for name in sorted(self._fields):
            for term, posts in self._fields[name].terms.items():
                btext = self._btext(name, term)
                for docnum, weight, vbytes in zip(*posts, strict=True):
                    add((name, btext, docnum, weight, vbytes))
        self._fields.clear()

    def sorted_terms(self) -> list[tuple[str, list[tuple[bytes, Postings]]]]:
        """Each field (by name) with its terms (by bytes) and their postings, as written."""
        out = []
        for name in sorted(self._fields):
            store = self._fields[name]
            if not store.terms:
                continue  # Whoosh starts a field only at its first posting
            items = []
            for term, posts in store.terms.items():
                if term in store.needs_sort:
                    # As Whoosh's pool sorts: by document, then weight, then value.
                    ids, weights, values = zip(*sorted(zip(*posts, strict=True)), strict=True)
                    posts = (list(ids), list(weights), list(values))
                items.append((self._btext(name, term), posts))
            items.sort(key=lambda item: item[0])
            out.append((name, items))
        return out

    def _write_postings(self) -> None:
        """Every term's postings through Whoosh's field writer (its terms table), the
        blocks encoded as ``W3PostingsWriter._write_block`` encodes them, a block at a time
        instead of a posting at a time; a block too small to gain from zlib is stored
        plainly (its info says so, as Whoosh's reader expects), see ``compress_from``."""
        fw = self.fieldwriter
        schema = self.schema
        codec = self.codec
        limit = int(codec._blocklimit)
        level = int(codec._compression)
        small = self.compress_from
        postfile = fw._postfile
        tindex = fw._tindex
        terms_by_field = self.sorted_terms()
        wanted = termfile.fields_of(schema) if self.term_folder is not None else set()
        t_fields: list[str] = []
        t_keys: list[bytes] = []
        t_counts: list[int] = []
        t_ids = array.array("i")
        t_weights = array.array("f")
        for name, items in terms_by_field:
            field = schema[name]
            fw.start_field(name, field)
            keep = name in wanted
            if keep:
                key_prefix = name.encode("utf-8") + b"\x00"
            prefix = pack_ushort(fw._fieldid)
            lengths = self._quantised_lengths(name)
            fixed = field.format.fixed_value_size()
            offset = postfile.tell()
            for btext, posts in items:
                ids_all, weights_all, values_all = posts
                n = len(ids_all)
                if keep:
                    t_fields.append(name)
                    t_keys.append(key_prefix + btext)
                    t_counts.append(n)
                if n <= limit:
                    # One block, the common case, without the objects Whoosh's writer
                    # goes through: the same block and the same term info, packed here.
                    warr = array.array("f", weights_all)
                    if keep:
                        t_ids.extend(ids_all)
                        t_weights.extend(warr)
                    top = max(weights_all)
                    maxweight = top if top > 0 else 0
                    minlength: int | None = None
                    maxlength = 0
                    if lengths:
                        got = list(filter(None, map(lengths.get, ids_all)))
                        if got:
                            minlength = min(got)
                            maxlength = max(got)
                    if warr.count(1.0) == n:
                        mini_w: Any = None
                    elif warr.count(warr[0]) == n:
                        mini_w = warr[0]
                    else:
                        mini_w = tuple(warr)
                    if fixed is None or fixed < 0:
                        mini_v: Any = tuple(filter(None, values_all))
                    elif fixed == 0:
                        mini_v = None
                    else:
                        mini_v = b"".join(filter(None, values_all))
                    data = dumps(((ids_all[0], *map(sub, ids_all[1:], ids_all)), mini_w,
                                  mini_v), 2)  # fmt: skip
                    comp = level if level and len(data) >= small else 0
                    if comp:
                        data = zlib.compress(data, comp)
                    minbyte = length_to_byte(minlength)
                    maxbyte = length_to_byte(maxlength)
                    head = dumps((n, ids_all[-1], maxweight, comp, minbyte, maxbyte), 2)
                    piece = _W3_MAGIC + pack_int(-(len(head) + len(data))) + head + data
                    postfile.write(piece)
                    size = len(piece)
                    info_bytes = _TERMINFO.pack(
                        0, 0 + sum(warr), n, minbyte, maxbyte, maxweight, ids_all[0],
                        ids_all[-1],
                    ) + pack_long(offset) + pack_int(size)  # fmt: skip
                    offset += size
                    tindex.add(prefix + btext, info_bytes)
                    continue
                info = W3TermInfo()
                pieces = [_W3_MAGIC]
                size = len(_W3_MAGIC)
                for start in range(0, n, limit):
                    end = start + limit
                    block = _Block(
                        ids_all[start:end], weights_all[start:end], values_all[start:end], lengths
                    )
                    info.add_block(block)
                    if keep:
                        t_ids.extend(block.ids)
                        t_weights.extend(block._weights)
                    data = dumps((block.mini_ids(), block.mini_weights(),
                                  block.mini_values(fixed)), 2)  # fmt: skip
                    comp = level if level and len(data) >= small else 0
                    if comp:
                        data = zlib.compress(data, comp)
                    head = dumps(block.info(comp), 2)
                    blocklength = len(head) + len(data)
                    if start + limit >= n:
                        blocklength = -blocklength  # the last block
                    pieces += (pack_int(blocklength), head, data)
                    size += 4 + len(head) + len(data)
                postfile.write(b"".join(pieces))
                info.set_extent(offset, size)
                offset += size
                tindex.add(prefix + btext, info.to_bytes())
            fw.finish_field()
        self._fields.clear()
        self._term_arrays = (
            SegmentTerms(
                t_fields,
                t_keys,
                np.array(t_counts, dtype=np.int64),
                np.frombuffer(t_ids, dtype=np.int32).copy(),
                np.frombuffer(t_weights, dtype=np.float32).copy(),
            )
            if self.term_folder is not None
            else None
        )

    def _quantised_lengths(self, name: str) -> dict[int, int]:
        """Each document's field length as the lengths column gives it back (one byte,
        decoded): what Whoosh's flush reads for every posting."""
        store = self._fields.get(name)
        if store is None:
            return {}
        out = {}
        for docnum, length in store.lengths.items():
            b = length_to_byte(length)
            if b:
                out[docnum] = byte_to_length(b)
        return out


class _Block:
    """One block of a term's postings, with what ``W3TermInfo.add_block`` and the block's
    info ask of Whoosh's buffer (``add_posting``'s rules: float32 weights, the first
    highest weight, only non-empty values, only non-zero lengths)."""

    __slots__ = ("_weights", "ids", "maxlength", "maxweight", "minlength", "values")

    def __init__(self, ids: list[int], weights: list[Any], values: list[bytes],
                 lengths: dict[int, int]) -> None:  # fmt: skip
        self.ids = ids
        self._weights = array.array("f", weights)
        self.values = list(filter(None, values))
        top = max(weights)
        self.maxweight = top if top > 0 else 0
        self.minlength: int | None = None
        self.maxlength = 0
        if lengths:
            got = list(filter(None, map(lengths.get, ids)))
            if got:
                self.minlength = min(got)
                self.maxlength = max(got)

    def __len__(self) -> int:
        return len(self.ids)

    def min_id(self) -> int:
        return self.ids[0]

    def max_id(self) -> int:
        return self.ids[-1]

    def min_length(self) -> int | None:
        return self.minlength

    def max_length(self) -> int:
        return self.maxlength

    def max_weight(self) -> Any:
        return self.maxweight

    def mini_ids(self) -> tuple[int, ...]:
        ids = self.ids
        return (ids[0], *map(sub, ids[1:], ids))

    def mini_weights(self) -> Any:
        weights = self._weights
        n = len(weights)
        if weights.count(1.0) == n:
            return None
        first = weights[0]
        if weights.count(first) == n:
            return first
        return tuple(weights)

    def mini_values(self, fixed: int | None) -> Any:
        if fixed is None or fixed < 0:
            return tuple(self.values)
        if fixed == 0:
            return None
        return b"".join(self.values)

    def info(self, comp: int) -> tuple[Any, ...]:
        return (
            len(self.ids), self.ids[-1], self.maxweight, comp,
            length_to_byte(self.minlength), length_to_byte(self.maxlength),
        )  # fmt: skip
