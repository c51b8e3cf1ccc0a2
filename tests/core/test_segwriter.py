"""The bulk segment writer (core/index/segwriter.py) writes what Whoosh's own writer writes.

Segments are written both ways from the same documents with the index's real schema and
analyzer: byte for byte when every block is compressed as Whoosh compresses it, and term for
term (postings, positions, weights, lengths, term statistics, stored fields, columns) with
small blocks left uncompressed, the default. The term file written from memory at the
commit is the one ``termfile.write`` reads back from the segment.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from whoosh import index
from whoosh.filedb import filetables
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.filetables import OrderedHashReader
from whoosh.filedb.structfile import StructFile
from whoosh.writing import SegmentWriter

from briefreader.core.index import segwriter, termfile, termtable
from briefreader.core.index.schema import analyzer, make_schema
from briefreader.core.index.segwriter import FastSegmentWriter
from briefreader.core.index.textanalysis import TextAnalysis
from briefreader.core.index.writing import merge_tiny

#: Words chosen for what the analysis does with them: stop words, one-letter tokens, dotted
#: acronyms, apostrophes (straight and curly), hyphens, digits, accents, ligatures, letters
#: whose lower case is longer (İ), title case (ǅ), capitals, stems shared by several words.
WORDS = (  # noqa: SIM905 - a word list reads best as text
    "the a of and is was to in on it I U.S. P.M.F. e.g. Iran’s Iran's al-Sadr shock-sound "
    "2024 10.5 café CAFÉ naïve ÆON ﬁnance İstanbul ǅemal Tehran tehran TEHRAN talks talking "
    "talked talk oil field fields x y zz Straße ΑΘΗΝΑ Москва 東京 محمد Comment: **bold** "
    "-- ... ; stopped running runs ran"
).split()


def _text(rng: random.Random, most: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, most)))


def _docs(count: int = 320, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        actors = rng.sample(["iran", "iraq", "pmf", "us"], rng.randint(0, 3))
        doc: dict[str, Any] = {
            "key": f"/corpus/file{i % 90}.md",
            "id": f"file{i % 90}#{i}",
            "title": _text(rng, 9),
            "article": _text(rng, 400) if i % 17 else "",
            "comment": _text(rng, 60),
            "actors": ",".join(actors),
            "actors_article": ",".join(actors[:1]),
            "actors_comment": "",
            "comment_start": rng.randint(0, 500),
            "source": rng.choice(["reuters news", "al-monitor", ""]),
            "source_name": rng.choice(["Reuters", "Al-Monitor", ""]),
            "actor_list": ",".join(actors).encode("utf-8"),
            "tag_list": b"oil,iraq" if i % 3 else b"",
            "tags": "oil,iraq" if i % 3 else "",
            "has_comment": bool(i % 2),
            "copykeys": f"x{i % 5},b{i % 7}",
            "copysig": "sig",
        }
        if i % 4:
            doc["date"] = dt.datetime(2020 + i % 3, 1 + i % 12, 1 + i % 28)
            doc["year"] = str(2020 + i % 3)
        out.append(doc)
    return out


def _build(folder: Path, writer: Any, docs: list[dict[str, Any]], **kwargs: Any) -> Any:
    folder.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(folder), make_schema())
    w = writer(ix, compound=False, **kwargs)
    for doc in docs:
        w.add_document(**doc)
    w.commit()
    return index.open_dir(str(folder))


def _fast(**settings: Any) -> Any:
    """A FastSegmentWriter factory with attributes set after construction (Whoosh's own
    spelling postings unless told otherwise: segments are compared with Whoosh's)."""
    settings.setdefault("compact_spelling", False)

    def make(ix: Any, **kwargs: Any) -> FastSegmentWriter:
        w = FastSegmentWriter(ix, **kwargs)
        for name, value in settings.items():
            setattr(w, name, value)
        return w

    return make


def _segment_files(folder: Path, ix: Any) -> dict[str, bytes]:
    (segment,) = ix._segments()
    sid = segment.segment_id()
    return {p.name.replace(sid, "SEG"): p.read_bytes() for p in folder.iterdir() if sid in p.name}


def _everything(ix: Any) -> dict[str, Any]:
    """Every term's statistics and postings (id, weight, value), every stored document, every
    field length and column value of a one-segment index."""
    r = ix.reader()
    terms = {}
    for fieldname, text in r.all_terms():
        info = r.term_info(fieldname, text)
        m = r.postings(fieldname, text)
        posts = []
        while m.is_active():
            posts.append((m.id(), m.weight(), m.value()))
            m.next()
        stats = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                 info.max_weight(), info.min_id(), info.max_id())  # fmt: skip
        terms[(fieldname, text)] = (stats, posts)
    n = r.doc_count_all()
    fields = list(ix.schema.names())
    lengths = {f: [r.doc_field_length(d, f) for d in range(n)] for f in fields}
    columns = {
        f: list(r.column_reader(f, translate=False))
        for f in fields
        if ix.schema[f].column_type and r.has_column(f)
    }
    stored = [r.stored_fields(d) for d in range(n)]
    totals = {f: r.field_length(f) for f in fields}
    r.close()
    return {"terms": terms, "lengths": lengths, "columns": columns, "stored": stored,
            "totals": totals}  # fmt: skip


def test_the_analysis_is_read_from_the_schemas_analyzer() -> None:
    assert TextAnalysis.of_analyzer(analyzer()) is not None


def test_every_block_compressed_the_segment_is_byte_for_byte_whooshs(tmp_path: Path) -> None:
    docs = _docs()
    ours = _build(tmp_path / "ours", _fast(compress_from=0, pickle_protocol=2), docs)
    theirs = _build(tmp_path / "whoosh", SegmentWriter, docs)
    mine, whooshs = (
        _segment_files(tmp_path / "ours", ours),
        _segment_files(tmp_path / "whoosh", theirs),
    )
    assert sorted(mine) == sorted(whooshs)
    for name, data in whooshs.items():
        assert mine[name] == data, name


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_default_segment_is_term_for_term_whooshs(tmp_path: Path, seed: int) -> None:
    docs = _docs(260, seed)
    ours = _build(tmp_path / "ours", _fast(), docs)
    theirs = _build(tmp_path / "whoosh", SegmentWriter, docs)
    got, want = _everything(ours), _everything(theirs)
    assert got["terms"].keys() == want["terms"].keys()
    for key, value in want["terms"].items():
        assert got["terms"][key] == value, key
    for part in ("lengths", "columns", "stored", "totals"):
        assert got[part] == want[part], part
    # Several blocks for a common word, positions past the first stop words, Unicode terms.
    assert any(len(posts) > 128 for _stats, posts in want["terms"].values())
    assert ("article", b"p.m.f") in want["terms"]
    assert any(text == "москва".encode() for _f, text in want["terms"])


def test_the_default_writer_pickles_positions_as_bytes(tmp_path: Path) -> None:
    """Whoosh pickles a block with protocol 2, where each posting's positions are a call to
    codecs.encode; the default writer uses protocol 3 (bytes as bytes): the same postings
    read back, in a third of the bytes."""
    import io
    from pickle import load

    from briefreader.core.index import postenc

    ix = index.create_in(str(tmp_path), make_schema())
    writer = FastSegmentWriter(ix, compound=False)
    how = writer._encoding("article")
    writer.cancel()
    assert how.protocol == 3
    fmt = make_schema()["article"].format
    ids = list(range(0, 300, 3))  # one block
    postings = (ids, [1.0] * len(ids), [fmt.encode([i % 7, 9 + i % 5]) for i in ids])
    blobs = {}
    for protocol in (2, 3):
        plain = postenc.Encoding(how.limit, 0, 0, how.fixed, protocol)
        blobs[protocol] = postenc.encode_field([(b"word", postings)], {}, plain, False).blob
    assert b"c_codecs\nencode" in blobs[2]
    assert b"c_codecs\nencode" not in blobs[3]
    assert len(blobs[3]) < 0.7 * len(blobs[2])
    # Past the magic and the length: the block's head, then its data, the same tuples.
    two, three = (io.BytesIO(blob[8:]) for blob in blobs.values())
    assert load(two) == load(three)
    assert load(two) == load(three)


def test_a_document_of_stop_words_only_and_empty_fields(tmp_path: Path) -> None:
    docs = [
        {"key": "k1", "id": "a", "title": "", "article": "the of and a", "comment": "I"},
        {"key": "k2", "id": "b", "title": "The Iran talks", "article": "", "comment": ""},
        {
            "key": "k3",
            "id": "c",
            "title": "of of Iran",
            "article": "a b c Iran Iran",
            "comment": "x",
        },
    ]
    ours = _build(tmp_path / "ours", _fast(compress_from=0, pickle_protocol=2), docs)
    theirs = _build(tmp_path / "whoosh", SegmentWriter, docs)
    assert _segment_files(tmp_path / "ours", ours) == _segment_files(tmp_path / "whoosh", theirs)
    assert _everything(ours) == _everything(theirs)


def test_the_term_file_written_with_the_segment_is_the_one_read_back(tmp_path: Path) -> None:
    folder = tmp_path / "ix"
    ours = _build(folder, FastSegmentWriter, _docs(), term_folder=folder)
    (segment,) = ours._segments()
    written = termfile.TermFile(termfile.path_for(folder, segment.segment_id()))
    reader = ours.reader()
    ((leaf, _offset),) = reader.leaf_readers()
    assert termfile.write(leaf, tmp_path / "read-back.terms")
    read_back = termfile.TermFile(tmp_path / "read-back.terms")
    reader.close()
    assert written.fields == read_back.fields
    for name in ("hashes", "kpos", "keys", "ppos", "ids", "weights", "fptr", "frow", "ffreq",
                 "phash", "pptr", "pids"):  # fmt: skip
        assert np.array_equal(getattr(written, name), getattr(read_back, name)), name
    assert len(written.phash) > 100


def test_a_commit_that_merges_segments_in_writes_them_whooshs_way(tmp_path: Path) -> None:
    """Merged segments' postings come through Whoosh's pool: ours join them there."""
    docs = _docs(120, 5)

    def build(folder: Path, writer: Any) -> Any:
        folder.mkdir()
        ix = index.create_in(str(folder), make_schema())
        for start in range(0, 120, 12):  # ten small segments, then a merge of them
            w = writer(ix, compound=False)
            for doc in docs[start : start + 12]:
                w.add_document(**doc)
            w.commit(merge=False)
        w = writer(ix, compound=False)
        w.add_document(**_docs(1, 99)[0])
        w.commit(mergetype=merge_tiny)
        return index.open_dir(str(folder))

    ours = build(tmp_path / "ours", _fast())
    theirs = build(tmp_path / "whoosh", SegmentWriter)
    assert len(ours._segments()) == len(theirs._segments()) == 1
    assert _everything(ours) == _everything(theirs)


def test_deletions_and_replacements_work_as_with_whooshs_writer(tmp_path: Path) -> None:
    docs = _docs(40, 11)
    ix = _build(tmp_path / "ix", FastSegmentWriter, docs)
    w = FastSegmentWriter(ix, compound=False)
    w.delete_by_term("key", docs[0]["key"])
    w.add_document(**{**docs[0], "title": "replaced Basra"})
    w.commit(merge=False)
    with ix.searcher() as s:
        hits = list(s.documents(key=docs[0]["key"]))
        assert [h["title"] for h in hits] == ["replaced Basra"]
        assert s.doc_count() == 40 - sum(d["key"] == docs[0]["key"] for d in docs) + 1


def test_an_unknown_whoosh_release_writes_whooshs_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(segwriter, "FAST_WRITE", False)
    folder = tmp_path / "ix"
    ix = _build(folder, FastSegmentWriter, _docs(30), term_folder=folder)
    theirs = _build(tmp_path / "whoosh", SegmentWriter, _docs(30))
    assert _everything(ix) == _everything(theirs)
    assert not termfile.folder_of(folder).exists()  # left to write_term_files


def _all_files(folder: Path, ix: Any) -> dict[str, bytes]:
    (segment,) = ix._segments()
    sid = segment.segment_id()
    return {
        p.name.replace(sid, "SEG"): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and sid in p.name
    }


@pytest.mark.parametrize("helper_dies", [False, True])
def test_a_helper_process_encoding_the_article_writes_the_same_segment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, helper_dies: bool
) -> None:
    """The largest text field encoded by a forked helper (or, if the helper dies, by the
    writer itself): the same segment and term file, byte for byte."""
    from briefreader.core import processes
    from briefreader.core.index import postenc

    docs = _docs(200, 4)
    alone = tmp_path / "alone"
    ix = _build(alone, _fast(compress_from=0, parallel=False), docs, term_folder=alone)
    want = _all_files(alone, ix)
    started: list[str] = []
    real_start = segwriter._Helper.start

    def start(name: str, job: Any) -> Any:
        started.append(name)
        return real_start(name, job)

    monkeypatch.setattr(segwriter, "PARALLEL_TOKENS", 1)
    monkeypatch.setattr(segwriter._Helper, "start", staticmethod(start))
    if helper_dies:
        import os

        monkeypatch.setattr(postenc, "encode_text_in_child", lambda conn, job: os._exit(3))
    helped = tmp_path / "helped"
    ix2 = _build(helped, _fast(compress_from=0), docs, term_folder=helped)
    assert _all_files(helped, ix2) == want
    assert any(name.endswith(".terms") for name in want)
    if processes.start_method() == "fork":
        assert started == ["article"]
    else:  # spawn: the helper would cost more than it saves
        assert started == []


@pytest.mark.parametrize("chunk", [1, 7, 1000])
def test_a_text_field_encoded_a_chunk_of_words_at_a_time_is_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """The text fields are made into postings a few words at a time (bounded memory at the
    commit): the same segment and term file, byte for byte, whatever the chunk."""
    from briefreader.core.index import postenc

    docs = _docs(150, 8)
    whole = tmp_path / "whole"
    ix = _build(
        whole, _fast(compress_from=0, parallel=False, pickle_protocol=2), docs, term_folder=whole
    )
    want = _all_files(whole, ix)
    monkeypatch.setattr(postenc, "CHUNK_POSTINGS", chunk)
    parts = tmp_path / "parts"
    ix2 = _build(
        parts, _fast(compress_from=0, parallel=False, pickle_protocol=2), docs, term_folder=parts
    )
    assert _all_files(parts, ix2) == want
    theirs = _build(tmp_path / "whoosh", SegmentWriter, docs)
    assert _segment_files(parts, ix2) == _segment_files(tmp_path / "whoosh", theirs)


def test_compact_spelling_keeps_every_word_and_the_suggestions(tmp_path: Path) -> None:
    """One posting a word in the spelling field instead of one a document holding it: the
    same words, the same suggestions, everything else the same segment."""
    docs = _docs(260, 4)
    ours = _build(tmp_path / "ours", FastSegmentWriter, docs)
    theirs = _build(tmp_path / "whoosh", SegmentWriter, docs)
    got, want = _everything(ours), _everything(theirs)
    spelled = {k for k in want["terms"] if k[0] == "spell_article"}
    assert len(spelled) > 30
    assert {k for k in got["terms"] if k[0] == "spell_article"} == spelled
    schema = ours.schema
    for key in spelled:
        (_weight, df, *_rest), posts = got["terms"][key]
        assert df == 1 and len(posts) == 1
        # A frequency of 1 in the spelling field's own format (Whoosh's writer gives it the
        # article's positions of some other word, which nothing reads).
        assert schema["spell_article"].format.decode_frequency(posts[0][2]) == 1
        assert want["terms"][key][0][1] >= 1
    for key, value in want["terms"].items():
        if key[0] != "spell_article":
            assert got["terms"][key] == value, key
    for part in ("lengths", "columns", "stored", "totals"):
        assert got[part] == want[part], part
    words = sorted(t.decode() for _f, t in spelled if len(t) > 4)
    typos = [w[:2] + w[3:] for w in words] + [w[:-1] + "x" for w in words]
    with ours.searcher() as a, theirs.searcher() as b:
        for typo in typos:
            assert a.corrector("article").suggest(typo, limit=3) == b.corrector("article").suggest(
                typo, limit=3
            ), typo


def test_a_segments_close_sets_off_no_garbage_collection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The close makes objects by the hundred thousand, none in a cycle: the collector is
    held off while it runs (each collection walked every object the writer holds), and is
    on again afterwards."""
    import gc

    seen: list[str] = []
    closing = False
    flush = FastSegmentWriter._flush_segment

    def watched(self: FastSegmentWriter) -> None:
        nonlocal closing
        closing = True
        try:
            flush(self)
        finally:
            closing = False

    def callback(phase: str, _info: dict[str, int]) -> None:
        seen.append(f"{phase} {'closing' if closing else 'adding'}")

    monkeypatch.setattr(FastSegmentWriter, "_flush_segment", watched)
    gc.callbacks.append(callback)
    try:
        _build(tmp_path / "ix", FastSegmentWriter, _docs(1500, seed=3), term_folder=tmp_path / "ix")
    finally:
        gc.callbacks.remove(callback)
    assert "start adding" in seen  # the documents' analysis did set collections off
    assert "start closing" not in seen
    assert gc.isenabled()
    gc.disable()
    try:
        with segwriter.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # one held off by the caller stays off
    finally:
        gc.enable()


def _made_up_words(rng: random.Random, count: int) -> list[str]:
    return [
        "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(rng.randint(4, 10)))
        for _ in range(count)
    ]


def test_a_large_terms_table_is_byte_for_byte_whooshs(tmp_path: Path) -> None:
    """Thousands of terms, their rows added a field at a time (termtable.py): the same
    terms table as Whoosh's row by row, past the 65,536 bytes from which its position index
    needs four-byte numbers, with dozens of rows in each of its hash tables."""
    rng = random.Random(5)
    vocab = _made_up_words(rng, 4000)
    docs = [
        {
            "key": f"k{i}",
            "id": f"i{i}",
            "title": " ".join(rng.sample(vocab, 5)),
            "article": " ".join(rng.sample(vocab, 80)),
        }
        for i in range(150)
    ]
    ours = _build(tmp_path / "ours", _fast(compress_from=0, pickle_protocol=2), docs)
    theirs = _build(tmp_path / "whoosh", SegmentWriter, docs)
    mine = _segment_files(tmp_path / "ours", ours)
    whooshs = _segment_files(tmp_path / "whoosh", theirs)
    assert mine["SEG.trm"] == whooshs["SEG.trm"]
    assert mine == whooshs
    (name,) = (p.name for p in (tmp_path / "ours").iterdir() if p.suffix == ".trm")
    table = OrderedHashReader.open(FileStorage(str(tmp_path / "ours")), name)
    try:
        assert table.extras["indextype"] == "i"
        assert min(slots for _pos, slots in table.tables) // 2 >= 10
    finally:
        table.close()


class _Shifted(io.BytesIO):
    """A file that tells its positions ``shift`` bytes further on, as if that much came
    before: a terms table's positions past 2 and 4 GB without writing them."""

    def __init__(self, shift: int) -> None:
        super().__init__()
        self.shift = shift

    def tell(self) -> int:
        return super().tell() + self.shift

    def close(self) -> None:
        pass  # the bytes are read once the writer closes


def _hash_writer(shift: int = 0) -> tuple[Any, _Shifted]:
    out = _Shifted(shift)
    writer = filetables.OrderedHashWriter(StructFile(out))
    writer.extras["fieldmap"] = {"a": 0}
    return writer, out


def _state(writer: Any) -> tuple[Any, ...]:
    return ([list(b) for b in writer.buckets], writer.index.typecode, list(writer.index),
            writer.lastkey, writer.dbfile.tell())  # fmt: skip


@pytest.mark.parametrize(
    ("shift", "types"),
    [
        (0, ["H", "H", "i", "i", "i", "i"]),
        ((1 << 31) - 90_000, ["i", "i", "I", "I", "I", "I"]),
        ((1 << 32) - 90_000, ["I", "I", "q", "q", "q", "q"]),
    ],
)
def test_rows_added_in_bulk_leave_the_terms_table_row_by_row_would(
    shift: int, types: list[str]
) -> None:
    """TermTable.add_rows against OrderedHashWriter.add over several fields of rows: the
    same writer state after each (buckets, position index and its type, widened in the
    middle of a field, last key) and the same file; keys out of order refused at the same
    row; any other writer not adopted."""
    rng = random.Random(3)
    fields = []
    for fieldid, count in enumerate((4, 1200, 2000, 0, 2500, 1)):
        prefix = fieldid.to_bytes(2, "big")
        words = sorted({w.encode() for w in _made_up_words(rng, count)})
        values = [rng.randbytes(rng.randint(20, 40)) for _w in words]
        fields.append(([prefix + w for w in words], values))
    whoosh_writer, whoosh_out = _hash_writer(shift)
    our_writer, our_out = _hash_writer(shift)
    table = termtable.adopt(our_writer)
    assert table is our_writer
    for (keys, values), typecode in zip(fields, types, strict=True):
        for key, value in zip(keys, values, strict=True):
            whoosh_writer.add(key, value)
        table.add_rows(keys, values)
        assert _state(table) == _state(whoosh_writer)
        assert table.index.typecode == typecode
    assert min(map(len, whoosh_writer.buckets)) >= 10
    late = [b"\x00\x09b", b"\x00\x09a"]
    with pytest.raises(ValueError, match="Keys must increase"):
        for key in late:
            whoosh_writer.add(key, b"v")
    with pytest.raises(ValueError, match="Keys must increase"):
        table.add_rows(late, [b"v", b"v"])
    assert _state(table) == _state(whoosh_writer)
    whoosh_writer.close()
    table.close()
    assert our_out.getvalue() == whoosh_out.getvalue()

    class Other(filetables.OrderedHashWriter):  # type: ignore[misc]
        pass

    assert termtable.adopt(Other(StructFile(io.BytesIO()))) is None
    assert termtable.adopt(filetables.HashWriter(StructFile(io.BytesIO()))) is None


@pytest.mark.parametrize("bound", [2, 255, 1 << 16, (1 << 16) + 1, 1 << 31, (1 << 31) + 7])
def test_the_narrow_stable_order_is_numpys_stable_argsort(bound: int) -> None:
    """Tokens sorted by word (and term-file documents by number) as the narrowest type that
    holds them: the same order, ties kept in the order they came."""
    import numpy as np

    from briefreader.core.index.postenc import stable_order

    rng = np.random.default_rng(bound)
    for size in (0, 1, 1000, 70_000):
        values = rng.integers(0, bound, size, dtype=np.int64)
        values[: size // 3] = bound - 1  # many ties, the largest value among them
        got = stable_order(values, bound)
        assert np.array_equal(got, np.argsort(values, kind="stable"))
