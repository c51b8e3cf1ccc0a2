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
table, deletions, merges and the commit. The text fields are analysed with the analyzer's
own parts (its pattern, stop list, sizes and stem function, read from the analyzer the
schema holds: :class:`TextAnalysis`) through a token cache that numbers each index word
once; their tokens are kept as arrays and made into postings at the commit, where every
field's blocks and term infos are encoded as Whoosh encodes them (``postenc.py``), the
largest text field by a forked helper process. What lands on disk is Whoosh's segment term
for term, and byte for byte with every block compressed (``tests/core/test_segwriter.py``
compares segments written both ways). Any field or analyzer this module does not recognise
goes Whoosh's way, and a commit that merges other segments in (their postings come through
Whoosh's pool) falls back to Whoosh's flush for the whole segment. The terms table is given
a field's rows at once (``termtable.py``).

The writer also keeps what a term file needs (``termfile.py``): each term's postings and
each text field's word sequence, so that the term file is written from memory at the commit
instead of being read back from the segment and the stored text.
"""

from __future__ import annotations

import array
import contextlib
import gc
import logging
from collections.abc import Iterator
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import whoosh
from whoosh import fields as wfields
from whoosh import formats as wformats
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3PerDocWriter
from whoosh.system import pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from briefreader.core import processes
from briefreader.core.index import postenc, termfile, termtable
from briefreader.core.index.fast import SegmentTerms
from briefreader.core.index.positions import CompactPositions
from briefreader.core.index.postenc import Postings
from briefreader.core.index.textanalysis import TextAnalysis, TextTokens, simple_index

log = logging.getLogger(__name__)

#: The Whoosh release whose writer internals (the postings writer's block buffer, the
#: pool's attributes) this module drives. Any other release writes Whoosh's way.
FAST_WRITE = whoosh.__version__ == (2, 7, 5)

#: Blocks pickled shorter than this many bytes are written without zlib (see
#: :attr:`FastSegmentWriter.compress_from`).
COMPRESS_FROM = 256
#: Postings blocks are pickled with this protocol (see postenc.Encoding).
PICKLE_PROTOCOL = 3
#: Tokens in a text field from which a forked helper encodes its postings (see
#: FastSegmentWriter._start_helper): below it the fork costs more than it saves.
PARALLEL_TOKENS = 400_000
#: The text formats whose postings are made from the tokens' arrays: Whoosh's own and the
#: compact one the schema uses (positions.py).
_POSITIONS = (wformats.Positions, CompactPositions)
_FIRST = itemgetter(0)
_THIRD = itemgetter(2)
_FOURTH = itemgetter(3)
#: A field's remembered analyses are forgotten past this many values.
_VALUE_CACHE = 20_000


class _Field:
    """One indexed field's postings in the segment being written: term -> (docnums, weights,
    values), docnums ascending; plus each document's field length where it is kept."""

    __slots__ = ("lengths", "needs_sort", "terms")

    def __init__(self) -> None:
        self.terms: dict[Any, Postings] = {}
        self.lengths: dict[int, int] = {}
        #: Terms given twice for one document (the pool sorts those by weight and value).
        self.needs_sort: set[Any] = set()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector held off for a segment's close: the close makes
    hundreds of thousands of tuples, lists and bytes that form no cycle, and each batch of
    them set off a collection that walked every object the writer holds (its postings, the
    token caches). For 4,611 briefs the close took 7.6 s of CPU with it on, 7.0 s held off."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


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
        #: Other fields' own analysis where their shape allows (see _analysed), by name.
        self._simple: dict[str, Any] = {}
        self._encode_one: dict[str, dict[int, bytes]] = {}
        #: Spelling fields: word -> the value of each of its postings (see _spelling).
        self._spell: dict[str, dict[str, Any]] = {}
        self._spell_base: dict[str, str] = {}
        #: One posting a word in a text field's spelling field, not one a document holding
        #: it (see _spelling). False: Whoosh's postings, to compare segments byte for byte.
        self.compact_spelling = True
        #: Compact spelling: the numbers (TextAnalysis) of the segment's words, by spelling
        #: field.
        self._spell_words: dict[str, set[int]] = {}
        self._spell_analysis: dict[str, TextAnalysis] = {}
        #: Analysed text fields' tokens (see TextTokens), and at the commit each document's last
        #: posting value by field (spelling postings written Whoosh's way carry it).
        self._texts: dict[str, TextTokens] = {}
        self._last_values: dict[str, dict[int, bytes]] = {}
        #: The current document's kept tokens by text field (its spelling words come of it).
        self._kept: dict[str, list[tuple[str, str, int, int]]] = {}
        #: Blocks whose pickle is shorter than this are stored uncompressed: zlib set up
        #: for each of 80,000 one-posting blocks took a tenth of a build, for nothing (a
        #: pickle of 70 bytes came out as long). 0: every block compressed, as Whoosh does.
        self.compress_from = COMPRESS_FROM
        #: The pickle protocol of the postings blocks (postenc.Encoding; 2 is Whoosh's own).
        self.pickle_protocol = PICKLE_PROTOCOL
        #: Whether the largest text field may be encoded by a helper process.
        self.parallel = True
        #: Segments other writers wrote for this commit (the reading workers' own: shard.py),
        #: listed in the table of contents after the index's and this writer's.
        self.adopted: list[Any] = []
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
                if type(field) is wfields.TEXT and type(field.format) in _POSITIONS:
                    ana = field.analyzer
                    if id(ana) not in seen:
                        seen[id(ana)] = TextAnalysis.of_analyzer(ana)
                    self._analysis[name] = seen[id(ana)]
            self._simple = {name: simple_index(field) for name, field in self.schema.items()}

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

    def token_count(self) -> int:
        """Tokens of analysed text held for the segment being written (its main memory)."""
        return sum(len(text.tid) for text in self._texts.values())

    def lower_tokens(self) -> set[str] | None:
        """The tokens of the title, article and comment written in lower case, learnt as
        their texts were analysed (see ``TextAnalysis.lower_tokens``), or None when a field
        is not analysed that way (the index's own tokens)."""
        analyses = [self._analysis.get(name) for name in ("title", "article", "comment")]
        if not self.fast or any(a is None or not a.shared for a in analyses):
            return None
        return set().union(*(a.lower_tokens for a in analyses if a is not None))

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
        object each, as Whoosh makes them: see _values). A field of a plain shape (an ID, a
        comma-separated KEYWORD: textanalysis.simple_index) is analysed here instead."""
        simple = self._simple.get(name)
        if simple is not None and type(value) is str:
            return simple(value)
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
            text = self._texts[name] = TextTokens(analysis)
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
        analysis = self._analysis.get(base)
        if kept is not None and self.compact_spelling and analysis is not None:
            # The suggestions only ask whether a word is in the spelling field, and rank by
            # its frequency in the field itself: one posting a word is as good as one a
            # document holding it (1.4 million postings for the benchmark folder's 4,611
            # briefs, a tenth of the build's time). The segment's words kept here, by number.
            if kept:
                self._spell_words.setdefault(name, set()).update(map(_FOURTH, kept))
                self._spell_analysis[name] = analysis
            return
        if kept is not None:
            # The value is that of the field's own last posting (its words are the field's),
            # made at the commit: the document number stands for it until then.
            words: Any = set(map(_FIRST, kept))
            ref: Any = self.docnum
            self._spell_base[name] = base
        else:
            words, ref = field.spellable_words(value), vbytes
        # Every posting of a spelling field is (0, 1, value): only the values are kept
        # here, one list a word (document numbers as 4-byte ints: a build of 25,000 briefs
        # holds millions), and the postings made of them when written.
        spell = self._spell.get(name)
        if spell is None:
            spell = self._spell[name] = {}
        get = spell.get
        if isinstance(ref, int):
            one = array.array("i", (ref,))
            for word in words:
                got = get(word)
                if got is None:
                    spell[word] = one * 1
                else:
                    got.append(ref)
            return
        for word in words:
            got = get(word)
            if got is None:
                spell[word] = [ref]
            else:
                got.append(ref)

    # -- writing -----------------------------------------------------------------------------

    def _text_postings(self) -> None:
        """The analysed text fields' postings from their token arrays (see TextTokens and
        ``postenc.text_postings``), and each document's last posting value (for spelling)."""
        for name, text in self._texts.items():
            if not len(text.tid):
                continue
            ones = self._encode_one.get(name)
            if ones is None:
                ones = self._encode_one[name] = {}
            terms, self._last_values[name] = postenc.text_postings(
                *text.arrays(),
                text.analysis.stems,
                self.schema[name].format,
                ones,
            )
            self._field(name).terms.update(terms)
        self._texts.clear()

    def _spelling_postings(self) -> None:
        """The spelling fields' postings as Whoosh's pool would give them: (0, 1, value),
        a word's sorted by value; with compact_spelling, one posting a word, (0, 1, a
        frequency of 1 as the spelling field's format, Whoosh's Frequency, packs it).

        Whoosh gives a spelling posting the value of the document's last posting of its
        last indexed field (its loop variable, another field's format): nothing reads it,
        and finding it cost a sort of every token of the field (0.5 s of CPU for the ingest
        benchmark's folder). Written Whoosh's way only to compare segments with its own."""
        for name, numbers in self._spell_words.items():
            store = self._field(name)
            by_number = self._spell_analysis[name].words_by_number
            value = pack_uint(1)
            for number in numbers:
                store.terms[by_number[number]] = ([0], [1], [value])
        self._spell_words.clear()
        for name, words in self._spell.items():
            store = self._field(name)
            last = self._last_values.get(self._spell_base.get(name, ""), {})
            for word, refs in words.items():
                if isinstance(refs, array.array):
                    values: list[bytes] = list(map(last.__getitem__, refs))
                else:
                    values = list(refs)
                n = len(values)
                if n > 1:
                    values.sort()
                store.terms[word] = ([0] * n, [1] * n, values)
        self._spell.clear()

    def _pool_used(self) -> bool:
        pool = self.pool
        return bool(getattr(pool, "current", None) or getattr(pool, "runs", None))

    def _commit_toc(self, segments: list[Any]) -> None:
        super()._commit_toc([*segments, *self.adopted])

    def _flush_segment(self) -> None:
        if not self.fast:
            super()._flush_segment()
            return
        if self._pool_used():
            # Merged segments' postings came through Whoosh's pool: ours join them there.
            self._text_postings()
            self._spelling_postings()
            self._to_pool()
            super()._flush_segment()
            return
        helper = self._start_helper()
        try:
            with collector_paused():
                self.perdocwriter.close()
                self._write_postings(helper)
                self.fieldwriter.close()
        finally:
            if helper is not None:
                helper.end()
        if self.term_folder is not None:
            self._write_term_file()

    def _start_helper(self) -> _Helper | None:
        """The largest text field encoded by a forked helper process while this one encodes
        the others (its postings are a third to a half of the segment's), when it is large
        enough to pay for the process and forking is the core's choice (processes.py: a
        spawned helper would import and unpickle everything first)."""
        if not self.parallel or not self._texts or processes.start_method() != "fork":
            return None
        name, text = max(self._texts.items(), key=lambda item: len(item[1].tid))
        if len(text.tid) < PARALLEL_TOKENS:
            return None
        job = postenc.TextJob(
            *text.arrays(), text.analysis.stems, self.schema[name].format,
            self._quantised_lengths(name), self._encoding(name), name in self._term_fields(),
        )  # fmt: skip
        try:
            helper = _Helper.start(name, job)
        except OSError as exc:  # no process to be had: this process encodes it
            log.debug("postings encoded here: %s", exc)
            return None
        del self._texts[name]
        return helper

    def _encoding(self, name: str) -> postenc.Encoding:
        codec = self.codec
        return postenc.Encoding(
            int(codec._blocklimit),
            int(codec._compression),
            self.compress_from,
            self.schema[name].format.fixed_value_size(),
            self.pickle_protocol,
        )

    def _term_fields(self) -> set[str]:
        return termfile.fields_of(self.schema) if self.term_folder is not None else set()

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

    def sorted_terms(
        self, skip: set[str] | frozenset[str] = frozenset()
    ) -> list[tuple[str, list[tuple[bytes, Postings]]]]:
        """Each field (by name, but those in ``skip``) with its terms (by bytes) and their
        postings, as written."""
        out = []
        for name in sorted(self._fields):
            if name in skip:
                continue
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

    def _write_postings(self, helper: _Helper | None) -> None:
        """Every field's postings encoded (``postenc``: Whoosh's blocks and term infos, a
        field at a time, the text fields straight from their tokens; the helper's field by
        the helper), then laid end to end in field order through Whoosh's field writer and
        its terms table (a field's rows at once: termtable.py)."""
        keep = self._term_fields()
        encoded: dict[str, postenc.EncodedField] = {}
        if helper is not None and helper.name in self._spell_base.values():
            # Whoosh's spelling postings carry each document's last value of the helper's
            # field: found here from the same tokens, so that they need not wait for it.
            job = helper.job
            self._last_values[helper.name] = postenc.last_values(job.tid, job.doc, job.pos, job.fmt)
        for name, text in self._texts.items():
            if not len(text.tid):
                continue
            tid, doc, pos = text.arrays()
            fmt = self.schema[name].format
            if name in self._spell_base.values():
                self._last_values[name] = postenc.last_values(tid, doc, pos, fmt)
            ones = self._encode_one.setdefault(name, {})
            encoded[name] = postenc.encode_text_field(
                tid, doc, pos, text.analysis.stems, fmt, self._quantised_lengths(name),
                self._encoding(name), name in keep, ones,
            )  # fmt: skip
        self._texts.clear()
        self._spelling_postings()
        for name, items in self.sorted_terms():
            encoded[name] = postenc.encode_field(
                items, self._quantised_lengths(name), self._encoding(name), name in keep
            )
        if helper is not None:
            encoded[helper.name] = helper.result()
        self._fields.clear()
        self._lay_out(encoded, keep)

    def _lay_out(self, encoded: dict[str, postenc.EncodedField], keep: set[str]) -> None:
        """Write the encoded fields in name order (Whoosh's order) and their terms' rows,
        and gather the term file's arrays."""
        fw = self.fieldwriter
        postfile = fw._postfile
        tindex = fw._tindex
        # The terms table's rows a field at a time (termtable.py), where it is the writer
        # that module knows; else a row at a time through the table's own add.
        table = termtable.adopt(tindex)
        t_fields: list[str] = []
        t_keys: list[bytes] = []
        t_counts: list[int] = []
        t_ids = array.array("i")
        t_weights = array.array("f")
        for name in sorted(encoded):
            enc = encoded[name]
            if not enc.rows:
                continue  # Whoosh starts a field only at its first posting
            fw.start_field(name, self.schema[name])
            prefix = pack_ushort(fw._fieldid)
            base = postfile.tell()
            postfile.write(enc.blob)
            keys = [prefix + btext for btext, _h, _o, _s in enc.rows]
            if table is not None:
                table.add_rows(keys, enc.infos(base))
            else:
                for key, info in zip(keys, enc.infos(base), strict=True):
                    tindex.add(key, info)
            if name in keep:
                key_prefix = name.encode("utf-8") + b"\x00"
                t_fields.extend([name] * len(enc.rows))
                t_keys.extend(key_prefix + btext for btext, _h, _o, _s in enc.rows)
                t_counts.extend(enc.counts)
                t_ids.extend(enc.ids)
                t_weights.extend(enc.weights)
            fw.finish_field()
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


class _Helper:
    """A forked process encoding one text field (``postenc.encode_text_in_child``)."""

    def __init__(self, name: str, process: Any, conn: Any, job: postenc.TextJob) -> None:
        self.name = name
        self.process = process
        self.conn = conn
        self.job = job

    @classmethod
    def start(cls, name: str, job: postenc.TextJob) -> _Helper:
        ctx = processes.context()
        ours, theirs = ctx.Pipe(duplex=False)
        process = ctx.Process(
            target=postenc.encode_text_in_child,
            args=(theirs, job),
            name="briefreader-postings",
            daemon=True,
        )
        try:
            process.start()
        finally:
            theirs.close()
        return cls(name, process, ours, job)

    def result(self) -> postenc.EncodedField:
        """What the helper made; made here instead if it failed or died."""
        try:
            got = self.conn.recv()
        except (EOFError, OSError) as exc:
            got = exc
        if isinstance(got, postenc.EncodedField):
            return got
        log.warning("postings of %s encoded here: the helper gave %r", self.name, got)
        return postenc.encode_text(self.job)

    def end(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.close()
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(5)
