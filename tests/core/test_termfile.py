"""Term files (core/index/termfile.py): each segment's postings laid out as mapped arrays.

They are an accelerator only, so the tests hold them to one rule: whatever is read through
them equals what Whoosh's own files give, and a missing, damaged or stale one changes no
answer.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from whoosh import query

from briefreader.core.glossary import Glossary
from briefreader.core.index import fast, termfile
from briefreader.core.index.evaluate import Evaluator
from briefreader.core.library import Library

GLOSSARY = """
[[actor]]
id = "pmf"
name = "Popular Mobilization Forces"
kind = "militia"
aliases = ["PMF", "P.M.F."]
"""

WORDS = tuple(
    " ".join(
        (
            "oil border drone strike council ministry election water dam convoy militia",
            "parliament budget pipeline refinery protest governor airport tribe shrine",
            "ceasefire harvest loan grid court envoy",
        )
    ).split(" ")
)


def _brief(rng: random.Random, i: int) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 60)))
    actor = " The PMF said so." if rng.random() < 0.4 else ""
    return (
        f"Title: Brief {i} {rng.choice(WORDS)}\nDate: 2024-0{rng.randint(1, 9)}-1{i % 9}\n"
        f"Source: Wire\n\n{words}.{actor}\n\nComment: {rng.choice(WORDS)} {rng.choice(WORDS)}.\n"
    )


def _library(root: Path, batches: int = 3) -> tuple[Library, Path]:
    (root / "g.toml").write_text(GLOSSARY, "utf-8")
    corpus = root / "corpus"
    corpus.mkdir()
    lib = Library([corpus], root / "data", Glossary.load([root / "g.toml"]))
    rng = random.Random(5)
    for batch in range(batches):
        for i in range(30):
            (corpus / f"b{batch}-{i:02d}.md").write_text(_brief(rng, i), "utf-8")
        lib.update(bulk=False)
    return lib, corpus


@pytest.fixture
def built(tmp_path: Path) -> tuple[Library, Path]:
    lib, corpus = _library(tmp_path)
    yield lib, corpus
    lib.close()


def _leaves(lib: Library) -> list[tuple[str, object]]:
    s = lib.index.searcher()
    return [(leaf.reader().segment().segment_id(), leaf.reader()) for leaf, _ in s.leaf_searchers()]


def test_every_segment_gets_a_term_file_equal_to_its_whoosh_postings(
    built: tuple[Library, Path],
) -> None:
    lib, _corpus = built
    leaves = _leaves(lib)
    assert len(leaves) >= 2
    checked = 0
    for seg_id, reader in leaves:
        tf = termfile.open_for(lib.index.folder, seg_id)
        assert tf is not None, seg_id
        assert "article" in tf.fields and "spell_article" not in tf.fields
        in_file = 0
        for fieldname, btext in reader.all_terms():
            if fieldname not in tf.fields:
                continue
            in_file += 1
            key = termfile.term_key(fieldname, btext)
            row = tf.find(key, termfile.key_hash(key))
            assert row >= 0, (fieldname, btext)
            got = tf.postings(row)
            want = fast.read_postings(reader, fieldname, btext)
            assert got.ids.tolist() == want.ids.tolist(), (fieldname, btext)
            assert np.allclose(got.weights, want.weights), (fieldname, btext)
            assert tf.doc_frequency(row) == reader.doc_frequency(fieldname, btext)
            checked += 1
        assert len(tf) == in_file  # nothing more, nothing less
        absent = termfile.term_key("article", b"zzz-not-a-word")
        assert tf.find(absent, termfile.key_hash(absent)) == -1
    assert checked > 200


def test_batch_lookup_equals_one_by_one(built: tuple[Library, Path]) -> None:
    lib, _corpus = built
    seg_id, reader = _leaves(lib)[0]
    tf = termfile.open_for(lib.index.folder, seg_id)
    assert tf is not None
    keys = [termfile.term_key(f, t) for f, t in list(reader.all_terms())[:300]]
    keys += [termfile.term_key("title", b"absent"), termfile.term_key("nofield", b"oil")]
    hashes = np.array([termfile.key_hash(k) for k in keys], dtype=np.uint64)
    rows = tf.find_many(keys, hashes)
    assert rows.tolist() == [tf.find(k, int(h)) for k, h in zip(keys, hashes.tolist(), strict=True)]
    assert rows[-1] == -1 and rows[-2] == -1


def test_colliding_hashes_are_told_apart_by_their_keys(tmp_path: Path) -> None:
    """Two keys under one hash: the lookup compares the bytes, never trusts the hash."""
    arrays = {
        "hashes": np.array([7, 7, 9], np.uint64),
        "kpos": np.array([0, 3, 6, 9], np.int64),
        "keys": np.frombuffer(b"a\x00xa\x00yb\x00z", np.uint8),
        "ppos": np.array([0, 1, 3, 4], np.int64),
        "ids": np.array([4, 1, 2, 8], np.int32),
        "weights": np.array([1, 2, 3, 4], np.float32),
        "fptr": np.zeros(1, np.int64),
        "frow": np.zeros(0, np.int32),
        "ffreq": np.zeros(0, np.float32),
        "phash": np.zeros(0, np.uint64),
        "pptr": np.zeros(1, np.int64),
        "pids": np.zeros(0, np.int32),
        **{f"len_{name}": np.zeros(0, np.float32) for name in termfile.LENGTH_FIELDS},
    }
    path = tmp_path / "x.terms"
    termfile._save(path, arrays, ["a", "b"])
    tf = termfile.TermFile(path)
    assert tf.find(b"a\x00y", 7) == 1
    assert tf.postings(1).ids.tolist() == [1, 2]
    assert tf.find(b"a\x00x", 7) == 0
    assert tf.find(b"a\x00q", 7) == -1
    assert tf.find_many([b"b\x00z", b"a\x00y"], np.array([9, 7], np.uint64)).tolist() == [2, 1]


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(b"not a term file at all"),
        lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
        lambda p: p.write_bytes(b""),
    ],
    ids=["garbage", "truncated", "empty"],
)
def test_a_damaged_term_file_is_set_aside_and_made_again(
    built: tuple[Library, Path], damage: object
) -> None:
    lib, _corpus = built
    seg_id, _reader = _leaves(lib)[0]
    path = termfile.path_for(lib.index.folder, seg_id)
    q = query.Or([query.Term("article", "oil"), query.Term("comment", "drone")])
    want = lib.index.evaluator().run(q)
    damage(path)  # type: ignore[operator]
    lib.index._term_files.clear()  # as a new process finds it
    fresh = Evaluator(lib.index.searcher(), lib.index.arrays, lib.index._term_file)
    got = fresh.run(q)
    assert got.ids.tolist() == want.ids.tolist()
    assert np.allclose(got.scores, want.scores)
    assert not path.exists()  # set aside, not trusted
    lib.update(bulk=False)  # the next update lays it out again
    assert termfile.open_for(lib.index.folder, seg_id) is not None


def test_without_term_files_the_answers_are_the_same(built: tuple[Library, Path]) -> None:
    lib, _corpus = built
    s = lib.index.searcher()
    with_files = Evaluator(s, lib.index.arrays, lib.index._term_file)
    without = Evaluator(s, lib.index.arrays, None)
    assert all(seg.terms is not None for _l, seg in with_files.leaves)
    rng = random.Random(3)
    for _ in range(40):
        words = rng.sample(WORDS, 3)
        terms = [
            query.Term(f, w, boost=rng.choice([1.0, 2.0]))
            for w in words
            for f in ("article", "title")
        ]
        q = query.Or([*terms, query.Term("actors", "pmf")])
        a, b = with_files.run(q), without.run(q)
        assert a.ids.tolist() == b.ids.tolist(), q
        assert np.allclose(a.scores, b.scores), q


def test_merged_away_segments_lose_their_term_files(tmp_path: Path) -> None:
    from briefreader.core.index import writing

    lib, _corpus = _library(tmp_path, batches=writing.TINY_SEGMENTS_TO_MERGE + 1)
    try:
        assert len(_leaves(lib)) < writing.TINY_SEGMENTS_TO_MERGE  # they were merged
        folder = termfile.folder_of(lib.index.folder)
        live = {seg_id for seg_id, _r in _leaves(lib)}
        on_disk = {p.stem for p in folder.glob("*.terms")}
        assert on_disk == live
        assert not list(folder.glob("*.tmp"))
    finally:
        lib.close()


def test_a_briefs_forward_run_counts_what_analysing_its_text_counts(
    built: tuple[Library, Path],
) -> None:
    """The feedback step reads a brief's words from its term file: they must be the words
    (and counts) that analysing its stored title, article and comment gives."""
    from briefreader.core.index.schema import term_counts
    from briefreader.core.search.ranking import TEXT_FIELDS

    lib, _corpus = built
    ev = lib.index.evaluator()
    s = lib.index.searcher()
    checked = 0
    for docnum in range(0, s.doc_count_all(), 3):
        stored = s.stored_fields(docnum)
        want = term_counts(" ".join(str(stored.get(f) or "") for f in TEXT_FIELDS))
        got = ev.terms.doc_term_counts(docnum)
        assert got is not None
        assert {w: round(c) for w, c in got.items()} == want, docnum
        checked += 1
    assert checked >= 25


def test_a_term_file_of_another_layout_is_made_again(
    built: tuple[Library, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    lib, _corpus = built
    seg_id, _reader = _leaves(lib)[0]
    path = termfile.path_for(lib.index.folder, seg_id)
    before = path.stat().st_mtime_ns
    with lib.index.locked():
        assert lib.index.write_term_files() == 0  # all current: nothing to do
    monkeypatch.setattr(termfile, "VERSION", termfile.VERSION + 1)
    with lib.index.locked():
        assert lib.index.write_term_files() == len(_leaves(lib))
    assert path.stat().st_mtime_ns != before
    assert termfile.TermFile(path) is not None


def test_feedback_words_from_the_arrays_equal_those_from_the_text(
    built: tuple[Library, Path],
) -> None:
    """The feedback step's word weights, summed in arrays over a few briefs of several
    segments, equal the plain sum over their analysed text (and the same words win)."""
    from briefreader.core.index.schema import term_counts
    from briefreader.core.search.ranking import TEXT_FIELDS, feedback_words

    lib, _corpus = built
    ev = lib.index.evaluator()
    s = lib.index.searcher()
    rng = random.Random(9)
    for _ in range(10):
        docnums = rng.sample(range(s.doc_count_all()), 6)
        raw = [rng.random() for _ in docnums]
        shares = [r / sum(raw) for r in raw]
        want: dict[str, float] = {}
        for docnum, share in zip(docnums, shares, strict=True):
            stored = s.stored_fields(docnum)
            counts = term_counts(" ".join(str(stored.get(f) or "") for f in TEXT_FIELDS))
            length = sum(counts.values())
            for w, c in counts.items():
                want[w] = want.get(w, 0.0) + share * c / length
        best = sorted(want.items(), key=lambda kv: (-kv[1], kv[0]))[:12]
        counts = [ev.terms.doc_term_counts(d) for d in docnums]
        assert all(c is not None for c in counts)
        pairs = zip(shares, counts, strict=True)
        got = feedback_words(((sh, c.items()) for sh, c in pairs if c is not None), 12)
        assert [w for w, _ in got] == [w for w, _ in best]
        assert np.allclose([x for _, x in got], [x for _, x in best])


def test_related_briefs_key_words_from_the_arrays_equal_those_from_the_text(
    built: tuple[Library, Path],
) -> None:
    from briefreader.core.index.related import related_query

    lib, _corpus = built
    ev = lib.index.evaluator()
    s = lib.index.searcher()
    for docnum in range(0, s.doc_count_all(), 7):
        stored = s.stored_fields(docnum)
        assert repr(related_query(ev, stored, docnum)) == repr(related_query(ev, stored)), docnum


def test_pair_hash_is_ordered_and_is_the_mix_it_says() -> None:
    """The numpy mix equals the same arithmetic on Python integers modulo 2**64 (numpy's
    wrap-around is what the writer and the reader rely on), and word order matters."""
    mask = (1 << 64) - 1

    def mix(a: int, b: int) -> int:
        z = (a * 0x9E3779B97F4A7C15 + b) & mask
        z ^= z >> 30
        z = (z * 0xBF58476D1CE4E5B9) & mask
        z ^= z >> 27
        z = (z * 0x94D049BB133111EB) & mask
        return z ^ (z >> 31)

    rng = random.Random(8)
    a = [rng.getrandbits(64) for _ in range(200)]
    b = [rng.getrandbits(64) for _ in range(200)]
    got = termfile.pair_hashes(np.array(a, np.uint64), np.array(b, np.uint64)).tolist()
    assert got == [mix(x, y) for x, y in zip(a, b, strict=True)]
    assert termfile.pair_hash("article", "oil", "field") != termfile.pair_hash(
        "article", "field", "oil"
    )
    assert termfile.pair_hash("article", "oil", "field") != termfile.pair_hash(
        "comment", "oil", "field"
    )


def test_each_pair_table_holds_exactly_the_neighbouring_words_of_the_text(
    built: tuple[Library, Path],
) -> None:
    """Every (field, word, next word, brief) of the stored texts is in the pair tables, and
    nothing else is: the tables hold as many pairs as the texts do."""
    from briefreader.core.index.schema import analysed_terms
    from briefreader.core.search.ranking import TEXT_FIELDS

    lib, _corpus = built
    ev = lib.index.evaluator()
    s = lib.index.searcher()
    want: dict[tuple[str, str, str], set[int]] = {}
    for doc in range(s.doc_count_all()):
        stored = s.stored_fields(doc)
        for field in TEXT_FIELDS:
            terms = list(analysed_terms(str(stored.get(field) or "")))
            for a, b in zip(terms, terms[1:], strict=False):
                want.setdefault((field, a, b), set()).add(doc)
    assert len(want) > 300
    for (field, a, b), docs in want.items():
        assert ev.terms.pair_docs(field, a, b).tolist() == sorted(docs), (field, a, b)
    held = sum(len(tf.phash) for _l, seg in ev.leaves if (tf := seg.terms) is not None)
    per_segment = {
        (field, a, b, int(np.searchsorted(ev.offsets, d, side="right")) - 1)
        for (field, a, b), docs in want.items()
        for d in docs
    }
    assert held == len(per_segment)
    # Two words that never follow one another: no brief.
    assert ev.terms.pair_docs("article", "nosuchword", "oil").tolist() == []


def test_phrases_without_term_files_are_read_from_positions_alike(
    built: tuple[Library, Path],
) -> None:
    from briefreader.core.index.schema import analysed_terms

    lib, _corpus = built
    s = lib.index.searcher()
    with_files = Evaluator(s, lib.index.arrays, lib.index._term_file)
    without = Evaluator(s, lib.index.arrays, None)
    assert with_files.terms.has_pairs("article") and not without.terms.has_pairs("article")
    rng = random.Random(6)
    found = 0
    for doc in rng.sample(range(s.doc_count_all()), 30):
        terms = list(analysed_terms(str(s.stored_fields(doc).get("article") or "")))
        if len(terms) < 3:
            continue
        i = rng.randrange(len(terms) - 2)
        for words in (terms[i : i + 2], terms[i : i + 3], terms[i : i + 2][::-1]):
            q = query.Phrase("article", words)
            a, b = with_files.run(q), without.run(q)
            assert a.ids.tolist() == b.ids.tolist(), q
            assert np.allclose(a.scores, b.scores), q
            found += bool(len(a.ids))
    assert found > 20


def test_scoring_a_few_briefs_equals_scoring_the_whole_list_then_cutting(
    built: tuple[Library, Path],
) -> None:
    """The feedback step scores a term only at the briefs it re-ranks: the same scores as the
    whole posting list scored and cut to them, for every term and any set of briefs."""
    lib, _corpus = built
    ev = lib.index.evaluator()
    rng = random.Random(9)
    every = ev.every()
    for word in WORDS:
        for fieldname in ("article", "comment", "title"):
            field = ev.schema[fieldname]
            btext = field.to_bytes(word)
            within = np.array(sorted(rng.sample(every.tolist(), 25)), dtype=np.int32)
            fresh = Evaluator(lib.index.searcher(), lib.index.arrays, lib.index._term_file)
            got = fresh.terms.scored_within(field, fieldname, btext, within)
            assert got is not None
            ids, scores = ev.terms.joined(field, fieldname, btext, True)
            assert scores is not None
            keep = np.isin(ids, within)
            assert got[0].tolist() == ids[keep].tolist()
            assert np.allclose(got[1], scores[keep])
            # Once the whole list is at hand, it is cut rather than scored again.
            again = ev.terms.scored_within(field, fieldname, btext, within)
            assert again is not None and again[0].tolist() == got[0].tolist()
            assert np.allclose(again[1], got[1])


def test_scores_from_forward_runs_equal_scores_from_posting_lists(
    built: tuple[Library, Path],
) -> None:
    """An OR of words scored at a few briefs by reading those briefs' forward runs gives
    what evaluating the OR over its posting lists gives (the feedback step's two ways)."""
    lib, _corpus = built
    s = lib.index.searcher()
    ev = Evaluator(s, lib.index.arrays, lib.index._term_file)
    rng = random.Random(10)
    every = ev.every()
    for _ in range(30):
        words = rng.sample(WORDS, 8)
        q = query.Or(
            [
                query.Term(f, w, boost=rng.choice([0.3, 1.0, 1.7]))
                for w in words
                for f in ("title", "article", "comment")
            ]
            + [query.Term("article", words[0], boost=0.5)],  # a word twice, two boosts
            boost=rng.choice([1.0, 0.8]),
        )
        within = np.array(sorted(rng.sample(every.tolist(), 20)), dtype=np.int64)
        flat = ev._plain_terms(q)
        assert flat is not None
        forward = ev.terms.scores_by_forward_runs(flat, within.astype(np.int32))
        assert forward is not None
        whole = ev.run(q)
        want = np.zeros(len(within))
        ia, ib = np.flatnonzero(np.isin(within, whole.ids)), None
        ib = np.searchsorted(whole.ids, within[ia])
        want[ia] = whole.scores[ib]
        assert np.allclose(forward * float(q.boost), want, rtol=1e-6), q
        assert np.allclose(ev.scores_at(q, within), want, rtol=1e-6), q
