"""The array evaluator against Whoosh's own matchers, and the fast paths against the public ones.

The evaluator (``core.index.evaluate``) must find exactly the documents Whoosh's matchers find
and score them as Whoosh's BM25F does; the fast paths (``core.index.fast``) that read
Whoosh-Reloaded 2.7.5's segment files must give exactly what Whoosh's public API gives. Both
are checked on a random corpus spread over several segments, with deleted briefs.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import query

from briefreader.core.glossary import Glossary
from briefreader.core.index import fast
from briefreader.core.index.postings import ArrayCache
from briefreader.core.library import Library

WORDS = (
    "militia", "border", "oil", "strike", "convoy", "drone", "minister", "election",
    "parliament", "ceasefire", "pipeline", "refinery", "protest", "sanction", "envoy",
    "airport", "governor", "tribe",
)  # fmt: skip
GLOSSARY = """
[[actor]]
name = "Popular Mobilization Forces"
kind = "militia"
aliases = ["PMF"]

[[actor]]
name = "Iran"
kind = "state"
"""
ACTOR_WORDS = ("PMF", "Iran")


def _brief(rng: random.Random, i: int) -> str:
    def words(n: int) -> str:
        out = [rng.choice(WORDS) for _ in range(n)]
        if rng.random() < 0.3:
            out.insert(rng.randrange(len(out) + 1), rng.choice(ACTOR_WORDS))
        return " ".join(out)

    head = f"Title: {words(rng.randint(1, 4))}\n"
    if rng.random() < 0.85:  # some briefs have no date at all
        day = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3000))
        head += f"Date: {day.isoformat()}\n"
    if rng.random() < 0.6:
        head += f"Source: {rng.choice(['Reuters', 'Rudaw', 'Al-Monitor summary'])}\n"
    if rng.random() < 0.5:
        head += f"Tags: {', '.join(rng.sample(['iraq', 'pmf', 'oil', 'élections'], 2))}\n"
    body = f"{head}\n{words(rng.randint(3, 40))}.\n"
    if rng.random() < 0.8:
        body += f"\nComment: {words(rng.randint(2, 15))}.\n"
    return body


def _build(root: Path, delete: bool) -> Library:
    """120 briefs written in three updates (three segments); five deleted if ``delete``."""
    (root / "g.toml").write_text(GLOSSARY, "utf-8")
    corpus = root / "corpus"
    corpus.mkdir()
    library = Library([corpus], root / "data", Glossary.load([root / "g.toml"]))
    rng = random.Random(11)
    for batch in range(3):
        for i in range(40):
            (corpus / f"b{batch}-{i:03d}.md").write_text(_brief(rng, i), "utf-8")
        assert library.update(bulk=False).added == 40
    if delete:
        for victim in sorted(corpus.glob("b1-00*.md"))[:5]:
            victim.unlink()
        assert library.update(bulk=False).removed == 5
    return library


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Library:
    """The random corpus in three segments, with deleted briefs."""
    library = _build(tmp_path_factory.mktemp("evaluate"), delete=True)
    yield library
    library.close()


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> Library:
    """The same corpus with nothing deleted."""
    library = _build(tmp_path_factory.mktemp("evaluate-whole"), delete=False)
    yield library
    library.close()


def _segments(library: Library) -> list[tuple[Any, int]]:
    s = library.index.searcher()
    return [(leaf.reader(), offset) for leaf, offset in s.leaf_searchers()]


def test_the_corpus_has_several_segments_and_deletions(lib: Library) -> None:
    segs = _segments(lib)
    assert len(segs) >= 2
    assert any(reader.has_deletions() for reader, _ in segs)


# -- fast paths against Whoosh's public path -----------------------------------------------


def test_postings_read_from_segment_files_equal_whoosh_matchers(lib: Library) -> None:
    assert fast.FAST_PATHS, "the fast paths are meant for the pinned Whoosh-Reloaded"
    checked = 0
    for reader, _offset in _segments(lib):
        deleted = fast.deleted_mask(reader)
        for fieldname in ("title", "article", "comment", "actors", "year"):
            for btext in reader.lexicon(fieldname):
                got = fast.read_postings(reader, fieldname, btext)
                # The fast path keeps deleted documents (the evaluator masks them); Whoosh's
                # public matcher leaves them out.
                live = np.ones(len(got.ids), bool) if deleted is None else ~deleted[got.ids]
                m = reader.postings(fieldname, btext)
                ids, weights, values = [], [], []
                positional = reader.schema[fieldname].format.supports("positions")
                while m.is_active():
                    ids.append(m.id())
                    weights.append(m.weight())
                    if positional:
                        values.append(m.value())
                    m.next()
                assert got.ids[live].tolist() == ids, (fieldname, btext)
                assert np.allclose(got.weights[live], weights), (fieldname, btext)
                if positional:
                    with_values = fast.read_postings(reader, fieldname, btext, values=True)
                    assert with_values.values is not None
                    kept = [v for v, k in zip(with_values.values, live, strict=True) if k]
                    assert kept == values
                checked += 1
    assert checked > 50


def test_field_lengths_equal_whoosh_doc_field_length(lib: Library) -> None:
    for reader, _offset in _segments(lib):
        for fieldname in ("title", "article", "comment"):
            got = fast.field_lengths(reader, fieldname)
            want = [reader.doc_field_length(d, fieldname, 1) or 1 for d in range(len(got))]
            assert got.tolist() == want


def test_date_column_and_deletions_equal_whoosh(lib: Library) -> None:
    for reader, _offset in _segments(lib):
        got = fast.numeric_column(reader, "date")
        col = reader.column_reader("date", translate=False)
        assert got.tolist() == [col[d] for d in range(reader.doc_count_all())]
        mask = fast.deleted_mask(reader)
        want = [reader.is_deleted(d) for d in range(reader.doc_count_all())]
        assert (mask.tolist() if mask is not None else [False] * len(want)) == want


def test_facet_values_equal_whoosh_column_reader(lib: Library) -> None:
    for reader, _offset in _segments(lib):
        for name in ("actor_list", "tag_list", "source_name", "year"):
            got = fast.leaf_facet_values(reader, name)
            if not reader.has_column(name):
                continue
            col = reader.column_reader(name)
            for d, value in enumerate(got):
                raw = col[d]
                raw = raw.decode("utf-8") if isinstance(raw, bytes) else (raw or "")
                want = tuple(p for p in raw.split(",") if p) if isinstance(value, tuple) else raw
                assert value == want


def test_public_path_gives_what_the_fast_path_gives(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another Whoosh release takes the public path: same arrays, slower."""
    reader, _offset = _segments(lib)[0]
    deleted = fast.deleted_mask(reader)
    fast_ids = {t: fast.read_postings(reader, "article", t) for t in reader.lexicon("article")}
    lengths = fast.field_lengths(reader, "article")
    monkeypatch.setattr(fast, "FAST_PATHS", False)
    for t, got in fast_ids.items():
        live = np.ones(len(got.ids), bool) if deleted is None else ~deleted[got.ids]
        slow = fast.read_postings(reader, "article", t)
        assert slow.ids.tolist() == got.ids[live].tolist()
        assert np.allclose(slow.weights, got.weights[live])
    assert fast.field_lengths(reader, "article").tolist() == lengths.tolist()


# -- the evaluator against Whoosh's matchers ----------------------------------------------


def _whoosh(lib: Library, q: Any) -> dict[int, float]:
    """The reference answer: each leaf (term, phrase, date range) found and scored by
    Whoosh's own matcher, combined by the plain meaning of the boolean operators.

    Not Whoosh's compound matchers themselves: Whoosh-Reloaded 2.7.5's AndNot matcher keeps
    documents that its NOT part matches (``airport ANDNOT border`` returns a brief titled
    "... airport ... border") once its block-skipping meets certain posting layouts.
    """
    s = lib.index.searcher()
    every = set(s.reader().all_doc_ids())
    exact_lengths(lib, s)

    def ev(node: Any) -> dict[int, float]:
        kind = type(node)
        if kind in (query.Or, query.And) and len(node.subqueries) == 1:
            return ev(node.subqueries[0])  # Whoosh: a lone subquery stands alone
        if kind is query.Or:
            out: dict[int, float] = {}
            for sub in node.subqueries:
                for d, sc in ev(sub).items():
                    out[d] = out.get(d, 0.0) + sc
            return {d: sc * node.boost for d, sc in out.items()}
        if kind is query.And:
            parts = [
                {d: sub.boost for d in every - set(ev(sub.query))}
                if isinstance(sub, query.Not)
                else ev(sub)
                for sub in node.subqueries
            ]
            common = set.intersection(*(set(p) for p in parts))
            return {d: sum(p[d] for p in parts) * node.boost for d in common}
        if kind is query.AndNot:
            b = set(ev(node.b))
            return {d: sc for d, sc in ev(node.a).items() if d not in b}
        if kind is query.AndMaybe:
            a, b = ev(node.a), ev(node.b)
            return {d: sc + b.get(d, 0.0) for d, sc in a.items()}
        return {hit.docnum: hit.score for hit in s.search(node, limit=None)}

    return ev(q)


def exact_lengths(lib: Library, searcher: Any) -> None:
    """Whoosh's matchers told each document's exact section lengths, as the evaluator reads
    them from the term files (Whoosh keeps a length in a byte): the reference then scores
    with the same numbers (BM25 asks the searcher for a document's field length)."""
    terms = lib.index.evaluator().terms
    subs = getattr(searcher, "subsearchers", None) or [(searcher, 0)]
    for sub, offset in subs:
        plain = sub.doc_field_length

        def length(docnum: int, fieldname: str, default: int = 0, *, _o: int = offset,
                   _plain: Any = plain) -> float:  # fmt: skip
            if fieldname in ("title", "article", "comment", "actors"):
                return float(terms.field_lengths(fieldname)[_o + docnum])
            return float(_plain(docnum, fieldname, default))

        sub.doc_field_length = length


def _ours(lib: Library, q: Any) -> dict[int, float]:
    got = lib.index.evaluator().run(q)
    return dict(zip(got.ids.tolist(), got.scores.tolist(), strict=True))


def _terms(lib: Library, fieldname: str) -> list[str]:
    s = lib.index.searcher()
    return sorted(t.decode("utf-8") for t in s.lexicon(fieldname))


@st.composite
def queries(draw: Any, vocab: dict[str, list[str]], depth: int = 0) -> Any:
    leaf_kinds = ["term", "term", "phrase", "date", "actor", "year"]
    kinds = leaf_kinds + (["and", "or", "andnot", "andmaybe", "not_in_and"] if depth < 3 else [])
    kind = draw(st.sampled_from(kinds))
    boost = draw(st.sampled_from([1.0, 1.0, 0.5, 2.0]))
    if kind == "term":
        field = draw(st.sampled_from(["title", "article", "comment"]))
        return query.Term(field, draw(st.sampled_from(vocab[field])), boost=boost)
    if kind == "phrase":
        field = draw(st.sampled_from(["article", "comment"]))
        words = draw(st.lists(st.sampled_from(vocab[field]), min_size=2, max_size=3))
        return query.Phrase(field, words, slop=draw(st.sampled_from([1, 1, 2])), boost=boost)
    if kind == "date":
        a = draw(st.integers(2014, 2024))
        b = draw(st.integers(a, 2024))
        return query.DateRange(
            "date",
            dt.datetime(a, 1, 1) if draw(st.booleans()) else None,
            dt.datetime(b, 12, 31, 23, 59, 59),
        )
    if kind == "actor":
        return query.Term("actors", draw(st.sampled_from(vocab["actors"] or ["nobody"])))
    if kind == "year":
        return query.Term("year", str(draw(st.integers(2014, 2024))))
    sub = queries(vocab, depth + 1)
    if kind == "and":
        return query.And(draw(st.lists(sub, min_size=2, max_size=3)), boost=boost)
    if kind == "or":
        return query.Or(draw(st.lists(sub, min_size=1, max_size=4)), boost=boost)
    if kind == "andnot":
        return query.AndNot(draw(sub), draw(sub))
    if kind == "andmaybe":
        return query.AndMaybe(draw(sub), draw(sub))
    return query.And([draw(sub), query.Not(draw(sub))])


@pytest.fixture(scope="module")
def vocab(whole: Library) -> dict[str, list[str]]:
    return {f: _terms(whole, f) for f in ("title", "article", "comment", "actors")}


PROPERTY = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY
@given(data=st.data())
def test_evaluator_finds_and_scores_what_whoosh_does(
    whole: Library, vocab: dict[str, list[str]], data: st.DataObject
) -> None:
    q = data.draw(queries(vocab))
    want = _whoosh(whole, q)
    got = _ours(whole, q)
    assert sorted(got) == sorted(want), repr(q)
    for docnum, score in want.items():
        assert got[docnum] == pytest.approx(score, rel=1e-5, abs=1e-9), (repr(q), docnum)


@PROPERTY
@given(data=st.data())
def test_deleted_briefs_are_never_found(
    lib: Library, whole: Library, vocab: dict[str, list[str]], data: st.DataObject
) -> None:
    """Deleting briefs takes exactly them out of every answer (document numbers stay until a
    merge, and the two corpora are written alike)."""
    q = data.draw(queries(vocab))
    deleted = {
        docnum
        for reader, offset in _segments(lib)
        for docnum in (offset + d for d in range(reader.doc_count_all()) if reader.is_deleted(d))
    }
    assert len(deleted) == 5
    assert sorted(_ours(lib, q)) == sorted(set(_ours(whole, q)) - deleted), repr(q)


def test_evaluator_answers_the_common_forms_without_whoosh_matchers(lib: Library) -> None:
    ev = lib.index.evaluator()
    before = ev.fallbacks
    ev.run(
        query.And(
            [
                query.Or([query.Term("article", "oil"), query.Term("comment", "oil")]),
                query.Phrase("article", ["drone", "strike"]),
                query.Not(query.Term("title", "envoy")),
                query.DateRange("date", dt.datetime(2016, 1, 1), None),
            ]
        )
    )
    assert ev.fallbacks == before


def test_scores_at_scores_only_the_given_documents(lib: Library) -> None:
    ev = lib.index.evaluator()
    q = query.Or([query.Term("article", "oil"), query.Term("comment", "strike")])
    every = ev.run(q)
    some = every.ids[::3]
    want = every.scores[::3]
    assert np.allclose(ev.scores_at(q, some), want)
    others = np.setdiff1d(ev.every(), every.ids)[:5]
    assert not ev.scores_at(q, others).any()


def test_a_refresh_keeps_the_postings_of_unchanged_segments(lib: Library, tmp_path: Path) -> None:
    idx = lib.index
    ev = idx.evaluator()
    ev.run(query.Term("article", "oil"))
    cache: ArrayCache = idx.arrays
    kept = len(cache)
    assert kept > 0
    misses = cache.misses
    ev.run(query.Term("article", "oil"))
    assert cache.misses == misses  # read once, then from the cache
    assert cache.bytes <= cache.max_bytes


def test_the_cache_stays_within_its_bound() -> None:
    cache = ArrayCache(max_bytes=1000)
    for i in range(50):
        cache.get_or_make(("seg", i), lambda: (np.zeros(10), 100))
    assert cache.bytes <= 1000 and len(cache) == 10
    # The most recently used entries stay.
    assert cache.get_or_make(("seg", 49), lambda: (None, 1)) is not None


def test_facet_columns_read_in_one_go_equal_the_per_document_path(lib: Library) -> None:
    from briefreader.core.index.postings import facet_column, facet_column_of

    for reader, _offset in _segments(lib):
        for name in ("actor_list", "tag_list", "source_name", "year"):
            fast_col = facet_column_of(reader, name)
            slow_col = facet_column(fast.leaf_facet_values(reader, name))
            assert sorted(fast_col.names) == sorted(slow_col.names), name
            assert fast_col.indptr.tolist() == slow_col.indptr.tolist(), name
            # The same values for every document (the codes may number them otherwise).
            for col_a, col_b in ((fast_col, slow_col),):
                for d in range(len(col_a.indptr) - 1):
                    a_vals = [
                        col_a.names[c] for c in col_a.codes[col_a.indptr[d] : col_a.indptr[d + 1]]
                    ]
                    b_vals = [
                        col_b.names[c] for c in col_b.codes[col_b.indptr[d] : col_b.indptr[d + 1]]
                    ]
                    assert a_vals == b_vals, (name, d)
            assert fast_col.names or name == "actor_list"  # the corpus has every other kind


@pytest.mark.parametrize("column", ["actor_list", "tag_list", "source_name", "year"])
def test_facet_counts_equal_counting_brief_by_brief(lib: Library, column: str) -> None:
    """Every counting path (few briefs, many, single-valued columns) gives the plain count."""
    ev = lib.index.evaluator()
    col = ev.facet(column)
    rng = random.Random(4)
    for size in (1, 5, len(ev.every()) // 2, len(ev.every())):
        docs = np.array(sorted(rng.sample(ev.every().tolist(), size)), dtype=np.int64)
        want: dict[str, int] = {}
        for d in docs:
            for code in col.codes[col.indptr[d] : col.indptr[d + 1]]:
                want[col.names[code]] = want.get(col.names[code], 0) + 1
        assert col.count(docs, ev.n) == want


def test_phrases_from_the_briefs_text_are_found_as_whoosh_finds_them(whole: Library) -> None:
    """Two-word phrases are answered by the word-pairs fields (no positions read), longer
    ones are narrowed by them first: phrases cut from the briefs' own text (so that they
    match), with a few of other slops and orders, give Whoosh's documents and scores."""
    from briefreader.core.index.schema import analysed_terms

    s = whole.index.searcher()
    exact_lengths(whole, s)
    rng = random.Random(4)
    checked = found = 0
    for docnum in rng.sample(range(s.doc_count_all()), 40):
        for field in ("article", "comment"):
            terms = list(analysed_terms(str(s.stored_fields(docnum).get(field) or "")))
            if len(terms) < 4:
                continue
            i = rng.randrange(len(terms) - 3)
            for words, slop in (
                (terms[i : i + 2], 1),
                (terms[i : i + 3], 1),
                (terms[i : i + 2][::-1], 1),
                (terms[i : i + 3 : 2], 2),
            ):
                q = query.Phrase(field, words, slop=slop)
                want, got = _whoosh(whole, q), _ours(whole, q)
                assert sorted(got) == sorted(want), repr(q)
                for d, score in want.items():
                    assert got[d] == pytest.approx(score, rel=1e-5), (repr(q), d)
                checked += 1
                found += bool(want)
    assert checked > 60 and found > 40


def test_a_two_word_phrase_reads_no_positions(
    whole: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    ev = whole.index.evaluator()
    calls: list[object] = []
    real = ev._verified
    monkeypatch.setattr(ev, "_verified", lambda *a: calls.append(a) or real(*a))
    s = whole.index.searcher()
    from briefreader.core.index.schema import analysed_terms

    terms = list(analysed_terms(str(s.stored_fields(3).get("article") or "")))
    assert len(ev.run(query.Phrase("article", terms[:2])).ids) >= 1
    assert calls == []
    ev.run(query.Phrase("article", terms[:3]))
    assert calls  # three words: the pairs narrow, positions decide


def test_both_tiers_from_one_pass_equal_the_and_and_the_or(lib: Library) -> None:
    """A question's every-words and some-words tiers, read in one pass over the words'
    lists, are what evaluating the AND and the OR of the words give (deleted briefs out)."""
    ev = lib.index.evaluator()
    rng = random.Random(12)
    both = 0
    for _ in range(60):
        words = [
            query.Or([query.Term(f, w) for f in ("title", "article", "comment")])
            for w in rng.sample(WORDS, rng.randint(2, 4))
        ]
        if rng.random() < 0.2:
            words.append(query.Term("article", "nosuchword"))
        strict, loose = ev.run(query.And(words)), ev.run(query.Or(words))
        every_word, some, split = ev.run_tiers(query.Or(words))
        assert some.ids[split].tolist() == every_word.ids.tolist()
        assert every_word.ids.tolist() == strict.ids.tolist()
        assert np.allclose(every_word.scores, strict.scores)
        assert some.ids.tolist() == loose.ids.tolist()
        assert np.allclose(some.scores, loose.scores)
        both += bool(len(strict))
    assert both >= 5


@pytest.mark.parametrize("flag_bytes", [16 << 20, 4096])
def test_facet_counts_by_bitmap_equal_the_plain_count(
    monkeypatch: pytest.MonkeyPatch, flag_bytes: int
) -> None:
    """A listed column with common values (counted by bitmap for many matches) and rare ones
    (gathered), made in one chunk or in many: every count equals counting brief by brief."""
    from briefreader.core.index import postings

    monkeypatch.setattr(postings, "_FLAG_BYTES", flag_bytes)
    rng = np.random.default_rng(11)
    n, names = 6_000, [f"v{i}" for i in range(400)]
    weights = 1.0 / np.arange(1, len(names) + 1)  # a few common values, many rare ones
    weights /= weights.sum()
    per_doc = [
        sorted(set(rng.choice(len(names), size=int(k), p=weights).tolist()))
        for k in rng.integers(0, 9, size=n)
    ]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum([len(v) for v in per_doc], out=indptr[1:])
    codes = np.array([c for v in per_doc for c in v], dtype=np.int32)
    col = postings.FacetColumn(names, codes, indptr)
    for size in (3, 40, 700, 3_000, n):
        docs = np.sort(rng.choice(n, size=size, replace=False))
        want: dict[str, int] = {}
        for d in docs:
            for c in per_doc[d]:
                want[names[c]] = want.get(names[c], 0) + 1
        assert col.count(docs, n) == want, size
        packed = postings.packed_docs(docs, n)
        assert col.count(docs, n, packed) == want, size
    assert col._bits is not None and col._dense is not None and col._rare is not None
    assert 0 < len(col._dense) < len(names)  # both ways were used
    assert len(col._rare[0]) > 0
